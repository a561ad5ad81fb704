//! A binned Poisson bootstrap for large windows: the ECE interval, the smooth-ECE interval and
//! the smoothed reliability band from one set of resamples, in O(n + B · (A + E · T)) instead of
//! the row bootstrap's O(B · n · 3) random draws (B resamples, A atoms, E and T the kernel grid
//! and its taps).
//!
//! **Atoms.** Rows are grouped into *atoms*: rows with the same label, the same score cell
//! `⌊s · 2¹⁴⌋`, the same uniform reliability bin and the same relplot grid interval
//! `⌊s · (E − 1)⌋` (E from the full sample's smooth-ECE bandwidth σ). An atom keeps its row
//! count and its mean score s̄ (clamped into the atom's [min, max]), so each atom spans less than
//! 2⁻¹⁴ ≈ 6.1 × 10⁻⁵ of score and never straddles a uniform bin edge or a kernel grid point.
//! There are at most 2 · (2¹⁴ + E + bins) atoms, whatever n is.
//!
//! **Resamples.** Each resample gives atom a the count k_a ~ Poisson(n_a) (independently), which
//! is the Poisson bootstrap (Hanley & MacGibbon 2006; Chamandy et al. 2012): every row gets a
//! Poisson(1) multiplicity, and a sum of independent Poisson(1) draws over the n_a rows of an
//! atom is Poisson(n_a). It differs from the multinomial (row) bootstrap only in that the
//! resample size Σ k_a is Poisson(n) instead of exactly n; the statistics here are normalised
//! by the resample size, so this changes their bootstrap distribution by O(1/n). Poisson draws
//! use inversion below a mean of 10 (sequential search in the CDF, tabulated once per atom size:
//! one uniform per draw; Devroye 1986 §X.3) and Hörmann's PTRS (1993, as NumPy's
//! `random_poisson_ptrs`, its constants computed once per atom size) above; the generator is the
//! same seeded [`SplitMix64`] as the row bootstrap.
//!
//! **What is exact and what is approximated.** Given the counts, every statistic is computed
//! exactly on the *rounded log* in which each row's score is replaced by its atom's mean:
//! * ECE (uniform bins): the bins of the rounded log are those of the real log (atoms do not
//!   straddle edges), and replacing scores by atom means moves each bin's mean score by less
//!   than the atom width, so |ECE(rounded) − ECE(real rows drawn)| < 2⁻¹⁴ for any resample;
//! * ECE (quantile bins): the edges are NumPy's linear-interpolation percentiles of the rounded
//!   resample, as `calibration_curve` would compute them on it;
//! * smooth ECE and the band: relplot spreads a score linearly onto its grid interval, which is
//!   affine in the score inside an interval, so the count and label grids are exact; only the
//!   score part of the residual grid (Σ k·s̄·(1 − frac)) differs, by less than the atom width
//!   per unit of weight. The convolution drops kernel taps below 10⁻¹⁵ of the peak.
//!
//! So the interval is the Poisson bootstrap interval of a log whose scores moved by less than
//! 2⁻¹⁴; `tests/binned_bootstrap.rs` checks it against the row bootstrap on the same data.
//! The three statistics share resamples (one seed), unlike the row path's three seeds.

use super::calibration::{calibration_errors, uniform_edges};
use super::drift::quantile_sorted;
use super::smooth::{
    BootstrapCi, DEFAULT_GRID, Kernel, SMOOTH_EPS, SmoothBand, SplitMix64, grid_position, linspace,
    smooth_ece_from_grid,
};
use crate::core::report::{BinStrategy, ReliabilityBin};
use statrs::function::gamma::ln_gamma;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Windows with more rows than this use the binned bootstrap in `analysis::window_report`;
/// smaller ones keep the exact row bootstrap (whose draws the goldens and tests pin).
pub const ROW_BOOTSTRAP_MAX_ROWS: usize = 20_000;

/// Score cells per unit of score: atoms are narrower than 1/`CELLS`.
pub const CELLS: usize = 1 << 14;

