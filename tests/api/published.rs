//! What HR tools pull, over real HTTP on SQLite and PostgreSQL: the
//! schedule list (filters, pages), publishing (draft → published →
//! superseded), the published roster of a week with ETag / If-None-Match /
//! updated_since, and per-agent calendar feeds at a secret URL whose UIDs
//! survive re-publishing.

use crate::common::{client_with_key, json_of, paths, queue_with_history, TestApp, TestDb};
use crate::helpers::id_of;
use serde_json::{json, Value};
use staffcast::auth::{FeedToken, Role};
use std::collections::HashMap;

const WEEK1: &str = "2026-02-16";
const WEEK2: &str = "2026-02-23";

/// A queue with history, twelve agents and a forecast of the two weeks
/// after it (Mon 2026-02-16 .. Sun 2026-03-01); returns (queue, forecast).
async fn two_weeks(app: &TestApp) -> (i64, i64) {
    let q = queue_with_history(app, true).await;
    let agents: Vec<Value> = (0..12)
        .map(|i| {
            json!({"name": format!("Agent {i}"), "external_id": format!("HR-{i}"),
                        "min_week_hours": 15, "max_week_hours": 30})
        })
        .collect();
    app.add_agents(q, &json!(agents)).await;
    let f = app
        .weekly_average_forecast(q, "2026-02-16T00:00", "2026-03-02T00:00")
        .await;
    (q, f)
}

/// A greedy roster (fast, the same every run) of `days` from `first_day`
/// with shifts of `length` minutes; waits until it is done.
async fn roster(app: &TestApp, f: i64, first_day: &str, days: u32, length: u32) -> i64 {
    let body = json!({"forecast_id": f, "week_start": first_day, "days": days, "solver": "greedy",
        "shift": {"length_minutes": length, "earliest_start": "07:00:00",
                  "latest_start": "10:00:00", "lunch_minutes": 30}});
    let s = id_of(&app.create_schedule(&body).await);
    let run = app.wait_for_schedule(s).await;
    assert_eq!(run["status"], "done", "{run}");
    s
}

async fn publish(app: &TestApp, s: i64) -> Value {
    json_of(
        app.post_json(&paths::schedule_publish(s), &json!({})).await,
        200,
    )
    .await
}

fn list_url(params: &[(&str, &dyn std::fmt::Display)]) -> String {
    paths::with_query(paths::schedules(), params)
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect()
}

/// A refusal's status, code and field.
async fn refusal(resp: reqwest::Response) -> (u16, String, Value) {
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap();
    (
        status,
        body["code"].as_str().unwrap_or_default().to_string(),
        body["field"].clone(),
    )
}

