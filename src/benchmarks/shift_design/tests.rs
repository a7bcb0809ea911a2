use super::*;
use std::time::Duration;

const TOY1: &str = include_str!("../../../data/shift-design-dbai/instances/toy1.dzn");
const TOY2: &str = include_str!("../../../data/shift-design-dbai/instances/toy2.dzn");
const TOY3: &str = include_str!("../../../data/shift-design-dbai/instances/toy3.dzn");
const RE1: &str =
    include_str!("../../../data/shift-design-dbai/instances/DataSet1/RandomExample1.dzn");
const RE27: &str =
    include_str!("../../../data/shift-design-dbai/instances/DataSet2/RandomExample27.dzn");

/// One week of 60-minute slots, one shift type (start 06:00–10:00, 6–10 h).
fn week_instance(demand: &[u32], w_under: u64, w_shift: u64) -> String {
    let d: Vec<String> = demand.iter().map(u32::to_string).collect();
    format!(
        "interval = 60;\ndays = 7;\ndemand = [{}];\nshiftTypes = 1;\nminStart = [6];\n\
         maxStart = [10];\nminLength = [6];\nmaxLength = [10];\nminDuties = 0;\n\
         maxDuties = 7;\navgMinutes = 2400;\nweightUnderCover = {w_under};\n\
         weightOverCover = 1;\nweightDutiesPerWeek = 0;\nweightShiftInstances = {w_shift};\n",
        d.join(",")
    )
}

fn opts(iters: u64, seed: u64) -> SolveOptions {
    SolveOptions {
        time_limit: Duration::from_secs(600),
        seed,
        max_iterations: Some(iters),
    }
}

#[test]
fn parses_toy1() {
    let inst = parse_instance(TOY1).unwrap();
    assert_eq!(inst.interval, 180);
    assert_eq!(inst.days, 1);
    assert_eq!(inst.demand, vec![1, 1, 4, 3, 5, 4, 2, 3]);
    assert_eq!(
        inst.shift_types,
        vec![
            ShiftType {
                min_start: 2,
                max_start: 2,
                min_length: 2,
                max_length: 4
            },
            ShiftType {
                min_start: 4,
                max_start: 7,
                min_length: 2,
                max_length: 4
            },
        ]
    );
    assert_eq!(inst.weights.under_cover, 0);
    assert_eq!(inst.weights.over_cover, 1);
    assert_eq!(inst.weights.shift_instances, 179);
    assert_eq!(inst.avg_minutes, 2400);
    assert_eq!(parse_instance(TOY2).unwrap().weights.shift_instances, 181);
    // toy3 has a fractional duty bound.
    assert_eq!(parse_instance(TOY3).unwrap().max_duties, 3.4);
}

#[test]
fn parses_real_instances_with_source_md_figures() {
    // SOURCE.md: RandomExample1 has 60-min slots, 168 slots, total demand
    // 1,099 staff-hours, peak 20; RandomExample27 15-min slots, 672 slots,
    // total 12,648, peak 35.
    let a = parse_instance(RE1).unwrap();
    assert_eq!((a.interval, a.days, a.demand.len()), (60, 7, 168));
    assert_eq!(a.demand.iter().sum::<u32>(), 1099);
    assert_eq!(a.demand.iter().max(), Some(&20));
    assert_eq!(a.shift_types.len(), 4);
    assert_eq!(a.shift_types[3].min_start, 21);
    assert_eq!(a.weights.duties_per_week, 1000);
    let b = parse_instance(RE27).unwrap();
    assert_eq!((b.interval, b.demand.len()), (15, 672));
    assert_eq!(b.demand.iter().sum::<u32>(), 12648);
    assert_eq!(b.demand.iter().max(), Some(&35));
    assert_eq!(b.min_duties, 4.8);
}

#[test]
fn parses_every_bundled_file() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/shift-design-dbai/instances");
    let mut files = Vec::new();
    for sub in ["", "DataSet1", "DataSet2", "DataSet3"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "dzn") {
                files.push(p);
            }
        }
    }
    assert_eq!(files.len(), 23);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let inst = parse_instance(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert_eq!(inst.demand.len(), inst.days * inst.slots_per_day());
    }
}

