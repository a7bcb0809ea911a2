//! Idempotency keys: the first answer to a POST, kept per API key so a
//! retry with the same `Idempotency-Key` gets it again instead of redoing
//! the work (see `app::idempotency` for the rules).

use super::schema::idempotency_keys as ik;
use super::{to_naive, to_utc, with_conn, Database, DbError, WriteTransaction};
use crate::auth::KeyId;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

/// A request that names an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotentRequest {
    pub key_id: KeyId,
    pub key: String,
    pub method: String,
    pub path: String,
    /// Lowercase hex SHA-256 of the request body.
    pub body_hash: String,
}

/// A stored answer, replayed as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub location: Option<String>,
    pub body: Vec<u8>,
}

/// What an earlier request with the same key left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierRequest {
    pub method: String,
    pub path: String,
    pub body_hash: String,
    pub created_at: DateTime<Utc>,
    /// `None` while it is still being served.
    pub response: Option<StoredResponse>,
}

/// The outcome of claiming a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key was free: it is now held by this request (in flight).
    Claimed,
    /// The key was already used (its row is unchanged).
    Taken(EarlierRequest),
}

type Row = (
    String,
    String,
    String,
    NaiveDateTime,
    Option<i32>,
    Option<String>,
    Option<String>,
    Option<Vec<u8>>,
);

fn earlier(
    (method, path, body_hash, created_at, status, content_type, location, body): Row,
) -> EarlierRequest {
    let response = status.map(|status| StoredResponse {
        status: u16::try_from(status).unwrap_or(500),
        content_type,
        location,
        body: body.unwrap_or_default(),
    });
    EarlierRequest {
        method,
        path,
        body_hash,
        created_at: to_utc(created_at),
        response,
    }
}

impl Database {
    /// In one write transaction: deletes every key created before
    /// `expired_before` and every in-flight one created before
    /// `abandoned_before`, then claims this request's key unless a row for
    /// it (same API key) is left.
    pub fn claim_idempotency_key(
        &self,
        request: &IdempotentRequest,
        now: DateTime<Utc>,
        expired_before: DateTime<Utc>,
        abandoned_before: DateTime<Utc>,
    ) -> Result<Claim, DbError> {
        let key_id = request.key_id.0;
        with_conn!(self, conn => conn.write_transaction::<Claim, DbError, _>(|conn| {
            diesel::delete(ik::table.filter(ik::created_at.lt(to_naive(expired_before))))
                .execute(conn)?;
            diesel::delete(
                ik::table
                    .filter(ik::status.is_null())
                    .filter(ik::created_at.lt(to_naive(abandoned_before))),
            )
            .execute(conn)?;
            // ON CONFLICT DO NOTHING: a concurrent claim of the same key waits
            // for this one (PostgreSQL) or for the write lock (SQLite), then
            // inserts nothing and reads the row that won.
            let inserted = diesel::insert_into(ik::table)
                .values((
                    ik::key_id.eq(key_id),
                    ik::idempotency_key.eq(&request.key),
                    ik::method.eq(&request.method),
                    ik::path.eq(&request.path),
                    ik::body_hash.eq(&request.body_hash),
                    ik::created_at.eq(to_naive(now)),
                ))
                .on_conflict((ik::key_id, ik::idempotency_key))
                .do_nothing()
                .execute(conn)?;
            if inserted == 1 {
                return Ok(Claim::Claimed);
            }
            let row: Row = ik::table
                .find((key_id, &request.key))
                .select((
                    ik::method,
                    ik::path,
                    ik::body_hash,
                    ik::created_at,
                    ik::status,
                    ik::content_type,
                    ik::location,
                    ik::body,
                ))
                .first(conn)?;
            Ok(Claim::Taken(earlier(row)))
        }))
    }

    /// Keeps the answer to a claimed key, for its retries.
    pub fn store_idempotent_response(
        &self,
        key_id: KeyId,
        key: &str,
        response: &StoredResponse,
    ) -> Result<(), DbError> {
        with_conn!(self, conn => diesel::update(ik::table.find((key_id.0, key)))
            .set((
                ik::status.eq(i32::from(response.status)),
                ik::content_type.eq(&response.content_type),
                ik::location.eq(&response.location),
                ik::body.eq(&response.body),
            ))
            .execute(conn)?);
        Ok(())
    }

    /// Frees a claimed key whose request stored nothing worth replaying.
    pub fn release_idempotency_key(&self, key_id: KeyId, key: &str) -> Result<(), DbError> {
        with_conn!(self, conn => diesel::delete(
            ik::table
                .find((key_id.0, key))
                .filter(ik::status.is_null()),
        )
        .execute(conn)?);
        Ok(())
    }
}
