//! Metrics of a [`ScoreSummary`], each exact or within a stated bound of the raw rows' value.
//!
//! Ranking uses one representative score per non-empty slot: the edge `e_j` for an atom, and
//! for the open cell `(e_j, e_{j+1})` the smallest double above `e_j` (so `rep ≥ t` ⟺
//! `s > e_j` for every threshold `t ≤ rep`). Rows in one open cell become ties.
//!
//! - **Counts, positive rate, mean score, calibration-in-the-large, observed/expected**: exact
//!   (sums in floating point, ~1e-15 relative).
//! - **Brier score**: `(Σ s² − 2 Σ_{y=1} s + P) / n`, since `(s − y)² = s² − 2sy + y`: exact up
//!   to rounding. **Log loss**: `Σ log_loss_sum / n`, exact at `ε = f64::EPSILON` (the stored
//!   clip); with another `settings.log_loss_eps` it is left out.
//! - **Confusion counts at a threshold `t`**: exact when `t` is an edge `e_j` or lies in an atom
//!   (at most the rows of the one open cell that contains `t` are misplaced otherwise). The
//!   report's sweep `0, 0.01, …, 1` is exact when `K` is a multiple of 100.
//! - **ROC AUC** (ties ½, as `roc_auc_score`): the trapezoid over slots counts every
//!   positive–negative pair inside one open cell as ½; its true contribution is 0, ½ or 1. So
//!   `|AUC_exact − AUC_cells| ≤ Σ_c P_c·N_c / (2·P·N)` over open cells `c` ([`auc_bound`]),
//!   0 when every score sits on an atom.
//! - **KS separation** `max_t |F₁(t) − F₀(t)|` evaluated at the slot boundaries is a lower bound
//!   of the exact value, which exceeds it by at most `max_c max(P_c/P, N_c/N)` over open cells
//!   ([`ks_bound`]).
//! - **Average precision, ROC/PR points**: those of the rows with scores rounded to their slot;
//!   no closed-form bound is claimed (the tests measure the difference).
//! - **Reliability bins** (uniform strategy, `B` bins with `K` a multiple of `B`): every bin is
//!   a union of slots, so counts, positives and mean scores are exact, and with them ECE, MCE,
//!   RMSCE, ACE, the Brier decomposition and the Clopper–Pearson/Wilson intervals. (The one
//!   exception: a score within one ulp above an edge `i·(1/B)` that rounds differently from
//!   `e_j`, e.g. `0.30000000000000004` for `B = 10`.) Quantile bins or `K mod B ≠ 0`: left out.
//! - **Score histogram** (20 bins): exact when `K` is a multiple of 20.

use crate::core::analysis::{self, HISTOGRAM_BINS, SWEEP_STEPS};
use crate::core::metrics::intervals::binomial_interval;
use crate::core::metrics::ranking::RankSummary;
use crate::core::metrics::{calibration, ranking, threshold};
use crate::core::report::{BinStrategy, ReliabilityBin, ScoreHistogram, Settings, WindowReport};

use super::sketch::{ScoreSummary, SlotKind};

/// The ranking representative of a slot (see the module doc).
pub fn rank_score(summary: &ScoreSummary, slot: usize) -> f64 {
    match summary.kind(slot) {
        SlotKind::Atom(j) => summary.edge(j),
        SlotKind::Open(j) => next_up(summary.edge(j)),
    }
}

/// A score inside a slot for bin assignment: the edge for an atom, the midpoint of an open cell.
pub fn bin_score(summary: &ScoreSummary, slot: usize) -> f64 {
    let (lo, hi) = summary.bounds(slot);
    0.5 * (lo + hi)
}

/// The smallest double above a non-negative finite `x`.
fn next_up(x: f64) -> f64 {
    f64::from_bits(x.to_bits() + 1)
}

/// The ranking summary of the slots (descending representatives), `None` without rows.
pub fn rank_summary(summary: &ScoreSummary) -> Option<RankSummary> {
    let (mut scores, mut pos, mut neg) = (Vec::new(), Vec::new(), Vec::new());
    for slot in (0..summary.slots()).rev() {
        let (p, q) = (summary.positive(slot).n, summary.negative(slot).n);
        if p + q > 0 {
            scores.push(rank_score(summary, slot));
            pos.push(p);
            neg.push(q);
        }
    }
    RankSummary::from_counts(scores, pos, neg).ok()
}

/// The bound on `|AUC_exact − AUC_cells|`: `Σ_c P_c·N_c / (2·P·N)` over open cells; `None`
/// with one class.
pub fn auc_bound(summary: &ScoreSummary) -> Option<f64> {
    let (neg, pos) = summary.totals();
    if neg.n == 0 || pos.n == 0 {
        return None;
    }
    let ties: f64 = (0..summary.slots())
        .filter(|&s| matches!(summary.kind(s), SlotKind::Open(_)))
        .map(|s| summary.positive(s).n as f64 * summary.negative(s).n as f64)
        .sum();
    Some(ties / (2.0 * pos.n as f64 * neg.n as f64))
}

