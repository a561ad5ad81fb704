//! Data-quality checks that catch evaluation-pipeline bugs before anyone trusts a metric.
//!
//! Each check is a small function over plain per-row slices and returns one [`QualityCheck`]
//! with a stable `id`, a [`Status`] (`pass`, `warn`, `fail`, or `skip` when the check cannot
//! run), a plain-words `detail` with the numbers, up to the first [`MAX_ROWS`] row indices
//! involved and a `count` of rows (cells, for `missing_rates`) involved. [`run_checks`] runs
//! them all, in the order of [`CHECK_IDS`], on the current window (and a reference window for
//! the change checks). The rules and their thresholds (documented in `docs/metrics/quality.md`):
//!
//! - `missing_rates`: missing share per column: warn ≥ 5 %, fail ≥ 20 % (exact integer
//!   comparisons); the change in points against the reference window is reported (a rise of
//!   ≥ 5 / ≥ 20 points already implies those levels).
//! - `score_range`: any present score outside [0, 1] (±∞ included) → fail.
//! - `score_scale_change`: the current scores on another scale than the reference → fail when
//!   one window exceeds 1 and the other does not, one has negatives and the other not, one has
//!   max ≤ 0.01 and the other max ≥ 0.1, the medians differ by a factor > 10, or one window is
//!   all whole numbers in [0, 100] and the other is not.
//! - `constant_scores`: every present score equal (≥ 2 scores) → fail.
//! - `quantised_scores`: ≤ 10 distinct values among ≥ 1000 present scores → warn.
//! - `duplicate_ids`: rows repeating an earlier id: warn if any, fail ≥ 1 % of rows.
//! - `label_delay`: in the most recent period (the last 10 % of the time range, rounded down
//!   to whole weeks, else whole days, when that long) the missing-label share rises ≥ 5 / ≥ 20
//!   points over the earlier rows (warn / fail; all missing → fail), or the labelled rows are
//!   all one class although the earlier rows have both, with chance probability
//!   `(1 − p)^m` < 0.05 (warn) / < 0.001 (fail), `p` the earlier share of the missing class.
//! - `decision_consistency`: decision ≠ (score ≥ threshold) on some rows: warn ≤ 1 %, fail
//!   above; reports the threshold interval most consistent with the decisions
//!   ([`consistent_threshold`], exact, by one sort).
//! - `timestamps_order`: a timestamp earlier than one before it → warn; after `now` → fail.
//! - `inverted_scores`: ROC AUC < 0.5 with the DeLong interval's upper end < 0.5 → fail;
//!   AUC < 0.5 otherwise → warn (DeLong et al. 1988, via [`crate::core::metrics::ranking`]).
//! - `label_balance`: a window with no labels or all one class → fail.
//!
//! Missing values are NaN (scores, timestamps) or `None` (labels, decisions). Nothing here
//! panics on data; inconsistent input (slice lengths, labels other than 0/1) is a
//! [`QualityError`]. Everything is O(n) except the three checks that sort one copy of a column,
//! O(n log n): [`check_duplicate_ids`], [`consistent_threshold`] and [`check_inverted_scores`].

use crate::core::catalog::group_thousands;
use crate::core::metrics::ranking::{self, RankSummary};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// At most this many example row indices are kept per check.
pub const MAX_ROWS: usize = 10;

/// The ids of every check, in the order [`run_checks`] reports them.
pub const CHECK_IDS: [&str; 11] = [
    "missing_rates",
    "score_range",
    "score_scale_change",
    "constant_scores",
    "quantised_scores",
    "duplicate_ids",
    "label_delay",
    "decision_consistency",
    "timestamps_order",
    "inverted_scores",
    "label_balance",
];

/// Missing share (percent) at or above which `missing_rates` warns.
pub const MISSING_WARN_PCT: u64 = 5;
/// Missing share (percent) at or above which `missing_rates` fails.
pub const MISSING_FAIL_PCT: u64 = 20;
/// `quantised_scores` needs at least this many present scores.
pub const QUANTISED_MIN_ROWS: u64 = 1000;
/// `quantised_scores` warns at this many distinct values or fewer.
pub const QUANTISED_MAX_DISTINCT: usize = 10;

const DAY: f64 = 86_400.0;
const WEEK: f64 = 7.0 * DAY;

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The check ran and found nothing.
    Pass,
    /// Something looks wrong; read the detail before trusting the metrics.
    Warn,
    /// The data is very likely broken for evaluation.
    Fail,
    /// The check could not run (a column is absent, too few rows); not a pass.
    Skip,
}

impl Status {
    /// Stable snake_case key, as serialised.
    pub fn key(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Warn => "warn",
            Self::Fail => "fail",
            Self::Skip => "skip",
        }
    }

    /// Severity for picking the worst status: fail 2, warn 1, pass and skip 0.
    pub fn severity(self) -> u8 {
        match self {
            Self::Fail => 2,
            Self::Warn => 1,
            Self::Pass | Self::Skip => 0,
        }
    }

    fn max(self, other: Self) -> Self {
        if other.severity() > self.severity() {
            other
        } else {
            self
        }
    }
}

/// The result of one check, as shown in the app and written to `quality.checks[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityCheck {
    /// Stable identifier (one of [`CHECK_IDS`]).
    pub id: String,
    /// Short human title.
    pub title: String,
    /// Outcome.
    pub status: Status,
    /// What was found, in plain words with the numbers.
    pub detail: String,
    /// Up to the first [`MAX_ROWS`] row indices (0-based into the current window's slices)
    /// that show the problem; empty on pass/skip and for whole-distribution findings. In a
    /// [`crate::core::report::Report`] these are converted to editor line numbers of the file
    /// (`core::analysis`), which is what the app and the exports show.
    pub rows: Vec<u64>,
    /// Rows involved in the finding (missing cells for `missing_rates`); 0 on pass or skip.
    pub count: u64,
}

impl QualityCheck {
    fn new(id: &str, status: Status, detail: String) -> Self {
        Self {
            id: id.to_string(),
            title: title(id).to_string(),
            status,
            detail,
            rows: Vec::new(),
            count: 0,
        }
    }

    fn skip(id: &str, why: &str) -> Self {
        Self::new(id, Status::Skip, format!("not run: {why}"))
    }

    fn involving(mut self, count: u64, rows: Vec<u64>) -> Self {
        self.count = count;
        self.rows = rows;
        self
    }
}

/// The human title of a check id.
pub fn title(id: &str) -> &'static str {
    match id {
        "missing_rates" => "Missing values",
        "score_range" => "Scores within [0, 1]",
        "score_scale_change" => "Score scale unchanged",
        "constant_scores" => "Scores vary",
        "quantised_scores" => "Scores not heavily quantised",
        "duplicate_ids" => "Unique prediction ids",
        "label_delay" => "Recent labels present",
        "decision_consistency" => "Decisions match the threshold",
        "timestamps_order" => "Timestamps in order",
        "inverted_scores" => "Scores not inverted",
        "label_balance" => "Both classes present",
        _ => "Check",
    }
}

/// All checks of one analysis.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QualityReport {
    /// One entry per check, in the order of [`CHECK_IDS`].
    pub checks: Vec<QualityCheck>,
}

impl QualityReport {
    /// The check with this id, if present.
    pub fn get(&self, id: &str) -> Option<&QualityCheck> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The most severe status (fail > warn > pass); `Pass` when every check passed or skipped.
    pub fn worst(&self) -> Status {
        self.checks
            .iter()
            .fold(Status::Pass, |acc, c| acc.max(c.status))
    }
}

/// Missing-cell count of one column, as the caller's reader counted it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMissing {
    /// Column name as in the header.
    pub name: String,
    /// Cells that are empty or a missing-value marker.
    pub missing: u64,
    /// Cells in the column (data rows).
    pub total: u64,
}

/// One window of rows to check. Every slice that is present has the length of `scores_raw`.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityInput<'a> {
    /// Scores after the score transform, before any filtering; NaN = missing or not a number.
    pub scores_raw: &'a [f64],
    /// Labels; `None` = missing or not one of the two classes.
    pub labels: &'a [Option<u8>],
    /// Prediction times in epoch seconds (NaN = missing), if a timestamp column exists.
    pub timestamps: Option<&'a [f64]>,
    /// Prediction ids hashed to u64 by the caller, if an id column exists.
    pub ids: Option<&'a [u64]>,
    /// The decision the system took (0/1; `None` = missing), if a decision column exists.
    pub decisions: Option<&'a [Option<u8>]>,
    /// Decision threshold: positive iff score ≥ threshold.
    pub threshold: f64,
    /// The current time in epoch seconds, for "timestamp in the future".
    pub now: Option<f64>,
    /// Confidence level of the DeLong interval in `inverted_scores` (0 < c < 1).
    pub confidence: f64,
    /// Missing counts per column. When empty, `missing_rates` checks the slices above instead
    /// (columns named `score`, `label`, `timestamp`, `decision`).
    pub columns: Vec<ColumnMissing>,
}