/// Kernel taps below this fraction of the peak are dropped in the bootstrap's convolutions.
const TAP_FLOOR: f64 = 1e-15;

/// Rows grouped by label, score cell, uniform bin and kernel grid interval (see module doc).
#[derive(Debug, Clone, PartialEq)]
pub struct Atoms {
    /// Mean score of each atom's rows (in [0, 1]), atoms sorted by score then label.
    pub score: Vec<f64>,
    /// The atom's label (0 or 1).
    pub label: Vec<u8>,
    /// Rows in the atom (≥ 1).
    pub count: Vec<u64>,
}

impl Atoms {
    /// Group valid rows (`scores` in [0, 1], `labels` 0/1, equal lengths) into atoms; `n_bins`
    /// uniform reliability bins and a kernel grid of `grid` points (≥ 2) are never straddled.
    /// `None` for invalid input or `n_bins == 0`.
    pub fn new(scores: &[f64], labels: &[u8], n_bins: usize, grid: usize) -> Option<Self> {
        let valid = scores.len() == labels.len()
            && n_bins > 0
            && grid >= 2
            && scores.iter().all(|s| (0.0..=1.0).contains(s))
            && labels.iter().all(|&y| y <= 1);
        if !valid {
            return None;
        }
        let edges = uniform_edges(n_bins);
        let inner = &edges[1..n_bins];
        // (sum, min, max, count) per key.
        let mut index: HashMap<u64, usize, BuildHasherDefault<MixHasher>> = HashMap::default();
        let mut acc: Vec<(f64, f64, f64, u64, u8)> = Vec::new();
        for (&s, &y) in scores.iter().zip(labels) {
            let cell = ((s * CELLS as f64) as u64).min(CELLS as u64 - 1);
            let bin = inner.partition_point(|&e| e < s) as u64;
            let g = grid_position(s, grid).0 as u64;
            let key = (cell << 49) | (bin << 28) | (g << 1) | u64::from(y);
            let next = acc.len();
            let a = *index.entry(key).or_insert(next);
            if a == next {
                acc.push((0.0, s, s, 0, y));
            }
            let t = &mut acc[a];
            t.0 += s;
            t.1 = t.1.min(s);
            t.2 = t.2.max(s);
            t.3 += 1;
        }
        let mut atoms: Vec<(f64, u8, u64)> = acc
            .into_iter()
            .map(|(sum, lo, hi, k, y)| ((sum / k as f64).clamp(lo, hi), y, k))
            .collect();
        atoms.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        Some(Self {
            score: atoms.iter().map(|a| a.0).collect(),
            label: atoms.iter().map(|a| a.1).collect(),
            count: atoms.iter().map(|a| a.2).collect(),
        })
    }

    /// Number of atoms.
    pub fn len(&self) -> usize {
        self.count.len()
    }

    /// True when there are no atoms (no rows).
    pub fn is_empty(&self) -> bool {
        self.count.is_empty()
    }
}

/// The three bootstrap results of one window.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BinnedIntervals {
    /// Percentile interval of the ECE.
    pub ece: Option<BootstrapCi>,
    /// Percentile interval of smECE at the full sample's σ (`None` without σ).
    pub smooth_ece: Option<BootstrapCi>,
    /// Pointwise band of the smoothed reliability curve on [`DEFAULT_GRID`] points.
    pub band: Option<SmoothBand>,
}

/// What to compute: the ECE binning, σ of the full sample (for smECE and the band), the
/// resample count, the seed and the confidence level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BinnedSettings {
    /// Reliability bins of the ECE.
    pub bins: usize,
    /// Their strategy.
    pub strategy: BinStrategy,
    /// smooth-ECE bandwidth of the full sample; `None` skips smECE and the band.
    pub sigma: Option<f64>,
    /// Resamples (0 gives no intervals).
    pub n_boot: usize,
    /// Seed of the generator.
    pub seed: u64,
    /// Confidence level in (0, 1).
    pub confidence: f64,
}

