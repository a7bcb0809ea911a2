use super::blocking;
use crate::db::Database;
use actix_web::{web, HttpResponse};
use serde_json::json;

/// 200 only when the database answers a query; 503 otherwise.
pub async fn healthz(db: web::Data<Database>) -> HttpResponse {
    let backend = db.backend_name();
    let db = db.into_inner();
    match blocking(move || db.ping().map_err(Into::into)).await {
        Ok(()) => HttpResponse::Ok().json(json!({"status": "ok", "database": backend})),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database does not answer");
            HttpResponse::ServiceUnavailable().json(
                json!({"status": "unavailable", "database": backend, "message": e.to_string()}),
            )
        }
    }
}
