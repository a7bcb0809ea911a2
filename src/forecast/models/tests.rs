use super::*;
use crate::forecast::special_days::SpecialDayKind;
use crate::test_support::{at, date, paris, paris_grid};
use chrono::Datelike;
use chrono::{Duration, TimeZone, Timelike};

/// `weeks` weeks of hourly rows from Monday 2026-01-05, open 08–18;
/// volume = f(week, weekday, hour).
fn hourly(weeks: i64, f: impl Fn(i64, i64, i64) -> f64) -> Vec<HistoryRow> {
    let mut rows = Vec::new();
    for w in 0..weeks {
        for d in 0..7 {
            for h in 8..18 {
                let day = date("2026-01-05") + Duration::days(7 * w + d);
                let start = paris()
                    .from_local_datetime(&day.and_hms_opt(h as u32, 0, 0).unwrap())
                    .single()
                    .unwrap()
                    .with_timezone(&Utc);
                rows.push(HistoryRow {
                    start,
                    volume: f(w, d, h),
                    aht_seconds: Some(100.0 + h as f64),
                });
            }
        }
    }
    rows
}

fn grid() -> Grid {
    paris_grid(60)
}

fn fit(
    spec: ModelSpec,
    rows: &[HistoryRow],
    origin: DateTime<Utc>,
    sd: &[SpecialDay],
) -> FittedModel {
    spec.check()
        .unwrap()
        .fit(rows, &grid(), origin, sd)
        .unwrap()
}

#[test]
fn names_parse_and_unknown_is_an_error() {
    for m in ModelName::ALL {
        assert_eq!(m.as_str().parse::<ModelName>().unwrap(), m);
        assert_eq!(
            m.as_str().parse::<ModelSelection>().unwrap(),
            ModelSelection::Model(m)
        );
    }
    assert_eq!(
        "auto".parse::<ModelSelection>().unwrap(),
        ModelSelection::Auto
    );
    assert!("arima".parse::<ModelSelection>().is_err());
    assert!("auto".parse::<ModelName>().is_err());
}

#[test]
fn model_spec_files_parse_and_check() {
    for (name, json) in [
        (
            "seasonal_naive",
            include_str!("../../../models/seasonal_naive.json"),
        ),
        (
            "weekly_average",
            include_str!("../../../models/weekly_average.json"),
        ),
        (
            "regression",
            include_str!("../../../models/regression.json"),
        ),
        ("top_down", include_str!("../../../models/top_down.json")),
        (
            "long_horizon",
            include_str!("../../../models/long_horizon.json"),
        ),
        ("ensemble", include_str!("../../../models/ensemble.json")),
    ] {
        let spec: ModelSpec = serde_json::from_str(json).unwrap();
        assert_eq!(spec.name().as_str(), name);
        spec.check().unwrap();
    }
    let bad = ModelSpec::WeeklyAverage(WeightedAverageParams {
        weeks: 0,
        decay: 0.5,
        smooth: true,
    });
    assert!(bad.check().is_err());
    let bad = ModelSpec::TopDown(TopDownParams {
        alpha: 1.5,
        ..Default::default()
    });
    assert!(bad.check().is_err());
}

fn weekly_average_of_8_weeks(smooth: bool) -> ModelSpec {
    ModelSpec::WeeklyAverage(WeightedAverageParams {
        weeks: 8,
        smooth,
        ..Default::default()
    })
}

/// Sum over the forecast week from 2026-03-02 of |forecast - rate|, with
/// the rate the same every day over the open hours (08–18).
fn week_error(model: &FittedModel, rate: impl Fn(i64) -> f64) -> f64 {
    (0..7)
        .map(|d| {
            let day = model.day(date("2026-03-02") + Duration::days(d));
            (8..18)
                .map(|h| (day[h as usize] - rate(h)).abs())
                .sum::<f64>()
        })
        .sum()
}

