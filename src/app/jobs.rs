//! Background workers for long jobs (schedules). Jobs live in the database,
//! so a restarted service picks up what was queued or left running.

use super::schedule::run_schedule;
use crate::db::Database;
use crate::domain::ScheduleId;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread;

/// A running worker whose heartbeat is older than this is taken to have died.
pub const STALE_AFTER_SECONDS: i64 = 120;

/// Hands job ids to a small pool of threads, off the async runtime.
#[derive(Clone)]
pub struct JobRunner {
    sender: Sender<ScheduleId>,
}

impl JobRunner {
    /// Starts `workers` threads and queues every pending job in the store.
    pub fn start(db: Database, workers: usize) -> Self {
        let (sender, receiver) = channel::<ScheduleId>();
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..workers.max(1) {
            let (db, receiver) = (db.clone(), Arc::clone(&receiver));
            thread::Builder::new()
                .name(format!("schedule-worker-{n}"))
                .spawn(move || work(db, receiver))
                .expect("spawn schedule worker");
        }
        let runner = JobRunner { sender };
        let stale_before = chrono::Utc::now() - chrono::Duration::seconds(STALE_AFTER_SECONDS);
        match db.pending_schedules(stale_before) {
            Ok(ids) => {
                if !ids.is_empty() {
                    tracing::info!(jobs = ids.len(), "resuming pending schedule jobs");
                }
                ids.into_iter().for_each(|id| runner.submit(id));
            }
            Err(e) => tracing::error!(error = %e, "could not read pending schedule jobs"),
        }
        runner
    }

    pub fn submit(&self, id: ScheduleId) {
        if self.sender.send(id).is_err() {
            tracing::error!(
                schedule = id.0,
                "schedule workers are gone; job stays queued"
            );
        }
    }
}

fn work(db: Database, receiver: Arc<Mutex<Receiver<ScheduleId>>>) {
    loop {
        // Hold the lock only to take the next id, not while running it.
        let next = match receiver.lock() {
            Ok(guard) => guard.recv(),
            Err(_) => return,
        };
        let Ok(id) = next else { return };
        if let Err(e) = run_schedule(&db, id) {
            tracing::error!(schedule = id.0, error = %e, "schedule job could not be recorded");
        }
    }
}