impl<'a> QualityInput<'a> {
    /// Scores and labels only; threshold 0.5, confidence 0.95, no optional columns.
    pub fn new(scores_raw: &'a [f64], labels: &'a [Option<u8>]) -> Self {
        Self {
            scores_raw,
            labels,
            timestamps: None,
            ids: None,
            decisions: None,
            threshold: 0.5,
            now: None,
            confidence: 0.95,
            columns: Vec::new(),
        }
    }

    /// Checks slice lengths, label and decision values, threshold and confidence.
    pub fn validate(&self) -> Result<(), QualityError> {
        let n = self.scores_raw.len();
        same_len("labels", n, self.labels.len())?;
        if let Some(t) = self.timestamps {
            same_len("timestamps", n, t.len())?;
        }
        if let Some(ids) = self.ids {
            same_len("ids", n, ids.len())?;
        }
        if let Some(d) = self.decisions {
            same_len("decisions", n, d.len())?;
            binary("decisions", d)?;
        }
        binary("labels", self.labels)?;
        if !self.threshold.is_finite() {
            return Err(QualityError::InvalidThreshold(self.threshold));
        }
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(QualityError::InvalidConfidence(self.confidence));
        }
        Ok(())
    }

    /// The missing counts `missing_rates` uses: `columns`, or the role slices when empty.
    pub fn missing_counts(&self) -> Vec<ColumnMissing> {
        if !self.columns.is_empty() {
            return self.columns.clone();
        }
        let total = self.scores_raw.len() as u64;
        let col = |name: &str, missing: usize| ColumnMissing {
            name: name.to_string(),
            missing: missing as u64,
            total,
        };
        let mut out = vec![
            col(
                "score",
                self.scores_raw.iter().filter(|s| s.is_nan()).count(),
            ),
            col("label", self.labels.iter().filter(|y| y.is_none()).count()),
        ];
        if let Some(t) = self.timestamps {
            out.push(col("timestamp", t.iter().filter(|t| t.is_nan()).count()));
        }
        if let Some(d) = self.decisions {
            out.push(col("decision", d.iter().filter(|d| d.is_none()).count()));
        }
        out
    }

    /// The first rows missing a value in a role column flagged by `missing_rates` (share
    /// ≥ 5 %), when the counts came from the role slices.
    fn rows_with_missing(&self) -> Vec<u64> {
        let n = self.scores_raw.len();
        let flagged = |missing: usize| at_least_pct(missing as u64, n as u64, MISSING_WARN_PCT);
        let score = flagged(self.scores_raw.iter().filter(|s| s.is_nan()).count());
        let label = flagged(self.labels.iter().filter(|y| y.is_none()).count());
        let ts = self
            .timestamps
            .filter(|t| flagged(t.iter().filter(|t| t.is_nan()).count()));
        let dec = self
            .decisions
            .filter(|d| flagged(d.iter().filter(|d| d.is_none()).count()));
        first_rows((0..n).filter(|&i| {
            (score && self.scores_raw[i].is_nan())
                || (label && self.labels[i].is_none())
                || ts.is_some_and(|t| t[i].is_nan())
                || dec.is_some_and(|d| d[i].is_none())
        }))
    }
}

/// Why quality input was rejected (a caller bug, not a data problem).
#[derive(Debug, Clone, PartialEq)]
pub enum QualityError {
    /// A per-row slice does not have the length of the scores.
    LengthMismatch {
        /// Which slice.
        what: &'static str,
        /// Length of the scores.
        expected: usize,
        /// Its length.
        got: usize,
    },
    /// A label or decision `Some(v)` with `v` not 0 or 1 (use `None` for invalid values).
    InvalidValue {
        /// `labels` or `decisions`.
        what: &'static str,
        /// Row index (0-based).
        index: usize,
        /// The value.
        value: u8,
    },
    /// The decision threshold is not finite.
    InvalidThreshold(f64),
    /// The confidence level is not strictly between 0 and 1.
    InvalidConfidence(f64),
}

impl fmt::Display for QualityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LengthMismatch {
                what,
                expected,
                got,
            } => write!(f, "{what}: {got} values for {expected} scores"),
            Self::InvalidValue { what, index, value } => {
                write!(f, "{what}: row {index} holds {value}, not 0 or 1")
            }
            Self::InvalidThreshold(t) => write!(f, "threshold {t} is not finite"),
            Self::InvalidConfidence(c) => {
                write!(f, "confidence {c} is not strictly between 0 and 1")
            }
        }
    }
}

impl std::error::Error for QualityError {}

fn same_len(what: &'static str, expected: usize, got: usize) -> Result<(), QualityError> {
    if expected == got {
        Ok(())
    } else {
        Err(QualityError::LengthMismatch {
            what,
            expected,
            got,
        })
    }
}

fn binary(what: &'static str, values: &[Option<u8>]) -> Result<(), QualityError> {
    match values.iter().position(|v| v.is_some_and(|v| v > 1)) {
        Some(index) => Err(QualityError::InvalidValue {
            what,
            index,
            value: values[index].unwrap_or_default(),
        }),
        None => Ok(()),
    }
}

/// Runs every check on `current` (and `reference` for the change checks and `label_balance`).
///
/// Row-level checks look at the current window only; run `run_checks(reference, None)` to
/// check the reference window's own rows. Errors only on inconsistent input.
pub fn run_checks(
    current: &QualityInput<'_>,
    reference: Option<&QualityInput<'_>>,
) -> Result<QualityReport, QualityError> {
    current.validate()?;
    if let Some(r) = reference {
        r.validate()?;
    }
    let ref_counts = reference.map(|r| r.missing_counts());
    let mut missing = check_missing_rates(&current.missing_counts(), ref_counts.as_deref());
    if current.columns.is_empty() && missing.status != Status::Pass {
        missing.rows = current.rows_with_missing();
    }
    let scores = current.scores_raw;
    let labels = current.labels;
    let not_applicable = |id: &str, what: &str| QualityCheck::skip(id, what);
    let checks = vec![
        missing,
        check_score_range(scores),
        check_score_scale_change(scores, reference.map(|r| r.scores_raw)),
        check_constant_scores(scores),
        check_quantised_scores(scores),
        match current.ids {
            Some(ids) => check_duplicate_ids(ids),
            None => not_applicable("duplicate_ids", "no id column"),
        },
        match current.timestamps {
            Some(t) => check_label_delay(t, labels)?,
            None => not_applicable("label_delay", "no timestamp column"),
        },
        match current.decisions {
            Some(d) => check_decision_consistency(scores, d, current.threshold)?,
            None => not_applicable("decision_consistency", "no decision column"),
        },
        match current.timestamps {
            Some(t) => check_timestamps_order(t, current.now),
            None => not_applicable("timestamps_order", "no timestamp column"),
        },
        check_inverted_scores(scores, labels, current.confidence)?,
        check_label_balance(labels, reference.map(|r| r.labels)),
    ];
    Ok(QualityReport { checks })
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// The first [`MAX_ROWS`] indices of an iterator, as u64.
fn first_rows(it: impl Iterator<Item = usize>) -> Vec<u64> {
    it.take(MAX_ROWS).map(|i| i as u64).collect()
}

/// `num/den` as a percentage with one decimal; a share that is not zero (not all) but rounds
/// to 0.0 % (100.0 %) is written "<0.1%" (">99.9%"), so a few missing labels never read as none.
fn pct(num: u64, den: u64) -> String {
    if den == 0 {
        return "n/a".to_string();
    }
    let text = format!("{:.1}%", 100.0 * num as f64 / den as f64);
    match text.as_str() {
        "0.0%" if num > 0 => "<0.1%".to_string(),
        "100.0%" if num < den => ">99.9%".to_string(),
        _ => text,
    }
}

/// `num/den ≥ p/100`, exactly.
fn at_least_pct(num: u64, den: u64, p: u64) -> bool {
    den > 0 && num as u128 * 100 >= p as u128 * den as u128
}

/// `a/b − c/d ≥ p/100` (an increase of at least `p` points), exactly.
fn rise_at_least_pct(a: u64, b: u64, c: u64, d: u64, p: u64) -> bool {
    if b == 0 || d == 0 {
        return false;
    }
    let lhs = 100 * (a as i128 * d as i128 - c as i128 * b as i128);
    lhs >= p as i128 * b as i128 * d as i128
}

/// A count with thousands separators (`1,000,000`), as every other count in the UI and the
/// exports is written.
fn count_text(n: u64) -> String {
    group_thousands(i64::try_from(n).unwrap_or(i64::MAX))
}

/// `n` and the noun in its number: `1 column`, `1,024 columns`.
fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", count_text(n), if n == 1 { one } else { many })
}

