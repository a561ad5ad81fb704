//! Every per-row sum of a first pass (issue #9: a first answer within a second) in one loop
//! over the rows, instead of one loop (and one validation) per metric.
//!
//! Why: the first pass reads a window's scores and labels for the Brier score, log loss,
//! calibration-in-the-large, Spiegelhalter's test, the reliability bins, the score histogram,
//! the class counts and the ranking's sort keys — about ten loops over a million rows, most
//! with their own validation loops. [`RowPass::of`] makes one. Each accumulator receives
//! exactly the additions, in the same row order, that the metric's own function makes (the
//! per-row terms are the same functions: `calibration::brier_term` etc.), so every result is
//! bit for bit the one the separate functions return (tested against them below, and by the
//! report goldens and `plumb audit` JSON).

use super::calibration::{self, BinTotals, CalibrationInTheLarge, Spiegelhalter, Sums};
use super::ranking::{KeyScheme, RankSummary, RankingError};
use crate::core::report::{BinStrategy, IntervalMethod, ReliabilityBin};

/// Lanes of [`RowPass`]'s compensated sums.
const BRIER: usize = 0;
const LOG_LOSS: usize = 1;
const SCORE_SUM: usize = 2;
const SPIEGELHALTER_NUM: usize = 3;
const SPIEGELHALTER_VAR: usize = 4;

/// What one pass over a window's rows gives (see the module documentation).
pub struct RowPass {
    /// Rows.
    pub n: usize,
    /// Rows with label 1.
    pub positives: u64,
    /// `scores.iter().sum::<f64>()`: the plain left-to-right sum (the report's mean score).
    pub score_total: f64,
    /// Counts of finite scores in `histogram_bins` equal-width bins over [0, 1] (the last bin
    /// closed), rows with a label other than 1 first, then rows with label 1.
    pub histogram: [Vec<u64>; 2],
    /// Whether every score is in [0, 1] and every label 0 or 1 (`calibration::validate`): the
    /// calibration metrics are defined only then, as their functions' validation says.
    valid: bool,
    /// Whether the log loss's `eps` is in (0, 0.5).
    eps_ok: bool,
    /// `None` for an invalid bin count (or no rows).
    bins: Option<BinTotals>,
    /// The compensated sums, lanes [`BRIER`], [`LOG_LOSS`], [`SCORE_SUM`] and Spiegelhalter's
    /// [`SPIEGELHALTER_NUM`] and [`SPIEGELHALTER_VAR`].
    sums: Sums<5>,
    /// Every row's key under one [`KeyScheme`] (f32 tried first, then six decimals), or
    /// `None` if a score has neither.
    keys: Option<(KeyScheme, Vec<u32>)>,
}

impl RowPass {
    /// One pass over `scores` and `labels` (rows past the shorter are ignored; the metrics of
    /// unequal lengths are undefined): the totals of [`RowPass`], reliability bins over `n_bins`
    /// bins of `strategy`, log loss clipped at `eps`, a score histogram of `histogram_bins`
    /// (≥ 1) bins.
    pub fn of(
        scores: &[f64],
        labels: &[u8],
        n_bins: usize,
        strategy: BinStrategy,
        eps: f64,
        histogram_bins: usize,
    ) -> Self {
        let lengths_ok = scores.len() == labels.len();
        let n = scores.len().min(labels.len());
        let (scores, labels) = (&scores[..n], &labels[..n]);
        // Quantile edges are taken from the scores, only once they are known to be valid.
        let bins = (n > 0
            && calibration::check_bins(n_bins).is_ok()
            && (strategy == BinStrategy::Uniform || calibration::validate(scores, labels).is_ok()))
        .then(|| BinTotals::new(scores, n_bins, strategy));
        // An invalid eps leaves the log loss undefined; the loop clips at a valid one meanwhile.
        let eps_ok = eps > 0.0 && eps < 0.5;
        let eps = if eps_ok { eps } else { 0.25 };
        let hi = 1.0 - eps;
        let mut out = Self {
            n,
            positives: 0,
            score_total: -0.0,
            histogram: [vec![0; histogram_bins], vec![0; histogram_bins]],
            valid: lengths_ok,
            eps_ok,
            bins,
            sums: Sums::default(),
            keys: Some((KeyScheme::F32, Vec::with_capacity(n))),
        };
        let mut valid = true;
        let h = histogram_bins as f64;
        let top = u32::try_from(histogram_bins - 1).ok();
        for (row, (&p, &y)) in scores.iter().zip(labels).enumerate() {
            valid &= (0.0..=1.0).contains(&p) & (y <= 1);
            out.positives += u64::from(y == 1);
            out.score_total += p;
            if p.is_finite() {
                // `as usize` truncates toward 0 and saturates at 0: for a finite p it equals
                // `(p * h).floor() as usize` (both 0 below 1) without a call to `floor`.
                let i = match top {
                    // The same bin through `u32` (both conversions saturate; where they
                    // differ, both exceed the last bin), a few instructions where a saturating
                    // conversion to `usize` is a dozen on x86-64.
                    Some(top) => ((p * h) as u32).min(top) as usize,
                    None => ((p * h) as usize).min(histogram_bins - 1),
                };
                out.histogram[usize::from(y == 1)][i] += 1;
            }
            if let Some(bins) = out.bins.as_mut() {
                bins.add(p, y);
            }
            let (num, var) = calibration::spiegelhalter_terms(p, y);
            out.sums.add([
                calibration::brier_term(p, y),
                calibration::log_loss_term(p, y, eps, hi),
                p,
                num,
                var,
            ]);
            if let Some((scheme, keys)) = out.keys.as_mut() {
                match scheme.key(p, y) {
                    Some(k) => keys.push(k),
                    None if *scheme == KeyScheme::F32 => {
                        // The rows so far again, as six-decimal keys (the pass goes on with
                        // them), or none.
                        let so_far = scores[..=row]
                            .iter()
                            .copied()
                            .zip(labels[..=row].iter().copied());
                        out.keys = KeyScheme::Micro
                            .keys(so_far, n)
                            .map(|k| (KeyScheme::Micro, k));
                    }
                    None => out.keys = None,
                }
            }
        }
        out.valid &= valid;
        out
    }