/// The bound on `KS_exact − KS_cells` (≥ 0): `max_c max(P_c/P, N_c/N)` over open cells.
pub fn ks_bound(summary: &ScoreSummary) -> Option<f64> {
    let (neg, pos) = summary.totals();
    if neg.n == 0 || pos.n == 0 {
        return None;
    }
    Some(
        (0..summary.slots())
            .filter(|&s| matches!(summary.kind(s), SlotKind::Open(_)))
            .map(|s| {
                let p = summary.positive(s).n as f64 / pos.n as f64;
                let q = summary.negative(s).n as f64 / neg.n as f64;
                p.max(q)
            })
            .fold(0.0, f64::max),
    )
}

/// Brier score `(Σ s² − 2 Σ_{y=1} s + P) / n`; `None` without rows.
pub fn brier_score(summary: &ScoreSummary) -> Option<f64> {
    let (neg, pos) = summary.totals();
    let n = neg.n + pos.n;
    (n > 0).then(|| {
        let v =
            (neg.score_sq_sum + pos.score_sq_sum - 2.0 * pos.score_sum + pos.n as f64) / n as f64;
        v.max(0.0)
    })
}

/// Log loss at `ε = f64::EPSILON`: `Σ log_loss_sum / n`; `None` without rows.
pub fn log_loss(summary: &ScoreSummary) -> Option<f64> {
    let (neg, pos) = summary.totals();
    let n = neg.n + pos.n;
    (n > 0).then(|| (neg.log_loss_sum + pos.log_loss_sum) / n as f64)
}

/// Uniform-width edges exactly as `calibration::reliability_bins` computes them.
fn uniform_edges(bins: usize) -> Vec<f64> {
    let step = 1.0 / bins as f64;
    (0..=bins)
        .map(|i| if i == bins { 1.0 } else { i as f64 * step })
        .collect()
}

/// Reliability bins as `calibration::reliability_bins` (uniform strategy), empty bins omitted;
/// `None` unless `bins ≥ 1` divides `K`, or for an invalid confidence.
pub fn reliability_bins(
    summary: &ScoreSummary,
    bins: usize,
    interval: crate::core::report::IntervalMethod,
    confidence: f64,
) -> Option<Vec<ReliabilityBin>> {
    if bins == 0 || !(summary.buckets() as usize).is_multiple_of(bins) {
        return None;
    }
    let edges = uniform_edges(bins);
    let inner = &edges[1..bins];
    let mut count = vec![0u64; bins];
    let mut positives = vec![0u64; bins];
    let mut sums = vec![0.0f64; bins];
    for slot in 0..summary.slots() {
        let c = summary.both(slot);
        if c.n == 0 {
            continue;
        }
        let b = inner.partition_point(|&e| e < bin_score(summary, slot));
        count[b] += c.n;
        positives[b] += summary.positive(slot).n;
        sums[b] += c.score_sum;
    }
    let mut out = Vec::new();
    for b in 0..bins {
        if count[b] == 0 {
            continue;
        }
        let (lo, hi) = binomial_interval(interval, positives[b], count[b], confidence).ok()?;
        out.push(ReliabilityBin {
            lower: edges[b],
            upper: edges[b + 1],
            count: count[b],
            positives: positives[b],
            mean_score: sums[b] / count[b] as f64,
            observed_rate: positives[b] as f64 / count[b] as f64,
            ci_lower: lo,
            ci_upper: hi,
        });
    }
    Some(out)
}

/// The 20-bin score histogram by label, as the raw path's (`floor(20·s)`, 1 in the last bin).
pub fn histogram(summary: &ScoreSummary) -> ScoreHistogram {
    let bins = HISTOGRAM_BINS;
    let mut negatives = vec![0u64; bins];
    let mut positives = vec![0u64; bins];
    for slot in 0..summary.slots() {
        let i = ((bin_score(summary, slot) * bins as f64).floor() as usize).min(bins - 1);
        negatives[i] += summary.negative(slot).n;
        positives[i] += summary.positive(slot).n;
    }
    ScoreHistogram {
        edges: (0..=bins).map(|i| i as f64 / bins as f64).collect(),
        negatives,
        positives,
    }
}

