//! Background workers for schedule jobs. Jobs live in the database and any
//! instance may run any of them, so several instances can share one
//! PostgreSQL database.
//!
//! A worker **claims** a job with a **lease**: its instance's random id and
//! an expiry on the database's clock. While the job runs, a second thread
//! renews the lease on a timer (apart from progress, which the search may
//! not report for a while). Every write of the job — progress, roster,
//! outcome, failure — is fenced by the lease (owner and claim count): once
//! another worker holds the job, the old one's writes change nothing, and it
//! stops and discards its result. Workers poll for claimable jobs (queued
//! ones, and running ones whose lease ran out because their worker died or
//! stalled), so a job left by a dead instance is taken over within a lease
//! and a poll, not only when an instance starts.
//!
//! A cancel reaches the worker through its next progress report or lease
//! renewal; on shutdown the workers stop claiming and give their running
//! jobs back to the queue.

use super::schedule::{run_leased, RunEnd};
use super::AppError;
use crate::db::schedules::{Claim, Lease};
use crate::db::Database;
use crate::domain::ScheduleId;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

/// How the workers of one instance run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JobSettings {
    /// Threads that build rosters.
    pub workers: usize,
    /// How long a claim holds a job without renewal. A job whose worker died
    /// is taken over this long after its last renewal (plus a poll).
    pub lease: Duration,
    /// How often a running job's lease is renewed (well under `lease`).
    pub renew_every: Duration,
    /// How often an idle worker looks for claimable jobs.
    pub poll_every: Duration,
}

impl Default for JobSettings {
    fn default() -> Self {
        Self {
            workers: thread::available_parallelism().map_or(2, |n| n.get()),
            lease: Duration::from_secs(30),
            renew_every: Duration::from_secs(10),
            poll_every: Duration::from_secs(5),
        }
    }
}

/// Settings that cannot work together.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JobSettingsError {
    #[error("{name} must be above 0")]
    NotPositive { name: &'static str },
    #[error("the lease renewal ({renew:?}) must come before the lease runs out ({lease:?})")]
    RenewalTooLate { renew: Duration, lease: Duration },
}

impl JobSettings {
    pub fn check(&self) -> Result<(), JobSettingsError> {
        for (name, value) in [
            ("lease", self.lease),
            ("renew_every", self.renew_every),
            ("poll_every", self.poll_every),
        ] {
            if value.is_zero() {
                return Err(JobSettingsError::NotPositive { name });
            }
        }
        if self.workers == 0 {
            return Err(JobSettingsError::NotPositive { name: "workers" });
        }
        if self.renew_every >= self.lease {
            return Err(JobSettingsError::RenewalTooLate {
                renew: self.renew_every,
                lease: self.lease,
            });
        }
        Ok(())
    }
}

/// A random id for this process's workers, the lease owner in the database
/// (the pid in front, for people reading logs).
pub fn new_instance_id() -> String {
    format!("{}-{:08x}", std::process::id(), rand::random::<u32>())
}

/// Why a running job should stop. When several apply the strongest wins:
/// a lost lease forbids every write, a cancel keeps the best roster, a
/// shutdown gives the job back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Stop {
    ShuttingDown = 1,
    CancelRequested = 2,
    LeaseLost = 3,
}

/// What the worker, its lease renewer and the shutdown path share about one
/// running job.
#[derive(Debug, Default)]
pub struct JobControl {
    /// The search's stop flag.
    stop: AtomicBool,
    reason: AtomicU8,
    ended: Mutex<bool>,
    ended_changed: Condvar,
}

impl JobControl {
    /// Asks the search to stop, for `why` (unless a stronger reason is set).
    pub fn stop(&self, why: Stop) {
        self.reason.fetch_max(why as u8, Ordering::SeqCst);
        self.stop.store(true, Ordering::SeqCst);
    }

    pub fn reason(&self) -> Option<Stop> {
        match self.reason.load(Ordering::SeqCst) {
            1 => Some(Stop::ShuttingDown),
            2 => Some(Stop::CancelRequested),
            3 => Some(Stop::LeaseLost),
            _ => None,
        }
    }

    /// The flag the search polls.
    pub fn flag(&self) -> &AtomicBool {
        &self.stop
    }

    fn end(&self) {
        *lock(&self.ended) = true;
        self.ended_changed.notify_all();
    }

    /// Waits `timeout` or until the job ends; true when it has ended.
    fn wait_end(&self, timeout: Duration) -> bool {
        let guard = lock(&self.ended);
        let (guard, _) = self
            .ended_changed
            .wait_timeout_while(guard, timeout, |ended| !*ended)
            .unwrap_or_else(|e| e.into_inner());
        *guard
    }
}