#[test]
fn weekly_average_smooths_a_small_queues_counting_noise() {
    use rand::SeedableRng;
    use rand_distr::{Distribution, Poisson};
    // About 12 contacts an hour around a smooth midday hump: the slot means
    // of 8 weeks carry the counts' noise, their neighbours share the rate.
    let rate = |h: i64| 6.0 + 12.0 * (1.0 - ((h as f64 - 12.5) / 5.0).powi(2)).max(0.0);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    // Drawn in `hourly`'s order: week, weekday, hour 08–17.
    let counts: Vec<f64> = (0..8 * 7)
        .flat_map(|_| 8..18)
        .map(|h| Poisson::new(rate(h)).unwrap().sample(&mut rng))
        .collect();
    let rows = hourly(8, |w, d, h| counts[((w * 7 + d) * 10 + h - 8) as usize]);
    let origin = at("2026-03-02 00:00");
    let plain = week_error(
        &fit(weekly_average_of_8_weeks(false), &rows, origin, &[]),
        rate,
    );
    let smoothed = week_error(
        &fit(weekly_average_of_8_weeks(true), &rows, origin, &[]),
        rate,
    );
    assert!(
        smoothed < 0.9 * plain,
        "smoothed {smoothed} vs plain {plain}"
    );
}

#[test]
fn weekly_average_keeps_a_sharp_pattern_that_every_week_repeats() {
    // A noise-free saw-tooth: smoothing would only blur it, and the held-out
    // weeks say so, so the plain means stay to the digit.
    let rows = hourly(
        8,
        |w, _, h| if h % 2 == 0 { 100.0 } else { 10.0 } + w as f64,
    );
    let origin = at("2026-03-02 00:00");
    let plain = fit(weekly_average_of_8_weeks(false), &rows, origin, &[]);
    let smoothed = fit(weekly_average_of_8_weeks(true), &rows, origin, &[]);
    assert_eq!(
        plain.day(date("2026-03-03")),
        smoothed.day(date("2026-03-03"))
    );
    // Closed hours stay closed either way.
    assert_eq!(smoothed.day(date("2026-03-03"))[7], 0.0);
}

#[test]
fn seasonal_naive_and_weighted_average_use_the_right_weeks() {
    // Week w has volume 10 * (w + 1) at every open hour; week 2 has no
    // Tuesday 09:00 row (missing, not zero).
    let rows: Vec<HistoryRow> = hourly(4, |w, _, _| 10.0 * (w + 1) as f64)
        .into_iter()
        .filter(|r| r.start != at("2026-01-20 09:00"))
        .collect();
    let origin = at("2026-02-02 00:00");
    let naive = fit(ModelName::SeasonalNaive.default_spec(), &rows, origin, &[]);
    assert_eq!(naive.day(date("2026-02-03"))[10], 40.0);
    let avg = fit(
        ModelSpec::WeeklyAverage(WeightedAverageParams {
            weeks: 2,
            decay: 1.0,
            smooth: false,
        }),
        &rows,
        origin,
        &[],
    );
    assert_eq!(avg.day(date("2026-02-03"))[10], 35.0);
    // Tuesday 09:00: weeks 3 and 1 (week 2 missing): (40 + 20) / 2.
    assert_eq!(avg.day(date("2026-02-03"))[9], 30.0);
    // A slot never seen is closed.
    assert_eq!(avg.day(date("2026-02-03"))[3], 0.0);
    let decayed = fit(
        ModelSpec::WeeklyAverage(WeightedAverageParams {
            weeks: 2,
            decay: 0.5,
            smooth: false,
        }),
        &rows,
        origin,
        &[],
    );
    // (40 + 0.5 * 30) / 1.5
    assert!((decayed.day(date("2026-02-03"))[10] - 55.0 / 1.5).abs() < 1e-9);
}

#[test]
fn top_down_and_regression_follow_a_steady_pattern() {
    // Weekday-dependent daily totals with a fixed intraday shape.
    let rows = hourly(12, |_, d, h| (10 + d) as f64 * (1 + h % 3) as f64);
    let origin = at("2026-03-30 00:00");
    for spec in [
        ModelName::TopDown.default_spec(),
        ModelName::Regression.default_spec(),
        ModelName::Ensemble.default_spec(),
    ] {
        let m = fit(spec, &rows, origin, &[]);
        for (d, day) in ["2026-03-30", "2026-04-01", "2026-04-05"]
            .iter()
            .enumerate()
        {
            let dow = [0i64, 2, 6][d];
            let v = m.day(date(day));
            for h in 8..18 {
                let want = (10 + dow) as f64 * (1 + h % 3) as f64;
                assert!(
                    (v[h as usize] - want).abs() < 0.05 * want,
                    "{:?} {day} {h}: {} vs {want}",
                    spec.name(),
                    v[h as usize]
                );
            }
            assert_eq!(v[3], 0.0);
        }
    }
}

