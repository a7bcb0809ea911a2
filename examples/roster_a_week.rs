//! Roster a week with staffcast's engine as a plain library: no server, no
//! database. Twelve agents under 30–40 hour contracts cover a two-peak
//! weekday requirement (lighter at weekends) with 6–9 hour day shifts, a
//! lunch and a paid coffee break.
//!
//!     cargo run --example roster_a_week
//!
//! Prints each agent's week, the coverage, and the gap to the LP bound.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Timelike, Weekday};
use staffcast::domain::{AgentId, Grid, QueueId};
use staffcast::schedule::engine::{
    check_solution, solve, Agent, BreakRule, Contract, Problem, QueueDemand, ShiftTemplate,
    SolveOptions, Weights,
};

fn at(h: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, 0, 0).expect("a valid hour")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let grid = Grid::new(15, chrono_tz::Europe::London);
    let monday = NaiveDate::from_ymd_opt(2026, 3, 2).expect("a valid date");
    let start = grid.start_of_day(monday);

    // Agents needed per 15 minutes, 08:00–20:00: a morning and an
    // afternoon peak, half of it at weekends.
    let mut requirement = Vec::new();
    for ts in grid.intervals(start, start + Duration::days(7)) {
        let local = ts.with_timezone(&grid.tz);
        let h = f64::from(local.hour()) + f64::from(local.minute()) / 60.0;
        if !(8.0..20.0).contains(&h) {
            continue;
        }
        let weekend = matches!(local.weekday(), Weekday::Sat | Weekday::Sun);
        let peaks = (-((h - 10.5) / 1.5).powi(2)).exp() + 0.8 * (-((h - 15.0) / 2.0).powi(2)).exp();
        let need = 6.0 * (0.3 + peaks) * if weekend { 0.5 } else { 1.0 };
        requirement.push((ts, need.round()));
    }

    let template = ShiftTemplate {
        name: "day".into(),
        earliest_start: at(7),
        latest_start: at(14),
        min_length_minutes: 6 * 60,
        max_length_minutes: 9 * 60,
        length_step_minutes: 60,
        breaks: vec![
            BreakRule {
                name: "lunch".into(),
                minutes: 30,
                earliest_start_minutes: 180,
                latest_end_minutes: 330,
                paid: false,
                min_shift_minutes: 6 * 60,
            },
            BreakRule {
                name: "coffee".into(),
                minutes: 15,
                earliest_start_minutes: 360,
                latest_end_minutes: 480,
                paid: true,
                min_shift_minutes: 8 * 60,
            },
        ],
    };
    let agents: Vec<Agent> = (1..=12)
        .map(|i| {
            let contract = Contract {
                min_week_minutes: 30 * 60,
                max_week_minutes: 40 * 60,
                max_shifts_per_week: 5,
                min_rest_minutes: 11 * 60,
                ..Contract::default()
            };
            Agent::new(AgentId(i), format!("Agent {i:02}"), contract)
        })
        .collect();
    let problem = Problem {
        grid,
        start,
        days: 7,
        queues: vec![QueueDemand {
            queue: QueueId(1),
            requirement,
        }],
        templates: vec![template],
        agents,
        weights: Weights::default(),
        weekend: staffcast::domain::WeekendDays::default(),
    };

    let options = SolveOptions {
        time_limit: std::time::Duration::from_secs(5),
        ..SolveOptions::default()
    };
    let solution = solve(&problem, &options, None, &mut |_| {})?;
    // The engine's roster is checked by an independent checker.
    let broken = check_solution(&problem, &solution);
    assert!(broken.is_empty(), "hard rules broken: {broken:?}");

    for agent in &problem.agents {
        let week: Vec<String> = solution
            .shifts
            .iter()
            .filter(|s| s.agent == agent.id)
            .map(|s| {
                let (a, b) = (
                    s.start.with_timezone(&grid.tz),
                    s.end.with_timezone(&grid.tz),
                );
                format!(
                    "{} {}–{}",
                    a.format("%a"),
                    a.format("%H:%M"),
                    b.format("%H:%M")
                )
            })
            .collect();
        println!("{}: {}", agent.name, week.join(", "));
    }
    println!(
        "coverage {:.1} %, {:.0} paid hours, under {:.1} agent-hours, gap to the LP bound {}",
        solution.coverage_percent(),
        solution.rostered_hours(),
        solution.objective.under_agent_hours,
        solution
            .gap_percent
            .map_or("not reached in the time limit".to_string(), |g| format!(
                "{g:.1} %"
            ))
    );
    Ok(())
}