    /// Whether the calibration metrics are defined: valid rows, at least one.
    fn defined(&self) -> bool {
        self.valid && self.n > 0
    }

    /// `calibration::reliability_bins` of the rows: empty when it would fail (or no rows).
    pub fn reliability(&self, interval: IntervalMethod, confidence: f64) -> Vec<ReliabilityBin> {
        match &self.bins {
            Some(bins) if self.defined() && confidence > 0.0 && confidence < 1.0 => {
                bins.bins(interval, confidence)
            }
            _ => Vec::new(),
        }
    }

    /// `calibration::brier_score` of the rows (`None` where it is an error or `None`).
    pub fn brier_score(&self) -> Option<f64> {
        self.defined()
            .then(|| self.sums.lane(BRIER).value() / self.n as f64)
    }

    /// `calibration::log_loss` of the rows at the pass's `eps`.
    pub fn log_loss(&self) -> Option<f64> {
        (self.defined() && self.eps_ok).then(|| self.sums.lane(LOG_LOSS).value() / self.n as f64)
    }

    /// `calibration::calibration_in_the_large` of the rows.
    pub fn calibration_in_the_large(&self) -> Option<CalibrationInTheLarge> {
        self.defined().then(|| {
            calibration::calibration_in_the_large_of(
                self.sums.lane(SCORE_SUM),
                self.positives,
                self.n,
            )
        })
    }

    /// `calibration::spiegelhalter` of the rows.
    pub fn spiegelhalter(&self) -> Option<Spiegelhalter> {
        if !self.valid {
            return None;
        }
        calibration::spiegelhalter_of(
            self.sums.lane(SPIEGELHALTER_NUM),
            self.sums.lane(SPIEGELHALTER_VAR),
        )
    }

