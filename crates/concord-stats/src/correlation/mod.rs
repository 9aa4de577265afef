//! Correlation and concordance of paired scores: Pearson, Spearman, Kendall's tau-b, Lin's CCC.

#[cfg(test)]
mod tests;

use crate::dist::{normal_sf, t_two_sided_p, z975};
use crate::estimate::Estimate;

/// Distinct (x, y) pairs with their multiplicities, sorted by x then y (`f64::total_cmp`).
///
/// Every paired statistic of this crate is a function of this table. Scores on a rating scale,
/// or means of a few of them, take a few dozen distinct pairs over thousands of responses, so
/// each statistic costs O(distinct pairs) (Spearman and Kendall included: their ranks and
/// concordance counts come from the table's margins) instead of sorting all n pairs again.
/// Weights are counts, so every tie and pair count below is an exact integer in f64.
#[derive(Debug, Clone, Default)]
pub struct PairTable {
    x: Vec<f64>,
    y: Vec<f64>,
    w: Vec<f64>,
    n: usize,
    /// The entries in y order, and each entry's dense rank among the distinct y values (set
    /// once per fill, for the ranks, Kendall's counts and [`RankReplicates`]).
    by_y: Vec<usize>,
    y_rank: Vec<usize>,
    /// Scratch: (x, y, weight) before sorting and merging.
    buf: Vec<(f64, f64, f64)>,
}

impl PairTable {
    /// The table of the pairs (x_i, y_i), i < min(len x, len y).
    pub fn from_slices(x: &[f64], y: &[f64]) -> PairTable {
        let mut t = PairTable::default();
        t.fill_slices(x, y);
        t
    }

    /// The table of weighted pairs (x, y, count); equal pairs are merged.
    pub fn from_weighted(pairs: impl IntoIterator<Item = (f64, f64, f64)>) -> PairTable {
        let mut t = PairTable::default();
        t.buf.extend(pairs);
        t.settle();
        t
    }

    /// Refill from slices, reusing the buffers (for resampling loops).
    pub fn fill_slices(&mut self, x: &[f64], y: &[f64]) {
        self.buf.clear();
        self.buf.extend(x.iter().zip(y).map(|(&a, &b)| (a, b, 1.0)));
        self.settle();
    }

    /// Sort `buf` by (x, y) and merge bit-identical pairs into the table.
    fn settle(&mut self) {
        self.buf
            .sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        self.x.clear();
        self.y.clear();
        self.w.clear();
        let mut n = 0.0;
        for &(a, b, w) in &self.buf {
            n += w;
            let same = self.x.last().is_some_and(|l| l.to_bits() == a.to_bits())
                && self.y.last().is_some_and(|l| l.to_bits() == b.to_bits());
            if same {
                if let Some(lw) = self.w.last_mut() {
                    *lw += w;
                }
            } else {
                self.x.push(a);
                self.y.push(b);
                self.w.push(w);
            }
        }
        self.n = n as usize;
        self.by_y.clear();
        self.by_y.extend(0..self.x.len());
        let y = &self.y;
        self.by_y.sort_unstable_by(|&a, &b| y[a].total_cmp(&y[b]));
        self.y_rank.resize(self.x.len(), 0);
        let mut r = 0;
        for (i, &k) in self.by_y.iter().enumerate() {
            if i > 0 && y[k] != y[self.by_y[i - 1]] {
                r += 1;
            }
            self.y_rank[k] = r;
        }
    }

    /// Number of pairs (with multiplicity).
    pub fn n(&self) -> usize {
        self.n
    }

