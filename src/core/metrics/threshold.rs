//! The exact threshold sweep: confusion counts and decision metrics at every threshold.
//!
//! Decision rule: a row is predicted positive iff `score ≥ threshold` (scikit-learn's rule in
//! `roc_curve` and `precision_recall_curve`). A [`Sweep`] holds one row per distinct score plus
//! a first row at `+∞` ("predict nothing positive"), each with TP/FP/TN/FN; it is built once
//! from a [`RankSummary`] (O(n log n)), after which the counts at any threshold are a binary
//! search (O(log n), [`at_threshold`]) — what the UI calls while a threshold is dragged.
//!
//! Metrics ([`Confusion`]) follow scikit-learn's definitions (`precision_score`,
//! `recall_score`, `fbeta_score`, `matthews_corrcoef`, `balanced_accuracy_score`,
//! `accuracy_score`), with undefined ratios as `None` instead of sklearn's `zero_division`
//! value. F-beta is `(1+β²)·TP / (β²·(TP+FN) + TP+FP)` (van Rijsbergen 1979), defined unless
//! TP = FP = FN = 0, exactly as sklearn. MCC (Matthews 1975) is `None` where sklearn returns 0
//! (a zero marginal). Expected cost per row is `(c_FP·FP + c_FN·FN + c_TP·TP + c_TN·TN)/n`.
//! Net benefit (Vickers & Elkin 2006, *Medical Decision Making* 26:565–574) at threshold
//! probability t is `TP/n − FP/n · t/(1 − t)`, defined for 0 ≤ t < 1.
//!
//! Optimal thresholds ([`optimal_threshold`]) scan every row; ties go to the **highest**
//! threshold (the most conservative rule achieving the optimum).

use super::ranking::{RankSummary, RankingError};
use crate::core::report::ThresholdPoint;
use serde::Serialize;

/// A confusion matrix at one threshold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Confusion {
    /// True positives: label 1, score ≥ threshold.
    pub tp: u64,
    /// False positives: label 0, score ≥ threshold.
    pub fp: u64,
    /// True negatives: label 0, score < threshold.
    pub tn: u64,
    /// False negatives: label 1, score < threshold.
    #[serde(rename = "fn")]
    pub fn_: u64,
}

fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

impl Confusion {
    /// Rows counted.
    pub fn n(&self) -> u64 {
        self.tp + self.fp + self.tn + self.fn_
    }

