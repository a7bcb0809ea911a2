//! Requirements per channel: voice (a queue), chat (a queue on chat slots) and
//! deferred work (email, social, back office: a deadline in hours).

use super::erlang::QueueMetrics;
use super::input::{StaffingTarget, Workload};
use super::model::{queue_metrics, requirement_for, QueueModel};
use super::requirement::{
    ceil_ignoring_noise, invalid, too_many, validate, Requirement, StaffingError, MAX_AGENTS,
};
use crate::domain::queue::{DEFAULT_CHAT_CONCURRENCY, DEFAULT_DEADLINE_SECONDS};
use crate::domain::{Channel, QueueSpec, ServiceGoal};
use serde::{Deserialize, Serialize};

/// How a channel turns its load into a head count.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "channel", rename_all = "snake_case")]
pub enum ChannelModel {
    /// A voice queue under Erlang C or Erlang A.
    Voice(QueueModel),
    /// Chat with concurrency. **Model:** each agent is `concurrency` chat
    /// *slots*; a chat holds one slot for `aht × handle_time_factor` (the
    /// `aht` given per interval is the handle time of a chat worked alone;
    /// `handle_time_factor ≥ 1` is the slowdown of working `concurrency`
    /// chats at once, e.g. 1.4 at 3 chats). Chats queue FIFO for a free slot
    /// under `queue` (Erlang C, or Erlang A for customers who leave), i.e. an
    /// M/M/s(+M) queue on `s = agents × concurrency` slots. Assumes agents
    /// always run at full concurrency when busy and slots are independent
    /// servers (no per-agent balancing). The goal applies to the wait for a
    /// slot; `max_occupancy` caps the share of slots in use.
    /// Head count = `ceil(slots / concurrency)`; raw = raw slots / concurrency;
    /// metrics are recomputed at `agents × concurrency` slots; workload is
    /// slot-erlangs / concurrency.
    Chat {
        concurrency: u32,
        handle_time_factor: f64,
        queue: QueueModel,
    },
    /// Deferred work: each item must be finished within `deadline_seconds` of
    /// arriving. See [`deferred_requirements`].
    Deferred { deadline_seconds: f64 },
}

impl ChannelModel {
    /// The model a queue's channel and staffing options call for: voice
    /// under Erlang A when callers' patience is known, else Erlang C; chat
    /// with its concurrency (handle time taken as measured while agents
    /// hold several chats); email and social by their answer deadline.
    pub fn for_queue(spec: &QueueSpec) -> Self {
        let voice = match spec.staffing.patience_seconds {
            Some(patience_seconds) => QueueModel::ErlangA { patience_seconds },
            None => QueueModel::ErlangC,
        };
        match spec.channel {
            Channel::Voice => ChannelModel::Voice(voice),
            Channel::Chat => ChannelModel::Chat {
                concurrency: spec
                    .staffing
                    .chat_concurrency
                    .unwrap_or(DEFAULT_CHAT_CONCURRENCY),
                handle_time_factor: 1.0,
                queue: QueueModel::ErlangC,
            },
            Channel::Email | Channel::Social => ChannelModel::Deferred {
                deadline_seconds: spec
                    .staffing
                    .deadline_seconds
                    .unwrap_or(DEFAULT_DEADLINE_SECONDS),
            },
        }
    }
}

impl ChannelModel {
    /// The queue model a roster's service is checked with, interval by
    /// interval: a voice queue's own (Erlang A when callers abandon); other
    /// channels Erlang C on the contacts' handle time.
    pub fn roster_check_model(&self) -> QueueModel {
        match *self {
            ChannelModel::Voice(q) => q,
            _ => QueueModel::ErlangC,
        }
    }
}

/// Requirement for each interval of `intervals` (consecutive, all of one
/// length) under `model`.
///
/// Voice and chat are interval by interval (stationary approximation);
/// deferred work needs the whole horizon at once. For deferred work the goal's
/// service level/target are not used (only the deadline), but are still
/// validated.
pub fn channel_requirements(
    model: &ChannelModel,
    intervals: &[Workload],
    target: &StaffingTarget,
) -> Result<Vec<Requirement>, StaffingError> {
    channel_requirements_open(model, intervals, target, &vec![true; intervals.len()])
}