/// Epoch seconds as `YYYY-MM-DDTHH:MM:SSZ` (proleptic Gregorian, UTC); the number itself when
/// outside ±10⁶ years.
pub fn format_epoch(secs: f64) -> String {
    if !secs.is_finite() || secs.abs() > 3.0e13 {
        return format!("{secs}");
    }
    let total = secs.floor() as i64;
    let days = total.div_euclid(86_400);
    let rem = total.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A duration in seconds in the largest whole unit that fits (weeks, days, hours, seconds).
fn format_duration(secs: f64) -> String {
    let whole = |unit: f64| secs >= unit && (secs / unit).fract() == 0.0;
    if whole(WEEK) {
        plural((secs / WEEK) as u64, "week", "weeks")
    } else if whole(DAY) {
        plural((secs / DAY) as u64, "day", "days")
    } else if secs >= 3600.0 {
        format!("{:.1} hours", secs / 3600.0)
    } else {
        format!("{secs:.0} seconds")
    }
}

/// Median of a non-empty slice of non-NaN values (mean of the two middle values when even).
fn median(values: &mut [f64]) -> Option<f64> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let (_, &mut hi, _) = values.select_nth_unstable_by(n / 2, f64::total_cmp);
    if n % 2 == 1 {
        return Some(hi);
    }
    let lo = values[..n / 2]
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    Some(lo / 2.0 + hi / 2.0)
}

// ---------------------------------------------------------------------------------------------
// missing_rates

/// Missing share per column: warn at ≥ 5 %, fail at ≥ 20 %; the detail gives each flagged
/// column's change against the reference window (matched by name) in points.
///
/// The brief's "or a rise of ≥ 5 / ≥ 20 points" triggers are implied by the levels (a rise of
/// `d` points ends at ≥ `d` %), so the reference changes the words, never the status.
/// Columns with no cells are ignored. `count` is the missing cells of flagged columns.
pub fn check_missing_rates(
    current: &[ColumnMissing],
    reference: Option<&[ColumnMissing]>,
) -> QualityCheck {
    const ID: &str = "missing_rates";
    let columns: Vec<&ColumnMissing> = current.iter().filter(|c| c.total > 0).collect();
    let Some(worst) = columns.iter().copied().reduce(|w, c| {
        if c.missing as u128 * w.total as u128 > w.missing as u128 * c.total as u128 {
            c
        } else {
            w
        }
    }) else {
        return QualityCheck::skip(ID, "no columns with rows");
    };
    let mut status = Status::Pass;
    let mut flagged = Vec::new();
    let mut count = 0;
    for c in columns.iter().copied() {
        let s = if at_least_pct(c.missing, c.total, MISSING_FAIL_PCT) {
            Status::Fail
        } else if at_least_pct(c.missing, c.total, MISSING_WARN_PCT) {
            Status::Warn
        } else {
            continue;
        };
        status = status.max(s);
        count += c.missing;
        let mut text = format!("{} {} missing", c.name, pct(c.missing, c.total));
        let r = reference
            .and_then(|r| r.iter().find(|r| r.name == c.name))
            .filter(|r| r.total > 0);
        if let Some(r) = r {
            let points =
                100.0 * (c.missing as f64 / c.total as f64 - r.missing as f64 / r.total as f64);
            text += &format!(
                " (reference {}, {points:+.1} points)",
                pct(r.missing, r.total)
            );
        }
        flagged.push(text);
    }
    let detail = if flagged.is_empty() {
        format!(
            "{} checked, all under {MISSING_WARN_PCT}% missing (highest: {} at {})",
            plural(columns.len() as u64, "column", "columns"),
            worst.name,
            pct(worst.missing, worst.total)
        )
    } else {
        flagged.join("; ")
    };
    QualityCheck::new(ID, status, detail).involving(count, Vec::new())
}

// ---------------------------------------------------------------------------------------------
// score_range

/// Present (non-NaN) scores outside [0, 1], ±∞ included → fail.
pub fn check_score_range(scores_raw: &[f64]) -> QualityCheck {
    const ID: &str = "score_range";
    let present = scores_raw.iter().filter(|s| !s.is_nan()).count() as u64;
    if present == 0 {
        return QualityCheck::skip(ID, "no scores present");
    }
    let outside = |s: &f64| !s.is_nan() && !(0.0..=1.0).contains(s);
    let count = scores_raw.iter().filter(|s| outside(s)).count() as u64;
    if count == 0 {
        return QualityCheck::new(
            ID,
            Status::Pass,
            format!(
                "all {} present scores are within [0, 1]",
                count_text(present)
            ),
        );
    }
    let (lo, hi) = min_max(scores_raw.iter().copied().filter(|s| !s.is_nan()));
    let rows = first_rows((0..scores_raw.len()).filter(|&i| outside(&scores_raw[i])));
    QualityCheck::new(
        ID,
        Status::Fail,
        format!(
            "{} of {} scores ({}) are outside [0, 1] (min {lo}, max {hi}); \
             check the score transform (percent? logit?)",
            count_text(count),
            count_text(present),
            pct(count, present)
        ),
    )
    .involving(count, rows)
}

fn min_max(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), s| {
        (lo.min(s), hi.max(s))
    })
}

// ---------------------------------------------------------------------------------------------
// score_scale_change

/// Shape of one window's finite scores, for the scale comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Scale {
    n: u64,
    min: f64,
    max: f64,
    median: f64,
    whole_percent: bool,
}

impl Scale {
    fn of(scores: &[f64]) -> Option<Self> {
        let mut v: Vec<f64> = scores.iter().copied().filter(|s| s.is_finite()).collect();
        let (min, max) = min_max(v.iter().copied());
        let whole_percent = v
            .iter()
            .all(|s| s.fract() == 0.0 && (0.0..=100.0).contains(s));
        let median = median(&mut v)?;
        Some(Self {
            n: v.len() as u64,
            min,
            max,
            median,
            whole_percent,
        })
    }
}

/// The reasons the current scores look to be on another scale than the reference's.
fn scale_rules(cur: &Scale, refr: &Scale) -> Vec<String> {
    let mut out = Vec::new();
    let both = |f: &dyn Fn(&Scale, &Scale) -> Option<String>| {
        f(cur, refr)
            .map(|m| format!("current {m}, reference not"))
            .or_else(|| f(refr, cur).map(|m| format!("reference {m}, current not")))
    };
    out.extend(both(&|a, b| {
        (a.max > 1.0 && b.max <= 1.0).then(|| format!("scores exceed 1 (max {})", a.max))
    }));
    out.extend(both(&|a, b| {
        (a.min < 0.0 && b.min >= 0.0).then(|| format!("scores are negative (min {})", a.min))
    }));
    out.extend(both(&|a, b| {
        (a.max <= 0.01 && b.max >= 0.1).then(|| {
            format!(
                "max score is {} (≤ 0.01; the other window's is {})",
                a.max, b.max
            )
        })
    }));
    if cur.median > 0.0 && refr.median > 0.0 {
        let ratio = cur.median / refr.median;
        if !(0.1..=10.0).contains(&ratio) {
            out.push(format!(
                "median score {} vs reference {} (ratio {ratio:.3})",
                cur.median, refr.median
            ));
        }
    }
    out.extend(both(&|a, b| {
        (a.whole_percent && !b.whole_percent).then(|| {
            "scores are all whole numbers in [0, 100] (percent or hard 0/1 decisions?)".to_string()
        })
    }));
    out
}