    /// TP / (TP + FP); `None` when nothing is predicted positive.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fp)
    }

    /// TP / (TP + FN) (sensitivity, TPR); `None` without positives.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// TN / (TN + FP); `None` without negatives.
    pub fn specificity(&self) -> Option<f64> {
        ratio(self.tn, self.tn + self.fp)
    }

    /// FP / (FP + TN); `None` without negatives.
    pub fn fpr(&self) -> Option<f64> {
        ratio(self.fp, self.fp + self.tn)
    }

    /// F-beta as sklearn: `(1+β²)·TP / (β²·(TP+FN) + TP+FP)`; `None` if TP = FP = FN = 0 or
    /// β is negative or not finite.
    pub fn f_beta(&self, beta: f64) -> Option<f64> {
        if !(beta.is_finite() && beta >= 0.0) || self.tp + self.fp + self.fn_ == 0 {
            return None;
        }
        let b2 = beta * beta;
        let den = b2 * (self.tp + self.fn_) as f64 + (self.tp + self.fp) as f64;
        (den > 0.0).then(|| (1.0 + b2) * self.tp as f64 / den)
    }

    /// F1 = 2·TP / (2·TP + FP + FN); `None` if TP = FP = FN = 0.
    pub fn f1(&self) -> Option<f64> {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }

    /// (TP + TN) / n; `None` when n = 0.
    pub fn accuracy(&self) -> Option<f64> {
        ratio(self.tp + self.tn, self.n())
    }

    /// (recall + specificity) / 2; `None` unless both classes are present (sklearn instead
    /// averages the recall of the classes present).
    pub fn balanced_accuracy(&self) -> Option<f64> {
        Some((self.recall()? + self.specificity()?) / 2.0)
    }

    /// Matthews correlation `(TP·TN − FP·FN) / √((TP+FP)(TP+FN)(TN+FP)(TN+FN))`; `None` when
    /// a factor is 0 (sklearn returns 0 there).
    pub fn mcc(&self) -> Option<f64> {
        let factors = [
            self.tp + self.fp,
            self.tp + self.fn_,
            self.tn + self.fp,
            self.tn + self.fn_,
        ];
        if factors.contains(&0) {
            return None;
        }
        let num = self.tp as i128 * self.tn as i128 - self.fp as i128 * self.fn_ as i128;
        let den = ((factors[0] as f64 * factors[1] as f64).sqrt())
            * ((factors[2] as f64 * factors[3] as f64).sqrt());
        Some((num as f64 / den).clamp(-1.0, 1.0))
    }

    /// (TP + FP) / n, the alert rate; `None` when n = 0.
    pub fn predicted_positive_rate(&self) -> Option<f64> {
        ratio(self.tp + self.fp, self.n())
    }

    /// `(c_FP·FP + c_FN·FN + c_TP·TP + c_TN·TN) / n`; `None` when n = 0 or a cost is not finite.
    pub fn expected_cost(&self, costs: &Costs) -> Option<f64> {
        if self.n() == 0 || !costs.is_finite() {
            return None;
        }
        let total = costs.fp * self.fp as f64
            + costs.fn_ * self.fn_ as f64
            + costs.tp * self.tp as f64
            + costs.tn * self.tn as f64;
        Some(total / self.n() as f64)
    }

    /// Net benefit `TP/n − FP/n · t/(1 − t)` (Vickers & Elkin 2006); `None` when n = 0 or t is
    /// outside [0, 1).
    pub fn net_benefit(&self, t: f64) -> Option<f64> {
        if self.n() == 0 || !(0.0..1.0).contains(&t) {
            return None;
        }
        let n = self.n() as f64;
        Some(self.tp as f64 / n - self.fp as f64 / n * (t / (1.0 - t)))
    }

    /// The report's [`ThresholdPoint`] for these counts at threshold `t`.
    pub fn to_point(&self, t: f64) -> ThresholdPoint {
        ThresholdPoint {
            threshold: t,
            tp: self.tp,
            fp: self.fp,
            tn: self.tn,
            fn_: self.fn_,
            precision: self.precision(),
            recall: self.recall(),
            specificity: self.specificity(),
            fpr: self.fpr(),
            f1: self.f1(),
            accuracy: self.accuracy(),
            balanced_accuracy: self.balanced_accuracy(),
            mcc: self.mcc(),
            predicted_positive_rate: self.predicted_positive_rate(),
            expected_cost: self.expected_cost(&Costs::default()),
            net_benefit: self.net_benefit(t),
        }
    }
}

/// Costs (or, if negative, benefits) per row of each outcome.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Costs {
    /// Cost of a false positive.
    pub fp: f64,
    /// Cost of a false negative.
    #[serde(rename = "fn")]
    pub fn_: f64,
    /// Cost of a true positive (negative for a benefit).
    pub tp: f64,
    /// Cost of a true negative.
    pub tn: f64,
}

impl Default for Costs {
    /// FP and FN cost 1, correct decisions 0: expected cost is then the error rate.
    fn default() -> Self {
        Self {
            fp: 1.0,
            fn_: 1.0,
            tp: 0.0,
            tn: 0.0,
        }
    }
}

impl Costs {
    fn is_finite(&self) -> bool {
        [self.fp, self.fn_, self.tp, self.tn]
            .iter()
            .all(|c| c.is_finite())
    }
}

/// Every metric at one threshold (what the threshold table and charts show).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThresholdMetrics {
    /// The threshold (positive iff score ≥ threshold); `+∞` for "predict nothing", which
    /// `serde_json` writes as `null`.
    pub threshold: f64,
    /// The confusion counts.
    #[serde(flatten)]
    pub confusion: Confusion,
    /// See [`Confusion::precision`].
    pub precision: Option<f64>,
    /// See [`Confusion::recall`].
    pub recall: Option<f64>,
    /// See [`Confusion::specificity`].
    pub specificity: Option<f64>,
    /// See [`Confusion::fpr`].
    pub fpr: Option<f64>,
    /// See [`Confusion::f1`].
    pub f1: Option<f64>,
    /// The β used for `f_beta`.
    pub beta: f64,
    /// See [`Confusion::f_beta`].
    pub f_beta: Option<f64>,
    /// See [`Confusion::accuracy`].
    pub accuracy: Option<f64>,
    /// See [`Confusion::balanced_accuracy`].
    pub balanced_accuracy: Option<f64>,
    /// See [`Confusion::mcc`].
    pub mcc: Option<f64>,
    /// See [`Confusion::predicted_positive_rate`].
    pub predicted_positive_rate: Option<f64>,
    /// See [`Confusion::expected_cost`].
    pub expected_cost: Option<f64>,
    /// See [`Confusion::net_benefit`] (at t = `threshold`).
    pub net_benefit: Option<f64>,
}

