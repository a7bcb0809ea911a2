#![allow(clippy::unwrap_used)] // benchmark harness: a failed unwrap is a failed run
//! Forecast accuracy on the bank year and engine speed.
//! Run: `scripts/bench_forecast.sh` (= `cargo bench --bench forecast`).
//!
//! Accuracy: weekly rolling origins (local midnight) from 1999-09-01 to
//! 1999-12-31, one week ahead, history before each origin only, special days
//! from data/special-days/israel_1999.csv (outlier/imputed days not scored).
//! Every engine model, `auto` (chosen by backtests before each origin) and
//! the plain 6-week average (the app's current model) in the same run.
//! Speed: fit + backtest + forecast of a year of 15-minute history.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use staffcast::domain::history::{parse_history_csv, OffGrid};
use staffcast::domain::{Grid, HistoryRow};
use staffcast::forecast::{
    forecast_many, forecast_with, forecast_with_specs, parse_special_days, EnsembleParams,
    ForecastPoint, ModelName, ModelSelection, ModelSpec, QueueInput, RegressionParams,
    SpecialDayKind, TopDownParams, WeeklyAverageParams, WeightedAverageParams,
};
use std::collections::HashMap;
use std::time::Instant;

#[derive(Default, Clone)]
struct Acc {
    abs: [f64; 2],
    actual: [f64; 2],
    inside: usize,
    scored: usize,
    mase_sum: f64,
    mase_n: usize,
}

impl Acc {
    fn add(
        &mut self,
        holiday: bool,
        points: &[ForecastPoint],
        actual: &HashMap<DateTime<Utc>, f64>,
        scale: f64,
    ) {
        let h = usize::from(holiday);
        let mut abs = 0.0;
        let mut n = 0usize;
        for p in points {
            let Some(y) = actual.get(&p.start) else {
                continue;
            };
            self.abs[h] += (y - p.volume).abs();
            self.actual[h] += y;
            abs += (y - p.volume).abs();
            n += 1;
            self.scored += 1;
            if *y >= p.volume_p10 && *y <= p.volume_p90 {
                self.inside += 1;
            }
        }
        if n > 0 && scale > 0.0 {
            self.mase_sum += abs / n as f64 / scale;
            self.mase_n += 1;
        }
    }
    fn wape(&self, which: Option<usize>) -> f64 {
        match which {
            Some(h) => self.abs[h] / self.actual[h],
            None => (self.abs[0] + self.abs[1]) / (self.actual[0] + self.actual[1]),
        }
    }
}

