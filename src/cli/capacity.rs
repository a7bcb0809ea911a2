//! `staffcast capacity`: a capacity plan from a forecast file, no database.
//! Reads the forecast CSV `staffcast forecast` writes
//! (`interval_start,volume[,volume_p10,volume_p90],aht_seconds`), turns it
//! into agents per interval with the staffing core, plans with
//! `PLAN.json` (the API body less `forecast_id`: `{"plan": {…},
//! "variants": […]}`), writes one CSV row per scenario and week, and prints
//! one summary line per scenario with its recommended classes.

use crate::capacity::{plan_capacity, CapacityRequest, NeedInterval, ScenarioResult};
use crate::domain::queue::{parse_interval_minutes, parse_time_zone};
use crate::domain::time::parse_timestamp;
use crate::domain::{Channel, Grid, QueueSpec, ServiceGoal, StaffingOptions};
use crate::staffing::{channel_requirements, ChannelModel, StaffingTarget, Workload};
use anyhow::{anyhow, bail, Context};
use chrono_tz::Tz;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct CapacityArgs {
    /// Forecast CSV: `interval_start,volume[,volume_p10,volume_p90],aht_seconds`.
    #[arg(long)]
    pub forecast: PathBuf,
    /// Plan JSON: `{"plan": {...}, "variants": [{"name": ..., "plan": {...}}]}`.
    #[arg(long)]
    pub plan: PathBuf,
    /// Weekly CSV written here: one row per scenario and week.
    #[arg(long)]
    pub output: PathBuf,
    #[arg(long, default_value_t = 30)]
    pub interval_minutes: u32,
    /// IANA zone: local timestamps and the Monday-to-Sunday weeks.
    #[arg(long, default_value = "UTC")]
    pub time_zone: String,
    /// voice, chat, email or social.
    #[arg(long, default_value = "voice")]
    pub channel: String,
    #[arg(long, default_value_t = 80.0)]
    pub service_level_percent: f64,
    #[arg(long, default_value_t = 20.0)]
    pub answer_within_seconds: f64,
    #[arg(long)]
    pub max_asa_seconds: Option<f64>,
    #[arg(long)]
    pub max_abandon_percent: Option<f64>,
    #[arg(long, default_value_t = 85.0)]
    pub max_occupancy_percent: f64,
    /// Voice: callers' mean patience; given, Erlang A is used.
    #[arg(long)]
    pub patience_seconds: Option<f64>,
    #[arg(long)]
    pub chat_concurrency: Option<u32>,
    #[arg(long)]
    pub deadline_seconds: Option<f64>,
    /// Which forecast column is the volume to staff for: volume (p50),
    /// volume_p10 or volume_p90 (plan the peak on the high side).
    #[arg(long, default_value = "volume")]
    pub volume_column: String,
}

pub fn run(args: CapacityArgs) -> anyhow::Result<()> {
    let tz = parse_time_zone(&args.time_zone)?;
    let grid = Grid::new(parse_interval_minutes(args.interval_minutes)?, tz);
    let channel: Channel = args.channel.parse()?;
    let goal = ServiceGoal::new(
        args.service_level_percent / 100.0,
        args.answer_within_seconds,
        args.max_asa_seconds,
        args.max_abandon_percent.map(|p| p / 100.0),
    )?;
    // Shrinkage is the plan's business: the need is agents before shrinkage.
    let spec = QueueSpec::new(
        "capacity",
        channel,
        grid.minutes,
        tz.name(),
        goal,
        0.0,
        args.max_occupancy_percent / 100.0,
    )?
    .with_staffing(StaffingOptions {
        patience_seconds: args.patience_seconds,
        chat_concurrency: args.chat_concurrency,
        deadline_seconds: args.deadline_seconds,
    })?;
    let rows = read_forecast(&args.forecast, &grid, &args.volume_column)?;
    let staff = |e| anyhow!("staffing: {e}");
    let load = Workload::series(rows.iter().map(|r| (r.1, r.2)), grid.seconds()).map_err(staff)?;
    let target = StaffingTarget::for_queue(&spec).map_err(staff)?;
    let reqs =
        channel_requirements(&ChannelModel::for_queue(&spec), &load, &target).map_err(staff)?;
    let intervals: Vec<NeedInterval> = rows
        .iter()
        .zip(&reqs)
        .map(|(r, q)| NeedInterval {
            start: r.0,
            agents_net: f64::from(q.agents_net),
        })
        .collect();

    let bytes =
        std::fs::read(&args.plan).with_context(|| format!("reading {}", args.plan.display()))?;
    let de = &mut serde_json::Deserializer::from_slice(&bytes);
    let request: CapacityRequest = serde_path_to_error::deserialize(de)
        .map_err(|e| anyhow!("{}: field {}: {}", args.plan.display(), e.path(), e.inner()))?;
    let plan = plan_capacity(&intervals, grid.minutes, tz, &request)
        .map_err(|e| anyhow!("{}: {e}", args.plan.display()))?;

    std::fs::write(&args.output, weeks_csv(&plan.scenarios))
        .with_context(|| format!("writing {}", args.output.display()))?;
    for s in &plan.scenarios {
        println!("{}", summary_line(s));
        for c in &s.recommended_classes {
            println!(
                "  class: start {} (latest {}), {} people, productive from {}, full from {}",
                c.start_week,
                c.latest_start_week,
                c.size,
                c.first_productive_week,
                c.full_productivity_week
            );
        }
        for note in &s.notes {
            println!("  note: {note}");
        }
    }
    eprintln!(
        "{} scenario(s), {} weeks each from {} -> {}",
        plan.scenarios.len(),
        plan.scenarios.first().map_or(0, |s| s.weeks_count),
        plan.scenarios
            .first()
            .map_or(String::new(), |s| s.first_week.to_string()),
        args.output.display()
    );
    Ok(())
}

