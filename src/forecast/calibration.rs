//! Calibrated p10–p90 bands from backtest residuals.
//!
//! A residual is standardised as z = (actual − forecast)/√(forecast + 1)
//! (count noise), as z = ln((actual + 1)/(forecast + 1)) (errors in
//! proportion to the level) or as that log ratio over the spread a
//! misjudged level plus count noise give it (both at once), whichever makes
//! the spread of z flattest across forecast levels on the backtests
//! themselves (see [`Scale::choose`]), and
//! its 10th/90th percentiles are taken per bucket of forecast level (so a
//! queue's quiet hours and busy hours each get their own width) and per
//! bucket of *lead* (days from the origin to the forecast day), so bands
//! widen with the horizon as far as the backtests at that lead show. A
//! level bucket needs `MIN_PER_LEVEL` independent draws (residuals that
//! share an origin's mistake count as fewer, see below), on either scale:
//! the log scale takes the proportional part of the error out, but count
//! noise is left, whose log spread shrinks as 1/√f, and enough draws show
//! it (a call centre's half-hours: bank, February 1999, one pooled log band
//! was ±0.5 everywhere where busy half-hours missed by +0.21 at their 90th
//! percentile and quiet ones by −0.9 at their 10th), where a few weeks of
//! a daily series would only blur it. Where the levels must stay pooled,
//! the dispersed scale keeps that count noise out of the busy intervals'
//! band all the same.
//!
//! The residuals of one backtest origin share its mistakes (a week whose
//! level was misjudged is off on every day), so a band must hold 80 % of a
//! *fresh origin's* actuals, not of residuals drawn one by one. The tails
//! are set by cross-validation over origins (`origin_tail`): each backtest
//! origin (or fold of origins) is left out in turn, the band is taken from
//! the others, and the share left in each tail is the one at which these
//! bands hold 80 % of the left-out actuals on average. That needs no shape
//! for the errors and widens bands that rest on few or disagreeing origins
//! as far as they show, and no further. (Taking the percentiles at the order
//! statistics of the "effective" count of independent draws instead widened
//! far too much where the residuals were many and only partly shared: three
//! origins of a week of half-hours held 88 % in simulation, and 95 % of a
//! bank week's actuals.)

/// Lead buckets tried, in days (upper edges, exclusive); the last is open.
const LEAD_EDGES: [i64; 7] = [7, 14, 28, 56, 91, 182, 365];
/// Fewest residuals a lead bucket needs; smaller ones join their neighbour.
const MIN_PER_LEAD: usize = 160;
const LEVEL_BUCKETS: usize = 4;
/// Fewest independent draws (see `effective_count`) a level bucket needs.
const MIN_PER_LEVEL: usize = 40;
/// z of the normal 10th/90th percentiles: the band with no backtest.
const Z90: f64 = 1.281_551_565_5;
/// The band's target: 10 % of actuals below p10, 10 % above p90.
const TAIL: f64 = 0.1;

/// How a residual is standardised before its percentiles are taken.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// z = (y − f)/√(f + 1): the spread grows as √f (count noise).
    #[default]
    Poisson,
    /// z = ln((y + 1)/(f + 1)): the spread grows as f (a level that is
    /// itself uncertain, such as a season's height or a news day).
    Log,
    /// Both at once (a call centre's half-hours: a misjudged level plus
    /// the count's own noise): the log ratio over its expected spread
    /// √(level_variance + f/(f + 1)²), the second term being the log
    /// spread of a Poisson count. Busy intervals get the level's width and
    /// quiet ones the count's, even when the levels are pooled.
    Dispersed { level_variance: f64 },
}

impl Scale {
    fn z(self, f: f64, y: f64) -> f64 {
        match self {
            Scale::Poisson => (y - f) / (f + 1.0).sqrt(),
            Scale::Log => log_ratio(f, y),
            Scale::Dispersed { level_variance } => log_ratio(f, y) / log_spread(f, level_variance),
        }
    }

