//! `staffcast simulate`: discrete-event simulation of a staffing plan, no database.
//! Input `interval_start,volume,aht_seconds,agents`; output adds the simulated
//! `offered,answered,abandoned,service_level,asa_seconds,abandon_rate,occupancy`.

use crate::app::simulation::{simulate_plan, PlanInterval, SimulationOptions};
use crate::domain::queue::parse_time_zone;
use crate::domain::time::parse_timestamp;
use anyhow::{anyhow, Context};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct SimulateArgs {
    /// Plan CSV: `interval_start,volume,aht_seconds,agents` (agents taking contacts).
    #[arg(long)]
    pub input: PathBuf,
    #[arg(long)]
    pub output: PathBuf,
    #[arg(long, default_value_t = 15)]
    pub interval_minutes: u32,
    /// "Answered within" target of the service level.
    #[arg(long, default_value_t = 20.0)]
    pub target_seconds: f64,
    /// Mean caller patience (exponential); without it nobody hangs up.
    #[arg(long)]
    pub patience_seconds: Option<f64>,
    /// Coefficient of variation of handle time: 1 = exponential, else lognormal.
    #[arg(long, default_value_t = 1.0)]
    pub service_cv: f64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, default_value_t = 10)]
    pub replications: u32,
    /// Zone for local timestamps in the input.
    #[arg(long, default_value = "UTC")]
    pub time_zone: String,
}

pub fn run(args: SimulateArgs) -> anyhow::Result<()> {
    let tz = parse_time_zone(&args.time_zone)?;
    let name = args.input.display().to_string();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(&args.input)
        .with_context(|| format!("reading {name}"))?;
    let headers = reader.headers()?.clone();
    let col = |h: &str| {
        headers
            .iter()
            .position(|x| x == h)
            .ok_or_else(|| anyhow!("{name}: line 1: missing column {h}"))
    };
    let (c_start, c_volume, c_aht, c_agents) = (
        col("interval_start")?,
        col("volume")?,
        col("aht_seconds")?,
        col("agents")?,
    );
    let mut plan = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| anyhow!("{name}: line {line}: {e}"))?;
        let cell = |c: usize| record.get(c).unwrap_or("");
        let number = |c: usize, column: &str| -> anyhow::Result<f64> {
            let raw = cell(c);
            match raw.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
                _ => Err(anyhow!(
                    "{name}: line {line}, column {column}: '{raw}' is not a number ≥ 0"
                )),
            }
        };
        let (start, _) = parse_timestamp(cell(c_start), tz)
            .map_err(|e| anyhow!("{name}: line {line}, column interval_start: {e}"))?;
        let agents = number(c_agents, "agents")?;
        if agents.fract() != 0.0 {
            anyhow::bail!("{name}: line {line}, column agents: {agents} is not a whole number");
        }
        plan.push(PlanInterval {
            start,
            volume: number(c_volume, "volume")?,
            aht_seconds: number(c_aht, "aht_seconds")?,
            agents: agents as u32,
            band: None,
        });
    }
    let options = SimulationOptions {
        seed: args.seed,
        replications: args.replications,
        service_cv: args.service_cv,
        patience_seconds: args.patience_seconds,
        goal_service_level: None,
    };
    let report = simulate_plan(
        &plan,
        f64::from(args.interval_minutes) * 60.0,
        args.target_seconds,
        &options,
        &std::sync::atomic::AtomicBool::new(false),
    )?;
    let mut writer = csv::Writer::from_path(&args.output)
        .with_context(|| format!("creating {}", args.output.display()))?;
    writer.write_record([
        "interval_start",
        "volume",
        "agents",
        "offered",
        "answered",
        "abandoned",
        "service_level",
        "asa_seconds",
        "abandon_rate",
        "occupancy",
    ])?;
    for i in &report.intervals {
        let r = &i.result;
        writer.write_record([
            i.start.to_rfc3339(),
            i.volume.to_string(),
            r.agents.to_string(),
            r.offered.to_string(),
            r.answered.to_string(),
            r.abandoned.to_string(),
            r.service_level.to_string(),
            r.asa_seconds.to_string(),
            r.abandon_rate.to_string(),
            r.occupancy.to_string(),
        ])?;
    }
    writer.flush()?;
    let t = &report.totals;
    eprintln!(
        "simulated {} replications of {} intervals: {} calls, service level {:.1}%, ASA {:.1} s, abandoned {:.1}% -> {}",
        report.replications,
        report.intervals.len(),
        t.offered,
        t.service_level * 100.0,
        t.asa_seconds,
        t.abandon_rate * 100.0,
        args.output.display()
    );
    Ok(())
}