/// The current scores on another scale than the reference's → fail (rules in the module doc).
///
/// Compares finite scores; skip without a reference or without finite scores in a window.
/// `count` is the current window's finite scores when failing; no example rows.
pub fn check_score_scale_change(current: &[f64], reference: Option<&[f64]>) -> QualityCheck {
    const ID: &str = "score_scale_change";
    let Some(reference) = reference else {
        return QualityCheck::skip(ID, "no reference window");
    };
    let (Some(cur), Some(refr)) = (Scale::of(current), Scale::of(reference)) else {
        return QualityCheck::skip(ID, "a window has no finite scores");
    };
    let reasons = scale_rules(&cur, &refr);
    if reasons.is_empty() {
        return QualityCheck::new(
            ID,
            Status::Pass,
            format!(
                "same scale: current min {}, median {}, max {}; reference min {}, median {}, max {}",
                cur.min, cur.median, cur.max, refr.min, refr.median, refr.max
            ),
        );
    }
    QualityCheck::new(ID, Status::Fail, reasons.join("; ")).involving(cur.n, Vec::new())
}

// ---------------------------------------------------------------------------------------------
// constant_scores and quantised_scores

/// Every present score equal (at least two present) → fail. `-0.0` equals `0.0`.
pub fn check_constant_scores(scores_raw: &[f64]) -> QualityCheck {
    const ID: &str = "constant_scores";
    let mut present = scores_raw.iter().filter(|s| !s.is_nan());
    let Some(&first) = present.next() else {
        return QualityCheck::skip(ID, "no scores present");
    };
    let n = 1 + present.clone().count() as u64;
    if n < 2 {
        return QualityCheck::skip(ID, "only one score present");
    }
    if let Some(other) = present.find(|&&s| s != first) {
        return QualityCheck::new(
            ID,
            Status::Pass,
            format!(
                "{} present scores, not all equal (e.g. {first} and {other})",
                count_text(n)
            ),
        );
    }
    QualityCheck::new(
        ID,
        Status::Fail,
        format!(
            "all {} present scores equal {first}: nothing can be ranked or calibrated",
            count_text(n)
        ),
    )
    .involving(n, Vec::new())
}

/// At most 10 distinct present scores among at least 1000 → warn (skip below 1000).
///
/// Counts distinct values up to 11 in one pass (no sort). `count` is the present scores when
/// warning.
pub fn check_quantised_scores(scores_raw: &[f64]) -> QualityCheck {
    const ID: &str = "quantised_scores";
    let mut distinct: Vec<f64> = Vec::with_capacity(QUANTISED_MAX_DISTINCT + 1);
    let mut n = 0u64;
    for &s in scores_raw.iter().filter(|s| !s.is_nan()) {
        n += 1;
        let s = s + 0.0;
        if distinct.len() <= QUANTISED_MAX_DISTINCT && !distinct.contains(&s) {
            distinct.push(s);
        }
    }
    let few = distinct.len() <= QUANTISED_MAX_DISTINCT;
    let how_many = if few {
        plural(distinct.len() as u64, "distinct value", "distinct values")
    } else {
        format!("more than {QUANTISED_MAX_DISTINCT} distinct values")
    };
    if n < QUANTISED_MIN_ROWS {
        return QualityCheck::skip(
            ID,
            &format!(
                "needs at least {} scores; {} present ({how_many})",
                count_text(QUANTISED_MIN_ROWS),
                count_text(n)
            ),
        );
    }
    if !few {
        return QualityCheck::new(
            ID,
            Status::Pass,
            format!("{} scores with {how_many}", count_text(n)),
        );
    }
    distinct.sort_by(f64::total_cmp);
    let list: Vec<String> = distinct.iter().map(|v| v.to_string()).collect();
    QualityCheck::new(
        ID,
        Status::Warn,
        format!(
            "{} scores take only {how_many} ({}): curves and thresholds have few steps; \
             were scores rounded or bucketed?",
            count_text(n),
            list.join(", ")
        ),
    )
    .involving(n, Vec::new())
}

// ---------------------------------------------------------------------------------------------
// duplicate_ids

/// Rows whose id already appeared in an earlier row: warn if any, fail at ≥ 1 % of rows.
///
/// `count` is the repeating rows (rows − distinct ids); `rows` the first of them in row order.
/// O(n log n) time, one sorted copy of the ids.
pub fn check_duplicate_ids(ids: &[u64]) -> QualityCheck {
    const ID: &str = "duplicate_ids";
    let n = ids.len() as u64;
    if n == 0 {
        return QualityCheck::skip(ID, "no rows");
    }
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    // Ids that occur more than once, each once, ascending.
    let mut repeated: Vec<u64> = sorted
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    repeated.dedup();
    sorted.dedup();
    let count = n - sorted.len() as u64;
    drop(sorted);
    if count == 0 {
        return QualityCheck::new(
            ID,
            Status::Pass,
            format!("all {} ids are distinct", count_text(n)),
        );
    }
    let mut seen = vec![false; repeated.len()];
    let rows = first_rows((0..ids.len()).filter(|&i| {
        repeated.binary_search(&ids[i]).is_ok_and(|k| {
            let again = seen[k];
            seen[k] = true;
            again
        })
    }));
    let status = if at_least_pct(count, n, 1) {
        Status::Fail
    } else {
        Status::Warn
    };
    QualityCheck::new(
        ID,
        status,
        format!(
            "{} of {} rows ({}) repeat an earlier id ({} ids occur more than once): \
             duplicated predictions are counted twice",
            count_text(count),
            count_text(n),
            pct(count, n),
            count_text(repeated.len() as u64)
        ),
    )
    .involving(count, rows)
}

// ---------------------------------------------------------------------------------------------
// label_delay

/// The most recent period used by `label_delay`: rows with timestamp in `(start, end]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RecentPeriod {
    /// Exclusive start, epoch seconds.
    pub start: f64,
    /// Inclusive end (the latest timestamp), epoch seconds.
    pub end: f64,
}

/// The last 10 % of the time range `[min, max]`, rounded down to whole weeks when at least a
/// week long, else to whole days when at least a day; `None` when the range is empty.
pub fn recent_period(timestamps: &[f64]) -> Option<RecentPeriod> {
    let (lo, hi) = min_max(timestamps.iter().copied().filter(|t| t.is_finite()));
    if hi.partial_cmp(&lo) != Some(Ordering::Greater) {
        return None;
    }
    let mut w = 0.1 * (hi - lo);
    if w >= WEEK {
        w = (w / WEEK).floor() * WEEK;
    } else if w >= DAY {
        w = (w / DAY).floor() * DAY;
    }
    Some(RecentPeriod {
        start: hi - w,
        end: hi,
    })
}

#[derive(Debug, Default, Clone, Copy)]
struct LabelCounts {
    rows: u64,
    missing: u64,
    positives: u64,
}

impl LabelCounts {
    fn add(&mut self, y: Option<u8>) {
        self.rows += 1;
        match y {
            None => self.missing += 1,
            Some(1) => self.positives += 1,
            Some(_) => {}
        }
    }

    fn labelled(&self) -> u64 {
        self.rows - self.missing
    }

    fn negatives(&self) -> u64 {
        self.labelled() - self.positives
    }
}

