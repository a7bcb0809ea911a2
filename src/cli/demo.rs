//! `staffcast demo`: the whole pipeline on a fresh embedded database with
//! real sample history, then the API to explore it.

use crate::app::access::create_key;
use crate::app::capacity::create_capacity_plan;
use crate::app::forecast::{create_forecast, requirements, requirements_for, ForecastRequest};
use crate::app::history::{add_agents, import_history, HistoryFormat};
use crate::app::publish::publish_schedule;
use crate::app::schedule::{create_schedule, service_check, ScheduleRequest};
use crate::auth::Role;
use crate::capacity::{CapacityRequest, PlanConfig};
use crate::config::configured_database_url;
use crate::db::agents::{AgentRecord, NewAgent};
use crate::db::forecasts::RequirementInterval;
use crate::db::{redact, Database};
use crate::domain::opening_hours::{OpeningHoursDoc, WeeklyDoc};
use crate::domain::{
    Channel, OpeningHours, QueueId, QueueSpec, ServiceGoal, StaffingOptions, WeekendDays,
};
use crate::forecast::ForecastPoint;
use chrono::{DateTime, Utc, Weekday};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// Real data: the Anonymous Bank (Israel) 1999 arrivals in 30-minute
/// intervals; see data/sample/README.md for how it was made.
pub const SAMPLE_HISTORY: &[u8] = include_bytes!("../../data/sample/bank_1999_30min.csv");

/// Mean caller patience at the bank, February 1999: hang-ups over total time
/// waited (exponential MLE), as `scripts/validate_replay.sh` prints it.
const BANK_PATIENCE_SECONDS: f64 = 345.0;

#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// Address to serve the API on afterwards.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// SQLite file to (re)create for the demo. Without it the demo uses
    /// `DATABASE_URL` when that is set (kept, never wiped), else a fresh
    /// `staffcast-demo.db`.
    #[arg(long)]
    pub database: Option<PathBuf>,
    /// Run the pipeline and print the summary, but do not serve.
    #[arg(long)]
    pub no_serve: bool,
    /// Time limit for the roster search, in seconds.
    #[arg(long, default_value_t = 3.0)]
    pub schedule_seconds: f64,
}

/// The sample agent pool: two full-timers (32–40 h) to one part-timer (16–24 h),
/// sized so the roster can cover the sample week's requirement.
/// HR ids are unique across queues, so a later demo run on a kept database
/// numbers its own (`BANK2-001`, …).
fn sample_agents(run: usize) -> anyhow::Result<Vec<AgentRecord>> {
    let prefix = match run {
        1 => "BANK".to_string(),
        n => format!("BANK{n}"),
    };
    let names = [
        "Dorit", "Avi", "Michal", "Yossi", "Noa", "Eitan", "Tamar", "Ronen", "Shira", "Amir",
        "Yael", "Omer", "Liat", "Gil", "Maya", "Ido", "Hila", "Nir", "Adi", "Tal", "Roni", "Dana",
        "Uri", "Keren", "Boaz", "Efrat", "Guy", "Inbal", "Lior", "Merav", "Oren", "Sivan", "Yuval",
        "Anat", "Erez", "Galit",
    ];
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let (min, max) = if i % 3 == 2 {
                (17.0, 25.0)
            } else {
                (32.0, 40.0)
            };
            Ok(NewAgent::new(name, &format!("{prefix}-{:03}", i + 1), min, max)?.into())
        })
        .collect()
}

/// The bank's opening hours (data/anonymous-bank-1999/SOURCE.md): Sunday
/// to Thursday 07:00–24:00, Friday 07:00–14:00, Saturday from 20:00.
fn bank_hours() -> anyhow::Result<OpeningHours> {
    let range = |from: &str, to: &str| Some(vec![vec![from.to_string(), to.to_string()]]);
    let long = range("07:00", "24:00");
    Ok(OpeningHours::from_doc(&OpeningHoursDoc {
        weekly: WeeklyDoc {
            sun: long.clone(),
            mon: long.clone(),
            tue: long.clone(),
            wed: long.clone(),
            thu: long,
            fri: range("07:00", "14:00"),
            sat: range("20:00", "24:00"),
        },
        dates: Vec::new(),
    })?)
}