    fn value(self, f: f64, z: f64) -> f64 {
        match self {
            Scale::Poisson => f + z * (f + 1.0).sqrt(),
            Scale::Log => (f + 1.0) * z.exp() - 1.0,
            Scale::Dispersed { level_variance } => {
                (f + 1.0) * (z * log_spread(f, level_variance)).exp() - 1.0
            }
        }
    }

    /// The standardisation under which the p10–p90 spread of z varies least
    /// across forecast-level buckets (the log of the widest bucket's spread
    /// over the narrowest's). Where it is flat the level buckets agree, so a
    /// forecast above every backtest's level gets the right width too, and
    /// pooled levels (few independent draws) lend no level another's width;
    /// the count scale unless another is flatter (or too few pairs).
    pub fn choose(pairs: &[(f64, f64)]) -> Scale {
        if pairs.len() < 2 * MIN_PER_LEVEL {
            return Scale::Poisson;
        }
        let mut sorted = pairs.to_vec();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        let buckets = (sorted.len() / MIN_PER_LEVEL).clamp(2, LEVEL_BUCKETS);
        let per = sorted.len() / buckets;
        let unevenness = |scale: Scale| {
            let spreads: Vec<f64> = (0..buckets)
                .map(|b| {
                    let end = if b + 1 == buckets {
                        sorted.len()
                    } else {
                        (b + 1) * per
                    };
                    let mut z: Vec<f64> = sorted[b * per..end]
                        .iter()
                        .map(|(f, y)| scale.z(*f, *y))
                        .collect();
                    quantile_by_selection(&mut z, 0.9) - quantile_by_selection(&mut z, 0.1)
                })
                .collect();
            if !spreads.iter().all(|s| *s > 0.0) {
                return f64::INFINITY;
            }
            let max = spreads.iter().copied().fold(f64::MIN, f64::max);
            let min = spreads.iter().copied().fold(f64::MAX, f64::min);
            (max / min).ln()
        };
        let candidates = [
            Scale::Log,
            Scale::Dispersed {
                level_variance: level_variance(&sorted),
            },
        ];
        let mut best = (Scale::Poisson, unevenness(Scale::Poisson));
        for scale in candidates {
            let u = unevenness(scale);
            if u < best.1 {
                best = (scale, u);
            }
        }
        best.0
    }
}

fn log_ratio(f: f64, y: f64) -> f64 {
    ((y.max(0.0) + 1.0) / (f + 1.0)).ln()
}

/// The expected spread of `ln((N + 1)/(f + 1))` for a count `N` of mean `f`
/// whose level has log variance `level_variance` (delta method; the floor
/// keeps a level variance of 0 with a tiny forecast finite).
fn log_spread(f: f64, level_variance: f64) -> f64 {
    (level_variance + f.max(0.0) / ((f + 1.0) * (f + 1.0)))
        .max(1e-6)
        .sqrt()
}