async fn schedules_are_listed_filtered_and_paged(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (q, f) = two_weeks(&app).await;
    let s1 = roster(&app, f, WEEK1, 7, 480).await;
    let s2 = roster(&app, f, WEEK2, 7, 480).await;
    // Sat 21 .. Tue 24: in both weeks.
    let s3 = roster(&app, f, "2026-02-21", 4, 480).await;

    let all = app.get_json(&list_url(&[])).await;
    assert_eq!(ids(&all), [s3, s2, s1], "newest first");
    assert_eq!(all["total"], 3);
    assert_eq!(all["next"], Value::Null);
    let item = &all["items"][0];
    assert_eq!(item["first_day"], "2026-02-21");
    assert_eq!(item["last_day"], "2026-02-24");
    assert_eq!(item["status"], "done");
    assert_eq!(item["publication"]["state"], "draft");
    assert!(item.get("report").is_none(), "lists carry no report");

    // Two pages; the cursor holds when a newer schedule arrives meanwhile.
    let first = app.get_json(&list_url(&[("limit", &2)])).await;
    assert_eq!(ids(&first), [s3, s2]);
    let cursor = first["next"].as_str().unwrap().to_string();
    let s4 = roster(&app, f, WEEK1, 3, 480).await;
    let second = app
        .get_json(&list_url(&[("limit", &2), ("cursor", &cursor)]))
        .await;
    assert_eq!(ids(&second), [s1]);
    assert_eq!(second["next"], Value::Null);
    assert_eq!(second["total"], 4);

    // Weeks: every schedule with a day in that week.
    let week1 = app.get_json(&list_url(&[("week", &WEEK1)])).await;
    assert_eq!(ids(&week1), [s4, s3, s1]);
    let week2 = app.get_json(&list_url(&[("week", &WEEK2)])).await;
    assert_eq!(ids(&week2), [s3, s2]);
    let none = app.get_json(&list_url(&[("week", &"2026-03-02")])).await;
    assert_eq!((ids(&none).len(), none["total"].as_i64()), (0, Some(0)));

    // Queues and statuses, job and publication.
    let other = app.create_queue(crate::common::paris_queue("other")).await;
    assert_eq!(
        app.get_json(&list_url(&[("queue", &other)])).await["total"],
        0
    );
    assert_eq!(app.get_json(&list_url(&[("queue", &q)])).await["total"], 4);
    publish(&app, s1).await;
    let published = app.get_json(&list_url(&[("status", &"published")])).await;
    assert_eq!(ids(&published), [s1]);
    assert_eq!(published["items"][0]["publication"]["state"], "published");
    let drafts = app.get_json(&list_url(&[("status", &"draft")])).await;
    assert_eq!(ids(&drafts), [s4, s3, s2]);
    let done = app
        .get_json(&list_url(&[("status", &"done"), ("week", &WEEK2)]))
        .await;
    assert_eq!(ids(&done), [s3, s2]);
    assert_eq!(
        app.get_json(&list_url(&[("status", &"queued")])).await["total"],
        0
    );

    // Bad values are refused, naming the query parameter.
    for (params, status, code, field) in [
        (vec![("status", "finished")], 422, "invalid_value", "status"),
        (vec![("week", "2026-02-18")], 422, "invalid_value", "week"),
        (vec![("week", "soon")], 422, "invalid_value", "week"),
        (vec![("limit", "0")], 422, "out_of_range", "limit"),
        (vec![("limit", "501")], 422, "out_of_range", "limit"),
        (vec![("cursor", "x")], 422, "invalid_value", "cursor"),
        (vec![("queue", "abc")], 422, "invalid_value", "queue"),
    ] {
        let shown = format!("{params:?}");
        let params: Vec<(&str, &dyn std::fmt::Display)> = params
            .iter()
            .map(|(k, v)| (*k, v as &dyn std::fmt::Display))
            .collect();
        let got = refusal(app.get(&list_url(&params)).await).await;
        assert_eq!(got, (status, code.to_string(), json!(field)), "{shown}");
    }
    let resp = app.get(&list_url(&[("queue", &999)])).await;
    assert_eq!(resp.status(), 404);
    let resp = app.get(&list_url(&[("page", &2)])).await;
    assert_eq!(refusal(resp).await.1, "invalid_query");
}

fn roster_url(q: i64, week: &str, extra: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut params: Vec<(&str, &dyn std::fmt::Display)> = vec![("queue", &q), ("week", &week)];
    params.extend_from_slice(extra);
    paths::with_query(paths::rosters(), &params)
}