/// The demo's own SQLite file when neither `--database` nor `DATABASE_URL` names one.
const DEMO_DATABASE: &str = "staffcast-demo.db";

/// Opens the demo's store: a SQLite file the demo owns (`--database`, or
/// the default file) is recreated; a database named by `DATABASE_URL` may
/// hold real data, so it is only added to.
fn open_store(args: &DemoArgs) -> anyhow::Result<Database> {
    if let (None, Some(url)) = (&args.database, configured_database_url()) {
        let db = Database::open(&url)?;
        println!(
            "staffcast demo — {} database {} (DATABASE_URL, kept as it is)",
            db.backend_name(),
            redact(&url)
        );
        return Ok(db);
    }
    let path = args.database.as_ref().map_or_else(
        || DEMO_DATABASE.to_string(),
        |p| p.to_string_lossy().into_owned(),
    );
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{path}{suffix}"));
    }
    let db = Database::open(&path)?;
    println!("staffcast demo — fresh SQLite database {path}");
    Ok(db)
}

/// Which demo run this is on the database: 1 on a fresh one, 2 when an
/// earlier demo's `bank-1999` is there (its queue is then `bank-1999 (2)`), …
fn demo_run(db: &Database) -> anyhow::Result<usize> {
    let taken: Vec<String> = db.queues()?.into_iter().map(|q| q.spec.name).collect();
    Ok((1..)
        .find(|&n| !taken.contains(&queue_name(n)))
        .unwrap_or(1))
}

fn queue_name(run: usize) -> String {
    match run {
        1 => "bank-1999".to_string(),
        n => format!("bank-1999 ({n})"),
    }
}