impl ThresholdMetrics {
    /// All metrics of `confusion` at `threshold`, with F-beta's β and the outcome costs.
    pub fn new(threshold: f64, confusion: Confusion, beta: f64, costs: &Costs) -> Self {
        let c = confusion;
        Self {
            threshold,
            confusion: c,
            precision: c.precision(),
            recall: c.recall(),
            specificity: c.specificity(),
            fpr: c.fpr(),
            f1: c.f1(),
            beta,
            f_beta: c.f_beta(beta),
            accuracy: c.accuracy(),
            balanced_accuracy: c.balanced_accuracy(),
            mcc: c.mcc(),
            predicted_positive_rate: c.predicted_positive_rate(),
            expected_cost: c.expected_cost(costs),
            net_benefit: c.net_benefit(threshold),
        }
    }
}

/// Confusion counts at every distinct threshold, highest first.
///
/// Row 0 is threshold `+∞` (nothing predicted positive); row k ≥ 1 is the k-th largest
/// distinct score. Thresholds between two distinct scores share the lower score's row.
#[derive(Debug, Clone, PartialEq)]
pub struct Sweep {
    thresholds: Vec<f64>,
    tp: Vec<u64>,
    fp: Vec<u64>,
    positives: u64,
    negatives: u64,
}

impl Sweep {
    /// Builds the sweep from rows (sorts once). Errors as [`RankSummary::new`].
    pub fn new(scores: &[f64], labels: &[u8]) -> Result<Self, RankingError> {
        Ok(Self::from_summary(&RankSummary::new(scores, labels)?))
    }

    /// Builds the sweep from an existing summary in O(distinct scores).
    pub fn from_summary(summary: &RankSummary) -> Self {
        let mut thresholds = Vec::with_capacity(summary.len() + 1);
        thresholds.push(f64::INFINITY);
        thresholds.extend_from_slice(summary.scores());
        // The cumulative counts of [`RankSummary::cumulative_counts`], summed in place (no
        // temporary pair of vectors).
        let mut tp = Vec::with_capacity(summary.len() + 1);
        let mut fp = Vec::with_capacity(summary.len() + 1);
        let (mut t, mut f) = (0u64, 0u64);
        tp.push(t);
        fp.push(f);
        for (&p, &q) in summary.positives().iter().zip(summary.negatives()) {
            t += p;
            f += q;
            tp.push(t);
            fp.push(f);
        }
        Self {
            thresholds,
            tp,
            fp,
            positives: summary.total_positives(),
            negatives: summary.total_negatives(),
        }
    }

    /// The cumulative counts per row, `(tp, fp)`, for handing the sweep to another thread
    /// (with [`Sweep::thresholds`], [`Sweep::positives`] and [`Sweep::negatives`]).
    pub fn counts(&self) -> (&[u64], &[u64]) {
        (&self.tp, &self.fp)
    }

    /// Rebuilds a sweep from its parts (as [`Sweep::thresholds`] and [`Sweep::counts`] give
    /// them), checking every invariant [`Sweep::from_summary`] guarantees: equal non-zero
    /// lengths; row 0 is `+∞` with no row predicted positive; thresholds strictly decreasing;
    /// `tp` and `fp` non-decreasing and ending at `positives` and `negatives`. `None` when the
    /// parts are not a sweep.
    pub fn from_parts(
        thresholds: Vec<f64>,
        tp: Vec<u64>,
        fp: Vec<u64>,
        positives: u64,
        negatives: u64,
    ) -> Option<Self> {
        let n = thresholds.len();
        let shaped = n > 0 && tp.len() == n && fp.len() == n;
        if !shaped
            || thresholds[0] != f64::INFINITY
            || tp[0] != 0
            || fp[0] != 0
            || tp[n - 1] != positives
            || fp[n - 1] != negatives
        {
            return None;
        }
        let ordered = (1..n)
            .all(|i| thresholds[i] < thresholds[i - 1] && tp[i] >= tp[i - 1] && fp[i] >= fp[i - 1]);
        ordered.then_some(Self {
            thresholds,
            tp,
            fp,
            positives,
            negatives,
        })
    }