/// [`channel_requirements`] for a queue that is closed in some intervals
/// (`open[i]` false): those need no agents (their contacts are not taken;
/// the metrics are idle). Deferred work that arrives while closed waits for
/// the opening, and the plan works only in open intervals (see
/// [`deferred_requirements`]).
pub fn channel_requirements_open(
    model: &ChannelModel,
    intervals: &[Workload],
    target: &StaffingTarget,
    open: &[bool],
) -> Result<Vec<Requirement>, StaffingError> {
    if open.len() != intervals.len() {
        return Err(invalid(
            "open",
            "must say for every interval whether the queue is open",
        ));
    }
    let interval_seconds = one_length(intervals)?;
    let (goal, max_occupancy, shrinkage) =
        (target.goal(), target.max_occupancy(), target.shrinkage());
    let intervals: Vec<(f64, f64)> = intervals
        .iter()
        .map(|w| (w.volume(), w.aht_seconds()))
        .collect();
    let intervals = intervals.as_slice();
    match *model {
        ChannelModel::Voice(q) => intervals
            .iter()
            .zip(open)
            .map(|(&(v, aht), &open)| {
                if !open {
                    return Ok(closed(v, aht, interval_seconds));
                }
                requirement_for(q, v, interval_seconds, aht, goal, max_occupancy, shrinkage)
            })
            .collect(),
        ChannelModel::Chat {
            concurrency,
            handle_time_factor,
            queue,
        } => {
            if concurrency == 0 {
                return Err(invalid("concurrency", "must be at least 1"));
            }
            if !(handle_time_factor.is_finite() && handle_time_factor > 0.0) {
                return Err(invalid(
                    "handle_time_factor",
                    "must be a finite number above 0",
                ));
            }
            let k = f64::from(concurrency);
            intervals
                .iter()
                .zip(open)
                .map(|(&(v, aht), &open)| {
                    if !open {
                        return Ok(closed(v, aht, interval_seconds));
                    }
                    let slot_aht = aht * handle_time_factor;
                    let slots = requirement_for(
                        queue,
                        v,
                        interval_seconds,
                        slot_aht,
                        goal,
                        max_occupancy,
                        0.0,
                    )?;
                    let agents = slots.agents_net.div_ceil(concurrency);
                    let paid = ceil_ignoring_noise(f64::from(agents) / (1.0 - shrinkage));
                    if paid > f64::from(MAX_AGENTS) {
                        return Err(too_many(format!("{agents} chat agents after shrinkage")));
                    }
                    let metrics = if agents == 0 {
                        QueueMetrics::IDLE
                    } else {
                        queue_metrics(
                            queue,
                            v,
                            interval_seconds,
                            slot_aht,
                            agents * concurrency,
                            goal.answer_within_seconds(),
                        )
                    };
                    Ok(Requirement {
                        workload_erlangs: slots.workload_erlangs / k,
                        agents_raw: slots.agents_raw / k,
                        agents_net: agents,
                        agents_with_shrinkage: paid as u32,
                        metrics,
                    })
                })
                .collect()
        }
        ChannelModel::Deferred { deadline_seconds } => deferred_plan(
            intervals,
            open,
            interval_seconds,
            deadline_seconds,
            goal,
            max_occupancy,
            shrinkage,
        ),
    }
}

/// A closed interval: no agents; its load is shown, its metrics are idle.
fn closed(volume: f64, aht_seconds: f64, interval_seconds: f64) -> Requirement {
    Requirement {
        workload_erlangs: volume * aht_seconds / interval_seconds,
        agents_raw: 0.0,
        agents_net: 0,
        agents_with_shrinkage: 0,
        metrics: QueueMetrics::IDLE,
    }
}

/// The length shared by every interval (the deferred plan and the
/// per-hour sums need one); 1 s for an empty list, which has no work.
fn one_length(intervals: &[Workload]) -> Result<f64, StaffingError> {
    let Some(first) = intervals.first() else {
        return Ok(1.0);
    };
    let dt = first.interval_seconds();
    if intervals.iter().any(|w| w.interval_seconds() != dt) {
        return Err(invalid(
            "interval_seconds",
            "must be the same for every interval",
        ));
    }
    Ok(dt)
}

