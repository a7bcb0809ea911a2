#![allow(clippy::unwrap_used)] // benchmark harness: a failed unwrap is a failed run
//! Import rate of a year of 15-minute history (35,040 rows) on SQLite and
//! PostgreSQL, against parsing alone as the baseline in the same run.
//! Run: `cargo bench --bench import` (PostgreSQL from STAFFCAST_TEST_PG_URL,
//! default postgres://postgres@127.0.0.1:5432/test; a database is created
//! and dropped).

use diesel::{Connection, PgConnection, RunQueryDsl};
use staffcast::db::Database;
use staffcast::domain::history::{parse_history_csv, OffGrid};
use staffcast::domain::{Channel, QueueSpec, ServiceGoal};
use std::time::Instant;

fn year_csv() -> String {
    let start: chrono::DateTime<chrono::Utc> = "2025-01-01T00:00:00Z".parse().unwrap();
    let mut out = String::from("interval_start,volume,aht_seconds\n");
    for i in 0..35_040i64 {
        let t = start + chrono::Duration::minutes(15 * i);
        out.push_str(&format!(
            "{},{},{}\n",
            t.to_rfc3339(),
            (i * 7919) % 41,
            150 + (i * 31) % 90
        ));
    }
    out
}

fn measure(label: &str, db: &Database, csv: &str) {
    let spec = QueueSpec::new(
        &format!("bench-{}", std::process::id()),
        Channel::Voice,
        15,
        "UTC",
        ServiceGoal::new(0.8, 20.0, None, None).unwrap(),
        0.3,
        0.85,
    )
    .unwrap();
    let queue = db.create_queue(&spec).unwrap();
    for pass in ["insert", "update"] {
        let t = Instant::now();
        let summary = staffcast::app::history::import_history(
            db,
            queue.id,
            csv.as_bytes(),
            staffcast::app::history::HistoryFormat::Csv,
        )
        .unwrap();
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{label:<10} {pass:<7} {:>6} rows in {:>7.3} s = {:>9.0} rows/s",
            summary.rows,
            secs,
            summary.rows as f64 / secs
        );
    }
}

fn main() {
    let csv = year_csv();
    let grid = staffcast::domain::Grid::new(15, chrono_tz::UTC);
    let t = Instant::now();
    let parsed = parse_history_csv(csv.as_bytes(), &grid, OffGrid::Reject).unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{:<10} {:<7} {:>6} rows in {:>7.3} s = {:>9.0} rows/s",
        "baseline",
        "parse",
        parsed.rows.len(),
        secs,
        parsed.rows.len() as f64 / secs
    );

    let dir = tempfile::tempdir().unwrap();
    let sqlite = Database::open(dir.path().join("bench.db").to_str().unwrap()).unwrap();
    measure("sqlite", &sqlite, &csv);

    let admin = std::env::var("STAFFCAST_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let name = format!("staffcast_bench_{}", std::process::id());
    let mut conn = PgConnection::establish(&admin).expect("PostgreSQL for the benchmark");
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .unwrap();
    let base = admin.rsplit_once('/').unwrap().0;
    {
        let pg = Database::open(&format!("{base}/{name}")).unwrap();
        measure("postgres", &pg, &csv);
    }
    diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut conn)
        .unwrap();
}
