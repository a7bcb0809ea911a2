#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns: a failed unwrap fails the test
//! `staffcast capacity`, run as a user would: the real binary on real files.

use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};
use staffcast::domain::ServiceGoal;
use staffcast::staffing::{required_agents, StaffingTarget, Workload};
use std::path::Path;
use std::process::Command;

const PARIS: chrono_tz::Tz = chrono_tz::Europe::Paris;

fn staffcast() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_staffcast"));
    cmd.env_remove("DATABASE_URL");
    cmd
}

/// Half-hour volume, Mon–Sat 08:00–20:00 Paris time, for 26 weeks from
/// Monday 2027-01-04, with a peak around week 18 (+60%).
fn volume_at(t: DateTime<Utc>) -> f64 {
    let local = t.with_timezone(&PARIS);
    let week = (local.date_naive() - chrono::NaiveDate::from_ymd_opt(2027, 1, 4).unwrap())
        .num_weeks() as f64;
    let hour = f64::from(local.hour()) + f64::from(local.minute()) / 60.0;
    if !(8.0..20.0).contains(&hour) || local.weekday() == chrono::Weekday::Sun {
        return 0.0;
    }
    let season = 1.0 + 0.6 * (-((week - 18.0) / 3.0).powi(2)).exp();
    (60.0 * season * (1.0 + 0.3 * ((hour - 8.0) / 12.0 * std::f64::consts::PI).sin()) * 100.0)
        .round()
        / 100.0
}

fn intervals() -> Vec<DateTime<Utc>> {
    let start = PARIS.with_ymd_and_hms(2027, 1, 4, 0, 0, 0).unwrap();
    let end = PARIS.with_ymd_and_hms(2027, 7, 5, 0, 0, 0).unwrap();
    let mut t = start.with_timezone(&Utc);
    let mut out = Vec::new();
    while t < end.with_timezone(&Utc) {
        out.push(t);
        t += Duration::minutes(30);
    }
    out
}

/// The file `staffcast forecast` writes: offsets, p10/p90, AHT empty when closed.
fn write_forecast(path: &Path) {
    let mut csv = String::from("interval_start,volume,volume_p10,volume_p90,aht_seconds\n");
    for t in intervals() {
        let v = volume_at(t);
        let stamp = t.with_timezone(&PARIS).to_rfc3339();
        if v > 0.0 {
            csv.push_str(&format!("{stamp},{v},{},{},240\n", v * 0.8, v * 1.2));
        } else {
            csv.push_str(&format!("{stamp},0,0,0,\n"));
        }
    }
    std::fs::write(path, csv).unwrap();
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect();
    (headers, rows)
}

const PLAN: &str = r#"{
  "plan": {"current_fte": 40, "cost_per_hour": 22, "attrition_percent_per_month": 2.5,
           "shrinkage_percent": 30, "overtime": {"max_percent": 5},
           "new_hires": {"training_weeks": 4, "ramp": [0.5, 0.75, 0.9]}},
  "variants": [{"name": "attrition 5%", "plan": {"attrition_percent_per_month": 5}}]
}"#;

fn run(dir: &Path, plan: &str) -> std::process::Output {
    let forecast = dir.join("forecast.csv");
    if !forecast.exists() {
        write_forecast(&forecast);
    }
    std::fs::write(dir.join("plan.json"), plan).unwrap();
    staffcast()
        .args(["capacity", "--forecast"])
        .arg(&forecast)
        .arg("--plan")
        .arg(dir.join("plan.json"))
        .arg("--output")
        .arg(dir.join("weeks.csv"))
        .args([
            "--interval-minutes",
            "30",
            "--time-zone",
            "Europe/Paris",
            "--service-level-percent",
            "80",
            "--answer-within-seconds",
            "20",
        ])
        .output()
        .expect("run staffcast")
}

#[test]
fn capacity_writes_weekly_rows_and_recommends_classes() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), PLAN);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (headers, rows) = read_csv(&dir.path().join("weeks.csv"));
    assert_eq!(
        headers,
        [
            "scenario",
            "week_start",
            "required_fte",
            "available_fte",
            "gap_fte",
            "cost",
            "need_hours",
            "pool_fte",
            "class_fte",
            "productive_fte",
            "overtime_hours",
            "temps",
            "vto_hours",
            "baseline_gap_fte"
        ]
    );
    assert_eq!(rows.len(), 2 * 26, "26 weeks for the base and the variant");
    let num = |s: &String| s.parse::<f64>().unwrap();

    // Week 1 by hand: Σ Erlang C agents × ½ h, over 37.5 h × (1 − 30%).
    let goal = ServiceGoal::new(0.8, 20.0, None, None).unwrap();
    let first = PARIS.with_ymd_and_hms(2027, 1, 4, 0, 0, 0).unwrap();
    let need: f64 = intervals()
        .into_iter()
        .filter(|&t| t < first + Duration::weeks(1))
        .map(|t| {
            let r = required_agents(
                &Workload::new(volume_at(t), 240.0, 1800.0).unwrap(),
                &StaffingTarget::new(goal, 0.85, 0.0).unwrap(),
            )
            .unwrap();
            f64::from(r.agents_net) * 0.5
        })
        .sum();
    assert_eq!(rows[0][0], "base");
    assert_eq!(rows[0][1], "2027-01-04");
    assert!(
        (num(&rows[0][6]) - need).abs() < 0.01,
        "{} vs {need}",
        rows[0][6]
    );
    assert!((num(&rows[0][2]) - need / (37.5 * 0.7)).abs() < 0.001);

    let mut short_before = 0;
    for r in &rows {
        let (required, available, gap) = (num(&r[2]), num(&r[3]), num(&r[4]));
        assert!(required > 0.0 && num(&r[5]) > 0.0, "{r:?}");
        assert!((gap - (available - required)).abs() < 0.002, "{r:?}");
        if num(&r[13]) < -0.001 {
            short_before += 1;
            assert!(gap > -0.001, "a short week stays short: {r:?}");
        }
    }
    assert!(short_before > 0, "the plan has a peak to hire for");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("base: 26 weeks from 2027-01-04"),
        "{stdout}"
    );
    assert!(lines[0].contains("0 short weeks"), "{stdout}");
    assert!(
        lines.iter().any(|l| l.starts_with("attrition 5%: ")),
        "{stdout}"
    );
    assert!(lines[1].starts_with("  class: start 2027-"), "{stdout}");
}

#[test]
fn capacity_refuses_bad_plans_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let stderr = |plan: &str| {
        let out = run(dir.path(), plan);
        assert!(!out.status.success(), "{plan} should fail");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let e = stderr(
        r#"{"plan": {"current_fte": 40, "cost_per_hour": 22, "attrition_percent_per_month": -1}}"#,
    );
    assert!(e.contains("plan.attrition_percent_per_month"), "{e}");
    let e = stderr(r#"{"plan": {"current_fte": 40, "cost_per_hour": 22, "weeks": 30}}"#);
    assert!(e.contains("plan.weeks") && e.contains("too short"), "{e}");
    let e = stderr(r#"{"plan": {"current_fte": 40, "cost_per_hour": 22, "overtime": {"max": 5}}}"#);
    assert!(
        e.contains("plan.overtime") && e.contains("unknown field"),
        "{e}"
    );
}