#[test]
fn parse_errors_name_line_and_field() {
    let bad = TOY1.replace("demand = [1,1,4,3,5,4,2,3];", "demand = [1,1,4];");
    let e = parse_instance(&bad).unwrap_err();
    assert_eq!((e.line, e.field.as_str()), (3, "demand"));
    assert!(e.message.contains("expected"), "{e}");

    let bad = TOY1.replace("maxLength = [4, 4];", "maxLength = [4, x4];");
    let e = parse_instance(&bad).unwrap_err();
    assert_eq!((e.line, e.field.as_str()), (8, "maxLength"));

    let bad = TOY1.replace("minStart = [2, 4];", "minStart = [3, 4];");
    let e = parse_instance(&bad).unwrap_err();
    assert_eq!((e.line, e.field.as_str()), (5, "minStart"));
    assert!(e.to_string().starts_with("line 5: minStart: type 1"), "{e}");

    let bad = TOY1.replace("avgMinutes = 2400;\n", "");
    let e = parse_instance(&bad).unwrap_err();
    assert_eq!(e.field, "avgMinutes");
    assert!(e.message.contains("missing"));

    let bad = format!("{TOY1}colour = 3;\n");
    let e = parse_instance(&bad).unwrap_err();
    assert_eq!((e.line, e.field.as_str()), (16, "colour"));

    let bad = TOY1.replace("days = 1;", "days = 1");
    let e = parse_instance(&bad).unwrap_err();
    assert_eq!((e.line, e.field.as_str()), (3, "days"));

    let bad = TOY1.replace("interval = 180;", "interval = 7;");
    assert_eq!(parse_instance(&bad).unwrap_err().field, "interval");

    let bad = TOY1.replace("maxStart = [2, 7];", "maxStart = [2, 8];");
    assert_eq!(parse_instance(&bad).unwrap_err().field, "maxStart");

    let bad = TOY1.replace("interval = 180;", "interval = 180; interval = 180;");
    assert!(parse_instance(&bad)
        .unwrap_err()
        .message
        .contains("defined twice"));
}

#[test]
fn statements_may_span_lines_and_carry_comments() {
    let text = TOY1.replace(
        "demand = [1,1,4,3,5,4,2,3];",
        "% staff per slot\ndemand = [1,1,4,3,\n  5,4,2,3]; % eight slots",
    );
    assert_eq!(
        parse_instance(&text).unwrap().demand,
        vec![1, 1, 4, 3, 5, 4, 2, 3]
    );
}

#[test]
fn evaluator_on_hand_built_toy_design() {
    let inst = parse_instance(TOY1).unwrap();
    // 3 workers 06:00–15:00 (slots 2,3,4) and 1 worker 21:00–06:00 (slot 7
    // and, wrapping around the one-day horizon, slots 0 and 1).
    let design = Design {
        shifts: vec![
            Shift {
                shift_type: 0,
                start: 2,
                length: 3,
                workers: vec![3],
            },
            Shift {
                shift_type: 1,
                start: 7,
                length: 3,
                workers: vec![1],
            },
        ],
    };
    let ev = evaluate(&inst, &design);
    assert_eq!(ev.staffed, vec![1, 1, 3, 3, 3, 0, 0, 1]);
    // demand [1,1,4,3,5,4,2,3]: short 1+2+4+2+2 at slots 2,4,5,6,7.
    assert_eq!(ev.under_slots, 11);
    assert_eq!(ev.over_slots, 0);
    assert_eq!(ev.under_minutes, 11 * 180);
    assert_eq!(ev.distinct_shifts, 2);
    assert_eq!(ev.duties, 4);
    assert_eq!(ev.worked_minutes, (9 + 3) * 180);
    // weights: under 0, over 1 per staff-minute, 179 per distinct shift.
    assert_eq!(ev.objective, 2.0 * 179.0);
    assert!(ev.feasible);

    // One more worker on the night shift: 1 staff-slot over at slots 0, 1.
    let mut more = design.clone();
    more.shifts[1].workers[0] = 2;
    let ev = evaluate(&inst, &more);
    assert_eq!(ev.over_slots, 2);
    assert_eq!(ev.objective, 2.0 * 180.0 + 2.0 * 179.0);
}