/// A mutex whose holder panicked still guards plain flags and maps.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs a claimed job to its end with its lease renewed meanwhile, and logs
/// how it ended.
fn run_with_lease(
    db: &Database,
    lease: &Lease,
    control: &Arc<JobControl>,
    settings: &JobSettings,
) -> Result<RunEnd, AppError> {
    tracing::info!(
        schedule = lease.id.0,
        attempt = lease.attempt,
        instance = %lease.owner,
        "schedule job started"
    );
    let renewer = {
        let (db, lease, control, settings) =
            (db.clone(), lease.clone(), Arc::clone(control), *settings);
        thread::Builder::new()
            .name(format!("schedule-lease-{}", lease.id.0))
            .spawn(move || renew(&db, &lease, &control, &settings))
    };
    let renewer = match renewer {
        Ok(handle) => Some(handle),
        Err(e) => {
            // Unrenewed, the lease would run out under the search: give
            // the job back instead, as on shutdown.
            tracing::error!(schedule = lease.id.0, error = %e, "cannot start the lease renewal");
            control.stop(Stop::ShuttingDown);
            None
        }
    };
    let end = run_leased(db, lease, control);
    control.end();
    if let Some(renewer) = renewer {
        let _ = renewer.join();
    }
    let (id, attempt) = (lease.id.0, lease.attempt);
    match &end {
        Ok(RunEnd::Finished(status)) => {
            tracing::info!(
                schedule = id,
                attempt,
                status = status.as_str(),
                "schedule job finished"
            )
        }
        Ok(RunEnd::Released) => {
            tracing::info!(schedule = id, attempt, "schedule job released to the queue")
        }
        Ok(RunEnd::LeaseLost) => tracing::warn!(
            schedule = id,
            attempt,
            "schedule job lease lost to another worker: stopped, result discarded"
        ),
        Err(e) => {
            tracing::error!(schedule = id, attempt, error = %e, "schedule job could not be recorded")
        }
    }
    end
}

/// Renews the lease every `renew_every` until the job ends. Passes a cancel
/// request on; stops the job when the lease is gone, or when it could not
/// be renewed for a whole lease (another instance may have it by now).
fn renew(db: &Database, lease: &Lease, control: &JobControl, settings: &JobSettings) {
    let mut renewed = Instant::now();
    while !control.wait_end(settings.renew_every) {
        match db.renew_schedule_lease(lease, settings.lease) {
            Ok(Some(state)) => {
                renewed = Instant::now();
                if state.cancel_requested {
                    control.stop(Stop::CancelRequested);
                }
            }
            Ok(None) => {
                control.stop(Stop::LeaseLost);
                return;
            }
            Err(e) => {
                tracing::warn!(schedule = lease.id.0, error = %e, "lease not renewed");
                if renewed.elapsed() >= settings.lease {
                    control.stop(Stop::LeaseLost);
                    return;
                }
            }
        }
    }
}

/// Runs a job now, on this thread, under a lease of its own (the CLI and
/// the demo, which have no workers). A job another instance claimed first
/// is waited for.
pub fn run_inline(db: &Database, id: ScheduleId, settings: &JobSettings) -> Result<(), AppError> {
    let instance = new_instance_id();
    if let Some(lease) = db.claim_schedule(id, &instance, settings.lease)? {
        run_with_lease(db, &lease, &Arc::new(JobControl::default()), settings)?;
        return Ok(());
    }
    while db
        .schedule_run(id)?
        .is_some_and(|run| !run.status.is_finished())
    {
        thread::sleep(Duration::from_millis(200));
    }
    Ok(())
}

/// The workers of one instance. Cheap to clone; when the last clone is
/// dropped the workers stop as on [`JobRunner::stop`].
#[derive(Clone)]
pub struct JobRunner {
    shared: Arc<Shared>,
    _last: Arc<StopWhenDropped>,
}

struct StopWhenDropped(Arc<Shared>);

impl Drop for StopWhenDropped {
    fn drop(&mut self) {
        self.0.stop();
    }
}

struct Shared {
    db: Database,
    settings: JobSettings,
    instance: String,
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Default)]
struct State {
    stopping: bool,
    /// Submissions not yet seen by a worker.
    wakes: usize,
    running: HashMap<ScheduleId, Arc<JobControl>>,
    /// Worker threads still in their loop.
    workers: usize,
}

