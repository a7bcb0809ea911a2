//! Replay real calls against a roster: what service would these agents
//! have given to the calls that really came?
//!
//! # The model
//! One FIFO queue run by the discrete-event simulator ([`super::des`]),
//! with the roster's agents on the phones per interval. Every recorded call
//! arrives at its real time. Each call needs a talk time and a patience:
//! - **talk time**: an answered call keeps its own; an abandoned call's is
//!   unknown and is drawn (uniformly, with replacement) from the answered
//!   calls' talk times of the same replay.
//! - **patience**: an abandoned call showed it (its recorded wait). An
//!   answered call only showed that its patience exceeded its wait (right-
//!   censored), so it is drawn from the Kaplan–Meier curve of all the
//!   replayed calls' waits (abandoned = event, answered = censored)
//!   conditioned on exceeding that wait; beyond the curve's last event time
//!   the tail is exponential at the censored-exponential rate θ̂ = hang-ups
//!   / total time waited ([`KaplanMeier::quantile_beyond`]).
//!
//! A call is then answered under the replayed roster if an agent frees up
//! before its patience runs out, whatever really happened to it.
//!
//! # What is measured (by arrival interval)
//! `offered` is the real number of calls; `answered`, `abandoned` and
//! `answered_within_target` are means over the replications;
//! `service_level = answered within the target / offered` (abandoned calls
//! count as not answered in time: the definition of `/check` and
//! `/simulate`), `abandon_rate = abandoned / offered`, `asa_seconds` the
//! mean wait of answered calls. `observed` is what the records say really
//! happened, under whatever staffing the centre really had.
//!
//! Seeded and deterministic: replication `r` draws with seed `seed + r`
//! (ChaCha8); the same calls, roster and seed give the same result.
//! Cost: `O(replications · calls · log agents)`.

use super::des::{simulate, ArrivalSource, Dist, SimError, SimulationInput};
use super::survival::{kaplan_meier, KaplanMeier};
use crate::domain::calls::{CallOutcome, CallRecord};
use chrono::{DateTime, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// A roster's agents over a window, and the calls to replay against them.
#[derive(Debug, Clone, Copy)]
pub struct ReplayInput<'a> {
    /// Start of interval 0.
    pub start: DateTime<Utc>,
    pub interval_seconds: f64,
    /// Agents taking calls in each interval (breaks and shrinkage already
    /// off); its length is the window.
    pub agents_per_interval: &'a [u32],
    /// Every call arriving in the window, in any order.
    pub calls: &'a [CallRecord],
    /// The service-level target ("answered within").
    pub target_seconds: f64,
    pub seed: u64,
    pub replications: u32,
}

/// What the records say happened to the calls of an interval.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, utoipa::ToSchema)]
pub struct ObservedService {
    pub answered: u64,
    pub answered_within_target: u64,
    pub abandoned: u64,
    /// `answered_within_target / offered` (1 with no calls).
    pub service_level: f64,
    /// `abandoned / offered` (0 with no calls).
    pub abandon_rate: f64,
    /// Mean recorded wait of the answered calls (0 if none).
    pub asa_seconds: f64,
}

/// The replay of one interval (or of the whole window).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, utoipa::ToSchema)]
pub struct ReplayedService {
    /// Agents taking calls (the window's peak in the totals).
    pub agents: u32,
    /// Real calls arriving in the interval.
    pub offered: u64,
    /// Mean over the replications.
    pub answered: f64,
    pub answered_within_target: f64,
    pub abandoned: f64,
    /// Calls still waiting at the end with no agent and no patience limit
    /// (only when nobody in the records hung up).
    pub unserved: f64,
    /// `answered_within_target / offered` (1 with no calls).
    pub service_level: f64,
    /// `abandoned / offered` (0 with no calls).
    pub abandon_rate: f64,
    /// Mean wait of answered calls (0 if none).
    pub asa_seconds: f64,
    /// Busy agent-time over staffed agent-time (as the simulator).
    pub occupancy: f64,
    pub observed: ObservedService,
}

