//! The bank roster bench: a four-week interval roster for the rostering
//! engine, built from the Anonymous Bank's real arrivals, for a given
//! number of agents (`staffcast bench roster`).
//!
//! The requirement: the bank's 6-minute arrival counts from the first day
//! for the given days, summed per half hour and split evenly into quarter
//! hours; handle time = the mean talk time of February 1999's answered
//! calls; Erlang C for 80% answered in 20 s, occupancy ≤ 85%, 30%
//! shrinkage. Volumes are scaled so the requirement asks for about
//! `load` (default 85%) of the agents' contracted hours, so 50, 200 and
//! 1,000 agents are the same problem at three sizes.
//!
//! The agents (fixed by the seed): two in three full-time (32–40 h, at
//! most 5 shifts a week), one in three part-time (16–24 h, at most 4
//! shifts, a third of them available 08:00–16:00 only); every agent at
//! most 5 days in a row, 2 days off in a row, 2 working weekends in 4, 11 h
//! rest; one in twenty takes the second week off; one in five asks for a
//! day off (weight 2). Templates: early (06:00–10:00 starts) and late
//! (11:00–16:00), 6–9 h in whole hours, a 30-minute unpaid lunch and, from
//! 8 h, a paid 15-minute break, each placed by the solver.

use super::bank::{parse_bank_calls, CallOutcome};
use crate::domain::{AgentId, Grid, QueueId, ServiceGoal};
use crate::schedule::engine::{
    Agent, Availability, BreakRule, Contract, Problem, QueueDemand, Request, ShiftTemplate,
    TimeOff, Want, Weights,
};
use crate::staffing::{required_agents, StaffingTarget, Workload};
use anyhow::Context;
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What one run of the bench varies.
#[derive(Debug, Clone)]
pub struct Spec {
    pub agents: u32,
    pub days: u32,
    /// First day (a date in 1999 with arrival counts).
    pub first_day: NaiveDate,
    pub seed: u64,
    /// Share of contracted hours the requirement asks for.
    pub load: f64,
    /// The 6-minute arrival counts (`interval_start,calls`).
    pub counts: PathBuf,
    /// The per-call records, for the handle time.
    pub calls: PathBuf,
}

/// The engine's problem, and how its requirement was made.
#[derive(Debug, Clone)]
pub struct BankRoster {
    pub problem: Problem,
    /// Mean talk time of the answered calls, seconds.
    pub aht_seconds: f64,
    /// Factor on the bank's volumes that gives the asked load.
    pub volume_scale: f64,
    pub required_agent_hours: f64,
}

const SHRINKAGE: f64 = 0.3;

/// Reads the bank's files and builds the problem described in the module
/// documentation.
pub fn build(spec: &Spec) -> anyhow::Result<BankRoster> {
    let grid = Grid::new(15, chrono_tz::Asia::Jerusalem);
    let volumes = quarter_hour_volumes(spec, &grid)?;
    let aht = mean_talk_time(&spec.calls)?;
    let agents = bank_agents(spec.agents, spec.first_day, spec.days, spec.seed, &grid);
    let contracted_hours: f64 = agents
        .iter()
        .map(|a| f64::from(a.contract.max_week_minutes + a.contract.min_week_minutes) / 120.0)
        .sum::<f64>()
        * f64::from(spec.days)
        / 7.0;
    let target = spec.load * contracted_hours;
    // Scale the volume until the requirement asks for `target` agent-hours.
    let mut scale = 1.0;
    let mut requirement = requirement_at(&volumes, aht, scale)?;
    for _ in 0..4 {
        let hours: f64 = requirement.iter().map(|(_, r)| r * 0.25).sum();
        if hours <= 0.0 {
            break;
        }
        scale *= target / hours;
        requirement = requirement_at(&volumes, aht, scale)?;
    }
    let required_hours: f64 = requirement.iter().map(|(_, r)| r * 0.25).sum();
    let problem = Problem {
        grid,
        start: grid.start_of_day(spec.first_day),
        days: spec.days,
        queues: vec![QueueDemand {
            queue: QueueId(1),
            requirement,
        }],
        templates: templates(),
        agents,
        weights: Weights::default(),
        weekend: crate::domain::WeekendDays::default(),
    };
    Ok(BankRoster {
        problem,
        aht_seconds: aht,
        volume_scale: scale,
        required_agent_hours: required_hours,
    })
}