    /// The distinct pairs as (x, y, count).
    pub fn entries(&self) -> impl Iterator<Item = (f64, f64, f64)> + '_ {
        self.x
            .iter()
            .zip(&self.y)
            .zip(&self.w)
            .map(|((&a, &b), &w)| (a, b, w))
    }

    /// The counts of the distinct pairs, in [`PairTable::entries`] order.
    pub(crate) fn weights(&self) -> &[f64] {
        &self.w
    }

    /// The index of the distinct pair (x, y) in [`PairTable::entries`], if present.
    pub(crate) fn entry_index(&self, x: f64, y: f64) -> Option<usize> {
        let at = self.x.partition_point(|a| a.total_cmp(&x).is_lt());
        let end = at + self.x[at..].partition_point(|a| a.to_bits() == x.to_bits());
        let i = at + self.y[at..end].partition_point(|b| b.total_cmp(&y).is_lt());
        (i < end && self.y[i].to_bits() == y.to_bits()).then_some(i)
    }

    fn mean_x(&self) -> f64 {
        weighted_mean(&self.x, &self.w)
    }

    fn mean_y(&self) -> f64 {
        weighted_mean(&self.y, &self.w)
    }

    /// Mid-ranks (1-based; ties share the average rank) of x and of y, per table entry.
    fn ranks(&self) -> (Vec<f64>, Vec<f64>) {
        let mut rx = vec![0.0; self.x.len()];
        let by_x: Vec<usize> = (0..self.x.len()).collect();
        mid_ranks(&self.x, &self.w, &by_x, &mut rx);
        let mut ry = vec![0.0; self.y.len()];
        mid_ranks(&self.y, &self.w, &self.by_y, &mut ry);
        (rx, ry)
    }
}

fn weighted_mean(v: &[f64], w: &[f64]) -> f64 {
    let n: f64 = w.iter().sum();
    v.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() / n
}

/// Mid-ranks of `v` (weighted by `w`) given `order`, a permutation sorting `v`: a run of
/// equal values covering ranks i+1 ..= i+t gets i + (t + 1)/2.
fn mid_ranks(v: &[f64], w: &[f64], order: &[usize], out: &mut [f64]) {
    let mut below = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        let mut t = w[order[i]];
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
            t += w[order[j]];
        }
        for &k in &order[i..=j] {
            out[k] = below + (t + 1.0) / 2.0;
        }
        below += t;
        i = j + 1;
    }
}

