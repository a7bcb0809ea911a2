//! The workspace's browser sessions and one-time login links, stored by
//! the SHA-256 of their secret (never the secret).

use super::schema::workspace_sessions as ws;
use super::{to_naive, with_conn, Database, DbError};
use crate::auth::{KeyHash, KeyId};
use chrono::{DateTime, Utc};
use diesel::prelude::*;

/// What a stored secret opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// A signed-in browser (the cookie).
    Session,
    /// A one-time link that opens a session (`/login?token=`).
    Link,
}

impl SecretKind {
    fn as_str(self) -> &'static str {
        match self {
            SecretKind::Session => "session",
            SecretKind::Link => "link",
        }
    }
}

impl Database {
    pub fn insert_workspace_secret(
        &self,
        kind: SecretKind,
        hash: &KeyHash,
        key: KeyId,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<(), DbError> {
        with_conn!(self, conn => diesel::insert_into(ws::table)
            .values((
                ws::kind.eq(kind.as_str()),
                ws::secret_hash.eq(hash.as_str()),
                ws::key_id.eq(key.0),
                ws::created_at.eq(to_naive(now)),
                ws::expires_at.eq(to_naive(expires)),
            ))
            .execute(conn)?);
        Ok(())
    }

    /// The key behind a live (unexpired) secret of `kind`.
    pub fn workspace_secret_key(
        &self,
        kind: SecretKind,
        hash: &KeyHash,
        now: DateTime<Utc>,
    ) -> Result<Option<KeyId>, DbError> {
        let id: Option<i32> = with_conn!(self, conn => ws::table
            .filter(ws::kind.eq(kind.as_str()))
            .filter(ws::secret_hash.eq(hash.as_str()))
            .filter(ws::expires_at.gt(to_naive(now)))
            .select(ws::key_id)
            .first(conn)
            .optional()?);
        Ok(id.map(KeyId))
    }

    /// Deletes a secret of `kind` and tells whose it was, if it was live:
    /// a link is used this way, so two uses cannot both succeed.
    pub fn take_workspace_secret(
        &self,
        kind: SecretKind,
        hash: &KeyHash,
        now: DateTime<Utc>,
    ) -> Result<Option<KeyId>, DbError> {
        let rows: Vec<(i32, chrono::NaiveDateTime)> = with_conn!(self, conn => diesel::delete(
            ws::table
                .filter(ws::kind.eq(kind.as_str()))
                .filter(ws::secret_hash.eq(hash.as_str())),
        )
        .returning((ws::key_id, ws::expires_at))
        .get_results(conn)?);
        Ok(rows
            .into_iter()
            .find(|(_, expires)| *expires > to_naive(now))
            .map(|(key, _)| KeyId(key)))
    }

    /// Forgets every secret that expired before `now`.
    pub fn purge_workspace_secrets(&self, now: DateTime<Utc>) -> Result<usize, DbError> {
        Ok(with_conn!(self, conn => diesel::delete(
            ws::table.filter(ws::expires_at.le(to_naive(now))),
        )
        .execute(conn)?))
    }
}
