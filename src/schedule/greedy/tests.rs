use super::*;
use crate::domain::time::local_to_utc;
use crate::domain::{AgentId, Grid};
use crate::schedule::{Break, ScheduleError};
use crate::test_support::{date, hm, paris_grid};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use std::collections::HashMap;

fn local(grid: &Grid, d: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    local_to_utc(d.and_time(hm(h, m)), grid.tz, "").unwrap()
}

/// `level` agents from `from` to `to` (local, half-open) every day.
fn flat(
    grid: &Grid,
    first: NaiveDate,
    days: u32,
    from: (u32, u32),
    to: (u32, u32),
    level: f64,
) -> Vec<(DateTime<Utc>, f64)> {
    let mut out = Vec::new();
    for d in 0..days {
        let day = first + Duration::days(i64::from(d));
        for t in grid.intervals(
            local(grid, day, from.0, from.1),
            local(grid, day, to.0, to.1),
        ) {
            out.push((t, level));
        }
    }
    out
}

fn agents(n: usize, min_h: u32, max_h: u32) -> Vec<AgentContract> {
    (0..n)
        .map(|i| AgentContract {
            id: AgentId(i as i32 + 1),
            name: format!("Agent {}", i + 1),
            min_week_minutes: min_h * 60,
            max_week_minutes: max_h * 60,
        })
        .collect()
}

/// 9 h shifts with a 1 h lunch (8 h paid), starts 07:00-10:00.
fn day_rule() -> ShiftRule {
    ShiftRule::new(9 * 60, hm(7, 0), hm(10, 0), 60)
}

fn problem(
    first: &str,
    days: u32,
    requirement: Vec<(DateTime<Utc>, f64)>,
    agents: Vec<AgentContract>,
    rule: ShiftRule,
) -> ScheduleProblem {
    let grid = paris_grid(15);
    ScheduleProblem {
        grid,
        start: grid.start_of_day(date(first)),
        days,
        requirement,
        agents,
        rule,
    }
}

fn flat_week() -> ScheduleProblem {
    let g = paris_grid(15);
    let req = flat(&g, date("2026-01-05"), 7, (8, 0), (17, 0), 3.0);
    problem("2026-01-05", 7, req, agents(5, 0, 40), day_rule())
}

/// Paid minutes and days per agent for the week block starting at day 0.
fn per_agent(p: &ScheduleProblem, r: &Roster) -> HashMap<AgentId, (i64, usize)> {
    let mut out: HashMap<AgentId, (i64, usize)> = HashMap::new();
    let end = p
        .grid
        .start_of_day(p.grid.local_date(p.start) + Duration::days(7));
    for s in r.shifts.iter().filter(|s| s.start < end) {
        let e = out.entry(s.agent).or_default();
        e.0 += s.paid_minutes();
        e.1 += 1;
    }
    out
}

#[test]
fn flat_week_is_covered_and_valid() {
    let p = flat_week();
    let r = solve_greedy(&p).unwrap();
    assert!(check_rules(&p, &r).is_empty(), "{:?}", check_rules(&p, &r));
    assert!(
        r.coverage_percent() >= 90.0,
        "coverage {}",
        r.coverage_percent()
    );
    assert_eq!(r.coverage.len(), 7 * 96);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    // 5 agents x at most 5 days x 8 paid hours.
    assert!(r.rostered_hours() <= 200.0 + 1e-9);
    let expected: f64 = r
        .shifts
        .iter()
        .map(|s| s.paid_minutes() as f64 / 60.0)
        .sum();
    assert_eq!(r.rostered_hours(), expected);
    assert!(r.shifts.iter().all(|s| s.paid_minutes() == 8 * 60));
    // Fairness: nobody has more than one shift more than anybody else.
    let counts = per_agent(&p, &r);
    let most = counts.values().map(|c| c.1).max().unwrap();
    let least = counts.values().map(|c| c.1).min().unwrap();
    assert!(most - least <= 1, "{counts:?}");
}