/// The binned Poisson bootstrap (module doc) of the ECE, smECE and the smooth band.
/// Resamples with no rows, or on which a statistic is undefined, are skipped for it.
pub fn binned_intervals(scores: &[f64], labels: &[u8], set: &BinnedSettings) -> BinnedIntervals {
    let sigma = set
        .sigma
        .filter(|s| s.is_finite() && *s >= super::smooth::MIN_SIGMA);
    if set.n_boot == 0 || !(set.confidence > 0.0 && set.confidence < 1.0) || set.bins == 0 {
        return BinnedIntervals::default();
    }
    let kernel = sigma.map(|s| Kernel::new(s).trimmed(TAP_FLOOR));
    let grid = kernel.as_ref().map_or(2, |k| k.e);
    let Some(atoms) = Atoms::new(scores, labels, set.bins, grid) else {
        return BinnedIntervals::default();
    };
    if atoms.is_empty() {
        return BinnedIntervals::default();
    }
    let placed: Vec<(usize, f64)> = atoms
        .score
        .iter()
        .map(|&s| grid_position(s, grid))
        .collect();
    let uniform = uniform_edges(set.bins);
    let uniform_bin: Vec<usize> = atoms
        .score
        .iter()
        .map(|&s| uniform[1..set.bins].partition_point(|&e| e < s))
        .collect();
    let mesh_x = linspace(DEFAULT_GRID);
    let rows: Vec<(usize, Vec<f64>)> = match &kernel {
        Some(k) => mesh_x.iter().map(|&t| k.mesh_row(t)).collect(),
        None => Vec::new(),
    };

    // One sampler per distinct atom size (sizes repeat: most atoms hold few rows).
    let mut samplers: Vec<PoissonSampler> = Vec::new();
    let mut sampler_of_size: HashMap<u64, u32> = HashMap::new();
    let sampler_of_atom: Vec<u32> = atoms
        .count
        .iter()
        .map(|&c| {
            *sampler_of_size.entry(c).or_insert_with(|| {
                samplers.push(PoissonSampler::new(c as f64));
                (samplers.len() - 1) as u32
            })
        })
        .collect();
    let mut ln_fact = LnFactorials::default();
    let mut rng = SplitMix64::new(set.seed);
    let mut k = vec![0u64; atoms.len()];
    let (mut eces, mut smooths) = (Vec::with_capacity(set.n_boot), Vec::new());
    let mut curves: Vec<Vec<f64>> = vec![Vec::with_capacity(set.n_boot); rows.len()];
    let (mut count_grid, mut label_grid, mut residual_grid) =
        (vec![0.0; grid], vec![0.0; grid], vec![0.0; grid]);
    for _ in 0..set.n_boot {
        let mut total = 0u64;
        for (slot, &which) in k.iter_mut().zip(&sampler_of_atom) {
            *slot = samplers[which as usize].draw(&mut rng, &mut ln_fact);
            total += *slot;
        }
        if total == 0 {
            continue;
        }
        let bins = match set.strategy {
            BinStrategy::Uniform => uniform_bins(&atoms, &k, &uniform_bin, &uniform),
            BinStrategy::Quantile => quantile_bins(&atoms, &k, total, set.bins),
        };
        if let Some(e) = calibration_errors(&bins)
            .map(|e| e.ece)
            .filter(|v| v.is_finite())
        {
            eces.push(e);
        }
        let (Some(kernel), Some(sigma)) = (&kernel, sigma) else {
            continue;
        };
        fill_grids(
            &atoms,
            &k,
            &placed,
            [&mut count_grid, &mut label_grid, &mut residual_grid],
        );
        let v = smooth_ece_from_grid(kernel, &residual_grid, &count_grid, sigma);
        if v.is_finite() {
            smooths.push(v);
        }
        for (curve, (start, row)) in curves.iter_mut().zip(&rows) {
            let (nw, dw) = (
                &label_grid[*start..*start + row.len()],
                &count_grid[*start..*start + row.len()],
            );
            let (mut a, mut d) = (0.0, 0.0);
            for q in 0..row.len() {
                a += row[q] * nw[q];
                d += row[q] * dw[q];
            }
            curve.push(a / (d + SMOOTH_EPS));
        }
    }
    let lo_q = (1.0 - set.confidence) / 2.0;
    let ci = |mut v: Vec<f64>| {
        v.sort_unstable_by(f64::total_cmp);
        Some(BootstrapCi {
            lower: quantile_sorted(&v, lo_q)?,
            upper: quantile_sorted(&v, 1.0 - lo_q)?,
            resamples: v.len(),
        })
    };
    let band = (!rows.is_empty())
        .then(|| {
            let mut lower = Vec::with_capacity(curves.len());
            let mut upper = Vec::with_capacity(curves.len());
            for mut c in curves {
                c.sort_unstable_by(f64::total_cmp);
                lower.push(quantile_sorted(&c, lo_q)?);
                upper.push(quantile_sorted(&c, 1.0 - lo_q)?);
            }
            Some(SmoothBand {
                x: mesh_x,
                lower,
                upper,
            })
        })
        .flatten();
    BinnedIntervals {
        ece: ci(eces),
        smooth_ece: sigma.and_then(|_| ci(smooths)),
        band,
    }
}

