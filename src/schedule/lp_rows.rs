//! Constraint rows of a clarabel LP, collected as (row, column, value)
//! triplets. Whether a row is `=` or `≤` is decided by the cone it is
//! given to (zero cone or non-negative cone: `b − A·x` in the cone).

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
}
