//! A small LP `min cᵀx` over `x ≥ 0` with `=` and `≤` rows, through
//! clarabel (pure Rust, interior point).

use clarabel::algebra::CscMatrix;
use clarabel::solver::{
    DefaultSettingsBuilder, DefaultSolver, IPSolver, NonnegativeConeT, SolverStatus, ZeroConeT,
};

/// Rows as (column, value) terms with a right-hand side.
#[derive(Debug, Default)]
struct Rows {
    terms: Vec<Vec<(usize, f64)>>,
    rhs: Vec<f64>,
}

impl Rows {
    fn push(&mut self, terms: &[(usize, f64)], rhs: f64) {
        self.terms
            .push(terms.iter().copied().filter(|&(_, v)| v != 0.0).collect());
        self.rhs.push(rhs);
    }
}

#[derive(Debug, Default)]
pub struct Lp {
    cost: Vec<f64>,
    eq: Rows,
    le: Rows,
}

impl Lp {
    /// A new variable `≥ 0` with this cost; returns its column.
    pub fn var(&mut self, cost: f64) -> usize {
        self.cost.push(cost);
        self.cost.len() - 1
    }

    /// Adds `Σ terms = rhs`.
    pub fn eq(&mut self, terms: &[(usize, f64)], rhs: f64) {
        self.eq.push(terms, rhs);
    }

    /// Adds `Σ terms ≤ rhs`.
    pub fn le(&mut self, terms: &[(usize, f64)], rhs: f64) {
        self.le.push(terms, rhs);
    }

    /// The optimal `x` and objective, or clarabel's status when it did not solve.
    pub fn solve(mut self) -> Result<(Vec<f64>, f64), String> {
        let n = self.cost.len();
        for j in 0..n {
            self.le.push(&[(j, -1.0)], 0.0);
        }
        let m_eq = self.eq.rhs.len();
        let m = m_eq + self.le.rhs.len();
        let (mut rows, mut cols, mut vals) = (Vec::new(), Vec::new(), Vec::new());
        for (r, terms) in self.eq.terms.iter().chain(&self.le.terms).enumerate() {
            for &(j, v) in terms {
                rows.push(r);
                cols.push(j);
                vals.push(v);
            }
        }
        let b: Vec<f64> = self.eq.rhs.iter().chain(&self.le.rhs).copied().collect();
        let a = CscMatrix::new_from_triplets(m, n, rows, cols, vals);
        let p = CscMatrix::<f64>::zeros((n, n));
        let settings = DefaultSettingsBuilder::default()
            .verbose(false)
            .max_iter(400)
            .time_limit(30.0)
            .build()
            .map_err(|e| format!("settings: {e:?}"))?;
        let mut cones = Vec::with_capacity(2);
        if m_eq > 0 {
            cones.push(ZeroConeT(m_eq));
        }
        cones.push(NonnegativeConeT(m - m_eq));
        let mut solver = DefaultSolver::new(&p, &self.cost, &a, &b, &cones, settings)
            .map_err(|e| format!("setup: {e:?}"))?;
        solver.solve();
        let sol = &solver.solution;
        match sol.status {
            SolverStatus::Solved | SolverStatus::AlmostSolved => Ok((sol.x.clone(), sol.obj_val)),
            other => Err(format!("{other:?}")),
        }
    }
}