/// relplot's grid values for atom counts `k`: [count, label, residual (s̄ − y)] weights.
fn fill_grids(atoms: &Atoms, k: &[u64], placed: &[(usize, f64)], grids: [&mut Vec<f64>; 3]) {
    let [count_grid, label_grid, residual_grid] = grids;
    for v in [&mut *count_grid, &mut *label_grid, &mut *residual_grid] {
        v.iter_mut().for_each(|x| *x = 0.0);
    }
    for (a, &ka) in k.iter().enumerate() {
        if ka == 0 {
            continue;
        }
        let (b, frac) = placed[a];
        let w = ka as f64;
        let y = f64::from(atoms.label[a]);
        let r = w * (atoms.score[a] - y);
        count_grid[b] += (1.0 - frac) * w;
        count_grid[b + 1] += frac * w;
        label_grid[b] += (1.0 - frac) * w * y;
        label_grid[b + 1] += frac * w * y;
        residual_grid[b] += (1.0 - frac) * r;
        residual_grid[b + 1] += frac * r;
    }
}

/// The ECE of the rounded log with each atom taken `counts[a]` times, binned as
/// `calibration_curve` would bin that log (`None` without rows or bins). One resample's ECE.
pub fn ece_of_counts(
    atoms: &Atoms,
    counts: &[u64],
    n_bins: usize,
    strategy: BinStrategy,
) -> Option<f64> {
    if counts.len() != atoms.len() || n_bins == 0 {
        return None;
    }
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return None;
    }
    let bins = match strategy {
        BinStrategy::Uniform => {
            let edges = uniform_edges(n_bins);
            let bin: Vec<usize> = atoms
                .score
                .iter()
                .map(|&s| edges[1..n_bins].partition_point(|&e| e < s))
                .collect();
            uniform_bins(atoms, counts, &bin, &edges)
        }
        BinStrategy::Quantile => quantile_bins(atoms, counts, total, n_bins),
    };
    calibration_errors(&bins).map(|e| e.ece)
}

/// smECE at `sigma` of the rounded log with each atom taken `counts[a]` times (atoms built for
/// the grid of that σ; see [`kernel_grid`]). One resample's smooth ECE.
pub fn smooth_ece_of_counts(atoms: &Atoms, counts: &[u64], sigma: f64) -> Option<f64> {
    if counts.len() != atoms.len()
        || !(sigma.is_finite() && sigma >= super::smooth::MIN_SIGMA)
        || counts.iter().all(|&k| k == 0)
    {
        return None;
    }
    let kernel = Kernel::new(sigma).trimmed(TAP_FLOOR);
    let placed: Vec<(usize, f64)> = atoms
        .score
        .iter()
        .map(|&s| grid_position(s, kernel.e))
        .collect();
    let (mut c, mut l, mut r) = (
        vec![0.0; kernel.e],
        vec![0.0; kernel.e],
        vec![0.0; kernel.e],
    );
    fill_grids(atoms, counts, &placed, [&mut c, &mut l, &mut r]);
    Some(smooth_ece_from_grid(&kernel, &r, &c, sigma))
}