pub fn run(args: DemoArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let db = open_store(&args)?;
    let run = demo_run(&db)?;

    let spec = QueueSpec::new(
        &queue_name(run),
        Channel::Voice,
        30,
        "Asia/Jerusalem",
        ServiceGoal::new(0.8, 20.0, None, None)?,
        0.3,
        0.85,
    )?
    .with_staffing(StaffingOptions {
        patience_seconds: Some(BANK_PATIENCE_SECONDS),
        ..StaffingOptions::default()
    })?
    .with_hours(bank_hours()?)
    .with_weekend(WeekendDays::new(&[Weekday::Fri, Weekday::Sat])?);
    let queue = db.create_queue(&spec)?;
    let imported = import_history(&db, queue.id, SAMPLE_HISTORY, HistoryFormat::Csv)?;
    println!(
        "[1/5] history: {} half-hour intervals of Anonymous Bank 1999 calls imported",
        imported.rows
    );

    let forecast = create_forecast(
        &db,
        queue.id,
        &ForecastRequest::default(),
        &AtomicBool::new(false),
    )?
    .run;
    let total: f64 = db
        .forecast_intervals(forecast.id)?
        .iter()
        .map(|i| i.volume)
        .sum();
    let tz = spec.time_zone;
    let wape = forecast
        .accuracy
        .as_ref()
        .and_then(|a| a.chosen_score()?.wape)
        .map(|w| format!("backtest WAPE {:.1}%", w * 100.0))
        .unwrap_or_else(|| "not backtested".into());
    println!(
        "[2/5] forecast {}: {} to {} ({}), model {} chosen by backtest ({wape}): {:.0} calls",
        forecast.id,
        forecast.from.with_timezone(&tz).format("%a %Y-%m-%d %H:%M"),
        forecast.to.with_timezone(&tz).format("%a %Y-%m-%d %H:%M"),
        tz,
        forecast.model,
        total
    );

    let (_, reqs) = requirements(&db, forecast.id)?;
    let peak = reqs.iter().max_by_key(|r| r.agents_with_shrinkage);
    if let Some(p) = peak {
        println!(
            "[3/5] requirements (Erlang A, callers' mean patience {BANK_PATIENCE_SECONDS:.0} s; 80% in 20 s, 30% shrinkage, occupancy ≤ 85%): peak {} agents ({} on the phones) at {}",
            p.agents_with_shrinkage,
            p.agents_net,
            p.start.with_timezone(&tz).format("%a %H:%M")
        );
    }
    // What the opening hours save: the same forecast staffed around the clock
    // would also staff the stray calls that reach the closed centre.
    let points: Vec<ForecastPoint> = db
        .forecast_intervals(forecast.id)?
        .iter()
        .map(crate::db::forecasts::ForecastInterval::point)
        .collect();
    let around_the_clock = requirements_for(
        &spec,
        &OpeningHours::default(),
        &points,
        &AtomicBool::new(false),
    )?;
    let hours = f64::from(spec.interval_minutes) / 60.0;
    let agent_hours = |rs: &[RequirementInterval]| -> f64 {
        rs.iter()
            .map(|r| f64::from(r.agents_with_shrinkage) * hours)
            .sum()
    };
    println!(
        "      opening hours Sun–Thu 07–24, Fri 07–14, Sat 20–24 (weekend Fri–Sat): {:.0} agent-hours required ({} closed intervals need none; {:.0} if staffed around the clock)",
        agent_hours(&reqs),
        reqs.iter().filter(|r| !r.open).count(),
        agent_hours(&around_the_clock)
    );

    add_agents(&db, queue.id, &sample_agents(run)?)?;
    let schedule = create_schedule(
        &db,
        &ScheduleRequest {
            time_limit_seconds: args.schedule_seconds,
            ..ScheduleRequest::new(forecast.id, None, 7)
        },
    )?;
    let (_, service, _) = service_check(&db, schedule.id)?;
    println!(
        "[4/5] roster {}: {} agents, {:.1} rostered hours, coverage {:.1}% of required agent-intervals, expected service level {:.1}%",
        schedule.id,
        db.agents(queue.id)?.len(),
        schedule.rostered_hours,
        schedule.coverage_percent,
        service.service_level * 100.0
    );
    if let Some(r) = &schedule.report {
        println!(
            "      engine: objective {:.1}, LP lower bound {}, gap {}, {} short intervals",
            r.objective.total,
            r.lower_bound.map_or("-".to_string(), |b| format!("{b:.1}")),
            r.gap_percent
                .map_or("-".to_string(), |g| format!("{g:.1}%")),
            r.short_intervals
        );
    }
    for w in &schedule.warnings {
        println!("      note: {w}");
    }
    // Published, so HR tools can pull it (`/api/v1/rosters`) right away.
    let published = publish_schedule(&db, schedule.id, None)?;
    let weeks = published.publication.map(|p| p.weeks).unwrap_or_default();
    // The week holding the roster's middle day holds most of it.
    let middle =
        schedule.params.first_day + chrono::Duration::days(i64::from(schedule.days - 1) / 2);
    let hr_week = weeks
        .iter()
        .copied()
        .rfind(|w| *w <= middle)
        .ok_or_else(|| anyhow::anyhow!("roster {} was published for no week", schedule.id))?;
    let week_list: Vec<String> = weeks.iter().map(ToString::to_string).collect();
    println!(
        "      published for HR tools: roster {} is the queue's roster for the week(s) of {}",
        schedule.id,
        week_list.join(", ")
    );
    let pool = db.agents(queue.id)?.len();
    // The season starts where the week forecast above does: after the history.
    let season = peak_season(&db, queue.id, forecast.from, tz, pool)?;
    println!("{season}");
    println!("pipeline done in {:.2} s", started.elapsed().as_secs_f64());

    // The API answers nothing without a key: a planner's, to try it with
    // (also with `--no-serve`, for serving the demo database later).
    let key = create_key(&db, "demo planner", Role::Planner)?.secret;
    println!("api key: {}", key.reveal());
    if args.no_serve {
        return Ok(());
    }
    let (q, f, s) = (queue.id, forecast.id, schedule.id);
    // The workspace's one-time sign-in link for the same key (Jupyter's ?token=).
    let stored = crate::app::access::authenticate(&db, &key)?
        .ok_or_else(|| anyhow::anyhow!("the demo key was not stored"))?;
    let link = crate::app::workspace::login_link(&db, &stored)?;
    super::serve::serve(db, &args.bind, |addr| {
        let base = format!("http://{addr}");
        println!("\nworkspace: {base}/login?token={}", link.reveal());
        let auth = format!("-H \"Authorization: Bearer {}\"", key.reveal());
        println!("\nserving the API on {base} (Ctrl-C to stop).");
        println!("API docs: {base}/docs (Swagger UI: paste the api key above)");
        println!("Try:");
        println!("  curl {base}/healthz");
        println!("  curl {auth} {base}/api/v1/queues/{q}");
        println!("  curl {auth} {base}/api/v1/forecasts/{f}");
        println!("  curl {auth} {base}/api/v1/forecasts/{f}/requirements");
        println!("  curl {auth} {base}/api/v1/schedules/{s}");
        println!("  curl {auth} '{base}/api/v1/schedules/{s}/roster?format=csv'");
        println!("  curl {auth} {base}/api/v1/schedules/{s}/check");
        println!("  curl {auth} '{base}/api/v1/rosters?queue={q}&week={hr_week}'");
        use std::io::Write;
        let _ = std::io::stdout().flush();
    })
}