#[test]
fn coverage_percent_and_hours() {
    let t0: DateTime<Utc> = "2026-01-05T07:00:00Z".parse().unwrap();
    let r = Roster {
        shifts: vec![Shift {
            agent: AgentId(1),
            start: t0,
            end: t0 + Duration::hours(9),
            breaks: vec![Break {
                start: t0 + Duration::hours(4),
                end: t0 + Duration::hours(5),
                paid: false,
            }],
        }],
        coverage: vec![
            IntervalCoverage {
                start: t0,
                required: 2.0,
                scheduled: 1,
            },
            IntervalCoverage {
                start: t0 + Duration::minutes(15),
                required: 1.0,
                scheduled: 3,
            },
            IntervalCoverage {
                start: t0 + Duration::minutes(30),
                required: 0.0,
                scheduled: 1,
            },
        ],
        warnings: vec![],
    };
    assert!((r.coverage_percent() - 100.0 * 2.0 / 3.0).abs() < 1e-9);
    assert_eq!(r.rostered_hours(), 8.0);
    let empty = Roster {
        shifts: vec![],
        coverage: vec![],
        warnings: vec![],
    };
    assert_eq!(empty.coverage_percent(), 100.0);
}

#[test]
fn rest_holds_with_early_and_late_starts() {
    let g = paris_grid(15);
    // Need from 06:00 to 22:00: early (06:00) and late (13:00-14:00) starts.
    let req = flat(&g, date("2026-01-05"), 7, (6, 0), (22, 0), 1.0);
    let mut rule = ShiftRule::new(8 * 60, hm(6, 0), hm(14, 0), 30);
    rule.min_rest_hours = 11;
    // Few agents: without the rest rule some would work late then early.
    let p = problem("2026-01-05", 7, req, agents(3, 0, 40), rule);
    let r = solve_greedy(&p).unwrap();
    assert!(check_rules(&p, &r).is_empty(), "{:?}", check_rules(&p, &r));
    let starts: Vec<NaiveTime> = r
        .shifts
        .iter()
        .map(|s| s.start.with_timezone(&g.tz).time())
        .collect();
    assert!(
        starts.contains(&hm(6, 0)) && starts.iter().any(|&t| t >= hm(13, 0)),
        "{starts:?}"
    );
    let mut by_agent: HashMap<AgentId, Vec<&Shift>> = HashMap::new();
    for s in &r.shifts {
        by_agent.entry(s.agent).or_default().push(s);
    }
    for shifts in by_agent.values_mut() {
        shifts.sort_by_key(|s| s.start);
        for w in shifts.windows(2) {
            assert!(
                w[1].start - w[0].end >= Duration::hours(11),
                "{:?} then {:?}",
                w[0],
                w[1]
            );
        }
    }
    // One agent, a late need then an early need: the early shift is pushed
    // back to 22:00 + 11 h = 09:00.
    let d0 = date("2026-01-05");
    let mut req = flat(&g, d0, 1, (14, 0), (22, 0), 1.0);
    req.extend(flat(&g, d0 + Duration::days(1), 1, (6, 0), (14, 0), 1.0));
    let mut rule = ShiftRule::new(8 * 60, hm(6, 0), hm(14, 0), 30);
    rule.max_days_per_week = 7;
    let one = problem("2026-01-05", 2, req, agents(1, 0, 40), rule);
    let solo = solve_greedy(&one).unwrap();
    assert!(
        check_rules(&one, &solo).is_empty(),
        "{:?}",
        check_rules(&one, &solo)
    );
    let starts: Vec<DateTime<Utc>> = solo.shifts.iter().map(|s| s.start).collect();
    assert_eq!(
        starts,
        vec![
            local(&g, d0, 14, 0),
            local(&g, d0 + Duration::days(1), 9, 0)
        ]
    );
    // check_rules catches a rest violation.
    let mut bad = r.clone();
    let late = bad
        .shifts
        .iter()
        .find(|s| s.start.with_timezone(&g.tz).time() >= hm(13, 0))
        .unwrap()
        .clone();
    let next_day = g.local_date(late.start) + Duration::days(1);
    let early_start = local(&g, next_day, 6, 0);
    bad.shifts
        .retain(|s| !(s.agent == late.agent && g.local_date(s.start) == next_day));
    bad.shifts.push(Shift {
        agent: late.agent,
        start: early_start,
        end: early_start + Duration::hours(8),
        breaks: vec![Break {
            start: early_start + Duration::hours(3),
            end: early_start + Duration::minutes(210),
            paid: false,
        }],
    });
    assert!(
        check_rules(&p, &bad).iter().any(|m| m.contains("rest")),
        "{:?}",
        check_rules(&p, &bad)
    );
}

