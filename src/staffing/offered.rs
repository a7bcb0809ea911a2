//! How many of the contacts a history counts reach agents.
//!
//! An interval history is often counted upstream of the queue: a voice
//! menu's hang-ups and self-served calls are in it, and never wait for an
//! agent. A forecast of that history staffs for them too (bank, February
//! 1999: the history counts 6.6 % more calls than reached the queue). The
//! per-call records of the same days say what was offered, so the share is
//! learnt from them: the calls they offered over the history's own
//! intervals in the [`LEARN_DAYS`] before the forecast's origin, against
//! what the history counted there. A queue's `offered_percent` sets it
//! instead. Staffing (requirements, `/check`, `/simulate`) takes that share
//! of the forecast; the forecast itself stays in the history's units, so
//! its accuracy is still measured against the history.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Days of call records before the origin the share is learnt from: recent
/// enough to follow a change in the menu, long enough for whole weeks.
pub const LEARN_DAYS: i64 = 28;

/// Fewest calls a learnt share rests on: at 500 a Poisson count's own
/// noise is about 4.5 %, below the differences worth correcting.
pub const MIN_CALLS: u64 = 500;

/// A learnt share outside this range is not applied: such records cover a
/// different set of contacts than the history (a part of the queue, or
/// more than it), which no single factor mends.
pub const PLAUSIBLE: (f64, f64) = (0.5, 1.5);

/// The share of the forecast staffing takes, and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OfferedShare {
    /// Contacts offered to agents per contact the history counts.
    pub share: f64,
    pub source: OfferedSource,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum OfferedSource {
    /// The queue's `offered_percent`.
    Queue,
    /// Learnt: `calls` offered in the records against `counted` in the
    /// history over the same `intervals`, all before the origin.
    CallRecords {
        calls: u64,
        counted: f64,
        intervals: usize,
    },
}

/// What the records before the origin say of the history.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Learnt {
    /// No call records overlap the history there.
    NoRecords,
    /// Fewer than [`MIN_CALLS`] to rest a share on.
    TooFew { calls: u64 },
    /// Outside [`PLAUSIBLE`]: reported, not applied.
    Implausible(OfferedShare),
    /// Applied: the share, and the calls and counts it rests on.
    Share {
        share: OfferedShare,
        calls: u64,
        counted: f64,
    },
}

/// Learns the share from the history's counts per interval start and the
/// calls offered per interval start, over the intervals the history has.
pub fn learn(
    history: impl IntoIterator<Item = (DateTime<Utc>, f64)>,
    offered: &HashMap<DateTime<Utc>, u64>,
) -> Learnt {
    let (mut calls, mut counted, mut intervals) = (0u64, 0.0, 0usize);
    for (start, volume) in history {
        intervals += 1;
        counted += volume;
        calls += offered.get(&start).copied().unwrap_or(0);
    }
    if calls == 0 {
        return Learnt::NoRecords;
    }
    if calls < MIN_CALLS || counted <= 0.0 {
        return Learnt::TooFew { calls };
    }
    let share = OfferedShare {
        share: calls as f64 / counted,
        source: OfferedSource::CallRecords {
            calls,
            counted,
            intervals,
        },
    };
    if (PLAUSIBLE.0..=PLAUSIBLE.1).contains(&share.share) {
        Learnt::Share {
            share,
            calls,
            counted,
        }
    } else {
        Learnt::Implausible(share)
    }
}

impl OfferedShare {
    /// The queue's own setting.
    pub fn set(share: f64) -> Self {
        OfferedShare {
            share,
            source: OfferedSource::Queue,
        }
    }
}

/// A stored run's share: runs without one staff the forecast as it is.
pub fn share_of(offered: Option<OfferedShare>) -> f64 {
    offered.map_or(1.0, |o| o.share)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn starts(n: usize) -> Vec<DateTime<Utc>> {
        let t0 = Utc.with_ymd_and_hms(1999, 2, 1, 7, 0, 0).unwrap();
        (0..n)
            .map(|i| t0 + Duration::minutes(30 * i as i64))
            .collect()
    }

    #[test]
    fn the_share_is_the_calls_offered_over_the_history_intervals_counted() {
        let t = starts(100);
        let history: Vec<_> = t.iter().map(|&s| (s, 10.0)).collect();
        // 9 offered in each interval, and calls outside the history's
        // intervals that must not count.
        let mut offered: HashMap<_, _> = t.iter().map(|&s| (s, 9u64)).collect();
        offered.insert(t[99] + Duration::minutes(30), 1000);
        match learn(history, &offered) {
            Learnt::Share { share: s, .. } => {
                assert!((s.share - 0.9).abs() < 1e-12, "{s:?}");
                assert_eq!(
                    s.source,
                    OfferedSource::CallRecords {
                        calls: 900,
                        counted: 1000.0,
                        intervals: 100
                    }
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn few_calls_none_or_an_implausible_ratio_are_not_applied() {
        let t = starts(10);
        let history: Vec<_> = t.iter().map(|&s| (s, 10.0)).collect();
        assert_eq!(learn(history.clone(), &HashMap::new()), Learnt::NoRecords);
        let few: HashMap<_, _> = t.iter().map(|&s| (s, 9u64)).collect();
        assert_eq!(learn(history.clone(), &few), Learnt::TooFew { calls: 90 });
        // Records of a fifth of the queue: far outside what one factor mends.
        let part: HashMap<_, _> = t.iter().map(|&s| (s, 2u64)).collect();
        let big: Vec<_> = t.iter().map(|&s| (s, 500.0)).collect();
        match learn(big.clone(), &part) {
            Learnt::TooFew { calls: 20 } => {}
            other => panic!("{other:?}"),
        }
        let part: HashMap<_, _> = t.iter().map(|&s| (s, 100u64)).collect();
        match learn(big, &part) {
            Learnt::Implausible(s) => assert!((s.share - 0.2).abs() < 1e-12),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_run_without_a_share_staffs_the_forecast_as_it_is() {
        assert_eq!(share_of(None), 1.0);
        assert_eq!(share_of(Some(OfferedShare::set(0.94))), 0.94);
    }
}