#[test]
fn week_wraps_from_sunday_night_to_monday_morning() {
    let mut demand = vec![0u32; 168];
    // Sunday 22:00 .. Monday 04:00.
    demand[6 * 24 + 22..].fill(1);
    demand[..4].fill(1);
    let text = week_instance(&demand, 1, 60).replace(
        "shiftTypes = 1;\nminStart = [6];\nmaxStart = [10];\nminLength = [6];\nmaxLength = [10];",
        "shiftTypes = 1;\nminStart = [22];\nmaxStart = [22];\nminLength = [6];\nmaxLength = [6];",
    );
    let inst = parse_instance(&text).unwrap();
    let mut workers = vec![0; 7];
    workers[6] = 1;
    let design = Design {
        shifts: vec![Shift {
            shift_type: 0,
            start: 22,
            length: 6,
            workers,
        }],
    };
    let ev = evaluate(&inst, &design);
    assert_eq!((ev.under_slots, ev.over_slots), (0, 0));
    assert_eq!(ev.staffed[0..4], [1, 1, 1, 1]);
    assert_eq!(ev.staffed[4], 0);
    assert_eq!(ev.objective, 60.0);
}

#[test]
fn evaluator_reports_hard_violations_and_duty_deviation() {
    let inst = parse_instance(RE1).unwrap();
    let design = Design {
        shifts: vec![
            // Type 1 starts 05:00–08:00: 04:00 is outside its window.
            Shift {
                shift_type: 0,
                start: 4,
                length: 8,
                workers: vec![1; 7],
            },
            // Lengths are 7–9 slots.
            Shift {
                shift_type: 1,
                start: 9,
                length: 10,
                workers: vec![1; 7],
            },
            Shift {
                shift_type: 7,
                start: 9,
                length: 8,
                workers: vec![1; 6],
            },
        ],
    };
    let ev = evaluate(&inst, &design);
    assert!(!ev.feasible);
    assert_eq!(
        ev.violations,
        vec![
            Violation::StartOutsideWindow {
                shift: 0,
                start: 4,
                min: 5,
                max: 8
            },
            Violation::LengthOutOfRange {
                shift: 1,
                length: 10,
                min: 7,
                max: 9
            },
            Violation::UnknownType {
                shift: 2,
                shift_type: 7
            },
            Violation::WrongDayCount {
                shift: 2,
                got: 6,
                expected: 7
            },
        ]
    );
    // 20 duties of 8, 10 and 8 h: 20 · 2310 / ((56 + 70 + 48) · 60) ≈ 4.43
    // duties a week, inside [3, 5].
    assert_eq!(ev.duty_deviation, 0.0);
    // All 7-h shifts: 2310 / 420 = 5.5 duties, 0.5 above the maximum.
    let short = Design {
        shifts: vec![Shift {
            shift_type: 0,
            start: 5,
            length: 7,
            workers: vec![1; 7],
        }],
    };
    let ev = evaluate(&inst, &short);
    assert!((ev.duties_per_week.unwrap() - 5.5).abs() < 1e-12);
    assert!((ev.duty_deviation - 0.5).abs() < 1e-12);
    let cover = (ev.under_minutes + ev.over_minutes) as f64;
    assert!((ev.objective - (cover + 60.0 + 500.0)).abs() < 1e-9);
}