#[test]
fn weekly_maxima_hold_under_heavy_demand() {
    let g = paris_grid(15);
    let req = flat(&g, date("2026-01-05"), 7, (8, 0), (17, 0), 10.0);
    let mut rule = day_rule();
    rule.max_days_per_week = 4;
    let mut team = agents(4, 0, 40);
    team[0].max_week_minutes = 24 * 60; // three 8 h shifts
    team[1].max_week_minutes = 20 * 60; // two (a third would be 24 h)
    let p = problem("2026-01-05", 7, req, team, rule);
    let r = solve_greedy(&p).unwrap();
    assert!(check_rules(&p, &r).is_empty(), "{:?}", check_rules(&p, &r));
    let counts = per_agent(&p, &r);
    assert_eq!(counts[&AgentId(1)], (24 * 60, 3));
    assert_eq!(counts[&AgentId(2)], (16 * 60, 2));
    assert_eq!(counts[&AgentId(3)], (32 * 60, 4));
    assert_eq!(counts[&AgentId(4)], (32 * 60, 4));
    // check_rules catches an extra day.
    let mut bad = r.clone();
    let worked: Vec<NaiveDate> = bad
        .shifts
        .iter()
        .filter(|s| s.agent == AgentId(3))
        .map(|s| g.local_date(s.start))
        .collect();
    let free = (0..7)
        .map(|d| date("2026-01-05") + Duration::days(d))
        .find(|d| !worked.contains(d))
        .unwrap();
    let s = local(&g, free, 8, 0);
    bad.shifts.push(Shift {
        agent: AgentId(3),
        start: s,
        end: s + Duration::hours(9),
        breaks: vec![Break {
            start: s + Duration::hours(4),
            end: s + Duration::hours(5),
            paid: false,
        }],
    });
    let v = check_rules(&p, &bad);
    assert!(
        v.iter().any(|m| m.contains("agent 3 (Agent 3): 5 days")),
        "{v:?}"
    );
    assert!(v.iter().any(|m| m.starts_with("coverage")), "{v:?}");
    // ... and a fourth 8 h shift for agent 1 (max 24 h).
    let mut bad = r.clone();
    let worked: Vec<NaiveDate> = bad
        .shifts
        .iter()
        .filter(|s| s.agent == AgentId(1))
        .map(|s| g.local_date(s.start))
        .collect();
    let free = (0..7)
        .map(|d| date("2026-01-05") + Duration::days(d))
        .find(|d| !worked.contains(d))
        .unwrap();
    let s = local(&g, free, 8, 0);
    bad.shifts.push(Shift {
        agent: AgentId(1),
        start: s,
        end: s + Duration::hours(9),
        breaks: vec![Break {
            start: s + Duration::hours(4),
            end: s + Duration::hours(5),
            paid: false,
        }],
    });
    let v = check_rules(&p, &bad);
    assert!(
        v.iter()
            .any(|m| m.contains("agent 1 (Agent 1): 1920 paid minutes")),
        "{v:?}"
    );
}

#[test]
fn weekly_minimum_is_met_when_possible() {
    let g = paris_grid(15);
    // Demand for only ~1 agent-day per day: the first pass alone would give
    // 7 shifts to 4 agents (about 2 each).
    let req = flat(&g, date("2026-01-05"), 7, (8, 0), (17, 0), 1.0);
    let mut team = agents(4, 0, 40);
    team[3].min_week_minutes = 32 * 60;
    let p = problem("2026-01-05", 7, req, team, day_rule());
    let r = solve_greedy(&p).unwrap();
    assert!(check_rules(&p, &r).is_empty(), "{:?}", check_rules(&p, &r));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    let counts = per_agent(&p, &r);
    assert!(counts[&AgentId(4)].0 >= 32 * 60, "{counts:?}");
}

