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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyBody {
    name: String,
    role: Role,
}

/// A new key with its secret: the only answer that ever holds it.
#[derive(Serialize)]
pub struct NewKey {
    #[serde(flatten)]
    stored: StoredKey,
    key: String,
}

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

pub async fn list(db: web::Data<Database>) -> Result<HttpResponse, ApiError> {
    let db = db.into_inner();
    Ok(HttpResponse::Ok().json(blocking(move || keys(&db)).await?))
}

/// Revokes a key: its next request gets 401. Answers the key, revoked.
pub async fn revoke(db: web::Data<Database>, id: web::Path<i32>) -> Result<HttpResponse, ApiError> {
    let id = KeyId(id.into_inner());
    let db = db.into_inner();
    Ok(HttpResponse::Ok().json(blocking(move || revoke_key(&db, id)).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// Only this key's writes.
    key_id: Option<i32>,
    /// Entries older than this id (the previous page's `next_before`).
    before: Option<i32>,
    limit: Option<u32>,
}

/// The audit log, newest first, a page at a time.
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
