//! Calibrated p10–p90 bands from backtest residuals.
//!
//! A residual is standardised as z = (actual − forecast)/√(forecast + 1) and
//! its 10th/90th percentiles are taken per bucket of forecast level (so a
//! queue's quiet hours and busy hours each get their own width) and per
//! bucket of *lead* (days from the origin to the forecast day), so bands
//! widen with the horizon as far as the backtests at that lead show.

/// Lead buckets tried, in days (upper edges, exclusive); the last is open.
const LEAD_EDGES: [i64; 7] = [7, 14, 28, 56, 91, 182, 365];
/// Fewest residuals a lead bucket needs; smaller ones join their neighbour.
const MIN_PER_LEAD: usize = 160;
const LEVEL_BUCKETS: usize = 4;
const MIN_PER_LEVEL: usize = 40;
/// z of the normal 10th/90th percentiles: the band with no backtest.
const Z90: f64 = 1.2816;

/// The band of one lead bucket: z10/z90 per forecast-level bucket (upper
/// edges ascending; the last bucket is open).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LevelBands {
    pub upper_edges: Vec<f64>,
    pub z10: Vec<f64>,
    pub z90: Vec<f64>,
}

impl LevelBands {
    fn poisson() -> Self {
        LevelBands {
            upper_edges: vec![],
            z10: vec![-Z90],
            z90: vec![Z90],
        }
    }

    fn from_pairs(pairs: &mut [(f64, f64)]) -> Self {
        if pairs.len() < MIN_PER_LEVEL {
            return Self::poisson();
        }
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let buckets = (pairs.len() / MIN_PER_LEVEL).clamp(1, LEVEL_BUCKETS);
        let per = pairs.len() / buckets;
        let mut out = LevelBands {
            upper_edges: vec![],
            z10: vec![],
            z90: vec![],
        };
        for b in 0..buckets {
            let end = if b + 1 == buckets {
                pairs.len()
            } else {
                (b + 1) * per
            };
            let chunk = &pairs[b * per..end];
            let mut z: Vec<f64> = chunk
                .iter()
                .map(|(f, y)| (y - f) / (f + 1.0).sqrt())
                .collect();
            z.sort_by(f64::total_cmp);
            out.z10.push(quantile(&z, 0.1));
            out.z90.push(quantile(&z, 0.9));
            if b + 1 < buckets {
                out.upper_edges.push(chunk[chunk.len() - 1].0);
            }
        }
        out
    }

    fn band(&self, f: f64) -> (f64, f64) {
        let b = self.upper_edges.iter().take_while(|e| f > **e).count();
        let s = (f + 1.0).sqrt();
        let p10 = (f + self.z10[b] * s).clamp(0.0, f);
        let p90 = (f + self.z90[b] * s).max(f);
        (p10, p90)
    }
}

/// Bands per lead bucket, estimated from backtest residuals.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Calibration {
    /// Upper lead (days, exclusive) of every lead bucket but the last.
    pub lead_edges: Vec<i64>,
    pub by_lead: Vec<LevelBands>,
    /// How many backtest residuals it was estimated from (0 = the Poisson
    /// default ±1.2816).
    pub residuals: usize,
}

impl Default for Calibration {
    fn default() -> Self {
        Calibration {
            lead_edges: vec![],
            by_lead: vec![LevelBands::poisson()],
            residuals: 0,
        }
    }
}

/// One backtest residual: the lead (days from the backtest origin to the
/// scored day), the forecast and the actual.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Residual {
    pub lead_days: i64,
    pub forecast: f64,
    pub actual: f64,
}

impl Calibration {
    /// One band for every lead, from (forecast, actual) pairs with forecast > 0.
    pub fn from_pairs(pairs: &[(f64, f64)]) -> Calibration {
        let residuals: Vec<Residual> = pairs
            .iter()
            .map(|(f, y)| Residual {
                lead_days: 0,
                forecast: *f,
                actual: *y,
            })
            .collect();
        Self::from_residuals(&residuals)
    }

    /// Bands per lead bucket; buckets with too few residuals are merged
    /// into the previous one (or the next, for the first).
    pub fn from_residuals(residuals: &[Residual]) -> Calibration {
        let mut rs: Vec<&Residual> = residuals.iter().filter(|r| r.forecast > 0.0).collect();
        if rs.len() < MIN_PER_LEVEL {
            return Calibration::default();
        }
        rs.sort_by_key(|r| r.lead_days);
        // Group by the candidate edges, then merge small groups.
        let mut groups: Vec<(i64, Vec<(f64, f64)>)> = Vec::new();
        for r in rs.iter() {
            let b = LEAD_EDGES.iter().take_while(|e| r.lead_days >= **e).count();
            let upper = LEAD_EDGES.get(b).copied().unwrap_or(i64::MAX);
            match groups.last_mut() {
                Some((u, g)) if *u == upper => g.push((r.forecast, r.actual)),
                _ => groups.push((upper, vec![(r.forecast, r.actual)])),
            }
        }
        let mut merged: Vec<(i64, Vec<(f64, f64)>)> = Vec::new();
        for (upper, g) in groups {
            match merged.last_mut() {
                Some((u, prev)) if prev.len() < MIN_PER_LEAD => {
                    prev.extend(g);
                    *u = upper;
                }
                _ => merged.push((upper, g)),
            }
        }
        if merged.len() > 1 && merged.last().is_some_and(|(_, g)| g.len() < MIN_PER_LEAD) {
            let (upper, g) = merged.pop().expect("two groups");
            let last = merged.last_mut().expect("one group");
            last.1.extend(g);
            last.0 = upper;
        }
        let mut cal = Calibration {
            lead_edges: vec![],
            by_lead: vec![],
            residuals: rs.len(),
        };
        let count = merged.len();
        for (i, (upper, mut g)) in merged.into_iter().enumerate() {
            cal.by_lead.push(LevelBands::from_pairs(&mut g));
            if i + 1 < count {
                cal.lead_edges.push(upper);
            }
        }
        cal
    }

    /// (p10, p90) for a forecast made `lead_days` ahead, with
    /// p10 <= f <= p90 and p10 >= 0.
    pub fn band_at(&self, f: f64, lead_days: i64) -> (f64, f64) {
        if f <= 0.0 {
            return (0.0, 0.0);
        }
        let b = self
            .lead_edges
            .iter()
            .take_while(|e| lead_days >= **e)
            .count();
        self.by_lead[b.min(self.by_lead.len() - 1)].band(f)
    }

    /// (p10, p90) at the shortest lead.
    pub fn band(&self, f: f64) -> (f64, f64) {
        self.band_at(f, 0)
    }
}

pub(crate) fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let i = pos.floor() as usize;
    let frac = pos - i as f64;
    if i + 1 < sorted.len() {
        sorted[i] * (1.0 - frac) + sorted[i + 1] * frac
    } else {
        sorted[i]
    }
}