/// Pearson's r of weighted points (`None` when either variable is constant or n < 2).
fn weighted_pearson(x: &[f64], y: &[f64], w: &[f64], n: usize) -> Option<f64> {
    if n < 2 {
        return None;
    }
    let (mx, my) = (weighted_mean(x, w), weighted_mean(y, w));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for ((a, b), c) in x.iter().zip(y).zip(w) {
        sxy += c * (a - mx) * (b - my);
        sxx += c * (a - mx) * (a - mx);
        syy += c * (b - my) * (b - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    let r = (sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0);
    r.is_finite().then_some(r)
}

/// Pearson's r as a bare number (`None` when either variable is constant or n < 2).
pub fn pearson_r(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() {
        return None;
    }
    pearson_r_table(&PairTable::from_slices(x, y))
}

/// Pearson's r of a pair table.
pub fn pearson_r_table(t: &PairTable) -> Option<f64> {
    weighted_pearson(&t.x, &t.y, &t.w, t.n)
}

/// Fisher-z interval tanh(atanh(r) ± z/√(n − 3)) around a correlation, or NaNs if undefined.
fn fisher_ci(r: f64, se_z: f64) -> (f64, f64) {
    if r.abs() >= 1.0 {
        return (r, r);
    }
    let z = r.atanh();
    let h = z975() * se_z;
    ((z - h).tanh(), (z + h).tanh())
}

/// The standard error of atanh(r) for the Fisher-z interval.
#[derive(Clone, Copy)]
enum FisherSe {
    /// 1/√(n − 3) (Fisher 1921), for Pearson's r.
    Pearson,
    /// √((1 + r²/2)/(n − 3)) (Bonett & Wright 2000), for Spearman's rho.
    BonettWright,
}

fn correlation_estimate(r: Option<f64>, n: usize, what: &str, se: FisherSe) -> Estimate {
    let Some(r) = r else {
        return Estimate::missing(format!(
            "{what} undefined: fewer than 3 pairs or a constant variable"
        ))
        .with_n(n);
    };
    let mut e = Estimate::point(r).with_n(n);
    let df = n as f64 - 2.0;
    if df > 0.0 {
        let t = if r.abs() >= 1.0 {
            f64::INFINITY
        } else {
            r * (df / (1.0 - r * r)).sqrt()
        };
        e = e.with_p(t_two_sided_p(t, df));
    }
    if n > 3 {
        let inflation = match se {
            FisherSe::Pearson => 1.0,
            FisherSe::BonettWright => 1.0 + r * r / 2.0,
        };
        let (lo, hi) = fisher_ci(r, (inflation / (n as f64 - 3.0)).sqrt());
        e = e.with_ci(lo, hi, "fisher-z");
    }
    e
}

/// Pearson correlation with t-test p and Fisher-z 95% CI, SE_z = 1/√(n − 3) (Fisher 1921).
pub fn pearson(x: &[f64], y: &[f64]) -> Estimate {
    let n = x.len().min(y.len());
    correlation_estimate(pearson_r(x, y), n, "Pearson r", FisherSe::Pearson)
}

/// [`pearson`] on a pair table.
pub fn pearson_table(t: &PairTable) -> Estimate {
    correlation_estimate(pearson_r_table(t), t.n, "Pearson r", FisherSe::Pearson)
}

/// Spearman's rho of a pair table: Pearson's r of the mid-ranks, each entry weighted.
pub fn spearman_rho_table(t: &PairTable) -> Option<f64> {
    let (rx, ry) = t.ranks();
    weighted_pearson(&rx, &ry, &t.w, t.n)
}

/// Spearman's rho (Pearson on mid-ranks) with t-test p and a Fisher-z CI with Bonett & Wright's
/// (2000) SE √((1 + ρ²/2)/(n − 3)).
pub fn spearman(x: &[f64], y: &[f64]) -> Estimate {
    let n = x.len().min(y.len());
    let r = (x.len() == y.len())
        .then(|| spearman_rho_table(&PairTable::from_slices(x, y)))
        .flatten();
    correlation_estimate(r, n, "Spearman rho", FisherSe::BonettWright)
}

/// [`spearman`] on a pair table.
pub fn spearman_table(t: &PairTable) -> Estimate {
    correlation_estimate(
        spearman_rho_table(t),
        t.n,
        "Spearman rho",
        FisherSe::BonettWright,
    )
}

/// Kendall's tau-b statistics: tau_b, S = concordant − discordant, and var(S).
struct KendallParts {
    tau: f64,
    s: f64,
    var_s: f64,
}

/// Tie statistics of runs of equal values: (pairs, Σ t(t−1)(t−2), Σ t(t−1)(2t+5)).
fn tie_stats(v: &[f64], w: &[f64], order: &[usize]) -> (f64, f64, f64) {
    let (mut p, mut a, mut b) = (0.0, 0.0, 0.0);
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        let mut t = w[order[i]];
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
            t += w[order[j]];
        }
        if t > 1.0 {
            p += t * (t - 1.0) / 2.0;
            a += t * (t - 1.0) * (t - 2.0);
            b += t * (t - 1.0) * (2.0 * t + 5.0);
        }
        i = j + 1;
    }
    (p, a, b)
}

/// Knight's (1966) tau-b with scipy's tie-corrected variance of S, on a pair table.
///
/// In (x, y) order the discordant pairs are exactly the strict inversions of y, counted here
/// with a Fenwick tree over the ranks of the distinct y values: O(D log D) for D entries.
fn kendall_parts(t: &PairTable) -> Option<KendallParts> {
    let n = t.n;
    if n < 2 {
        return None;
    }
    let d = t.x.len();
    let by_x: Vec<usize> = (0..d).collect();
    let (xtie, x0, x1) = tie_stats(&t.x, &t.w, &by_x);
    // Joint ties: runs equal in both x and y (the table is sorted by x then y).
    let mut ntie = 0.0;
    let mut i = 0;
    while i < d {
        let mut j = i;
        let mut c = t.w[i];
        while j + 1 < d && t.x[j + 1] == t.x[i] && t.y[j + 1] == t.y[i] {
            j += 1;
            c += t.w[j];
        }
        ntie += c * (c - 1.0) / 2.0;
        i = j + 1;
    }
    let (ytie, y0, y1) = tie_stats(&t.y, &t.w, &t.by_y);
    let dis = discordant(t);
    let nf = n as f64;
    let tot = nf * (nf - 1.0) / 2.0;
    if xtie == tot || ytie == tot {
        return None;
    }
    let s = tot - xtie - ytie + ntie - 2.0 * dis;
    let tau = s / (tot - xtie).sqrt() / (tot - ytie).sqrt();
    let m = nf * (nf - 1.0);
    let var_s = (m * (2.0 * nf + 5.0) - x1 - y1) / 18.0
        + (2.0 * xtie * ytie) / m
        + if n > 2 {
            x0 * y0 / (9.0 * m * (nf - 2.0))
        } else {
            0.0
        };
    Some(KendallParts { tau, s, var_s })
}