    /// Number of rows (distinct scores + 1); at least 1.
    pub fn row_count(&self) -> usize {
        self.thresholds.len()
    }

    /// Row thresholds, strictly decreasing; the first is `+∞`.
    pub fn thresholds(&self) -> &[f64] {
        &self.thresholds
    }

    /// Rows with label 1.
    pub fn positives(&self) -> u64 {
        self.positives
    }

    /// Rows with label 0.
    pub fn negatives(&self) -> u64 {
        self.negatives
    }

    /// Rows in total.
    pub fn n(&self) -> u64 {
        self.positives + self.negatives
    }

    /// Confusion counts of row `row`, or `None` past the end.
    pub fn confusion(&self, row: usize) -> Option<Confusion> {
        let (&tp, &fp) = (self.tp.get(row)?, self.fp.get(row)?);
        Some(Confusion {
            tp,
            fp,
            tn: self.negatives - fp,
            fn_: self.positives - tp,
        })
    }

    /// The row that applies to threshold `t`: the number of distinct scores ≥ t (O(log n)).
    /// A NaN threshold predicts nothing positive (row 0).
    pub fn row_at(&self, t: f64) -> usize {
        self.thresholds[1..].partition_point(|&s| s >= t)
    }

    /// Confusion counts at threshold `t` (positive iff score ≥ t), by binary search.
    pub fn confusion_at(&self, t: f64) -> Confusion {
        self.confusion(self.row_at(t)).unwrap_or_default()
    }

    /// Every row's metrics, highest threshold first (for tables and charts).
    pub fn table(&self, beta: f64, costs: &Costs) -> Vec<ThresholdMetrics> {
        (0..self.row_count())
            .filter_map(|i| {
                let c = self.confusion(i)?;
                Some(ThresholdMetrics::new(self.thresholds[i], c, beta, costs))
            })
            .collect()
    }
}

/// The report's confusion matrix and rates at threshold `t`, in O(log n) without touching rows.
pub fn at_threshold(sweep: &Sweep, t: f64) -> ThresholdPoint {
    sweep.confusion_at(t).to_point(t)
}

/// All metrics at threshold `t` (with F-beta's β and outcome costs), in O(log n).
pub fn metrics_at(sweep: &Sweep, t: f64, beta: f64, costs: &Costs) -> ThresholdMetrics {
    ThresholdMetrics::new(t, sweep.confusion_at(t), beta, costs)
}

/// How an "optimal" threshold is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimalRule {
    /// Maximise F1. Needs positives.
    MaxF1,
    /// Maximise Youden's J = TPR − FPR (compared exactly). Needs both classes.
    MaxYouden,
    /// Minimise the expected cost per row under these costs. Needs rows.
    MinExpectedCost(Costs),
    /// Highest recall among thresholds with precision ≥ the given minimum. Needs positives.
    MaxRecallAtPrecision(f64),
    /// Highest precision among thresholds with recall ≥ the given minimum. Needs positives.
    MaxPrecisionAtRecall(f64),
    /// The lowest threshold whose predicted-positive (alert) rate does not exceed the given
    /// rate: the most alerts within the budget. Needs rows.
    AlertRate(f64),
}

/// A threshold chosen by an [`OptimalRule`] and the value it achieves.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OptimalThreshold {
    /// The rule applied.
    pub rule: OptimalRule,
    /// The chosen threshold (a distinct score, or `+∞` = predict nothing, written `null`).
    pub threshold: f64,
    /// The rule's objective there: F1, J, expected cost, recall, precision or alert rate.
    pub value: f64,
}

/// Picks the row maximising `key` (rows without a key are skipped); the first (highest
/// threshold) wins ties.
fn best_row<K: PartialOrd>(
    sweep: &Sweep,
    mut key: impl FnMut(&Confusion) -> Option<K>,
) -> Option<(usize, Confusion)> {
    let mut best: Option<(usize, Confusion, K)> = None;
    for i in 0..sweep.row_count() {
        let Some(c) = sweep.confusion(i) else {
            continue;
        };
        let Some(k) = key(&c) else {
            continue;
        };
        if best.as_ref().is_none_or(|(_, _, b)| k > *b) {
            best = Some((i, c, k));
        }
    }
    best.map(|(i, c, _)| (i, c))
}

