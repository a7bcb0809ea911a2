use crate::domain::ServiceGoal;
use crate::staffing::{promise, queue_metrics, ArrivalLaw, QueueModel, Servers, VolumeBand};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One interval: the load, who is rostered, and the service that gives.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct IntervalService {
    pub start: DateTime<Utc>,
    pub volume: f64,
    pub aht_seconds: f64,
    pub agents_rostered: u32,
    /// Rostered agents left after shrinkage (rounded down): who takes contacts.
    pub agents_productive: u32,
    pub service_level: f64,
    pub asa_seconds: f64,
    pub occupancy: f64,
    /// False when the queue is closed then: left out of the totals.
    pub open: bool,
    /// Under forecast uncertainty (the band and Poisson counts): the
    /// service level the calls can expect at this head count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_service_level: Option<f64>,
    /// Under forecast uncertainty: the chance the goal holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal_probability: Option<f64>,
    /// Under forecast uncertainty: the most calls this head count serves to
    /// the goal; the chance is that of the count staying at or under it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staffed_volume: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RosterService {
    pub intervals: Vec<IntervalService>,
    /// Share of all contacts answered within the target (volume-weighted),
    /// over open intervals.
    pub service_level: f64,
    /// Open intervals with contacts whose service level is under the goal.
    pub intervals_below_goal: usize,
    /// Under forecast uncertainty, over the open intervals: the service
    /// level of all their calls, and the share of them expected to meet
    /// the goal (the mean of their chances). Set by [`RosterService::under_uncertainty`].
    pub expected_service_level: Option<f64>,
    pub expected_share_meeting_goal: Option<f64>,
}

impl RosterService {
    /// The same check with the intervals where `open` says no marked closed
    /// and left out of the totals (stray contacts while closed are no
    /// service failure: nobody was meant to answer them).
    pub fn with_closed(
        self,
        open: impl Fn(DateTime<Utc>) -> bool,
        goal_service_level: f64,
    ) -> RosterService {
        let intervals = self
            .intervals
            .into_iter()
            .map(|i| IntervalService {
                open: open(i.start),
                ..i
            })
            .collect();
        summarise(intervals, goal_service_level)
    }
}

impl RosterService {
    /// Adds what the roster promises when each interval's volume is as
    /// uncertain as `band(start)` says (see `staffing::uncertainty`): per
    /// open interval the expected service level and the chance of meeting
    /// `goal`, and their totals. Intervals without a band get neither, and
    /// then there are no totals.
    pub fn under_uncertainty(
        mut self,
        model: QueueModel,
        interval_seconds: f64,
        goal: &ServiceGoal,
        band: impl Fn(DateTime<Utc>) -> Option<VolumeBand>,
    ) -> RosterService {
        let (mut calls, mut answered, mut chances, mut open, mut all_banded) =
            (0.0, 0.0, 0.0, 0usize, true);
        for i in self.intervals.iter_mut().filter(|i| i.open) {
            open += 1;
            let Some(b) = band(i.start) else {
                all_banded = false;
                continue;
            };
            let law = ArrivalLaw::from_band(b);
            let at = Servers {
                model,
                servers: i.agents_productive,
                interval_seconds,
                aht_seconds: i.aht_seconds,
            };
            let p = promise(&law, &at, goal);
            i.expected_service_level = p.expected_service_level;
            i.goal_probability = Some(p.goal_probability);
            i.staffed_volume = Some(p.most_calls);
            chances += p.goal_probability;
            if let Some(sl) = p.expected_service_level {
                // Weighted by the calls expected: the band's centre.
                calls += b.volume;
                answered += b.volume * sl;
            }
        }
        if all_banded && open > 0 {
            self.expected_service_level = Some(if calls > 0.0 { answered / calls } else { 1.0 });
            self.expected_share_meeting_goal = Some(chances / open as f64);
        }
        self
    }
}

/// Totals over the open intervals.
fn summarise(intervals: Vec<IntervalService>, goal_service_level: f64) -> RosterService {
    let open = || intervals.iter().filter(|i| i.open);
    let volume: f64 = open().map(|i| i.volume).sum();
    let answered: f64 = open().map(|i| i.volume * i.service_level).sum();
    RosterService {
        service_level: if volume > 0.0 { answered / volume } else { 1.0 },
        intervals_below_goal: open()
            .filter(|i| i.volume > 0.0 && i.service_level < goal_service_level)
            .count(),
        intervals,
        expected_service_level: None,
        expected_share_meeting_goal: None,
    }
}

/// Load per interval is `(start, volume, aht_seconds)`; `rostered(start)`
/// gives agents on the phones then. Shrinkage is taken off rostered agents
/// (rounded down, so the check errs on the side of caution).
pub fn service_of_roster(
    load: &[(DateTime<Utc>, f64, f64)],
    rostered: impl Fn(DateTime<Utc>) -> u32,
    interval_seconds: f64,
    target_seconds: f64,
    shrinkage: f64,
    goal_service_level: f64,
) -> RosterService {
    service_of_roster_with(
        QueueModel::ErlangC,
        load,
        rostered,
        interval_seconds,
        target_seconds,
        shrinkage,
        goal_service_level,
    )
}