/// Deferred work: the **levelled earliest-deadline fluid plan**.
///
/// Assumptions: interval `i`'s `volume × aht` agent-seconds arrive uniformly
/// across the interval, and each piece is due `deadline_seconds` after it
/// arrives, so cumulative work due at time `e` is `Arrived(e − deadline)`
/// (piecewise linear). Work is a fluid worked in deadline order; deadlines
/// are checked at interval ends (exact when the deadline is a multiple of the
/// interval, otherwise within-interval deadlines are met on average).
///
/// Plan: interval `j` works at the lowest constant rate that, if kept to the
/// end of the horizon, meets every later interval-end deadline given the work
/// already done — `r_j = max_{m ≥ j} (Due(e_m) − Done(s_j)) / (e_m − s_j)`,
/// `≥ 0` — but never more than has arrived by the end of the interval. This is
/// the "taut string" profile: it meets every deadline, minimises the peak
/// rate, and stays flat unless a deadline forces a change. Work due after the
/// horizon may be left over.
///
/// Per interval: `workload_erlangs` = arriving work / interval,
/// `agents_raw = r_j / max_occupancy`, `agents_net = ceil(agents_raw)`,
/// shrinkage as usual; metrics: `occupancy = r_j / agents_net`,
/// `service_level = 1` (every item meets its deadline in the plan),
/// `prob_wait`, `asa_seconds`, `prob_abandon` are 0 (not modelled).
/// `O(n log n)` (upper convex hull of the deadline points, with rollback).
pub fn deferred_requirements(
    intervals: &[Workload],
    deadline_seconds: f64,
    target: &StaffingTarget,
) -> Result<Vec<Requirement>, StaffingError> {
    let interval_seconds = one_length(intervals)?;
    let load: Vec<(f64, f64)> = intervals
        .iter()
        .map(|w| (w.volume(), w.aht_seconds()))
        .collect();
    deferred_plan(
        &load,
        &vec![true; load.len()],
        interval_seconds,
        deadline_seconds,
        target.goal(),
        target.max_occupancy(),
        target.shrinkage(),
    )
}

