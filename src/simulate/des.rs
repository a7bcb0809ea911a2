//! Discrete-event simulation of one FIFO queue with time-varying staffing.
//!
//! # What is simulated
//! - Time 0 is the start of interval 0; interval `i` is
//!   `[i·interval_seconds, (i+1)·interval_seconds)` and has
//!   `agents_per_interval[i]` agents on (breaks already taken off: this is
//!   agents *available*, not rostered).
//! - Arrivals: a non-homogeneous Poisson process with constant rate
//!   `volumes[i] / interval_seconds` within each interval, or replayed
//!   offsets (seconds from time 0, any order; they are sorted).
//! - Each caller gets a service time and a patience from [`Dist`]s (sampled
//!   per caller in arrival order from separate random streams, so changing the
//!   staffing keeps the same callers: common random numbers). `patience =
//!   None` means nobody hangs up.
//! - One FIFO queue. A caller is answered by a free agent at once, else waits;
//!   a waiting caller hangs up when the wait reaches their patience.
//! - **Staffing drops**: when the head count falls, agents on a call finish it
//!   (no pre-emption) and simply take no new one until the number busy is
//!   below the new head count. Rises take effect at the interval boundary.
//! - After the last interval the last head count stays on until the queue is
//!   empty (callers still waiting then, with no patience and no agents, are
//!   reported as `unserved`).
//!
//! # What is measured (by **arrival** interval)
//! `offered`, `answered`, `answered_within_target` (wait ≤ target),
//! `abandoned`, `service_level = answered_within_target / offered` (abandoners
//! count as not answered; the Erlang A definition), `asa_seconds` = mean wait
//! of answered calls, `mean_wait_seconds` = mean wait over all offered calls
//! (abandoners' waits = their patience; comparable with Erlang A's
//! `asa_seconds`), `abandon_rate = abandoned / offered`, and (by **clock**
//! interval) `occupancy = busy agent-time / max(staffed agent-time, busy
//! agent-time)`, where agents finishing a call after a drop count as staffed
//! for that overrun.
//!
//! Reproducible: the same input and seed give the same result (ChaCha8).
//! Cost: `O(calls · log agents)`.

use super::survival::KaplanMeier;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1, StandardNormal};
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// A distribution of durations (seconds).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Dist {
    /// Exponential with this mean.
    Exponential { mean: f64 },
    /// Lognormal with this mean and coefficient of variation (sd / mean).
    LogNormal { mean: f64, cv: f64 },
    /// Resample (with replacement, uniformly) from these values.
    Empirical(Vec<f64>),
    /// The i-th caller (in the order of the arrival source: replayed offsets
    /// as given, or Poisson arrivals in time order) gets the i-th value.
    Replay(Vec<f64>),
    /// Inverse-transform sampling from a Kaplan–Meier curve (see
    /// [`KaplanMeier::quantile`]).
    KaplanMeier(KaplanMeier),
}

/// Where arrivals come from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ArrivalSource {
    /// Poisson with `volumes[i]` expected arrivals in interval `i` (must have
    /// one entry per staffing interval).
    Poisson { volumes: Vec<f64> },
    /// Real arrival times, seconds from the start of interval 0, all within
    /// the horizon.
    Replay { arrival_offsets_seconds: Vec<f64> },
}

/// Everything one simulation run needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimulationInput {
    pub interval_seconds: f64,
    /// Agents available in each interval; its length is the horizon.
    pub agents_per_interval: Vec<u32>,
    pub arrivals: ArrivalSource,
    pub service: Dist,
    /// `None`: infinite patience (nobody hangs up).
    pub patience: Option<Dist>,
    /// Service-level target ("answered within").
    pub target_seconds: f64,
    pub seed: u64,
}