async fn publishing_supersedes_and_rosters_serve_the_current_one(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let hr = client_with_key(&app.new_key("hr tool", Role::Hr));
    let (q, f) = two_weeks(&app).await;

    // Nothing published yet: a 404 with its own code.
    let got = refusal(app.get(&roster_url(q, WEEK1, &[])).await).await;
    assert_eq!((got.0, got.1.as_str()), (404, "no_published_roster"));

    // An unfinished schedule is refused, naming its status; so is a cancelled one.
    let slow = json!({"forecast_id": f, "week_start": WEEK1, "time_limit_seconds": 60});
    let pending = id_of(&app.create_schedule(&slow).await);
    let resp = app
        .post_json(&paths::schedule_publish(pending), &json!({}))
        .await;
    assert_eq!(resp.status(), 409);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "not_publishable");
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("is queued") || detail.contains("is running"),
        "{detail}"
    );
    app.delete(&paths::schedule(pending)).await;
    let cancelled = app.wait_for_schedule(pending).await;
    assert_eq!(cancelled["status"], "cancelled");
    let resp = app
        .post_json(&paths::schedule_publish(pending), &json!({}))
        .await;
    assert_eq!(resp.status(), 409);
    assert!(resp.text().await.unwrap().contains("is cancelled"));
    let resp = app
        .post_json(&paths::schedule_publish(999), &json!({}))
        .await;
    assert_eq!(resp.status(), 404);

    // Draft -> published, by the planner's key (key 1).
    let s1 = roster(&app, f, WEEK1, 7, 480).await;
    assert_eq!(
        app.get_json(&paths::schedule(s1)).await["publication"]["state"],
        "draft"
    );
    let resp = hr
        .post(app.url(&paths::schedule_publish(s1)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403, "HR pulls rosters but does not publish");
    let published = publish(&app, s1).await;
    let p = &published["publication"];
    assert_eq!(p["state"], "published");
    assert_eq!(p["weeks"], json!([WEEK1]));
    assert_eq!(p["published_by"], 1);
    assert!(p["published_at"].is_string());
    let shown = app.get_json(&paths::schedule(s1)).await;
    assert_eq!(shown["publication"], *p);

    // The week's roster: the schedule's shifts, with ETag and Last-Modified.
    let own = app.get_json(&paths::schedule_roster(s1)).await;
    let resp = hr
        .get(app.url(&roster_url(q, WEEK1, &[])))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let etag1 = resp.headers()["etag"].to_str().unwrap().to_string();
    assert!(etag1.starts_with('"') && etag1.len() > 10, "{etag1}");
    assert!(resp.headers()["last-modified"]
        .to_str()
        .unwrap()
        .ends_with(" GMT"));
    let pulled: Value = resp.json().await.unwrap();
    assert_eq!(pulled["schedule_id"], s1);
    assert_eq!(pulled["week"], WEEK1);
    assert_eq!(pulled["time_zone"], "Europe/Paris");
    assert_eq!(pulled["published_at"], p["published_at"]);
    let shifts = pulled["shifts"].as_array().unwrap();
    assert_eq!(shifts.len(), own["shifts"].as_array().unwrap().len());
    // The shape HR tools read, on the first two shifts (the greedy roster is the same every run).
    let mut shown = pulled.clone();
    shown["shifts"] = json!(shifts[..2]);
    insta::assert_json_snapshot!("published_roster", shown, {
        ".queue_id" => "[id]",
        ".schedule_id" => "[id]",
        ".published_by" => "[key id]",
        ".published_at" => "[timestamp]",
        ".shifts[].agent_id" => "[id]",
        ".shifts[].uid" => "[uid]",
        ".shifts[].modified_at" => "[timestamp]",
    });
    for (mine, theirs) in shifts.iter().zip(own["shifts"].as_array().unwrap()) {
        for field in ["agent_id", "external_id", "date", "start", "end", "breaks"] {
            assert_eq!(mine[field], theirs[field], "{field}");
        }
        assert_eq!(mine["sequence"], 0);
        assert!(mine["uid"]
            .as_str()
            .unwrap()
            .starts_with(&format!("shift-{}-", mine["agent_id"])));
    }

    // Conditional pulls: the same ETag (or an older updated_since) is 304 with no body.
    for tag in [
        etag1.clone(),
        format!("W/{etag1}"),
        format!("\"x\", {etag1}"),
    ] {
        let resp = hr
            .get(app.url(&roster_url(q, WEEK1, &[])))
            .header("if-none-match", &tag)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 304, "{tag}");
        assert_eq!(resp.headers()["etag"].to_str().unwrap(), etag1);
        assert!(resp.bytes().await.unwrap().is_empty());
    }
    let at = p["published_at"].as_str().unwrap().to_string();
    let before = (crate::common::time(&p["published_at"]) - chrono::Duration::seconds(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let resp = hr
        .get(app.url(&roster_url(q, WEEK1, &[("updated_since", &at)])))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 304, "not published since {at}");
    let resp = hr
        .get(app.url(&roster_url(q, WEEK1, &[("updated_since", &before)])))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "published after {before}");
    let got = refusal(
        app.get(&roster_url(q, WEEK1, &[("updated_since", &"yesterday")]))
            .await,
    )
    .await;
    assert_eq!(got, (422, "invalid_value".into(), json!("updated_since")));

    // CSV and iCalendar, each with its own ETag.
    let resp = app.get(&roster_url(q, WEEK1, &[("format", &"csv")])).await;
    assert_eq!(resp.status(), 200);
    assert_ne!(resp.headers()["etag"].to_str().unwrap(), etag1);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert_eq!(resp.text().await.unwrap().lines().count(), shifts.len() + 1);
    let ics = app
        .get(&roster_url(q, WEEK1, &[("format", &"ics")]))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(events(&ics).len(), shifts.len());

    // Another roster for the same week: the first is superseded, kept and readable.
    let s2 = roster(&app, f, WEEK1, 7, 420).await;
    publish(&app, s2).await;
    let old = app.get_json(&paths::schedule(s1)).await;
    let history = &old["publication"];
    assert_eq!(history["state"], "superseded");
    assert_eq!(history["weeks"], json!([]));
    assert!(history["superseded_at"].is_string());
    assert_eq!(history["history"][0]["superseded_by"], s2);
    assert_eq!(history["history"][0]["week"], WEEK1);
    assert_eq!(app.get(&paths::schedule_roster(s1)).await.status(), 200);
    let resp = hr
        .get(app.url(&roster_url(q, WEEK1, &[])))
        .header("if-none-match", &etag1)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "a new roster is not the old ETag");
    assert_ne!(resp.headers()["etag"].to_str().unwrap(), etag1);
    let pulled: Value = resp.json().await.unwrap();
    assert_eq!(pulled["schedule_id"], s2);
    let resp = hr
        .get(app.url(&roster_url(q, WEEK1, &[("updated_since", &at)])))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "re-published after {at}");
    let superseded = app.get_json(&list_url(&[("status", &"superseded")])).await;
    assert_eq!(ids(&superseded), [s1]);
    let current = app.get_json(&list_url(&[("status", &"published")])).await;
    assert_eq!(ids(&current), [s2]);

    // Publishing it again changes nothing; publishing the old one brings it back.
    let again = publish(&app, s2).await;
    assert_eq!(again["publication"]["history"].as_array().unwrap().len(), 1);
    let back = publish(&app, s1).await;
    assert_eq!(back["publication"]["state"], "published");
    assert_eq!(back["publication"]["history"].as_array().unwrap().len(), 2);
    assert_eq!(
        app.get_json(&roster_url(q, WEEK1, &[])).await["schedule_id"],
        s1
    );

    // Weeks are named by their Monday; both parameters are required.
    for (url, field) in [
        (roster_url(q, "2026-02-18", &[]), "week"),
        (
            paths::with_query(paths::rosters(), &[("week", &WEEK1)]),
            "queue",
        ),
        (
            paths::with_query(paths::rosters(), &[("queue", &q)]),
            "week",
        ),
    ] {
        let got = refusal(app.get(&url).await).await;
        assert_eq!(got, (422, "invalid_value".into(), json!(field)), "{url}");
    }
    let got = refusal(app.get(&roster_url(999, WEEK1, &[])).await).await;
    assert_eq!((got.0, got.1.as_str()), (404, "not_found"));
    let got = refusal(app.get(&roster_url(q, WEEK2, &[])).await).await;
    assert_eq!((got.0, got.1.as_str()), (404, "no_published_roster"));
}