/// Everything of a [`WindowReport`] that the summary determines (see the module doc for what
/// is exact); the rest (smooth ECE, bootstrap intervals, DeLong interval, Hosmer–Lemeshow,
/// Spiegelhalter, the logistic calibration fit) stays `None`.
pub fn window_report(summary: &ScoreSummary, settings: &Settings) -> WindowReport {
    let (neg, pos) = summary.totals();
    let n = neg.n + pos.n;
    let mut w = WindowReport {
        n,
        positives: pos.n,
        histogram: histogram(summary),
        ..WindowReport::default()
    };
    if n == 0 {
        return w;
    }
    let rate = pos.n as f64 / n as f64;
    let mean = (neg.score_sum + pos.score_sum) / n as f64;
    w.positive_rate = Some(rate);
    w.mean_score = Some(mean);
    w.calibration_in_the_large = Some(mean - rate);
    w.observed_expected_ratio = (mean > 0.0).then(|| rate / mean);
    w.brier_score = brier_score(summary);
    w.log_loss = (settings.log_loss_eps == super::sketch::LOG_LOSS_EPS)
        .then(|| log_loss(summary))
        .flatten();
    if settings.strategy == BinStrategy::Uniform
        && let Some(bins) = reliability_bins(
            summary,
            settings.bins,
            settings.interval,
            settings.confidence,
        )
    {
        if let Some(e) = calibration::calibration_errors(&bins) {
            w.ece = Some(e.ece);
            w.mce = Some(e.mce);
            w.rmsce = Some(e.rmsce);
            w.ace = Some(e.ace);
        }
        w.brier_decomposition = calibration::brier_decomposition(&bins, n, rate);
        w.reliability = bins;
    }
    let Some(rank) = rank_summary(summary) else {
        return w;
    };
    w.roc_auc = rank.roc_auc();
    w.average_precision = rank.average_precision();
    w.average_precision_ci = w
        .average_precision
        .and_then(|ap| ranking::average_precision_interval(ap, pos.n, settings.confidence));
    w.ks_separation = rank.ks_separation();
    let sweep = threshold::Sweep::from_summary(&rank);
    let costs = analysis::costs_of(settings);
    w.at_threshold = Some(analysis::threshold_point(
        &sweep,
        settings.threshold,
        &costs,
    ));
    w.sweep = (0..=SWEEP_STEPS)
        .map(|i| analysis::threshold_point(&sweep, i as f64 / SWEEP_STEPS as f64, &costs))
        .collect();
    w.roc_curve = rank
        .roc_curve()
        .map(|c| analysis::thin_curve(&c.fpr, &c.tpr));
    w.pr_curve = rank
        .precision_recall_curve()
        .map(|c| analysis::thin_curve(&c.recall, &c.precision));
    w.optimal_thresholds = analysis::optimal_threshold_reports(&sweep, costs);
    w
}

/// Score shift between two windows' summaries (same `K`): the two-sample KS statistic at the
/// slot boundaries (a lower bound of the exact one, within `ks_bound`), and PSI and the
/// Jensen–Shannon distance over ten bins cut at the slot boundaries where the reference's
/// cumulative share first reaches 10 %, 20 %, … (the raw path's reference-decile bins, moved to
/// slot boundaries: close to the raw values, not equal to them).
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreShift {
    /// `max |F_ref − F_cur|` over slot boundaries.
    pub ks_statistic: f64,
    /// `KS_exact − ks_statistic ∈ [0, ks_bound]`: the largest share of either window in one
    /// open cell.
    pub ks_bound: f64,
    /// PSI over the decile bins (`drift::psi_counts`, default floor).
    pub psi: Option<f64>,
    /// Jensen–Shannon distance (base 2) over the decile bins (`drift::js_counts`).
    pub js_distance: Option<f64>,
    /// Reference and current counts per decile bin.
    pub counts: (Vec<u64>, Vec<u64>),
}

/// The score shift from `reference` to `current`; `None` when either is empty or `K` differs.
pub fn score_shift(reference: &ScoreSummary, current: &ScoreSummary) -> Option<ScoreShift> {
    use crate::core::metrics::drift;
    let (nr, nc) = (reference.n(), current.n());
    if nr == 0 || nc == 0 || reference.buckets() != current.buckets() {
        return None;
    }
    let (mut fr, mut fc, mut ks, mut bound) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    let bins = drift::DEFAULT_BINS;
    let (mut rc, mut cc) = (vec![0u64], vec![0u64]);
    let mut cum = 0u64;
    let mut next = 1usize;
    for slot in 0..reference.slots() {
        let (r_n, c_n) = (reference.both(slot).n, current.both(slot).n);
        let r = r_n as f64 / nr as f64;
        let c = c_n as f64 / nc as f64;
        if matches!(reference.kind(slot), SlotKind::Open(_)) {
            bound = bound.max(r.max(c));
        }
        fr += r;
        fc += c;
        ks = ks.max((fr - fc).abs());
        if let (Some(a), Some(b)) = (rc.last_mut(), cc.last_mut()) {
            *a += r_n;
            *b += c_n;
        }
        cum += r_n;
        // Cut after this slot when the reference's cumulative count reaches the next decile.
        let mut cut = false;
        while next < bins && cum * bins as u64 >= next as u64 * nr {
            next += 1;
            cut = true;
        }
        if cut && slot + 1 < reference.slots() {
            rc.push(0);
            cc.push(0);
        }
    }
    Some(ScoreShift {
        ks_statistic: ks,
        ks_bound: bound,
        psi: drift::psi_counts(&rc, &cc, drift::DEFAULT_FLOOR),
        js_distance: drift::js_counts(&rc, &cc),
        counts: (rc, cc),
    })
}