/// [`deferred_requirements`] on plain numbers.
#[allow(clippy::too_many_arguments)]
fn deferred_plan(
    intervals: &[(f64, f64)],
    open: &[bool],
    interval_seconds: f64,
    deadline_seconds: f64,
    goal: &ServiceGoal,
    max_occupancy: f64,
    shrinkage: f64,
) -> Result<Vec<Requirement>, StaffingError> {
    if !(deadline_seconds.is_finite() && deadline_seconds >= 0.0) {
        return Err(invalid(
            "deadline_seconds",
            "must be a finite number, 0 or more",
        ));
    }
    let n = intervals.len();
    let dt = interval_seconds;
    let mut cum = Vec::with_capacity(n + 1); // work arrived by j·dt
    cum.push(0.0);
    for &(v, aht) in intervals {
        validate(v, dt, aht, goal, max_occupancy, shrinkage)?;
        cum.push(cum.last().copied().unwrap_or(0.0) + v * aht);
    }
    let arrived = |t: f64| -> f64 {
        if t <= 0.0 {
            return 0.0;
        }
        let x = t / dt;
        let i = x.floor() as usize;
        if i >= n {
            return cum[n];
        }
        cum[i] + (cum[i + 1] - cum[i]) * (x - i as f64)
    };
    let due: Vec<f64> = (0..n)
        .map(|m| arrived((m + 1) as f64 * dt - deadline_seconds))
        .collect();
    // Closed intervals take no work: the plan runs on open time only (each
    // open interval one step of it). The k-th open interval's deadline point
    // is (end of it in open time, work due by the next opening: everything
    // due while closed must be done before closing), and the work it may do
    // is what has arrived by its end, closed intervals' arrivals included.
    // With every interval open this is the plain plan.
    let open_at: Vec<usize> = (0..n).filter(|&j| open[j]).collect();
    let mut out = Vec::with_capacity(n);
    if open_at.is_empty() {
        return Ok(intervals
            .iter()
            .map(|&(v, aht)| closed(v, aht, dt))
            .collect());
    }
    let cum_all = cum;
    let cum: Vec<f64> = std::iter::once(0.0)
        .chain(open_at.iter().map(|&j| cum_all[j + 1]))
        .collect();
    // Deadline points (x_k, y_k) = (end of open interval k, work due by then).
    let pts: Vec<(f64, f64)> = open_at
        .iter()
        .enumerate()
        .map(|(k, _)| {
            let until = open_at.get(k + 1).map_or(n, |&next| next);
            ((k + 1) as f64 * dt, due[until - 1])
        })
        .collect();
    let n = open_at.len();
    // The largest slope from a point left of every deadline point is reached
    // on the upper convex hull of those points, and is unimodal along it. The
    // hull of the suffix m ≥ j is built right to left once, logging what each
    // point popped, then unwound left to right (rollback): O(n log n) in all.
    let below_or_on = |o: (f64, f64), a: (f64, f64), b: (f64, f64)| {
        // Is `a` on or below the segment o → b (o left of a left of b)?
        (a.1 - o.1) * (b.0 - o.0) <= (b.1 - o.1) * (a.0 - o.0)
    };
    let mut hull: Vec<usize> = Vec::with_capacity(n); // last = leftmost
    let mut popped: Vec<usize> = Vec::with_capacity(n);
    let mut n_popped: Vec<usize> = vec![0; n];
    for m in (0..n).rev() {
        let mut k = 0;
        while hull.len() >= 2
            && below_or_on(pts[m], pts[hull[hull.len() - 1]], pts[hull[hull.len() - 2]])
        {
            popped.push(hull.pop().unwrap_or_default());
            k += 1;
        }
        n_popped[m] = k;
        hull.push(m);
    }
    let mut done = 0.0;
    let mut next_wall = 0;
    for (j, &wall) in open_at.iter().enumerate() {
        while next_wall < wall {
            let (v, aht) = intervals[next_wall];
            out.push(closed(v, aht, dt));
            next_wall += 1;
        }
        next_wall = wall + 1;
        let s = j as f64 * dt;
        let cap = (cum[j + 1] - done).max(0.0) / dt;
        let slope = |idx: usize| {
            let (x, y) = pts[hull[idx]];
            (y - done) / (x - s)
        };
        // Slopes rise then fall along the hull (either direction of the
        // index); find the peak index.
        let (mut lo, mut hi) = (0usize, hull.len() - 1);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if slope(mid) < slope(mid + 1) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        // lo is the index whose slope is maximal.
        let rate = slope(lo).clamp(0.0, cap);
        // Unwind: drop point j, restore what it popped.
        hull.pop();
        for _ in 0..n_popped[j] {
            hull.push(popped.pop().unwrap_or_default());
        }
        done += rate * dt;
        let raw = rate / max_occupancy;
        let net = ceil_ignoring_noise(raw);
        let paid = ceil_ignoring_noise(net / (1.0 - shrinkage));
        if paid > f64::from(MAX_AGENTS) {
            return Err(too_many(format!("{net} agents for deferred work")));
        }
        out.push(Requirement {
            workload_erlangs: (cum_all[wall + 1] - cum_all[wall]) / dt,
            agents_raw: raw,
            agents_net: net as u32,
            agents_with_shrinkage: paid as u32,
            metrics: QueueMetrics {
                prob_wait: 0.0,
                service_level: 1.0,
                asa_seconds: 0.0,
                occupancy: if net > 0.0 { rate / net } else { 0.0 },
                prob_abandon: 0.0,
            },
        });
    }
    for &(v, aht) in &intervals[next_wall..] {
        out.push(closed(v, aht, dt));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The entry points with their inputs built from plain numbers (in the
    /// order the tests were written in).
    fn channel_requirements(
        model: &ChannelModel,
        intervals: &[(f64, f64)],
        interval_seconds: f64,
        goal: &ServiceGoal,
        max_occupancy: f64,
        shrinkage: f64,
    ) -> Result<Vec<Requirement>, StaffingError> {
        super::channel_requirements(
            model,
            &Workload::series(intervals.iter().copied(), interval_seconds)?,
            &StaffingTarget::new(*goal, max_occupancy, shrinkage)?,
        )
    }

    fn deferred_requirements(
        intervals: &[(f64, f64)],
        interval_seconds: f64,
        deadline_seconds: f64,
        goal: &ServiceGoal,
        max_occupancy: f64,
        shrinkage: f64,
    ) -> Result<Vec<Requirement>, StaffingError> {
        super::deferred_requirements(
            &Workload::series(intervals.iter().copied(), interval_seconds)?,
            deadline_seconds,
            &StaffingTarget::new(*goal, max_occupancy, shrinkage)?,
        )
    }

    fn goal() -> ServiceGoal {
        ServiceGoal::unchecked(0.8, 20.0, None, None)
    }

    #[test]
    fn a_queue_picks_its_channel_model() {
        let spec = |channel| QueueSpec::new("q", channel, 30, "UTC", goal(), 0.3, 0.85).unwrap();
        assert_eq!(
            ChannelModel::for_queue(&spec(Channel::Voice)),
            ChannelModel::Voice(QueueModel::ErlangC)
        );
        let patient = spec(Channel::Voice)
            .with_staffing(crate::domain::StaffingOptions {
                patience_seconds: Some(300.0),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            ChannelModel::for_queue(&patient),
            ChannelModel::Voice(QueueModel::ErlangA {
                patience_seconds: 300.0
            })
        );
        assert!(matches!(
            ChannelModel::for_queue(&spec(Channel::Chat)),
            ChannelModel::Chat { concurrency: 2, .. }
        ));
        assert_eq!(
            ChannelModel::for_queue(&spec(Channel::Email)),
            ChannelModel::Deferred {
                deadline_seconds: DEFAULT_DEADLINE_SECONDS
            }
        );
    }

    #[test]
    fn voice_is_the_queue_model() {
        let load = [(100.0, 180.0), (0.0, 180.0), (250.0, 200.0)];
        let r = channel_requirements(
            &ChannelModel::Voice(QueueModel::ErlangC),
            &load,
            1800.0,
            &goal(),
            0.85,
            0.3,
        )
        .unwrap();
        assert_eq!(r[0].agents_net, 14);
        assert_eq!(r[1].agents_net, 0);
        assert_eq!(r.len(), 3);
    }

    #[test]
    fn chat_with_concurrency_one_and_no_slowdown_is_voice() {
        let load = [(100.0, 180.0), (40.0, 300.0)];
        let chat = ChannelModel::Chat {
            concurrency: 1,
            handle_time_factor: 1.0,
            queue: QueueModel::ErlangC,
        };
        let voice = ChannelModel::Voice(QueueModel::ErlangC);
        assert_eq!(
            channel_requirements(&chat, &load, 1800.0, &goal(), 0.85, 0.3),
            channel_requirements(&voice, &load, 1800.0, &goal(), 0.85, 0.3)
        );
    }

    #[test]
    fn chat_concurrency_divides_slots() {
        // 3 chats each, 1.5× slower: slots for AHT 270 s, then / 3 rounded up.
        let chat = ChannelModel::Chat {
            concurrency: 3,
            handle_time_factor: 1.5,
            queue: QueueModel::ErlangC,
        };
        let r = channel_requirements(&chat, &[(200.0, 180.0)], 1800.0, &goal(), 0.85, 0.2).unwrap();
        let slots = crate::staffing::required_agents(
            &Workload::new(200.0, 270.0, 1800.0).unwrap(),
            &StaffingTarget::new(goal(), 0.85, 0.0).unwrap(),
        )
        .unwrap();
        assert_eq!(r[0].agents_net, slots.agents_net.div_ceil(3));
        assert!((r[0].agents_raw - slots.agents_raw / 3.0).abs() < 1e-12);
        assert!(r[0].metrics.service_level >= slots.metrics.service_level);
        assert!(r[0].agents_with_shrinkage >= r[0].agents_net);
        let bad = ChannelModel::Chat {
            concurrency: 0,
            handle_time_factor: 1.0,
            queue: QueueModel::ErlangC,
        };
        assert!(channel_requirements(&bad, &[(1.0, 1.0)], 1800.0, &goal(), 0.85, 0.2).is_err());
    }

    /// Replays the plan and checks every interval-end deadline and that no
    /// work is done before it arrives.
    fn check_plan(load: &[(f64, f64)], dt: f64, deadline: f64, occ: f64) -> Vec<Requirement> {
        let r = deferred_requirements(load, dt, deadline, &goal(), occ, 0.0).unwrap();
        let mut cum = vec![0.0];
        for &(v, a) in load {
            cum.push(cum.last().unwrap() + v * a);
        }
        let arrived = |t: f64| {
            if t <= 0.0 {
                return 0.0;
            }
            let i = ((t / dt).floor() as usize).min(load.len());
            if i == load.len() {
                return cum[i];
            }
            cum[i] + (cum[i + 1] - cum[i]) * (t / dt - i as f64)
        };
        let mut done = 0.0;
        for (j, q) in r.iter().enumerate() {
            let rate = q.agents_raw * occ;
            done += rate * dt;
            assert!(
                done <= cum[j + 1] + 1e-6,
                "interval {j}: works ahead of arrivals"
            );
            let due = arrived((j + 1) as f64 * dt - deadline);
            assert!(done >= due - 1e-6, "interval {j}: done {done} < due {due}");
            assert!(f64::from(q.agents_net) >= q.agents_raw - 1e-9);
            assert!(q.metrics.occupancy <= occ + 1e-9);
        }
        r
    }

    /// The plain O(n²) definition of the plan, for comparison.
    fn brute_force(load: &[(f64, f64)], dt: f64, deadline: f64, occ: f64) -> Vec<f64> {
        let mut cum = vec![0.0];
        for &(v, a) in load {
            cum.push(cum.last().unwrap() + v * a);
        }
        let n = load.len();
        let arrived = |t: f64| {
            let x = (t / dt).max(0.0);
            let i = (x.floor() as usize).min(n);
            if i == n {
                cum[i]
            } else {
                cum[i] + (cum[i + 1] - cum[i]) * (x - i as f64)
            }
        };
        let mut done = 0.0;
        (0..n)
            .map(|j| {
                let mut rate = 0.0_f64;
                for m in j..n {
                    let due = arrived((m + 1) as f64 * dt - deadline);
                    rate = rate.max((due - done) / ((m + 1 - j) as f64 * dt));
                }
                rate = rate.min((cum[j + 1] - done).max(0.0) / dt);
                done += rate * dt;
                rate / occ
            })
            .collect()
    }

    #[test]
    fn deferred_hull_search_equals_the_definition() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        for case in 0..40 {
            let n = rng.gen_range(1..300);
            let load: Vec<(f64, f64)> = (0..n)
                .map(|_| {
                    let v = if rng.gen_bool(0.3) {
                        0.0
                    } else {
                        rng.gen_range(0.0..100.0)
                    };
                    (v, rng.gen_range(60.0..600.0))
                })
                .collect();
            let deadline = [0.0, 900.0, 1000.0, 4.0 * 3600.0, 48.0 * 3600.0][case % 5];
            let plan = check_plan(&load, 900.0, deadline, 0.8);
            let want = brute_force(&load, 900.0, deadline, 0.8);
            for (j, (q, w)) in plan.iter().zip(&want).enumerate() {
                assert!(
                    (q.agents_raw - w).abs() <= 1e-9 * w.max(1.0),
                    "case {case} interval {j}: {} vs {w}",
                    q.agents_raw
                );
            }
        }
    }

    #[test]
    fn deferred_meets_every_deadline_and_levels_the_load() {
        // 4 hours of emails in 30-minute intervals, deadline 2 h.
        let load: Vec<(f64, f64)> = [10.0, 50.0, 0.0, 0.0, 80.0, 5.0, 0.0, 0.0]
            .iter()
            .map(|&v| (v, 360.0))
            .collect();
        let r = check_plan(&load, 1800.0, 7200.0, 1.0);
        // Nothing is due in the first 2 hours except what the plan chooses to do;
        // the plan is flat: the first intervals share one rate.
        assert!((r[0].agents_raw - r[1].agents_raw).abs() < 1e-9, "{r:?}");
        // Steady arrivals: the plan settles at the arrival rate.
        let steady: Vec<(f64, f64)> = vec![(30.0, 300.0); 48];
        let r = check_plan(&steady, 1800.0, 4.0 * 3600.0, 0.8);
        let rate = 30.0 * 300.0 / 1800.0; // 5 agents of work
        assert!(r.iter().all(|q| q.agents_raw <= rate / 0.8 + 1e-9), "{r:?}");
        // Deadline 0: work must be done as it arrives.
        let r = check_plan(&load, 1800.0, 0.0, 1.0);
        for (q, &(v, a)) in r.iter().zip(&load) {
            assert!((q.agents_raw - v * a / 1800.0).abs() < 1e-9);
        }
        // Deadline not a multiple of the interval, random-ish load.
        let odd: Vec<(f64, f64)> = (0..40)
            .map(|i| (((i * 37) % 11) as f64 * 3.0, 240.0))
            .collect();
        check_plan(&odd, 900.0, 5000.0, 0.9);
        assert!(deferred_requirements(&odd, 900.0, -1.0, &goal(), 0.9, 0.0).is_err());
    }

    #[test]
    fn closed_intervals_need_no_agents_and_their_work_waits() {
        let goal = goal();
        let target = StaffingTarget::new(goal, 1.0, 0.0).unwrap();
        let load = Workload::series(vec![(10.0, 90.0); 4], 900.0).unwrap();
        let open = [false, true, true, false];
        // Voice: a closed interval is idle whatever arrives.
        let voice = channel_requirements_open(
            &ChannelModel::Voice(QueueModel::ErlangC),
            &load,
            &target,
            &open,
        )
        .unwrap();
        let all =
            super::channel_requirements(&ChannelModel::Voice(QueueModel::ErlangC), &load, &target)
                .unwrap();
        for (i, r) in voice.iter().enumerate() {
            assert!((r.workload_erlangs - 1.0).abs() < 1e-12);
            if open[i] {
                assert_eq!(r, &all[i]);
            } else {
                assert_eq!(r.agents_with_shrinkage, 0);
                assert_eq!(r.metrics, QueueMetrics::IDLE);
            }
        }
        // Deferred, due 15 min after arrival: what arrives while closed
        // (before the opening, and due after the closing) is done in the
        // two open intervals, all 3 intervals of work (2700 agent-seconds)
        // at one level rate of 1.5 agents; none in the closed ones.
        let deferred = channel_requirements_open(
            &ChannelModel::Deferred {
                deadline_seconds: 900.0,
            },
            &load,
            &target,
            &open,
        )
        .unwrap();
        assert_eq!(deferred[0].agents_net, 0);
        assert_eq!(deferred[3].agents_net, 0);
        assert!((deferred[1].agents_raw - 1.5).abs() < 1e-9, "{deferred:?}");
        assert!((deferred[2].agents_raw - 1.5).abs() < 1e-9, "{deferred:?}");
        // All open: the plain plan, levelled over the four intervals (the
        // last one's work is due after the horizon): 2700 / 3600 s each.
        let plain = channel_requirements_open(
            &ChannelModel::Deferred {
                deadline_seconds: 900.0,
            },
            &load,
            &target,
            &[true; 4],
        )
        .unwrap();
        assert!(
            plain.iter().all(|r| (r.agents_raw - 0.75).abs() < 1e-9),
            "{plain:?}"
        );
        // Never open: nothing to staff.
        let shut = channel_requirements_open(
            &ChannelModel::Deferred {
                deadline_seconds: 900.0,
            },
            &load,
            &target,
            &[false; 4],
        )
        .unwrap();
        assert!(shut.iter().all(|r| r.agents_net == 0));
        assert!(channel_requirements_open(
            &ChannelModel::Voice(QueueModel::ErlangC),
            &load,
            &target,
            &[true]
        )
        .is_err());
    }
}
