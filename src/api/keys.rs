//! /api/v1/keys and /api/v1/audit: API keys and the audit log (admin only).

use super::blocking;
use super::body::Json;
use super::error::ApiError;
use crate::app::access::{audit, create_key, keys, revoke_key, AuditQuery};
use crate::auth::{KeyId, Role};
use crate::db::api_keys::StoredKey;
use crate::db::Database;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyBody {
    name: String,
    role: Role,
}

/// A new key with its secret: the only answer that ever holds it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct NewKey {
    #[serde(flatten)]
    stored: StoredKey,
    key: String,
}

#[utoipa::path(post, path = "/api/v1/keys", tag = "keys", request_body = KeyBody, responses((status = 201, description = "The key with its secret, shown this once", body = NewKey)))]
pub async fn create(
    db: web::Data<Database>,
    body: Json<KeyBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let db = db.into_inner();
    let created = blocking(move || create_key(&db, &body.name, body.role)).await?;
    Ok(HttpResponse::Created().json(NewKey {
        key: created.secret.reveal().to_string(),
        stored: created.key,
    }))
}

#[utoipa::path(get, path = "/api/v1/keys", tag = "keys", responses((status = 200, description = "Every key (never the secrets)", body = Vec<StoredKey>)))]
pub async fn list(db: web::Data<Database>) -> Result<HttpResponse, ApiError> {
    let db = db.into_inner();
    Ok(HttpResponse::Ok().json(blocking(move || keys(&db)).await?))
}

/// Revokes a key: its next request gets 401. Answers the key, revoked.
#[utoipa::path(delete, path = "/api/v1/keys/{id}", tag = "keys", params(("id" = i32, Path, description = "Key id")), responses((status = 200, description = "The key, revoked", body = StoredKey)))]
pub async fn revoke(db: web::Data<Database>, id: web::Path<i32>) -> Result<HttpResponse, ApiError> {
    let id = KeyId(id.into_inner());
    let db = db.into_inner();
    Ok(HttpResponse::Ok().json(blocking(move || revoke_key(&db, id)).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// Only this key's writes.
    key_id: Option<i32>,
    /// Entries older than this id (the previous page's `next_before`).
    before: Option<i32>,
    limit: Option<u32>,
}

/// The audit log, newest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/audit", tag = "keys", params(AuditParams), responses((status = 200, description = "The audit log, newest first", body = crate::app::access::AuditPage)))]
pub async fn log(
    db: web::Data<Database>,
    params: web::Query<AuditParams>,
) -> Result<HttpResponse, ApiError> {
    let p = params.into_inner();
    let query = AuditQuery {
        key: p.key_id.map(KeyId),
        before: p.before,
        limit: p.limit,
    };
    let db = db.into_inner();
    Ok(HttpResponse::Ok().json(blocking(move || audit(&db, query)).await?))
}
