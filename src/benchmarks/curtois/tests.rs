use super::*;
use std::time::Duration;

const I1: &str = include_str!("../../../data/curtois-nrp/instances/Instance1.txt");
const I2: &str = include_str!("../../../data/curtois-nrp/instances/Instance2.txt");
const I3: &str = include_str!("../../../data/curtois-nrp/instances/Instance3.txt");
const I4: &str = include_str!("../../../data/curtois-nrp/instances/Instance4.txt");
const R1: &str =
    include_str!("../../../data/curtois-nrp/published-rosters/Instance1.published.607.txt");
const R2: &str =
    include_str!("../../../data/curtois-nrp/published-rosters/Instance2.published.828.txt");
const R3: &str =
    include_str!("../../../data/curtois-nrp/published-rosters/Instance3.published.1001.txt");
const R4: &str =
    include_str!("../../../data/curtois-nrp/published-rosters/Instance4.published.1716.txt");

#[test]
fn parses_instance_1_and_2() {
    let i1 = parse_instance(I1).unwrap();
    assert_eq!(i1.days, 14);
    assert_eq!(i1.employees.len(), 8);
    assert_eq!(i1.shifts.len(), 1);
    assert_eq!(i1.on_request_count, 21);
    assert_eq!(i1.off_request_count, 5);
    let i2 = parse_instance(I2).unwrap();
    assert_eq!(i2.shifts[1].id, "L");
    assert_eq!(i2.shifts[1].forbidden_next, vec![0]);
    assert!(i2.shifts[0].forbidden_next.is_empty());
    let d = i2.employee_index("D").unwrap();
    assert_eq!(i2.employees[d].max_shifts, vec![14, 0]);
    assert!(i2.employees[d].days_off[12]);
    assert_eq!(i2.employees[d].min_total_minutes, 3360);
    assert_eq!(i2.cover_at(2, 1).requirement, 6);
    assert_eq!(i2.cover_at(2, 1).under_weight, 100);
}

#[test]
fn published_rosters_score_exactly() {
    for (inst, roster, want) in [(I1, R1, 607), (I2, R2, 828), (I3, R3, 1001), (I4, R4, 1716)] {
        let inst = parse_instance(inst).unwrap();
        let r = parse_roster(&inst, roster).unwrap();
        let ev = evaluate(&inst, &r).unwrap();
        assert!(ev.feasible, "violations: {:?}", ev.violations);
        assert_eq!(ev.objective, want);
    }
    // The README's breakdown of instance 1.
    let inst = parse_instance(I1).unwrap();
    let ev = evaluate(&inst, &parse_roster(&inst, R1).unwrap()).unwrap();
    assert_eq!(
        (ev.under_cover, ev.on_requests, ev.off_requests),
        (600, 4, 3)
    );
}

#[test]
fn roster_round_trips() {
    let inst = parse_instance(I2).unwrap();
    let r = parse_roster(&inst, R2).unwrap();
    let text = format_roster(&inst, &r);
    assert_eq!(parse_roster(&inst, &text).unwrap(), r);
    assert!(text.starts_with("A\tL L L - -"));
}

#[test]
fn evaluator_flags_broken_rules() {
    let inst = parse_instance(I2).unwrap();
    let mut r = parse_roster(&inst, R2).unwrap();
    // A works L on day 0; put E on day 1: forbidden succession L -> E.
    let a = inst.employee_index("A").unwrap();
    r.assignment[a][1] = Some(0);
    let ev = evaluate(&inst, &r).unwrap();
    assert!(!ev.feasible);
    assert!(ev
        .violations
        .iter()
        .any(|v| v.rule == Rule::ForbiddenSuccession && v.day == 0));
    // Work on a day off (A's day off is day 3).
    let mut r = parse_roster(&inst, R2).unwrap();
    r.assignment[a][3] = Some(1);
    let ev = evaluate(&inst, &r).unwrap();
    assert!(ev
        .violations
        .iter()
        .any(|v| v.rule == Rule::DayOff && v.day == 3));
    // Everyone off: min minutes broken for all, under-cover everywhere.
    let ev = evaluate(&inst, &CurtoisRoster::empty(&inst)).unwrap();
    let n_min = ev
        .violations
        .iter()
        .filter(|v| v.rule == Rule::MinTotalMinutes)
        .count();
    assert_eq!(n_min, inst.employees.len());
    let total_req: u64 = inst
        .cover
        .iter()
        .map(|c| u64::from(c.requirement) * 100)
        .sum();
    assert_eq!(ev.under_cover, total_req);
}

