//! A small LP `min cᵀx, A·x ≤ b` through clarabel (pure Rust, interior point).

use clarabel::algebra::CscMatrix;
use clarabel::solver::{
    DefaultSettingsBuilder, DefaultSolver, IPSolver, NonnegativeConeT, SolverStatus,
};

#[derive(Debug, Default)]
pub struct Lp {
    cost: Vec<f64>,
    rows_i: Vec<usize>,
    rows_j: Vec<usize>,
    rows_v: Vec<f64>,
    rhs: Vec<f64>,
}

impl Lp {
    /// A new variable `≥ 0` with this cost; returns its column.
    pub fn var(&mut self, cost: f64) -> usize {
        self.cost.push(cost);
        self.cost.len() - 1
    }

    /// Adds `Σ terms ≤ rhs`.
    pub fn le(&mut self, terms: &[(usize, f64)], rhs: f64) {
        let r = self.rhs.len();
        for &(j, v) in terms {
            if v != 0.0 {
                self.rows_i.push(r);
                self.rows_j.push(j);
                self.rows_v.push(v);
            }
        }
        self.rhs.push(rhs);
    }

    /// The optimal `x` and objective, or clarabel's status when it did not solve.
    pub fn solve(mut self) -> Result<(Vec<f64>, f64), String> {
        let n = self.cost.len();
        for j in 0..n {
            self.le(&[(j, -1.0)], 0.0);
        }
        let m = self.rhs.len();
        let a = CscMatrix::new_from_triplets(m, n, self.rows_i, self.rows_j, self.rows_v);
        let p = CscMatrix::<f64>::zeros((n, n));
        let settings = DefaultSettingsBuilder::default()
            .verbose(false)
            .max_iter(400)
            .time_limit(30.0)
            .build()
            .map_err(|e| format!("settings: {e:?}"))?;
        let cones = [NonnegativeConeT(m)];
        let mut solver = DefaultSolver::new(&p, &self.cost, &a, &self.rhs, &cones, settings)
            .map_err(|e| format!("setup: {e:?}"))?;
        solver.solve();
        let sol = &solver.solution;
        match sol.status {
            SolverStatus::Solved | SolverStatus::AlmostSolved => Ok((sol.x.clone(), sol.obj_val)),
            other => Err(format!("{other:?}")),
        }
    }
}