/// The level's log variance, robustly: the value at which the median of
/// |log ratio| / spread is the standard normal's (0.6745), so that a few
/// holidays or news days do not set it (0 when count noise alone explains
/// the errors).
fn level_variance(pairs: &[(f64, f64)]) -> f64 {
    const MEDIAN_ABS_Z: f64 = 0.674_489_750_196;
    // |log ratio| and the Poisson part of its variance, once per pair: the
    // bisection below evaluates the median 50 times.
    let parts: Vec<(f64, f64)> = pairs
        .iter()
        .map(|&(f, y)| (log_ratio(f, y).abs(), f.max(0.0) / ((f + 1.0) * (f + 1.0))))
        .collect();
    // One buffer for the 50 steps: filled, then counted (both vectorise).
    let mut z = vec![0.0; parts.len()];
    let mut median_above = |v: f64| {
        for (z, (ratio, poisson)) in z.iter_mut().zip(&parts) {
            *z = ratio / (v + poisson).max(1e-6).sqrt();
        }
        median_exceeds(&z, MEDIAN_ABS_Z)
    };
    if !median_above(0.0) {
        return 0.0;
    }
    // The median of |z| falls as v grows: bisect on the log of v.
    let (mut lo, mut hi) = (1e-6_f64.ln(), 25.0_f64.ln());
    for _ in 0..50 {
        let mid = (lo + hi) / 2.0;
        if median_above(mid.exp()) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    ((lo + hi) / 2.0).exp()
}

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

    /// `draws`: how many independent draws the residuals are worth.
    fn from_residuals(rs: &mut [&Residual], scale: Scale, draws: f64) -> Self {
        if rs.len() < MIN_PER_LEVEL {
            return Self::poisson();
        }
        rs.sort_by(|a, b| a.forecast.total_cmp(&b.forecast));
        let buckets =
            ((draws.min(rs.len() as f64) / MIN_PER_LEVEL as f64) as usize).clamp(1, LEVEL_BUCKETS);
        let per = rs.len() / buckets;
        let mut out = LevelBands {
            upper_edges: vec![],
            z10: vec![],
            z90: vec![],
        };
        for b in 0..buckets {
            let end = if b + 1 == buckets {
                rs.len()
            } else {
                (b + 1) * per
            };
            let chunk = &rs[b * per..end];
            let by_origin: Vec<(usize, f64)> = chunk
                .iter()
                .map(|r| (r.origin, scale.z(r.forecast, r.actual)))
                .collect();
            let tail = origin_tail(&by_origin);
            let mut z: Vec<f64> = by_origin.iter().map(|(_, z)| *z).collect();
            out.z10.push(quantile_by_selection(&mut z, tail));
            out.z90.push(quantile_by_selection(&mut z, 1.0 - tail));
            if b + 1 < buckets {
                out.upper_edges.push(chunk[chunk.len() - 1].forecast);
            }
        }
        out
    }

    fn band(&self, f: f64, scale: Scale) -> (f64, f64) {
        let b = self.upper_edges.iter().take_while(|e| f > **e).count();
        let p10 = scale.value(f, self.z10[b]).clamp(0.0, f);
        let p90 = scale.value(f, self.z90[b]).max(f);
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
    /// How the residuals were standardised (fits stored before it: Poisson).
    #[serde(default)]
    pub scale: Scale,
}

impl Default for Calibration {
    fn default() -> Self {
        Calibration {
            lead_edges: vec![],
            by_lead: vec![LevelBands::poisson()],
            residuals: 0,
            scale: Scale::Poisson,
        }
    }
}

/// One backtest residual: its backtest origin (any id shared by the
/// residuals of one origin), the lead (days from the backtest origin to the
/// scored day), the forecast and the actual.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Residual {
    pub origin: usize,
    pub lead_days: i64,
    pub forecast: f64,
    pub actual: f64,
}

