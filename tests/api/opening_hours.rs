//! Opening hours and weekend days per queue over real HTTP, on SQLite and
//! PostgreSQL: set, read and refused; closed intervals need no agents, are
//! never short, and stay out of the roster's service figures; the engine's
//! weekend rule counts the queue's weekend.

use crate::common::{json_of, paris_queue, paths, time, TestApp, TestDb};
use crate::helpers::id_of;
use chrono::{Datelike, NaiveDate, Timelike, Weekday};
use serde_json::{json, Value};
use std::collections::HashSet;

const PARIS: chrono_tz::Tz = chrono_tz::Europe::Paris;

/// The Anonymous Bank's week (SOURCE.md): Sun–Thu 07–24, Fri 07–14, Sat 20–24.
fn bank_hours() -> Value {
    json!({"weekly": {
        "sun": [["07:00", "24:00"]], "mon": [["07:00", "24:00"]], "tue": [["07:00", "24:00"]],
        "wed": [["07:00", "24:00"]], "thu": [["07:00", "24:00"]],
        "fri": [["07:00", "14:00"]], "sat": [["20:00", "24:00"]]},
        "dates": [{"date": "2026-12-24", "hours": [["07:00", "12:00"], ["13:00", "15:30"]]},
                  {"date": "2026-12-25", "closed": true}]})
}

/// A refusal: its status, and the `field` it names.
async fn refused(resp: reqwest::Response, status: u16) -> (String, String) {
    let body = json_of(resp, status).await;
    (
        body["field"].as_str().unwrap_or_default().to_string(),
        body["detail"].as_str().unwrap_or_default().to_string(),
    )
}

