//! Job leases in the store, on SQLite and PostgreSQL: claims, takeover of
//! an expired lease, fenced writes, release and cancel. (Whole instances
//! sharing a database are in tests/instances.rs.)

use crate::common::{queue_with_history, TestApp, TestDb};
use crate::helpers::id_of;
use serde_json::json;
use staffcast::app::schedule::{submit_schedule, ScheduleRequest};
use staffcast::db::schedules::{JobStatus, ScheduleOutcome};
use staffcast::db::{Database, DbError};
use staffcast::domain::{ForecastId, ScheduleId};
use std::time::Duration;

const LEASE: Duration = Duration::from_millis(1500);

/// A store with `n` queued jobs and no worker running; returns it and the ids.
async fn store_with_jobs(db: TestDb, n: usize) -> (TestDb, Database, Vec<ScheduleId>) {
    let app = TestApp::spawn(db).await;
    let q = queue_with_history(&app, true).await;
    let f = id_of(
        &app.create_forecast(q, &json!({"model": "weekly_average", "weeks": 6}))
            .await,
    );
    app.add_agents(q, &json!([{"name": "A", "external_id": "A1"}]))
        .await;
    let db = tokio::task::block_in_place(|| app.stop_and_keep_db());
    let store = db.open();
    let request = ScheduleRequest::new(ForecastId(f as i32), None, 7);
    let ids = (0..n)
        .map(|_| submit_schedule(&store, &request).unwrap().id)
        .collect();
    (db, store, ids)
}

fn status(store: &Database, id: ScheduleId) -> JobStatus {
    store.schedule_run(id).unwrap().unwrap().status
}

async fn an_expired_lease_is_taken_over_and_the_old_writer_fenced_out(db: TestDb) {
    let (_db, store, ids) = store_with_jobs(db, 1).await;
    let id = ids[0];
    let a = store.claim_next_schedule("A", LEASE).unwrap().unwrap();
    assert_eq!(
        (a.lease.id, a.lease.attempt, a.cancel_requested),
        (id, 1, false)
    );
    // Held: nobody else may claim it.
    assert_eq!(store.claim_next_schedule("B", LEASE).unwrap(), None);
    assert!(store
        .report_schedule_progress(&a.lease, 10.0, Some(5.0))
        .unwrap()
        .is_some());
    assert!(store
        .renew_schedule_lease(&a.lease, LEASE)
        .unwrap()
        .is_some());
    tokio::time::sleep(LEASE + Duration::from_millis(500)).await;
    // Taken over by another worker of the same instance: the owner is the
    // same, the claim is not, and the claim is what fences.
    let b = store.claim_next_schedule("A", LEASE).unwrap().unwrap();
    assert_eq!((b.lease.id, b.lease.attempt), (id, 2));
    // Every write of the old lease is refused.
    assert_eq!(
        store
            .report_schedule_progress(&a.lease, 50.0, Some(1.0))
            .unwrap(),
        None
    );
    assert_eq!(store.renew_schedule_lease(&a.lease, LEASE).unwrap(), None);
    let done = ScheduleOutcome {
        status: JobStatus::Done,
        ..ScheduleOutcome::cancelled_before_start()
    };
    for refused in [
        store.finish_schedule(&a.lease, &done, &[]),
        store.fail_schedule(&a.lease, "stale"),
        store.release_schedule(&a.lease),
    ] {
        assert!(matches!(refused, Err(DbError::LeaseLost(_))), "{refused:?}");
    }
    let run = store.schedule_run(id).unwrap().unwrap();
    assert_eq!(
        (run.status, run.progress_percent, run.attempts),
        (JobStatus::Running, 10.0, 2)
    );
    store.finish_schedule(&b.lease, &done, &[]).unwrap();
    assert_eq!(status(&store, id), JobStatus::Done);
    // The same instance re-claiming after its own lease ran out is a new
    // claim too: the first claim's writes stay fenced out.
    assert!(
        store.finish_schedule(&b.lease, &done, &[]).is_err(),
        "finished twice"
    );
    let lease = store.schedule_lease(id).unwrap().unwrap();
    assert_eq!(
        (lease.owner.as_deref(), lease.expires_at),
        (Some("A"), None)
    );
}

async fn release_and_cancel_under_leases(db: TestDb) {
    let (_db, store, ids) = store_with_jobs(db, 3).await;
    let (live, expired, released) = (ids[0], ids[1], ids[2]);
    let live_lease = store
        .claim_schedule(live, "A", Duration::from_secs(60))
        .unwrap()
        .unwrap();
    let expired_lease = store.claim_schedule(expired, "A", LEASE).unwrap().unwrap();
    let released_lease = store.claim_schedule(released, "A", LEASE).unwrap().unwrap();
    // A claimed job is not claimed again by id.
    assert_eq!(store.claim_schedule(live, "B", LEASE).unwrap(), None);

    // Released: queued again, no owner, and the next claim is a new attempt.
    store.release_schedule(&released_lease).unwrap();
    assert_eq!(status(&store, released), JobStatus::Queued);
    assert_eq!(store.schedule_lease(released).unwrap().unwrap().owner, None);
    let again = store
        .claim_schedule(released, "B", Duration::from_secs(60))
        .unwrap()
        .unwrap();
    assert_eq!(again.attempt, 2);

    // A live lease: the cancel is a request its worker sees when it renews.
    store.request_schedule_cancel(live).unwrap();
    assert_eq!(status(&store, live), JobStatus::Running);
    let seen = store
        .renew_schedule_lease(&live_lease, Duration::from_secs(60))
        .unwrap()
        .unwrap();
    assert!(seen.cancel_requested);

    // An expired lease (its worker is gone): cancelled at once, owner cleared.
    tokio::time::sleep(LEASE + Duration::from_millis(500)).await;
    store.request_schedule_cancel(expired).unwrap();
    let run = store.schedule_run(expired).unwrap().unwrap();
    assert_eq!(run.status, JobStatus::Cancelled);
    assert!(run.finished_at.is_some());
    assert_eq!(store.schedule_lease(expired).unwrap().unwrap().owner, None);
    assert_eq!(
        store.renew_schedule_lease(&expired_lease, LEASE).unwrap(),
        None
    );
    // Neither the cancelled job nor those with live leases are claimable.
    assert_eq!(store.claim_next_schedule("C", LEASE).unwrap(), None);
    // Once the live one's lease runs out, whoever takes it over learns of
    // the cancel with the claim (and stores it cancelled, not run).
    store.renew_schedule_lease(&live_lease, LEASE).unwrap();
    tokio::time::sleep(LEASE + Duration::from_millis(500)).await;
    let claim = store.claim_next_schedule("C", LEASE).unwrap().unwrap();
    assert_eq!((claim.lease.id, claim.cancel_requested), (live, true));
}

crate::on_both_databases!(
    an_expired_lease_is_taken_over_and_the_old_writer_fenced_out,
    release_and_cancel_under_leases,
);