#[test]
fn top_down_follows_a_level_shift() {
    // Volume doubles from week 8 on; the weekly average lags, top-down adapts.
    let rows = hourly(12, |w, _, _| if w >= 8 { 20.0 } else { 10.0 });
    let origin = at("2026-03-30 00:00");
    let td = fit(ModelName::TopDown.default_spec(), &rows, origin, &[]);
    let v = td.day(date("2026-03-31"))[10];
    assert!(v > 18.0 && v < 22.0, "{v}");
}

#[test]
fn special_days_closed_planner_effect_and_learned_effect() {
    // Every Wednesday 2026-01-14 and 2026-02-11 is a "Fest" at half volume.
    let fest = [date("2026-01-14"), date("2026-02-11")];
    let rows = hourly(8, |w, d, _| {
        let day = date("2026-01-05") + Duration::days(7 * w + d);
        if fest.contains(&day) {
            5.0
        } else {
            10.0
        }
    });
    let mut sd: Vec<SpecialDay> = fest
        .iter()
        .map(|d| SpecialDay {
            date: *d,
            kind: SpecialDayKind::Holiday,
            name: "Fest".into(),
            effect: None,
        })
        .collect();
    sd.push(SpecialDay {
        date: date("2026-03-04"),
        kind: SpecialDayKind::Holiday,
        name: "Fest".into(),
        effect: None,
    });
    sd.push(SpecialDay {
        date: date("2026-03-05"),
        kind: SpecialDayKind::Closed,
        name: "Move".into(),
        effect: None,
    });
    sd.push(SpecialDay {
        date: date("2026-03-06"),
        kind: SpecialDayKind::Campaign,
        name: "Mailing".into(),
        effect: Some(1.3),
    });
    let origin = at("2026-03-02 00:00");
    let m = fit(ModelName::WeeklyAverage.default_spec(), &rows, origin, &sd);
    // Normal Wednesday: the Fest days were left out of fitting.
    assert!((m.day(date("2026-03-11"))[10] - 10.0).abs() < 1e-9);
    // Learned: half.
    assert!((m.day(date("2026-03-04"))[10] - 5.0).abs() < 1e-9);
    assert!(m.day(date("2026-03-05")).iter().all(|v| *v == 0.0));
    assert!((m.day(date("2026-03-06"))[10] - 13.0).abs() < 1e-9);
    // Predict: closed day points are 0 with a 0–0 band.
    let p = m
        .predict(at("2026-03-05 00:00"), at("2026-03-06 00:00"))
        .unwrap();
    assert!(p.iter().all(|p| p.volume == 0.0 && p.volume_p90 == 0.0));
}

#[test]
fn top_down_uses_last_year_with_a_year_of_history() {
    // Two years from 2026-01-05; December 2026 was twice as busy.
    let peak = |w: i64, d: i64| {
        let day = date("2026-01-05") + Duration::days(7 * w + d);
        day.year() == 2026 && day.month() == 12
    };
    let rows = hourly(104, |w, d, _| if peak(w, d) { 20.0 } else { 10.0 });
    let flat = hourly(104, |_, _, _| 10.0);
    // The three weeks before the origin were normal last year too.
    let origin = at("2027-11-29 00:00");
    let spec = ModelName::TopDown.default_spec();
    let busy = fit(spec, &rows, origin, &[]);
    let calm = fit(spec, &flat, origin, &[]);
    let ratio = busy.day(date("2027-12-14"))[10] / calm.day(date("2027-12-14"))[10];
    assert!(ratio > 1.4 && ratio < 2.1, "{ratio}");
    // Outside the peak last year: no change.
    let ratio = busy.day(date("2028-01-25"))[10] / calm.day(date("2028-01-25"))[10];
    assert!((ratio - 1.0).abs() < 0.1, "{ratio}");
    // Less than a year: no yearly factor.
    let short = fit(spec, &rows[rows.len() - 300 * 10..], origin, &[]);
    assert!(matches!(short.body, Body::TopDown(ref b) if b.yearly.is_empty()));
}