/// The size E of relplot's kernel grid at bandwidth σ (what [`Atoms::new`] needs as `grid`).
pub fn kernel_grid(sigma: f64) -> usize {
    Kernel::new(sigma).e
}

/// Reliability bins of a resample with fixed uniform bins (counts `k` per atom).
fn uniform_bins(atoms: &Atoms, k: &[u64], bin: &[usize], edges: &[f64]) -> Vec<ReliabilityBin> {
    let n_bins = edges.len() - 1;
    let mut count = vec![0u64; n_bins];
    let mut positives = vec![0u64; n_bins];
    let mut score = vec![0.0; n_bins];
    for a in 0..atoms.len() {
        let (b, ka) = (bin[a], k[a]);
        count[b] += ka;
        positives[b] += ka * u64::from(atoms.label[a]);
        score[b] += ka as f64 * atoms.score[a];
    }
    summarise(edges, &count, &positives, &score)
}

/// Reliability bins of a resample with NumPy-percentile edges computed on the resample.
fn quantile_bins(atoms: &Atoms, k: &[u64], total: u64, n_bins: usize) -> Vec<ReliabilityBin> {
    // The sorted resample is atom a's score repeated k[a] times, atoms in score order.
    let last = total - 1;
    let last_f = last as f64;
    let mut cursor = (0usize, 0u64); // (atom, rows before it)
    let mut value_at = |j: u64| -> f64 {
        while cursor.0 + 1 < atoms.len() && cursor.1 + k[cursor.0] <= j {
            cursor.1 += k[cursor.0];
            cursor.0 += 1;
        }
        atoms.score[cursor.0]
    };
    let edges: Vec<f64> = uniform_edges(n_bins)
        .into_iter()
        .map(|q| {
            let q = (q * 100.0) / 100.0;
            let virtual_index = last_f * q;
            if virtual_index >= last_f {
                return value_at(last);
            }
            let previous = virtual_index.floor();
            let gamma = virtual_index - previous;
            let i = previous as u64;
            let (a, b) = (value_at(i), value_at(i + 1));
            let diff = b - a;
            if gamma >= 0.5 {
                b - diff * (1.0 - gamma)
            } else {
                a + diff * gamma
            }
        })
        .collect();
    let inner = &edges[1..n_bins];
    let mut count = vec![0u64; n_bins];
    let mut positives = vec![0u64; n_bins];
    let mut score = vec![0.0; n_bins];
    for (a, &ka) in k.iter().enumerate() {
        if ka == 0 {
            continue;
        }
        let b = inner.partition_point(|&e| e < atoms.score[a]);
        count[b] += ka;
        positives[b] += ka * u64::from(atoms.label[a]);
        score[b] += ka as f64 * atoms.score[a];
    }
    summarise(&edges, &count, &positives, &score)
}

/// Non-empty bins with their mean score and observed rate (intervals not needed: zeros).
fn summarise(
    edges: &[f64],
    count: &[u64],
    positives: &[u64],
    score: &[f64],
) -> Vec<ReliabilityBin> {
    (0..count.len())
        .filter(|&b| count[b] > 0)
        .map(|b| ReliabilityBin {
            lower: edges[b],
            upper: edges[b + 1],
            count: count[b],
            positives: positives[b],
            mean_score: score[b] / count[b] as f64,
            observed_rate: positives[b] as f64 / count[b] as f64,
            ci_lower: 0.0,
            ci_upper: 0.0,
        })
        .collect()
}

/// A uniform double in [0, 1) from the top 53 bits.
fn uniform01(rng: &mut SplitMix64) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A Poisson(`mean`) draw: sequential-search inversion of the tabulated CDF below a mean of 10,
/// Hörmann's PTRS above (see [`PoissonSampler`]). 0 for a mean that is not positive and finite.
pub fn poisson(rng: &mut SplitMix64, mean: f64) -> u64 {
    PoissonSampler::new(mean).draw(rng, &mut LnFactorials::default())
}

/// Means below this are drawn by inverting a tabulated CDF, the others by PTRS (NumPy's split).
const INVERSION_MAX_MEAN: f64 = 10.0;

