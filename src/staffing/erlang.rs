//! Erlang B and Erlang C (M/M/c, no abandonment) for one interval.
//!
//! Everything is computed with the Erlang B recursion
//! `B(A,0) = 1, B(A,k) = A·B(A,k−1) / (k + A·B(A,k−1))`, which stays in
//! [0, 1] at every step: no factorials, no powers, no overflow, whatever the
//! load. Erlang C follows from B: `P(wait) = c·B / (c − A(1 − B))`.
//!
//! These functions do not validate their inputs (use
//! [`required_agents`](super::required_agents), which does); a negative or NaN
//! load gives NaN.

use serde::Serialize;

/// Erlang C results for one interval at a given number of agents.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct QueueMetrics {
    /// Probability that an arriving contact has to wait (Erlang C).
    pub prob_wait: f64,
    /// Fraction of contacts answered within the target time.
    pub service_level: f64,
    /// Average speed of answer over all contacts, in seconds
    /// (`f64::INFINITY` when agents ≤ load: the queue grows without bound).
    pub asa_seconds: f64,
    /// Share of agent time spent on contacts, `min(A/c, 1)`.
    pub occupancy: f64,
    /// Always 0: Erlang C assumes nobody hangs up.
    pub prob_abandon: f64,
}

impl QueueMetrics {
    /// Metrics of an interval with no work at all.
    pub(crate) const IDLE: QueueMetrics = QueueMetrics {
        prob_wait: 0.0,
        service_level: 1.0,
        asa_seconds: 0.0,
        occupancy: 0.0,
        prob_abandon: 0.0,
    };
}

/// Erlang B blocking probability for `offered_erlangs` on `agents` servers.
///
/// `agents = 0` gives 1. An infinite load gives 1; a negative or NaN load gives NaN.
pub fn erlang_b(offered_erlangs: f64, agents: u32) -> f64 {
    let a = offered_erlangs;
    if a.is_nan() || a < 0.0 {
        return f64::NAN;
    }
    if a.is_infinite() {
        return 1.0;
    }
    let mut b = 1.0;
    for k in 1..=agents {
        b = erlang_b_step(a, k, b);
    }
    b
}

/// One step of the Erlang B recursion: `B(A, k)` from `B(A, k−1)`.
#[inline]
pub(crate) fn erlang_b_step(a: f64, k: u32, b_prev: f64) -> f64 {
    let ab = a * b_prev;
    ab / (f64::from(k) + ab)
}

/// Erlang C probability of waiting: `c·B / (c − A(1 − B))` for `c > A`, else 1.
pub fn erlang_c(offered_erlangs: f64, agents: u32) -> f64 {
    let a = offered_erlangs;
    if a.is_nan() || a < 0.0 {
        return f64::NAN;
    }
    if f64::from(agents) <= a {
        return 1.0;
    }
    erlang_c_from_b(a, agents, erlang_b(a, agents))
}

/// Erlang C from an already known `B(A, c)`; requires `c > A ≥ 0`.
#[inline]
fn erlang_c_from_b(a: f64, c: u32, b: f64) -> f64 {
    let c = f64::from(c);
    // c − A(1 − B) ≥ c − A > 0, so no division by zero.
    (c * b / (c - a * (1.0 - b))).clamp(0.0, 1.0)
}

/// Erlang C metrics for one interval: `volume` contacts arriving in
/// `interval_seconds`, each taking `aht_seconds`, handled by `agents`, with
/// the service level measured at `target_seconds`.
///
/// With `A = volume·aht/interval`:
/// - service level `= 1 − P(wait)·exp(−(c−A)·t/AHT)`, 0 when `c ≤ A`;
/// - ASA `= P(wait)·AHT/(c−A)`, `f64::INFINITY` when `c ≤ A`;
/// - occupancy `= min(A/c, 1)` (0 agents: 1 if `A > 0`);
/// - `prob_abandon = 0` (Erlang C has no abandonment).
///
/// No work (`volume = 0`, or `A = 0`) gives P(wait) 0, service level 1, ASA 0,
/// occupancy 0. Inputs are not validated.
pub fn erlang_c_metrics(
    volume: f64,
    interval_seconds: f64,
    aht_seconds: f64,
    agents: u32,
    target_seconds: f64,
) -> QueueMetrics {
    if volume == 0.0 {
        return QueueMetrics::IDLE;
    }
    let a = volume * aht_seconds / interval_seconds;
    let b = erlang_b(a, agents);
    metrics_at(a, agents, b, target_seconds, aht_seconds)
}

