//! `staffcast bench roster`: a four-week interval roster built from the
//! Anonymous Bank's real arrivals, for a given number of agents.
//!
//! The requirement: the bank's 6-minute arrival counts from `--first-day`
//! for `--days` days, summed per half hour and split evenly into quarter
//! hours; handle time = the mean talk time of February 1999's answered
//! calls; Erlang C for 80% answered in 20 s, occupancy ≤ 85%, 30%
//! shrinkage. Volumes are scaled so the requirement asks for about
//! `--load` (default 85%) of the agents' contracted hours, so 50, 200 and
//! 1,000 agents are the same problem at three sizes.
//!
//! The agents (fixed by `--seed`): two in three full-time (32–40 h, at
//! most 5 shifts a week), one in three part-time (16–24 h, at most 4
//! shifts, a third of them available 08:00–16:00 only); every agent at
//! most 5 days in a row, 2 days off in a row, 2 working weekends in 4, 11 h
//! rest; one in twenty takes the second week off; one in five asks for a
//! day off (weight 2). Templates: early (06:00–10:00 starts) and late
//! (11:00–16:00), 6–9 h in whole hours, a 30-minute unpaid lunch and, from
//! 8 h, a paid 15-minute break, each placed by the solver.
//!
//! Prints one tab-separated `key=value` line: sizes, lower bound, time to
//! the first roster and its objective (the constructive baseline), the
//! best objective and gap at each `--checkpoints` second, and the final
//! objective, gap, coverage, under/over-cover hours, paid hours, moves.

use crate::domain::{AgentId, Grid, QueueId, ServiceGoal};
use crate::schedule::engine::{
    self, Agent, Availability, BreakRule, Contract, Problem, QueueDemand, Request, ShiftTemplate,
    SolveOptions, TimeOff, Want, Weights,
};
use crate::simulate::parse_bank_calls;
use crate::simulate::CallOutcome;
use crate::staffing::required_agents;
use anyhow::Context;
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct RosterArgs {
    /// Number of agents.
    #[arg(long, default_value_t = 200)]
    pub agents: u32,
    #[arg(long, default_value_t = 28)]
    pub days: u32,
    /// First day (a date in 1999 with arrival counts).
    #[arg(long, default_value = "1999-03-01")]
    pub first_day: NaiveDate,
    #[arg(long, default_value_t = 60.0)]
    pub time_limit: f64,
    /// Seconds for the LP bound (0 = skip).
    #[arg(long, default_value_t = 20.0)]
    pub bound_time_limit: f64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Report the best objective and gap at these seconds (comma separated).
    #[arg(long, default_value = "10")]
    pub checkpoints: String,
    /// Share of contracted hours the requirement asks for.
    #[arg(long, default_value_t = 0.85)]
    pub load: f64,
    #[arg(
        long,
        default_value = "data/anonymous-bank-1999/anonymous_bank_1999_6min_counts.csv"
    )]
    pub counts: PathBuf,
    #[arg(
        long,
        default_value = "data/anonymous-bank-1999/anonymous_bank_february_1999_calls.tsv"
    )]
    pub calls: PathBuf,
    /// Print progress lines to stderr.
    #[arg(long)]
    pub progress: bool,
}

const SHRINKAGE: f64 = 0.3;

