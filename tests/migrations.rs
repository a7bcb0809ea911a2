//! Every migration runs down and up again cleanly on both databases.

mod common;

use common::TestDb;
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};
use staffcast::db::{POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};

fn roundtrip<DB, C>(conn: &mut C, migrations: fn() -> EmbeddedMigrations)
where
    DB: diesel::backend::Backend,
    C: MigrationHarness<DB>,
{
    let applied = conn.run_pending_migrations(migrations()).expect("up").len();
    assert!(applied >= 1, "no migrations found");
    conn.revert_all_migrations(migrations()).expect("down");
    assert_eq!(conn.applied_migrations().expect("list").len(), 0);
    let again = conn
        .run_pending_migrations(migrations())
        .expect("up again")
        .len();
    assert_eq!(applied, again);
}

#[test]
fn sqlite_migrations_run_down_and_up() {
    let db = TestDb::sqlite();
    let mut conn = SqliteConnection::establish(db.url()).unwrap();
    roundtrip(&mut conn, || SQLITE_MIGRATIONS);
    // The app opens the migrated file without error.
    db.open().ping().unwrap();
}

#[test]
fn postgres_migrations_run_down_and_up() {
    let db = TestDb::postgres_empty();
    let mut conn = PgConnection::establish(db.url()).unwrap();
    roundtrip(&mut conn, || POSTGRES_MIGRATIONS);
    db.open().ping().unwrap();
}

/// PostgreSQL test databases are copies of one migrated template: a copy
/// has every migration applied and none pending, and is writable.
#[test]
fn postgres_test_databases_start_fully_migrated() {
    let db = TestDb::postgres();
    let mut conn = PgConnection::establish(db.url()).unwrap();
    let steps = std::fs::read_dir(format!(
        "{}/migrations/postgres",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .count();
    assert_eq!(conn.applied_migrations().expect("list").len(), steps);
    assert!(!conn
        .has_pending_migration(POSTGRES_MIGRATIONS)
        .expect("check pending"));
    // A second copy is a separate database, and both open as the app's store.
    let other = TestDb::postgres();
    assert_ne!(db.url(), other.url());
    db.open().ping().unwrap();
    other.open().ping().unwrap();
}

#[test]
fn both_migration_sets_have_the_same_steps() {
    let names = |dir: &str| {
        let mut v: Vec<String> =
            std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
        v.sort();
        v
    };
    assert_eq!(names("sqlite"), names("postgres"));
}

#[derive(diesel::QueryableByName)]
struct Days {
    #[diesel(sql_type = diesel::sql_types::Text)]
    days: String,
}

/// A schedule stored before publishing existed gets its first and last
/// local day from its params when the publishing migration runs.
fn schedule_days_are_backfilled<DB, C>(
    conn: &mut C,
    migrations: fn() -> EmbeddedMigrations,
    day_sql: &str,
) where
    DB: diesel::backend::Backend + 'static,
    C: MigrationHarness<DB> + Connection<Backend = DB> + diesel::connection::LoadConnection,
    diesel::query_builder::SqlQuery: diesel::query_builder::QueryFragment<DB>,
    Days: diesel::deserialize::QueryableByName<DB>,
{
    use diesel::RunQueryDsl;
    conn.run_pending_migrations(migrations()).expect("up");
    // Back to just before the publishing migration (later ones go too).
    while conn
        .revert_last_migration(migrations())
        .expect("down")
        .to_string()
        != "20261211000015"
    {}
    for sql in [
        "INSERT INTO queues (name, channel, interval_minutes, time_zone, service_level, answer_within_seconds, shrinkage, max_occupancy, created_at) \
         VALUES ('q', 'voice', 15, 'Europe/Paris', 0.8, 20, 0.3, 0.85, '2026-02-01 00:00:00')",
        "INSERT INTO forecast_runs (queue_id, created_at, window_from, window_to, model, params, history_rows, history_end, goal) \
         VALUES (1, '2026-02-01 00:00:00', '2026-02-15 23:00:00', '2026-03-01 23:00:00', 'weekly_average', '{}', 0, '2026-02-15 23:00:00', '{}')",
        "INSERT INTO schedule_runs (queue_id, forecast_id, status, week_start, days, params, created_at, rostered_hours, coverage_percent, warnings) \
         VALUES (1, 1, 'done', '2026-02-20 23:00:00', 4, '{\"forecast_id\":1,\"first_day\":\"2026-02-21\",\"days\":4}', '2026-02-01 00:00:00', 0, 0, '[]')",
    ] {
        diesel::sql_query(sql).execute(conn).expect(sql);
    }
    conn.run_pending_migrations(migrations()).expect("up again");
    let got: Vec<Days> = diesel::sql_query(day_sql).load(conn).expect("read days");
    assert_eq!(got[0].days, "2026-02-21 2026-02-24");
}

#[test]
fn sqlite_schedule_days_are_backfilled() {
    let db = TestDb::sqlite();
    let mut conn = SqliteConnection::establish(db.url()).unwrap();
    schedule_days_are_backfilled(
        &mut conn,
        || SQLITE_MIGRATIONS,
        "SELECT first_day || ' ' || last_day AS days FROM schedule_runs",
    );
}

#[test]
fn postgres_schedule_days_are_backfilled() {
    let db = TestDb::postgres_empty();
    let mut conn = PgConnection::establish(db.url()).unwrap();
    schedule_days_are_backfilled(
        &mut conn,
        || POSTGRES_MIGRATIONS,
        "SELECT CAST(first_day AS TEXT) || ' ' || CAST(last_day AS TEXT) AS days FROM schedule_runs",
    );
}
