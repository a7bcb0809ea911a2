//! API keys, stored by the SHA-256 of their secret (never the secret).

use super::schema::api_keys;
use super::{to_naive, to_utc, with_conn, Database, DbError};
use crate::auth::{KeyHash, KeyId, Role};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

/// A key as listed: never its secret or its hash.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StoredKey {
    pub id: KeyId,
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = api_keys)]
struct Row {
    id: i32,
    name: String,
    role: String,
    created_at: NaiveDateTime,
    revoked_at: Option<NaiveDateTime>,
    last_used_at: Option<NaiveDateTime>,
}

impl Row {
    fn into_stored(self) -> Result<StoredKey, DbError> {
        let role = self
            .role
            .parse()
            .map_err(|e| DbError::Corrupt(format!("api key {}: {e}", self.id)))?;
        Ok(StoredKey {
            id: KeyId(self.id),
            name: self.name,
            role,
            created_at: to_utc(self.created_at),
            revoked_at: self.revoked_at.map(to_utc),
            last_used_at: self.last_used_at.map(to_utc),
        })
    }
}

impl Database {
    pub fn insert_api_key(
        &self,
        name: &str,
        role: Role,
        hash: &KeyHash,
        now: DateTime<Utc>,
    ) -> Result<StoredKey, DbError> {
        let id: i32 = with_conn!(self, conn => diesel::insert_into(api_keys::table)
            .values((
                api_keys::name.eq(name),
                api_keys::role.eq(role.as_str()),
                api_keys::key_hash.eq(hash.as_str()),
                api_keys::created_at.eq(to_naive(now)),
            ))
            .returning(api_keys::id)
            .get_result(conn)?);
        self.api_key(KeyId(id))?
            .ok_or_else(|| DbError::Corrupt(format!("api key {id} vanished after insert")))
    }

    pub fn api_key(&self, id: KeyId) -> Result<Option<StoredKey>, DbError> {
        let row: Option<Row> = with_conn!(self, conn => api_keys::table
            .find(id.0)
            .select(Row::as_select())
            .first(conn)
            .optional()?);
        row.map(Row::into_stored).transpose()
    }

    /// The key with this hash, revoked or not (the caller decides).
    pub fn api_key_by_hash(&self, hash: &KeyHash) -> Result<Option<StoredKey>, DbError> {
        let row: Option<Row> = with_conn!(self, conn => api_keys::table
            .filter(api_keys::key_hash.eq(hash.as_str()))
            .select(Row::as_select())
            .first(conn)
            .optional()?);
        row.map(Row::into_stored).transpose()
    }

    /// Every key, oldest first.
    pub fn api_keys(&self) -> Result<Vec<StoredKey>, DbError> {
        let rows: Vec<Row> = with_conn!(self, conn => api_keys::table
            .order(api_keys::id)
            .select(Row::as_select())
            .load(conn)?);
        rows.into_iter().map(Row::into_stored).collect()
    }

    /// Marks a key revoked at `at` unless it already is (the first
    /// revocation time stays); `None` when there is no such key.
    pub fn revoke_api_key(
        &self,
        id: KeyId,
        at: DateTime<Utc>,
    ) -> Result<Option<StoredKey>, DbError> {
        with_conn!(self, conn => diesel::update(
            api_keys::table
                .find(id.0)
                .filter(api_keys::revoked_at.is_null()),
        )
        .set(api_keys::revoked_at.eq(Some(to_naive(at))))
        .execute(conn)?);
        self.api_key(id)
    }

    /// Records that a key was just used.
    pub fn touch_api_key(&self, id: KeyId, at: DateTime<Utc>) -> Result<(), DbError> {
        with_conn!(self, conn => diesel::update(api_keys::table.find(id.0))
            .set(api_keys::last_used_at.eq(Some(to_naive(at))))
            .execute(conn)?);
        Ok(())
    }

    /// Keys not revoked, of any role.
    pub fn active_api_keys(&self) -> Result<i64, DbError> {
        Ok(with_conn!(self, conn => api_keys::table
            .filter(api_keys::revoked_at.is_null())
            .count()
            .get_result(conn)?))
    }
}