/// Calls per quarter hour of the horizon (local time), from the 6-minute counts.
fn quarter_hour_volumes(
    args: &Spec,
    grid: &Grid,
) -> anyhow::Result<Vec<(chrono::DateTime<chrono::Utc>, f64)>> {
    let text = std::fs::read_to_string(&args.counts)
        .with_context(|| format!("reading {}", args.counts.display()))?;
    let first = args.first_day.and_time(NaiveTime::MIN);
    let end = first + Duration::days(i64::from(args.days));
    let mut half_hours: BTreeMap<NaiveDateTime, f64> = BTreeMap::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let mut cols = line.split(',');
        let (Some(ts), Some(calls)) = (cols.next(), cols.next()) else {
            anyhow::bail!(
                "{} line {}: expected interval_start,calls",
                args.counts.display(),
                n + 1
            );
        };
        let t = NaiveDateTime::parse_from_str(ts, "%Y-%m-%d %H:%M")
            .with_context(|| format!("{} line {}", args.counts.display(), n + 1))?;
        if t < first || t >= end {
            continue;
        }
        let calls: f64 = calls
            .parse()
            .with_context(|| format!("{} line {}", args.counts.display(), n + 1))?;
        let slot = t - Duration::minutes(i64::from(chrono::Timelike::minute(&t) % 30));
        *half_hours.entry(slot).or_default() += calls;
    }
    anyhow::ensure!(
        !half_hours.is_empty(),
        "no arrival counts from {} for {} days",
        args.first_day,
        args.days
    );
    let mut out = Vec::new();
    for (t, calls) in half_hours {
        for k in 0..2 {
            let local = t + Duration::minutes(15 * k);
            if let chrono::LocalResult::Single(u) = grid.tz.from_local_datetime(&local) {
                out.push((u.with_timezone(&chrono::Utc), calls / 2.0));
            }
        }
    }
    Ok(out)
}

/// Mean talk time of the answered February calls.
fn mean_talk_time(path: &Path) -> anyhow::Result<f64> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let calls =
        parse_bank_calls(&text).map_err(|e| anyhow::anyhow!("{}: {e:?}", path.display()))?;
    let talk: Vec<f64> = calls
        .iter()
        .filter(|c| c.outcome == CallOutcome::Answered && c.service_seconds > 0.0)
        .map(|c| c.service_seconds)
        .collect();
    anyhow::ensure!(!talk.is_empty(), "no answered calls in {}", path.display());
    Ok(talk.iter().sum::<f64>() / talk.len() as f64)
}

fn requirement_at(
    volumes: &[(chrono::DateTime<chrono::Utc>, f64)],
    aht: f64,
    scale: f64,
) -> anyhow::Result<Vec<(chrono::DateTime<chrono::Utc>, f64)>> {
    let goal = ServiceGoal::new(0.8, 20.0, None, None)?;
    let target = StaffingTarget::new(goal, 0.85, SHRINKAGE)?;
    volumes
        .iter()
        .map(|&(t, v)| {
            let r = required_agents(&Workload::new(v * scale, aht, 900.0)?, &target)?;
            Ok((t, f64::from(r.agents_with_shrinkage)))
        })
        .collect()
}

fn templates() -> Vec<ShiftTemplate> {
    let breaks = vec![
        BreakRule {
            name: "lunch".into(),
            minutes: 30,
            earliest_start_minutes: 180,
            latest_end_minutes: 330,
            paid: false,
            min_shift_minutes: 360,
        },
        BreakRule {
            name: "break".into(),
            minutes: 15,
            earliest_start_minutes: 360,
            latest_end_minutes: 480,
            paid: true,
            min_shift_minutes: 480,
        },
    ];
    let t = |h: u32| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or(NaiveTime::MIN);
    vec![
        ShiftTemplate {
            name: "early".into(),
            earliest_start: t(6),
            latest_start: t(10),
            min_length_minutes: 360,
            max_length_minutes: 540,
            length_step_minutes: 60,
            breaks: breaks.clone(),
        },
        ShiftTemplate {
            name: "late".into(),
            earliest_start: t(11),
            latest_start: t(16),
            min_length_minutes: 360,
            max_length_minutes: 540,
            length_step_minutes: 60,
            breaks,
        },
    ]
}

/// The agent pool described in the module documentation.
fn bank_agents(n: u32, first: NaiveDate, days: u32, seed: u64, grid: &Grid) -> Vec<Agent> {
    let mut rng = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move |k: u64| {
        // xorshift64*
        rng ^= rng >> 12;
        rng ^= rng << 25;
        rng ^= rng >> 27;
        (rng.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) % k
    };
    (0..n)
        .map(|i| {
            let part_time = i % 3 == 2;
            let contract = Contract {
                min_week_minutes: if part_time { 16 * 60 } else { 32 * 60 },
                max_week_minutes: if part_time { 24 * 60 } else { 40 * 60 },
                max_shifts_per_week: if part_time { 4 } else { 5 },
                max_consecutive_days: 5,
                min_consecutive_days_off: 2,
                max_working_weekends: Some(2 * days.div_ceil(28).max(1)),
                ..Contract::default()
            };
            let mut agent = Agent::new(AgentId(i as i32 + 1), format!("Agent {}", i + 1), contract);
            if part_time && i % 9 == 2 {
                agent.availability = vec![Availability {
                    weekday: None,
                    date: None,
                    from: NaiveTime::from_hms_opt(8, 0, 0).unwrap_or(NaiveTime::MIN),
                    to: NaiveTime::from_hms_opt(16, 0, 0).unwrap_or(NaiveTime::MIN),
                }];
            }
            if i % 20 == 7 && days >= 14 {
                let start = grid.start_of_day(first + Duration::days(7));
                agent.time_off = vec![TimeOff {
                    start,
                    end: grid.start_of_day(first + Duration::days(14)),
                }];
            }
            if i % 5 == 1 {
                agent.requests = vec![Request {
                    date: first + Duration::days(next(u64::from(days)) as i64),
                    want: Want::Off,
                    start: None,
                    template: None,
                    weight: 2.0,
                }];
            }
            agent
        })
        .collect()
}