/// A Poisson sampler for one fixed mean with its set-up done once. The binned bootstrap draws
/// every atom's count B times with the same mean, so the CDF table (small means) or PTRS's
/// square root and logarithms (large means) are computed once, not per draw.
#[derive(Debug, Clone, PartialEq)]
pub enum PoissonSampler {
    /// A mean that is not positive and finite: always 0.
    Zero,
    /// Mean below 10: inversion by sequential search (Devroye 1986, §X.3.3). One uniform u per
    /// draw; the draw is the least k with u < F(k), F the Poisson CDF tabulated by the
    /// recurrence p(0) = e^(−λ), p(k) = p(k − 1)·λ/k until it no longer changes in f64, and the
    /// same recurrence continued in the rare case that u lies beyond the table.
    Inversion {
        /// The mean λ.
        mean: f64,
        /// F(0), F(1), … (non-decreasing, last value within an ulp or two of 1).
        cdf: Vec<f64>,
        /// p(k) at the table's last k.
        last_pmf: f64,
    },
    /// Mean of 10 or more: Hörmann's (1993) transformed rejection with squeeze, NumPy's
    /// `random_poisson_ptrs`, with its constants.
    Ptrs {
        /// The mean λ.
        mean: f64,
        /// ln λ.
        loglam: f64,
        /// b = 0.931 + 2.53·√λ.
        b: f64,
        /// a = −0.059 + 0.02483·b.
        a: f64,
        /// ln(1/α) with 1/α = 1.1239 + 1.1328/(b − 3.4).
        ln_invalpha: f64,
        /// v_r = 0.9277 − 3.6224/(b − 2).
        vr: f64,
    },
}

impl PoissonSampler {
    /// The sampler of Poisson(`mean`).
    pub fn new(mean: f64) -> Self {
        if !(mean > 0.0 && mean.is_finite()) {
            return Self::Zero;
        }
        if mean < INVERSION_MAX_MEAN {
            let mut p = (-mean).exp();
            let mut f = p;
            let mut cdf = vec![f];
            // Past the mode the terms only shrink: stop once adding one changes nothing.
            // (λ < 10 reaches that within ~50 terms; the cap only guards the loop.)
            for k in 1..1000u32 {
                let next = p * mean / f64::from(k);
                if f64::from(k) > mean && f + next == f {
                    break;
                }
                p = next;
                f += p;
                cdf.push(f);
            }
            return Self::Inversion {
                mean,
                cdf,
                last_pmf: p,
            };
        }
        let slam = mean.sqrt();
        let b = 0.931 + 2.53 * slam;
        let invalpha: f64 = 1.1239 + 1.1328 / (b - 3.4);
        Self::Ptrs {
            mean,
            loglam: mean.ln(),
            b,
            a: -0.059 + 0.02483 * b,
            ln_invalpha: invalpha.ln(),
            vr: 0.9277 - 3.6224 / (b - 2.0),
        }
    }

    /// One draw; `ln_fact` caches ln Γ(k + 1) across PTRS draws (any cache gives the same draw).
    pub fn draw(&self, rng: &mut SplitMix64, ln_fact: &mut LnFactorials) -> u64 {
        match self {
            Self::Zero => 0,
            Self::Inversion {
                mean,
                cdf,
                last_pmf,
            } => {
                let u = uniform01(rng);
                let k = cdf.partition_point(|&f| f <= u);
                if k < cdf.len() {
                    return k as u64;
                }
                // u beyond the tabulated mass (probability ≈ 1e-16): continue the recurrence;
                // stop where the terms vanish (F rounds below u only by an ulp there).
                let (mut k, mut p, mut f) = (cdf.len() - 1, *last_pmf, cdf[cdf.len() - 1]);
                loop {
                    k += 1;
                    p *= mean / k as f64;
                    f += p;
                    if u < f || p == 0.0 {
                        return k as u64;
                    }
                }
            }
            &Self::Ptrs {
                mean,
                loglam,
                b,
                a,
                ln_invalpha,
                vr,
            } => loop {
                let u = uniform01(rng) - 0.5;
                let v = uniform01(rng);
                let us = 0.5 - u.abs();
                let k = ((2.0 * a / us + b) * u + mean + 0.43).floor();
                if us >= 0.07 && v <= vr {
                    return k as u64;
                }
                if k < 0.0 || (us < 0.013 && v > us) {
                    continue;
                }
                if v.ln() + ln_invalpha - (a / (us * us) + b).ln()
                    <= -mean + k * loglam - ln_fact.get(k)
                {
                    return k as u64;
                }
            },
        }
    }
}

