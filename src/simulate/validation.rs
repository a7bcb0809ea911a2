//! The simulator against the analytic models and against hand-worked cases.

use super::des::*;
use crate::staffing::{erlang_a_metrics, erlang_c_metrics};

/// Batch means: one batch per interval, the first dropped as warm-up.
/// Returns (mean, half-width of the 95% confidence interval).
fn batch_ci(xs: &[f64]) -> (f64, f64) {
    let xs = &xs[1..];
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    // Student t, 39 degrees of freedom (40 batches kept), two-sided 95%.
    assert_eq!(xs.len(), 40);
    (mean, 2.0227 * (var / n).sqrt())
}

fn stationary(
    lambda: f64,
    aht: f64,
    patience: Option<f64>,
    agents: u32,
    target: f64,
    seed: u64,
) -> SimulationResult {
    // 41 batches of ~4,000 arrivals each.
    let batch = 4000.0 / lambda;
    simulate(&SimulationInput {
        interval_seconds: batch,
        agents_per_interval: vec![agents; 41],
        arrivals: ArrivalSource::Poisson {
            volumes: vec![lambda * batch; 41],
        },
        service: Dist::Exponential { mean: aht },
        patience: patience.map(|mean| Dist::Exponential { mean }),
        target_seconds: target,
        seed,
    })
    .unwrap()
}

/// Rows 2, 15 and 47 of erlang_a_grid.csv (plus row 49: same queue as 47,
/// longer target): simulated service level and abandon rate lie within the
/// 95% batch-means confidence interval of the Erlang A values.
#[test]
fn simulation_agrees_with_erlang_a_grid_rows() {
    // (λ, AHT, mean patience, agents, t, SL, P(ab)) from the grid.
    let rows = [
        (
            3.33333333333333,
            3.0,
            5.0,
            8,
            0.333333333333333,
            0.226451821159,
            0.231864134687,
        ),
        (
            10.0,
            0.5,
            1.0,
            6,
            0.0833333333333333,
            0.686475728264,
            0.07557697815,
        ),
        (
            20.0,
            1.0,
            1.0,
            21,
            0.111111111111111,
            0.729638779108,
            0.0667899466037,
        ),
        (
            20.0,
            1.0,
            1.0,
            21,
            0.333333333333333,
            0.895741414451,
            0.0667899466037,
        ),
    ];
    for (i, &(lam, aht, pat, c, t, sl, pab)) in rows.iter().enumerate() {
        // The analytic model agrees with the grid (1e-7), so the comparison
        // below is really simulation vs Erlang A.
        let m = erlang_a_metrics(lam, 1.0, aht, pat, c, t);
        assert!((m.service_level - sl).abs() < 1e-7 && (m.prob_abandon - pab).abs() < 1e-9);
        let r = stationary(lam, aht, Some(pat), c, t, 1000 + i as u64);
        let sls: Vec<f64> = r.intervals.iter().map(|x| x.service_level).collect();
        let abs: Vec<f64> = r.intervals.iter().map(|x| x.abandon_rate).collect();
        let (m_sl, h_sl) = batch_ci(&sls);
        let (m_ab, h_ab) = batch_ci(&abs);
        assert!(
            (m_sl - sl).abs() <= h_sl,
            "row {i}: simulated SL {m_sl:.4} ± {h_sl:.4}, Erlang A {sl:.4}"
        );
        assert!(
            (m_ab - pab).abs() <= h_ab,
            "row {i}: simulated abandon {m_ab:.4} ± {h_ab:.4}, Erlang A {pab:.4}"
        );
        // The interval is tight enough to mean something.
        assert!(h_sl < 0.02 && h_ab < 0.02, "row {i}: ±{h_sl} ±{h_ab}");
        assert!(r.totals.unserved == 0);
        assert_eq!(
            r.totals.offered,
            r.totals.answered + r.totals.abandoned,
            "every call is answered or hangs up"
        );
    }
}