#[test]
fn top_down_takes_last_years_change_from_where_a_gappy_history_ends() {
    // Busy Octobers (20 a day-hour, else 10); the feed stops at the end of
    // August 2027 and the origin is 1 November. The level stopped in August,
    // so late November is August's level × last year's Aug→Nov change (10),
    // not × the Oct→Nov change (halving it to 5).
    let day_of = |w: i64, d: i64| date("2026-01-05") + Duration::days(7 * w + d);
    let rows: Vec<HistoryRow> = hourly(100, |w, d, _| {
        if day_of(w, d).month() == 10 {
            20.0
        } else {
            10.0
        }
    })
    .into_iter()
    .filter(|r| r.start < at("2027-09-01 00:00"))
    .collect();
    let m = fit(
        ModelName::TopDown.default_spec(),
        &rows,
        at("2027-11-01 00:00"),
        &[],
    );
    let hour = m.day(date("2027-11-30"))[10];
    assert!((hour - 10.0).abs() < 1.5, "{hour}");
}

#[test]
fn the_day_after_a_closure_gets_the_learned_catch_up() {
    let closed = [date("2026-01-14"), date("2026-01-28"), date("2026-02-11")];
    let rows = hourly(8, |w, d, _| {
        let day = date("2026-01-05") + Duration::days(7 * w + d);
        if closed.contains(&day) {
            0.0
        } else if closed.contains(&(day - Duration::days(1))) {
            15.0
        } else {
            10.0
        }
    });
    let mut sd: Vec<SpecialDay> = closed
        .iter()
        .chain([date("2026-03-04")].iter())
        .map(|d| SpecialDay {
            date: *d,
            kind: SpecialDayKind::Closed,
            name: "Stocktake".into(),
            effect: None,
        })
        .collect();
    let origin = at("2026-03-02 00:00");
    let m = fit(ModelName::WeeklyAverage.default_spec(), &rows, origin, &sd);
    assert_eq!(m.day(date("2026-03-04"))[10], 0.0);
    // Thursday after: 1.5 × the normal Thursday (itself pulled up by the
    // catch-up Thursdays in the weighted average, so compare ratios).
    let after = m.day(date("2026-03-05"))[10];
    let normal = m.day(date("2026-03-12"))[10];
    assert!((after / normal - 1.5).abs() < 0.25, "{after} / {normal}");
    // Without closures in the calendar there is no catch-up.
    sd.clear();
    let m = fit(ModelName::WeeklyAverage.default_spec(), &rows, origin, &sd);
    assert_eq!(m.day(date("2026-03-05")), m.day(date("2026-03-12")));
}

#[test]
fn fitted_models_round_trip_through_json() {
    // 70 weeks: long_horizon needs a year and its base weeks.
    let rows = hourly(70, |w, d, h| (5 + w % 9 + d + h % 4) as f64);
    let origin = at("2027-05-10 00:00");
    for name in ModelName::ALL {
        let m = fit(name.default_spec(), &rows, origin, &[]);
        let json = serde_json::to_string(&m).unwrap();
        let back: FittedModel = serde_json::from_str(&json).unwrap();
        assert_eq!(back.model(), name);
        let to = origin + Duration::days(7);
        assert_eq!(
            back.predict(origin, to).unwrap(),
            m.predict(origin, to).unwrap()
        );
        assert_eq!(back.training_window.0, at("2026-01-05 08:00"));
    }
}

#[test]
fn aht_has_its_own_forecast() {
    let rows = hourly(3, |_, _, _| 10.0);
    let m = fit(
        ModelName::SeasonalNaive.default_spec(),
        &rows,
        at("2026-01-26 00:00"),
        &[],
    );
    let p = m
        .predict(at("2026-01-26 09:00"), at("2026-01-26 11:00"))
        .unwrap();
    assert_eq!(p[0].aht_seconds, Some(109.0));
    assert_eq!(p[1].aht_seconds, Some(110.0));
    let none: Vec<HistoryRow> = rows
        .iter()
        .map(|r| HistoryRow {
            aht_seconds: None,
            ..*r
        })
        .collect();
    let m = fit(
        ModelName::SeasonalNaive.default_spec(),
        &none,
        at("2026-01-26 00:00"),
        &[],
    );
    assert!(m.aht.is_empty());
    assert_eq!(
        m.predict(at("2026-01-26 09:00"), at("2026-01-26 10:00"))
            .unwrap()[0]
            .aht_seconds,
        None
    );
}

