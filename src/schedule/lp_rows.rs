//! Constraint rows of a clarabel LP, collected as (row, column, value)
//! triplets, and their solve. The first `m_eq` rows are equalities (zero
//! cone), the rest `≤` (non-negative cone: `b − A·x` in the cone).

use clarabel::algebra::CscMatrix;
use clarabel::solver::{
    DefaultSettingsBuilder, DefaultSolver, IPSolver, NonnegativeConeT, SolverStatus, ZeroConeT,
};
use std::time::Duration;

/// How to solve: time limit, tolerance (`None` = clarabel's default) and
/// whether clarabel's "almost solved" is good enough.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LpSettings {
    pub time_limit: Duration,
    pub tolerance: Option<f64>,
    pub accept_almost: bool,
}

/// A solved LP: primal `x`, dual `z` (with `q + Aᵀz = 0`, so row prices
/// are `−z`), and the primal and dual objective values.
#[derive(Debug, Clone)]
pub(crate) struct LpOutcome {
    pub x: Vec<f64>,
    pub z: Vec<f64>,
    pub primal: f64,
    pub dual: f64,
}

#[derive(Debug, Default)]
pub(crate) struct Rows {
    pub i: Vec<usize>,
    pub j: Vec<usize>,
    pub v: Vec<f64>,
    pub b: Vec<f64>,
}

impl Rows {
    /// Adds the row `Σ terms` against right-hand side `rhs`.
    pub fn push(&mut self, terms: &[(usize, f64)], rhs: f64) {
        let r = self.b.len();
        for &(j, v) in terms {
            self.i.push(r);
            self.j.push(j);
            self.v.push(v);
        }
        self.b.push(rhs);
    }

    /// Minimises `qᵀx` over `q.len()` variables subject to these rows, the
    /// first `m_eq` as equalities. `None` when clarabel does not solve it
    /// (in time).
    pub fn solve(self, q: &[f64], m_eq: usize, settings: LpSettings) -> Option<LpOutcome> {
        let nvars = q.len();
        let m = self.b.len();
        if settings.time_limit.is_zero() {
            return None;
        }
        let a = CscMatrix::new_from_triplets(m, nvars, self.i, self.j, self.v);
        let p = CscMatrix::<f64>::zeros((nvars, nvars));
        let mut cones = Vec::with_capacity(2);
        if m_eq > 0 {
            cones.push(ZeroConeT(m_eq));
        }
        cones.push(NonnegativeConeT(m - m_eq));
        let mut builder = DefaultSettingsBuilder::default();
        builder
            .verbose(false)
            .time_limit(settings.time_limit.as_secs_f64())
            .max_iter(200);
        if let Some(tol) = settings.tolerance {
            builder.tol_gap_abs(tol).tol_gap_rel(tol).tol_feas(tol);
        }
        let mut solver =
            DefaultSolver::new(&p, q, &a, &self.b, &cones, builder.build().ok()?).ok()?;
        solver.solve();
        let sol = &solver.solution;
        let ok = sol.status == SolverStatus::Solved
            || (settings.accept_almost && sol.status == SolverStatus::AlmostSolved);
        ok.then(|| LpOutcome {
            x: sol.x.clone(),
            z: sol.z.clone(),
            primal: sol.obj_val,
            dual: sol.obj_val_dual,
        })
    }
}
