//! The queue's calendar in the models: special days are left out of
//! fitting (every model forecasts *normal days*), then applied on top:
//! closed → 0; holiday and campaign → × the planner's effect, else the
//! effect learned from earlier days *of the same name* (then of the same
//! family and kind), so a moving holiday or a named event (Easter, Black
//! Friday, a campaign) is aligned by name across years, not by date. A
//! normal day right after a closure (or a holiday at < 70% of normal) gets
//! the catch-up effect learned from earlier such days.

use super::calibration::quantile;
use super::models::totals;
use super::series::Series;
use super::special_days::{SpecialDay, SpecialDayKind};
use chrono::NaiveDate;
use std::collections::HashMap;

pub(crate) type Calendar = HashMap<NaiveDate, SpecialDay>;

pub(crate) fn calendar(days: &[SpecialDay]) -> Calendar {
    days.iter().map(|d| (d.date, d.clone())).collect()
}

/// The series with every special day's cells missing (normal days only).
pub(crate) fn normal_days(series: &Series, cal: &Calendar) -> Series {
    let mut s = series.clone();
    if cal.is_empty() {
        return s;
    }
    for d in 0..s.days() {
        if cal.contains_key(&s.date(d)) {
            let n = s.slots;
            s.vol[d * n..(d + 1) * n].fill(f64::NAN);
        }
    }
    s
}

/// Effects of past holidays and campaigns (without a planner effect): each
/// day's total over the mean of up to 4 earlier normal days of the same
/// weekday (within 8 weeks); medians per name, family and kind.
pub(crate) fn learn_effects(
    series: &Series,
    normal: &Series,
    cal: &Calendar,
    minutes: u32,
) -> Vec<(String, f64, usize)> {
    let mut groups: HashMap<String, Vec<f64>> = HashMap::new();
    let nt = totals(normal, minutes);
    for d in 0..series.days() {
        let Some(day) = cal.get(&series.date(d)) else {
            continue;
        };
        if day.kind == SpecialDayKind::Closed {
            push_after(&mut groups, series, &nt, cal, d, minutes);
        }
        if !matches!(day.kind, SpecialDayKind::Holiday | SpecialDayKind::Campaign) {
            continue;
        }
        let Some(actual) = series.day_total(d, minutes) else {
            continue;
        };
        let base: Vec<f64> = (1..=8)
            .filter_map(|k| d.checked_sub(7 * k))
            .filter_map(|e| nt[e])
            .take(4)
            .collect();
        if base.is_empty() {
            continue;
        }
        let base = base.iter().sum::<f64>() / base.len() as f64;
        if base <= 0.0 {
            continue;
        }
        let ratio = actual / base;
        // The next day, when normal, after a day that (nearly) closed.
        if ratio < LOW_DAY {
            push_after(&mut groups, series, &nt, cal, d, minutes);
        }
        let kind = serde_json::to_string(&day.kind).unwrap_or_default();
        for key in [
            format!("name:{}", day.name.to_lowercase()),
            format!("family:{}", day.family()),
            format!("kind:{}", kind.trim_matches('"')),
        ] {
            groups.entry(key).or_default().push(ratio);
        }
    }
    let mut out: Vec<(String, f64, usize)> = groups
        .into_iter()
        .map(|(k, mut v)| {
            v.sort_by(f64::total_cmp);
            let m = quantile(&v, 0.5);
            (k, m, v.len())
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// A holiday forecast (or seen) below this share of normal counts as a
/// closure for the day-after effect.
const LOW_DAY: f64 = 0.7;
const AFTER_KEY: &str = "after:holiday_or_closure";

/// Mean of up to 4 earlier normal totals of the same weekday (8 weeks).
fn same_weekday_base(nt: &[Option<f64>], d: usize) -> Option<f64> {
    let base: Vec<f64> = (1..=8)
        .filter_map(|k| d.checked_sub(7 * k))
        .filter_map(|e| nt[e])
        .take(4)
        .collect();
    let m = base.iter().sum::<f64>() / base.len().max(1) as f64;
    (m > 0.0).then_some(m)
}

/// Records the ratio of the day after `d` (catch-up after a closure) when
/// that day is a normal day.
fn push_after(
    groups: &mut HashMap<String, Vec<f64>>,
    series: &Series,
    nt: &[Option<f64>],
    cal: &Calendar,
    d: usize,
    minutes: u32,
) {
    let next = d + 1;
    if next >= series.days() || cal.contains_key(&series.date(next)) {
        return;
    }
    if let (Some(actual), Some(base)) =
        (series.day_total(next, minutes), same_weekday_base(nt, next))
    {
        groups
            .entry(AFTER_KEY.to_string())
            .or_default()
            .push(actual / base);
    }
}

/// The multiplier of the normal forecast on `date` (None = normal day).
pub(crate) fn day_effect(
    special_days: &[SpecialDay],
    learned_effects: &[(String, f64, usize)],
    date: NaiveDate,
) -> Option<f64> {
    let Some(day) = special_days.iter().find(|d| d.date == date) else {
        // A normal day after a closure or a near-closed holiday: the
        // catch-up effect learned from history (at least 2 such days).
        let prev = date.pred_opt()?;
        let low = special_days
            .iter()
            .any(|d| d.date == prev && d.kind != SpecialDayKind::Outlier)
            && day_effect(special_days, learned_effects, prev).is_some_and(|e| e < LOW_DAY);
        return learned_effects
            .iter()
            .find(|(k, _, n)| low && k == AFTER_KEY && *n >= 2)
            .map(|e| e.1);
    };
    match day.kind {
        SpecialDayKind::Closed => Some(0.0),
        SpecialDayKind::Outlier => None,
        SpecialDayKind::Holiday | SpecialDayKind::Campaign => {
            if let Some(e) = day.effect {
                return Some(e);
            }
            let kind = serde_json::to_string(&day.kind).unwrap_or_default();
            let keys = [
                format!("name:{}", day.name.to_lowercase()),
                format!("family:{}", day.family()),
                format!("kind:{}", kind.trim_matches('"')),
            ];
            keys.iter()
                .find_map(|k| {
                    learned_effects
                        .iter()
                        .find(|(key, _, _)| key == k)
                        .map(|e| e.1)
                })
                .or(Some(1.0))
        }
    }
}