#[test]
fn impossible_weekly_minimum_warns_and_keeps_hard_rules() {
    let g = paris_grid(15);
    let req = flat(&g, date("2026-01-05"), 7, (8, 0), (17, 0), 2.0);
    let mut team = agents(3, 0, 40);
    team[1].name = "Camille".to_string();
    team[1].min_week_minutes = 60 * 60;
    team[1].max_week_minutes = 60 * 60;
    let p = problem("2026-01-05", 7, req, team, day_rule());
    let r = solve_greedy(&p).unwrap();
    assert!(check_rules(&p, &r).is_empty(), "{:?}", check_rules(&p, &r));
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert!(
        r.warnings[0].contains("Camille") && r.warnings[0].contains("minimum"),
        "{}",
        r.warnings[0]
    );
    let counts = per_agent(&p, &r);
    assert_eq!(counts[&AgentId(2)], (40 * 60, 5));
}

#[test]
fn lunch_goes_into_the_dip() {
    let g = paris_grid(15);
    let d = date("2026-01-05");
    let mut req = flat(&g, d, 1, (8, 0), (17, 0), 2.0);
    let dip = (local(&g, d, 13, 0), local(&g, d, 14, 0));
    for (t, v) in req.iter_mut() {
        if *t >= dip.0 && *t < dip.1 {
            *v = 0.0;
        }
    }
    let rule = ShiftRule::new(9 * 60, hm(8, 0), hm(8, 0), 60);
    let p = problem("2026-01-05", 1, req, agents(3, 0, 40), rule);
    let r = solve_greedy(&p).unwrap();
    assert!(check_rules(&p, &r).is_empty(), "{:?}", check_rules(&p, &r));
    assert_eq!(r.shifts.len(), 2);
    for s in &r.shifts {
        assert_eq!(
            s.breaks,
            vec![Break {
                start: dip.0,
                end: dip.1,
                paid: false
            }]
        );
    }
    assert_eq!(r.coverage_percent(), 100.0);
}

#[test]
fn lunches_are_staggered_on_a_flat_requirement() {
    let g = paris_grid(15);
    let req = flat(&g, date("2026-01-05"), 1, (8, 0), (17, 0), 4.0);
    let rule = ShiftRule::new(9 * 60, hm(8, 0), hm(8, 0), 60);
    let p = problem("2026-01-05", 1, req, agents(4, 0, 40), rule);
    let r = solve_greedy(&p).unwrap();
    assert_eq!(r.shifts.len(), 4);
    let mut lunches: Vec<DateTime<Utc>> = r.shifts.iter().map(|s| s.breaks[0].start).collect();
    lunches.sort();
    lunches.dedup();
    assert_eq!(lunches.len(), 4, "all lunches at different times");
    for s in &r.shifts {
        let b = &s.breaks[0];
        assert!(b.start >= s.start + Duration::hours(2) && b.end <= s.end - Duration::hours(1));
    }
}