/// The patience model the replay drew from: Kaplan–Meier over the
/// replayed calls' waits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PatienceModel {
    /// Calls whose wait entered the estimate.
    pub observations: usize,
    /// Abandoned calls: waits that are patience (events).
    pub abandoned: usize,
    /// Answered calls: patience known to exceed the wait (censored).
    pub censored: usize,
    /// `∫ S(t) dt` up to the last event time: a lower bound on the mean
    /// patience that assumes no shape.
    pub restricted_mean_seconds: f64,
    /// The last time at which someone hung up; beyond it the tail is
    /// exponential.
    pub last_event_seconds: Option<f64>,
    /// `1/θ̂`, the tail's mean (total time waited / hang-ups); `None` when
    /// nobody hung up (patience then unbounded).
    pub tail_mean_seconds: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplayResult {
    pub intervals: Vec<ReplayedService>,
    pub totals: ReplayedService,
    pub patience: PatienceModel,
}

fn invalid(field: &'static str, message: impl Into<String>) -> SimError {
    SimError::InvalidInput {
        field,
        message: message.into(),
    }
}

/// Replays `input.calls` against `input.agents_per_interval` as the module
/// documentation says.
///
/// Errors: no replications, a call outside the window, abandoned calls with
/// no answered call to draw their talk time from, and the simulator's own
/// checks (interval length, window, target).
pub fn replay(input: &ReplayInput) -> Result<ReplayResult, SimError> {
    if input.replications == 0 {
        return Err(invalid("replications", "must be at least 1"));
    }
    let n_int = input.agents_per_interval.len();
    let dt = input.interval_seconds;
    let horizon = dt * n_int as f64;
    let offsets: Vec<f64> = input
        .calls
        .iter()
        .map(|c| seconds_between(input.start, c.arrival))
        .collect();
    if let Some(i) = offsets.iter().position(|&x| !(x >= 0.0 && x < horizon)) {
        return Err(invalid(
            "calls",
            format!(
                "the call arriving at {} is outside the replayed window",
                input.calls[i].arrival.to_rfc3339()
            ),
        ));
    }
    let talk_times: Vec<f64> = input.calls.iter().filter_map(|c| c.talk_seconds).collect();
    let any_abandoned = input
        .calls
        .iter()
        .any(|c| c.outcome == CallOutcome::Abandoned);
    if any_abandoned && talk_times.is_empty() {
        return Err(invalid(
            "calls",
            "every call of the window was abandoned: no answered call to draw their talk times from",
        ));
    }
    let km = kaplan_meier(
        &input
            .calls
            .iter()
            .map(|c| (c.wait_seconds, c.outcome == CallOutcome::Abandoned))
            .collect::<Vec<_>>(),
    );

    let mut runs = Vec::with_capacity(input.replications as usize);
    for r in 0..input.replications {
        let seed = input.seed.wrapping_add(u64::from(r));
        let (service, patience) = draw_unknowns(input.calls, &talk_times, &km, seed);
        runs.push(simulate(&SimulationInput {
            interval_seconds: dt,
            agents_per_interval: input.agents_per_interval.to_vec(),
            arrivals: ArrivalSource::Replay {
                arrival_offsets_seconds: offsets.clone(),
            },
            service: Dist::Replay(service),
            patience: Some(Dist::Replay(patience)),
            target_seconds: input.target_seconds,
            seed,
        })?);
    }

    let mut observed = vec![ObservedTally::default(); n_int];
    for (c, &x) in input.calls.iter().zip(&offsets) {
        let i = ((x / dt) as usize).min(n_int - 1);
        observed[i].add(c, input.target_seconds);
    }
    let all_observed = observed
        .iter()
        .fold(ObservedTally::default(), |a, b| a.plus(b));
    let intervals = (0..n_int)
        .map(|i| pool(runs.iter().map(|run| &run.intervals[i]), &observed[i]))
        .collect();
    let totals = pool(runs.iter().map(|run| &run.totals), &all_observed);
    Ok(ReplayResult {
        intervals,
        totals,
        patience: PatienceModel {
            observations: km.observations,
            abandoned: km.total_events,
            censored: km.observations - km.total_events,
            restricted_mean_seconds: km.restricted_mean(),
            last_event_seconds: km.times.last().copied(),
            tail_mean_seconds: (km.exponential_rate() > 0.0).then(|| 1.0 / km.exponential_rate()),
        },
    })
}

fn seconds_between(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from)
        .num_microseconds()
        .map_or(f64::NAN, |us| us as f64 / 1e6)
}