/// A cache of ln Γ(k + 1) = ln k! for small integers k (statrs' `ln_gamma`, so a cached value is
/// the very value a direct call returns).
#[derive(Debug, Clone, Default)]
pub struct LnFactorials {
    values: Vec<f64>,
}

impl LnFactorials {
    /// Integers at or above this are not cached (at most 512 KiB of cache).
    const CACHED: usize = 1 << 16;

    /// ln Γ(k + 1) for an integral k ≥ 0.
    pub fn get(&mut self, k: f64) -> f64 {
        let i = k as usize;
        if i >= Self::CACHED {
            return ln_gamma(k + 1.0);
        }
        if i >= self.values.len() {
            self.values.resize(i + 1, f64::NAN);
        }
        let v = self.values[i];
        if v.is_nan() {
            let v = ln_gamma(k + 1.0);
            self.values[i] = v;
            v
        } else {
            v
        }
    }
}

/// A fast hasher for the packed atom keys (SplitMix64's finaliser).
#[derive(Default)]
struct MixHasher(u64);

impl Hasher for MixHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u64(&mut self, x: u64) {
        let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        self.0 = z ^ (z >> 31);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_mean_and_variance_match() {
        let mut rng = SplitMix64::new(3);
        for mean in [0.5, 3.0, 9.9, 10.0, 57.0, 1234.5] {
            let n = 40_000;
            let draws: Vec<f64> = (0..n).map(|_| poisson(&mut rng, mean) as f64).collect();
            let m = draws.iter().sum::<f64>() / n as f64;
            let v = draws.iter().map(|d| (d - m) * (d - m)).sum::<f64>() / (n - 1) as f64;
            // Standard errors: √(mean/n) for the mean, ≈ mean·√(2/n) for the variance.
            assert!(
                (m - mean).abs() < 5.0 * (mean / n as f64).sqrt(),
                "{mean}: {m}"
            );
            assert!(
                (v - mean).abs() < 6.0 * mean * (2.0 / n as f64).sqrt(),
                "{mean}: {v}"
            );
        }
        assert_eq!(poisson(&mut rng, 0.0), 0);
        assert_eq!(poisson(&mut rng, f64::NAN), 0);
    }

    /// The inversion sampler's frequencies match the Poisson pmf (Pearson χ² over the cells
    /// with expected count ≥ 5, tail pooled; the 0.999 quantile of χ² with ≤ 25 df is < 53).
    #[test]
    fn inversion_frequencies_match_the_pmf() {
        let mut rng = SplitMix64::new(11);
        let mut ln_fact = LnFactorials::default();
        for mean in [0.25, 1.0, 4.0, 9.99] {
            let sampler = PoissonSampler::new(mean);
            assert!(matches!(sampler, PoissonSampler::Inversion { .. }));
            let n = 200_000;
            let mut counts = vec![0u64; 64];
            for _ in 0..n {
                let k = sampler.draw(&mut rng, &mut ln_fact) as usize;
                counts[k.min(63)] += 1;
            }
            let (mut chi2, mut p, mut below) = (0.0, (-mean).exp(), 0.0);
            let mut cells = 0;
            for (k, &c) in counts.iter().enumerate() {
                if k > 0 {
                    p *= mean / k as f64;
                }
                let expected = n as f64 * p;
                if expected < 5.0 && k as f64 > mean {
                    // Pool this cell and the whole tail.
                    let rest: u64 = counts[k..].iter().sum();
                    let e = n as f64 * (1.0 - below);
                    chi2 += (rest as f64 - e).powi(2) / e;
                    cells += 1;
                    break;
                }
                below += p;
                chi2 += (c as f64 - expected).powi(2) / expected;
                cells += 1;
            }
            assert!(
                cells >= 2 && chi2 < 53.0,
                "{mean}: χ² = {chi2} over {cells} cells"
            );
        }
    }

