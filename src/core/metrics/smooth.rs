//! Smooth ECE and the smoothed reliability diagram, mirroring `relplot` 1.0.3.
//!
//! Błasiok & Nakkiran (2023), "Smooth ECE: Principled Reliability Diagrams via Kernel
//! Smoothing" (arXiv:2309.12236). With residuals r_i = f_i − y_i and a Gaussian kernel K_σ
//! reflected at 0 and 1, the smoothed residual is r̂(t) = Σ K_σ(t, f_i) r_i / (Σ K_σ(t, f_i) + ε)
//! and smECE_σ = Σ_t |r̂(t)| δ(t) / Σ_t δ(t) with δ(t) = Σ K_σ(t, f_i) + ε, evaluated on the mesh
//! t = linspace(0, 1, max(round(10/σ), 200)), ε = 1e-4. The bandwidth is the fixed point
//! smECE_σ = σ found by relplot's bisection (`search_param`: 10 halvings of [0, 1], σ on the
//! 1/1024 grid) and the reported value is smECE at that σ.
//!
//! Like relplot (`kernels.ReflectedGaussianKernel.apply`), scores are first spread linearly onto
//! a grid of E = max(2000, round(20/σ)) / 2 + 1 points, the grid is reflected at both ends and
//! convolved with the kernel sampled on the same grid, and the result is interpolated linearly at
//! the mesh. The convolution skips kernel taps that are exactly zero in f64, so the cost is
//! O(n + E · min(E, 78σE)) per evaluation instead of O(n²), which handles millions of rows.
//!
//! The bootstrap band and [`bootstrap_ci`] use a seeded SplitMix64 generator: results are
//! reproducible for a given seed but not bit-identical to relplot's (NumPy/scikit-learn) draws.

use super::drift::quantile_sorted;
use serde::{Deserialize, Serialize};

/// Mesh size relplot uses for plotting (`config.plot_mesh_pts`).
pub const DEFAULT_GRID: usize = 200;

/// The ε relplot adds to the kernel density before dividing (`BaseKernelMixin.smooth`).
pub(super) const SMOOTH_EPS: f64 = 1e-4;

/// Smallest bandwidth relplot's search accepts as a fixed point (`smECE(eps=0.001)`).
const SEARCH_EPS: f64 = 0.001;

/// Smallest bandwidth accepted from callers: the kernel grid has ≈ 10/σ points, so σ = 1e-4
/// already means 10⁵ grid points (the automatic search never goes below 1/1024).
pub const MIN_SIGMA: f64 = 1e-4;

/// Smooth ECE and the bandwidth at which it was evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SmoothEce {
    /// smECE at `sigma`, as `relplot.smECE(f, y)`.
    pub value: f64,
    /// The fixed-point bandwidth σ (a multiple of 1/1024), as `return_width=True` reports.
    pub sigma: f64,
}

/// A kernel-smoothed reliability curve with the score density, on `x = linspace(0, 1, grid)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmoothCurve {
    /// Mesh points in [0, 1].
    pub x: Vec<f64>,
    /// Smoothed observed rate E[y | f = x] (tends to 0 where there are no scores, as in relplot).
    pub y: Vec<f64>,
    /// Kernel density estimate of the scores at `x` (integrates to about 1 over [0, 1]).
    pub density: Vec<f64>,
}

/// A pointwise bootstrap band around the smoothed reliability curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmoothBand {
    /// Mesh points in [0, 1] (`DEFAULT_GRID` of them).
    pub x: Vec<f64>,
    /// Lower percentile of the bootstrap curves at each mesh point.
    pub lower: Vec<f64>,
    /// Upper percentile of the bootstrap curves at each mesh point.
    pub upper: Vec<f64>,
}

/// A percentile bootstrap confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BootstrapCi {
    /// Lower percentile of the bootstrap distribution.
    pub lower: f64,
    /// Upper percentile of the bootstrap distribution.
    pub upper: f64,
    /// Resamples on which the statistic was defined (finite); the interval uses only these.
    pub resamples: usize,
}

/// Smooth ECE with relplot's automatic bandwidth (`relplot.smECE(f, y, return_width=True)`).
///
/// `None` when the input is empty, the lengths differ, a score is not in [0, 1] (or NaN) or a
/// label is not 0/1. One class, constant scores, a single row and scores of exactly 0 or 1 are
/// all well defined.
pub fn smooth_ece(scores: &[f64], labels: &[u8]) -> Option<SmoothEce> {
    validate(scores, labels)?;
    let (fit, _) = search(scores, |i| [scores[i] - f64::from(labels[i]), 1.0]);
    Some(fit)
}

/// [`smooth_ece`] and [`smooth_reliability_curve`] at its bandwidth on `grid` mesh points
/// (`None` where that function gives `None`), with one pass over the rows fewer: the search's
/// pass that puts the residuals on the grid puts the labels and the density's weights on it
/// too, and the curve reuses the grids of the bandwidth found. Bit for bit the two functions'
/// results (each grid receives the same additions in the same order).
pub fn smooth_ece_with_curve(
    scores: &[f64],
    labels: &[u8],
    grid: usize,
) -> Option<(SmoothEce, Option<SmoothCurve>)> {
    validate(scores, labels)?;
    let inv_n = 1.0 / scores.len() as f64;
    let (fit, [_, count_grid, labels_grid, density_grid]) = search(scores, |i| {
        let y = f64::from(labels[i]);
        [scores[i] - y, 1.0, y, inv_n]
    });
    let curve = (fit.sigma.is_finite() && fit.sigma >= MIN_SIGMA && grid >= 2).then(|| {
        let kernel = Kernel::new(fit.sigma);
        curve_from_grids(&kernel, [labels_grid, count_grid, density_grid], grid)
    });
    Some((fit, curve))
}