pub fn run(args: RosterArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.agents > 0, "--agents must be at least 1");
    anyhow::ensure!((1..=56).contains(&args.days), "--days must be from 1 to 56");
    let grid = Grid::new(15, chrono_tz::Asia::Jerusalem);
    let volumes = quarter_hour_volumes(&args, &grid)?;
    let aht = mean_talk_time(&args.calls)?;
    let agents = bank_agents(args.agents, args.first_day, args.days, args.seed, &grid);
    let contracted_hours: f64 = agents
        .iter()
        .map(|a| f64::from(a.contract.max_week_minutes + a.contract.min_week_minutes) / 120.0)
        .sum::<f64>()
        * f64::from(args.days)
        / 7.0;
    let target = args.load * contracted_hours;
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
        start: grid.start_of_day(args.first_day),
        days: args.days,
        queues: vec![QueueDemand {
            queue: QueueId(1),
            requirement,
        }],
        templates: templates(),
        agents,
        weights: Weights::default(),
    };
    let options = SolveOptions {
        time_limit: std::time::Duration::from_secs_f64(args.time_limit),
        seed: args.seed,
        max_iterations: None,
        bound_time_limit: std::time::Duration::from_secs_f64(args.bound_time_limit),
        progress_interval: std::time::Duration::from_millis(100),
    };
    let checkpoints: Vec<f64> = args
        .checkpoints
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .context("--checkpoints: seconds separated by commas")?;
    let mut trace: Vec<(f64, f64, Option<f64>)> = Vec::new();
    let mut last_print = 0.0;
    let solution = engine::solve(&problem, &options, None, &mut |p| {
        let t = p.elapsed.as_secs_f64();
        trace.push((t, p.best_objective, p.lower_bound));
        if args.progress && t - last_print >= 5.0 {
            last_print = t;
            eprintln!(
                "  {t:6.1} s  {:5.1}%  best {:.1}  bound {}  moves {}",
                p.percent,
                p.best_objective,
                p.lower_bound.map_or("-".into(), |b| format!("{b:.1}")),
                p.iterations
            );
        }
    })?;
    let broken = engine::check_solution(&problem, &solution);
    anyhow::ensure!(
        broken.is_empty(),
        "the roster breaks hard rules: {broken:?}"
    );
    let gap = |obj: f64| {
        solution.lower_bound.map(|lb| {
            if obj > 0.0 {
                100.0 * (obj - lb) / obj
            } else {
                0.0
            }
        })
    };
    let fmt = |v: Option<f64>| v.map_or("-".to_string(), |x| format!("{x:.2}"));
    let mut fields: BTreeMap<usize, (String, String)> = BTreeMap::new();
    let mut push = |k: &str, v: String| {
        let n = fields.len();
        fields.insert(n, (k.to_string(), v));
    };
    push("agents", args.agents.to_string());
    push("days", args.days.to_string());
    push("intervals", (args.days * 96).to_string());
    push("aht_s", format!("{aht:.1}"));
    push("volume_scale", format!("{scale:.2}"));
    push("required_agent_hours", format!("{required_hours:.1}"));
    push("lower_bound", fmt(solution.lower_bound));
    push("bound_s", format!("{:.2}", solution.bound_seconds));
    push(
        "first_roster_s",
        format!("{:.2}", solution.first_roster_seconds),
    );
    push(
        "first_roster_objective",
        format!("{:.2}", solution.first_roster_objective),
    );
    push(
        "first_roster_gap_pct",
        fmt(gap(solution.first_roster_objective)),
    );
    push(
        "search_start_objective",
        format!("{:.2}", solution.search_start_objective),
    );
    for c in &checkpoints {
        let best = trace
            .iter()
            .rev()
            .find(|(t, _, _)| *t <= *c)
            .map(|(_, b, _)| *b);
        push(&format!("objective_at_{c}s"), fmt(best));
        push(&format!("gap_at_{c}s_pct"), fmt(best.and_then(gap)));
    }
    push("objective", format!("{:.2}", solution.objective.total));
    push("gap_pct", fmt(solution.gap_percent));
    push(
        "coverage_pct",
        format!("{:.2}", solution.coverage_percent()),
    );
    push(
        "under_agent_hours",
        format!("{:.1}", solution.objective.under_agent_hours),
    );
    push(
        "over_agent_hours",
        format!("{:.1}", solution.objective.over_agent_hours),
    );
    push(
        "paid_hours",
        format!("{:.1}", solution.objective.paid_hours),
    );
    push(
        "requests_missed",
        solution.objective.requests_missed.to_string(),
    );
    push(
        "contract_short_hours",
        format!("{:.1}", solution.objective.contract_short_hours),
    );
    push("short_intervals", solution.shortfall.len().to_string());
    let mut binding: BTreeMap<&str, u32> = BTreeMap::new();
    for x in &solution.shortfall {
        if let Some(rule) = x.binding {
            *binding.entry(rule.key()).or_default() += 1;
        }
    }
    push(
        "binding_rules",
        binding
            .iter()
            .map(|(k, v)| format!("{k}:{v}"))
            .collect::<Vec<_>>()
            .join(","),
    );
    push("iterations", solution.iterations.to_string());
    push(
        "moves_per_s",
        format!(
            "{:.0}",
            solution.iterations as f64
                / (solution.elapsed_seconds - solution.first_roster_seconds).max(1e-9)
        ),
    );
    push("time_s", format!("{:.2}", solution.elapsed_seconds));
    let line: Vec<String> = fields.values().map(|(k, v)| format!("{k}={v}")).collect();
    println!("{}", line.join("\t"));
    Ok(())
}

/// Calls per quarter hour of the horizon (local time), from the 6-minute counts.
fn quarter_hour_volumes(
    args: &RosterArgs,
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
fn mean_talk_time(path: &PathBuf) -> anyhow::Result<f64> {
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
    volumes
        .iter()
        .map(|&(t, v)| {
            let r = required_agents(v * scale, 900.0, aht, &goal, 0.85, SHRINKAGE)?;
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
