//! Storage through diesel: SQLite (embedded default) or PostgreSQL, chosen
//! from the URL scheme by our own code, with migrations compiled in.
//!
//! Each query is written once and compiled for both backends by
//! [`with_conn!`], which hands the body a concrete connection. That keeps
//! batch inserts, upserts and `RETURNING` available on both (diesel's
//! `MultiConnection` cannot express them).

pub mod agents;
pub mod api_keys;
pub mod audit_log;
pub mod call_records;
pub mod capacity_plans;
pub mod fitted_models;
pub mod forecast_adjustments;
pub mod forecasts;
pub mod history;
pub mod idempotency;
pub mod publications;
pub mod queues;
pub mod schedules;
mod schema;
pub mod special_days;
pub mod workspace_sessions;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::time::Duration;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// The default database: a SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "staffcast.db";

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database URL '{0}': {1}")]
    BadUrl(String, String),
    #[error("could not get a database connection: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("migrations failed: {0}")]
    Migration(String),
    #[error("{0}")]
    Conflict(String),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    /// A write of a running job by a worker whose lease was taken over (or
    /// released, or cancelled outright): refused, nothing written.
    #[error("schedule {0}: the worker's lease is no longer held")]
    LeaseLost(i32),
    #[error("database error: {0}")]
    Query(#[from] diesel::result::Error),
}

/// Which engine a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// A file path (`staffcast.db`, `sqlite:///abs/path.db`, `sqlite://rel.db`).
    Sqlite(String),
    Postgres(String),
}

impl Backend {
    /// Reads the scheme ourselves so a mistyped PostgreSQL URL is an error,
    /// never silently a new SQLite file named after it.
    pub fn from_url(url: &str) -> Result<Self, DbError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(DbError::BadUrl(url.into(), "empty".into()));
        }
        match url.split_once("://") {
            Some(("postgres" | "postgresql", _)) => Ok(Backend::Postgres(url.to_string())),
            Some(("sqlite", path)) if !path.is_empty() => Ok(Backend::Sqlite(path.to_string())),
            Some((scheme, _)) => Err(DbError::BadUrl(
                url.into(),
                format!("unsupported scheme '{scheme}' (use postgres://… or a SQLite file path)"),
            )),
            None if looks_like_scheme(url) => Err(DbError::BadUrl(
                url.into(),
                "looks like a URL without '://' (use postgres://… or a SQLite file path)".into(),
            )),
            None => Ok(Backend::Sqlite(url.to_string())),
        }
    }
}

/// `postgres:host/db` or `sqlite:x.db`: a colon before any slash.
fn looks_like_scheme(url: &str) -> bool {
    match (url.find(':'), url.find('/')) {
        (Some(colon), Some(slash)) => colon < slash,
        (Some(_), None) => true,
        _ => false,
    }
}

#[derive(Clone)]
pub enum DbPool {
    Sqlite(Pool<ConnectionManager<SqliteConnection>>),
    Postgres(Pool<ConnectionManager<PgConnection>>),
}

/// The store: a connection pool for one backend. Cheap to clone.
#[derive(Clone)]
pub struct Database {
    pub pool: DbPool,
}

/// Runs `$body` with `$conn` bound to a pooled connection of the concrete
/// backend type, so one body compiles against both.
#[macro_export]
macro_rules! with_conn {
    ($db:expr, $conn:ident => $body:expr) => {
        match &$db.pool {
            $crate::db::DbPool::Sqlite(pool) => {
                let $conn = &mut *pool.get()?;
                $body
            }
            $crate::db::DbPool::Postgres(pool) => {
                let $conn = &mut *pool.get()?;
                $body
            }
        }
    };
}
pub(crate) use with_conn;

/// A transaction that writes. On SQLite it starts with `BEGIN IMMEDIATE`:
/// a deferred transaction that reads first and then writes must upgrade its
/// read lock, and SQLite fails that upgrade at once ("database is locked")
/// when another writer got in between, busy_timeout or not. Taking the write
/// lock up front makes concurrent writers queue on busy_timeout instead.
/// PostgreSQL: an ordinary transaction (row locks, no such upgrade).
pub(crate) trait WriteTransaction: Connection {
    fn write_transaction<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Self) -> Result<T, E>,
        E: From<diesel::result::Error>;
}

impl WriteTransaction for SqliteConnection {
    fn write_transaction<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Self) -> Result<T, E>,
        E: From<diesel::result::Error>,
    {
        self.immediate_transaction(f)
    }
}

impl WriteTransaction for PgConnection {
    fn write_transaction<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Self) -> Result<T, E>,
        E: From<diesel::result::Error>,
    {
        self.transaction(f)
    }
}

/// Instants on the database's clock, as the naive UTC timestamps the
/// tables store. Leases are measured on this one clock, so instances whose
/// own clocks disagree still agree on when a lease runs out.
pub(crate) trait DbClock {
    /// SQL for `now + offset` (the offset is ours, never user input).
    fn clock_sql(offset: Duration) -> String;
}

impl DbClock for SqliteConnection {
    fn clock_sql(offset: Duration) -> String {
        // Milliseconds, in the text form diesel reads back as a timestamp.
        format!(
            "strftime('%Y-%m-%d %H:%M:%f', 'now', '+{:.3} seconds')",
            offset.as_secs_f64()
        )
    }
}

