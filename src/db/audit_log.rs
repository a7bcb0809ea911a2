//! The audit log: one row per write made with a valid key.

use super::schema::audit_log;
use super::{to_naive, to_utc, with_conn, Database, DbError};
use crate::auth::KeyId;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// What one write did: who, which route and target, and what it answered.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AuditRecord {
    pub at: DateTime<Utc>,
    pub key_id: KeyId,
    pub method: String,
    /// The route's pattern (`/api/v1/agents/{id}`), or `*` for no route.
    pub route: String,
    /// The path as requested (`/api/v1/agents/7`).
    pub path: String,
    /// The route's path parameters (`{"id": "7"}`): the target's ids.
    pub params: BTreeMap<String, String>,
    pub status: u16,
}

/// A stored record, served as `{id, at, key_id, method, route, path, params, status}`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i32,
    #[serde(flatten)]
    pub record: AuditRecord,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = audit_log)]
struct Row {
    id: i32,
    at: NaiveDateTime,
    key_id: i32,
    method: String,
    route: String,
    path: String,
    params: String,
    status: i32,
}

impl Row {
    fn into_entry(self) -> Result<AuditEntry, DbError> {
        let corrupt = |what: String| DbError::Corrupt(format!("audit entry {}: {what}", self.id));
        let params =
            serde_json::from_str(&self.params).map_err(|e| corrupt(format!("params: {e}")))?;
        let status =
            u16::try_from(self.status).map_err(|_| corrupt(format!("status {}", self.status)))?;
        Ok(AuditEntry {
            id: self.id,
            record: AuditRecord {
                at: to_utc(self.at),
                key_id: KeyId(self.key_id),
                method: self.method,
                route: self.route,
                path: self.path,
                params,
                status,
            },
        })
    }
}

impl Database {
    pub fn insert_audit_record(&self, record: &AuditRecord) -> Result<i32, DbError> {
        let params = serde_json::to_string(&record.params)
            .map_err(|e| DbError::Corrupt(format!("audit params: {e}")))?;
        Ok(
            with_conn!(self, conn => diesel::insert_into(audit_log::table)
            .values((
                audit_log::at.eq(to_naive(record.at)),
                audit_log::key_id.eq(record.key_id.0),
                audit_log::method.eq(&record.method),
                audit_log::route.eq(&record.route),
                audit_log::path.eq(&record.path),
                audit_log::params.eq(&params),
                audit_log::status.eq(i32::from(record.status)),
            ))
            .returning(audit_log::id)
            .get_result(conn)?),
        )
    }

    /// Newest first: at most `limit` entries with an id below `before`
    /// (when given), of one key (when given).
    pub fn audit_entries(
        &self,
        key: Option<KeyId>,
        before: Option<i32>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, DbError> {
        let rows: Vec<Row> = with_conn!(self, conn => {
            let mut query = audit_log::table
                .select(Row::as_select())
                .order(audit_log::id.desc())
                .limit(limit)
                .into_boxed();
            if let Some(key) = key {
                query = query.filter(audit_log::key_id.eq(key.0));
            }
            if let Some(before) = before {
                query = query.filter(audit_log::id.lt(before));
            }
            query.load(conn)?
        });
        rows.into_iter().map(Row::into_entry).collect()
    }
}