/// Labels missing or all one class in the most recent period ([`recent_period`]).
///
/// Missing part: the recent missing-label share rising ≥ 5 points over the earlier rows warns,
/// ≥ 20 points (or every recent label missing) fails. Class part: when the recent labelled
/// rows are all one class and the earlier rows have both, the chance of that under the earlier
/// rates is `(1 − p)^m` (`p` the earlier share of the absent class among labelled rows, `m` the
/// recent labelled rows): < 0.05 warns, < 0.001 fails. Rows without a finite timestamp are
/// ignored. Skip without a time range or without any label.
pub fn check_label_delay(
    timestamps: &[f64],
    labels: &[Option<u8>],
) -> Result<QualityCheck, QualityError> {
    const ID: &str = "label_delay";
    same_len("labels", timestamps.len(), labels.len())?;
    binary("labels", labels)?;
    let Some(period) = recent_period(timestamps) else {
        return Ok(QualityCheck::skip(ID, "fewer than two distinct timestamps"));
    };
    let (mut recent, mut earlier) = (LabelCounts::default(), LabelCounts::default());
    for (&t, &y) in timestamps.iter().zip(labels) {
        if t.is_finite() && t > period.start {
            recent.add(y);
        } else if t.is_finite() {
            earlier.add(y);
        }
    }
    if recent.labelled() + earlier.labelled() == 0 {
        return Ok(QualityCheck::skip(
            ID,
            "no labels at all (see label_balance)",
        ));
    }
    let span = format!(
        "the last {} (after {})",
        format_duration(period.end - period.start),
        format_epoch(period.start)
    );
    let is_recent = |i: usize| timestamps[i].is_finite() && timestamps[i] > period.start;

    // Missing labels.
    let rise = |p| {
        rise_at_least_pct(
            recent.missing,
            recent.rows,
            earlier.missing,
            earlier.rows,
            p,
        )
    };
    let missing_status = if recent.labelled() == 0 || rise(MISSING_FAIL_PCT) {
        Status::Fail
    } else if rise(MISSING_WARN_PCT) {
        Status::Warn
    } else {
        Status::Pass
    };
    let mut parts = vec![format!(
        "{} of {} rows in {span} have no label ({}; earlier rows {})",
        count_text(recent.missing),
        count_text(recent.rows),
        pct(recent.missing, recent.rows),
        pct(earlier.missing, earlier.rows)
    )];

    // One class among the recent labels.
    let mut class_status = Status::Pass;
    let m = recent.labelled();
    let earlier_both = earlier.positives > 0 && earlier.negatives() > 0;
    if m > 0 && earlier_both && (recent.positives == 0 || recent.negatives() == 0) {
        let (present, absent_earlier) = if recent.positives == 0 {
            (0, earlier.positives)
        } else {
            (1, earlier.negatives())
        };
        let p = absent_earlier as f64 / earlier.labelled() as f64;
        let chance = (1.0 - p).powf(m as f64);
        class_status = if chance < 0.001 {
            Status::Fail
        } else if chance < 0.05 {
            Status::Warn
        } else {
            Status::Pass
        };
        parts.push(format!(
            "all {} labelled recent rows are {present}; at the earlier rate of {} ({}) \
             that happens by chance with probability {chance:.2e}",
            count_text(m),
            1 - present,
            pct(absent_earlier, earlier.labelled())
        ));
    }

    let status = missing_status.max(class_status);
    if status == Status::Pass {
        return Ok(QualityCheck::new(ID, Status::Pass, parts.join("; ")));
    }
    let involved = |i: usize| {
        is_recent(i)
            && ((missing_status != Status::Pass && labels[i].is_none())
                || (class_status != Status::Pass && labels[i].is_some()))
    };
    let mut count = 0;
    if missing_status != Status::Pass {
        count += recent.missing;
    }
    if class_status != Status::Pass {
        count += m;
    }
    parts.push("labels may not have arrived yet: metrics on recent rows are biased".into());
    Ok(QualityCheck::new(ID, status, parts.join("; ")).involving(
        count,
        first_rows((0..labels.len()).filter(|&i| involved(i))),
    ))
}

// ---------------------------------------------------------------------------------------------
// decision_consistency

/// The threshold interval whose rule `score ≥ t` agrees with the most recorded decisions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ConsistentThreshold {
    /// Exclusive lower end of the interval (`None` = −∞: every row predicted positive).
    pub lower: Option<f64>,
    /// Inclusive upper end (`None` = +∞: every row predicted negative).
    pub upper: Option<f64>,
    /// Rows whose decision equals `score ≥ t` for any `t` in the interval.
    pub agreement: u64,
    /// Rows compared (finite score and a decision).
    pub compared: u64,
}

impl ConsistentThreshold {
    /// Whether `t` lies in `(lower, upper]`.
    pub fn contains(&self, t: f64) -> bool {
        self.lower.is_none_or(|lo| t > lo) && self.upper.is_none_or(|hi| t <= hi)
    }

    fn distance(&self, t: f64) -> f64 {
        match (self.lower, self.upper) {
            (Some(lo), _) if t <= lo => lo - t,
            (_, Some(hi)) if t > hi => t - hi,
            _ => 0.0,
        }
    }

    fn describe(&self) -> String {
        match (self.lower, self.upper) {
            (Some(lo), Some(hi)) => format!("any threshold in ({lo}, {hi}]"),
            (None, Some(hi)) => format!("any threshold ≤ {hi} (everything positive)"),
            (Some(lo), None) => format!("any threshold above {lo} (everything negative)"),
            (None, None) => "any threshold".to_string(),
        }
    }
}

/// The threshold interval most consistent with the decisions, exactly, by one sort.
///
/// Rows need a finite score and a decision. Candidates are the intervals between consecutive
/// distinct scores (plus below the lowest and above the highest); among equally good ones the
/// interval nearest `preferred` wins (containing it if possible), then the higher one. `None`
/// when no row can be compared. Errors on unequal lengths or a decision other than 0/1.
pub fn consistent_threshold(
    scores: &[f64],
    decisions: &[Option<u8>],
    preferred: f64,
) -> Result<Option<ConsistentThreshold>, QualityError> {
    same_len("decisions", scores.len(), decisions.len())?;
    binary("decisions", decisions)?;
    let mut pairs: Vec<(f64, bool)> = scores
        .iter()
        .zip(decisions)
        .filter(|&(s, d)| s.is_finite() && d.is_some())
        .map(|(&s, &d)| (s + 0.0, d == Some(1)))
        .collect();
    if pairs.is_empty() {
        return Ok(None);
    }
    pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let compared = pairs.len() as u64;
    let total_ones = pairs.iter().filter(|p| p.1).count() as u64;
    // Walk the distinct scores upwards; `zeros_below` / `ones_below` count rows strictly below.
    let (mut zeros_below, mut ones_below) = (0u64, 0u64);
    let mut best: Option<ConsistentThreshold> = None;
    let mut consider = |c: ConsistentThreshold| {
        let better = match &best {
            None => true,
            Some(b) => match c.agreement.cmp(&b.agreement) {
                Ordering::Greater => true,
                Ordering::Less => false,
                Ordering::Equal => c.distance(preferred) <= b.distance(preferred),
            },
        };
        if better {
            best = Some(c);
        }
    };
    let mut lower = None;
    let mut i = 0;
    while i < pairs.len() {
        let s = pairs[i].0;
        // t in (lower, s]: rows ≥ s predicted 1.
        consider(ConsistentThreshold {
            lower,
            upper: Some(s),
            agreement: zeros_below + (total_ones - ones_below),
            compared,
        });
        while i < pairs.len() && pairs[i].0 == s {
            if pairs[i].1 {
                ones_below += 1;
            } else {
                zeros_below += 1;
            }
            i += 1;
        }
        lower = Some(s);
    }
    consider(ConsistentThreshold {
        lower,
        upper: None,
        agreement: zeros_below,
        compared,
    });
    Ok(best)
}

/// Recorded decisions against `score ≥ threshold`: warn when ≤ 1 % of compared rows disagree,
/// fail above; the detail names the threshold interval most consistent with the decisions.
///
/// Compares rows with a finite score and a decision; skip when there are none. `count` is the
/// disagreeing rows.
pub fn check_decision_consistency(
    scores: &[f64],
    decisions: &[Option<u8>],
    threshold: f64,
) -> Result<QualityCheck, QualityError> {
    const ID: &str = "decision_consistency";
    if !threshold.is_finite() {
        return Err(QualityError::InvalidThreshold(threshold));
    }
    let Some(best) = consistent_threshold(scores, decisions, threshold)? else {
        return Ok(QualityCheck::skip(
            ID,
            "no row has both a score and a decision",
        ));
    };
    let disagrees = |i: usize| {
        scores[i].is_finite() && decisions[i].is_some_and(|d| (d == 1) != (scores[i] >= threshold))
    };
    let count = (0..scores.len()).filter(|&i| disagrees(i)).count() as u64;
    let n = best.compared;
    let most = format!(
        "the decisions are best explained by {} ({} of {} agree)",
        best.describe(),
        count_text(best.agreement),
        count_text(n)
    );
    if count == 0 {
        return Ok(QualityCheck::new(
            ID,
            Status::Pass,
            format!(
                "all {} decisions equal score ≥ {threshold}; {most}",
                count_text(n)
            ),
        ));
    }
    let status = if count as u128 * 100 <= n as u128 {
        Status::Warn
    } else {
        Status::Fail
    };
    let rows = first_rows((0..scores.len()).filter(|&i| disagrees(i)));
    Ok(QualityCheck::new(
        ID,
        status,
        format!(
            "{} of {} decisions ({}) differ from score ≥ {threshold}; {most}",
            count_text(count),
            count_text(n),
            pct(count, n)
        ),
    )
    .involving(count, rows))
}

