//! Numbers small enough to check by hand. Most plans here use 40-hour FTE
//! with no shrinkage or leave, so required FTE = need hours / 40.

use super::config::{HiringClass, NewHireConfig, PeakWindow, TempConfig, WeekOverride};
use super::report::ScaleDown;
use super::*;
use crate::test_support::{date, paris};
use chrono::{Duration, TimeZone};
use serde_json::json;

const MONDAY: &str = "2027-01-04";

/// Weeks needing these FTE (40 h each), from Monday 2027-01-04, UTC.
fn load(fte: &[f64]) -> WeeklyLoad {
    WeeklyLoad {
        first_monday: date(MONDAY),
        need_hours: fte.iter().map(|f| f * 40.0).collect(),
        covers: (
            date(MONDAY),
            date(MONDAY) + Duration::weeks(fte.len() as i64),
        ),
        time_zone: chrono_tz::UTC,
    }
}

/// 40 h, no shrinkage, no leave, no overtime, no VTO; classes train 4
/// weeks and are then fully productive. 10 an hour.
fn plan(current_fte: f64) -> PlanConfig {
    let mut p = PlanConfig::new(current_fte, 10.0);
    p.hours_per_fte_week = 40.0;
    p.shrinkage_percent = Some(0.0);
    p.overtime.max_percent = 0.0;
    p.voluntary_time_off.max_percent = 0.0;
    p.new_hires = NewHireConfig {
        training_weeks: 4,
        ramp: vec![],
        earliest_start_week: None,
        min_weeks_between_classes: 4,
    };
    p
}

fn run(fte: &[f64], plan: PlanConfig) -> ScenarioResult {
    run_with(fte, plan, vec![]).scenarios.remove(0)
}

fn run_with(fte: &[f64], plan: PlanConfig, variants: Vec<VariantSpec>) -> CapacityPlan {
    plan_weeks(&load(fte), &CapacityRequest { plan, variants }).unwrap()
}

fn err(fte: &[f64], plan: PlanConfig) -> CapacityError {
    plan_weeks(
        &load(fte),
        &CapacityRequest {
            plan,
            variants: vec![],
        },
    )
    .unwrap_err()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6 * b.abs().max(1.0)
}

