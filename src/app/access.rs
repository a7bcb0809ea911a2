//! API keys and the audit log: create, list and revoke keys, tell who is
//! calling, record writes. Used by the API (admin routes, the guard) and
//! by `staffcast keys`.

use super::error::Refusal;
use super::AppError;
use crate::auth::{ApiKey, KeyId, Role};
use crate::db::api_keys::StoredKey;
use crate::db::audit_log::{AuditEntry, AuditRecord};
use crate::db::Database;
use crate::domain::InvalidValue;
use chrono::Utc;
use serde::Serialize;

/// Longest key name accepted.
const MAX_NAME_CHARS: usize = 100;

/// `last_used_at` is written at most this often per key, so reads do not
/// each cost a write.
const TOUCH_EVERY_SECONDS: i64 = 60;

/// Audit entries per page: the default and the most one page may hold.
pub const AUDIT_PAGE: u32 = 50;
pub const MAX_AUDIT_PAGE: u32 = 500;

/// A key just made: the stored record and the secret, which is shown
/// once and then exists only with whoever received it.
#[derive(Debug)]
pub struct CreatedKey {
    pub key: StoredKey,
    pub secret: ApiKey,
}

/// Makes and stores a key for `role`; only its hash is kept.
pub fn create_key(db: &Database, name: &str, role: Role) -> Result<CreatedKey, AppError> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(InvalidValue::new(
            "name",
            format!("must be 1 to {MAX_NAME_CHARS} printable characters"),
        )
        .into());
    }
    let secret = ApiKey::generate();
    let key = db.insert_api_key(name, role, &secret.hash(), Utc::now())?;
    tracing::info!(key_id = %key.id, name = %key.name, role = %key.role, "api key created");
    Ok(CreatedKey { key, secret })
}

/// Every key, revoked ones included, oldest first.
pub fn keys(db: &Database) -> Result<Vec<StoredKey>, AppError> {
    Ok(db.api_keys()?)
}

/// Revokes a key at once (its next request gets 401). Revoking a revoked
/// key changes nothing and is not an error.
pub fn revoke_key(db: &Database, id: KeyId) -> Result<StoredKey, AppError> {
    let key = db
        .revoke_api_key(id, Utc::now())?
        .ok_or_else(|| AppError::not_found("api key", id))?;
    tracing::info!(key_id = %key.id, name = %key.name, "api key revoked");
    Ok(key)
}

/// The key a client sent, if it is known and not revoked.
pub fn authenticate(db: &Database, secret: &ApiKey) -> Result<Option<StoredKey>, AppError> {
    let Some(key) = db.api_key_by_hash(&secret.hash())? else {
        return Ok(None);
    };
    if key.revoked_at.is_some() {
        return Ok(None);
    }
    let now = Utc::now();
    if key
        .last_used_at
        .is_none_or(|t| (now - t).num_seconds() >= TOUCH_EVERY_SECONDS)
    {
        db.touch_api_key(key.id, now)?;
    }
    Ok(Some(key))
}

/// How many keys can be used (not revoked).
pub fn active_keys(db: &Database) -> Result<i64, AppError> {
    Ok(db.active_api_keys()?)
}

pub fn record_write(db: &Database, record: &AuditRecord) -> Result<(), AppError> {
    db.insert_audit_record(record)?;
    Ok(())
}

/// Which audit entries to read: newest first, `limit` of them, older than
/// the entry `before` (the previous page's `next_before`), of one key.
#[derive(Debug, Clone, Copy, Default)]
pub struct AuditQuery {
    pub key: Option<KeyId>,
    pub before: Option<i32>,
    pub limit: Option<u32>,
}

/// One page of the audit log; `next_before` is the `before` of the next
/// (older) page, `None` on the last.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub next_before: Option<i32>,
}

pub fn audit(db: &Database, query: AuditQuery) -> Result<AuditPage, AppError> {
    let limit = query.limit.unwrap_or(AUDIT_PAGE);
    if !(1..=MAX_AUDIT_PAGE).contains(&limit) {
        return Err(Refusal::OutOfRange {
            field: "limit",
            message: format!("limit {limit} must be 1 to {MAX_AUDIT_PAGE}"),
        }
        .into());
    }
    // One more than asked tells whether an older page exists.
    let mut entries = db.audit_entries(query.key, query.before, i64::from(limit) + 1)?;
    let more = entries.len() > limit as usize;
    entries.truncate(limit as usize);
    let next_before = if more {
        entries.last().map(|e| e.id)
    } else {
        None
    };
    Ok(AuditPage {
        entries,
        next_before,
    })
}