#[test]
fn calibration_covers_80_percent_of_fresh_poisson_like_data() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    // Normal approximation to a count with mean f and variance 2f.
    let draw = |f: f64, rng: &mut rand_chacha::ChaCha8Rng| {
        let u: f64 = (0..12).map(|_| rng.gen::<f64>()).sum::<f64>() - 6.0;
        (f + u * (2.0 * f).sqrt()).max(0.0)
    };
    let levels = [2.0, 10.0, 50.0, 200.0];
    let train: Vec<(f64, f64)> = (0..4000)
        .map(|i| {
            let f = levels[i % 4];
            (f, draw(f, &mut rng))
        })
        .collect();
    let cal = Calibration::from_pairs(&train);
    assert_eq!(cal.by_lead[0].z10.len(), 4);
    let mut inside = 0;
    for i in 0..4000 {
        let f = levels[i % 4];
        let y = draw(f, &mut rng);
        let (lo, hi) = cal.band(f);
        assert!(lo <= f && f <= hi && lo >= 0.0);
        inside += usize::from(y >= lo && y <= hi);
    }
    let cover = inside as f64 / 4000.0;
    assert!((0.76..=0.84).contains(&cover), "{cover}");
    assert_eq!(cal.band(0.0), (0.0, 0.0));
}

/// The Peyton Manning page views (daily, volume = exp(y)) as rows at
/// 00:00 UTC on a 60-minute grid (the other hours are never seen: closed).
fn peyton_manning() -> Vec<HistoryRow> {
    let text =
        include_str!("../../../data/multi-year/wikipedia_peyton_manning_daily_2007_2016.csv");
    text.lines()
        .skip(1)
        .map(|l| {
            let (d, y) = l.split_once(',').unwrap();
            let d = NaiveDate::parse_from_str(d.trim_matches('"'), "%Y-%m-%d").unwrap();
            HistoryRow {
                start: Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap()),
                volume: y.parse::<f64>().unwrap().exp(),
                aht_seconds: None,
            }
        })
        .collect()
}

/// Mean daily volume per calendar month of [from, to).
fn monthly_means(days: &[(NaiveDate, f64)]) -> Vec<f64> {
    let mut by: std::collections::BTreeMap<(i32, u32), (f64, usize)> = Default::default();
    for (d, v) in days {
        let e = by.entry((d.year(), d.month())).or_default();
        e.0 += v;
        e.1 += 1;
    }
    by.values().map(|(s, n)| s / *n as f64).collect()
}

fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

#[test]
fn long_horizon_reproduces_the_yearly_shape_fifteen_months_out() {
    // History to 2014-10-01; forecast every day to 2016-01-01 (15 months),
    // against what the page really got: the NFL season's rise each autumn
    // and the fall after the play-offs must be in the forecast.
    let rows = peyton_manning();
    let grid = Grid::new(60, chrono_tz::UTC);
    let origin = Utc.with_ymd_and_hms(2014, 10, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2016, 1, 1, 0, 0, 0).unwrap();
    let m = ModelName::LongHorizon
        .default_spec()
        .check()
        .unwrap()
        .fit(&rows, &grid, origin, &[])
        .unwrap();
    let actual: std::collections::HashMap<NaiveDate, f64> = rows
        .iter()
        .filter(|r| r.start >= origin && r.start < to)
        .map(|r| (r.start.date_naive(), r.volume))
        .collect();
    let points = m.predict(origin, to).unwrap();
    let mut forecast = Vec::new();
    let mut seen = Vec::new();
    for p in points.iter().filter(|p| p.start.hour() == 0) {
        let d = p.start.date_naive();
        assert!(p.volume.is_finite() && p.volume >= 0.0);
        if let Some(y) = actual.get(&d) {
            forecast.push((d, p.volume));
            seen.push((d, *y));
        }
    }
    assert!(seen.len() > 400, "{}", seen.len());
    let (f, y) = (monthly_means(&forecast), monthly_means(&seen));
    assert_eq!(f.len(), 15);
    // The shape is multiplicative (a 7× swing), so compare log means.
    let log = |v: &[f64]| v.iter().map(|x| x.ln()).collect::<Vec<_>>();
    let r = correlation(&log(&f), &log(&y));
    assert!(r > 0.8, "monthly shape correlation {r:.3}: {f:?} vs {y:?}");
    // Neither frozen nor exploding: the last three months are as far from
    // the first three as the actuals are, within a factor of two, and no
    // month is beyond 3× the busiest actual month.
    let top = y.iter().cloned().fold(0.0, f64::max);
    assert!(f.iter().all(|v| *v < 3.0 * top));
    let lo_f = f.iter().cloned().fold(f64::MAX, f64::min);
    let lo_y = y.iter().cloned().fold(f64::MAX, f64::min);
    let (swing_y, swing_f) = (top / lo_y, f.iter().cloned().fold(0.0, f64::max) / lo_f);
    assert!(
        swing_f / swing_y < 2.0 && swing_y / swing_f < 2.0,
        "{swing_f} {swing_y}"
    );
}