#[test]
fn dst_week_works() {
    let g = paris_grid(15);
    // Monday 2026-03-23 .. Sunday 2026-03-29 (clocks go forward on the 29th).
    let first = date("2026-03-23");
    let mut req = flat(&g, first, 7, (8, 0), (17, 0), 3.0);
    // Some night need on the DST day itself.
    let dst = date("2026-03-29");
    req.extend(
        g.intervals(g.start_of_day(dst), local(&g, dst, 5, 0))
            .into_iter()
            .map(|t| (t, 1.0)),
    );
    let mut rule = ShiftRule::new(8 * 60, hm(0, 0), hm(10, 0), 30);
    rule.min_rest_hours = 11;
    let p = problem("2026-03-23", 7, req, agents(8, 0, 40), rule);
    let r = solve_greedy(&p).unwrap();
    assert!(check_rules(&p, &r).is_empty(), "{:?}", check_rules(&p, &r));
    assert_eq!(r.coverage.len(), 7 * 96 - 4);
    assert!(
        r.coverage_percent() >= 90.0,
        "coverage {}",
        r.coverage_percent()
    );
    for s in &r.shifts {
        assert_eq!(s.end - s.start, Duration::hours(8));
        let t = s.start.with_timezone(&g.tz).time();
        assert!(t <= hm(10, 0));
        // 02:00-02:59 does not exist on the 29th.
        assert!(!(g.local_date(s.start) == dst && t >= hm(2, 0) && t < hm(3, 0)));
    }
    // The 08:00 shifts of the 29th start at 06:00 UTC (CEST).
    let sunday: Vec<&Shift> = r
        .shifts
        .iter()
        .filter(|s| g.local_date(s.start) == dst)
        .collect();
    assert!(
        sunday
            .iter()
            .any(|s| s.start == "2026-03-29T06:00:00Z".parse::<DateTime<Utc>>().unwrap()),
        "{sunday:?}"
    );
    // The night need on the 29th is served by a shift starting at local midnight.
    assert!(
        sunday
            .iter()
            .any(|s| s.start == "2026-03-28T23:00:00Z".parse::<DateTime<Utc>>().unwrap()),
        "{sunday:?}"
    );
    let night: Vec<&IntervalCoverage> = r
        .coverage
        .iter()
        .filter(|c| c.start >= g.start_of_day(dst) && c.start < local(&g, dst, 5, 0))
        .collect();
    assert_eq!(night.len(), 16, "00:00-05:00 is 4 real hours on the 29th");
    assert!(night.iter().all(|c| c.scheduled >= 1), "{night:?}");
}

#[test]
fn autumn_dst_week_works() {
    let g = paris_grid(15);
    let first = date("2026-10-19");
    let req = flat(&g, first, 7, (0, 0), (23, 45), 1.0);
    let rule = ShiftRule::new(8 * 60, hm(0, 0), hm(16, 0), 0);
    let p = problem("2026-10-19", 7, req, agents(5, 0, 40), rule);
    let r = solve_greedy(&p).unwrap();
    assert!(check_rules(&p, &r).is_empty(), "{:?}", check_rules(&p, &r));
    assert_eq!(r.coverage.len(), 7 * 96 + 4);
}