    #[test]
    fn samplers_of_zero_and_invalid_means() {
        let mut rng = SplitMix64::new(1);
        let mut ln_fact = LnFactorials::default();
        for mean in [0.0, -1.0, f64::INFINITY, f64::NAN] {
            assert_eq!(PoissonSampler::new(mean), PoissonSampler::Zero);
            assert_eq!(PoissonSampler::new(mean).draw(&mut rng, &mut ln_fact), 0);
        }
        // The tabulated CDF ends at 1 to rounding.
        let PoissonSampler::Inversion { cdf, .. } = PoissonSampler::new(9.5) else {
            panic!("inversion below 10");
        };
        assert!((cdf[cdf.len() - 1] - 1.0).abs() < 1e-12);
        assert!(cdf.windows(2).all(|w| w[0] <= w[1]));
    }

    /// Cached ln k! are the values of a direct call.
    #[test]
    fn ln_factorials_cache_is_exact() {
        let mut c = LnFactorials::default();
        for k in [0.0, 1.0, 5.0, 170.0, 65535.0, 65536.0, 1e6, 5.0] {
            assert_eq!(c.get(k).to_bits(), ln_gamma(k + 1.0).to_bits());
        }
    }

    #[test]
    fn atoms_keep_rows_and_do_not_straddle_bins() {
        let mut rng = SplitMix64::new(9);
        let n = 50_000;
        let s: Vec<f64> = (0..n).map(|_| uniform01(&mut rng)).collect();
        let l: Vec<u8> = s
            .iter()
            .map(|&p| u8::from(uniform01(&mut rng) < p))
            .collect();
        let atoms = Atoms::new(&s, &l, 10, 1001).unwrap();
        assert_eq!(atoms.count.iter().sum::<u64>(), n as u64);
        assert!(atoms.len() <= 2 * (CELLS + 1001 + 10));
        assert_eq!(
            atoms
                .count
                .iter()
                .zip(&atoms.label)
                .map(|(k, &y)| k * u64::from(y))
                .sum::<u64>(),
            l.iter().map(|&y| u64::from(y)).sum::<u64>()
        );
        // Score mass is kept to rounding.
        let mass: f64 = atoms
            .score
            .iter()
            .zip(&atoms.count)
            .map(|(s, &k)| s * k as f64)
            .sum();
        assert!((mass - s.iter().sum::<f64>()).abs() < 1e-6);
        // The rounded log (scores replaced by atom means) has the real log's uniform bins.
        let mut rounded_s = Vec::with_capacity(n);
        let mut rounded_l = Vec::with_capacity(n);
        for a in 0..atoms.len() {
            for _ in 0..atoms.count[a] {
                rounded_s.push(atoms.score[a]);
                rounded_l.push(atoms.label[a]);
            }
        }
        let bins = |s: &[f64], l: &[u8]| {
            crate::core::metrics::calibration::reliability_bins(
                s,
                l,
                10,
                BinStrategy::Uniform,
                crate::core::report::IntervalMethod::Wilson,
                0.95,
            )
            .unwrap()
        };
        let (real, rounded) = (bins(&s, &l), bins(&rounded_s, &rounded_l));
        assert_eq!(real.len(), rounded.len());
        for (r, q) in real.iter().zip(&rounded) {
            assert_eq!((r.count, r.positives), (q.count, q.positives));
            assert!((r.mean_score - q.mean_score).abs() < 1.0 / CELLS as f64);
        }
        assert!(Atoms::new(&[1.5], &[0], 10, 1001).is_none());
        assert!(Atoms::new(&[0.5], &[2], 10, 1001).is_none());
        assert!(Atoms::new(&[0.5], &[0, 1], 10, 1001).is_none());
    }
}