/// Weighted count of pairs i < j (table order) with y_i > y_j.
fn discordant(t: &PairTable) -> f64 {
    let rank = &t.y_rank;
    let r = rank.iter().copied().max().unwrap_or(0);
    // Fenwick tree of the weight seen so far per y rank.
    let mut tree = vec![0.0; r + 2];
    let (mut seen, mut dis) = (0.0, 0.0);
    for (k, &w) in t.w.iter().enumerate() {
        let mut at_most = 0.0;
        let mut i = rank[k] + 1;
        while i > 0 {
            at_most += tree[i];
            i &= i - 1;
        }
        dis += w * (seen - at_most);
        let mut i = rank[k] + 1;
        while i < tree.len() {
            tree[i] += w;
            i += i & i.wrapping_neg();
        }
        seen += w;
    }
    dis
}

/// sgn(a − b) · sgn(c − d) of two pairs' value ranks: 1 concordant, −1 discordant, 0 tied.
fn concordance(a: usize, b: usize, c: usize, d: usize) -> f64 {
    f64::from(i8::from(a > b) - i8::from(a < b)) * f64::from(i8::from(c > d) - i8::from(c < d))
}

/// Spearman's rho and Kendall's tau-b of a pair table with groups of its pairs left out in
/// turn (a jackknife's replicates), each group in O(distinct values + entries + group size²)
/// instead of ranking the table again: the ranks come from the margins, and Kendall's S from
/// each entry's concordance with the whole table, corrected for the pairs inside the group.
pub(crate) struct RankReplicates<'t> {
    t: &'t PairTable,
    /// Each entry's index among the distinct x values (among the distinct y values it is the
    /// table's `y_rank`).
    xi: Vec<usize>,
    /// The margins: pairs per distinct x value and per distinct y value.
    cx: Vec<f64>,
    cy: Vec<f64>,
    /// The entry counts, changed while a group is out.
    w: Vec<f64>,
    /// Σ_e' w_e' sgn(x_e − x_e') sgn(y_e − y_e') of each entry e, and S = concordant −
    /// discordant pairs of the table.
    conc: Vec<f64>,
    s: f64,
    /// Pairs tied in x and in y.
    x_ties: f64,
    y_ties: f64,
    /// Scratch: the mid-rank of each distinct x and y value.
    rx: Vec<f64>,
    ry: Vec<f64>,
}

impl<'t> RankReplicates<'t> {
    pub(crate) fn new(t: &'t PairTable) -> Self {
        let d = t.x.len();
        let mut xi = vec![0; d];
        for i in 1..d {
            xi[i] = xi[i - 1] + usize::from(t.x[i] != t.x[i - 1]);
        }
        let yi = &t.y_rank;
        let mut cx = vec![0.0; xi.last().map_or(0, |&v| v + 1)];
        let mut cy = vec![0.0; yi.iter().max().map_or(0, |&v| v + 1)];
        for e in 0..d {
            cx[xi[e]] += t.w[e];
            cy[yi[e]] += t.w[e];
        }
        let conc: Vec<f64> = (0..d)
            .map(|e| {
                (0..d)
                    .map(|f| t.w[f] * concordance(xi[e], xi[f], yi[e], yi[f]))
                    .sum()
            })
            .collect();
        let s = conc.iter().zip(&t.w).map(|(c, w)| c * w).sum::<f64>() / 2.0;
        let ties = |c: &[f64]| c.iter().map(|v| v * (v - 1.0) / 2.0).sum::<f64>();
        RankReplicates {
            t,
            x_ties: ties(&cx),
            y_ties: ties(&cy),
            xi,
            cx,
            cy,
            w: t.w.clone(),
            conc,
            s,
            rx: Vec::new(),
            ry: Vec::new(),
        }
    }