#[test]
fn no_model_explodes_or_goes_negative_eighteen_months_out() {
    let rows = peyton_manning();
    let grid = Grid::new(60, chrono_tz::UTC);
    let origin = Utc.with_ymd_and_hms(2013, 9, 16, 0, 0, 0).unwrap();
    let to = origin + Duration::days(548);
    let top = rows
        .iter()
        .filter(|r| r.start < origin)
        .map(|r| r.volume)
        .fold(0.0, f64::max);
    for name in ModelName::ALL {
        let m = name
            .default_spec()
            .check()
            .unwrap()
            .fit(&rows, &grid, origin, &[])
            .unwrap();
        for p in m.predict(origin, to).unwrap() {
            assert!(
                p.volume >= 0.0 && p.volume <= 2.0 * top,
                "{name} {}: {}",
                p.start,
                p.volume
            );
        }
    }
}

#[test]
fn a_moving_holiday_is_aligned_by_name_across_years() {
    // Easter moves: 2026-04-05, 2027-03-28, 2028-04-16. Its history (half
    // volume) is matched by name, not by date: next Easter gets half, and
    // the Sunday that was Easter a year earlier gets a normal forecast.
    let easter = [date("2026-04-05"), date("2027-03-28"), date("2028-04-16")];
    let rows = hourly(112, |w, d, _| {
        let day = date("2026-01-05") + Duration::days(7 * w + d);
        if easter.contains(&day) {
            5.0
        } else {
            10.0
        }
    });
    let sd: Vec<SpecialDay> = easter
        .iter()
        .map(|d| SpecialDay {
            date: *d,
            kind: SpecialDayKind::Holiday,
            name: "Easter".into(),
            effect: None,
        })
        .collect();
    let origin = at("2028-02-21 00:00");
    let m = fit(ModelName::LongHorizon.default_spec(), &rows, origin, &sd);
    assert!(matches!(m.body, Body::LongHorizon(ref b) if b.years_used == 2));
    let easter_2028 = m.day(date("2028-04-16"))[10];
    let sunday_before = m.day(date("2028-04-09"))[10];
    let was_easter = m.day(date("2028-03-26"))[10];
    assert!((easter_2028 - 5.0).abs() < 0.5, "{easter_2028}");
    assert!((sunday_before - 10.0).abs() < 1.0, "{sunday_before}");
    assert!((was_easter - 10.0).abs() < 1.0, "{was_easter}");
}

#[test]
fn a_feed_that_drops_hours_still_sets_the_daily_level() {
    // 12 weeks at 100 a day-hour, flat; in the last 8 weeks every day lost
    // its 08:00 and 17:00 rows (a feed that drops hours), and the level
    // rose to 130. Strictly no recent day has a total, so the model would
    // keep the old level; completed from the weekday's shares, it sees 130.
    let rows: Vec<HistoryRow> = hourly(12, |w, _, _| if w < 4 { 100.0 } else { 130.0 })
        .into_iter()
        .filter(|r| {
            let local = r.start.with_timezone(&paris());
            let late = local.date_naive() >= date("2026-02-02");
            !(late && (local.hour() == 8 || local.hour() == 17))
        })
        .collect();
    let origin = at("2026-03-30 00:00");
    let m = fit(
        ModelSpec::TopDown(TopDownParams::default()),
        &rows,
        origin,
        &[],
    );
    let day: f64 = m.day(date("2026-03-31")).iter().sum();
    assert!((day - 1300.0).abs() < 0.03 * 1300.0, "{day}");
}