#[test]
fn simulation_agrees_with_erlang_c_without_patience() {
    // 100 calls / 30 min, AHT 180 s, 14 agents, 20 s: SL 0.888350.
    let lam = 100.0 / 1800.0;
    let r = stationary(lam, 180.0, None, 14, 20.0, 5);
    let want = erlang_c_metrics(100.0, 1800.0, 180.0, 14, 20.0);
    let sls: Vec<f64> = r.intervals.iter().map(|x| x.service_level).collect();
    let (m, h) = batch_ci(&sls);
    assert!((m - want.service_level).abs() <= h, "{m} ± {h} vs {want:?}");
    let occ: Vec<f64> = r.intervals.iter().map(|x| x.occupancy).collect();
    let (mo, ho) = batch_ci(&occ);
    assert!((mo - want.occupancy).abs() <= ho, "{mo} ± {ho} vs {want:?}");
    assert_eq!(r.totals.abandoned, 0);
}

#[test]
fn same_seed_same_result_and_staffing_keeps_the_callers() {
    let input = |agents: u32, seed: u64| SimulationInput {
        interval_seconds: 900.0,
        agents_per_interval: vec![agents; 8],
        arrivals: ArrivalSource::Poisson {
            volumes: vec![50.0, 80.0, 120.0, 90.0, 60.0, 40.0, 30.0, 10.0],
        },
        service: Dist::LogNormal {
            mean: 200.0,
            cv: 1.2,
        },
        patience: Some(Dist::Empirical(vec![10.0, 60.0, 120.0, 400.0])),
        target_seconds: 30.0,
        seed,
    };
    let a = simulate(&input(12, 9)).unwrap();
    assert_eq!(a, simulate(&input(12, 9)).unwrap());
    assert_ne!(a, simulate(&input(12, 10)).unwrap());
    let more = simulate(&input(20, 9)).unwrap();
    // Same callers (common random numbers): same offered per interval.
    for (x, y) in a.intervals.iter().zip(&more.intervals) {
        assert_eq!(x.offered, y.offered);
    }
    assert!(more.totals.service_level > a.totals.service_level);
    assert!(more.totals.abandoned < a.totals.abandoned);
    let t = a.totals;
    assert_eq!(
        t.offered,
        a.intervals.iter().map(|x| x.offered).sum::<u64>()
    );
    assert!((t.service_level - t.answered_within_target as f64 / t.offered as f64).abs() < 1e-15);
}

/// Interval 100 s, agents [1, 0, 1]. Call A at 50 s (service 100 s) runs
/// into interval 1 where nobody is on: the agent finishes it (until 150 s)
/// but takes nothing new. Call B at 60 s waits for the agent coming back at
/// 200 s (wait 140 s). Call C at 70 s has patience 20 s and hangs up at 90 s.
#[test]
fn staffing_drop_lets_the_call_in_hand_finish() {
    let r = simulate(&SimulationInput {
        interval_seconds: 100.0,
        agents_per_interval: vec![1, 0, 1],
        arrivals: ArrivalSource::Replay {
            arrival_offsets_seconds: vec![60.0, 50.0, 70.0],
        },
        service: Dist::Replay(vec![10.0, 100.0, 5.0]),
        patience: Some(Dist::Replay(vec![1000.0, 1000.0, 20.0])),
        target_seconds: 20.0,
        seed: 1,
    })
    .unwrap();
    let i0 = r.intervals[0];
    assert_eq!((i0.offered, i0.answered, i0.abandoned), (3, 2, 1));
    assert_eq!(i0.answered_within_target, 1);
    assert!(
        (i0.asa_seconds - 70.0).abs() < 1e-9,
        "(0 + 140) / 2: {i0:?}"
    );
    assert!(
        (i0.mean_wait_seconds - (140.0 + 20.0) / 3.0).abs() < 1e-9,
        "{i0:?}"
    );
    assert!((i0.service_level - 1.0 / 3.0).abs() < 1e-15);
    // Busy 50..100 of 100 staffed seconds; overrun 100..150 with 0 staffed; 200..210.
    assert!((i0.occupancy - 0.5).abs() < 1e-12, "{i0:?}");
    assert_eq!(r.intervals[1].occupancy, 1.0);
    assert!((r.intervals[2].occupancy - 0.1).abs() < 1e-12);
    assert_eq!(r.intervals[1].offered, 0);
    assert_eq!(r.intervals[1].service_level, 1.0);
}