impl JobRunner {
    /// Starts the workers; they claim whatever is claimable at once, then poll.
    pub fn start(db: Database, settings: JobSettings) -> Self {
        let shared = Arc::new(Shared {
            db,
            settings,
            instance: new_instance_id(),
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
        });
        tracing::info!(
            instance = %shared.instance,
            workers = settings.workers,
            lease_seconds = settings.lease.as_secs_f64(),
            renew_seconds = settings.renew_every.as_secs_f64(),
            poll_seconds = settings.poll_every.as_secs_f64(),
            "schedule workers started"
        );
        for n in 0..settings.workers.max(1) {
            let worker = Arc::clone(&shared);
            lock(&shared.state).workers += 1;
            let spawned = thread::Builder::new()
                .name(format!("schedule-worker-{n}"))
                .spawn(move || work(&worker));
            if let Err(e) = spawned {
                lock(&shared.state).workers -= 1;
                tracing::error!(error = %e, "could not start a schedule worker");
            }
        }
        JobRunner {
            _last: Arc::new(StopWhenDropped(Arc::clone(&shared))),
            shared,
        }
    }

    /// This instance's id: the lease owner of the jobs it runs.
    pub fn instance_id(&self) -> &str {
        &self.shared.instance
    }

    /// A job was queued: wakes a worker now rather than at its next poll.
    pub fn submit(&self, _id: ScheduleId) {
        lock(&self.shared.state).wakes += 1;
        self.shared.changed.notify_one();
    }

    /// Stops claiming jobs and asks the running ones to stop; their workers
    /// give them back to the queue (a job whose result is ready is stored).
    pub fn stop(&self) {
        self.shared.stop();
    }

    /// Waits until every worker has ended, at most `timeout`; true if all did.
    pub fn wait_stopped(&self, timeout: Duration) -> bool {
        let state = lock(&self.shared.state);
        let (state, _) = self
            .shared
            .changed
            .wait_timeout_while(state, timeout, |s| s.workers > 0)
            .unwrap_or_else(|e| e.into_inner());
        state.workers == 0
    }
}

impl Shared {
    fn stop(&self) {
        let mut state = lock(&self.state);
        if !state.stopping {
            state.stopping = true;
            for control in state.running.values() {
                control.stop(Stop::ShuttingDown);
            }
        }
        drop(state);
        self.changed.notify_all();
    }

    /// Waits for a submission, a stop, or the next poll.
    fn wait_for_work(&self) {
        let state = lock(&self.state);
        let (mut state, _) = self
            .changed
            .wait_timeout_while(state, self.settings.poll_every, |s| {
                !s.stopping && s.wakes == 0
            })
            .unwrap_or_else(|e| e.into_inner());
        state.wakes = state.wakes.saturating_sub(1);
    }

    fn run_claim(&self, claim: Claim) {
        let id = claim.lease.id;
        let control = Arc::new(JobControl::default());
        if claim.cancel_requested {
            control.stop(Stop::CancelRequested);
        }
        {
            // Registered under the lock, so a stop cannot miss it.
            let mut state = lock(&self.state);
            if state.stopping {
                control.stop(Stop::ShuttingDown);
            }
            state.running.insert(id, Arc::clone(&control));
        }
        let _ = run_with_lease(&self.db, &claim.lease, &control, &self.settings);
        lock(&self.state).running.remove(&id);
    }
}

fn work(shared: &Shared) {
    while !lock(&shared.state).stopping {
        match shared
            .db
            .claim_next_schedule(&shared.instance, shared.settings.lease)
        {
            // Straight on to the next one: there may be more waiting.
            Ok(Some(claim)) => {
                shared.run_claim(claim);
                continue;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "could not look for schedule jobs"),
        }
        shared.wait_for_work();
    }
    lock(&shared.state).workers -= 1;
    shared.changed.notify_all();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_must_renew_before_the_lease_runs_out() {
        assert_eq!(JobSettings::default().check(), Ok(()));
        let late = JobSettings {
            renew_every: Duration::from_secs(30),
            ..JobSettings::default()
        };
        assert!(matches!(
            late.check(),
            Err(JobSettingsError::RenewalTooLate { .. })
        ));
        let never = JobSettings {
            poll_every: Duration::ZERO,
            ..JobSettings::default()
        };
        assert_eq!(
            never.check(),
            Err(JobSettingsError::NotPositive { name: "poll_every" })
        );
    }

    #[test]
    fn the_strongest_stop_reason_wins() {
        let c = JobControl::default();
        assert_eq!(c.reason(), None);
        c.stop(Stop::CancelRequested);
        c.stop(Stop::ShuttingDown);
        assert_eq!(c.reason(), Some(Stop::CancelRequested));
        c.stop(Stop::LeaseLost);
        assert_eq!(c.reason(), Some(Stop::LeaseLost));
        assert!(c.flag().load(Ordering::SeqCst));
    }

    #[test]
    fn instance_ids_differ() {
        assert_ne!(new_instance_id(), new_instance_id());
    }
}