impl Calibration {
    /// One band for every lead, from (forecast, actual) pairs with forecast > 0.
    pub fn from_pairs(pairs: &[(f64, f64)]) -> Calibration {
        let residuals: Vec<Residual> = pairs
            .iter()
            .enumerate()
            .map(|(i, (f, y))| Residual {
                origin: i,
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
        let mut groups: Vec<(i64, Vec<&Residual>)> = Vec::new();
        for r in rs.iter() {
            let b = LEAD_EDGES.iter().take_while(|e| r.lead_days >= **e).count();
            let upper = LEAD_EDGES.get(b).copied().unwrap_or(i64::MAX);
            match groups.last_mut() {
                Some((u, g)) if *u == upper => g.push(r),
                _ => groups.push((upper, vec![r])),
            }
        }
        let mut merged: Vec<(i64, Vec<&Residual>)> = Vec::new();
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
        let all: Vec<(f64, f64)> = rs.iter().map(|r| (r.forecast, r.actual)).collect();
        let mut cal = Calibration {
            lead_edges: vec![],
            by_lead: vec![],
            residuals: rs.len(),
            scale: Scale::choose(&all),
        };
        let count = merged.len();
        for (i, (upper, mut g)) in merged.into_iter().enumerate() {
            let draws = effective_count(&g, cal.scale);
            cal.by_lead
                .push(LevelBands::from_residuals(&mut g, cal.scale, draws));
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
        self.by_lead[b.min(self.by_lead.len() - 1)].band(f, self.scale)
    }

    /// (p10, p90) at the shortest lead.
    pub fn band(&self, f: f64) -> (f64, f64) {
        self.band_at(f, 0)
    }
}

/// How many independent draws `rs` are worth: n / (1 + (k − 1)·ρ), with ρ
/// the share of the variance of z that lies between backtest origins
/// (one-way intraclass correlation) and k the mean residuals per origin.
fn effective_count(rs: &[&Residual], scale: Scale) -> f64 {
    let n = rs.len() as f64;
    let mut by_origin: std::collections::BTreeMap<usize, (f64, f64, f64)> = Default::default();
    for r in rs {
        let z = scale.z(r.forecast, r.actual);
        let e = by_origin.entry(r.origin).or_default();
        e.0 += 1.0;
        e.1 += z;
        e.2 += z * z;
    }
    let m = by_origin.len() as f64;
    if m < 2.0 || n - m < 1.0 {
        return n;
    }
    let grand = by_origin.values().map(|g| g.1).sum::<f64>() / n;
    let between: f64 = by_origin
        .values()
        .map(|(k, s, _)| k * (s / k - grand).powi(2))
        .sum();
    let within: f64 = by_origin.values().map(|(k, s, ss)| ss - s * s / k).sum();
    let (msb, msw) = (between / (m - 1.0), within.max(0.0) / (n - m));
    let k0 = (n - by_origin.values().map(|g| g.0 * g.0).sum::<f64>() / n) / (m - 1.0);
    let denom = msb + (k0 - 1.0) * msw;
    let rho = if denom > 0.0 {
        ((msb - msw) / denom).clamp(0.0, 1.0)
    } else {
        0.0
    };
    n / (1.0 + (k0 - 1.0) * rho)
}

/// Most folds the origins are split into for [`origin_tail`] (one origin a
/// fold up to this many; beyond, round-robin, which keeps the cost bounded).
const MAX_FOLDS: usize = 20;
/// The narrowest band `origin_tail` may choose leaves this share in each tail.
const MAX_TAIL: f64 = 0.25;

/// The share of residuals (each its origin and z) to leave below p10 (and
/// above p90) so that, with each fold of backtest origins left out in turn,
/// the band from the rest holds 80 % of the left-out residuals on average:
/// the band's expected
/// coverage of a fresh origin, without assuming a shape for the errors.
/// Near 0.1 when residuals are many and independent; smaller when origins
/// are few or each is off as a whole. One origin alone cannot be left out:
/// 0.1.
fn origin_tail(zs: &[(usize, f64)]) -> f64 {
    let mut by_origin: std::collections::BTreeMap<usize, Vec<f64>> = Default::default();
    for (origin, z) in zs {
        by_origin.entry(*origin).or_default().push(*z);
    }
    let folds_n = by_origin.len().min(MAX_FOLDS);
    if folds_n < 2 {
        return TAIL;
    }
    let mut held: Vec<Vec<f64>> = vec![Vec::new(); folds_n];
    for (i, z) in by_origin.into_values().enumerate() {
        held[i % folds_n].extend(z);
    }
    // Every z sorted once with its fold; each fold's others, in order, are
    // then a filter (linear) instead of a sort of their own.
    let mut all: Vec<(f64, usize)> = held
        .iter()
        .enumerate()
        .flat_map(|(k, zs)| zs.iter().map(move |z| (*z, k)))
        .collect();
    all.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    // (the others' sorted z, the left-out z) per fold
    let folds: Vec<(Vec<f64>, &[f64])> = (0..folds_n)
        .map(|k| {
            let rest: Vec<f64> = all
                .iter()
                .filter(|(_, fold)| *fold != k)
                .map(|(z, _)| *z)
                .collect();
            (rest, held[k].as_slice())
        })
        .collect();
    let total: usize = folds.iter().map(|(_, h)| h.len()).sum();
    let coverage = |tail: f64| {
        let inside: usize = folds
            .iter()
            .map(|(rest, left_out)| {
                let (lo, hi) = (quantile(rest, tail), quantile(rest, 1.0 - tail));
                left_out.iter().filter(|z| (lo..=hi).contains(*z)).count()
            })
            .sum();
        inside as f64 / total as f64
    };
    let target = 1.0 - 2.0 * TAIL;
    if coverage(0.0) < target {
        return 0.0;
    }
    if coverage(MAX_TAIL) >= target {
        return MAX_TAIL;
    }
    // Coverage falls as the tail grows: the largest tail still at 80 %.
    let (mut ok, mut short) = (0.0, MAX_TAIL);
    for _ in 0..30 {
        let mid = 0.5 * (ok + short);
        if coverage(mid) >= target {
            ok = mid;
        } else {
            short = mid;
        }
    }
    ok
}

/// Whether the median of `values` (as [`quantile`] gives it for 0.5) is
/// above `c`, without ordering them: it depends only on how many are above
/// `c` and, when exactly half are, on the nearest value on each side.
fn median_exceeds(values: &[f64], c: f64) -> bool {
    let n = values.len();
    let above = values.iter().filter(|z| **z > c).count();
    if n % 2 == 1 || above != n / 2 {
        // The middle value (or both middle values) above c, or none.
        return above > n / 2;
    }
    // Near the bisection's end c lies between the two middle values, so
    // this pass is frequent: plain selects (no NaN handling) vectorise.
    let (mut least_above, mut most_below) = (f64::INFINITY, f64::NEG_INFINITY);
    for &z in values {
        least_above = if z > c && z < least_above {
            z
        } else {
            least_above
        };
        most_below = if z <= c && z > most_below {
            z
        } else {
            most_below
        };
    }
    most_below * 0.5 + least_above * 0.5 > c
}

/// [`quantile`] of `values` by selection, the same value without a sort
/// (reorders `values`; linear time).
fn quantile_by_selection(values: &mut [f64], q: f64) -> f64 {
    let n = values.len();
    let pos = q * (n - 1) as f64;
    let i = pos.floor() as usize;
    let frac = pos - i as f64;
    let (_, at, above) = values.select_nth_unstable_by(i, f64::total_cmp);
    let at = *at;
    match above.iter().copied().min_by(f64::total_cmp) {
        Some(next) => at * (1.0 - frac) + next * frac,
        None => at,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staffing::uncertainty::normal_cdf;
    use rand::{Rng, SeedableRng};

    type Rng8 = rand_chacha::ChaCha8Rng;

    /// The median of `values` as [`quantile`] gives it for 0.5, by selection
    /// (reorders `values`; linear time instead of a sort).
    fn median(values: &mut [f64]) -> f64 {
        let n = values.len();
        let (below, mid, _) = values.select_nth_unstable_by(n / 2, f64::total_cmp);
        let upper = *mid;
        if n % 2 == 1 {
            upper
        } else {
            let lower = below.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            lower * 0.5 + upper * 0.5
        }
    }

    /// `n` (forecast, actual) pairs cycling through `levels`.
    fn pairs_at(levels: &[f64], n: usize, mut draw: impl FnMut(f64) -> f64) -> Vec<(f64, f64)> {
        (0..n)
            .map(|i| {
                let f = levels[i % levels.len()];
                (f, draw(f))
            })
            .collect()
    }

    /// Share of `n` fresh draws at forecast `f` inside its band.
    fn coverage(cal: &Calibration, f: f64, n: usize, mut draw: impl FnMut(f64) -> f64) -> f64 {
        let (lo, hi) = cal.band(f);
        let inside = (0..n).filter(|_| (lo..=hi).contains(&draw(f))).count();
        inside as f64 / n as f64
    }

    /// A standard normal draw (sum of 12 uniforms).
    fn normal(rng: &mut Rng8) -> f64 {
        (0..12).map(|_| rng.gen::<f64>()).sum::<f64>() - 6.0
    }

    #[test]
    fn quantiles_by_selection_are_the_sorted_ones() {
        let mut rng = Rng8::seed_from_u64(11);
        for n in [1usize, 2, 3, 10, 41, 400] {
            let values: Vec<f64> = (0..n).map(|_| normal(&mut rng)).collect();
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            for q in [0.0, 0.03, 0.1, 0.25, 0.5, 0.9, 0.97, 1.0] {
                let got = quantile_by_selection(&mut values.clone(), q);
                assert_eq!(got.to_bits(), quantile(&sorted, q).to_bits(), "{n} {q}");
            }
        }
    }

    #[test]
    fn median_exceeds_decides_as_the_sorted_median() {
        let mut rng = Rng8::seed_from_u64(37);
        for n in [1usize, 2, 7, 10, 101] {
            let values: Vec<f64> = (0..n).map(|_| normal(&mut rng)).collect();
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let m = quantile(&sorted, 0.5);
            assert_eq!(median(&mut values.clone()), m, "{n}");
            // Thresholds around every value, and at the median itself.
            let mut cs: Vec<f64> = sorted
                .iter()
                .flat_map(|v| [v - 1e-9, *v, v + 1e-9])
                .collect();
            cs.push(m);
            for c in cs {
                assert_eq!(median_exceeds(&values, c), m > c, "{n} values, c = {c}");
            }
        }
    }

    /// Residuals each their own origin: leaving each out in turn, the tail
    /// is about the order statistic whose expected coverage is 80 %.
    #[test]
    fn independent_residuals_leave_about_a_tenth_in_each_tail() {
        let mut rng = Rng8::seed_from_u64(31);
        let rs: Vec<Residual> = (0..400)
            .map(|o| Residual {
                origin: o,
                lead_days: 0,
                forecast: 100.0,
                actual: 100.0 + 10.0 * normal(&mut rng),
            })
            .collect();
        let zs = |rs: &[Residual]| -> Vec<(usize, f64)> {
            rs.iter()
                .map(|r| (r.origin, Scale::Poisson.z(r.forecast, r.actual)))
                .collect()
        };
        let tail = origin_tail(&zs(&rs));
        assert!((0.08..=0.11).contains(&tail), "{tail}");
        let one: Vec<Residual> = rs.iter().map(|r| Residual { origin: 0, ..*r }).collect();
        assert_eq!(origin_tail(&zs(&one)), TAIL);
    }

    /// Residuals from few origins, each a long run (a week of half-hours)
    /// sharing part of its error: the band holds about 80 % of a fresh
    /// origin's actuals on average, neither the 88–89 % that taking the
    /// pooled percentiles at the order statistics of few draws gave nor the
    /// less that treating every residual as independent would.
    #[test]
    fn few_long_origins_partly_shared_hold_80_percent_of_a_fresh_one() {
        let mut rng = Rng8::seed_from_u64(29);
        let f = 1000.0;
        // (origins, residuals per origin, sd between origins, sd within)
        for (origins, per, between, within) in [(3, 336, 0.5, 0.8), (6, 48, 0.8, 0.6)] {
            let mut block = |o: usize| -> Vec<Residual> {
                let shift = between * normal(&mut rng);
                (0..per)
                    .map(|_| Residual {
                        origin: o,
                        lead_days: 0,
                        forecast: f,
                        actual: f + 30.0 * (shift + within * normal(&mut rng)),
                    })
                    .collect()
            };
            let sd = 30.0 * (between * between + within * within).sqrt();
            let cover = (0..300)
                .map(|o| {
                    let train: Vec<Residual> =
                        (0..origins).flat_map(|i| block(o * 10 + i)).collect();
                    let (lo, hi) = Calibration::from_residuals(&train).band(f);
                    normal_cdf((hi - f) / sd) - normal_cdf((lo - f) / sd)
                })
                .sum::<f64>()
                / 300.0;
            assert!((0.75..=0.85).contains(&cover), "{origins} origins: {cover}");
        }
    }

    #[test]
    fn errors_in_proportion_to_the_level_get_the_log_scale_and_hold_above_it() {
        let mut rng = Rng8::seed_from_u64(11);
        // Actual = forecast × e^(0.4·u): the spread grows as the level.
        let levels = [100.0, 300.0, 1000.0, 3000.0];
        let draw = |f: f64, rng: &mut Rng8| f * (0.4 * normal(rng)).exp();
        let train = pairs_at(&levels, 2000, |f| draw(f, &mut rng));
        let cal = Calibration::from_pairs(&train);
        assert_eq!(cal.scale, Scale::Log);
        // Ten times above every level seen: the band keeps its share.
        let cover = coverage(&cal, 30_000.0, 4000, |f| draw(f, &mut rng));
        assert!((0.76..=0.84).contains(&cover), "{cover}");
    }

    /// Errors part proportional, part count noise (a call centre's half-
    /// hours): with many independent residuals each level keeps its own
    /// width on a proportional scale, so the busy intervals that set the head count
    /// are not given the quiet ones' spread; with few, the levels stay pooled.
    #[test]
    fn each_level_keeps_its_own_log_width_given_enough_independent_residuals() {
        let mut rng = Rng8::seed_from_u64(17);
        let levels = [2.0f64, 10.0, 60.0, 300.0];
        let draw = |f: f64, rng: &mut Rng8| {
            let rate = f * (0.3 * normal(rng)).exp();
            (rate + normal(rng) * rate.sqrt()).max(0.0).round()
        };
        let train = pairs_at(&levels, 4000, |f| draw(f, &mut rng));
        let cal = Calibration::from_pairs(&train);
        assert_ne!(cal.scale, Scale::Poisson);
        let log_width = |f: f64| {
            let (lo, hi) = cal.band(f);
            ((hi + 1.0) / (lo + 1.0)).ln()
        };
        // One pooled log band would be as wide at 300 calls as at 10.
        assert!(
            log_width(300.0) < 0.85 * log_width(10.0),
            "{} {}",
            log_width(300.0),
            log_width(10.0)
        );
        for &f in &levels {
            let cover = coverage(&cal, f, 2000, |f| draw(f, &mut rng));
            assert!((0.74..=0.88).contains(&cover), "level {f}: {cover}");
        }
        // The same levels where each origin's misjudged level is most of the
        // error (a daily series' weeks): few independent draws, one band.
        let shared: Vec<Residual> = (0..20)
            .flat_map(|o| {
                let shift = (0.5 * normal(&mut rng)).exp();
                let rs: Vec<Residual> = (0..40)
                    .map(|i| {
                        let f = levels[i % 4] * 100.0;
                        Residual {
                            origin: o,
                            lead_days: 0,
                            forecast: f,
                            actual: f * shift * (0.02 * normal(&mut rng)).exp(),
                        }
                    })
                    .collect();
                rs
            })
            .collect();
        let few = Calibration::from_residuals(&shared);
        assert_ne!(few.scale, Scale::Poisson);
        assert_eq!(few.by_lead[0].z10.len(), 1, "pooled: {few:?}");
    }

    /// The same half-hours when each origin's misjudged level is most of
    /// the error, so the levels are pooled: the dispersed scale still gives
    /// the busy intervals the level's width, not the quiet ones' count noise,
    /// and each level keeps about 80 % of fresh origins.
    #[test]
    fn pooled_levels_keep_count_noise_out_of_the_busy_intervals_band() {
        let mut rng = Rng8::seed_from_u64(23);
        let levels = [1.0f64, 4.0, 15.0, 60.0, 120.0];
        let mut origin_block = |o: usize| -> Vec<Residual> {
            let shift = 0.25 * normal(&mut rng);
            (0..200)
                .map(|i| {
                    let f = levels[i % levels.len()];
                    let rate = f * shift.exp();
                    let count = (rate + normal(&mut rng) * rate.sqrt()).max(0.0).round();
                    Residual {
                        origin: o,
                        lead_days: 0,
                        forecast: f,
                        actual: count,
                    }
                })
                .collect()
        };
        let train: Vec<Residual> = (0..8).flat_map(&mut origin_block).collect();
        let cal = Calibration::from_residuals(&train);
        assert!(
            matches!(cal.scale, Scale::Dispersed { level_variance } if (0.02..0.12).contains(&level_variance)),
            "{:?}",
            cal.scale
        );
        assert_eq!(cal.by_lead[0].z10.len(), 1, "pooled: {cal:?}");
        let log_width = |f: f64| {
            let (lo, hi) = cal.band(f);
            ((hi + 1.0) / (lo + 1.0)).ln()
        };
        // The log band of 120 calls is about the level's (2 × 1.28 × 0.25
        // from the 8 origins' draws), far under a quiet interval's.
        assert!(
            log_width(120.0) < 0.55 * log_width(4.0),
            "{} {}",
            log_width(120.0),
            log_width(4.0)
        );
        assert!(
            (0.45..1.1).contains(&log_width(120.0)),
            "{}",
            log_width(120.0)
        );
    }

    #[test]
    fn count_noise_keeps_the_count_scale() {
        let mut rng = Rng8::seed_from_u64(3);
        let levels = [5.0f64, 50.0, 500.0, 5000.0];
        let pairs: Vec<(f64, f64)> = (0..2000)
            .map(|i| {
                let f = levels[i % 4];
                (f, f + normal(&mut rng) * f.sqrt())
            })
            .collect();
        assert_eq!(Scale::choose(&pairs), Scale::Poisson);
    }

    /// Origins whose every residual shares one shift (a misjudged week):
    /// they count as about one draw each, and the band keeps 80 % of fresh
    /// origins.
    #[test]
    fn residuals_sharing_their_origin_count_as_fewer_draws() {
        let mut rng = Rng8::seed_from_u64(5);
        let f = 1000.0;
        let origin_block = |o: usize, rng: &mut Rng8| -> Vec<Residual> {
            let shift = 60.0 * normal(rng);
            (0..7)
                .map(|d| Residual {
                    origin: o,
                    lead_days: 7 + d,
                    forecast: f,
                    actual: f + shift + 10.0 * normal(rng),
                })
                .collect()
        };
        let shared: Vec<Residual> = (0..20).flat_map(|o| origin_block(o, &mut rng)).collect();
        let n_eff = effective_count(&shared.iter().collect::<Vec<_>>(), Scale::Poisson);
        assert!((15.0..=40.0).contains(&n_eff), "{n_eff}");
        // Over many trainings, the expected coverage of a fresh origin's
        // actual (normal about f, sd √(60² + 10²)) is 80 %.
        let sd = (60.0f64 * 60.0 + 10.0 * 10.0).sqrt();
        let cover = (0..300)
            .map(|_| {
                let train: Vec<Residual> =
                    (0..20).flat_map(|o| origin_block(o, &mut rng)).collect();
                let (lo, hi) = Calibration::from_residuals(&train).band_at(f, 7);
                normal_cdf((hi - f) / sd) - normal_cdf((lo - f) / sd)
            })
            .sum::<f64>()
            / 300.0;
        assert!((0.76..=0.84).contains(&cover), "{cover}");
    }
}
