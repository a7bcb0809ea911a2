//! What a staffing computation will cost, known before it runs.
//!
//! The head-count searches walk the agent count up from zero (Erlang B's
//! recursion), so their work grows with the agents an interval needs, not
//! only with the number of intervals: one interval of a million erlangs is
//! millions of steps. [`work_estimate`] counts those steps from the load
//! alone, so a caller can refuse a request that would run for minutes
//! before it starts.
//!
//! One unit is one agent step of the Erlang C search, 10–18 ns in a release
//! build on a 2-core machine of 2026 (measured over 10²–10⁷ erlangs; Erlang
//! A, chat and deferred work are expressed in the same unit).

use super::channel::ChannelModel;
use super::input::{StaffingTarget, Workload};
use super::model::QueueModel;

/// Agent steps of one interval: the Erlang C search goes once up to the
/// answer (at least the load over the occupancy cap, plus the square-root
/// margin of a service goal) and twice more over as many steps (Erlang B at
/// the start and below the answer); counted as one unit per agent.
fn agent_steps(erlangs: f64, max_occupancy: f64) -> f64 {
    if !(erlangs.is_finite() && erlangs > 0.0) {
        return 1.0;
    }
    erlangs.max(erlangs / max_occupancy.max(1e-6)) + 4.0 * erlangs.sqrt() + 1.0
}

/// How much more an Erlang A search costs than Erlang C on the same load:
/// it runs Erlang C for a hint, then evaluates the queue's tail (longer the
/// more patient callers are relative to the handle time, and the more
/// agents below the load a low goal allows). Fitted so that it is never
/// below the measured work and at most 2.5 times above it.
fn erlang_a_factor(patience_seconds: f64, aht_seconds: f64, service_level: f64) -> f64 {
    if !patience_seconds.is_finite() || aht_seconds <= 0.0 {
        return 1.0;
    }
    2.0 + (patience_seconds / aht_seconds).max(0.0).sqrt() / 4.0
        + 2.0 * (1.0 - service_level).max(0.0)
}

fn queue_factor(queue: QueueModel, aht_seconds: f64, service_level: f64) -> f64 {
    match queue {
        QueueModel::ErlangC => 1.0,
        QueueModel::ErlangA { patience_seconds } => {
            erlang_a_factor(patience_seconds, aht_seconds, service_level)
        }
    }
}

/// The work [`channel_requirements`](super::channel_requirements) will do
/// on `load`, in agent steps (see the module doc). Deferred work plans the
/// whole horizon at once in `O(n log n)`: one unit per interval.
pub fn work_estimate(model: &ChannelModel, load: &[Workload], target: &StaffingTarget) -> f64 {
    let (occupancy, service_level) = (target.max_occupancy(), target.goal().service_level());
    load.iter()
        .map(|w| match *model {
            ChannelModel::Voice(queue) => {
                agent_steps(w.erlangs(), occupancy)
                    * queue_factor(queue, w.aht_seconds(), service_level)
            }
            // Slots searched like voice, then one more pass to check the
            // head count at full concurrency.
            ChannelModel::Chat {
                handle_time_factor,
                queue,
                ..
            } => {
                let aht = w.aht_seconds() * handle_time_factor;
                agent_steps(w.erlangs() * handle_time_factor, occupancy)
                    * queue_factor(queue, aht, service_level)
                    * 1.5
            }
            ChannelModel::Deferred { .. } => 1.0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ServiceGoal;

    fn target(sl: f64, occupancy: f64) -> StaffingTarget {
        StaffingTarget::new(
            ServiceGoal::new(sl, 20.0, None, None).unwrap(),
            occupancy,
            0.3,
        )
        .unwrap()
    }

    fn load(n: usize, volume: f64) -> Vec<Workload> {
        Workload::series((0..n).map(|_| (volume, 180.0)), 900.0).unwrap()
    }

    #[test]
    fn work_grows_with_the_agents_searched_not_only_the_intervals() {
        let voice = ChannelModel::Voice(QueueModel::ErlangC);
        let t = target(0.8, 0.85);
        // 1,000 erlangs: at least 1000 / 0.85 agents walked through.
        let one = work_estimate(&voice, &load(1, 5000.0), &t);
        assert!((1000.0 / 0.85..3000.0).contains(&one), "{one}");
        let hundred = work_estimate(&voice, &load(100, 5000.0), &t);
        assert!((hundred - 100.0 * one).abs() < 1e-6 * hundred);
        // A thousand times the calls: about a thousand times the work.
        let big = work_estimate(&voice, &load(1, 5_000_000.0), &t);
        assert!((700.0..1300.0).contains(&(big / one)), "{}", big / one);
        // No calls: next to nothing.
        assert!(work_estimate(&voice, &load(10, 0.0), &t) <= 10.0);
    }

    #[test]
    fn erlang_a_and_chat_cost_more_than_erlang_c_deferred_work_less() {
        let t = target(0.8, 0.85);
        let l = load(10, 50_000.0);
        let c = work_estimate(&ChannelModel::Voice(QueueModel::ErlangC), &l, &t);
        let a = work_estimate(
            &ChannelModel::Voice(QueueModel::ErlangA {
                patience_seconds: 300.0,
            }),
            &l,
            &t,
        );
        let patient = work_estimate(
            &ChannelModel::Voice(QueueModel::ErlangA {
                patience_seconds: 1e5,
            }),
            &l,
            &t,
        );
        let chat = work_estimate(
            &ChannelModel::Chat {
                concurrency: 3,
                handle_time_factor: 1.0,
                queue: QueueModel::ErlangC,
            },
            &l,
            &t,
        );
        let deferred = work_estimate(
            &ChannelModel::Deferred {
                deadline_seconds: 3600.0,
            },
            &l,
            &t,
        );
        assert!(c < a && a < patient, "{c} {a} {patient}");
        assert!(c < chat);
        assert_eq!(deferred, 10.0);
        // Infinite patience is Erlang C.
        let infinite = work_estimate(
            &ChannelModel::Voice(QueueModel::ErlangA {
                patience_seconds: f64::INFINITY,
            }),
            &l,
            &t,
        );
        assert_eq!(infinite, c);
    }
}