/// Results for one interval (or the totals).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default, utoipa::ToSchema)]
pub struct IntervalResult {
    pub agents: u32,
    pub offered: u64,
    pub answered: u64,
    pub answered_within_target: u64,
    pub abandoned: u64,
    /// Still waiting at the end with no agent left and no patience.
    pub unserved: u64,
    /// `answered_within_target / offered` (1 with no calls).
    pub service_level: f64,
    /// Mean wait of answered calls (0 if none).
    pub asa_seconds: f64,
    /// Mean wait over all offered calls (answered: until answer; abandoned:
    /// until hang-up).
    pub mean_wait_seconds: f64,
    /// `abandoned / offered` (0 with no calls).
    pub abandon_rate: f64,
    /// Busy agent-time over staffed agent-time (see module doc).
    pub occupancy: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimulationResult {
    pub intervals: Vec<IntervalResult>,
    /// Sums over all intervals; rates recomputed from the sums.
    pub totals: IntervalResult,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimError {
    #[error("{field}: {message}")]
    InvalidInput {
        field: &'static str,
        message: String,
    },
}

fn invalid(field: &'static str, message: impl Into<String>) -> SimError {
    SimError::InvalidInput {
        field,
        message: message.into(),
    }
}

/// A prepared sampler.
enum Sampler<'a> {
    Exp(f64),
    LogNormal { mu: f64, sigma: f64 },
    Empirical(&'a [f64]),
    Replay(&'a [f64]),
    Km(&'a KaplanMeier),
    Infinite,
}

impl<'a> Sampler<'a> {
    fn new(d: &'a Dist, field: &'static str) -> Result<Self, SimError> {
        let ok = |x: f64| x.is_finite() && x >= 0.0;
        Ok(match d {
            Dist::Exponential { mean } => {
                if !ok(*mean) {
                    return Err(invalid(field, "exponential mean must be finite and ≥ 0"));
                }
                Sampler::Exp(*mean)
            }
            Dist::LogNormal { mean, cv } => {
                if !(ok(*mean) && ok(*cv)) {
                    return Err(invalid(
                        field,
                        "lognormal mean and cv must be finite and ≥ 0",
                    ));
                }
                let s2 = cv.mul_add(*cv, 1.0).ln();
                Sampler::LogNormal {
                    mu: mean.ln() - s2 / 2.0,
                    sigma: s2.sqrt(),
                }
            }
            Dist::Empirical(v) | Dist::Replay(v) => {
                if v.is_empty() || !v.iter().all(|&x| x >= 0.0 && !x.is_nan()) {
                    return Err(invalid(field, "samples must be non-empty and ≥ 0"));
                }
                if matches!(d, Dist::Empirical(_)) {
                    Sampler::Empirical(v)
                } else {
                    Sampler::Replay(v)
                }
            }
            Dist::KaplanMeier(km) => Sampler::Km(km),
        })
    }

    #[inline]
    fn sample(&self, rng: &mut ChaCha8Rng, index: usize) -> f64 {
        match self {
            Sampler::Exp(m) => {
                let e: f64 = Exp1.sample(rng);
                e * m
            }
            Sampler::LogNormal { mu, sigma } => {
                let z: f64 = StandardNormal.sample(rng);
                (mu + sigma * z).exp()
            }
            Sampler::Empirical(v) => v[rng.gen_range(0..v.len())],
            Sampler::Replay(v) => v[index],
            Sampler::Km(km) => km.quantile(1.0 - rng.gen::<f64>()),
            Sampler::Infinite => f64::INFINITY,
        }
    }

    fn replay_len(&self) -> Option<usize> {
        match self {
            Sampler::Replay(v) => Some(v.len()),
            _ => None,
        }
    }
}

#[derive(Default, Clone, Copy)]
struct Acc {
    offered: u64,
    answered: u64,
    within: u64,
    abandoned: u64,
    unserved: u64,
    wait_answered: f64,
    wait_all: f64,
    busy: f64,
}

struct Waiting {
    arrival: f64,
    deadline: f64,
    service: f64,
    interval: u32,
}

/// Runs the simulation described in the module documentation.
///
/// Errors: interval not > 0, no intervals, Poisson volumes not one per
/// interval or negative, replay offsets outside `[0, horizon)` or NaN, a
/// `Dist::Replay` shorter than the number of callers, bad distribution
/// parameters, target not ≥ 0.
pub fn simulate(input: &SimulationInput) -> Result<SimulationResult, SimError> {
    let dt = input.interval_seconds;
    if !(dt.is_finite() && dt > 0.0) {
        return Err(invalid(
            "interval_seconds",
            "must be a finite number above 0",
        ));
    }
    let n_int = input.agents_per_interval.len();
    if n_int == 0 {
        return Err(invalid(
            "agents_per_interval",
            "needs at least one interval",
        ));
    }
    if input.target_seconds.is_nan() || input.target_seconds < 0.0 {
        return Err(invalid("target_seconds", "must be 0 or more"));
    }
    let horizon = dt * n_int as f64;
    let mut rng_arr = ChaCha8Rng::seed_from_u64(input.seed);
    rng_arr.set_stream(1);
    let mut rng_svc = ChaCha8Rng::seed_from_u64(input.seed);
    rng_svc.set_stream(2);
    let mut rng_pat = ChaCha8Rng::seed_from_u64(input.seed);
    rng_pat.set_stream(3);

    // Arrival times (sorted) and each caller's index in the source order.
    let (times, order): (Vec<f64>, Option<Vec<u32>>) = match &input.arrivals {
        ArrivalSource::Poisson { volumes } => {
            if volumes.len() != n_int {
                return Err(invalid(
                    "arrivals.volumes",
                    format!("{} volumes for {n_int} intervals", volumes.len()),
                ));
            }
            let mut t = Vec::with_capacity(volumes.iter().sum::<f64>().max(0.0) as usize + 16);
            for (i, &v) in volumes.iter().enumerate() {
                if !(v.is_finite() && v >= 0.0) {
                    return Err(invalid("arrivals.volumes", "must be finite and ≥ 0"));
                }
                if v == 0.0 {
                    continue;
                }
                let start = i as f64 * dt;
                let end = start + dt;
                let mean_gap = dt / v;
                let mut x = start;
                loop {
                    let e: f64 = Exp1.sample(&mut rng_arr);
                    x += e * mean_gap;
                    if x >= end {
                        break;
                    }
                    t.push(x);
                }
            }
            (t, None)
        }
        ArrivalSource::Replay {
            arrival_offsets_seconds: offs,
        } => {
            if offs.iter().any(|&x| !(x >= 0.0 && x < horizon)) {
                return Err(invalid(
                    "arrivals.arrival_offsets_seconds",
                    "every offset must be within [0, number of intervals × interval_seconds)",
                ));
            }
            if offs.windows(2).all(|w| w[0] <= w[1]) {
                (offs.clone(), None)
            } else {
                let mut idx: Vec<u32> = (0..offs.len() as u32).collect();
                idx.sort_by(|&a, &b| offs[a as usize].total_cmp(&offs[b as usize]));
                (idx.iter().map(|&i| offs[i as usize]).collect(), Some(idx))
            }
        }
    };
    let n_calls = times.len();

    let service = Sampler::new(&input.service, "service")?;
    let patience = match &input.patience {
        Some(d) => Sampler::new(d, "patience")?,
        None => Sampler::Infinite,
    };
    for (s, field) in [(&service, "service"), (&patience, "patience")] {
        if let Some(len) = s.replay_len() {
            if len < n_calls {
                return Err(invalid(
                    field,
                    format!("replay has {len} values for {n_calls} callers"),
                ));
            }
        }
    }

    let agents = &input.agents_per_interval;
    let target = input.target_seconds;
    let mut acc = vec![Acc::default(); n_int];
    let mut queue: VecDeque<Waiting> = VecDeque::new();
    let mut busy_heap: BinaryHeap<Reverse<u64>> = BinaryHeap::with_capacity(64);
    let mut cap = agents[0] as usize;
    let mut next_boundary = 1usize;

    // Adds a service [s, s + d) to the busy time of the clock intervals it spans.
    let add_busy = |acc: &mut [Acc], s: f64, d: f64| {
        let e = s + d;
        let mut i = (s / dt) as usize;
        let mut from = s;
        while i < n_int && from < e {
            let to = e.min((i + 1) as f64 * dt);
            acc[i].busy += to - from;
            from = to;
            i += 1;
        }
    };

    let start_service =
        |acc: &mut [Acc], heap: &mut BinaryHeap<Reverse<u64>>, now: f64, w: &Waiting| {
            let a = &mut acc[w.interval as usize];
            let wait = now - w.arrival;
            a.answered += 1;
            a.wait_answered += wait;
            a.wait_all += wait;
            if wait <= target {
                a.within += 1;
            }
            add_busy(acc, now, w.service);
            heap.push(Reverse((now + w.service).to_bits()));
        };

    let dispatch = |acc: &mut [Acc],
                    heap: &mut BinaryHeap<Reverse<u64>>,
                    queue: &mut VecDeque<Waiting>,
                    cap: usize,
                    now: f64| {
        while heap.len() < cap {
            let Some(w) = queue.pop_front() else { break };
            if w.deadline <= now {
                let a = &mut acc[w.interval as usize];
                a.abandoned += 1;
                a.wait_all += w.deadline - w.arrival;
            } else {
                start_service(acc, heap, now, &w);
            }
        }
    };

    let mut k = 0usize;
    loop {
        let ta = if k < n_calls { times[k] } else { f64::INFINITY };
        let tc = busy_heap
            .peek()
            .map_or(f64::INFINITY, |r| f64::from_bits(r.0));
        let tb = if next_boundary < n_int {
            next_boundary as f64 * dt
        } else {
            f64::INFINITY
        };
        if tc <= ta && tc <= tb {
            if tc.is_infinite() {
                break;
            }
            busy_heap.pop();
            if !queue.is_empty() {
                dispatch(&mut acc, &mut busy_heap, &mut queue, cap, tc);
            }
        } else if tb <= ta {
            cap = agents[next_boundary] as usize;
            next_boundary += 1;
            if !queue.is_empty() {
                dispatch(&mut acc, &mut busy_heap, &mut queue, cap, tb);
            }
        } else {
            let src = order.as_ref().map_or(k, |o| o[k] as usize);
            let interval = ((ta / dt) as usize).min(n_int - 1);
            let svc = service.sample(&mut rng_svc, src);
            let pat = patience.sample(&mut rng_pat, src);
            acc[interval].offered += 1;
            let w = Waiting {
                arrival: ta,
                deadline: ta + pat,
                service: svc,
                interval: interval as u32,
            };
            if queue.is_empty() && busy_heap.len() < cap {
                start_service(&mut acc, &mut busy_heap, ta, &w);
            } else if pat <= 0.0 {
                acc[interval].abandoned += 1;
            } else {
                queue.push_back(w);
            }
            k += 1;
        }
    }
    // Nobody left to answer: the rest hang up at their deadline, or wait forever.
    for w in queue.drain(..) {
        let a = &mut acc[w.interval as usize];
        if w.deadline.is_finite() {
            a.abandoned += 1;
            a.wait_all += w.deadline - w.arrival;
        } else {
            a.unserved += 1;
        }
    }

    let finish = |a: &Acc, agents: u32, staffed: f64| {
        let off = a.offered as f64;
        IntervalResult {
            agents,
            offered: a.offered,
            answered: a.answered,
            answered_within_target: a.within,
            abandoned: a.abandoned,
            unserved: a.unserved,
            service_level: if a.offered > 0 {
                a.within as f64 / off
            } else {
                1.0
            },
            asa_seconds: if a.answered > 0 {
                a.wait_answered / a.answered as f64
            } else {
                0.0
            },
            mean_wait_seconds: if a.offered > 0 { a.wait_all / off } else { 0.0 },
            abandon_rate: if a.offered > 0 {
                a.abandoned as f64 / off
            } else {
                0.0
            },
            occupancy: if a.busy > 0.0 {
                a.busy / staffed.max(a.busy)
            } else {
                0.0
            },
        }
    };
    let intervals: Vec<IntervalResult> = acc
        .iter()
        .zip(agents)
        .map(|(a, &n)| finish(a, n, f64::from(n) * dt))
        .collect();
    let mut tot = Acc::default();
    let mut staffed = 0.0;
    for (a, &n) in acc.iter().zip(agents) {
        tot.offered += a.offered;
        tot.answered += a.answered;
        tot.within += a.within;
        tot.abandoned += a.abandoned;
        tot.unserved += a.unserved;
        tot.wait_answered += a.wait_answered;
        tot.wait_all += a.wait_all;
        tot.busy += a.busy;
        staffed += f64::from(n) * dt;
    }
    let peak = agents.iter().copied().max().unwrap_or(0);
    Ok(SimulationResult {
        intervals,
        totals: finish(&tot, peak, staffed),
    })
}
