//! `staffcast metrics`: queueing metrics for given staffing, row by row.
//! Contract: input `volume,interval_seconds,aht_seconds,agents,target_seconds[,patience_seconds]`;
//! output repeats them and adds `prob_wait,service_level,asa_seconds,occupancy,prob_abandon`.
//! Rows with `patience_seconds` use Erlang A (exponential patience of that mean;
//! `asa_seconds` is then the mean wait over all arrivals), others Erlang C.

use crate::staffing::{queue_metrics, QueueModel};
use anyhow::{anyhow, bail, Context};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct MetricsArgs {
    #[arg(long)]
    pub input: PathBuf,
    #[arg(long)]
    pub output: PathBuf,
}

const REQUIRED: [&str; 5] = [
    "volume",
    "interval_seconds",
    "aht_seconds",
    "agents",
    "target_seconds",
];

pub fn run(args: MetricsArgs) -> anyhow::Result<()> {
    let name = args.input.display().to_string();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(&args.input)
        .with_context(|| format!("reading {name}"))?;
    let headers = reader.headers()?.clone();
    let col = |h: &str| headers.iter().position(|x| x == h);
    let mut idx = [0usize; 5];
    for (i, h) in REQUIRED.iter().enumerate() {
        idx[i] = col(h).ok_or_else(|| anyhow!("{name}: line 1: missing column {h}"))?;
    }
    let patience = col("patience_seconds");
    let mut writer = csv::Writer::from_path(&args.output)
        .with_context(|| format!("creating {}", args.output.display()))?;
    let mut out_header: Vec<&str> = headers.iter().collect();
    out_header.extend([
        "prob_wait",
        "service_level",
        "asa_seconds",
        "occupancy",
        "prob_abandon",
    ]);
    writer.write_record(&out_header)?;
    let mut rows = 0;
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| anyhow!("{name}: line {line}: {e}"))?;
        let number = |k: usize| -> anyhow::Result<f64> {
            let raw = record.get(idx[k]).unwrap_or("");
            let v: f64 = raw.parse().map_err(|_| {
                anyhow!(
                    "{name}: line {line}, column {}: '{raw}' is not a number",
                    REQUIRED[k]
                )
            })?;
            if !v.is_finite() || v < 0.0 {
                bail!(
                    "{name}: line {line}, column {}: {v} must be 0 or more",
                    REQUIRED[k]
                );
            }
            Ok(v)
        };
        let (volume, interval, aht, agents, target) =
            (number(0)?, number(1)?, number(2)?, number(3)?, number(4)?);
        if interval <= 0.0 {
            bail!("{name}: line {line}, column interval_seconds: must be above 0");
        }
        if volume > 0.0 && aht <= 0.0 {
            bail!(
                "{name}: line {line}, column aht_seconds: must be above 0 when volume is above 0"
            );
        }
        if agents.fract() != 0.0 || agents > f64::from(u32::MAX) {
            bail!("{name}: line {line}, column agents: {agents} is not a whole number of agents");
        }
        // A patience makes it Erlang A (callers hang up); empty means Erlang C.
        let model = match patience
            .and_then(|p| record.get(p))
            .filter(|s| !s.is_empty())
        {
            None => QueueModel::ErlangC,
            Some(raw) => match raw.parse::<f64>() {
                Ok(p) if p.is_finite() && p > 0.0 => QueueModel::ErlangA {
                    patience_seconds: p,
                },
                _ => bail!(
                    "{name}: line {line}, column patience_seconds: '{raw}' is not a time above 0"
                ),
            },
        };
        let m = queue_metrics(model, volume, interval, aht, agents as u32, target);
        let mut out: Vec<String> = record.iter().map(str::to_string).collect();
        out.extend(
            [
                m.prob_wait,
                m.service_level,
                m.asa_seconds,
                m.occupancy,
                m.prob_abandon,
            ]
            .map(|x| x.to_string()),
        );
        writer.write_record(&out)?;
        rows += 1;
    }
    writer.flush()?;
    eprintln!("metrics for {rows} rows -> {}", args.output.display());
    Ok(())
}