/// [`service_of_roster`] under any queue model (Erlang A: service level counts
/// callers who hang up as not answered; `asa_seconds` is then the mean wait
/// over all callers).
pub fn service_of_roster_with(
    model: QueueModel,
    load: &[(DateTime<Utc>, f64, f64)],
    rostered: impl Fn(DateTime<Utc>) -> u32,
    interval_seconds: f64,
    target_seconds: f64,
    shrinkage: f64,
    goal_service_level: f64,
) -> RosterService {
    let intervals: Vec<IntervalService> = load
        .iter()
        .map(|&(start, volume, aht_seconds)| {
            let agents_rostered = rostered(start);
            let agents_productive = productive_agents(agents_rostered, shrinkage);
            let m = queue_metrics(
                model,
                volume,
                interval_seconds,
                aht_seconds,
                agents_productive,
                target_seconds,
            );
            IntervalService {
                start,
                volume,
                aht_seconds,
                agents_rostered,
                agents_productive,
                service_level: m.service_level,
                asa_seconds: m.asa_seconds,
                occupancy: m.occupancy,
                open: true,
                expected_service_level: None,
                goal_probability: None,
                staffed_volume: None,
            }
        })
        .collect();
    summarise(intervals, goal_service_level)
}

/// Agents actually taking contacts out of `rostered` after shrinkage
/// (breaks not in the roster, meetings, absence): rounded down, with a
/// tolerance so 10 × (1 − 0.3) is 7, not 6.
pub fn productive_agents(rostered: u32, shrinkage: f64) -> u32 {
    (f64::from(rostered) * (1.0 - shrinkage) + 1e-9).floor() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_agents_never_lower_service() {
        let t: DateTime<Utc> = "2026-01-05T08:00:00Z".parse().unwrap();
        let load = [(t, 100.0, 180.0)];
        let few = service_of_roster(&load, |_| 15, 1800.0, 19.8, 0.3, 0.8);
        let many = service_of_roster(&load, |_| 20, 1800.0, 19.8, 0.3, 0.8);
        // 20 rostered with 30% shrinkage leaves 14 productive: the pyworkforce
        // case (target 0.33 min), SL 0.887853.
        assert_eq!(many.intervals[0].agents_productive, 14);
        assert!(
            (many.service_level - 0.887853).abs() < 1e-5,
            "{}",
            many.service_level
        );
        assert!(few.service_level < many.service_level);
        assert_eq!(few.intervals_below_goal, 1);
        assert_eq!(many.intervals_below_goal, 0);
    }

    #[test]
    fn erlang_a_check_sees_fewer_waits_than_erlang_c() {
        let t: DateTime<Utc> = "2026-01-05T08:00:00Z".parse().unwrap();
        let load = [(t, 100.0, 180.0)];
        let a = QueueModel::ErlangA {
            patience_seconds: 300.0,
        };
        let c = service_of_roster(&load, |_| 20, 1800.0, 20.0, 0.3, 0.8);
        let ea = service_of_roster_with(a, &load, |_| 20, 1800.0, 20.0, 0.3, 0.8);
        // pyworkforce Erlang A snapshot at 14 productive agents: SL 0.916792.
        assert!((ea.service_level - 0.916792).abs() < 1e-6, "{ea:?}");
        assert!(ea.service_level > c.service_level);
    }

    #[test]
    fn no_contacts_means_full_service() {
        let t: DateTime<Utc> = "2026-01-05T08:00:00Z".parse().unwrap();
        let r = service_of_roster(&[(t, 0.0, 180.0)], |_| 0, 900.0, 20.0, 0.3, 0.8);
        assert_eq!(r.service_level, 1.0);
        assert_eq!(r.intervals_below_goal, 0);
    }

    #[test]
    fn closed_intervals_leave_the_totals() {
        let t: DateTime<Utc> = "2026-01-05T08:00:00Z".parse().unwrap();
        let night = t - chrono::Duration::hours(6);
        // Two stray calls at night with nobody on, 100 by day with 20 on.
        let load = [(night, 2.0, 180.0), (t, 100.0, 180.0)];
        let on = |s: DateTime<Utc>| if s == t { 20 } else { 0 };
        let all = service_of_roster(&load, on, 1800.0, 20.0, 0.3, 0.8);
        assert_eq!(all.intervals_below_goal, 1);
        let day = service_of_roster(&load[1..], on, 1800.0, 20.0, 0.3, 0.8);
        let open = all.clone().with_closed(|s| s != night, 0.8);
        // The night counted as 0 % before; now the figure is the day's alone.
        assert!(all.service_level < day.service_level - 0.01, "{all:?}");
        assert!((open.service_level - day.service_level).abs() < 1e-12);
        assert_eq!(open.intervals_below_goal, 0);
        assert!(!open.intervals[0].open && open.intervals[1].open);
        assert_eq!(open.intervals[0].service_level, 0.0, "still shown");
    }
}