/// relplot's bandwidth search for [`smooth_ece`] (valid, non-empty rows) on grids of `K`
/// weightings of the rows, the first two the residual `f − y` and 1; returns the fit and the
/// `K` grids at the fit's bandwidth.
fn search<const K: usize>(
    scores: &[f64],
    weights: impl Fn(usize) -> [f64; K] + Copy,
) -> (SmoothEce, [Vec<f64>; K]) {
    // The grid size E = max(2000, round(20/σ))/2 + 1 is the same for every σ ≥ 0.01, so the
    // steps of the search share their grid values: computed once per E and kept (the search
    // can leave an E and come back to it, e.g. σ = 0.0078 then 0.0117), bit-identical. A
    // handful of grids of E ≤ 10⁴ values; the residual f − y is formed per row, not stored.
    let mut cached: Vec<(usize, [Vec<f64>; K])> = Vec::new();
    let mut eval = |alpha: f64| {
        let kernel = Kernel::new(alpha);
        let at = match cached.iter().position(|c| c.0 == kernel.e) {
            Some(at) => at,
            None => {
                let grids = kernel.round_to_grids(scores, weights);
                cached.push((kernel.e, grids));
                cached.len() - 1
            }
        };
        let [v1, v2] = [&cached[at].1[0], &cached[at].1[1]];
        smooth_ece_from_grid(&kernel, v1, v2, alpha)
    };
    // relplot.metrics.search_param(check_smooth_ece, start=1, refine=10).
    let at_one = eval(1.0);
    let fit = if 1.0 < at_one {
        SmoothEce {
            value: at_one,
            sigma: 1.0,
        }
    } else {
        let (mut start, mut end, mut value_at_start) = (1.0_f64, 0.0_f64, at_one);
        for _ in 0..10 {
            let mid = (start + end) / 2.0;
            if mid < SEARCH_EPS {
                end = mid;
                continue;
            }
            let v = eval(mid);
            if mid < v {
                end = mid;
            } else {
                start = mid;
                value_at_start = v;
            }
        }
        SmoothEce {
            value: value_at_start,
            sigma: start,
        }
    };
    // σ is 1 or a step the search evaluated, so its grids are cached.
    let e = Kernel::new(fit.sigma).e;
    let grids = match cached.iter().position(|c| c.0 == e) {
        Some(at) => cached.swap_remove(at).1,
        None => Kernel::new(fit.sigma).round_to_grids(scores, weights),
    };
    (fit, grids)
}

/// Smooth ECE at a fixed bandwidth σ (`relplot.smECE_sigma(f, y, sigma)`).
///
/// `None` for invalid input (see [`smooth_ece`]) or σ not finite or below [`MIN_SIGMA`].
pub fn smooth_ece_at(scores: &[f64], labels: &[u8], sigma: f64) -> Option<f64> {
    validate(scores, labels)?;
    if !(sigma.is_finite() && sigma >= MIN_SIGMA) {
        return None;
    }
    let residual: Vec<f64> = scores
        .iter()
        .zip(labels)
        .map(|(&f, &y)| f - f64::from(y))
        .collect();
    Some(smooth_ece_residual(scores, &residual, sigma))
}

/// The smoothed reliability curve and score density at bandwidth σ on `grid` mesh points.
///
/// Mirrors what `relplot.prepare_rel_diagram` draws without bagging:
/// `ReflectedGaussianKernel(sigma).smooth(f, y, t)` and `.kde(f, t)`. Use the σ from
/// [`smooth_ece`] and [`DEFAULT_GRID`] for relplot's defaults. `None` for invalid input,
/// σ not finite and positive, or `grid < 2`.
pub fn smooth_reliability_curve(
    scores: &[f64],
    labels: &[u8],
    sigma: f64,
    grid: usize,
) -> Option<SmoothCurve> {
    validate(scores, labels)?;
    if !(sigma.is_finite() && sigma >= MIN_SIGMA) || grid < 2 {
        return None;
    }
    let kernel = Kernel::new(sigma);
    let inv_n = 1.0 / scores.len() as f64;
    // relplot's `smooth(f, y, t)` (label and count weights) and `kde(f, t)` (weight 1/n): three
    // weightings of the same scores, put on the grid in one pass over the rows.
    let grids = kernel.round_to_grids(scores, |i| [f64::from(labels[i]), 1.0, inv_n]);
    Some(curve_from_grids(&kernel, grids, grid))
}

/// The smoothed curve on `grid` mesh points from the label-, count- and density-weighted grid
/// values of `kernel`'s grid.
fn curve_from_grids(
    kernel: &Kernel,
    [labels_grid, count_grid, density_grid]: [Vec<f64>; 3],
    grid: usize,
) -> SmoothCurve {
    let x = linspace(grid);
    let [num, den, density] = kernel.smooth_at([&labels_grid, &count_grid, &density_grid], &x);
    let y = num
        .iter()
        .zip(&den)
        .map(|(a, b)| a / (b + SMOOTH_EPS))
        .collect();
    SmoothCurve { x, y, density }
}

