//! Forecast a week and staff it, with staffcast as a plain library: no
//! server, no database. Reads the bank sample shipped in `data/`.
//!
//!     cargo run --example forecast_and_staff
//!
//! Prints, per day, the forecast calls (with the p10–p90 band) and the
//! peak number of agents to schedule for 80 % of calls answered in 20 s.

use chrono::{DateTime, Utc};
use staffcast::domain::history::{parse_history_csv, OffGrid};
use staffcast::domain::{Grid, ServiceGoal};
use staffcast::forecast::{forecast_with, parse_special_days, ModelSelection};
use staffcast::staffing::{required_agents, StaffingTarget, Workload};
use std::collections::BTreeMap;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = env!("CARGO_MANIFEST_DIR");
    let grid = Grid::new(30, "Asia/Jerusalem".parse()?);
    let csv = std::fs::read(format!("{root}/data/sample/bank_1999_30min.csv"))?;
    let history = parse_history_csv(&csv, &grid, OffGrid::Reject)?.rows;
    let calendar = std::fs::read(format!("{root}/data/special-days/israel_1999.csv"))?;
    let special_days = parse_special_days(&calendar)?;

    // Forecast the week from Sunday 7 November 1999 with only the history
    // before it; `auto` picks the model with the lowest backtest error (the
    // ensemble unless another beats it by more than chance).
    let origin: DateTime<Utc> = "1999-11-07T00:00:00+02:00".parse()?;
    let to = origin + chrono::Duration::days(7);
    let outcome = forecast_with(
        ModelSelection::Auto,
        &history,
        &grid,
        &special_days,
        origin,
        origin,
        to,
    )?;
    println!(
        "model: {} ({})",
        outcome.choice.chosen, outcome.choice.reason
    );

    // Staff every half hour: 80 % within 20 s, at most 85 % occupancy,
    // 30 % shrinkage (breaks, training, absence).
    let goal = ServiceGoal::new(0.8, 20.0, None, None)?;
    let target = StaffingTarget::new(goal, 0.85, 0.3)?;
    let mut days: BTreeMap<String, (f64, f64, f64, u32)> = BTreeMap::new();
    for p in &outcome.points {
        let aht = p.aht_seconds.unwrap_or(180.0);
        let need = required_agents(&Workload::new(p.volume, aht, 1800.0)?, &target)?;
        let day = p
            .start
            .with_timezone(&grid.tz)
            .format("%Y-%m-%d %a")
            .to_string();
        let e = days.entry(day).or_default();
        e.0 += p.volume;
        e.1 += p.volume_p10;
        e.2 += p.volume_p90;
        e.3 = e.3.max(need.agents_with_shrinkage);
    }
    println!("day               calls (p10–p90)      peak agents");
    for (day, (calls, p10, p90, peak)) in &days {
        println!("{day}  {calls:6.0} ({p10:5.0}–{p90:5.0})  {peak:5}");
    }
    Ok(())
}
