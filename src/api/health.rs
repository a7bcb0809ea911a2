use super::blocking;
use crate::app;
use crate::db::Database;
use actix_web::{web, HttpResponse};
use serde::Serialize;

/// 200 only when the database answers a query; 503 otherwise.
#[utoipa::path(get, path = "/healthz", tag = "service", security(()), responses((status = 200, description = "The service and its database answer", body = Health), (status = 503, description = "The database does not answer", body = Health)))]
pub async fn healthz(db: web::Data<Database>) -> HttpResponse {
    let backend = db.backend_name();
    let db = db.into_inner();
    match blocking(move || app::health::check(&db)).await {
        Ok(()) => HttpResponse::Ok().json(Health {
            status: "ok",
            database: backend,
            message: None,
        }),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database does not answer");
            HttpResponse::ServiceUnavailable().json(Health {
                status: "unavailable",
                database: backend,
                message: Some(e.to_string()),
            })
        }
    }
}

/// Whether the service and its database answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    status: &'static str,
    database: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}
