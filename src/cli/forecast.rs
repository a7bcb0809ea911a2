//! `staffcast forecast`: a forecast from a history file, no database needed.
//! Contract: writes `interval_start,volume,volume_p10,volume_p90[,aht_seconds]`
//! for every interval in [from, to), timestamps written like the input's.

use crate::domain::history::{parse_history_csv, OffGrid};
use crate::domain::queue::{parse_interval_minutes, parse_time_zone};
use crate::domain::time::{format_timestamp, parse_timestamp};
use crate::domain::Grid;
use crate::forecast::{candidate_specs, forecast_with_specs, parse_special_days, ModelSelection};
use anyhow::{anyhow, Context};
use std::io::Write;
use std::path::PathBuf;

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
    #[arg(long, default_value_t = 15)]
    pub interval_minutes: u32,
    /// IANA zone of the queue: local timestamps, the daily grid and output offsets.
    #[arg(long, default_value = "UTC")]
    pub time_zone: String,
    /// Weeks of history the weekly-average model uses (its default otherwise).
    #[arg(long)]
    pub weeks: Option<usize>,
    /// `auto` (the lowest backtest WAPE) or seasonal_naive, weekly_average,
    /// regression, top_down, ensemble.
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
        from,
        from,
        to,
    )?;
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
    eprintln!(
        "forecast {} intervals with {} ({}), {} history rows used -> {}",
        points.len(),
        outcome.choice.chosen,
        outcome.choice.reason,
        history.rows.iter().filter(|r| r.start < from).count(),
        args.output.display()
    );
    Ok(())
}

pub(crate) fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}