impl DbClock for PgConnection {
    fn clock_sql(offset: Duration) -> String {
        format!(
            "(timezone('UTC', now()) + interval '{:.3} seconds')",
            offset.as_secs_f64()
        )
    }
}

#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        // WAL lets readers run beside a writer; busy_timeout makes writers queue, not fail.
        conn.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

impl Database {
    /// Connects, checks the database answers, and applies pending migrations.
    pub fn open(url: &str) -> Result<Self, DbError> {
        let db = match Backend::from_url(url)? {
            Backend::Sqlite(path) => {
                let pool = Pool::builder()
                    .max_size(8)
                    .connection_timeout(Duration::from_secs(10))
                    .connection_customizer(Box::new(SqlitePragmas))
                    .build(ConnectionManager::<SqliteConnection>::new(path))?;
                Database {
                    pool: DbPool::Sqlite(pool),
                }
            }
            Backend::Postgres(url) => {
                // Fail fast with the server's own message rather than a pool timeout.
                let mut conn = PgConnection::establish(&url)
                    .map_err(|e| DbError::BadUrl(redact(&url), e.to_string()))?;
                migrate_postgres(&mut conn)?;
                drop(conn);
                let pool = Pool::builder()
                    .max_size(10)
                    .connection_timeout(Duration::from_secs(5))
                    .build(ConnectionManager::<PgConnection>::new(url))?;
                Database {
                    pool: DbPool::Postgres(pool),
                }
            }
        };
        if let DbPool::Sqlite(pool) = &db.pool {
            pool.get()?
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map_err(|e| DbError::Migration(e.to_string()))?;
        }
        Ok(db)
    }

    pub fn backend_name(&self) -> &'static str {
        match self.pool {
            DbPool::Sqlite(_) => "sqlite",
            DbPool::Postgres(_) => "postgres",
        }
    }

    /// True when the database answers a trivial query.
    /// Also false (an error) when the schema is not this version's: a
    /// database emptied or replaced under a running server answers
    /// `SELECT 1` but cannot serve a single route.
    pub fn ping(&self) -> Result<(), DbError> {
        use diesel::migration::MigrationSource;
        use diesel::RunQueryDsl;
        let expected = match &self.pool {
            DbPool::Sqlite(_) => {
                MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS)
                    .map(|m| m.len())
            }
            DbPool::Postgres(_) => {
                MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES_MIGRATIONS).map(|m| m.len())
            }
        }
        .map_err(|e| DbError::Migration(e.to_string()))? as i64;
        let applied: Vec<MigrationCount> = with_conn!(self, conn => diesel::sql_query(
            "SELECT COUNT(*) AS n FROM __diesel_schema_migrations"
        )
        .load(conn)
        .map_err(|e| DbError::Migration(format!("the schema is missing: {e}")))?);
        let applied = applied.first().map_or(0, |c| c.n);
        if applied < expected {
            return Err(DbError::Migration(format!(
                "the schema has {applied} of {expected} migrations"
            )));
        }
        Ok(())
    }
}

#[derive(diesel::QueryableByName)]
struct MigrationCount {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Key of the PostgreSQL advisory lock held while migrating ("StaffMig").
pub const MIGRATION_LOCK: i64 = 0x5374_6166_664d_6967;

/// Applies pending migrations under a session advisory lock: instances
/// starting at once on an empty database would otherwise all create
/// diesel's bookkeeping table and the first tables, and all but one die.
/// The others wait, then find nothing pending. On its own connection, so
/// closing it releases the lock whatever happened.
fn migrate_postgres(conn: &mut PgConnection) -> Result<(), DbError> {
    conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
    let applied = conn
        .run_pending_migrations(POSTGRES_MIGRATIONS)
        .map(|_| ())
        .map_err(|e| DbError::Migration(e.to_string()));
    conn.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))?;
    applied
}

/// Hides a password in a URL before it reaches a log or an error.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => {
                    format!("{}://{}:***@{}", &url[..scheme_end], user, &url[at + 1..])
                }
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

pub(crate) fn to_naive(t: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDateTime {
    t.naive_utc()
}

pub(crate) fn to_utc(t: chrono::NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_naive_utc_and_offset(t, chrono::Utc)
}

/// Rows per INSERT statement: well under SQLite's 32,766 bound variables.
pub(crate) const BATCH_ROWS: usize = 1000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_comes_from_the_scheme() {
        assert_eq!(
            Backend::from_url("staffcast.db").unwrap(),
            Backend::Sqlite("staffcast.db".into())
        );
        assert_eq!(
            Backend::from_url("sqlite:///tmp/x.db").unwrap(),
            Backend::Sqlite("/tmp/x.db".into())
        );
        assert!(matches!(
            Backend::from_url("postgres://127.0.0.1/test").unwrap(),
            Backend::Postgres(_)
        ));
        assert!(matches!(
            Backend::from_url("postgresql://127.0.0.1/test").unwrap(),
            Backend::Postgres(_)
        ));
        for wrong in [
            "postgress://127.0.0.1/test",
            "mysql://x",
            "postgres:127.0.0.1",
            "",
        ] {
            assert!(
                Backend::from_url(wrong).is_err(),
                "{wrong} should be refused"
            );
        }
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