/// One VEVENT's properties (unfolded), by name.
type Ics = HashMap<String, String>;

fn events(ics: &str) -> Vec<Ics> {
    let unfolded = ics.replace("\r\n ", "");
    let mut out = Vec::new();
    let mut current: Option<Ics> = None;
    for line in unfolded.split("\r\n") {
        match line {
            "BEGIN:VEVENT" => current = Some(HashMap::new()),
            "END:VEVENT" => out.push(current.take().unwrap()),
            _ => {
                if let (Some(event), Some((name, value))) = (current.as_mut(), line.split_once(':'))
                {
                    event.insert(name.to_string(), value.to_string());
                }
            }
        }
    }
    out
}

/// The local date (YYYYMMDD) in `shift-<agent>-<date>-<n>@staffcast`.
fn date_of(uid: &str) -> &str {
    uid.split('-').nth(2).unwrap()
}

fn by_uid(events: Vec<Ics>) -> HashMap<String, Ics> {
    let n = events.len();
    let map: HashMap<String, Ics> = events.into_iter().map(|e| (e["UID"].clone(), e)).collect();
    assert_eq!(map.len(), n, "UIDs are unique within a feed");
    map
}

async fn calendar_feeds_keep_their_uids_across_republishing(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let hr = client_with_key(&app.new_key("hr tool", Role::Hr));
    let (_q, f) = two_weeks(&app).await;
    let s1 = roster(&app, f, WEEK1, 7, 480).await;
    publish(&app, s1).await;
    let s3 = roster(&app, f, WEEK2, 7, 480).await;
    publish(&app, s3).await;

    // The agent with the most shifts in the first week.
    let shifts1 = app.get_json(&paths::schedule_roster(s1)).await["shifts"].clone();
    let mut count: HashMap<i64, usize> = HashMap::new();
    for s in shifts1.as_array().unwrap() {
        *count.entry(s["agent_id"].as_i64().unwrap()).or_default() += 1;
    }
    let (&agent, _) = count.iter().max_by_key(|(id, n)| (**n, -**id)).unwrap();

    // HR makes the feed; the URL is shown once, the token stored only hashed.
    let resp = hr
        .post(app.url(&paths::agent_calendar_feed(agent)))
        .send()
        .await
        .unwrap();
    let created = json_of(resp, 201).await;
    let path = created["path"].as_str().unwrap().to_string();
    assert_eq!(created["url"], app.url(&path));
    let token = path
        .strip_prefix("/api/v1/feeds/")
        .and_then(|p| p.strip_suffix(".ics"))
        .unwrap()
        .to_string();
    assert!(token.starts_with("scf_") && token.len() == 47, "{token}");
    assert_eq!(
        stored_feed_hashes(app.db()),
        [FeedToken::parse(&token)
            .unwrap()
            .hash()
            .as_str()
            .to_string()]
    );

    // No key needed: the URL is the secret.
    let resp = app.anonymous().get(app.url(&path)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let etag = resp.headers()["etag"].to_str().unwrap().to_string();
    let before = by_uid(events(&resp.text().await.unwrap()));
    let days: Vec<&str> = before.keys().map(|u| date_of(u)).collect();
    assert!(
        days.iter().any(|d| *d < "20260223") && days.iter().any(|d| *d >= "20260223"),
        "both published weeks: {days:?}"
    );
    assert!(before.len() > count[&agent], "{before:?}");
    for (uid, e) in &before {
        assert!(
            uid.starts_with(&format!("shift-{agent}-")) && uid.ends_with("@staffcast"),
            "{uid}"
        );
        assert_eq!(e["SEQUENCE"], "0");
        assert!(e["DESCRIPTION"].contains("unpaid break"), "{e:?}");
    }
    let resp = app
        .anonymous()
        .get(app.url(&path))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 304);

    // A changed roster for the first week (shorter shifts), published a
    // second later: the same UIDs, a new SEQUENCE and LAST-MODIFIED.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let s2 = roster(&app, f, WEEK1, 7, 420).await;
    publish(&app, s2).await;
    let after = by_uid(events(
        &app.anonymous()
            .get(app.url(&path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    ));
    let mut changed = 0;
    let mut kept = 0;
    for (uid, new) in &after {
        let Some(old) = before.get(uid) else { continue };
        if (&new["DTSTART"], &new["DTEND"]) == (&old["DTSTART"], &old["DTEND"]) {
            assert_eq!(new["SEQUENCE"], old["SEQUENCE"], "{uid} unchanged");
            assert_eq!(new["LAST-MODIFIED"], old["LAST-MODIFIED"], "{uid}");
            kept += 1;
        } else {
            assert_eq!(new["SEQUENCE"], "1", "{uid} changed");
            assert!(new["LAST-MODIFIED"] > old["LAST-MODIFIED"], "{uid}");
            assert!(new["DTSTAMP"] > old["DTSTAMP"], "{uid}");
            changed += 1;
        }
    }
    assert!(changed > 0, "the first week's shifts changed: {after:?}");
    assert!(kept > 0, "the second week's did not");
    // Each changed shift replaced its old event (same UID), none was added beside it.
    for uid in after.keys().filter(|u| date_of(u) < "20260223") {
        let day = date_of(uid);
        let same_day = after.keys().filter(|u| date_of(u) == day).count();
        assert_eq!(same_day, 1, "{uid}: one shift a day");
    }

    // A new URL replaces the old; a revoked one is not found, like one never made.
    let resp = app
        .post_json(&paths::agent_calendar_feed(agent), &json!({}))
        .await;
    let replaced = json_of(resp, 201).await;
    let new_path = replaced["path"].as_str().unwrap().to_string();
    assert_ne!(new_path, path);
    let old = app.anonymous().get(app.url(&path)).send().await.unwrap();
    assert_eq!(old.status(), 404);
    assert!(old.headers().get("www-authenticate").is_none());
    let resp = app
        .anonymous()
        .get(app.url(&new_path))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = hr
        .delete(app.url(&paths::agent_calendar_feed(agent)))
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(resp, 200).await["revoked"], true);
    let gone = app
        .anonymous()
        .get(app.url(&new_path))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
    let gone: Value = gone.json().await.unwrap();
    assert_eq!(gone["code"], "not_found");
    let resp = hr
        .delete(app.url(&paths::agent_calendar_feed(agent)))
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(resp, 200).await["revoked"], false);
    let resp = app
        .post_json(&paths::agent_calendar_feed(999), &json!({}))
        .await;
    assert_eq!(resp.status(), 404);
}