/// Weeks of the demo's long-range forecast and capacity plan.
const SEASON_WEEKS: i64 = 26;

/// The peak-season step: a 26-week forecast after the history, and a
/// capacity plan for it from the demo's pool (2% attrition a month, four
/// weeks of training): where the busiest week is and whom to hire, when.
fn peak_season(
    db: &Database,
    queue: QueueId,
    from: DateTime<Utc>,
    tz: chrono_tz::Tz,
    pool: usize,
) -> anyhow::Result<String> {
    let season = create_forecast(
        db,
        queue,
        &ForecastRequest {
            from: Some(from),
            to: Some(from + chrono::Duration::weeks(SEASON_WEEKS)),
            ..ForecastRequest::default()
        },
        &AtomicBool::new(false),
    )?;
    let mut plan = PlanConfig::new(pool as f64, 25.0);
    plan.attrition_percent_per_month = 2.0;
    let stored = create_capacity_plan(
        db,
        queue,
        season.run.id,
        CapacityRequest {
            plan,
            variants: Vec::new(),
        },
    )?;
    let base = stored
        .result
        .scenarios
        .first()
        .ok_or_else(|| anyhow::anyhow!("the capacity plan has no base scenario"))?;
    let (peak, totals) = (&base.peak, &base.totals);
    let hires: Vec<String> = base
        .recommended_classes
        .iter()
        .map(|c| {
            format!(
                "{} starting {} (latest {})",
                c.size, c.start_week, c.latest_start_week
            )
        })
        .collect();
    Ok(format!(
        "[5/5] peak season: forecast {} ({} weeks from {}, model {}, lead {} d); busiest week {} needs {:.1} FTE against a pool of {pool} (2%/month attrition); capacity plan {}: hire {}, {} short weeks, cost {:.0}",
        season.run.id,
        SEASON_WEEKS,
        from.with_timezone(&tz).format("%Y-%m-%d"),
        season.run.model,
        season.lead_days,
        peak.max_week,
        peak.max_required_fte,
        stored.id,
        if hires.is_empty() { "nobody".to_string() } else { hires.join(", ") },
        totals.short_weeks,
        totals.cost,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_later_run_on_a_kept_database_gets_its_own_queue_and_hr_ids() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("kept.db").to_string_lossy()).unwrap();
        assert_eq!(demo_run(&db).unwrap(), 1);
        let spec = |name: &str| {
            QueueSpec::new(
                name,
                Channel::Voice,
                30,
                "Asia/Jerusalem",
                ServiceGoal::new(0.8, 20.0, None, None).unwrap(),
                0.3,
                0.85,
            )
            .unwrap()
        };
        let first = db.create_queue(&spec(&queue_name(1))).unwrap();
        db.create_agents(first.id, &sample_agents(1).unwrap())
            .unwrap();
        assert_eq!(demo_run(&db).unwrap(), 2);
        assert_eq!(queue_name(2), "bank-1999 (2)");
        let second = db.create_queue(&spec(&queue_name(2))).unwrap();
        let agents = db
            .create_agents(second.id, &sample_agents(2).unwrap())
            .unwrap();
        assert_eq!(agents[0].external_id, "BANK2-001");
        assert_eq!(demo_run(&db).unwrap(), 3);
    }
}