/// Metrics at `c` agents for load `a` given `b = B(a, c)`. Shared by
/// [`erlang_c_metrics`] and the incremental search in `requirement`.
pub(crate) fn metrics_at(
    a: f64,
    c: u32,
    b: f64,
    target_seconds: f64,
    aht_seconds: f64,
) -> QueueMetrics {
    if a == 0.0 {
        return QueueMetrics::IDLE;
    }
    let cf = f64::from(c);
    if cf <= a {
        return QueueMetrics {
            prob_wait: 1.0,
            service_level: 0.0,
            asa_seconds: f64::INFINITY,
            occupancy: 1.0,
            prob_abandon: 0.0,
        };
    }
    let p = erlang_c_from_b(a, c, b);
    let spare = cf - a;
    QueueMetrics {
        prob_wait: p,
        service_level: 1.0 - p * (-spare * target_seconds / aht_seconds).exp(),
        asa_seconds: p * aht_seconds / spare,
        occupancy: (a / cf).min(1.0),
        prob_abandon: 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRID: &str = include_str!("../../tests/data/erlang-reference/erlang_bc_grid.csv");

    struct GridRow {
        line: usize,
        erlangs: f64,
        agents: u32,
        t_over_aht: f64,
        erlang_b: f64,
        erlang_c: f64,
        service_level: f64,
        asa_over_aht: f64,
        occupancy: f64,
    }

    fn grid_rows() -> Vec<GridRow> {
        let mut lines = GRID.lines().enumerate();
        let (_, header) = lines.next().expect("grid has a header");
        assert_eq!(
            header.trim(),
            "erlangs,agents,target_time_over_aht,erlang_b_blocking,erlang_c_prob_wait,\
             service_level,asa_over_aht,occupancy"
        );
        lines
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                let f: Vec<f64> = l
                    .split(',')
                    .map(|x| {
                        x.trim()
                            .parse::<f64>()
                            .unwrap_or_else(|e| panic!("line {}: {e}", i + 1))
                    })
                    .collect();
                assert_eq!(f.len(), 8, "line {}: {l}", i + 1);
                assert_eq!(f[1].fract(), 0.0, "line {}: agents must be whole", i + 1);
                GridRow {
                    line: i + 1,
                    erlangs: f[0],
                    agents: f[1] as u32,
                    t_over_aht: f[2],
                    erlang_b: f[3],
                    erlang_c: f[4],
                    service_level: f[5],
                    asa_over_aht: f[6],
                    occupancy: f[7],
                }
            })
            .collect()
    }

    fn check(failures: &mut Vec<String>, line: usize, what: &str, got: f64, want: f64) {
        // Written so that NaN counts as a mismatch.
        let ok = (got - want).abs() <= 1e-9;
        if !ok {
            failures.push(format!(
                "line {line} {what}: got {got:.15}, want {want:.15}"
            ));
        }
    }

    #[test]
    fn matches_every_row_of_reference_grid() {
        let rows = grid_rows();
        assert_eq!(rows.len(), 355, "SOURCE.md promises 355 rows");
        let mut failures = Vec::new();
        for r in &rows {
            check(
                &mut failures,
                r.line,
                "erlang_b",
                erlang_b(r.erlangs, r.agents),
                r.erlang_b,
            );
            check(
                &mut failures,
                r.line,
                "erlang_c",
                erlang_c(r.erlangs, r.agents),
                r.erlang_c,
            );

            // Times in AHT units: AHT = 1, interval = 1, volume = A.
            let m = erlang_c_metrics(r.erlangs, 1.0, 1.0, r.agents, r.t_over_aht);
            check(
                &mut failures,
                r.line,
                "prob_wait (aht=1)",
                m.prob_wait,
                r.erlang_c,
            );
            check(
                &mut failures,
                r.line,
                "service_level (aht=1)",
                m.service_level,
                r.service_level,
            );
            check(
                &mut failures,
                r.line,
                "asa (aht=1)",
                m.asa_seconds,
                r.asa_over_aht,
            );
            check(
                &mut failures,
                r.line,
                "occupancy (aht=1)",
                m.occupancy,
                r.occupancy,
            );
            check(&mut failures, r.line, "prob_abandon", m.prob_abandon, 0.0);

            // Same in seconds: AHT 180 s, 30-minute interval, volume = A·1800/180.
            let m = erlang_c_metrics(
                r.erlangs * 10.0,
                1800.0,
                180.0,
                r.agents,
                r.t_over_aht * 180.0,
            );
            check(
                &mut failures,
                r.line,
                "service_level (aht=180)",
                m.service_level,
                r.service_level,
            );
            check(
                &mut failures,
                r.line,
                "asa/180 (aht=180)",
                m.asa_seconds / 180.0,
                r.asa_over_aht,
            );
            check(
                &mut failures,
                r.line,
                "occupancy (aht=180)",
                m.occupancy,
                r.occupancy,
            );
        }
        assert!(
            failures.is_empty(),
            "{} mismatches:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    #[test]
    fn closed_forms_for_small_cases() {
        // B(A,1) = A/(1+A); C(A,1) = A for A < 1; B(A,0) = 1.
        for a in [0.01, 0.3, 0.9] {
            assert!((erlang_b(a, 1) - a / (1.0 + a)).abs() < 1e-15);
            assert!((erlang_c(a, 1) - a).abs() < 1e-15);
            assert_eq!(erlang_b(a, 0), 1.0);
        }
        // B(2,2) = (A²/2)/(1 + A + A²/2) = 2/5; C(2,3) = (A³/6)·3/(3−2) / (1 + A + A²/2 + (A³/6)·3) = 4/9.
        assert!((erlang_b(2.0, 2) - 0.4).abs() < 1e-15);
        assert!((erlang_c(2.0, 3) - 4.0 / 9.0).abs() < 1e-15);
    }

    #[test]
    fn overloaded_and_idle_edges() {
        assert_eq!(erlang_c(10.0, 10), 1.0);
        assert_eq!(erlang_c(10.0, 3), 1.0);
        assert_eq!(erlang_b(0.0, 3), 0.0);
        assert_eq!(erlang_c(0.0, 3), 0.0);
        assert!(erlang_b(-1.0, 3).is_nan());
        assert!(erlang_c(f64::NAN, 3).is_nan());
        assert_eq!(erlang_b(f64::INFINITY, 3), 1.0);

        let over = erlang_c_metrics(100.0, 1800.0, 180.0, 8, 20.0); // A = 10 > 8
        assert_eq!(over.prob_wait, 1.0);
        assert_eq!(over.service_level, 0.0);
        assert_eq!(over.asa_seconds, f64::INFINITY);
        assert_eq!(over.occupancy, 1.0);

        let nobody = erlang_c_metrics(100.0, 1800.0, 180.0, 0, 20.0);
        assert_eq!((nobody.prob_wait, nobody.occupancy), (1.0, 1.0));

        assert_eq!(
            erlang_c_metrics(0.0, 1800.0, 180.0, 5, 20.0),
            QueueMetrics::IDLE
        );
        assert_eq!(
            erlang_c_metrics(0.0, 1800.0, 180.0, 0, 20.0),
            QueueMetrics::IDLE
        );
        assert_eq!(QueueMetrics::IDLE.service_level, 1.0);
    }

    #[test]
    fn stable_from_tiny_to_huge_loads() {
        for a in [0.01_f64, 1.0, 100.0, 1000.0, 10_000.0] {
            for c in [
                a.floor() as u32,
                a.floor() as u32 + 1,
                (a * 1.1).ceil() as u32 + 1,
                (a * 3.0) as u32 + 50,
            ] {
                let b = erlang_b(a, c);
                let p = erlang_c(a, c);
                assert!(
                    b.is_finite() && (0.0..=1.0).contains(&b),
                    "B({a},{c}) = {b}"
                );
                assert!(
                    p.is_finite() && (0.0..=1.0).contains(&p),
                    "C({a},{c}) = {p}"
                );
                assert!(p >= b, "Erlang C must be at least Erlang B: A={a} c={c}");
                let m = erlang_c_metrics(a * 10.0, 1800.0, 180.0, c, 20.0);
                assert!(
                    m.prob_wait.is_finite()
                        && m.service_level.is_finite()
                        && m.occupancy.is_finite()
                );
                assert!(
                    (0.0..=1.0).contains(&m.service_level),
                    "SL({a},{c}) = {}",
                    m.service_level
                );
                if f64::from(c) > a {
                    assert!(m.asa_seconds.is_finite() && m.asa_seconds >= 0.0);
                }
            }
        }
    }

    #[test]
    fn large_load_matches_high_precision_values() {
        // mpmath, 60 digits, same recursion (see tests/data/erlang-reference/SOURCE.md).
        assert!((erlang_b(10_000.0, 10_000) - 0.007_936_563_248_805_672).abs() < 1e-12);
        assert!((erlang_b(10_000.0, 10_100) - 0.002_862_357_220_736_065).abs() < 1e-12);
        assert!((erlang_c(10_000.0, 10_100) - 0.224_762_906_466_532_2).abs() < 1e-12);
        assert!((erlang_c(10_000.0, 10_200) - 0.027_506_941_710_703_54).abs() < 1e-12);
        assert!((erlang_b(0.01, 5) - 8.250_415_281_243_079e-13).abs() < 1e-24);
        assert!((erlang_c(0.01, 2) - 4.975_124_378_109_453e-5).abs() < 1e-18);
    }
}