async fn opening_hours_are_set_read_and_checked(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let q = app.create_queue(paris_queue("sales")).await;
    let queue = app.get_json(&paths::queue(q)).await;
    assert_eq!(queue["weekend_days"], json!(["sat", "sun"]));
    // Unset: open 24 h every day.
    let unset = app.get_json(&paths::queue_opening_hours(q)).await;
    assert_eq!(unset["time_zone"], "Europe/Paris");
    for day in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
        assert_eq!(unset["weekly"][day], json!([["00:00", "24:00"]]), "{unset}");
    }
    assert_eq!(unset["dates"], json!([]));

    let set = json_of(
        app.put_json(&paths::queue_opening_hours(q), &bank_hours())
            .await,
        200,
    )
    .await;
    assert_eq!(set["weekly"]["fri"], json!([["07:00", "14:00"]]));
    assert_eq!(set["weekly"]["sat"], json!([["20:00", "24:00"]]));
    assert_eq!(
        set["dates"],
        json!([{"date": "2026-12-24", "closed": false, "hours": [["07:00", "12:00"], ["13:00", "15:30"]]},
               {"date": "2026-12-25", "closed": true, "hours": []}])
    );
    assert_eq!(app.get_json(&paths::queue_opening_hours(q)).await, set);

    // Bad hours: a 4xx naming the field, and nothing stored.
    let cases = [
        (
            json!({"weekly": {"mon": [["07:00", "12:00"], ["11:00", "14:00"]]}}),
            422,
            "weekly.mon[1]",
            "overlaps 07:00-12:00",
        ),
        (
            json!({"weekly": {"tue": [["14:00", "07:00"]]}}),
            422,
            "weekly.tue[0]",
            "not after it starts",
        ),
        (
            json!({"weekly": {"wed": [["07:00", "25:00"]]}}),
            422,
            "weekly.wed[0]",
            "'25:00' is not a time of day",
        ),
        (
            json!({"weekly": {"thu": [["07:00"]]}}),
            422,
            "weekly.thu[0]",
            "a range is",
        ),
        (
            json!({"weekly": {"caturday": [["07:00", "12:00"]]}}),
            400,
            "weekly",
            "caturday",
        ),
        (
            json!({"dates": [{"date": "2026-12-25", "closed": true, "hours": [["09:00", "12:00"]]}]}),
            422,
            "dates[0].hours",
            "a closed date has no hours",
        ),
        (
            json!({"dates": [{"date": "2026-12-25"}]}),
            422,
            "dates[0]",
            "give \"closed\": true or its \"hours\"",
        ),
        (
            json!({"dates": [{"date": "2026-12-25", "closed": true}, {"date": "2026-12-25", "closed": true}]}),
            422,
            "dates[1].date",
            "listed twice",
        ),
        (
            json!({"dates": [{"date": "2026-02-30", "closed": true}]}),
            400,
            "dates[0].date",
            "",
        ),
    ];
    for (body, status, field, says) in cases {
        let (got, detail) = refused(
            app.put_json(&paths::queue_opening_hours(q), &body).await,
            status,
        )
        .await;
        assert!(got.starts_with(field), "{body}: field {got}, {detail}");
        assert!(detail.contains(says), "{body}: {detail}");
    }
    assert_eq!(app.get_json(&paths::queue_opening_hours(q)).await, set);
    let resp = app
        .put_json(&paths::queue_opening_hours(999), &bank_hours())
        .await;
    assert_eq!(resp.status(), 404);
    assert_eq!(
        app.get(&paths::queue_opening_hours(999)).await.status(),
        404
    );
    // Back to 24 h: an empty document.
    let open = json_of(
        app.put_json(&paths::queue_opening_hours(q), &json!({}))
            .await,
        200,
    )
    .await;
    assert_eq!(open, unset);

    // Weekend days: on create, by PATCH, refused when not one run of days.
    let mut bank = paris_queue("bank");
    bank["weekend_days"] = json!(["fri", "sat"]);
    let b = app.create_queue(bank.clone()).await;
    assert_eq!(
        app.get_json(&paths::queue(b)).await["weekend_days"],
        json!(["fri", "sat"])
    );
    bank["name"] = json!("bank 2");
    bank["weekend_days"] = json!(["fri", "sun"]);
    let (field, detail) = refused(app.post_json(&paths::queues(), &bank).await, 422).await;
    assert_eq!(field, "weekend_days", "{detail}");
    let changed = json_of(
        app.patch_json(&paths::queue(b), &json!({"weekend_days": ["sun"]}))
            .await,
        200,
    )
    .await;
    assert_eq!(changed["weekend_days"], json!(["sun"]));
    let (field, detail) = refused(
        app.patch_json(&paths::queue(b), &json!({"weekend_days": ["sun", "xyz"]}))
            .await,
        422,
    )
    .await;
    assert_eq!(field, "weekend_days[1]");
    assert!(detail.contains("'xyz' is not a weekday"), "{detail}");
    // Every setting is checked before any is stored.
    let (field, _) = refused(
        app.patch_json(
            &paths::queue(b),
            &json!({"weekend_days": ["sat", "sun"], "default_aht_seconds": -1}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(field, "default_aht_seconds");
    let kept = app.get_json(&paths::queue(b)).await;
    assert_eq!(kept["weekend_days"], json!(["sun"]));
    let aht = json_of(
        app.patch_json(&paths::queue(b), &json!({"default_aht_seconds": 200}))
            .await,
        200,
    )
    .await;
    assert_eq!(
        (
            aht["weekend_days"].clone(),
            aht["default_aht_seconds"].clone()
        ),
        (json!(["sun"]), json!(200.0))
    );
}

/// Six weeks of 15-minute history (Mon 2026-01-05 .. Sun 02-15), 08:00–18:00
/// every day, plus two stray calls at 22:00 and 22:15 each night.
fn history_with_stray_calls() -> String {
    let start = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    let mut out = String::from("interval_start,volume,aht_seconds\n");
    for d in 0..42 {
        let date = start + chrono::Duration::days(d);
        for q in 32..72 {
            let (h, m) = (q / 4, (q % 4) * 15);
            let volume = 10 + (q - 32) % 7 + d % 3;
            out.push_str(&format!(
                "{date} {h:02}:{m:02},{volume},{}\n",
                170 + q % 5 * 10
            ));
        }
        out.push_str(&format!("{date} 22:00,2,180\n{date} 22:15,2,180\n"));
    }
    out
}

/// Mon–Fri 08–18, Saturday closed, Sunday 10–16; Wednesday 2026-02-18 closed.
fn office_hours() -> Value {
    json!({"weekly": {"mon": [["08:00", "18:00"]], "tue": [["08:00", "18:00"]],
                      "wed": [["08:00", "18:00"]], "thu": [["08:00", "18:00"]],
                      "fri": [["08:00", "18:00"]], "sat": [], "sun": [["10:00", "16:00"]]},
           "dates": [{"date": "2026-02-18", "closed": true}]})
}

/// Whether [`office_hours`] has the queue open at the local time of `start`,
/// with Thursday 2026-02-19 closed by the calendar.
fn open_in_office_hours(start: &Value) -> bool {
    let local = time(start).with_timezone(&PARIS);
    let h = local.hour();
    let closed = ["2026-02-18", "2026-02-19"].map(|d| d.parse::<NaiveDate>().unwrap());
    if closed.contains(&local.date_naive()) {
        return false;
    }
    match local.weekday() {
        Weekday::Sat => false,
        Weekday::Sun => (10..16).contains(&h),
        _ => (8..18).contains(&h),
    }
}

/// Local date and hour:minute of an interval start.
fn local(start: &Value) -> (NaiveDate, u32, u32) {
    let t = time(start).with_timezone(&PARIS);
    (t.date_naive(), t.hour(), t.minute())
}

fn find<'a>(intervals: &'a [Value], date: &str, h: u32) -> &'a Value {
    let date: NaiveDate = date.parse().unwrap();
    intervals
        .iter()
        .find(|i| local(&i["start"]) == (date, h, 0))
        .unwrap()
}