#[test]
fn no_agents_and_no_patience_leaves_callers_unserved() {
    let r = simulate(&SimulationInput {
        interval_seconds: 60.0,
        agents_per_interval: vec![0, 0],
        arrivals: ArrivalSource::Replay {
            arrival_offsets_seconds: vec![1.0, 70.0],
        },
        service: Dist::Exponential { mean: 30.0 },
        patience: None,
        target_seconds: 20.0,
        seed: 1,
    })
    .unwrap();
    assert_eq!(r.totals.unserved, 2);
    assert_eq!(r.totals.service_level, 0.0);
}

#[test]
fn invalid_inputs_are_errors() {
    let ok = SimulationInput {
        interval_seconds: 60.0,
        agents_per_interval: vec![1, 1],
        arrivals: ArrivalSource::Poisson {
            volumes: vec![1.0, 1.0],
        },
        service: Dist::Exponential { mean: 30.0 },
        patience: None,
        target_seconds: 20.0,
        seed: 1,
    };
    assert!(simulate(&ok).is_ok());
    let field = |i: SimulationInput| match simulate(&i) {
        Err(SimError::InvalidInput { field, .. }) => field,
        Ok(_) => "ok",
    };
    assert_eq!(
        field(SimulationInput {
            interval_seconds: 0.0,
            ..ok.clone()
        }),
        "interval_seconds"
    );
    assert_eq!(
        field(SimulationInput {
            agents_per_interval: vec![],
            ..ok.clone()
        }),
        "agents_per_interval"
    );
    assert_eq!(
        field(SimulationInput {
            arrivals: ArrivalSource::Poisson { volumes: vec![1.0] },
            ..ok.clone()
        }),
        "arrivals.volumes"
    );
    assert_eq!(
        field(SimulationInput {
            arrivals: ArrivalSource::Replay {
                arrival_offsets_seconds: vec![130.0]
            },
            ..ok.clone()
        }),
        "arrivals.arrival_offsets_seconds"
    );
    assert_eq!(
        field(SimulationInput {
            arrivals: ArrivalSource::Replay {
                arrival_offsets_seconds: vec![1.0, 2.0]
            },
            service: Dist::Replay(vec![1.0]),
            ..ok.clone()
        }),
        "service"
    );
    assert_eq!(
        field(SimulationInput {
            patience: Some(Dist::LogNormal {
                mean: -1.0,
                cv: 1.0
            }),
            ..ok.clone()
        }),
        "patience"
    );
}

#[test]
fn lognormal_has_the_requested_mean() {
    // Plenty of agents: nobody waits, so busy time = total service time.
    let r = simulate(&SimulationInput {
        interval_seconds: 3600.0,
        agents_per_interval: vec![1000; 10],
        arrivals: ArrivalSource::Poisson {
            volumes: vec![10_000.0; 10],
        },
        service: Dist::LogNormal {
            mean: 60.0,
            cv: 0.8,
        },
        patience: None,
        target_seconds: 0.0,
        seed: 3,
    })
    .unwrap();
    assert_eq!(r.totals.service_level, 1.0);
    // Busy agent-seconds over calls ≈ mean service (sd of the mean ≈ 0.15 s);
    // the last interval's overrun past the horizon is not counted, hence 0.5 s slack.
    let busy = r.totals.occupancy * 1000.0 * 36_000.0;
    let mean = busy / r.totals.offered as f64;
    assert!((mean - 60.0).abs() < 0.6, "{mean}");
}