fn main() {
    let root = env!("CARGO_MANIFEST_DIR");
    let grid = Grid::new(30, "Asia/Jerusalem".parse().unwrap());
    let bytes = std::fs::read(format!("{root}/data/sample/bank_1999_30min.csv")).unwrap();
    let history = parse_history_csv(&bytes, &grid, OffGrid::Reject)
        .unwrap()
        .rows;
    let special = parse_special_days(
        &std::fs::read(format!("{root}/data/special-days/israel_1999.csv")).unwrap(),
    )
    .unwrap();
    let skip: Vec<NaiveDate> = special
        .iter()
        .filter(|d| d.kind == SpecialDayKind::Outlier)
        .map(|d| d.date)
        .collect();
    let holidays: Vec<NaiveDate> = special
        .iter()
        .filter(|d| matches!(d.kind, SpecialDayKind::Holiday | SpecialDayKind::Closed))
        .map(|d| d.date)
        .collect();
    let actual_all: HashMap<DateTime<Utc>, f64> =
        history.iter().map(|r| (r.start, r.volume)).collect();
    let end = grid.start_of_day(NaiveDate::from_ymd_opt(2000, 1, 1).unwrap());

    let mut names: Vec<String> = vec!["6-week average (base)".into()];
    names.extend(ModelName::ALL.iter().map(|m| m.to_string()));
    names.push("auto".into());
    // Param variants (same backtests), to show what the defaults were chosen against.
    let variants: Vec<(&str, ModelSpec)> = vec![
        (
            "top_down own-weekday",
            ModelSpec::TopDown(TopDownParams {
                pool_weekdays: false,
                ..Default::default()
            }),
        ),
        (
            "top_down 20 wk prof.",
            ModelSpec::TopDown(TopDownParams {
                profile_weeks: 20,
                ..Default::default()
            }),
        ),
        (
            "regression +month",
            ModelSpec::Regression(RegressionParams {
                month_terms: 2,
                ..Default::default()
            }),
        ),
        (
            "ensemble no month",
            ModelSpec::Ensemble(EnsembleParams {
                regression: RegressionParams::default(),
                ..Default::default()
            }),
        ),
        (
            "regression own-wkday",
            ModelSpec::Regression(RegressionParams {
                pool_weekdays: false,
                ..Default::default()
            }),
        ),
        (
            "weekly_avg 12wk .9",
            ModelSpec::WeeklyAverage(WeightedAverageParams {
                weeks: 12,
                decay: 0.9,
                ..Default::default()
            }),
        ),
        (
            "weekly_avg 6wk 1.0",
            ModelSpec::WeeklyAverage(WeightedAverageParams {
                weeks: 6,
                decay: 1.0,
                ..Default::default()
            }),
        ),
        (
            "weekly_avg unsmoothed",
            ModelSpec::WeeklyAverage(WeightedAverageParams {
                smooth: false,
                ..Default::default()
            }),
        ),
        (
            "ensemble unsmoothed",
            ModelSpec::Ensemble(EnsembleParams {
                weekly_average: WeightedAverageParams {
                    smooth: false,
                    ..Default::default()
                },
                ..Default::default()
            }),
        ),
    ];
    names.extend(variants.iter().map(|v| format!("  {}", v.0)));
    let mut acc = vec![Acc::default(); names.len()];
    let mut choices: Vec<String> = Vec::new();
    let mut holiday_weeks = 0;
    let mut weeks = 0;

    // The scored window; STAFFCAST_BENCH_FROM / _TO (YYYY-MM-DD) move it, e.g.
    // to check on a window the settings were not chosen on.
    let env_date = |key: &str, default: NaiveDate| {
        std::env::var(key)
            .ok()
            .map(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").expect("YYYY-MM-DD"))
            .unwrap_or(default)
    };
    let first = env_date(
        "STAFFCAST_BENCH_FROM",
        NaiveDate::from_ymd_opt(1999, 9, 1).unwrap(),
    );
    let mut date = first;
    let last = env_date(
        "STAFFCAST_BENCH_TO",
        NaiveDate::from_ymd_opt(1999, 12, 31).unwrap(),
    );
    let t_all = Instant::now();
    while date < last {
        let origin = grid.start_of_day(date);
        let to = grid.start_of_day(date + Duration::days(7)).min(end);
        let holiday = holidays
            .iter()
            .any(|d| *d >= date && *d < date + Duration::days(7));
        weeks += 1;
        holiday_weeks += usize::from(holiday);
        let actual: HashMap<DateTime<Utc>, f64> = actual_all
            .iter()
            .filter(|(t, _)| **t >= origin && **t < to && !skip.contains(&grid.local_date(**t)))
            .map(|(t, v)| (*t, *v))
            .collect();
        // MASE scale: in-sample one-week seasonal naive MAE before the origin.
        let lag = Duration::days(7);
        let (mut s, mut n) = (0.0, 0usize);
        for r in history.iter().filter(|r| r.start < origin) {
            if let Some(prev) = actual_all.get(&(r.start - lag)) {
                if !skip.contains(&grid.local_date(r.start)) {
                    s += (r.volume - prev).abs();
                    n += 1;
                }
            }
        }
        let scale = s / n.max(1) as f64;

        let base = WeeklyAverageParams::default()
            .check()
            .unwrap()
            .fit(&history, &grid, origin)
            .unwrap()
            .predict(origin, to)
            .unwrap();
        acc[0].add(holiday, &base, &actual, scale);
        for (k, m) in ModelName::ALL.iter().enumerate() {
            // A model that needs more history (long_horizon: a year and
            // 8 weeks) is left out of its row for that origin.
            if let Ok(out) = forecast_with(
                ModelSelection::Model(*m),
                &history,
                &grid,
                &special,
                origin,
                origin,
                to,
            ) {
                acc[k + 1].add(holiday, &out.points, &actual, scale);
            }
        }
        let auto = forecast_with(
            ModelSelection::Auto,
            &history,
            &grid,
            &special,
            origin,
            origin,
            to,
        )
        .unwrap();
        let auto_at = ModelName::ALL.len() + 1;
        acc[auto_at].add(holiday, &auto.points, &actual, scale);
        for (k, (_, spec)) in variants.iter().enumerate() {
            let out = forecast_with_specs(
                ModelSelection::Model(spec.name()),
                &[*spec],
                &history,
                &grid,
                &special,
                origin,
                origin,
                to,
                &std::sync::atomic::AtomicBool::new(false),
            )
            .unwrap();
            acc[auto_at + 1 + k].add(holiday, &out.points, &actual, scale);
        }
        choices.push(format!(
            "{date}{}→{}",
            if holiday { "*" } else { "" },
            auto.choice.chosen
        ));
        date += Duration::days(7);
    }
    let secs = t_all.elapsed().as_secs_f64();

    println!("Bank 1999, 30-min intervals, {weeks} weekly origins from {first} before {last} (one week ahead; {holiday_weeks} holiday weeks)");
    println!(
        "{:<22} {:>8} {:>10} {:>10} {:>7} {:>9} {:>9}",
        "model", "WAPE", "non-hol.", "holiday", "MASE", "p10-p90", "vs 6-wk"
    );
    let base = acc[0].wape(None);
    for (name, a) in names.iter().zip(&acc) {
        if a.scored == 0 {
            println!("{name:<22} not fitted at any origin (too little history)");
            continue;
        }
        println!(
            "{:<22} {:>8.4} {:>10.4} {:>10.4} {:>7.3} {:>8.1}% {:>+8.1}%",
            name,
            a.wape(None),
            a.wape(Some(0)),
            a.wape(Some(1)),
            a.mase_sum / a.mase_n.max(1) as f64,
            100.0 * a.inside as f64 / a.scored.max(1) as f64,
            100.0 * (a.wape(None) / base - 1.0),
        );
    }
    println!("auto choices (* = holiday week): {}", choices.join(", "));
    println!(
        "accuracy run: {secs:.2} s for {weeks} origins × 7 forecasts (each with its own backtests)"
    );

    // Speed: a year of 15-minute history, per queue and many queues.
    let speed_grid = Grid::new(15, "Europe/Paris".parse().unwrap());
    let start: DateTime<Utc> = "2025-01-05T23:00:00Z".parse().unwrap();
    let queue = |seed: u64| -> Vec<HistoryRow> {
        (0..35_040i64)
            .map(|i| {
                let t = start + Duration::minutes(15 * i);
                let tod = (i % 96) as f64;
                let dow = (i / 96) % 7;
                let shape = (-(tod - 44.0).powi(2) / 200.0).exp();
                let week = if dow >= 5 { 0.3 } else { 1.0 };
                let noise = ((i as u64 * 2654435761 + seed * 97) % 1000) as f64 / 1000.0;
                HistoryRow {
                    start: t,
                    volume: (40.0 * shape * week * (0.8 + 0.4 * noise)).round(),
                    aht_seconds: Some(180.0 + 30.0 * noise),
                }
            })
            .collect()
    };
    let one = queue(1);
    let origin = start + Duration::minutes(15 * 35_040);
    let to = origin + Duration::days(7);
    let mut times = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let out = forecast_with(
            ModelSelection::Auto,
            &one,
            &speed_grid,
            &[],
            origin,
            origin,
            to,
        )
        .unwrap();
        times.push(t.elapsed().as_secs_f64());
        assert_eq!(out.points.len(), 7 * 96);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "speed: auto ({} models × {} backtest origins + final fit + 1-week forecast), 35,040 15-min rows: median {:.3} s, min {:.3} s per queue",
        ModelName::ALL.len(),
        staffcast::forecast::backtest::BACKTEST_ORIGINS,
        times[2],
        times[0]
    );
    let queues: Vec<Vec<HistoryRow>> = (0..8).map(queue).collect();
    let inputs: Vec<QueueInput> = queues
        .iter()
        .map(|h| QueueInput {
            history: h,
            grid: speed_grid,
            special_days: &[],
        })
        .collect();
    let t = Instant::now();
    let outs = forecast_many(ModelSelection::Auto, &inputs, origin, origin, to);
    let secs = t.elapsed().as_secs_f64();
    assert!(outs.iter().all(|o| o.is_ok()));
    println!(
        "speed: 8 queues on {} threads: {:.3} s ({:.3} s per queue)",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        secs,
        secs / 8.0
    );

    // Long horizon: three years of 15-minute history with a yearly season,
    // auto with its backtests at the request's lead (one and two years
    // back included): a 6-week peak window 12 weeks ahead, and 18 months.
    let years = 3 * 35_040i64;
    let long_start: DateTime<Utc> = "2023-01-01T23:00:00Z".parse().unwrap();
    let long: Vec<HistoryRow> = (0..years)
        .map(|i| {
            let t = long_start + Duration::minutes(15 * i);
            let tod = (i % 96) as f64;
            let day = i / 96;
            let dow = day % 7;
            let season = 1.0 + 0.5 * (std::f64::consts::TAU * day as f64 / 365.25).cos();
            let shape = (-(tod - 44.0).powi(2) / 200.0).exp();
            let week = if dow >= 5 { 0.3 } else { 1.0 };
            let noise = ((i as u64 * 2654435761) % 1000) as f64 / 1000.0;
            HistoryRow {
                start: t,
                volume: (40.0 * season * shape * week * (0.8 + 0.4 * noise)).round(),
                aht_seconds: Some(180.0 + 30.0 * noise),
            }
        })
        .collect();
    let long_origin = long_start + Duration::minutes(15 * years);
    for (label, lead, days) in [
        ("6-week window at 12 weeks lead", 84, 42),
        ("18 months (548 days) from the origin", 0, 548),
    ] {
        let from = long_origin + Duration::days(lead);
        let to = from + Duration::days(days);
        let mut times = Vec::new();
        let mut chosen = String::new();
        for _ in 0..3 {
            let t = Instant::now();
            let out = forecast_with(
                ModelSelection::Auto,
                &long,
                &speed_grid,
                &[],
                long_origin,
                from,
                to,
            )
            .unwrap();
            times.push(t.elapsed().as_secs_f64());
            chosen = format!(
                "chose {} over {} origins, {} a year or more back",
                out.choice.chosen,
                out.choice.report.origins.len(),
                out.choice.report.year_back_origins
            );
        }
        times.sort_by(f64::total_cmp);
        println!(
            "speed: auto, 3 years of 15-min history (105,120 rows), {label}: median {:.3} s, min {:.3} s ({chosen})",
            times[1], times[0]
        );
    }
}
