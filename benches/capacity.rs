#![allow(clippy::unwrap_used)] // benchmark harness: a failed unwrap is a failed run
//! Capacity plan speed: 78 weeks of 30-minute requirements (26,208
//! intervals, Europe/Paris, a day shape, Sundays closed, a winter peak of
//! +60 % in each year), a pool of 120 FTE short of the peak, 3 %/month
//! attrition, a planned class, overtime, temps and VTO. The same-run
//! baseline only sums the intervals into weekly need; then the whole plan
//! (weekly FTE, LP, classes, trim, latest starts), with two what-if
//! variants, and over 156 weeks for scale.
//! Run: `cargo bench --bench capacity`.

use chrono::{Datelike, Duration, TimeZone, Timelike, Utc};
use serde_json::json;
use staffcast::capacity::{plan_capacity, weekly_load, CapacityRequest, NeedInterval};
use std::hint::black_box;
use std::time::Instant;

const PARIS: chrono_tz::Tz = chrono_tz::Europe::Paris;

fn requirements(weeks: i64) -> Vec<NeedInterval> {
    let start = PARIS
        .with_ymd_and_hms(2027, 1, 4, 0, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let end = PARIS
        .with_ymd_and_hms(2027, 1, 4, 0, 0, 0)
        .unwrap()
        .checked_add_signed(Duration::weeks(weeks))
        .unwrap()
        .with_timezone(&Utc);
    let mut out = Vec::new();
    let mut t = start;
    while t < end {
        let local = t.with_timezone(&PARIS);
        let week = (t - start).num_weeks() % 52;
        let hour = f64::from(local.hour()) + f64::from(local.minute()) / 60.0;
        let open = (8.0..20.0).contains(&hour) && local.weekday() != chrono::Weekday::Sun;
        let season = 1.0 + 0.6 * (-((week as f64 - 46.0) / 4.0).powi(2)).exp();
        let shape = 1.0 + 0.4 * ((hour - 8.0) / 12.0 * std::f64::consts::PI).sin();
        let agents = if open {
            (25.0 * season * shape).round()
        } else {
            0.0
        };
        out.push(NeedInterval {
            start: t,
            agents_net: agents,
        });
        t += Duration::minutes(30);
    }
    out
}

fn request(variants: bool) -> CapacityRequest {
    let mut body = json!({
        "plan": {
            "current_fte": 120, "cost_per_hour": 22, "attrition_percent_per_month": 3,
            "shrinkage_percent": 32, "leave_percent": 8,
            "holidays": ["2027-04-05", "2027-05-24", "2027-12-25", "2028-01-01", "2028-04-17"],
            "overtime": {"max_percent": 10}, "temps": {"max_headcount": 20, "lead_weeks": 4},
            "new_hires": {"training_weeks": 5, "ramp": [0.5, 0.75, 0.9]},
            "hiring_classes": [{"start_week": "2027-03-01", "size": 12}]
        }
    });
    if variants {
        body["variants"] = json!([
            {"name": "attrition 5%", "plan": {"attrition_percent_per_month": 5}},
            {"name": "no temps", "plan": {"temps": {"max_headcount": 0}}}
        ]);
    }
    serde_json::from_value(body).unwrap()
}

/// Best of `reps` runs, in milliseconds, and the last result's check value.
fn time<F: FnMut() -> f64>(reps: usize, mut f: F) -> (f64, f64) {
    let mut best = f64::INFINITY;
    let mut check = 0.0;
    for _ in 0..reps {
        let t = Instant::now();
        check = black_box(f());
        best = best.min(t.elapsed().as_secs_f64() * 1e3);
    }
    (best, check)
}

fn main() {
    let reqs78 = requirements(78);
    let reqs156 = requirements(156);
    println!(
        "{} and {} half-hour intervals (78 and 156 weeks); best of 5 runs",
        reqs78.len(),
        reqs156.len()
    );
    println!("| what | ms | check |");
    println!("| --- | ---: | ---: |");
    let row = |label: &str, (ms, check): (f64, f64)| println!("| {label} | {ms:.2} | {check:.1} |");
    row(
        "baseline: sum 78 weeks of intervals into weekly need (hours)",
        time(5, || {
            weekly_load(&reqs78, 30, PARIS)
                .unwrap()
                .need_hours
                .iter()
                .sum()
        }),
    );
    fn plan(reqs: &[NeedInterval], variants: bool) -> impl FnMut() -> f64 + '_ {
        move || {
            let p = plan_capacity(reqs, 30, PARIS, &request(variants)).unwrap();
            f64::from(p.scenarios.iter().map(|s| s.totals.hires).sum::<u32>())
        }
    }
    row(
        "capacity plan, 78 weeks, base only (hires)",
        time(5, plan(&reqs78, false)),
    );
    row(
        "capacity plan, 78 weeks, base + 2 variants (hires, all three)",
        time(5, plan(&reqs78, true)),
    );
    row(
        "capacity plan, 156 weeks, base only (hires)",
        time(3, plan(&reqs156, false)),
    );
}