#[test]
fn invalid_problems_are_refused() {
    let g = paris_grid(15);
    let ok = flat_week();
    assert!(ok.rule.check(&g).is_ok());
    let field = |r: ShiftRule| match r.check(&g) {
        Err(ScheduleError::InvalidRule { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    let mut r = day_rule();
    r.length_minutes = 9 * 60 + 10;
    assert_eq!(field(r), "length_minutes");
    let mut r = day_rule();
    r.length_minutes = 3 * 60; // not lunch (60) + 3 h
    assert_eq!(field(r), "length_minutes");
    let mut r = day_rule();
    r.lunch_minutes = 50;
    assert_eq!(field(r), "lunch_minutes");
    let mut r = day_rule();
    r.earliest_start = hm(11, 0);
    assert_eq!(field(r), "earliest_start");
    let mut r = day_rule();
    r.latest_start = hm(9, 10);
    assert_eq!(field(r), "latest_start");
    let mut r = day_rule();
    r.max_days_per_week = 0;
    assert_eq!(field(r), "max_days_per_week");
    let mut r = day_rule();
    r.max_days_per_week = 8;
    assert_eq!(field(r), "max_days_per_week");
    let err = day_rule().check(&Grid::new(7, g.tz)).unwrap_err();
    assert_eq!(err, ScheduleError::InvalidGrid { minutes: 7 });

    let mut p = flat_week();
    p.agents[2].min_week_minutes = 41 * 60;
    let err = solve_greedy(&p).unwrap_err();
    assert!(
        matches!(
            err,
            ScheduleError::InvalidContract {
                agent: AgentId(3),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().starts_with("agent 3: min_week_minutes"),
        "{err}"
    );

    let mut p = flat_week();
    p.days = 0;
    assert!(matches!(
        solve_greedy(&p),
        Err(ScheduleError::InvalidHorizon { .. })
    ));
    let mut p = flat_week();
    p.start += Duration::hours(1);
    assert!(matches!(
        solve_greedy(&p),
        Err(ScheduleError::InvalidHorizon { .. })
    ));
    let mut p = flat_week();
    p.agents.clear();
    assert_eq!(solve_greedy(&p).unwrap_err(), ScheduleError::NoAgents);
    let mut p = flat_week();
    p.agents[1].id = AgentId(1);
    assert_eq!(
        solve_greedy(&p).unwrap_err(),
        ScheduleError::DuplicateAgent(AgentId(1))
    );
    let mut p = flat_week();
    p.requirement[0].1 = f64::NAN;
    assert!(matches!(
        solve_greedy(&p),
        Err(ScheduleError::InvalidRequirement { .. })
    ));
    let mut p = flat_week();
    p.requirement[0].0 += Duration::minutes(5);
    assert!(matches!(
        solve_greedy(&p),
        Err(ScheduleError::InvalidRequirement { .. })
    ));
    let mut p = flat_week();
    p.rule.earliest_start = hm(12, 0);
    let err = solve_greedy(&p).unwrap_err();
    assert_eq!(
        err.to_string(),
        "shift rule, earliest_start: 12:00 is after latest_start 10:00"
    );
    assert!(!check_rules(
        &p,
        &Roster {
            shifts: vec![],
            coverage: vec![],
            warnings: vec![]
        }
    )
    .is_empty());
}

#[test]
fn rule_serde_defaults() {
    let r: ShiftRule = serde_json::from_str(
        r#"{"length_minutes":540,"earliest_start":"07:00:00","latest_start":"10:00:00","lunch_minutes":60}"#,
    )
    .unwrap();
    assert_eq!(r, day_rule());
    assert_eq!(r.min_rest_hours, 11);
    assert_eq!(r.max_days_per_week, 5);
    assert_eq!(r.paid_minutes(), 480);
}

#[test]
fn requirement_outside_horizon_is_ignored_with_a_warning() {
    let mut p = flat_week();
    let after = p.grid.start_of_day(date("2026-01-20")) + Duration::hours(9);
    p.requirement.push((after, 5.0));
    let r = solve_greedy(&p).unwrap();
    assert!(check_rules(&p, &r).is_empty());
    assert!(
        r.warnings.iter().any(|w| w.contains("outside the horizon")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn solving_is_deterministic() {
    let g = paris_grid(15);
    let mut req = flat(&g, date("2026-01-05"), 14, (7, 0), (21, 0), 4.0);
    for (i, (_, v)) in req.iter_mut().enumerate() {
        *v += ((i * 7919) % 13) as f64 / 5.0;
    }
    let mut rule = ShiftRule::new(8 * 60 + 30, hm(6, 0), hm(13, 0), 30);
    rule.max_days_per_week = 5;
    let p = problem("2026-01-05", 14, req, agents(12, 20, 40), rule);
    let a = solve_greedy(&p).unwrap();
    let b = solve_greedy(&p).unwrap();
    assert_eq!(a, b);
    assert!(check_rules(&p, &a).is_empty(), "{:?}", check_rules(&p, &a));
}

#[test]
fn two_hundred_agents_week_is_valid_and_fast() {
    let g = paris_grid(15);
    let first = date("2026-01-05");
    let mut req = Vec::new();
    for d in 0..7 {
        let day = first + Duration::days(d);
        for t in g.intervals(local(&g, day, 6, 0), local(&g, day, 23, 0)) {
            let h = (t - local(&g, day, 0, 0)).num_minutes() as f64 / 60.0;
            req.push((t, 140.0 * (-(h - 13.0) * (h - 13.0) / 18.0).exp()));
        }
    }
    let rule = ShiftRule::new(9 * 60, hm(6, 0), hm(14, 0), 60);
    let p = problem("2026-01-05", 7, req, agents(200, 32, 40), rule);
    let started = std::time::Instant::now();
    let r = solve_greedy(&p).unwrap();
    let took = started.elapsed();
    assert!(check_rules(&p, &r).is_empty(), "{:?}", check_rules(&p, &r));
    // Generous: debug builds are much slower than release.
    assert!(took.as_secs_f64() < 10.0, "{took:?}");
    assert!(r.shifts.len() > 500);
}