/// `(start, volume, aht_seconds)` per row. AHT may be empty only where
/// there is no volume.
fn read_forecast(
    path: &Path,
    grid: &Grid,
    volume_column: &str,
) -> anyhow::Result<Vec<(chrono::DateTime<chrono::Utc>, f64, f64)>> {
    if !["volume", "volume_p10", "volume_p90"].contains(&volume_column) {
        bail!("--volume-column: '{volume_column}' is not volume, volume_p10 or volume_p90");
    }
    let where_ = path.display();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .with_context(|| format!("reading {where_}"))?;
    let headers = reader
        .headers()
        .with_context(|| format!("{where_}: header"))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| anyhow!("{where_}: line 1: missing column {name}"))
    };
    let (start_col, volume_col, aht_col) = (
        col("interval_start")?,
        col(volume_column)?,
        col("aht_seconds")?,
    );
    let tz: Tz = grid.tz;
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.with_context(|| format!("{where_}: line {line}"))?;
        let cell = |c: usize| record.get(c).unwrap_or("");
        let bad = |column: &str, m: String| anyhow!("{where_}: line {line}, column {column}: {m}");
        let (start, _) = parse_timestamp(cell(start_col), tz)
            .map_err(|e| bad("interval_start", e.to_string()))?;
        if !grid.is_aligned(start) {
            return Err(bad(
                "interval_start",
                format!("not on the {}-minute grid", grid.minutes),
            ));
        }
        let number = |c: usize, name: &str| -> anyhow::Result<Option<f64>> {
            match cell(c) {
                "" => Ok(None),
                s => match s.parse::<f64>() {
                    Ok(x) if x.is_finite() && x >= 0.0 => Ok(Some(x)),
                    _ => Err(bad(name, format!("'{s}' is not a number ≥ 0"))),
                },
            }
        };
        let volume =
            number(volume_col, volume_column)?.ok_or_else(|| bad(volume_column, "empty".into()))?;
        let aht = match number(aht_col, "aht_seconds")? {
            Some(a) => a,
            None if volume == 0.0 => 0.0,
            None => return Err(bad("aht_seconds", "empty where there is volume".into())),
        };
        rows.push((start, volume, aht));
    }
    if rows.is_empty() {
        bail!("{where_}: no forecast rows");
    }
    rows.sort_by_key(|r| r.0);
    if rows.windows(2).any(|w| w[0].0 == w[1].0) {
        bail!("{where_}: an interval appears twice");
    }
    Ok(rows)
}

const HEADER: &str = "scenario,week_start,required_fte,available_fte,gap_fte,cost,need_hours,\
pool_fte,class_fte,productive_fte,overtime_hours,temps,vto_hours,baseline_gap_fte\n";

fn weeks_csv(scenarios: &[ScenarioResult]) -> String {
    let mut out = String::from(HEADER);
    for s in scenarios {
        let name = if s.name.contains([',', '"', '\n']) {
            format!("\"{}\"", s.name.replace('"', "\"\""))
        } else {
            s.name.clone()
        };
        for w in &s.weeks {
            let _ = writeln!(
                out,
                "{name},{},{:.3},{:.3},{:.3},{:.2},{:.2},{:.3},{:.3},{:.3},{:.2},{},{:.2},{:.3}",
                w.week_start,
                w.required_fte,
                w.available_fte,
                w.gap_fte,
                w.cost,
                w.need_hours,
                w.pool_fte,
                w.class_fte,
                w.productive_fte,
                w.overtime_hours,
                w.temps,
                w.vto_hours,
                w.baseline_gap_fte
            );
        }
    }
    out
}

fn summary_line(s: &ScenarioResult) -> String {
    let t = &s.totals;
    format!(
        "{}: {} weeks from {}, peak {:.1} FTE (week of {}), cost {:.2}, {} hires in {} classes, \
         {} short weeks ({} without new hires), overtime {:.0} h, temp-weeks {}, VTO {:.0} h",
        s.name,
        s.weeks_count,
        s.first_week,
        s.peak.max_required_fte,
        s.peak.max_week,
        t.cost,
        t.hires,
        t.classes,
        t.short_weeks,
        t.baseline_short_weeks,
        t.overtime_hours,
        t.temp_weeks,
        t.vto_hours
    )
}