    /// `RankSummary::new(scores, labels)` of the same rows: when the rows are valid (so valid
    /// for ranking too), from the pass's sort keys if every score has one, else from the rows
    /// with the pass's counts (neither validated nor counted again); otherwise
    /// `RankSummary::new` itself.
    pub fn rank_summary(
        &mut self,
        scores: &[f64],
        labels: &[u8],
    ) -> Result<RankSummary, RankingError> {
        if !self.defined() {
            return RankSummary::new(scores, labels);
        }
        Ok(match self.keys.take() {
            Some((scheme, keys)) => RankSummary::from_keys(keys, self.positives, scheme),
            None => RankSummary::from_f64_rows(
                scores.iter().copied().zip(labels.iter().copied()),
                self.positives as usize,
                self.n,
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn bits(x: Option<f64>) -> Option<u64> {
        x.map(f64::to_bits)
    }

    /// The pass against each metric's own function on the same rows, bit for bit.
    fn check(scores: &[f64], labels: &[u8], n_bins: usize, strategy: BinStrategy, eps: f64) {
        let mut pass = RowPass::of(scores, labels, n_bins, strategy, eps, 20);
        let (interval, confidence) = (IntervalMethod::Wilson, 0.95);
        let want_bins =
            calibration::reliability_bins(scores, labels, n_bins, strategy, interval, confidence)
                .unwrap_or_default();
        assert_eq!(
            format!("{:?}", pass.reliability(interval, confidence)),
            format!("{want_bins:?}")
        );
        let brier = calibration::brier_score(scores, labels).ok().flatten();
        assert_eq!(bits(pass.brier_score()), bits(brier));
        let log_loss = calibration::log_loss(scores, labels, eps).ok().flatten();
        assert_eq!(bits(pass.log_loss()), bits(log_loss));
        let citl = calibration::calibration_in_the_large(scores, labels)
            .ok()
            .flatten();
        assert_eq!(
            format!("{:?}", pass.calibration_in_the_large()),
            format!("{citl:?}")
        );
        let sp = calibration::spiegelhalter(scores, labels).ok().flatten();
        assert_eq!(format!("{:?}", pass.spiegelhalter()), format!("{sp:?}"));
        if scores.len() == labels.len() {
            assert_eq!(
                pass.score_total.to_bits(),
                scores.iter().sum::<f64>().to_bits()
            );
            assert_eq!(
                pass.positives,
                labels.iter().filter(|&&y| y == 1).count() as u64
            );
            assert_eq!(
                pass.rank_summary(scores, labels),
                RankSummary::new(scores, labels)
            );
        }
    }

    #[test]
    fn edge_cases_match_the_separate_functions() {
        let uniform = BinStrategy::Uniform;
        check(&[], &[], 10, uniform, 1e-15);
        check(&[-0.0, -0.0], &[0, 1], 10, uniform, 1e-15);
        check(
            &[0.0, 0.5, 1.0],
            &[0, 1, 1],
            10,
            BinStrategy::Quantile,
            1e-15,
        );
        check(&[0.2, 1.5], &[0, 1], 10, uniform, 1e-15);
        check(&[0.2, f64::NAN], &[0, 1], 10, BinStrategy::Quantile, 1e-15);
        check(&[0.2, 0.3], &[0, 2], 10, uniform, 1e-15);
        check(&[0.2, 0.3], &[0, 1], 0, uniform, 1e-15);
        check(&[0.2, 0.3], &[0, 1], 10, uniform, 0.7);
        check(&[0.2, 0.3, 0.4], &[0, 1], 10, uniform, 1e-15);
        check(&[0.1, 0.123_456_789_012_3], &[1, 0], 7, uniform, 1e-15);
        check(&[-0.5, -1.0, 0.05], &[1, 0, 0], 7, uniform, 1e-15);
        // f32-exact rows, then six-decimal ones (the keys switch scheme), then a seventh decimal.
        check(
            &[0.5, 0.25, 0.1, 0.25, 0.1],
            &[1, 0, 0, 1, 1],
            7,
            uniform,
            1e-15,
        );
        check(&[0.5, 0.1, 0.100_000_1], &[1, 0, 1], 7, uniform, 1e-15);
        check(&[0.1, 0.5, -0.0, 0.0], &[1, 0, 1, 0], 7, uniform, 1e-15);
    }

    #[test]
    fn sort_keys_are_f32_then_six_decimals_then_none() {
        let scheme = |scores: &[f64]| {
            let labels = vec![1; scores.len()];
            let pass = RowPass::of(scores, &labels, 10, BinStrategy::Uniform, 1e-15, 4);
            pass.keys.map(|(scheme, keys)| (scheme, keys.len()))
        };
        assert_eq!(scheme(&[0.5, 0.25]), Some((KeyScheme::F32, 2)));
        assert_eq!(scheme(&[0.5, 0.1, 0.25]), Some((KeyScheme::Micro, 3)));
        assert_eq!(scheme(&[0.1, 0.5]), Some((KeyScheme::Micro, 2)));
        assert_eq!(scheme(&[0.5, 0.1, 0.100_000_1, 0.2]), None);
        assert_eq!(scheme(&[0.500_000_1, 0.1]), None);
    }

    #[test]
    fn the_histogram_counts_finite_scores_by_label() {
        let pass = RowPass::of(
            &[0.0, 0.05, 0.5, 1.0, 1.0, 2.0, f64::NAN],
            &[0, 1, 1, 0, 1, 0, 1],
            10,
            BinStrategy::Uniform,
            1e-15,
            4,
        );
        assert_eq!(pass.histogram, [vec![1, 0, 0, 2], vec![1, 0, 1, 1]]);
        // Below 0 (invalid scores, still counted as the report always did): the first bin.
        let pass = RowPass::of(
            &[-0.0, -0.5, -1.0, -3.5],
            &[0, 1, 0, 0],
            10,
            BinStrategy::Uniform,
            1e-15,
            4,
        );
        assert_eq!(pass.histogram, [vec![3, 0, 0, 0], vec![1, 0, 0, 0]]);
    }

    proptest! {
        #[test]
        fn every_sum_is_the_separate_functions(
            rows in proptest::collection::vec(
                (prop_oneof![0.0f64..=1.0, Just(0.0), Just(1.0), Just(0.5), (0u32..100).prop_map(|k| f64::from(k as f32 / 100.0)), (0u32..=1_000_000).prop_map(|k| format!("{:.6}", f64::from(k) / 1e6).parse::<f64>().unwrap_or(0.0))], 0u8..=1),
                0..300,
            ),
            n_bins in 1usize..30,
            quantile in any::<bool>(),
        ) {
            let (scores, labels): (Vec<f64>, Vec<u8>) = rows.into_iter().unzip();
            let strategy = if quantile { BinStrategy::Quantile } else { BinStrategy::Uniform };
            check(&scores, &labels, n_bins, strategy, 1e-15);
        }
    }
}