#[test]
fn intervals_sum_into_whole_local_weeks() {
    // Wed 2027-01-06 .. Mon 2027-01-25 00:00 UTC, 30-minute intervals, 2 agents:
    // the full weeks are those of the 11th and the 18th, 336 intervals × 1 h each.
    let first = Utc.with_ymd_and_hms(2027, 1, 6, 0, 0, 0).unwrap();
    let intervals: Vec<NeedInterval> = (0..(19 * 48))
        .map(|i| NeedInterval {
            start: first + Duration::minutes(30 * i),
            agents_net: 2.0,
        })
        .collect();
    let load = weekly_load(&intervals, 30, chrono_tz::UTC).unwrap();
    assert_eq!(load.first_monday, date("2027-01-11"));
    assert_eq!(load.need_hours, vec![336.0, 336.0]);

    // Paris springs forward on Sunday 2027-03-28: that week has 167 hours.
    let paris = paris();
    let from = paris
        .with_ymd_and_hms(2027, 3, 22, 0, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let to = paris
        .with_ymd_and_hms(2027, 4, 5, 0, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let n = (to - from).num_minutes() / 30;
    let intervals: Vec<NeedInterval> = (0..n)
        .map(|i| NeedInterval {
            start: from + Duration::minutes(30 * i),
            agents_net: 1.0,
        })
        .collect();
    let load = weekly_load(&intervals, 30, paris).unwrap();
    assert_eq!(load.need_hours, vec![167.0, 168.0]);

    // Five days are not a week.
    let short: Vec<NeedInterval> = intervals[..48 * 5].to_vec();
    let e = weekly_load(&short, 30, paris).unwrap_err();
    assert_eq!(e.field(), "forecast");
    assert!(e.to_string().contains("too short"), "{e}");
    assert_eq!(
        weekly_load(&[], 30, paris).unwrap_err(),
        CapacityError::NoRequirements
    );
}

#[test]
fn holidays_leave_and_shrinkage_raise_the_required_fte() {
    // 37.5 h over 5 days, one holiday: 30 h scheduled; 10% leave and 20%
    // shrinkage leave 30 × 0.9 × 0.8 = 21.6 h on the phones. 216 h of need
    // is 10 FTE; 60 h of leave booked is 60 / 30 = 2 FTE more.
    let h = weekly_need::week_hours(216.0, 37.5, 5, 1, 0.10, 0.20, 60.0);
    assert!(close(h.scheduled, 30.0));
    assert!(close(h.productive, 21.6));
    assert!(close(h.required_fte, 12.0));

    // The same through a plan: week 2 has the holiday and the override.
    let mut p = plan(0.0);
    p.hours_per_fte_week = 37.5;
    p.shrinkage_percent = Some(20.0);
    p.leave_percent = 10.0;
    p.holidays = Some(vec![
        date("2027-01-20"),
        date("2027-01-20"),
        date("2030-01-01"),
    ]);
    p.week_overrides = vec![WeekOverride {
        week: date("2027-01-21"),
        shrinkage_percent: None,
        leave_percent: None,
        leave_hours: Some(60.0),
    }];
    let mut l = load(&[0.0; 4]);
    l.need_hours = vec![216.0; 4];
    let r = plan_weeks(
        &l,
        &CapacityRequest {
            plan: p,
            variants: vec![],
        },
    )
    .unwrap()
    .scenarios
    .remove(0);
    let week2 = &r.weeks[2];
    assert_eq!(week2.holidays, 1, "a holiday listed twice counts once");
    assert!(close(week2.required_fte, 12.0), "{}", week2.required_fte);
    // Other weeks: 37.5 × 0.9 × 0.8 = 27 h per FTE, 216 / 27 = 8 FTE.
    assert!(close(r.weeks[0].required_fte, 8.0));
}

#[test]
fn attrition_compounds_monthly_rate_weekly() {
    // 10% a month: after 52 weeks (12 months) 100 × 0.9^12 = 28.2430 remain.
    let mut p = plan(100.0);
    p.attrition_percent_per_month = 10.0;
    let r = run(&[0.0; 53], p);
    assert!(close(r.weeks[0].pool_fte, 100.0));
    assert!(close(r.weeks[52].pool_fte, 100.0 * 0.9f64.powi(12)));
    // 13 weeks = 3 months: 100 × 0.9^3 = 72.9.
    assert!(close(r.weeks[13].pool_fte, 72.9));
    // Everyone is paid: week 0 costs 100 × 40 h × 10.
    assert!(close(r.weeks[0].cost, 40_000.0));
}

#[test]
fn a_planned_class_trains_then_ramps_up() {
    let mut p = plan(0.0);
    p.hiring_classes = vec![HiringClass {
        start_week: date("2027-01-20"), // a Wednesday: the class starts that week (week 2)
        size: 10.0,
        training_weeks: Some(2),
        ramp: Some(vec![0.5, 0.75]),
    }];
    let r = run(&[1.0; 8], p);
    let productive: Vec<f64> = r.weeks.iter().map(|w| w.productive_fte).collect();
    assert_eq!(productive, vec![0.0, 0.0, 0.0, 0.0, 5.0, 7.5, 10.0, 10.0]);
    let on_payroll: Vec<f64> = r.weeks.iter().map(|w| w.class_fte).collect();
    assert_eq!(
        on_payroll,
        vec![0.0, 0.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0]
    );
    // Trainees are paid: 10 × 40 × 10 in week 2.
    assert!(close(r.weeks[2].cost, 4_000.0));
}

#[test]
fn a_class_already_in_training_counts_from_before_the_plan() {
    let mut p = plan(0.0);
    p.attrition_percent_per_month = 10.0;
    p.hiring_classes = vec![HiringClass {
        start_week: date("2026-12-14"), // three weeks before the plan
        size: 10.0,
        training_weeks: Some(4),
        ramp: Some(vec![]),
    }];
    let r = run(&[1.0; 3], p);
    let s = weekly_survival_for(10.0);
    assert!(close(r.weeks[0].class_fte, 10.0 * s.powi(3)));
    assert_eq!(r.weeks[0].productive_fte, 0.0);
    assert!(close(r.weeks[1].productive_fte, 10.0 * s.powi(4)));
}

fn weekly_survival_for(percent: f64) -> f64 {
    pool::weekly_survival(percent / 100.0)
}

#[test]
fn recommendation_starts_as_late_as_training_allows() {
    // 10 people cover 10 FTE; weeks 12–15 need 20. Training is 4 weeks, so
    // a class must start by week 8; later starts cost fewer paid weeks, so
    // the least-cost plan starts exactly then with 10 people.
    let mut need = vec![10.0; 20];
    need[12..16].fill(20.0);
    let r = run(&need, plan(10.0));
    assert_eq!(r.totals.baseline_short_weeks, 4);
    assert_eq!(r.totals.short_weeks, 0);
    assert_eq!(
        r.recommended_classes.len(),
        1,
        "{:?}",
        r.recommended_classes
    );
    let c = &r.recommended_classes[0];
    assert_eq!(c.start_week, date("2027-03-01")); // week 8
    assert_eq!(c.latest_start_week, date("2027-03-01"));
    assert_eq!(c.first_productive_week, date("2027-03-29")); // week 12
    assert_eq!(c.size, 10);
    // Paid from week 8 to week 19: 12 weeks × 10 people × 400.
    assert!(close(c.cost, 48_000.0));
    for w in &r.weeks {
        if w.baseline_gap_fte < -1e-9 {
            assert!(w.gap_fte >= -1e-9, "{} still short", w.week_start);
        }
        assert!(close(w.gap_fte, w.available_fte - w.required_fte));
    }
    let bound = r.totals.cost_lower_bound.expect("every week covered");
    assert!(
        bound <= r.totals.cost * (1.0 + 1e-6),
        "{bound} vs {}",
        r.totals.cost
    );
    assert!(bound >= r.totals.cost * 0.999, "integral here: {bound}");
}

#[test]
fn a_ramp_makes_the_class_start_earlier_and_latest_start_is_reported() {
    // With a 50% first week the least-cost class starts before the latest
    // week that still covers the peak.
    let mut p = plan(10.0);
    p.new_hires.ramp = vec![0.5];
    let mut need = vec![10.0; 20];
    need[12..16].fill(20.0);
    let r = run(&need, p);
    assert_eq!(r.totals.short_weeks, 0);
    let c = &r.recommended_classes[0];
    // Start week 7: productive 0.5 in week 11, 1.0 from week 12.
    assert_eq!(c.start_week, date("2027-02-22"));
    assert_eq!(c.size, 10);
    assert_eq!(c.full_productivity_week, date("2027-03-29"));
    assert_eq!(c.latest_start_week, c.start_week);
}

#[test]
fn a_short_spike_is_cheaper_with_overtime_than_with_a_hire() {
    // Week 12 needs 10.5 FTE: 0.5 FTE of overtime (20 h at 15) beats a
    // hire paid for 12 weeks.
    let mut need = vec![10.0; 20];
    need[12] = 10.5;
    let mut p = plan(10.0);
    p.overtime.max_percent = 10.0;
    let r = run(&need, p);
    assert!(r.recommended_classes.is_empty());
    assert_eq!(r.totals.short_weeks, 0);
    assert_eq!(r.totals.baseline_understaffed_weeks, 1);
    assert!(close(r.weeks[12].overtime_hours, 20.0));
    assert!(close(r.totals.overtime_cost, 300.0));
    assert!(close(r.totals.cost, 20.0 * 4_000.0 + 300.0));
}

#[test]
fn weeks_no_class_can_reach_stay_short_and_are_named() {
    // 15 FTE needed from week 0 with 10 people: no class is productive
    // before week 4, temps (at most 3, at twice the rate) only from week 2.
    let mut p = plan(10.0);
    p.temps = TempConfig {
        max_headcount: 3,
        cost_per_hour: Some(20.0),
        lead_weeks: 2,
    };
    let r = run(&[15.0; 20], p);
    let short: Vec<f64> = r.weeks.iter().map(|w| -w.gap_fte.min(0.0)).collect();
    assert!(close(short[0], 5.0) && close(short[1], 5.0));
    assert!(close(short[2], 2.0) && close(short[3], 2.0));
    assert!(short[4..].iter().all(|&s| s < 1e-9), "{short:?}");
    assert_eq!(r.weeks[2].temps, 3);
    assert_eq!(r.totals.short_weeks, 4);
    assert_eq!(r.recommended_classes[0].start_week, date(MONDAY));
    assert_eq!(r.recommended_classes[0].size, 5);
    assert_eq!(r.totals.cost_lower_bound, None);
    assert_eq!(r.notes.len(), 1, "{:?}", r.notes);
    assert!(
        r.notes[0].starts_with("weeks 2027-01-04 to 2027-01-31"),
        "{}",
        r.notes[0]
    );
}

#[test]
fn after_the_peak_temps_end_first_then_time_off_is_offered() {
    // No class can help (training longer than the plan): temps cover the
    // peak, end when it is over, then 10% VTO trims the surplus.
    let mut need = vec![10.0; 14];
    need[5..9].fill(12.0);
    need[10..].fill(8.0);
    let mut p = plan(10.0);
    p.new_hires.training_weeks = 100;
    p.temps.max_headcount = 5;
    p.voluntary_time_off.max_percent = 10.0;
    let r = run(&need, p);
    assert!(r.weeks[5..9].iter().all(|w| w.temps == 2));
    assert_eq!(
        r.scale_down[0],
        ScaleDown::EndTemps {
            week_start: date("2027-03-08"),
            end: 2,
            remaining: 0
        }
    );
    let vto: Vec<&ScaleDown> = r.scale_down[1..].iter().collect();
    assert_eq!(vto.len(), 4);
    // Surplus 2 FTE, capped at 10% of 10 productive FTE = 1 FTE = 40 h.
    assert!(r.weeks[10..].iter().all(|w| close(w.vto_hours, 40.0)));
    assert!(close(r.totals.vto_savings, 4.0 * 40.0 * 10.0));
    // Temps: 2 × 4 weeks × 40 h × 12.5.
    assert!(close(r.totals.temp_cost, 4_000.0));
    assert_eq!(r.totals.temp_weeks, 8);
}

#[test]
fn bad_inputs_name_their_field() {
    let mut p = plan(10.0);
    p.attrition_percent_per_month = -2.0;
    let e = err(&[10.0; 4], p);
    assert_eq!(e.field(), "plan.attrition_percent_per_month");
    assert!(e.to_string().contains("at least 0"), "{e}");

    let mut p = plan(10.0);
    p.attrition_percent_per_month = 100.0;
    assert_eq!(
        err(&[10.0; 4], p).field(),
        "plan.attrition_percent_per_month"
    );

    // Peak weeks 2 and 3 (19.5 ≥ 95% of 20): a class in week 4 is too late.
    let mut p = plan(10.0);
    p.hiring_classes = vec![HiringClass {
        start_week: date("2027-02-01"),
        size: 5.0,
        training_weeks: None,
        ramp: None,
    }];
    let e = err(&[10.0, 10.0, 20.0, 19.5, 10.0], p);
    assert_eq!(e.field(), "plan.hiring_classes[0].start_week");
    assert_eq!(
        e,
        CapacityError::ClassAfterPeak {
            field: "plan.hiring_classes[0].start_week".into(),
            start: date("2027-02-01"),
            last_peak: date("2027-01-25"),
        }
    );

    let mut p = plan(10.0);
    p.weeks = Some(5);
    let e = err(&[10.0; 4], p);
    assert_eq!(e.field(), "plan.weeks");
    assert!(matches!(e, CapacityError::ForecastTooShort { .. }), "{e}");

    let mut p = plan(10.0);
    p.start_week = Some(date("2026-12-30"));
    assert_eq!(err(&[10.0; 4], p).field(), "plan.start_week");

    let mut p = plan(10.0);
    p.new_hires.ramp = vec![0.5, 1.5];
    assert_eq!(err(&[10.0; 4], p).field(), "plan.new_hires.ramp[1]");

    let mut p = plan(10.0);
    p.peak = Some(PeakWindow {
        from: date("2027-01-20"),
        to: date("2027-01-10"),
    });
    assert_eq!(err(&[10.0; 4], p).field(), "plan.peak.to");

    let mut p = plan(10.0);
    p.week_overrides = vec![WeekOverride {
        week: date("2028-01-03"),
        shrinkage_percent: Some(10.0),
        leave_percent: None,
        leave_hours: None,
    }];
    assert_eq!(err(&[10.0; 4], p).field(), "plan.week_overrides[0].week");

    let mut p = plan(10.0);
    p.cost_per_hour = 0.0;
    assert_eq!(err(&[10.0; 4], p).field(), "plan.cost_per_hour");
}

fn variant(name: &str, plan: serde_json::Value) -> VariantSpec {
    VariantSpec {
        name: name.into(),
        plan: plan.as_object().unwrap().clone(),
    }
}

#[test]
fn variants_are_compared_side_by_side() {
    let mut need = vec![10.0; 20];
    need[12..16].fill(20.0);
    let out = run_with(
        &need,
        plan(10.0),
        vec![
            variant(
                "no peak hiring, overtime",
                json!({"overtime": {"max_percent": 100}}),
            ),
            variant("attrition 5%", json!({"attrition_percent_per_month": 5})),
        ],
    );
    let names: Vec<&str> = out.comparison.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["base", "no peak hiring, overtime", "attrition 5%"]);
    let [base, overtime, attrition] = &out.comparison[..] else {
        panic!()
    };
    assert_eq!(base.cost_vs_base, 0.0);
    assert_eq!(base.hires, 10);
    // Doubling the staff for 4 weeks by overtime (1.5 × 4 weeks) is cheaper
    // than 10 hires paid 12 weeks.
    assert_eq!(overtime.hires, 0);
    assert!(overtime.cost < base.cost);
    assert!(close(overtime.cost_vs_base, overtime.cost - base.cost));
    // Losing people means hiring more of them; weeks 1–3 lose people
    // before any class can be productive (week 4) and stay short.
    assert!(attrition.hires > base.hires, "{attrition:?}");
    assert_eq!(attrition.short_weeks, 3);
    // The variant ran the merged plan: overtime changed, the rest kept.
    let merged = &out.scenarios[1].plan;
    assert_eq!(merged.overtime.max_percent, 100.0);
    assert_eq!(merged.hours_per_fte_week, 40.0);
}

#[test]
fn variant_errors_name_the_variant_field() {
    let run = |v: VariantSpec| {
        plan_weeks(
            &load(&[10.0; 4]),
            &CapacityRequest {
                plan: plan(10.0),
                variants: vec![variant("ok", json!({})), v],
            },
        )
        .unwrap_err()
    };
    let e = run(variant("neg", json!({"attrition_percent_per_month": -1})));
    assert_eq!(e.field(), "variants[1].plan.attrition_percent_per_month");
    let e = run(variant("typo", json!({"atrition_percent_per_month": 1})));
    assert!(e.field().starts_with("variants[1].plan"), "{e}");
    assert!(e.to_string().contains("atrition_percent_per_month"), "{e}");
    let e = run(variant("type", json!({"overtime": {"max_percent": "ten"}})));
    assert_eq!(e.field(), "variants[1].plan.overtime.max_percent");
    // null resets to the default; a required field cannot be reset.
    let e = run(variant("reset", json!({"current_fte": null})));
    assert!(e.to_string().contains("current_fte"), "{e}");
    let e = run(variant("ok", json!({})));
    assert_eq!(e.field(), "variants[1].name");
    let e = run(variant("base", json!({})));
    assert_eq!(e.field(), "variants[1].name");
}

#[test]
fn merge_patch_follows_rfc_7386() {
    let mut target = json!({"a": 1, "b": {"c": 2, "d": 3}, "e": [1, 2]});
    merge_patch(
        &mut target,
        &json!({"a": null, "b": {"c": 5}, "e": [9], "f": {"g": 1}}),
    );
    assert_eq!(
        target,
        json!({"b": {"c": 5, "d": 3}, "e": [9], "f": {"g": 1}})
    );
}

#[test]
fn the_plan_round_trips_through_json_with_defaults() {
    let p: PlanConfig =
        serde_json::from_value(json!({"current_fte": 50, "cost_per_hour": 20})).unwrap();
    assert_eq!(p, PlanConfig::new(50.0, 20.0));
    let again: PlanConfig = serde_json::from_value(serde_json::to_value(&p).unwrap()).unwrap();
    assert_eq!(again, p);
    let unknown = serde_json::from_value::<PlanConfig>(
        json!({"current_fte": 50, "cost_per_hour": 20, "fte": 3}),
    );
    assert!(unknown.unwrap_err().to_string().contains("unknown field"));
}

/// 78 weeks with a winter peak: every rule holds at once.
#[test]
fn a_seasonal_year_and_a_half_is_covered_at_near_lp_cost() {
    let need: Vec<f64> = (0..78)
        .map(|w| {
            let season = ((w as f64 - 46.0) / 5.0).powi(2);
            100.0 + 60.0 * (-season).exp()
        })
        .collect();
    let mut p = plan(100.0);
    p.attrition_percent_per_month = 3.0;
    p.new_hires.ramp = vec![0.5, 0.75, 0.9];
    p.overtime.max_percent = 10.0;
    p.temps.max_headcount = 10;
    p.temps.lead_weeks = 4;
    p.voluntary_time_off.max_percent = 10.0;
    let r = run(&need, p);
    assert_eq!(r.totals.short_weeks, 0, "{:?}", r.notes);
    assert!(r.totals.baseline_short_weeks > 10);
    for w in &r.weeks {
        assert!(w.gap_fte >= -1e-9, "{} short", w.week_start);
    }
    let classes = &r.recommended_classes;
    assert!(!classes.is_empty());
    for pair in classes.windows(2) {
        assert!(
            (pair[1].start_week - pair[0].start_week).num_weeks() >= 4,
            "{classes:?}"
        );
    }
    for c in classes {
        assert!(c.latest_start_week >= c.start_week);
    }
    let bound = r.totals.cost_lower_bound.unwrap();
    assert!(bound <= r.totals.cost * (1.0 + 1e-6));
    assert!(
        r.totals.cost <= bound * 1.03,
        "whole classes cost {} vs LP {bound}",
        r.totals.cost
    );
    // The peak is ahead of the weeks needing the most, and the pool
    // shrinks: classes start before the peak.
    assert!(classes[0].start_week < r.peak.first_week);
}

/// Five years at 9 %/month attrition: the LP stays well scaled and every
/// week a class can reach is covered.
#[test]
fn five_years_of_heavy_attrition_still_solve() {
    let need: Vec<f64> = (0..260)
        .map(|w| 50.0 + 20.0 * ((w % 52) as f64 / 52.0 * std::f64::consts::TAU).sin())
        .collect();
    let mut p = plan(50.0);
    p.attrition_percent_per_month = 9.0;
    p.overtime.max_percent = 5.0;
    let r = run(&need, p);
    // Only the first 4 weeks (training) can stay short.
    assert!(r.weeks[4..].iter().all(|w| w.gap_fte >= -1e-9));
    assert!(r.totals.hires > 0);
    let bound = r.totals.cost_lower_bound;
    assert!(bound.is_none() || bound.unwrap() <= r.totals.cost * (1.0 + 1e-6));
}

#[test]
fn a_stored_plan_reads_back_as_written_non_finite_numbers_included() {
    let mut need = vec![10.0; 12];
    need[6..9].fill(18.0);
    let mut out = run_with(
        &need,
        plan(10.0),
        vec![variant(
            "overtime",
            json!({"overtime": {"max_percent": 50}}),
        )],
    );
    // What an empty peak gives: serde_json writes +∞ as null.
    out.scenarios[0].totals.peak_gap_fte = f64::INFINITY;
    let stored = serde_json::to_string(&out).unwrap();
    let back: CapacityPlan = serde_json::from_str(&stored).unwrap();
    assert!(back.scenarios[0].totals.peak_gap_fte.is_nan());
    assert_eq!(serde_json::to_string(&back).unwrap(), stored);
    assert_eq!(back.scenarios[1], out.scenarios[1]);
    assert_eq!(back.comparison[1], out.comparison[1]);
}
