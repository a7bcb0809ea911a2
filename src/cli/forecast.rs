//! `staffcast forecast`: a forecast from a history file, no database needed.
//! Contract: writes `interval_start,volume,volume_p10,volume_p90[,aht_seconds]`
//! for every interval in [from, to), timestamps written like the input's.

use crate::domain::history::{parse_history_csv, OffGrid};
use crate::domain::queue::{parse_interval_minutes, parse_time_zone};
use crate::domain::time::{format_timestamp, parse_timestamp};
use crate::domain::{Grid, HistoryRow};
use crate::forecast::{candidate_specs, forecast_with_specs, parse_special_days, ModelSelection};
use anyhow::{anyhow, Context};
use chrono::{DateTime, Utc};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

#[derive(clap::Args, Debug)]
pub struct ForecastArgs {
    /// History CSV: `interval_start,volume[,aht_seconds]`. Rows finer than the
    /// interval (e.g. 6-minute counts) are summed into it.
    #[arg(long)]
    pub history: PathBuf,
    /// First interval to forecast (ISO-8601; local times are in --time-zone).
    #[arg(long)]
    pub from: String,
    /// End of the window, exclusive.
    #[arg(long)]
    pub to: String,
    /// The forecast origin: only history before it is used, and the window
    /// may start weeks or months after it (the lead). Default: the end of
    /// the history, or `--from` when the history runs past it.
    #[arg(long)]
    pub origin: Option<String>,
    #[arg(long, default_value_t = 15)]
    pub interval_minutes: u32,
    /// IANA zone of the queue: local timestamps, the daily grid and output offsets.
    #[arg(long, default_value = "UTC")]
    pub time_zone: String,
    /// Weeks of history the weekly-average model uses (its default otherwise).
    #[arg(long)]
    pub weeks: Option<usize>,
    /// `auto` (the lowest backtest WAPE at the request's lead and window;
    /// the ensemble unless another model beats it by more than chance over
    /// the backtest origins) or seasonal_naive, weekly_average, regression,
    /// top_down, long_horizon, ensemble.
    #[arg(long, default_value = "auto")]
    pub model: String,
    /// Special days CSV: `date,kind,name[,effect_percent]` (kind holiday,
    /// closed, campaign or outlier).
    #[arg(long)]
    pub special_days: Option<PathBuf>,
    /// Output CSV.
    #[arg(long)]
    pub output: PathBuf,
}

pub fn run(args: ForecastArgs) -> anyhow::Result<()> {
    let tz = parse_time_zone(&args.time_zone)?;
    let grid = Grid::new(parse_interval_minutes(args.interval_minutes)?, tz);
    let bytes = std::fs::read(&args.history)
        .with_context(|| format!("reading {}", args.history.display()))?;
    let history = parse_history_csv(&bytes, &grid, OffGrid::Aggregate)
        .map_err(|e| anyhow!("{}: {e}", args.history.display()))?;
    let (from, _) = parse_timestamp(&args.from, tz).map_err(|e| anyhow!("--from: {e}"))?;
    let (to, _) = parse_timestamp(&args.to, tz).map_err(|e| anyhow!("--to: {e}"))?;
    if !grid.is_aligned(from) {
        anyhow::bail!(
            "--from {} is not on the {}-minute grid",
            args.from,
            grid.minutes
        );
    }
    let origin = match &args.origin {
        Some(o) => {
            parse_timestamp(o, tz)
                .map_err(|e| anyhow!("--origin: {e}"))?
                .0
        }
        None => default_origin(&history.rows, &grid, from),
    };
    let special_days = match &args.special_days {
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            parse_special_days(&bytes).map_err(|e| anyhow!("{}: {e}", path.display()))?
        }
        None => Vec::new(),
    };
    let selection: ModelSelection = args.model.parse().map_err(|e| anyhow!("--model: {e}"))?;
    let specs = candidate_specs(selection, args.weeks);
    let outcome = forecast_with_specs(
        selection,
        &specs,
        &history.rows,
        &grid,
        &special_days,
        origin,
        from,
        to,
        &AtomicBool::new(false),
    )
    .map_err(|e| anyhow!("{e}"))?;
    let points = &outcome.points;

    let mut out = String::with_capacity(points.len() * 64);
    out.push_str("interval_start,volume,volume_p10,volume_p90");
    out.push_str(if history.has_aht {
        ",aht_seconds\n"
    } else {
        "\n"
    });
    for p in points {
        out.push_str(&format!(
            "{},{},{},{}",
            format_timestamp(p.start, tz, history.style),
            round4(p.volume),
            round4(p.volume_p10),
            round4(p.volume_p90)
        ));
        if history.has_aht {
            out.push(',');
            if let Some(aht) = p.aht_seconds {
                out.push_str(&round4(aht).to_string());
            }
        }
        out.push('\n');
    }
    let mut file = std::fs::File::create(&args.output)
        .with_context(|| format!("creating {}", args.output.display()))?;
    file.write_all(out.as_bytes())?;
    let c = &outcome.context;
    eprintln!(
        "forecast {} intervals with {} ({}); origin {}, lead {} d, window {} d; history ends {}{} -> {}",
        points.len(),
        outcome.choice.chosen,
        outcome.choice.reason,
        format_timestamp(c.origin, tz, history.style),
        c.lead_days,
        c.window_days,
        format_timestamp(c.history_end, tz, history.style),
        c.warnings
            .iter()
            .map(|w| format!("; warning: {w}"))
            .collect::<String>(),
        args.output.display()
    );
    Ok(())
}

/// The local midnight that ends the history's last day, or `from` when the
/// history runs past it: the window never sees history inside it.
fn default_origin(rows: &[HistoryRow], grid: &Grid, from: DateTime<Utc>) -> DateTime<Utc> {
    rows.iter()
        .map(|r| r.start + grid.step())
        .max()
        .map_or(from, |end| {
            let midnight = grid.start_of_day(grid.local_date(end));
            let day_end = if midnight == end {
                end
            } else {
                grid.start_of_day(grid.local_date(end) + chrono::Duration::days(1))
            };
            day_end.min(from)
        })
}

pub(crate) fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}
