//! The share of a forecast that staffing takes: the queue's
//! `offered_percent`, or learnt from its call records before the origin
//! (see [`crate::staffing::offered`]).

use super::AppError;
use crate::db::Database;
use crate::domain::{HistoryRow, QueueId, QueueSpec};
use crate::forecast::ForecastPoint;
use crate::staffing::offered::{learn, Learnt, LEARN_DAYS, MIN_CALLS, PLAUSIBLE};
use crate::staffing::OfferedShare;
use chrono::{DateTime, Duration, Utc};
use std::collections::{HashMap, HashSet};

/// The share a forecast with this origin staffs, and a line for its
/// warnings when it was learnt or could not be.
pub fn offered_share(
    db: &Database,
    queue: QueueId,
    spec: &QueueSpec,
    history: &[HistoryRow],
    origin: DateTime<Utc>,
) -> Result<(Option<OfferedShare>, Option<String>), AppError> {
    if let Some(share) = spec.offered_share {
        return Ok((Some(OfferedShare::set(share)), None));
    }
    let grid = spec.grid();
    let since = origin - Duration::days(LEARN_DAYS);
    let mut offered: HashMap<DateTime<Utc>, u64> = HashMap::new();
    // Only days the records cover: a day before the first record (or in a
    // gap) would count history against no calls.
    let mut days = HashSet::new();
    for arrival in db.call_arrivals(queue, since, origin)? {
        *offered.entry(grid.floor(arrival)).or_default() += 1;
        days.insert(grid.local_date(arrival));
    }
    let counted = history
        .iter()
        .filter(|h| h.start >= since && h.start < origin)
        .filter(|h| days.contains(&grid.local_date(h.start)))
        .map(|h| (h.start, h.volume));
    Ok(match learn(counted, &offered) {
        Learnt::NoRecords => (None, None),
        Learnt::TooFew { calls } => (None, Some(format!(
            "offered: the call records in the {LEARN_DAYS} days before the origin offer {calls} calls on the history's intervals, fewer than the {MIN_CALLS} a share rests on, so staffing takes the forecast's counts as they are (set offered_percent on the queue to say how many reach agents)"
        ))),
        Learnt::Implausible(s) => (None, Some(format!(
            "offered: the call records in the {LEARN_DAYS} days before the origin offer {} of what the history counts there, outside {:.0}-{:.0} % (records of another set of contacts?), so staffing takes the forecast's counts as they are (set offered_percent on the queue if that share is right)",
            percent(s.share), PLAUSIBLE.0 * 100.0, PLAUSIBLE.1 * 100.0
        ))),
        Learnt::Share { share: s, calls, counted } => {
            (Some(s), Some(format!(
                "offered: the call records in the {LEARN_DAYS} days before the origin offered {calls} calls where the history counts {counted:.0}, so requirements, /check and /simulate staff {} of the forecast (set offered_percent on the queue to fix the share, 100 to staff the counts as they are)",
                percent(s.share)
            )))
        }
    })
}

fn percent(share: f64) -> String {
    format!("{:.1} %", share * 100.0)
}

/// A forecast point in contacts offered to agents: point and band alike.
pub fn staffed(p: ForecastPoint, share: f64) -> ForecastPoint {
    ForecastPoint {
        volume: p.volume * share,
        volume_p10: p.volume_p10 * share,
        volume_p90: p.volume_p90 * share,
        ..p
    }
}