/// A seeded pointwise bootstrap band for the smoothed reliability curve.
///
/// As relplot (`prepare_rel_diagram`, which bags 200 kernel smoothers with scikit-learn): σ is
/// the smooth-ECE bandwidth of the full sample, each of `n_boot` resamples (n rows drawn with
/// replacement) is smoothed at that σ on [`DEFAULT_GRID`] points, and the band is the
/// (1 − confidence)/2 and (1 + confidence)/2 linear-interpolation percentiles at each point.
/// Reproducible for a given `seed`; not bit-identical to relplot's random draws.
/// Cost O(n_boot · (n + grid · min(E, 78σE))) with E ≈ max(1000, 10/σ). `None` for invalid input, `n_boot == 0` or a confidence
/// outside (0, 1).
pub fn smooth_band(
    scores: &[f64],
    labels: &[u8],
    n_boot: usize,
    seed: u64,
    confidence: f64,
) -> Option<SmoothBand> {
    validate(scores, labels)?;
    if n_boot == 0 || !(confidence > 0.0 && confidence < 1.0) {
        return None;
    }
    let sigma = smooth_ece(scores, labels)?.sigma;
    let x = linspace(DEFAULT_GRID);
    let kernel = Kernel::new(sigma);
    let e = kernel.e;
    // Grid placement of every score is fixed across resamples; only multiplicities change.
    let placed: Vec<(usize, f64)> = scores.iter().map(|&f| grid_position(f, e)).collect();
    // Convolution and interpolation are linear: each mesh value is a fixed banded weighting of
    // the grid values, computed once.
    let rows: Vec<(usize, Vec<f64>)> = x.iter().map(|&t| kernel.mesh_row(t)).collect();

    let n = scores.len();
    let mut rng = SplitMix64::new(seed);
    let mut curves: Vec<Vec<f64>> = vec![Vec::with_capacity(n_boot); x.len()];
    let mut num = vec![0.0; e];
    let mut den = vec![0.0; e];
    for _ in 0..n_boot {
        num.iter_mut().for_each(|v| *v = 0.0);
        den.iter_mut().for_each(|v| *v = 0.0);
        for _ in 0..n {
            let i = rng.below(n as u64) as usize;
            let (b, frac) = placed[i];
            let y = f64::from(labels[i]);
            num[b] += (1.0 - frac) * y;
            num[b + 1] += frac * y;
            den[b] += 1.0 - frac;
            den[b + 1] += frac;
        }
        for (curve, (start, row)) in curves.iter_mut().zip(&rows) {
            let (nw, dw) = (
                &num[*start..*start + row.len()],
                &den[*start..*start + row.len()],
            );
            let (mut a, mut d) = (0.0, 0.0);
            for k in 0..row.len() {
                a += row[k] * nw[k];
                d += row[k] * dw[k];
            }
            curve.push(a / (d + SMOOTH_EPS));
        }
    }
    let lo_q = (1.0 - confidence) / 2.0;
    let hi_q = 1.0 - lo_q;
    let mut lower = Vec::with_capacity(x.len());
    let mut upper = Vec::with_capacity(x.len());
    for mut c in curves {
        c.sort_unstable_by(f64::total_cmp);
        lower.push(quantile_sorted(&c, lo_q)?);
        upper.push(quantile_sorted(&c, hi_q)?);
    }
    Some(SmoothBand { x, lower, upper })
}