/// Each call's talk time and patience for one replication: the recorded
/// ones where known, draws where not (see the module documentation).
fn draw_unknowns(
    calls: &[CallRecord],
    talk_times: &[f64],
    km: &KaplanMeier,
    seed: u64,
) -> (Vec<f64>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut service = Vec::with_capacity(calls.len());
    let mut patience = Vec::with_capacity(calls.len());
    for c in calls {
        match (c.outcome, c.talk_seconds) {
            (CallOutcome::Answered, Some(talk)) => {
                service.push(talk);
                // 1 − U(0, 1] keeps u in (0, 1]: ln(u) is finite.
                patience.push(km.quantile_beyond(c.wait_seconds, 1.0 - rng.gen::<f64>()));
            }
            _ => {
                service.push(talk_times[rng.gen_range(0..talk_times.len())]);
                patience.push(c.wait_seconds);
            }
        }
    }
    (service, patience)
}

#[derive(Debug, Clone, Copy, Default)]
struct ObservedTally {
    offered: u64,
    answered: u64,
    within: u64,
    abandoned: u64,
    wait_answered: f64,
}

impl ObservedTally {
    fn add(&mut self, c: &CallRecord, target: f64) {
        self.offered += 1;
        match c.outcome {
            CallOutcome::Answered => {
                self.answered += 1;
                self.wait_answered += c.wait_seconds;
                if c.wait_seconds <= target {
                    self.within += 1;
                }
            }
            CallOutcome::Abandoned => self.abandoned += 1,
        }
    }

    fn plus(self, o: &ObservedTally) -> ObservedTally {
        ObservedTally {
            offered: self.offered + o.offered,
            answered: self.answered + o.answered,
            within: self.within + o.within,
            abandoned: self.abandoned + o.abandoned,
            wait_answered: self.wait_answered + o.wait_answered,
        }
    }

    fn service(&self) -> ObservedService {
        let off = self.offered as f64;
        ObservedService {
            answered: self.answered,
            answered_within_target: self.within,
            abandoned: self.abandoned,
            service_level: if self.offered > 0 {
                self.within as f64 / off
            } else {
                1.0
            },
            abandon_rate: if self.offered > 0 {
                self.abandoned as f64 / off
            } else {
                0.0
            },
            asa_seconds: if self.answered > 0 {
                self.wait_answered / self.answered as f64
            } else {
                0.0
            },
        }
    }
}