#[test]
fn solver_finds_a_planted_single_shift_optimum() {
    // Two workers 08:00–16:00 every day; nothing else.
    let mut demand = vec![0u32; 168];
    for d in 0..7 {
        for h in 8..16 {
            demand[d * 24 + h] = 2;
        }
    }
    let inst = parse_instance(&week_instance(&demand, 1, 60)).unwrap();
    let res = solve(&inst, &opts(20_000, 3));
    let ev = evaluate(&inst, &res.design);
    assert_eq!(ev.objective, 60.0);
    assert_eq!(
        (ev.under_slots, ev.over_slots, ev.distinct_shifts),
        (0, 0, 1)
    );
    assert_eq!(res.design.shifts[0].workers, vec![2; 7]);
    let lb = lower_bound(
        &inst,
        &BoundOptions {
            time_limit: Duration::from_secs(30),
        },
    );
    assert_eq!(lb.value, 60.0);
    assert!(lb.lp_value.is_some());
}

#[test]
fn solver_merges_shifts_when_a_shift_costs_more_than_the_cover() {
    // Mon–Wed want 2 workers 08:00–16:00, Thu–Sun 2 workers 09:00–17:00.
    // Two shifts cover it exactly (cost 2 × 100); the best single shift,
    // 09:00–17:00, misses 2 × 2 staff-hours on each of Mon–Wed (720
    // staff-minutes): 100 + 720 — so two shifts win. With a shift costing
    // 5000 one shift wins: 5000 + 720 < 2 × 5000 and < 6720 (nobody).
    let mut demand = vec![0u32; 168];
    for d in 0..7 {
        let s = if d < 3 { 8 } else { 9 };
        for h in s..s + 8 {
            demand[d * 24 + h] = 2;
        }
    }
    let inst = parse_instance(&week_instance(&demand, 1, 100)).unwrap();
    let ev = evaluate(&inst, &solve(&inst, &opts(50_000, 1)).design);
    assert_eq!((ev.distinct_shifts, ev.objective), (2, 200.0));
    let inst = parse_instance(&week_instance(&demand, 1, 5000)).unwrap();
    assert_eq!(inst.empty_objective(), 6720.0);
    let ev = evaluate(&inst, &solve(&inst, &opts(50_000, 1)).design);
    assert_eq!(ev.distinct_shifts, 1);
    assert_eq!(ev.objective, 5720.0);
}

#[test]
fn solver_on_toys_never_worse_than_empty() {
    // Under-cover weighs 0 in the toys, so nobody working is optimal (0).
    for text in [TOY1, TOY2, TOY3] {
        let inst = parse_instance(text).unwrap();
        let res = solve(&inst, &opts(5_000, 1));
        assert_eq!(res.objective, 0.0);
        assert_eq!(evaluate(&inst, &res.design).objective, 0.0);
    }
}

#[test]
fn solver_on_real_instance_is_feasible_consistent_and_beats_empty() {
    let inst = parse_instance(RE1).unwrap();
    let res = solve(&inst, &opts(100_000, 7));
    let ev = evaluate(&inst, &res.design);
    assert!(ev.feasible, "{:?}", ev.violations);
    for sh in &res.design.shifts {
        assert!(inst.shift_types[sh.shift_type].allows(sh.start, sh.length));
        assert_eq!(sh.workers.len(), 7);
    }
    assert!((ev.objective - res.objective).abs() < 1e-6);
    assert!(res.objective <= res.greedy_objective + 1e-9);
    assert!(res.objective < inst.empty_objective());
    let lb = lower_bound(
        &inst,
        &BoundOptions {
            time_limit: Duration::from_secs(60),
        },
    );
    assert!(lb.lp_value.is_some());
    assert!(lb.jump_bound <= lb.value);
    assert!(
        lb.value <= res.objective + 1e-9,
        "{lb:?} vs {}",
        res.objective
    );
}

#[test]
fn solver_is_deterministic_for_a_seed() {
    let inst = parse_instance(RE1).unwrap();
    let a = solve(&inst, &opts(60_000, 11));
    let b = solve(&inst, &opts(60_000, 11));
    assert_eq!(a.design, b.design);
    assert_eq!(a.objective, b.objective);
    assert_eq!(a.iterations, 60_000);
}