/// A seeded percentile-bootstrap confidence interval for any statistic of (scores, labels).
///
/// Each of `n_boot` resamples draws n rows with replacement (pairs kept together) and evaluates
/// `statistic`; resamples where it is `None` or not finite are skipped and counted out of
/// `resamples`. The interval is the (1 − confidence)/2 and (1 + confidence)/2 percentiles
/// (linear interpolation, as `numpy.percentile`). Reproducible for a given `seed`.
/// `None` when lengths differ, the input is empty, `n_boot == 0`, the confidence is outside
/// (0, 1), or no resample gave a value.
pub fn bootstrap_ci(
    scores: &[f64],
    labels: &[u8],
    statistic: impl Fn(&[f64], &[u8]) -> Option<f64>,
    n_boot: usize,
    seed: u64,
    confidence: f64,
) -> Option<BootstrapCi> {
    let n = scores.len();
    if n == 0 || labels.len() != n || n_boot == 0 || !(confidence > 0.0 && confidence < 1.0) {
        return None;
    }
    let mut rng = SplitMix64::new(seed);
    let mut s = vec![0.0; n];
    let mut l = vec![0u8; n];
    let mut stats = Vec::with_capacity(n_boot);
    for _ in 0..n_boot {
        for k in 0..n {
            let i = rng.below(n as u64) as usize;
            s[k] = scores[i];
            l[k] = labels[i];
        }
        if let Some(v) = statistic(&s, &l).filter(|v| v.is_finite()) {
            stats.push(v);
        }
    }
    stats.sort_unstable_by(f64::total_cmp);
    let lo_q = (1.0 - confidence) / 2.0;
    Some(BootstrapCi {
        lower: quantile_sorted(&stats, lo_q)?,
        upper: quantile_sorted(&stats, 1.0 - lo_q)?,
        resamples: stats.len(),
    })
}

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fast, seedable 64-bit generator.
///
/// Used for bootstrap resampling so results are reproducible across platforms (native, wasm).
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator whose stream is fully determined by `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 uniformly distributed bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform integer in `0..n` without modulo bias (Lemire 2019); 0 when `n == 0`.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        if (m as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
            }
        }
        (m >> 64) as u64
    }
}

/// Checks lengths, emptiness, score range and label values.
fn validate(scores: &[f64], labels: &[u8]) -> Option<()> {
    let ok = !scores.is_empty()
        && scores.len() == labels.len()
        && scores.iter().all(|&f| (0.0..=1.0).contains(&f))
        && labels.iter().all(|&y| y <= 1);
    ok.then_some(())
}

/// relplot's `smooth_ece(f, y, sigma)` with precomputed residuals f − y.
fn smooth_ece_residual(scores: &[f64], residual: &[f64], sigma: f64) -> f64 {
    let kernel = Kernel::new(sigma);
    let [v1, v2] = kernel.round_to_grids(scores, |i| [residual[i], 1.0]);
    smooth_ece_from_grid(&kernel, &v1, &v2, sigma)
}

/// smECE_σ from the residual-weighted and count-weighted grid values (relplot's
/// `smooth_round_to_grid` outputs): reflect-convolve, interpolate at the mesh
/// `linspace(0, 1, max(round(10/σ), 200))` and average |r̂| under the density.
pub(super) fn smooth_ece_from_grid(
    kernel: &Kernel,
    residual_grid: &[f64],
    count_grid: &[f64],
    sigma: f64,
) -> f64 {
    let mesh = round_half_even(10.0 / sigma).max(200.0) as usize;
    let t = linspace(mesh);
    let [rs, dens] = kernel.smooth_at([residual_grid, count_grid], &t);
    let (mut num, mut den) = (0.0, 0.0);
    for (r, d) in rs.iter().zip(&dens) {
        let d = d + SMOOTH_EPS;
        num += (r / d).abs() * d;
        den += d;
    }
    num / den
}

/// `numpy.linspace(0, 1, num)`: i · (1/(num − 1)) with the last point exactly 1.
pub(super) fn linspace(num: usize) -> Vec<f64> {
    if num == 1 {
        return vec![0.0];
    }
    let step = 1.0 / (num - 1) as f64;
    let mut v: Vec<f64> = (0..num).map(|i| i as f64 * step).collect();
    if let Some(last) = v.last_mut() {
        *last = 1.0;
    }
    v
}

/// Python's `round()` for non-negative floats: ties to even.
fn round_half_even(x: f64) -> f64 {
    let r = x.round();
    if (r - x).abs() == 0.5 && r % 2.0 != 0.0 {
        r - x.signum()
    } else {
        r
    }
}

/// Where a score lands on an E-point grid: (left index, weight of the right neighbour), as
/// relplot's `smooth_round_to_grid`.
pub(super) fn grid_position(f: f64, e: usize) -> (usize, f64) {
    let scaled = f * (e - 1) as f64;
    // The index is `(scaled as usize).min(E − 2)`. While E − 2 < 2³², converting to `u32`
    // gives the same index (both saturate, NaN to 0; where they differ, both exceed E − 2) and
    // is a few instructions where a saturating `usize` conversion, and `usize` back to f64,
    // are a dozen each on x86-64 (this runs per row and grid size in the smooth ECE).
    match u32::try_from(e - 2) {
        Ok(top) => {
            let b = (scaled as u32).min(top);
            (b as usize, scaled - f64::from(b))
        }
        Err(_) => {
            let b = (scaled as usize).min(e - 2);
            (b, scaled - b as f64)
        }
    }
}

/// Where a mesh point reads an E-point grid: (left index, residual), as relplot's `interpolate`.
fn interp_position(t: f64, e: usize) -> (usize, f64) {
    let bucket = 1.0 / (e - 1) as f64;
    let i = ((t * (e - 1) as f64) as usize).min(e - 2);
    (i, (t - i as f64 * bucket) / bucket)
}

/// relplot's `ReflectedGaussianKernel(sigma)` on its internal grid.
pub(super) struct Kernel {
    /// Grid size E.
    pub(super) e: usize,
    /// Index in the full E-tap kernel of the first non-zero tap.
    first: usize,
    /// The non-zero taps, exp(−(t − ½)²/(2σ²)) / (√(2π) σ) at t = linspace(0, 1, E).
    taps: Vec<f64>,
}

impl Kernel {
    pub(super) fn new(sigma: f64) -> Self {
        let eval_points = round_half_even(20.0 / sigma).max(2000.0) as usize;
        let e = eval_points / 2 + 1;
        let var = sigma * sigma;
        let norm = (2.0 * std::f64::consts::PI).sqrt() * sigma;
        let full: Vec<f64> = linspace(e)
            .into_iter()
            .map(|t| (-(t - 0.5) * (t - 0.5) / (2.0 * var)).exp() / norm)
            .collect();
        let first = full.iter().position(|&k| k != 0.0).unwrap_or(0);
        let last = full.iter().rposition(|&k| k != 0.0).unwrap_or(0);
        Self {
            e,
            first,
            taps: full[first..=last].to_vec(),
        }
    }

    /// The same kernel with the taps below `relative` × the largest tap dropped (both tails).
    /// Dropping taps of at most 1e-15 of the peak changes a smoothed value by at most about
    /// 1e-15 × (number of dropped taps) relative: used only by the binned bootstrap, never by
    /// the point estimates that the goldens check.
    pub(super) fn trimmed(&self, relative: f64) -> Self {
        let peak = self.taps.iter().copied().fold(0.0_f64, f64::max);
        let keep = |k: &f64| *k >= peak * relative;
        let first = self.taps.iter().position(keep).unwrap_or(0);
        let last = self.taps.iter().rposition(keep).unwrap_or(0);
        Self {
            e: self.e,
            first: self.first + first,
            taps: self.taps[first..=last].to_vec(),
        }
    }

    /// Weighted grid values, as relplot's `smooth_round_to_grid(f, w, E)`: the one-weight
    /// reference that [`Kernel::round_to_grids`] is tested against.
    #[cfg(test)]
    fn round_to_grid(&self, scores: &[f64], weight: impl Fn(usize) -> f64) -> Vec<f64> {
        let mut values = vec![0.0; self.e];
        for (i, &f) in scores.iter().enumerate() {
            let (b, frac) = grid_position(f, self.e);
            let w = weight(i);
            values[b] += (1.0 - frac) * w;
            values[b + 1] += frac * w;
        }
        values
    }

    /// [`Kernel::round_to_grid`] for `K` weightings of the same scores in one pass over the
    /// rows (each row's grid position is computed once). Each grid receives exactly the
    /// additions, in the same order, that `round_to_grid` with its weight would make, so the
    /// grids are bit for bit the same.
    fn round_to_grids<const K: usize>(
        &self,
        scores: &[f64],
        weights: impl Fn(usize) -> [f64; K],
    ) -> [Vec<f64>; K] {
        // Interleaved (grid point b's K values side by side): one bounds check and one cache
        // line per row and grid point, not K.
        let mut grids: Vec<[f64; K]> = vec![[0.0; K]; self.e];
        for (i, &f) in scores.iter().enumerate() {
            let (b, frac) = grid_position(f, self.e);
            let (left, right) = (1.0 - frac, frac);
            // b ≤ E − 2 (`grid_position`), so b + 1 is on the grid.
            let (at_b, at_next) = grids[b..b + 2].split_at_mut(1);
            for (v, w) in weights(i).into_iter().enumerate() {
                at_b[0][v] += left * w;
                at_next[0][v] += right * w;
            }
        }
        std::array::from_fn(|v| grids.iter().map(|g| g[v]).collect())
    }

    /// relplot's reflected extension [v_{E−1} … v_1, v_0 … v_{E−1}, v_{E−2} … v_0].
    fn extend(&self, values: &[f64]) -> Vec<f64> {
        let mut ext = Vec::with_capacity(3 * self.e - 2);
        ext.extend(values[1..].iter().rev());
        ext.extend_from_slice(values);
        ext.extend(values[..self.e - 1].iter().rev());
        ext
    }

    /// `interpolate(convolve(v), t)` for each of `K` grid value vectors v, as relplot's
    /// `interpolate(t, np.convolve(ext, ker, "valid")[E//2 : E//2 + E])`: bit for bit
    /// [`Kernel::convolve2_by_point`] then [`Kernel::interpolate`], convolving only at the grid
    /// points the interpolation reads.
    ///
    /// Why: the mesh t has max(round(10/σ), 200) points and reads two grid points each, so for
    /// σ ≥ 0.05 (E = 1001, every tap non-zero) it reads at most 400 of the 1001 smoothed
    /// values: most of the E × taps multiply-adds of a full convolution are thrown away. Each
    /// value read is the same sum, over the taps in order from 0.0, that the full convolution
    /// makes ([`Kernel::convolve2_by_point`]); the loop sums two neighbouring grid points of
    /// all `K` vectors at once (2K independent sums, and the two neighbours' terms are
    /// adjacent in memory, so they pair into one vector lane).
    pub(super) fn smooth_at<const K: usize>(
        &self,
        values: [&[f64]; K],
        t: &[f64],
    ) -> [Vec<f64>; K] {
        let e = self.e;
        let mut needed = vec![false; e];
        for &x in t {
            let (i, _) = interp_position(x, e);
            needed[i] = true;
            needed[i + 1] = true;
        }
        // The K extensions interleaved and reversed: rev[m][v] = extension of values[v] at
        // L − 1 − m, so a grid point's terms, taken in tap order, are read forwards.
        let ext: [Vec<f64>; K] = values.map(|v| self.extend(v));
        let len = 3 * e - 2;
        let rev: Vec<[f64; K]> = (0..len)
            .map(|m| std::array::from_fn(|v| ext[v][len - 1 - m]))
            .collect();
        let mut smoothed: [Vec<f64>; K] = std::array::from_fn(|_| vec![0.0; e]);
        let taps = self.taps.as_slice();
        let top = taps.len() - 1;
        // Grid point g's tap k reads the extension at g + offset − k, i.e.
        // rev[len − 1 − g − offset + k].
        let offset = e / 2 + e - 1 - self.first;
        let mut g = 0;
        while g < e {
            if !needed[g] {
                g += 1;
                continue;
            }
            // Grid point g + 1's tap k reads rev[s + k], grid point g's rev[s + 1 + k]. At
            // g = E − 1 the sums of "g + 1" read rev[len − 1 − 2E − E/2 + first + 1 ..], which
            // exist; they are not kept.
            let s = len - 2 - g - offset;
            let window = &rev[s..=s + top + 1];
            let (mut next, mut here) = ([0.0_f64; K], [0.0_f64; K]);
            for ((&w, a), b) in taps.iter().zip(window).zip(&window[1..]) {
                for v in 0..K {
                    next[v] += a[v] * w;
                    here[v] += b[v] * w;
                }
            }
            let pair = g + 1 < e && needed[g + 1];
            for (v, out) in smoothed.iter_mut().enumerate() {
                out[g] = here[v];
                if pair {
                    out[g + 1] = next[v];
                }
            }
            g += if pair { 2 } else { 1 };
        }
        smoothed.map(|s| self.interpolate(&s, t))
    }

    /// relplot's `np.convolve(ext, ker, "valid")[E//2 : E//2 + E]` for two value vectors, one
    /// grid point at a time: at grid point g, Σ_j ext[g + E//2 + E − 1 − j] · ker[j] over the
    /// non-zero taps, added in tap order from 0.0 (NumPy's order). The reference
    /// [`Kernel::smooth_at`] is tested against, bit for bit.
    #[cfg(test)]
    fn convolve2_by_point(&self, a: &[f64], b: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let (ea, eb) = (self.extend(a), self.extend(b));
        let taps = self.taps.as_slice();
        let mut out_a = Vec::with_capacity(self.e);
        let mut out_b = Vec::with_capacity(self.e);
        for g in 0..self.e {
            let base = g + self.e / 2 + self.e - 1 - self.first;
            let wa = &ea[base + 1 - taps.len()..=base];
            let wb = &eb[base + 1 - taps.len()..=base];
            let top = taps.len() - 1;
            let (mut sa, mut sb) = (0.0, 0.0);
            for k in 0..taps.len() {
                sa += wa[top - k] * taps[k];
                sb += wb[top - k] * taps[k];
            }
            out_a.push(sa);
            out_b.push(sb);
        }
        (out_a, out_b)
    }

    /// The weights w with `Σ_q w[q] · values[start + q]` = the interpolated smoothed value at
    /// mesh point t (reflection folded in, zero weights at both ends trimmed).
    pub(super) fn mesh_row(&self, t: f64) -> (usize, Vec<f64>) {
        let (i, r) = interp_position(t, self.e);
        let last = (self.e - 1) as isize;
        let mut row = vec![0.0; self.e];
        for (g, share) in [(i, 1.0 - r), (i + 1, r)] {
            if share == 0.0 {
                continue;
            }
            let centre = (g + self.e / 2) as isize;
            for (k, &w) in self.taps.iter().enumerate() {
                let mut q = centre - (self.first + k) as isize;
                if q < 0 {
                    q = -q;
                } else if q > last {
                    q = 2 * last - q;
                }
                row[q as usize] += share * w;
            }
        }
        let start = row.iter().position(|&w| w != 0.0).unwrap_or(0);
        let end = row.iter().rposition(|&w| w != 0.0).map_or(start, |p| p + 1);
        (start, row[start..end].to_vec())
    }

    /// relplot's `interpolate(t, smoothed)`.
    pub(super) fn interpolate(&self, smoothed: &[f64], t: &[f64]) -> Vec<f64> {
        t.iter()
            .map(|&x| {
                let (i, r) = interp_position(x, self.e);
                smoothed[i] * (1.0 - r) + smoothed[i + 1] * r
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synthetic(n: usize) -> (Vec<f64>, Vec<u8>) {
        let mut rng = SplitMix64::new(7);
        let mut s = Vec::with_capacity(n);
        let mut l = Vec::with_capacity(n);
        for _ in 0..n {
            let f = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
            let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
            s.push(f);
            l.push(u8::from(u < f * f));
        }
        (s, l)
    }

    #[test]
    fn grids_in_one_pass_equal_one_grid_per_weight_bit_for_bit() {
        let (s, y) = synthetic(5000);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for sigma in [1.0, 0.05, 0.004] {
            let kernel = Kernel::new(sigma);
            let weights = |i: usize| [f64::from(y[i]), 1.0, 1.0 / 5000.0, s[i] - f64::from(y[i])];
            let grids = kernel.round_to_grids(&s, weights);
            for (k, grid) in grids.iter().enumerate() {
                let one = kernel.round_to_grid(&s, |i| weights(i)[k]);
                assert_eq!(bits(grid), bits(&one), "σ {sigma}, weight {k}");
            }
        }
    }

    #[test]
    fn smoothing_at_the_mesh_equals_the_full_convolution_bit_for_bit() {
        let (s, y) = synthetic(4000);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        // Wide (every tap non-zero), middling, and narrow kernels (E > 1001, few taps); meshes
        // sparser than the grid (pairs of grid points), the smooth ECE's own, one as dense as
        // the grid (runs of neighbours), and the two ends alone.
        for sigma in [1.0, 0.3, 0.05, 0.004, 0.0011] {
            let kernel = Kernel::new(sigma);
            let [r, c, l] = kernel.round_to_grids(&s, |i| {
                let label = f64::from(y[i]);
                [s[i] - label, 1.0, label]
            });
            let own = round_half_even(10.0 / sigma).max(200.0) as usize;
            // The full convolutions, once per kernel: the meshes only read them.
            let (full_r, full_c) = kernel.convolve2_by_point(&r, &c);
            let (full_l, _) = kernel.convolve2_by_point(&l, &l);
            let trimmed = kernel.trimmed(1e-15);
            let (full, _) = trimmed.convolve2_by_point(&r, &r);
            for mesh in [
                linspace(DEFAULT_GRID),
                linspace(own),
                linspace(kernel.e),
                linspace(2),
            ] {
                let [at_r, at_c, at_l] = kernel.smooth_at([&r, &c, &l], &mesh);
                assert_eq!(
                    bits(&at_r),
                    bits(&kernel.interpolate(&full_r, &mesh)),
                    "σ {sigma}"
                );
                assert_eq!(
                    bits(&at_c),
                    bits(&kernel.interpolate(&full_c, &mesh)),
                    "σ {sigma}"
                );
                assert_eq!(
                    bits(&at_l),
                    bits(&kernel.interpolate(&full_l, &mesh)),
                    "σ {sigma}"
                );
                let [at] = trimmed.smooth_at([&r], &mesh);
                let want = trimmed.interpolate(&full, &mesh);
                assert_eq!(bits(&at), bits(&want), "trimmed σ {sigma}");
            }
        }
    }

    #[test]
    fn ece_with_curve_is_the_two_functions_bit_for_bit() {
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let (s, l) = synthetic(3000);
        // Calibrated rows: a small bandwidth, whose grid (E > 1001) is not the search's first.
        let mut rng = SplitMix64::new(11);
        let calibrated: (Vec<f64>, Vec<u8>) = (0..40_000)
            .map(|_| {
                let f = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
                let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
                (f, u8::from(u < f))
            })
            .unzip();
        let cases = [
            (s, l),
            calibrated,
            (vec![0.3; 50], vec![1; 50]),
            (vec![0.0, 1.0, 1.0], vec![0, 1, 0]),
            (vec![0.7], vec![1]),
        ];
        let mut grid_sizes = Vec::new();
        for (s, l) in &cases {
            let (fit, curve) = smooth_ece_with_curve(s, l, DEFAULT_GRID).unwrap();
            let want = smooth_ece(s, l).unwrap();
            assert_eq!(
                (fit.value.to_bits(), fit.sigma.to_bits()),
                (want.value.to_bits(), want.sigma.to_bits())
            );
            let want = smooth_reliability_curve(s, l, fit.sigma, DEFAULT_GRID).unwrap();
            let curve = curve.unwrap();
            assert_eq!(bits(&curve.x), bits(&want.x));
            assert_eq!(bits(&curve.y), bits(&want.y));
            assert_eq!(bits(&curve.density), bits(&want.density));
            assert!(smooth_ece_with_curve(s, l, 1).unwrap().1.is_none());
            grid_sizes.push(Kernel::new(fit.sigma).e);
        }
        assert!(
            grid_sizes.contains(&1001) && grid_sizes.iter().any(|&e| e > 1001),
            "{grid_sizes:?}"
        );
        assert!(smooth_ece_with_curve(&[0.5], &[2], DEFAULT_GRID).is_none());
        assert!(smooth_ece_with_curve(&[], &[], DEFAULT_GRID).is_none());
    }

    #[test]
    fn invalid_input_is_none() {
        assert!(smooth_ece(&[], &[]).is_none());
        assert!(smooth_ece(&[0.5], &[1, 0]).is_none());
        assert!(smooth_ece(&[1.5], &[1]).is_none());
        assert!(smooth_ece(&[f64::NAN], &[1]).is_none());
        assert!(smooth_ece(&[0.5], &[2]).is_none());
        assert!(smooth_ece_at(&[0.5], &[1], 0.0).is_none());
        assert!(smooth_ece_at(&[0.5], &[1], 1e-300).is_none());
        assert!(smooth_ece_at(&[0.5], &[1], f64::INFINITY).is_none());
        assert!(smooth_ece_at(&[0.5], &[1], 1e6).is_some());
        assert!(smooth_reliability_curve(&[0.5], &[1], 0.1, 1).is_none());
        assert!(smooth_band(&[0.5], &[1], 0, 1, 0.95).is_none());
        assert!(smooth_band(&[0.5], &[1], 10, 1, 1.0).is_none());
    }

    #[test]
    fn sigma_is_on_the_bisection_grid_and_value_is_its_smece() {
        let (s, l) = synthetic(3000);
        let r = smooth_ece(&s, &l).unwrap();
        assert_eq!((r.sigma * 1024.0).fract(), 0.0);
        assert!(r.sigma >= 2.0 / 1024.0 && r.sigma <= 1.0);
        assert_eq!(smooth_ece_at(&s, &l, r.sigma).unwrap(), r.value);
        // Fixed point: smECE(σ) ≤ σ and smECE(σ − 1/1024) > σ − 1/1024.
        assert!(r.value <= r.sigma);
        let below = r.sigma - 1.0 / 1024.0;
        assert!(smooth_ece_at(&s, &l, below).unwrap() > below);
    }

    #[test]
    fn perfectly_calibrated_on_a_grid_is_small() {
        // Ten score levels, each with exactly matching positive rates.
        let mut s = Vec::new();
        let mut l = Vec::new();
        for k in 0..10u32 {
            let p = f64::from(k) / 10.0 + 0.05;
            let pos = (p * 100.0).round() as usize;
            for i in 0..100 {
                s.push(p);
                l.push(u8::from(i < pos));
            }
        }
        let r = smooth_ece(&s, &l).unwrap();
        assert!(r.value < 0.02, "{r:?}");
    }

    #[test]
    fn rounding_matches_python() {
        assert_eq!(round_half_even(2.5), 2.0);
        assert_eq!(round_half_even(3.5), 4.0);
        assert_eq!(round_half_even(3.4), 3.0);
        assert_eq!(round_half_even(3.6), 4.0);
        assert_eq!(linspace(3), vec![0.0, 0.5, 1.0]);
        assert_eq!(linspace(1), vec![0.0]);
    }

    #[test]
    fn splitmix_known_values_and_bounds() {
        // Reference values of SplitMix64 seeded with 1234567 (from the published C code).
        let mut r = SplitMix64::new(1234567);
        assert_eq!(r.next_u64(), 6457827717110365317);
        assert_eq!(r.next_u64(), 3203168211198807973);
        let mut r = SplitMix64::new(3);
        for n in [1u64, 2, 3, 7, 1000, u64::MAX] {
            for _ in 0..100 {
                assert!(r.below(n) < n);
            }
        }
        assert_eq!(r.below(0), 0);
    }

    #[test]
    fn bootstrap_ci_of_the_mean_matches_normal_theory() {
        // Mean of 2000 Bernoulli(0.3) labels: CI half-width ≈ 1.96·√(0.21/2000) ≈ 0.0201.
        let n = 2000;
        let s: Vec<f64> = (0..n).map(|i| (i % 10) as f64 / 10.0).collect();
        let l: Vec<u8> = (0..n).map(|i| u8::from(i % 10 < 3)).collect();
        let mean = |_: &[f64], y: &[u8]| {
            Some(y.iter().map(|&v| f64::from(v)).sum::<f64>() / y.len() as f64)
        };
        let ci = bootstrap_ci(&s, &l, mean, 2000, 42, 0.95).unwrap();
        assert_eq!(ci.resamples, 2000);
        let half = (ci.upper - ci.lower) / 2.0;
        assert!((half - 0.0201).abs() < 0.002, "{ci:?}");
        assert!(((ci.upper + ci.lower) / 2.0 - 0.3).abs() < 0.003, "{ci:?}");
        // Reproducible and seed-dependent.
        assert_eq!(bootstrap_ci(&s, &l, mean, 2000, 42, 0.95), Some(ci));
        assert_ne!(bootstrap_ci(&s, &l, mean, 2000, 43, 0.95), Some(ci));
    }

    #[test]
    fn bootstrap_ci_skips_undefined_resamples() {
        let s = [0.1, 0.9];
        let l = [0u8, 1];
        // Defined only when both rows are present.
        let stat = |x: &[f64], _: &[u8]| (x[0] != x[1]).then_some(1.0);
        let ci = bootstrap_ci(&s, &l, stat, 400, 1, 0.9).unwrap();
        assert!(ci.resamples > 100 && ci.resamples < 300, "{ci:?}");
        assert!(bootstrap_ci(&s, &l, |_: &[f64], _: &[u8]| None, 10, 1, 0.9).is_none());
        assert!(bootstrap_ci(&s, &l[..1], stat, 10, 1, 0.9).is_none());
    }

    #[test]
    fn band_brackets_the_curve_where_data_are_dense() {
        let (s, l) = synthetic(2000);
        let sigma = smooth_ece(&s, &l).unwrap().sigma;
        let curve = smooth_reliability_curve(&s, &l, sigma, DEFAULT_GRID).unwrap();
        let band = smooth_band(&s, &l, 200, 9, 0.95).unwrap();
        assert_eq!(band.x, curve.x);
        let mut inside = 0;
        for k in 0..band.x.len() {
            assert!(band.lower[k] <= band.upper[k]);
            if band.lower[k] - 1e-3 <= curve.y[k] && curve.y[k] <= band.upper[k] + 1e-3 {
                inside += 1;
            }
        }
        assert!(inside >= 190, "{inside}");
        assert_eq!(smooth_band(&s, &l, 200, 9, 0.95).unwrap(), band);
    }

    /// The `usize` index formula `grid_position` replaced, as it was.
    fn grid_position_by_usize(f: f64, e: usize) -> (usize, f64) {
        let scaled = f * (e - 1) as f64;
        let b = (scaled as usize).min(e - 2);
        (b, scaled - b as f64)
    }

    #[test]
    fn grid_position_edges_and_huge_grids() {
        for e in [
            2usize,
            3,
            1001,
            1281,
            100_001,
            (1 << 32) + 1,
            (1 << 32) + 2,
            1 << 40,
        ] {
            for f in [
                0.0,
                -0.0,
                1.0,
                0.5,
                1e-300,
                -0.25,
                2.0,
                1e300,
                f64::NAN,
                f64::INFINITY,
            ] {
                let (b, frac) = grid_position(f, e);
                let (rb, rfrac) = grid_position_by_usize(f, e);
                assert_eq!((b, frac.to_bits()), (rb, rfrac.to_bits()), "f {f}, E {e}");
            }
        }
    }

    proptest::proptest! {
        /// The `u32` conversion gives the `usize` formula's index and weight, bit for bit,
        /// for any f64 (in [0, 1] or not) and any grid size.
        #[test]
        fn grid_position_is_the_usize_formula(
            f in proptest::prop_oneof![0.0..=1.0f64, proptest::num::f64::ANY],
            e in proptest::prop_oneof![2usize..300_000, 2usize..usize::MAX / 2],
        ) {
            let (b, frac) = grid_position(f, e);
            let (rb, rfrac) = grid_position_by_usize(f, e);
            proptest::prop_assert_eq!((b, frac.to_bits()), (rb, rfrac.to_bits()));
        }
    }
}