    /// (Spearman's rho, Kendall's tau-b) without the pairs of `group` (one entry index per
    /// pair), NaN where undefined.
    pub(crate) fn without(&mut self, group: &[usize]) -> [f64; 2] {
        let n = self.t.n as f64 - group.len() as f64;
        // Kendall: the pairs touching the group go, those inside it counted once (whole
        // numbers, summed as integers).
        let (mut s, mut x_ties, mut y_ties) = (self.s, self.x_ties, self.y_ties);
        let (mut inside, mut inside_x, mut inside_y) = (0i64, 0i64, 0i64);
        for (k, &e) in group.iter().enumerate() {
            let (xe, ye) = (self.xi[e], self.t.y_rank[e]);
            s -= self.conc[e];
            x_ties -= self.cx[xe] - 1.0;
            y_ties -= self.cy[ye] - 1.0;
            for &f in &group[..k] {
                let (dx, dy) = (xe.cmp(&self.xi[f]) as i64, ye.cmp(&self.t.y_rank[f]) as i64);
                inside += dx * dy;
                inside_x += i64::from(dx == 0);
                inside_y += i64::from(dy == 0);
            }
        }
        s += inside as f64;
        x_ties += inside_x as f64;
        y_ties += inside_y as f64;
        let pairs = n * (n - 1.0) / 2.0;
        let tau = if n < 2.0 || x_ties >= pairs || y_ties >= pairs {
            f64::NAN
        } else {
            s / (pairs - x_ties).sqrt() / (pairs - y_ties).sqrt()
        };
        // Spearman: mid-ranks from the margins without the group.
        for &e in group {
            self.w[e] -= 1.0;
            self.cx[self.xi[e]] -= 1.0;
            self.cy[self.t.y_rank[e]] -= 1.0;
        }
        let rho = self.spearman(n);
        for &e in group {
            self.w[e] += 1.0;
            self.cx[self.xi[e]] += 1.0;
            self.cy[self.t.y_rank[e]] += 1.0;
        }
        [rho, tau]
    }

    fn spearman(&mut self, n: f64) -> f64 {
        if n < 2.0 {
            return f64::NAN;
        }
        let mean = (n + 1.0) / 2.0;
        // Mid-rank of each distinct value, centred, and the spread Σ c (r − mean)².
        let centred_ranks = |c: &[f64], r: &mut Vec<f64>| {
            let (mut below, mut ss) = (0.0, 0.0);
            r.clear();
            r.extend(c.iter().map(|&k| {
                let d = below + (k + 1.0) / 2.0 - mean;
                below += k;
                ss += k * d * d;
                d
            }));
            ss
        };
        let sxx = centred_ranks(&self.cx, &mut self.rx);
        let syy = centred_ranks(&self.cy, &mut self.ry);
        if sxx <= 0.0 || syy <= 0.0 {
            return f64::NAN;
        }
        // The entries come in x order: one x rank per run of equal x.
        let (mut sxy, mut start) = (0.0, 0);
        while start < self.w.len() {
            let a = self.xi[start];
            let end = start + self.xi[start..].partition_point(|&x| x == a);
            let run: f64 = (start..end)
                .map(|e| self.w[e] * self.ry[self.t.y_rank[e]])
                .sum();
            sxy += self.rx[a] * run;
            start = end;
        }
        (sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0)
    }
}

/// Kendall's tau-b of a pair table as a bare number.
pub fn kendall_tau_from_table(t: &PairTable) -> Option<f64> {
    kendall_parts(t).map(|k| k.tau).filter(|t| t.is_finite())
}

/// Kendall's tau-b (Knight 1966) with scipy's asymptotic p and a Fisher-z CI.
///
/// The CI uses z = atanh(tau) with SE √(0.437/(n − 4)) (Fieller, Hartley & Pearson 1957).
pub fn kendall_tau_b(x: &[f64], y: &[f64]) -> Estimate {
    let n = x.len().min(y.len());
    let parts = (x.len() == y.len())
        .then(|| kendall_parts(&PairTable::from_slices(x, y)))
        .flatten();
    kendall_estimate(parts, n)
}

