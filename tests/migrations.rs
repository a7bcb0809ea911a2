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