/// Means over the replications of one interval; rates from the summed counts.
fn pool<'a>(
    runs: impl Iterator<Item = &'a super::des::IntervalResult>,
    observed: &ObservedTally,
) -> ReplayedService {
    let mut out = ReplayedService {
        offered: observed.offered,
        observed: observed.service(),
        ..ReplayedService::default()
    };
    let (mut n, mut wait_answered, mut occupancy) = (0.0, 0.0, 0.0);
    for r in runs {
        out.agents = r.agents;
        out.answered += r.answered as f64;
        out.answered_within_target += r.answered_within_target as f64;
        out.abandoned += r.abandoned as f64;
        out.unserved += r.unserved as f64;
        wait_answered += r.asa_seconds * r.answered as f64;
        occupancy += r.occupancy;
        n += 1.0;
    }
    out.asa_seconds = if out.answered > 0.0 {
        wait_answered / out.answered
    } else {
        0.0
    };
    if n > 0.0 {
        out.answered /= n;
        out.answered_within_target /= n;
        out.abandoned /= n;
        out.unserved /= n;
        out.occupancy = occupancy / n;
    }
    let offered = observed.offered as f64;
    (out.service_level, out.abandon_rate) = if observed.offered > 0 {
        (
            out.answered_within_target / offered,
            out.abandoned / offered,
        )
    } else {
        (1.0, 0.0)
    };
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        "2026-01-05T08:00:00Z".parse().expect("a time")
    }

    fn call(offset: i64, outcome: CallOutcome, wait: f64, talk: Option<f64>) -> CallRecord {
        CallRecord {
            arrival: t0() + chrono::Duration::seconds(offset),
            outcome,
            wait_seconds: wait,
            talk_seconds: talk,
        }
    }

    /// A busy half-hour and a quiet one: 200 calls, some abandoned.
    fn calls() -> Vec<CallRecord> {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        (0..200)
            .map(|i| {
                let at = if i < 160 {
                    i * 11
                } else {
                    1800 + (i - 160) * 40
                };
                let wait = rng.gen_range(0.0..120.0);
                if i % 7 == 0 {
                    call(at, CallOutcome::Abandoned, wait, None)
                } else {
                    call(
                        at,
                        CallOutcome::Answered,
                        wait,
                        Some(rng.gen_range(60.0..400.0)),
                    )
                }
            })
            .collect()
    }

    fn input<'a>(agents: &'a [u32], calls: &'a [CallRecord], seed: u64) -> ReplayInput<'a> {
        ReplayInput {
            start: t0(),
            interval_seconds: 1800.0,
            agents_per_interval: agents,
            calls,
            target_seconds: 20.0,
            seed,
            replications: 5,
        }
    }

    #[test]
    fn more_agents_give_more_service_and_fewer_abandons() {
        let calls = calls();
        let thin = replay(&input(&[3, 3], &calls, 1)).unwrap();
        let rich = replay(&input(&[40, 40], &calls, 1)).unwrap();
        assert_eq!(thin.totals.offered, 200);
        assert_eq!(
            (thin.intervals[0].offered, thin.intervals[1].offered),
            (160, 40)
        );
        // 40 agents answer everyone at once: every call is within target.
        assert_eq!(rich.totals.service_level, 1.0);
        assert_eq!(rich.totals.abandoned, 0.0);
        assert!(thin.totals.service_level < 0.5, "{:?}", thin.totals);
        assert!(thin.totals.abandon_rate > 0.05, "{:?}", thin.totals);
        // Every call is accounted for in every replication.
        for r in [&thin, &rich] {
            let t = r.totals;
            assert!((t.answered + t.abandoned + t.unserved - 200.0).abs() < 1e-9);
        }
        // The records' own outcome is reported beside the replay.
        assert_eq!(thin.totals.observed.abandoned, 29);
        assert_eq!(thin.totals.observed, rich.totals.observed);
        assert_eq!((thin.patience.abandoned, thin.patience.censored), (29, 171));
    }

    #[test]
    fn one_seed_gives_one_result() {
        let calls = calls();
        let a = replay(&input(&[4, 3], &calls, 7)).unwrap();
        let b = replay(&input(&[4, 3], &calls, 7)).unwrap();
        let c = replay(&input(&[4, 3], &calls, 8)).unwrap();
        assert_eq!(a, b);
        assert_ne!(a.totals, c.totals, "another seed draws other patience");
    }

    #[test]
    fn without_abandonment_nobody_hangs_up_in_the_replay() {
        // Two answered calls at once, one agent: the second waits the first's
        // 100 s talk; with no hang-ups recorded, patience is unbounded.
        let calls = [
            call(0, CallOutcome::Answered, 0.0, Some(100.0)),
            call(0, CallOutcome::Answered, 0.0, Some(50.0)),
        ];
        let r = replay(&input(&[1], &calls, 1)).unwrap();
        assert_eq!(r.totals.answered, 2.0);
        assert_eq!(r.totals.answered_within_target, 1.0);
        assert!((r.totals.asa_seconds - 50.0).abs() < 1e-9);
        assert_eq!(r.patience.tail_mean_seconds, None);
    }

    #[test]
    fn an_abandoned_call_keeps_its_patience() {
        // One agent busy 300 s with the first call; the second caller hung
        // up after 30 s in real life and does again.
        let calls = [
            call(0, CallOutcome::Answered, 0.0, Some(300.0)),
            call(10, CallOutcome::Abandoned, 30.0, None),
        ];
        let r = replay(&input(&[1], &calls, 1)).unwrap();
        assert_eq!((r.totals.answered, r.totals.abandoned), (1.0, 1.0));
        // With a second agent the same caller is answered at once.
        let r = replay(&input(&[2], &calls, 1)).unwrap();
        assert_eq!((r.totals.answered, r.totals.abandoned), (2.0, 0.0));
    }

    #[test]
    fn refuses_calls_outside_the_window_and_no_talk_times() {
        let late = [call(1800, CallOutcome::Answered, 0.0, Some(1.0))];
        let err = replay(&input(&[1], &late, 1)).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("calls: the call arriving at 2026-01-05T08:30:00"),
            "{err}"
        );
        let lost = [call(5, CallOutcome::Abandoned, 3.0, None)];
        assert!(replay(&input(&[1], &lost, 1)).is_err());
        let mut none = input(&[1], &[], 1);
        none.replications = 0;
        assert!(replay(&none).is_err());
    }
}