#[derive(diesel::QueryableByName)]
struct StoredHash {
    #[diesel(sql_type = diesel::sql_types::Text)]
    token_hash: String,
}

/// The live feeds' token hashes, read past the app.
fn stored_feed_hashes(db: &TestDb) -> Vec<String> {
    use diesel::{Connection, RunQueryDsl};
    let query = diesel::sql_query("SELECT token_hash FROM calendar_feeds WHERE revoked_at IS NULL");
    let rows = match db {
        TestDb::Sqlite { .. } => {
            query.load::<StoredHash>(&mut diesel::SqliteConnection::establish(db.url()).unwrap())
        }
        TestDb::Postgres { .. } => {
            query.load::<StoredHash>(&mut diesel::PgConnection::establish(db.url()).unwrap())
        }
    };
    rows.unwrap().into_iter().map(|r| r.token_hash).collect()
}

/// Inserts a publication row directly, past the app.
fn insert_publication(
    db: &TestDb,
    queue: i64,
    week: &str,
    schedule: i64,
    superseded: bool,
) -> Result<usize, diesel::result::Error> {
    use diesel::{Connection, RunQueryDsl};
    let sql = format!(
        "INSERT INTO roster_publications (queue_id, week_start, schedule_id, published_at, superseded_at) \
         VALUES ({queue}, '{week}', {schedule}, '2026-02-10 08:00:00', {})",
        if superseded { "'2026-02-11 08:00:00'" } else { "NULL" }
    );
    match db {
        TestDb::Sqlite { .. } => diesel::sql_query(sql)
            .execute(&mut diesel::SqliteConnection::establish(db.url()).unwrap()),
        TestDb::Postgres { .. } => {
            diesel::sql_query(sql).execute(&mut diesel::PgConnection::establish(db.url()).unwrap())
        }
    }
}

async fn the_database_refuses_a_second_published_roster_for_a_week(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (q, f) = two_weeks(&app).await;
    let s1 = roster(&app, f, WEEK1, 7, 480).await;
    let s2 = roster(&app, f, WEEK1, 7, 420).await;
    publish(&app, s1).await;
    // Past the app: a second current row for the queue and week is refused
    // by the partial unique index; history rows and other weeks are not.
    let e = insert_publication(app.db(), q, WEEK1, s2, false).unwrap_err();
    assert!(
        matches!(
            e,
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _
            )
        ),
        "{e:?}"
    );
    assert_eq!(insert_publication(app.db(), q, WEEK1, s2, true).unwrap(), 1);
    assert_eq!(
        insert_publication(app.db(), q, WEEK2, s2, false).unwrap(),
        1
    );
    let pulled = app.get_json(&roster_url(q, WEEK1, &[])).await;
    assert_eq!(pulled["schedule_id"], s1);
}

crate::on_both_databases!(
    schedules_are_listed_filtered_and_paged,
    publishing_supersedes_and_rosters_serve_the_current_one,
    calendar_feeds_keep_their_uids_across_republishing,
    the_database_refuses_a_second_published_roster_for_a_week,
);