// ---------------------------------------------------------------------------------------------
// timestamps_order

/// Timestamps earlier than an earlier row's (warn) or after `now` (fail).
///
/// NaN timestamps are ignored. `count` is the rows out of order or in the future.
pub fn check_timestamps_order(timestamps: &[f64], now: Option<f64>) -> QualityCheck {
    const ID: &str = "timestamps_order";
    let present = timestamps.iter().filter(|t| !t.is_nan()).count() as u64;
    if present == 0 {
        return QualityCheck::skip(ID, "no timestamps present");
    }
    let now = now.filter(|t| !t.is_nan());
    let mut running = f64::NEG_INFINITY;
    let (mut backwards, mut future, mut count) = (0u64, 0u64, 0u64);
    let mut involved = Vec::new();
    for (i, &t) in timestamps.iter().enumerate() {
        if t.is_nan() {
            continue;
        }
        let back = t < running;
        let late = now.is_some_and(|now| t > now);
        backwards += u64::from(back);
        future += u64::from(late);
        count += u64::from(back || late);
        if (back || late) && involved.len() < MAX_ROWS {
            involved.push(i as u64);
        }
        running = running.max(t);
    }
    let mut parts = Vec::new();
    if backwards > 0 {
        parts.push(format!(
            "{} of {} rows have a timestamp earlier than a row before them \
             (a time-ordered split would mix them)",
            count_text(backwards),
            count_text(present)
        ));
    }
    match now {
        Some(now) if future > 0 => parts.push(format!(
            "{} rows are later than now ({}): clock or time-zone error?",
            count_text(future),
            format_epoch(now)
        )),
        Some(_) => {}
        None => parts.push("not compared with the current time (none given)".into()),
    }
    let status = if future > 0 {
        Status::Fail
    } else if backwards > 0 {
        Status::Warn
    } else {
        Status::Pass
    };
    if status == Status::Pass {
        parts.insert(
            0,
            format!("all {} timestamps in order", count_text(present)),
        );
        return QualityCheck::new(ID, status, parts.join("; "));
    }
    QualityCheck::new(ID, status, parts.join("; ")).involving(count, involved)
}

// ---------------------------------------------------------------------------------------------
// inverted_scores

/// ROC AUC below 0.5: fail when the DeLong interval's upper end is below 0.5 too, else warn.
///
/// Uses rows with a finite score and a label; skip without both classes. With fewer than two
/// rows of a class the interval is undefined and an AUC below 0.5 only warns. `count` is the
/// rows used when not passing.
pub fn check_inverted_scores(
    scores: &[f64],
    labels: &[Option<u8>],
    confidence: f64,
) -> Result<QualityCheck, QualityError> {
    const ID: &str = "inverted_scores";
    same_len("labels", scores.len(), labels.len())?;
    binary("labels", labels)?;
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(QualityError::InvalidConfidence(confidence));
    }
    // Labelled rows with a finite score, ranked without a copy of them (`binary` checked the
    // labels are 0/1).
    let rows = scores
        .iter()
        .zip(labels)
        .filter_map(|(&s, &y)| y.filter(|_| s.is_finite()).map(|y| (s, y)));
    let summary = RankSummary::from_valid_rows(rows);
    let Some(auc) = summary.roc_auc() else {
        return Ok(QualityCheck::skip(
            ID,
            "needs both classes among labelled rows",
        ));
    };
    let ci = ranking::confidence_interval(&summary, confidence)
        .ok()
        .flatten();
    let level = format!("{:.0}%", 100.0 * confidence);
    let ci_text = ci.map_or(
        " (interval undefined: too few rows of a class)".to_string(),
        |c| format!(" ({level} DeLong interval {:.4}–{:.4})", c[0], c[1]),
    );
    if auc >= 0.5 {
        return Ok(QualityCheck::new(
            ID,
            Status::Pass,
            format!("ROC AUC {auc:.4}{ci_text}"),
        ));
    }
    let (status, verdict) = match ci {
        Some(c) if c[1] < 0.5 => (
            Status::Fail,
            "significantly below 0.5: scores rank negatives above positives — inverted scores \
             (1 − p) or flipped labels?",
        ),
        _ => (
            Status::Warn,
            "below 0.5 but not significantly: the scores carry little or inverted signal",
        ),
    };
    Ok(QualityCheck::new(
        ID,
        status,
        format!("ROC AUC {auc:.4}{ci_text} is {verdict}"),
    )
    .involving(summary.n(), Vec::new()))
}

// ---------------------------------------------------------------------------------------------
// label_balance