#[test]
fn parse_errors_name_the_line() {
    let bad = I1.replace("A,D=14,4320", "A,X=14,4320");
    let e = parse_instance(&bad).unwrap_err();
    assert!(e.to_string().contains("unknown shift 'X'"), "{e}");
    let inst = parse_instance(I1).unwrap();
    assert!(parse_roster(&inst, "A\t- D\n").is_err());
}

#[test]
fn best_known_by_name() {
    assert_eq!(best_known("Instance1"), Some(607));
    assert_eq!(best_known("data/x/Instance24.txt"), Some(42463));
    assert_eq!(best_known("Instance25.txt"), None);
}

#[test]
fn solver_finds_feasible_roster_on_instance_1_and_is_deterministic() {
    let inst = parse_instance(I1).unwrap();
    let opts = SolveOptions {
        time_limit: Duration::from_secs(20),
        max_iterations: Some(300_000),
        seed: 7,
        ..Default::default()
    };
    let mut calls = 0;
    let a = solve(&inst, &opts, None, &mut |_| calls += 1);
    assert!(calls >= 1);
    assert!(a.feasible);
    let ev = evaluate(&inst, &a.roster).unwrap();
    assert!(ev.feasible);
    assert_eq!(ev.objective, a.objective);
    assert!(a.objective >= 607);
    let b = solve(&inst, &opts, None, &mut |_| {});
    assert_eq!(a.roster, b.roster);
}

#[test]
fn cancel_returns_best_so_far() {
    let inst = parse_instance(I1).unwrap();
    let flag = std::sync::atomic::AtomicBool::new(true);
    let r = solve(&inst, &SolveOptions::default(), Some(&flag), &mut |_| {});
    assert!(r.cancelled);
    assert_eq!(r.roster.assignment.len(), inst.employees.len());
}

#[test]
fn lp_bound_is_below_the_published_optimum() {
    for (text, best) in [(I1, 607u64), (I2, 828)] {
        let inst = parse_instance(text).unwrap();
        let lb = lower_bound(
            &inst,
            &BoundOptions {
                time_limit: Duration::from_secs(30),
            },
        )
        .expect("small LP solves");
        assert!(lb.value <= best, "bound {} above {}", lb.value, best);
        // Under-cover alone makes the LP well above 0 on these instances.
        assert!(lb.value > 0);
    }
}

#[test]
fn dp_recreates_a_row_that_keeps_the_hard_rules() {
    use super::eval::employee_hard;
    let inst = parse_instance(I2).unwrap();
    let off = inst.shifts.len() as u16;
    let row = vec![off; inst.days];
    let published = parse_roster(&inst, R2).unwrap();
    // Reward every shift: the DP must still respect max consecutive,
    // minutes, weekends, days off and successions.
    for e in 0..inst.employees.len() {
        let cost = |_d: usize, v: u16| if v == off { 0 } else { -10 };
        let mut out = Vec::new();
        assert!(super::dp::reoptimize(
            &inst, e, &row, 0, inst.days, &cost, None, &mut out
        ));
        assert_eq!(
            employee_hard(&inst, e, &out, None),
            0,
            "employee {e}: {out:?}"
        );
        // Optimal: at least as many shifts as the (feasible) published row.
        let worked = out.iter().filter(|&&v| v != off).count();
        let pub_worked = published.assignment[e]
            .iter()
            .filter(|c| c.is_some())
            .count();
        assert!(
            worked >= pub_worked,
            "employee {e}: {worked} < {pub_worked}"
        );
    }
}

#[test]
fn minus_zero_requirement_parses_as_zero() {
    let text = I1.replace("SECTION_COVER\n", "SECTION_COVER\n0,D,-0,100,1\n");
    // The later line for day 0 overrides; parse must not fail on "-0".
    assert!(parse_instance(&text).is_ok());
}

#[test]
fn best_response_keeps_per_type_maxima() {
    use super::eval::employee_hard;
    // Cap employee A's L shifts at 2: rewarding every shift, the plain DP
    // would take more; the best response must stay within the cap.
    let inst = parse_instance(I2).unwrap();
    let a = inst.employee_index("A").unwrap();
    let l = inst.shift_index("L").unwrap();
    let mut capped = inst.clone();
    capped.employees[a].max_shifts[l] = 2;
    let off = inst.shifts.len() as u16;
    let row = vec![off; inst.days];
    let cost = |_d: usize, v: u16| if v == l as u16 { -50 } else { 0 };
    let mut out = Vec::new();
    let mut sc = super::dp::Scratch::default();
    assert!(super::dp::reoptimize(
        &capped, a, &row, 0, inst.days, &cost, None, &mut out
    ));
    let plain = out.iter().filter(|&&v| v == l as u16).count();
    assert!(plain > 2, "the uncapped DP takes {plain} L shifts");
    assert!(super::dp::best_response(
        &capped, a, &row, 0, inst.days, &cost, &mut out, &mut sc
    ));
    // Exact, not just within the cap: the reward makes both L shifts pay.
    assert_eq!(out.iter().filter(|&&v| v == l as u16).count(), 2);
    assert_eq!(employee_hard(&capped, a, &out, None), 0, "{out:?}");
}