/// Agents required (with shrinkage) at `h`:00 local on `date`.
fn agents_at(intervals: &[Value], date: &str, h: u32) -> i64 {
    find(intervals, date, h)["agents_with_shrinkage"]
        .as_i64()
        .unwrap()
}

/// Volume-weighted service level over the intervals `keep` selects.
fn weighted_sl(intervals: &[Value], keep: impl Fn(&Value) -> bool) -> f64 {
    let (mut answered, mut volume) = (0.0, 0.0);
    for i in intervals.iter().filter(|i| keep(i)) {
        let v = i["volume"].as_f64().unwrap();
        volume += v;
        answered += v * i["service_level"].as_f64().unwrap();
    }
    answered / volume
}

async fn closed_intervals_need_no_agents_and_leave_the_figures(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let q = app.create_queue(paris_queue("sales")).await;
    app.import_history(q, history_with_stray_calls()).await;
    let (from, to) = ("2026-02-16T00:00", "2026-02-23T00:00");
    let before = app.weekly_average_forecast(q, from, to).await;
    json_of(
        app.put_json(&paths::queue_opening_hours(q), &office_hours())
            .await,
        200,
    )
    .await;
    json_of(
        app.patch_json(&paths::queue(q), &json!({"weekend_days": ["fri", "sat"]}))
            .await,
        200,
    )
    .await;
    // A closed day on the calendar closes the queue too.
    app.import_special_days(q, "date,kind,name\n2026-02-19,closed,Strike\n")
        .await;
    let after = app.weekly_average_forecast(q, from, to).await;

    // The forecast made before the hours keeps its requirement: open all
    // week, with agents for the stray night calls and for Wednesday.
    let old = app.get_json(&paths::forecast_requirements(before)).await;
    let old = old["intervals"].as_array().unwrap();
    assert!(old.iter().all(|i| i["open"] == true));
    assert!(agents_at(old, "2026-02-17", 22) > 0);
    assert!(agents_at(old, "2026-02-18", 10) > 0);
    assert!(agents_at(old, "2026-02-19", 10) > 0);

    // The one after: closed where the hours say, and no agents there.
    let reqs = app.get_json(&paths::forecast_requirements(after)).await;
    let reqs = reqs["intervals"].as_array().unwrap().clone();
    assert_eq!(reqs.len(), 7 * 96);
    let mut stray = 0;
    for i in &reqs {
        let open = open_in_office_hours(&i["start"]);
        assert_eq!(i["open"], open, "{i}");
        if !open {
            assert_eq!(i["agents_with_shrinkage"], 0, "{i}");
            assert_eq!(i["agents_net"], 0, "{i}");
            if i["workload_erlangs"].as_f64().unwrap() > 0.0 {
                stray += 1;
            }
        }
    }
    // Calls still arrive at night and on the closed Wednesday and Saturday.
    assert!(stray >= 6 * 2 + 40 + 40, "{stray}");
    // The date closes a Wednesday whose weekday is open, the calendar a
    // Thursday; Tuesday is staffed.
    assert_eq!(find(&reqs, "2026-02-18", 10)["open"], false);
    assert_eq!(find(&reqs, "2026-02-19", 10)["open"], false);
    assert!(agents_at(&reqs, "2026-02-17", 10) > 0);

    // Agents who may work no weekend: the queue's is Friday and Saturday.
    let agents: Vec<Value> = (0..6)
        .map(|i| {
            json!({"name": format!("Agent {i}"), "external_id": format!("HR-{i}"),
                   "min_week_hours": 0, "max_week_hours": 40,
                   "contract": {"max_shifts_per_week": 5, "max_working_weekends": 0}})
        })
        .collect();
    app.add_agents(q, &json!(agents)).await;
    let template = json!([{"name": "day", "earliest_start": "08:00:00", "latest_start": "10:00:00",
        "min_length_minutes": 360, "max_length_minutes": 480, "length_step_minutes": 60}]);
    let s = id_of(
        &app.create_schedule(&json!({"forecast_id": after, "templates": template,
            "time_limit_seconds": 20, "iteration_budget": 20000, "seed": 1}))
            .await,
    );
    let run = app.wait_for_schedule_within(s, 60).await;
    assert_eq!(run["status"], "done", "{run}");
    let roster = app.get_json(&paths::schedule_roster(s)).await;
    let days: Vec<NaiveDate> = roster["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|sh| sh["date"].as_str().unwrap().parse().unwrap())
        .collect();
    // No Friday (a weekend day here, though it needs agents), and Sunday
    // worked (a weekend day under the default Saturday and Sunday).
    assert!(
        !days.iter().any(|d| d.weekday() == Weekday::Fri),
        "{days:?}"
    );
    assert!(days.iter().any(|d| d.weekday() == Weekday::Sun), "{days:?}");

    // The shortfall lists short intervals, all open ones.
    let open_starts: HashSet<String> = reqs
        .iter()
        .filter(|i| i["open"] == true)
        .map(|i| i["start"].as_str().unwrap().to_string())
        .collect();
    let short = app.get_json(&paths::schedule_shortfall(s)).await;
    let list = short["shortfall"].as_array().unwrap();
    assert!(!list.is_empty(), "six agents leave the week short");
    for x in list {
        assert!(
            open_starts.contains(x["start"].as_str().unwrap()),
            "closed interval listed: {x}"
        );
    }

    // /check: closed intervals are marked and left out of the overall figure,
    // which they would pull down (nobody answers the stray calls).
    let check = app.get_json(&paths::schedule_check(s)).await;
    let intervals = check["intervals"].as_array().unwrap();
    for i in intervals {
        assert_eq!(i["open"], open_in_office_hours(&i["start"]), "{i}");
    }
    let overall = check["service_level"].as_f64().unwrap();
    let open_only = weighted_sl(intervals, |i| i["open"] == true);
    let everything = weighted_sl(intervals, |_| true);
    assert!(
        (overall - open_only).abs() < 1e-9,
        "{overall} vs {open_only}"
    );
    assert!(overall - everything > 0.05, "{overall} vs {everything}");
    let below = intervals
        .iter()
        .filter(|i| {
            i["open"] == true
                && i["volume"].as_f64().unwrap() > 0.0
                && i["service_level"].as_f64().unwrap() < 0.8
        })
        .count();
    assert_eq!(check["intervals_below_goal"], below);

    // /simulate: a closed queue takes no calls, so the totals are the open
    // intervals' alone.
    let sim = json_of(
        app.post_json(&paths::schedule_simulate(s), &json!({"replications": 2}))
            .await,
        200,
    )
    .await;
    let sims = sim["intervals"].as_array().unwrap();
    let mut closed_with_calls = 0;
    let mut offered = 0;
    for i in sims {
        let open = open_in_office_hours(&i["start"]);
        assert_eq!(i["open"], open, "{i}");
        if !open {
            assert_eq!(i["offered"], 0, "{i}");
            if i["volume"].as_f64().unwrap() > 0.0 {
                closed_with_calls += 1;
            }
        }
        offered += i["offered"].as_u64().unwrap();
    }
    assert!(closed_with_calls > 0);
    assert_eq!(sim["totals"]["offered"], offered);
}

crate::on_both_databases!(
    opening_hours_are_set_read_and_checked,
    closed_intervals_need_no_agents_and_leave_the_figures,
);