/// A window with no labels, or whose labels are all one class → fail.
///
/// `count` is the labelled rows of the failing windows.
pub fn check_label_balance(
    current: &[Option<u8>],
    reference: Option<&[Option<u8>]>,
) -> QualityCheck {
    const ID: &str = "label_balance";
    let mut status = Status::Pass;
    let mut parts = Vec::new();
    let mut count = 0;
    for (name, labels) in [("current", Some(current)), ("reference", reference)] {
        let Some(labels) = labels else { continue };
        let mut c = LabelCounts::default();
        labels.iter().for_each(|&y| c.add(y));
        let n = c.labelled();
        let text = if n == 0 {
            format!("{name}: no labelled rows")
        } else if c.positives == 0 || c.negatives() == 0 {
            format!(
                "{name}: all {} labelled rows are {}",
                count_text(n),
                u8::from(c.positives > 0)
            )
        } else {
            parts.push(format!(
                "{name}: {} positives and {} negatives ({} positive)",
                count_text(c.positives),
                count_text(c.negatives()),
                pct(c.positives, n)
            ));
            continue;
        };
        status = Status::Fail;
        count += n;
        parts.push(text + " (AUC and most metrics are undefined)");
    }
    QualityCheck::new(ID, status, parts.join("; ")).involving(count, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(v: &[u8]) -> Vec<Option<u8>> {
        v.iter().map(|&y| Some(y)).collect()
    }

    #[test]
    fn status_serialises_snake_case() {
        assert_eq!(serde_json::to_string(&Status::Skip).unwrap(), "\"skip\"");
        assert_eq!(serde_json::to_string(&Status::Fail).unwrap(), "\"fail\"");
        for s in [Status::Pass, Status::Warn, Status::Fail, Status::Skip] {
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.key())
            );
        }
    }

    #[test]
    fn counts_have_thousands_separators_and_small_shares_are_not_zero() {
        assert_eq!(plural(1, "column", "columns"), "1 column");
        assert_eq!(plural(1_000_000, "row", "rows"), "1,000,000 rows");
        assert_eq!(pct(3, 20_000), "<0.1%");
        assert_eq!(pct(0, 20_000), "0.0%");
        assert_eq!(pct(19_999, 20_000), ">99.9%");
        assert_eq!(pct(20_000, 20_000), "100.0%");
        assert_eq!(pct(1, 8), "12.5%");
        let ids: Vec<u64> = (0..1_200_000).map(|i| i % 1_100_000).collect();
        let c = check_duplicate_ids(&ids);
        assert_eq!(
            c.detail,
            "100,000 of 1,200,000 rows (8.3%) repeat an earlier id (100,000 ids occur more than \
             once): duplicated predictions are counted twice"
        );
        let scores = vec![0.5; 1_000_000];
        assert_eq!(
            check_constant_scores(&scores).detail,
            "all 1,000,000 present scores equal 0.5: nothing can be ranked or calibrated"
        );
    }

    #[test]
    fn exact_percent_comparisons() {
        assert!(at_least_pct(5, 100, 5));
        assert!(!at_least_pct(4, 100, 5));
        assert!(at_least_pct(1, 20, 5));
        assert!(!at_least_pct(0, 0, 5));
        // 10/100 − 5/100 = 5 points exactly.
        assert!(rise_at_least_pct(10, 100, 5, 100, 5));
        assert!(!rise_at_least_pct(10, 100, 6, 100, 5));
        // a fall is never a rise
        assert!(!rise_at_least_pct(0, 100, 50, 100, 5));
    }

    #[test]
    fn epoch_formatting() {
        assert_eq!(format_epoch(0.0), "1970-01-01T00:00:00Z");
        assert_eq!(format_epoch(1_767_225_600.0), "2026-01-01T00:00:00Z");
        assert_eq!(format_epoch(951_782_400.0), "2000-02-29T00:00:00Z");
        assert_eq!(format_epoch(-1.0), "1969-12-31T23:59:59Z");
        assert_eq!(format_epoch(f64::NAN), "NaN");
    }

    #[test]
    fn durations() {
        assert_eq!(format_duration(2.0 * WEEK), "2 weeks");
        assert_eq!(format_duration(3.0 * DAY), "3 days");
        assert_eq!(format_duration(DAY), "1 day");
        assert_eq!(format_duration(5400.0), "1.5 hours");
        assert_eq!(format_duration(42.0), "42 seconds");
    }

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }

    #[test]
    fn missing_rates_thresholds() {
        let col = |name: &str, missing, total| ColumnMissing {
            name: name.into(),
            missing,
            total,
        };
        let c = check_missing_rates(&[col("a", 4, 100), col("b", 0, 100)], None);
        assert_eq!(c.status, Status::Pass);
        assert_eq!(c.count, 0);
        assert!(c.detail.contains("highest: a at 4.0%"), "{}", c.detail);
        let c = check_missing_rates(&[col("a", 5, 100), col("b", 1, 100)], None);
        assert_eq!(c.status, Status::Warn);
        assert_eq!(c.count, 5);
        assert!(!c.detail.contains("b "), "{}", c.detail);
        let c = check_missing_rates(&[col("a", 199, 1000)], None);
        assert_eq!(c.status, Status::Warn);
        let c = check_missing_rates(&[col("a", 20, 100), col("b", 6, 100)], None);
        assert_eq!(c.status, Status::Fail);
        assert_eq!(c.count, 26);
        assert_eq!(check_missing_rates(&[], None).status, Status::Skip);
        assert_eq!(
            check_missing_rates(&[col("a", 0, 0)], None).status,
            Status::Skip
        );
    }

    #[test]
    fn missing_rates_reports_the_change_by_name() {
        let col = |name: &str, missing, total| ColumnMissing {
            name: name.into(),
            missing,
            total,
        };
        let r = [col("a", 50, 1000), col("b", 0, 10)];
        let c = check_missing_rates(&[col("a", 250, 1000)], Some(&r));
        assert_eq!(c.status, Status::Fail);
        assert!(
            c.detail
                .contains("a 25.0% missing (reference 5.0%, +20.0 points)"),
            "{}",
            c.detail
        );
        // A column the reference lacks is reported without a change.
        let c = check_missing_rates(&[col("z", 30, 100)], Some(&r));
        assert!(!c.detail.contains("reference"), "{}", c.detail);
    }

    #[test]
    fn score_range_counts_out_of_range_not_missing() {
        let c = check_score_range(&[0.0, 1.0, 0.5, f64::NAN]);
        assert_eq!(c.status, Status::Pass);
        let c = check_score_range(&[0.2, 1.5, f64::NAN, -0.1, f64::INFINITY, -0.0]);
        assert_eq!(c.status, Status::Fail);
        assert_eq!(c.count, 3);
        assert_eq!(c.rows, vec![1, 3, 4]);
        assert_eq!(check_score_range(&[f64::NAN]).status, Status::Skip);
        assert_eq!(check_score_range(&[]).status, Status::Skip);
    }

    #[test]
    fn scale_change_rules() {
        let probs: Vec<f64> = (1..100).map(|i| i as f64 / 100.0).collect();
        let percent: Vec<f64> = (1..100).map(|i| i as f64).collect();
        let tiny: Vec<f64> = probs.iter().map(|p| p / 100.0).collect();
        let logits: Vec<f64> = probs.iter().map(|p| (p / (1.0 - p)).ln()).collect();
        let zero_one: Vec<f64> = probs.iter().map(|p| p.round()).collect();
        assert_eq!(
            check_score_scale_change(&probs, Some(&probs)).status,
            Status::Pass
        );
        for bad in [&percent, &tiny, &logits, &zero_one] {
            let c = check_score_scale_change(bad, Some(&probs));
            assert_eq!(c.status, Status::Fail, "{}", c.detail);
            assert_eq!(c.count, 99);
            // and the other way round
            let c = check_score_scale_change(&probs, Some(bad));
            assert_eq!(c.status, Status::Fail, "{}", c.detail);
        }
        let halves: Vec<f64> = probs.iter().map(|p| p / 2.0).collect();
        assert_eq!(
            check_score_scale_change(&halves, Some(&probs)).status,
            Status::Pass
        );
        assert_eq!(check_score_scale_change(&probs, None).status, Status::Skip);
        assert_eq!(
            check_score_scale_change(&[f64::NAN], Some(&probs)).status,
            Status::Skip
        );
    }

    #[test]
    fn constant_and_quantised() {
        assert_eq!(
            check_constant_scores(&[0.3, 0.3, f64::NAN, 0.3]).status,
            Status::Fail
        );
        assert_eq!(check_constant_scores(&[0.0, -0.0]).status, Status::Fail);
        assert_eq!(check_constant_scores(&[0.3, 0.4]).status, Status::Pass);
        assert_eq!(check_constant_scores(&[0.3]).status, Status::Skip);
        assert_eq!(check_constant_scores(&[]).status, Status::Skip);

        let grid: Vec<f64> = (0..1000).map(|i| (i % 10) as f64 / 10.0).collect();
        let c = check_quantised_scores(&grid);
        assert_eq!(c.status, Status::Warn);
        assert_eq!(c.count, 1000);
        assert!(c.detail.contains("10 distinct values"), "{}", c.detail);
        let grid11: Vec<f64> = (0..1000).map(|i| (i % 11) as f64 / 10.0).collect();
        assert_eq!(check_quantised_scores(&grid11).status, Status::Pass);
        assert_eq!(check_quantised_scores(&grid[..999]).status, Status::Skip);
    }

    #[test]
    fn duplicate_ids_counts_repeats_in_row_order() {
        assert_eq!(check_duplicate_ids(&[1, 2, 3]).status, Status::Pass);
        let c = check_duplicate_ids(&[5, 1, 5, 2, 1, 5]);
        assert_eq!(c.status, Status::Fail);
        assert_eq!(c.count, 3);
        assert_eq!(c.rows, vec![2, 4, 5]);
        let mut ids: Vec<u64> = (0..100).collect();
        ids.push(7);
        let c = check_duplicate_ids(&ids);
        assert_eq!(c.status, Status::Warn); // 1 of 101 < 1%
        assert_eq!(c.rows, vec![100]);
        ids.push(8);
        assert_eq!(check_duplicate_ids(&ids).status, Status::Fail); // 2 of 102 ≥ 1%
        assert_eq!(check_duplicate_ids(&[]).status, Status::Skip);
    }

    #[test]
    fn recent_period_rounds_to_weeks_and_days() {
        let p = recent_period(&[0.0, 100.0 * DAY]).unwrap();
        assert_eq!(p.end - p.start, WEEK); // 10 days → 1 week
        let p = recent_period(&[0.0, 30.0 * DAY, f64::NAN]).unwrap();
        assert_eq!(p.end - p.start, 3.0 * DAY);
        let p = recent_period(&[0.0, 1000.0]).unwrap();
        assert_eq!(p.end - p.start, 100.0);
        assert!(recent_period(&[5.0, 5.0]).is_none());
        assert!(recent_period(&[f64::NAN]).is_none());
    }

    #[test]
    fn label_delay_missing_and_one_class() {
        // 100 rows over 100 days; labels alternate.
        let t: Vec<f64> = (0..100).map(|i| i as f64 * DAY).collect();
        let y: Vec<Option<u8>> = (0..100).map(|i| Some((i % 2) as u8)).collect();
        let c = check_label_delay(&t, &y).unwrap();
        assert_eq!(c.status, Status::Pass, "{}", c.detail);
        // A row with an infinite timestamp and no label is neither recent nor earlier.
        let mut t_inf = t.clone();
        t_inf.push(f64::INFINITY);
        let mut y_inf = y.clone();
        y_inf.push(None);
        let c = check_label_delay(&t_inf, &y_inf).unwrap();
        assert_eq!(c.status, Status::Pass, "{}", c.detail);
        // Recent period: 10% of 99 days = 9.9 days → whole weeks: 7 days → rows 93..=99.
        let mut y2 = y.clone();
        for v in &mut y2[93..] {
            *v = None;
        }
        let c = check_label_delay(&t, &y2).unwrap();
        assert_eq!(c.status, Status::Fail);
        assert_eq!(c.count, 7);
        assert_eq!(c.rows, (93..100).collect::<Vec<u64>>());
        assert!(c.detail.contains("the last 1 week"), "{}", c.detail);
        // A few missing recent labels: 1 of 7 (14.3%) vs 0% earlier → +14 points → warn.
        let mut y4 = y.clone();
        y4[95] = None;
        let c = check_label_delay(&t, &y4).unwrap();
        assert_eq!(c.status, Status::Warn, "{}", c.detail);
        assert_eq!(c.rows, vec![95]);
        // One class recently: 7 negatives at an earlier positive rate of ~50%: 0.5^7 ≈ 0.008.
        let mut y3 = y.clone();
        for v in &mut y3[93..] {
            *v = Some(0);
        }
        let c = check_label_delay(&t, &y3).unwrap();
        assert_eq!(c.status, Status::Warn, "{}", c.detail);
        assert_eq!(c.count, 7);
        // 2 weeks of a 200-day log all negative: 0.5^14 < 0.001 → fail.
        let t5: Vec<f64> = (0..200).map(|i| i as f64 * DAY).collect();
        let y5: Vec<Option<u8>> = (0..200)
            .map(|i| Some(u8::from(i % 2 == 1 && i < 185)))
            .collect();
        let c = check_label_delay(&t5, &y5).unwrap();
        assert_eq!(c.status, Status::Fail, "{}", c.detail);
        // No timestamps range → skip; no labels → skip.
        assert_eq!(
            check_label_delay(&[1.0, 1.0], &[Some(0), Some(1)])
                .unwrap()
                .status,
            Status::Skip
        );
        assert_eq!(
            check_label_delay(&[1.0, 2.0], &[None, None])
                .unwrap()
                .status,
            Status::Skip
        );
        assert!(check_label_delay(&[1.0], &[]).is_err());
    }

    #[test]
    fn consistent_threshold_small_cases() {
        let s = [0.1, 0.4, 0.6, 0.9];
        let d = labels(&[0, 0, 1, 1]);
        let c = consistent_threshold(&s, &d, 0.5).unwrap().unwrap();
        assert_eq!((c.lower, c.upper), (Some(0.4), Some(0.6)));
        assert_eq!(c.agreement, 4);
        assert!(c.contains(0.5));
        // Decisions made at 0.95: everything negative; best interval is above 0.9.
        let d = labels(&[0, 0, 0, 0]);
        let c = consistent_threshold(&s, &d, 0.5).unwrap().unwrap();
        assert_eq!((c.lower, c.upper), (Some(0.9), None));
        // Everything positive.
        let d = labels(&[1, 1, 1, 1]);
        let c = consistent_threshold(&s, &d, 0.5).unwrap().unwrap();
        assert_eq!((c.lower, c.upper), (None, Some(0.1)));
        // Ties in agreement resolve toward the preferred threshold.
        let d = labels(&[1, 0, 1, 0]);
        let c = consistent_threshold(&s, &d, 0.5).unwrap().unwrap();
        assert_eq!(c.agreement, 2);
        assert!(c.contains(0.5), "{c:?}");
        assert_eq!(
            consistent_threshold(&[f64::NAN], &[Some(1)], 0.5).unwrap(),
            None
        );
        assert!(consistent_threshold(&[0.5], &[Some(2)], 0.5).is_err());
    }

    #[test]
    fn decision_consistency_levels() {
        let s: Vec<f64> = (0..200).map(|i| i as f64 / 200.0).collect();
        let mut d: Vec<Option<u8>> = s.iter().map(|&s| Some(u8::from(s >= 0.5))).collect();
        let c = check_decision_consistency(&s, &d, 0.5).unwrap();
        assert_eq!(c.status, Status::Pass);
        assert!(c.detail.contains("(0.495, 0.5]"), "{}", c.detail);
        d[10] = Some(1);
        d[11] = Some(1);
        let c = check_decision_consistency(&s, &d, 0.5).unwrap();
        assert_eq!(c.status, Status::Warn); // 2 of 200 = 1%
        assert_eq!(c.rows, vec![10, 11]);
        d[12] = Some(1);
        assert_eq!(
            check_decision_consistency(&s, &d, 0.5).unwrap().status,
            Status::Fail
        );
        let none: Vec<Option<u8>> = vec![None; 200];
        assert_eq!(
            check_decision_consistency(&s, &none, 0.5).unwrap().status,
            Status::Skip
        );
        assert!(check_decision_consistency(&s, &d, f64::NAN).is_err());
    }

    #[test]
    fn timestamps_order_and_future() {
        let c = check_timestamps_order(&[1.0, 2.0, 2.0, f64::NAN, 3.0], Some(10.0));
        assert_eq!(c.status, Status::Pass, "{}", c.detail);
        let c = check_timestamps_order(&[1.0, 3.0, 2.0, 2.5, 4.0], None);
        assert_eq!(c.status, Status::Warn);
        assert_eq!(c.count, 2);
        assert_eq!(c.rows, vec![2, 3]);
        let c = check_timestamps_order(&[1.0, 30.0, 2.0, 4.0], Some(10.0));
        assert_eq!(c.status, Status::Fail);
        assert_eq!(c.count, 3);
        assert_eq!(c.rows, vec![1, 2, 3]);
        assert_eq!(
            check_timestamps_order(&[f64::NAN], None).status,
            Status::Skip
        );
    }

    #[test]
    fn inverted_scores_levels() {
        let s: Vec<f64> = (0..100).map(|i| i as f64 / 100.0).collect();
        let y: Vec<Option<u8>> = (0..100).map(|i| Some(u8::from(i < 50))).collect();
        let c = check_inverted_scores(&s, &y, 0.95).unwrap();
        assert_eq!(c.status, Status::Fail, "{}", c.detail);
        assert_eq!(c.count, 100);
        let y: Vec<Option<u8>> = (0..100).map(|i| Some(u8::from(i >= 50))).collect();
        assert_eq!(
            check_inverted_scores(&s, &y, 0.95).unwrap().status,
            Status::Pass
        );
        // AUC 0 with one row per class: interval undefined → only a warning.
        let c = check_inverted_scores(&[0.9, 0.1], &labels(&[0, 1]), 0.95).unwrap();
        assert_eq!(c.status, Status::Warn, "{}", c.detail);
        assert_eq!(
            check_inverted_scores(&[0.9, 0.1], &labels(&[1, 1]), 0.95)
                .unwrap()
                .status,
            Status::Skip
        );
        assert!(check_inverted_scores(&[0.9], &labels(&[1]), 1.0).is_err());
    }

    #[test]
    fn label_balance_windows() {
        let ok = labels(&[0, 1, 1]);
        let zeros = labels(&[0, 0]);
        assert_eq!(check_label_balance(&ok, None).status, Status::Pass);
        assert_eq!(check_label_balance(&ok, Some(&ok)).status, Status::Pass);
        let c = check_label_balance(&ok, Some(&zeros));
        assert_eq!(c.status, Status::Fail);
        assert!(c.detail.contains("reference: all 2 labelled rows are 0"));
        assert_eq!(c.count, 2);
        assert_eq!(check_label_balance(&[None], None).status, Status::Fail);
    }

    #[test]
    fn run_checks_reports_every_id_in_order_and_validates() {
        let s = [0.2, 0.8, f64::NAN];
        let y = [Some(0), Some(1), None];
        let input = QualityInput::new(&s, &y);
        let report = run_checks(&input, None).unwrap();
        let ids: Vec<&str> = report.checks.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, CHECK_IDS);
        assert_eq!(report.get("duplicate_ids").unwrap().status, Status::Skip);
        let m = report.get("missing_rates").unwrap();
        assert_eq!(m.status, Status::Fail); // 1 of 3 missing
        assert_eq!(m.rows, vec![2]);
        assert_eq!(report.worst(), Status::Fail);

        let short = [Some(0)];
        let bad = QualityInput::new(&s, &short);
        assert!(matches!(
            run_checks(&bad, None),
            Err(QualityError::LengthMismatch { what: "labels", .. })
        ));
        let y2 = [Some(0), Some(3), None];
        assert!(matches!(
            run_checks(&QualityInput::new(&s, &y2), None),
            Err(QualityError::InvalidValue {
                index: 1,
                value: 3,
                ..
            })
        ));
        let mut c = QualityInput::new(&s, &y);
        c.confidence = 0.0;
        assert!(run_checks(&c, None).is_err());
    }
}