/// The threshold chosen by `rule`, scanning every row (O(distinct scores)); ties go to the
/// highest threshold. `None` when the rule's requirements are not met (see [`OptimalRule`]) or
/// no threshold satisfies its constraint.
pub fn optimal_threshold(sweep: &Sweep, rule: OptimalRule) -> Option<OptimalThreshold> {
    let (p, q) = (sweep.positives, sweep.negatives);
    let (row, value) = match rule {
        OptimalRule::MaxF1 => {
            if p == 0 {
                return None;
            }
            let (i, c) = best_row(sweep, |c| c.f1())?;
            (i, c.f1()?)
        }
        OptimalRule::MaxYouden => {
            if p == 0 || q == 0 {
                return None;
            }
            // J·P·N = TP·N − FP·P, exact in i128; in i64 (native on wasm32, where i128
            // products are emulated) when P·N fits, as both terms are at most P·N: the same
            // integers, so the same row and value.
            let key = |c: &Confusion| c.tp as i128 * q as i128 - c.fp as i128 * p as i128;
            let i = if u128::from(p) * u128::from(q) <= i64::MAX as u128 {
                let (p, q) = (p as i64, q as i64);
                best_row(sweep, |c| Some(c.tp as i64 * q - c.fp as i64 * p))?.0
            } else {
                best_row(sweep, |c| Some(key(c)))?.0
            };
            let c = sweep.confusion(i)?;
            (i, key(&c) as f64 / (p as f64 * q as f64))
        }
        OptimalRule::MinExpectedCost(costs) => {
            let (i, c) = best_row(sweep, |c| c.expected_cost(&costs).map(|v| -v))?;
            (i, c.expected_cost(&costs)?)
        }
        OptimalRule::MaxRecallAtPrecision(min_precision) => {
            if p == 0 {
                return None;
            }
            let (i, c) = best_row(sweep, |c| (c.precision()? >= min_precision).then_some(c.tp))?;
            (i, c.recall()?)
        }
        OptimalRule::MaxPrecisionAtRecall(min_recall) => {
            if p == 0 {
                return None;
            }
            let (i, c) = best_row(sweep, |c| {
                if c.recall()? >= min_recall {
                    c.precision()
                } else {
                    None
                }
            })?;
            (i, c.precision()?)
        }
        OptimalRule::AlertRate(max_rate) => {
            // The predicted-positive rate grows as the threshold falls: take the last row
            // within the budget.
            let mut chosen = None;
            for i in 0..sweep.row_count() {
                let rate = sweep.confusion(i)?.predicted_positive_rate()?;
                if rate <= max_rate {
                    chosen = Some((i, rate));
                } else {
                    break;
                }
            }
            chosen?
        }
    };
    Some(OptimalThreshold {
        rule,
        threshold: sweep.thresholds[row],
        value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sweep() -> Sweep {
        // Scores 0.9 (1 pos), 0.6 (1 pos, 1 neg), 0.3 (1 neg), 0.1 (1 pos, 1 neg).
        Sweep::new(&[0.9, 0.6, 0.6, 0.3, 0.1, 0.1], &[1, 1, 0, 0, 1, 0]).unwrap()
    }

    #[test]
    fn rows_cover_every_distinct_threshold() {
        let s = sweep();
        assert_eq!(s.thresholds(), &[f64::INFINITY, 0.9, 0.6, 0.3, 0.1]);
        let tps: Vec<u64> = (0..s.row_count())
            .map(|i| s.confusion(i).unwrap().tp)
            .collect();
        assert_eq!(tps, vec![0, 1, 2, 2, 3]);
        assert_eq!(s.confusion(5), None);
        assert_eq!(
            s.confusion_at(0.6),
            Confusion {
                tp: 2,
                fp: 1,
                tn: 2,
                fn_: 1
            }
        );
        assert_eq!(s.row_at(0.61), 1);
        assert_eq!(s.row_at(0.95), 0);
        assert_eq!(s.row_at(f64::NAN), 0);
        assert_eq!(s.row_at(-1.0), 4);
    }

    #[test]
    fn metrics_at_a_threshold() {
        let m = metrics_at(&sweep(), 0.5, 2.0, &Costs::default());
        assert_eq!(m.precision, Some(2.0 / 3.0));
        assert_eq!(m.recall, Some(2.0 / 3.0));
        assert_eq!(m.f1, Some(2.0 / 3.0));
        assert_eq!(m.f_beta, Some(2.0 / 3.0));
        assert_eq!(m.accuracy, Some(4.0 / 6.0));
        assert_eq!(m.mcc, Some((4.0 - 1.0) / 9.0));
        assert_eq!(m.expected_cost, Some(2.0 / 6.0));
        assert_eq!(m.net_benefit, Some(2.0 / 6.0 - 1.0 / 6.0));
        let json = serde_json::to_string(&m).unwrap();
        assert!(json.contains("\"fn\":1"), "{json}");
    }

    #[test]
    fn undefined_ratios_are_none() {
        let nothing = Confusion {
            tp: 0,
            fp: 0,
            tn: 3,
            fn_: 2,
        };
        assert_eq!(nothing.precision(), None);
        assert_eq!(nothing.f1(), Some(0.0));
        assert_eq!(nothing.mcc(), None);
        assert_eq!(nothing.net_benefit(1.0), None);
        let empty = Confusion::default();
        assert_eq!(empty.accuracy(), None);
        assert_eq!(empty.f1(), None);
        assert_eq!(empty.expected_cost(&Costs::default()), None);
        let one_class = Confusion {
            tp: 0,
            fp: 2,
            tn: 3,
            fn_: 0,
        };
        assert_eq!(one_class.recall(), None);
        assert_eq!(one_class.balanced_accuracy(), None);
        let empty = Sweep::new(&[], &[]).unwrap();
        assert_eq!(empty.row_count(), 1);
        assert_eq!(at_threshold(&empty, 0.5).accuracy, None);
        assert_eq!(optimal_threshold(&empty, OptimalRule::MaxF1), None);
        assert_eq!(optimal_threshold(&empty, OptimalRule::AlertRate(0.1)), None);
    }

    #[test]
    fn optimal_rules_and_tie_breaks() {
        let s = sweep();
        // F1 per row: 0, 1/2, 2/3, 4/7, 2/3: the tie between 0.6 and 0.1 goes to the higher.
        let f1 = optimal_threshold(&s, OptimalRule::MaxF1).unwrap();
        assert_eq!((f1.threshold, f1.value), (0.6, 2.0 / 3.0));
        // J per row: 0, 1/3, 1/3, 0, 0: tie between 0.9 and 0.6 goes to the higher.
        let j = optimal_threshold(&s, OptimalRule::MaxYouden).unwrap();
        assert_eq!(j.threshold, 0.9);
        assert!((j.value - 1.0 / 3.0).abs() < 1e-15);
        let r = optimal_threshold(&s, OptimalRule::MaxRecallAtPrecision(0.6)).unwrap();
        assert_eq!((r.threshold, r.value), (0.6, 2.0 / 3.0));
        let pr = optimal_threshold(&s, OptimalRule::MaxPrecisionAtRecall(1.0)).unwrap();
        assert_eq!((pr.threshold, pr.value), (0.1, 0.5));
        assert_eq!(
            optimal_threshold(&s, OptimalRule::MaxRecallAtPrecision(1.1)),
            None
        );
        let a = optimal_threshold(&s, OptimalRule::AlertRate(0.5)).unwrap();
        assert_eq!((a.threshold, a.value), (0.6, 0.5));
        let a0 = optimal_threshold(&s, OptimalRule::AlertRate(0.0)).unwrap();
        assert_eq!(a0.threshold, f64::INFINITY);
        // Error rate per row: 3/6, 2/6, 2/6, 3/6, 3/6: tie between 0.9 and 0.6.
        let c = optimal_threshold(&s, OptimalRule::MinExpectedCost(Costs::default())).unwrap();
        assert_eq!((c.threshold, c.value), (0.9, 2.0 / 6.0));
        // Expensive false negatives: predict everything positive.
        let costs = Costs {
            fn_: 100.0,
            ..Costs::default()
        };
        let c = optimal_threshold(&s, OptimalRule::MinExpectedCost(costs)).unwrap();
        assert_eq!((c.threshold, c.value), (0.1, 3.0 / 6.0));
    }
}