/// [`kendall_tau_b`] on a pair table.
pub fn kendall_tau_b_table(t: &PairTable) -> Estimate {
    kendall_estimate(kendall_parts(t), t.n)
}

fn kendall_estimate(parts: Option<KendallParts>, n: usize) -> Estimate {
    let Some(k) = parts.filter(|k| k.tau.is_finite()) else {
        return Estimate::missing("Kendall tau-b undefined: fewer than 2 pairs or all tied")
            .with_n(n);
    };
    let mut e = Estimate::point(k.tau).with_n(n);
    if k.var_s > 0.0 {
        e = e.with_p(2.0 * normal_sf((k.s / k.var_s.sqrt()).abs()));
    }
    if n > 4 {
        let (lo, hi) = fisher_ci(k.tau, (0.437 / (n as f64 - 4.0)).sqrt());
        e = e.with_ci(lo, hi, "fisher-z");
    }
    e
}

/// Lin's CCC of a pair table as a bare number.
pub fn ccc_value_table(t: &PairTable) -> Option<f64> {
    ccc_parts(t).map(|p| p.0)
}

fn ccc_parts(t: &PairTable) -> Option<(f64, f64, f64)> {
    let n = t.n;
    if n < 2 {
        return None;
    }
    let nf = n as f64;
    let (mx, my) = (t.mean_x(), t.mean_y());
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b, c) in t.entries() {
        sxy += c * (a - mx) * (b - my);
        sxx += c * (a - mx) * (a - mx);
        syy += c * (b - my) * (b - my);
    }
    let (sxy, sxx, syy) = (sxy / nf, sxx / nf, syy / nf);
    let den = sxx + syy + (mx - my).powi(2);
    if den.is_nan() || den <= 0.0 {
        return None;
    }
    let rc = 2.0 * sxy / den;
    // r and the location-shift u = (x̄ − ȳ)/(s_x s_y)^{1/2}, needed for the CI.
    let r = if sxx > 0.0 && syy > 0.0 {
        sxy / (sxx * syy).sqrt()
    } else {
        f64::NAN
    };
    let u = (mx - my) / (sxx * syy).powf(0.25);
    Some((rc, r, u))
}

/// Lin's CCC with the z-transform 95% CI of Lin (1989, corrected 2000), as epiR `epi.ccc`.
///
/// var(atanh ρ_c) = [(1 − r²)ρ_c²/((1 − ρ_c²) r²) + 2ρ_c³(1 − ρ_c)u²/(r(1 − ρ_c²)²)
/// − ρ_c⁴u⁴/(2r²(1 − ρ_c²)²)]/(n − 2).
pub fn lins_ccc(x: &[f64], y: &[f64]) -> Estimate {
    let n = x.len().min(y.len());
    let parts = (x.len() == y.len())
        .then(|| ccc_parts(&PairTable::from_slices(x, y)))
        .flatten();
    ccc_estimate(parts, n)
}

/// [`lins_ccc`] on a pair table.
pub fn lins_ccc_table(t: &PairTable) -> Estimate {
    ccc_estimate(ccc_parts(t), t.n)
}

fn ccc_estimate(parts: Option<(f64, f64, f64)>, n: usize) -> Estimate {
    let Some((rc, r, u)) = parts else {
        return Estimate::missing("CCC undefined: fewer than 2 pairs or no variance at all")
            .with_n(n);
    };
    let mut e = Estimate::point(rc).with_n(n);
    if n > 2 && rc.abs() < 1.0 && r.is_finite() && r != 0.0 {
        let (r2, c2) = (r * r, rc * rc);
        let v = ((1.0 - r2) * c2 / ((1.0 - c2) * r2)
            + 2.0 * rc.powi(3) * (1.0 - rc) * u * u / (r * (1.0 - c2).powi(2))
            - rc.powi(4) * u.powi(4) / (2.0 * r2 * (1.0 - c2).powi(2)))
            / (n as f64 - 2.0);
        if v > 0.0 {
            let z = rc.atanh();
            let h = z975() * v.sqrt();
            e = e
                .with_se(v.sqrt())
                .with_ci((z - h).tanh(), (z + h).tanh(), "lin-z");
        }
    }
    e
}