#[test]
fn column_generation_bounds_the_optimum_and_dives_to_a_feasible_roster() {
    // Instances 1–3 with their published optimal rosters: the converged
    // master LP is a relaxation, so it may not exceed the optimum, and the
    // dive's roster keeps every hard rule and scores what it claims.
    for (text, roster, optimum) in [(I1, R1, 607u64), (I2, R2, 828), (I3, R3, 1001)] {
        let inst = parse_instance(text).unwrap();
        assert_eq!(
            evaluate(&inst, &parse_roster(&inst, roster).unwrap())
                .unwrap()
                .objective,
            optimum
        );
        let off = inst.shifts.len() as u16;
        let start = vec![off; inst.employees.len() * inst.days];
        let (r, lp, dives, columns, pool) = dive_once(&inst, &start, None);
        assert!(
            lp <= optimum as f64 + 1e-6,
            "LP {lp} above the optimum {optimum}"
        );
        assert!(lp > 0.5 * optimum as f64, "LP {lp} implausibly weak");
        let ev = evaluate(&inst, &super::solve::cells_to_roster(&inst, &r.0)).unwrap();
        assert!(ev.feasible, "{:?}", ev.violations);
        assert_eq!(ev.objective, r.1);
        assert!(r.1 >= optimum);
        assert_eq!(dives, 1);
        assert_eq!(pool.iter().map(Vec::len).sum::<usize>(), columns);
    }
}

/// Root LP and one dive: (roster, objective), root LP, dives, columns, pool.
#[allow(clippy::type_complexity)]
fn dive_once(
    inst: &CurtoisInstance,
    start: &[u16],
    fixed: Option<&[u16]>,
) -> ((Vec<u16>, u64), f64, usize, usize, Vec<Vec<Vec<u16>>>) {
    let deadline = std::time::Instant::now() + Duration::from_secs(300);
    let mut diver = super::colgen::Diver::new(inst, start, fixed, (2, 1), deadline, None).unwrap();
    let lp = diver
        .root_lp()
        .expect("column generation converges at the root");
    let r = diver.dive(deadline).expect("a dive ends");
    let (dives, columns) = (diver.dives, diver.columns());
    (r, lp, dives, columns, diver.into_pool())
}

#[test]
fn a_window_sub_problem_keeps_the_cells_outside_it() {
    // Instance 2's optimal roster with days 4–10 freed: the sub-problem's
    // LP contains that roster (so it is at most 828), and the dive changes
    // nothing outside the window and returns a feasible roster.
    let inst = parse_instance(I2).unwrap();
    let start: Vec<u16> = parse_roster(&inst, R2)
        .unwrap()
        .assignment
        .iter()
        .flat_map(|row| super::eval::to_cells(&inst, row))
        .collect();
    let fixed = super::colgen::fix_outside(&start, inst.days, 4, 11);
    let ((cells, objective), lp, ..) = dive_once(&inst, &start, Some(&fixed));
    assert!(lp <= 828.0 + 1e-6 && lp > 400.0, "LP {lp}");
    for (i, (&a, &b)) in cells.iter().zip(&start).enumerate() {
        if !(4..11).contains(&(i % inst.days)) {
            assert_eq!(a, b, "cell {i} outside the window changed");
        }
    }
    let ev = evaluate(&inst, &super::solve::cells_to_roster(&inst, &cells)).unwrap();
    assert!(ev.feasible, "{:?}", ev.violations);
    assert_eq!(ev.objective, objective);
    assert!(objective >= 828);
}

#[test]
fn long_instance_gets_a_feasible_roster_that_evaluates_to_the_objective() {
    // Instance 16 (8 weeks): the windowed construction, the DP repair and
    // the search; the returned objective is the evaluator's.
    let inst = parse_instance(include_str!(
        "../../../data/curtois-nrp/instances/Instance16.txt"
    ))
    .unwrap();
    let opts = SolveOptions {
        time_limit: Duration::from_secs(30),
        max_iterations: Some(400_000),
        seed: 3,
        ..Default::default()
    };
    let r = solve(&inst, &opts, None, &mut |_| {});
    let ev = evaluate(&inst, &r.roster).unwrap();
    assert!(r.feasible && ev.feasible, "{:?}", ev.violations);
    assert_eq!(ev.objective, r.objective);
    assert!(r.objective >= 3225);
}
