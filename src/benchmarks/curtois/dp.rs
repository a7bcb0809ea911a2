//! Re-optimise one employee's days in a window `[a, b)` by dynamic
//! programming over (last value, run length, run touches day 0, weekends
//! used, minutes used), everyone else fixed: the "recreate" half of
//! ruin-and-recreate. Hard rules inside the window are kept exactly except
//! the per-type maxima (the caller's exact check decides); the boundary
//! with the day after the window is checked for forbidden successions,
//! the longest run and short runs. Minutes below the minimum are allowed
//! at a huge cost so a result always exists when any exists.

use super::CurtoisInstance;

const INF: i64 = i64::MAX / 4;
/// Cost per hour below the minimum minutes: above any sum of the callers'
/// day costs, so a short row is chosen only when nothing else fits.
const SHORT_COST: i64 = 1_000_000_000_000;
/// Largest DP table (states × days) attempted.
pub(crate) const MAX_TABLE: usize = 3_000_000;

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Table size for employee `e` and a window of `w` days (an estimate used
/// to size windows; the real call may be smaller).
pub(crate) fn table_size(inst: &CurtoisInstance, e: usize, w: usize) -> usize {
    let emp = &inst.employees[e];
    let n = inst.shifts.len();
    let cap = emp
        .max_consecutive_shifts
        .max(emp.min_consecutive_shifts)
        .max(emp.min_consecutive_days_off)
        .max(1) as usize;
    let (g, maxlen) = unit(inst, e);
    let m = (w as u64 * u64::from(maxlen) / u64::from(g.max(1))) as usize + 1;
    let wk = (emp.max_weekends as usize + 1).min(w / 7 + 2);
    (n + 1) * cap * 2 * wk * m * w
}

fn unit(inst: &CurtoisInstance, e: usize) -> (u32, u32) {
    let emp = &inst.employees[e];
    let mut g = 0;
    let mut maxlen = 0;
    for (t, s) in inst.shifts.iter().enumerate() {
        if emp.max_shifts[t] > 0 {
            g = gcd(g, s.minutes);
            maxlen = maxlen.max(s.minutes);
        }
    }
    (g.max(1), maxlen)
}

/// Best values for days `a..b` of `row` (employee `e`) under `cost(d, v)`
/// (v = shift index, `shifts.len()` = off). Writes them to `out` (length
/// `b - a`) and returns true, or false when the table would be too large or
/// nothing fits. `minutes_override` replaces the window's (min, max)
/// minutes (the max is still capped by the contract), used when building a
/// first roster window by window.
#[allow(clippy::too_many_arguments)]
pub(crate) fn reoptimize(
    inst: &CurtoisInstance,
    e: usize,
    row: &[u16],
    a: usize,
    b: usize,
    cost: &dyn Fn(usize, u16) -> i64,
    minutes_override: Option<(u32, u32)>,
    out: &mut Vec<u16>,
) -> bool {
    reoptimize_with(
        inst,
        e,
        row,
        a,
        b,
        cost,
        minutes_override,
        &[],
        out,
        &mut Scratch::default(),
    )
}

/// Reusable buffers of the DP (one per solver run).
#[derive(Default)]
pub(crate) struct Scratch {
    cur: Vec<i64>,
    next: Vec<i64>,
    back: Vec<u32>,
    ct: Vec<i64>,
    lam: Vec<i64>,
    /// Table cells × values processed so far (a deterministic work measure).
    pub(crate) work: u64,
}

/// [`reoptimize`] with caller-owned buffers. `tracked` lists shift types
/// (type, room) whose count inside the window the DP keeps exactly at
/// most `room` (one more state dimension each).
#[allow(clippy::too_many_arguments)]
pub(crate) fn reoptimize_with(
    inst: &CurtoisInstance,
    e: usize,
    row: &[u16],
    a: usize,
    b: usize,
    cost: &dyn Fn(usize, u16) -> i64,
    minutes_override: Option<(u32, u32)>,
    tracked: &[(usize, u32)],
    out: &mut Vec<u16>,
    sc: &mut Scratch,
) -> bool {
    let emp = &inst.employees[e];
    let n = inst.shifts.len();
    let off = n as u16;
    let days = inst.days;
    let w = b - a;
    if w == 0 {
        return false;
    }
    let cap = emp
        .max_consecutive_shifts
        .max(emp.min_consecutive_shifts)
        .max(emp.min_consecutive_days_off)
        .max(1) as usize;
    let (g, maxlen) = unit(inst, e);
    let minutes_of = |v: u16| -> u32 {
        if v == off {
            0
        } else {
            inst.shifts[v as usize].minutes
        }
    };
    let outside: u32 = (0..days)
        .filter(|&d| d < a || d >= b)
        .map(|d| minutes_of(row[d]))
        .sum();
    let (min_minutes, max_minutes) = match minutes_override {
        Some((lo, hi)) => (lo, hi.min(emp.max_total_minutes.saturating_sub(outside))),
        None => (
            emp.min_total_minutes.saturating_sub(outside),
            emp.max_total_minutes.saturating_sub(outside),
        ),
    };
    let max_units =
        (max_minutes / g).min(((w as u64 * u64::from(maxlen)) / u64::from(g)) as u32) as usize;
    // Weekends.
    let n_weekends = (days + 1) / 7;
    let in_window = |wk: usize| {
        let (s, u) = (7 * wk + 5, 7 * wk + 6);
        (a..b).contains(&s) || (a..b).contains(&u)
    };
    let worked_outside = (0..n_weekends)
        .filter(|&k| {
            !in_window(k) && (row[7 * k + 5] != off || (7 * k + 6 < days && row[7 * k + 6] != off))
        })
        .count();
    let touched = (0..n_weekends).filter(|&k| in_window(k)).count();
    let budget = (emp.max_weekends as usize).saturating_sub(worked_outside);
    let track = budget < touched;
    let wk_n = if track { budget + 1 } else { 1 };
    let m_n = max_units + 1;
    // Counts of tracked types, mixed radix: per value, its (stride, room).
    let mut count_of: Vec<Option<(usize, usize)>> = vec![None; n + 1];
    let mut c_n = 1usize;
    for &(t, room) in tracked {
        count_of[t] = Some((c_n, room as usize));
        c_n *= room as usize + 1;
    }
    let s_n = (n + 1) * cap * 2 * wk_n * c_n * m_n;
    if s_n * w > MAX_TABLE {
        return false;
    }
    sc.work += (s_n + w * (n + 1)) as u64;
    // Costs of the window, once.
    let nvals = n + 1;
    sc.ct.clear();
    for d in a..b {
        for v in 0..=off {
            sc.ct.push(cost(d, v));
        }
    }
    let ct = &sc.ct;
    let mut forbid = vec![false; n * n];
    for (t, s) in inst.shifts.iter().enumerate() {
        for &u in &s.forbidden_next {
            forbid[t * n + u] = true;
        }
    }
    let idx = |last: usize, len: usize, fs: usize, wk: usize, c: usize, m: usize| {
        ((((last * cap + (len - 1)) * 2 + fs) * wk_n + wk) * c_n + c) * m_n + m
    };
    let decode = |s: usize| {
        let m = s % m_n;
        let r = s / m_n;
        let c = r % c_n;
        let r = r / c_n;
        let wk = r % wk_n;
        let r = r / wk_n;
        let fs = r % 2;
        let r = r / 2;
        let len = r % cap + 1;
        let last = r / cap;
        (last, len, fs, wk, c, m)
    };
    let allowed =
        |d: usize, v: u16| v == off || (!emp.days_off[d] && emp.max_shifts[v as usize] > 0);
    let maxc = emp.max_consecutive_shifts as usize;
    let minc = emp.min_consecutive_shifts as usize;
    let mino = emp.min_consecutive_days_off as usize;

    // prev: (last, len, fs) or None at day 0.
    let transition = |prev: Option<(usize, usize, usize)>,
                      wk: usize,
                      c: usize,
                      m: usize,
                      d: usize,
                      v: u16,
                      sat_in_window: Option<u16>|
     -> Option<usize> {
        if !allowed(d, v) {
            return None;
        }
        let now_work = v != off;
        let (len2, fs2) = match prev {
            None => (1, 1),
            Some((last, len, fs)) => {
                let prev_work = last != n;
                if prev_work == now_work {
                    if now_work {
                        if forbid[last * n + v as usize] {
                            return None;
                        }
                        if len + 1 > maxc {
                            return None;
                        }
                    }
                    ((len + 1).min(cap), fs)
                } else {
                    if fs == 0 {
                        if prev_work && len < minc {
                            return None;
                        }
                        if !prev_work && len < mino {
                            return None;
                        }
                    }
                    (1, 0)
                }
            }
        };
        let m2 = m + (minutes_of(v) / g) as usize;
        if m2 > max_units {
            return None;
        }
        let mut wk2 = wk;
        if track {
            let worked = if d % 7 == 6 {
                let sat = sat_in_window.unwrap_or(row[d - 1]);
                sat != off || now_work
            } else if d % 7 == 5 && (d + 1 == b || d + 1 == days) {
                now_work || (d + 1 < days && row[d + 1] != off)
            } else {
                false
            };
            if worked {
                wk2 += 1;
                if wk2 > budget {
                    return None;
                }
            }
        }
        let mut c2 = c;
        if let Some((stride, room)) = count_of[v as usize] {
            if (c / stride) % (room + 1) == room {
                return None;
            }
            c2 += stride;
        }
        Some(idx(v as usize, len2, fs2, wk2, c2, m2))
    };

    let cur = &mut sc.cur;
    let next = &mut sc.next;
    cur.clear();
    cur.resize(s_n, INF);
    next.clear();
    next.resize(s_n, INF);
    // Only entries of reached states are read back, so no reset is needed.
    let back = &mut sc.back;
    if back.len() < s_n * w {
        back.resize(s_n * w, u32::MAX);
    }
    // Layer a.
    let init: Option<(usize, usize, usize)> = if a == 0 {
        None
    } else {
        let last = row[a - 1];
        let working = last != off;
        let mut start = a - 1;
        while start > 0 && (row[start - 1] != off) == working {
            start -= 1;
        }
        let len = (a - start).min(cap);
        Some((last as usize, len, usize::from(start == 0)))
    };
    for v in 0..=off {
        let sat = if a % 7 == 6 && a > 0 {
            Some(row[a - 1])
        } else {
            None
        };
        if let Some(s) = transition(init, 0, 0, 0, a, v, sat) {
            let c = ct[v as usize];
            if c < cur[s] {
                cur[s] = c;
            }
        }
    }
    let mut reached = 0u64;
    for d in a + 1..b {
        next.iter_mut().for_each(|x| *x = INF);
        let layer = (d - a) * s_n;
        let cd = &ct[(d - a) * nvals..(d - a + 1) * nvals];
        for (s, &c) in cur.iter().enumerate() {
            if c >= INF {
                continue;
            }
            reached += 1;
            let (last, len, fs, wk, cnt, m) = decode(s);
            for v in 0..=off {
                if let Some(s2) =
                    transition(Some((last, len, fs)), wk, cnt, m, d, v, Some(last as u16))
                {
                    let c2 = c + cd[v as usize];
                    if c2 < next[s2] {
                        next[s2] = c2;
                        back[layer + s2] = s as u32;
                    }
                }
            }
        }
        std::mem::swap(cur, next);
    }
    sc.work += reached * (n as u64 + 1);
    // Final states.
    let follow = if b < days {
        let working = row[b] != off;
        let mut k = b;
        while k < days && (row[k] != off) == working {
            k += 1;
        }
        Some((row[b], k - b, k == days))
    } else {
        None
    };
    let mut best = (INF, usize::MAX);
    for (s, &c) in cur.iter().enumerate() {
        if c >= INF {
            continue;
        }
        let (last, len, fs, _, _, m) = decode(s);
        if let Some((nv, flen, to_end)) = follow {
            let lw = last != n;
            let nw = nv != off;
            if lw && nw {
                if forbid[last * n + nv as usize] || len + flen > maxc {
                    continue;
                }
            } else if lw != nw {
                if fs == 0 && ((lw && len < minc) || (!lw && len < mino)) {
                    continue;
                }
                // The following run now starts after a change of status.
                if !to_end && ((nw && flen < minc) || (!nw && flen < mino)) {
                    continue;
                }
            }
        }
        let mins = m as u32 * g;
        let short = min_minutes.saturating_sub(mins);
        let total = c + i64::from(short.div_ceil(60)) * SHORT_COST;
        if total < best.0 {
            best = (total, s);
        }
    }
    if best.1 == usize::MAX {
        return false;
    }
    out.clear();
    out.resize(w, off);
    let mut s = best.1;
    for d in (a..b).rev() {
        out[d - a] = decode(s).0 as u16;
        if d > a {
            s = back[(d - a) * s_n + s] as usize;
        }
    }
    true
}

/// Best values for days `a..b` of employee `e` that keep every hard rule,
/// the per-type maxima included: the DP of [`reoptimize_with`], run again
/// with the count of every type that went over its maximum as one more
/// state (exact), or, when that table would be too big, with a Lagrangian
/// price on those types raised until they fit (a few rounds; false when
/// they never do). Exact unless the Lagrangian fallback was needed.
#[allow(clippy::too_many_arguments)]
pub(crate) fn best_response(
    inst: &CurtoisInstance,
    e: usize,
    row: &[u16],
    a: usize,
    b: usize,
    cost: &dyn Fn(usize, u16) -> i64,
    out: &mut Vec<u16>,
    sc: &mut Scratch,
) -> bool {
    let emp = &inst.employees[e];
    let n = inst.shifts.len();
    let mut lam = std::mem::take(&mut sc.lam);
    lam.clear();
    lam.resize(n + 1, 0);
    // Room per type left by the days outside the window.
    let mut room = [0i64; 64];
    let big = n > 64;
    if !big {
        for (t, r) in room.iter_mut().enumerate().take(n) {
            *r = i64::from(emp.max_shifts[t].min(u32::MAX / 2));
        }
        for (d, &v) in row.iter().enumerate() {
            if (d < a || d >= b) && (v as usize) < n {
                room[v as usize] -= 1;
            }
        }
        // Already over outside the window: at least add none inside.
        for r in room.iter_mut().take(n) {
            *r = (*r).max(0);
        }
    }
    let mut ok = false;
    let mut step = 4i64;
    // Types whose maximum the DP keeps exactly; the others that go over get
    // a Lagrangian price instead when tracking them makes the table too big.
    let mut tracked: Vec<(usize, u32)> = Vec::new();
    let mut exact_failed = false;
    for _round in 0..12 {
        let lamr = &lam;
        let priced = |d: usize, v: u16| cost(d, v) + lamr[v as usize];
        if !reoptimize_with(inst, e, row, a, b, &priced, None, &tracked, out, sc) {
            if tracked.is_empty() || exact_failed {
                break;
            }
            // Too big (or nothing fits) with tracking: price instead.
            exact_failed = true;
            for &(t, _) in &tracked {
                lam[t] += step;
            }
            tracked.clear();
            continue;
        }
        if big {
            ok = true;
            break;
        }
        let mut used = [0i64; 64];
        for &v in out.iter() {
            if (v as usize) < n {
                used[v as usize] += 1;
            }
        }
        let mut over = false;
        for t in 0..n {
            if used[t] > room[t] {
                over = true;
                if exact_failed {
                    lam[t] += step;
                } else {
                    tracked.push((t, room[t] as u32));
                }
            }
        }
        if !over {
            ok = true;
            break;
        }
        if exact_failed {
            step *= 2;
        }
    }
    sc.lam = lam;
    ok
}
