//! Operational summaries of a prediction log over time, and alert thresholds derived from them.
//!
//! Rows are grouped into UTC-aligned time buckets of one [`Granularity`] (minute, hour, day):
//! a row at epoch second `t` falls in the bucket starting at `⌊t / w⌋·w`, `w` the bucket width.
//! Per bucket [`summary`] gives the request count and rate (count ÷ `w`; the first and last
//! buckets may be only partly covered by the log, so their rate reads low), latency quantiles,
//! the error rate, score quantiles and the predicted-positive rate; [`missing_rates`] gives a
//! feature's missing-value rate per bucket.
//!
//! Quantiles are numpy's default (`numpy.quantile(..., method="linear")`, Hyndman & Fan 1996
//! definition 7): with the `n` values sorted, `h = (n − 1)·q` and
//! `Q(q) = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])`.
//!
//! [`alert_thresholds`] proposes a warning and a critical level for every monitored quantity
//! from the reference window's own variation across buckets: mean ± k·σ with σ the sample
//! standard deviation (ddof = 1) over the buckets where the quantity is defined, k = 2 for a
//! warning and 3 for a critical level by default (the Shewhart control-chart rule; Montgomery,
//! *Introduction to Statistical Quality Control*, §6). For a proportion (the error rate, the
//! predicted-positive rate, a feature's missing rate) σ is at least the binomial sampling σ of
//! one bucket of the reference's mean size n̄, `√(p(1 − p)/n̄)` (the p chart's, Montgomery §7.2),
//! with `p` the reference mean but no less than `3/N` for the `N` reference rows (the rule of
//! three: the 95 % upper bound of a rate never seen in `N` rows; Hanley & Lippman-Hand 1983), so
//! that a quantity the reference shows constant (a feature never missing) does not put both
//! levels at its mean, where a single missing value would be critical. Levels are editable
//! plain data.

use crate::core::error::PlumbError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Width of the time buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// 60-second buckets.
    Minute,
    /// 3600-second buckets.
    Hour,
    /// 86400-second buckets (UTC days).
    Day,
}

impl Granularity {
    /// Every granularity, finest first.
    pub const ALL: [Granularity; 3] = [Self::Minute, Self::Hour, Self::Day];

    /// Bucket width in seconds.
    pub fn seconds(self) -> i64 {
        match self {
            Self::Minute => 60,
            Self::Hour => 3600,
            Self::Day => 86_400,
        }
    }

    /// Prometheus duration of one bucket (`1m`, `1h`, `1d`).
    pub fn promql(self) -> &'static str {
        match self {
            Self::Minute => "1m",
            Self::Hour => "1h",
            Self::Day => "1d",
        }
    }

    /// The finest granularity "the data allows": the finest whose buckets over the log's time
    /// span number at most [`MAX_BUCKETS`] and hold on average at least [`MIN_ROWS_PER_BUCKET`]
    /// rows; [`Granularity::Day`] when none does. `None` without a finite timestamp.
    pub fn auto(timestamps: &[f64]) -> Option<Granularity> {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        let mut n = 0u64;
        for &t in timestamps.iter().filter(|t| t.is_finite()) {
            lo = lo.min(t);
            hi = hi.max(t);
            n += 1;
        }
        if n == 0 {
            return None;
        }
        for g in Self::ALL {
            let w = g.seconds() as f64;
            let buckets = ((hi / w).floor() - (lo / w).floor() + 1.0).max(1.0);
            if buckets <= MAX_BUCKETS as f64 && n as f64 / buckets >= MIN_ROWS_PER_BUCKET as f64 {
                return Some(g);
            }
        }
        Some(Self::Day)
    }
}

impl Granularity {
    /// Stable key: `minute`, `hour`, `day` (as serialised).
    pub fn key(self) -> &'static str {
        match self {
            Self::Minute => "minute",
            Self::Hour => "hour",
            Self::Day => "day",
        }
    }

    /// The granularity with this key.
    pub fn from_key(key: &str) -> Option<Granularity> {
        Self::ALL.into_iter().find(|g| g.key() == key)
    }

    /// The granularities a person may choose for these timestamps: those whose buckets over
    /// the log's span number at most [`MAX_CHOSEN_BUCKETS`] (day is always allowed), finest
    /// first. Empty without a finite timestamp.
    pub fn choices(timestamps: &[f64]) -> Vec<Granularity> {
        let (lo, hi) = timestamps
            .iter()
            .filter(|t| t.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &t| {
                (a.min(t), b.max(t))
            });
        if !lo.is_finite() {
            return Vec::new();
        }
        Self::ALL
            .into_iter()
            .filter(|g| {
                let w = g.seconds() as f64;
                *g == Self::Day || (hi / w).floor() - (lo / w).floor() < MAX_CHOSEN_BUCKETS as f64
            })
            .collect()
    }
}

/// Most buckets [`Granularity::auto`] accepts (a chart stays readable).
pub const MAX_BUCKETS: u64 = 1000;
/// Most buckets a chosen granularity may span (see [`Granularity::choices`]).
pub const MAX_CHOSEN_BUCKETS: u64 = 10_000;
/// Fewest rows per bucket, on average, [`Granularity::auto`] accepts (quantiles stay stable).
pub const MIN_ROWS_PER_BUCKET: u64 = 20;

/// One time bucket: its start (epoch seconds, UTC) and the row indices that fall in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeBucket {
    /// Start of the bucket, epoch seconds, a multiple of the width.
    pub start: i64,
    /// Indices into the input slices, ascending.
    pub rows: Vec<usize>,
}

/// Group row indices by bucket, buckets in time order; only non-empty buckets are returned.
/// Rows whose timestamp is not finite belong to no bucket. O(n log b) for b buckets.
pub fn time_buckets(timestamps: &[f64], granularity: Granularity) -> Vec<TimeBucket> {
    let w = granularity.seconds() as f64;
    let mut map: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    // Logs are mostly in time order: rows are gathered in runs of one bucket and a run goes
    // into the map at once (rows stay in index order within a bucket).
    let mut run: (i64, Vec<usize>) = (0, Vec::new());
    for (i, &t) in timestamps.iter().enumerate() {
        if t.is_finite() {
            let start = ((t / w).floor() as i64).saturating_mul(granularity.seconds());
            if start != run.0 && !run.1.is_empty() {
                map.entry(run.0).or_default().append(&mut run.1);
            }
            run.0 = start;
            run.1.push(i);
        }
    }
    if !run.1.is_empty() {
        map.entry(run.0).or_default().append(&mut run.1);
    }
    map.into_iter()
        .map(|(start, rows)| TimeBucket { start, rows })
        .collect()
}

/// The start and row count of each non-empty bucket of [`time_buckets`], in time order, without
/// listing the rows: the same buckets and counts (`rows.len()`), in O(b) memory instead of one
/// index a row (8 MB a million rows in the first answer's time histogram). Rows whose timestamp
/// is not finite belong to no bucket.
pub fn time_bucket_counts(timestamps: &[f64], granularity: Granularity) -> Vec<(i64, u64)> {
    let w = granularity.seconds() as f64;
    let mut map: BTreeMap<i64, u64> = BTreeMap::new();
    // As in `time_buckets`: rows come in runs of one bucket; a run is counted, then added.
    let mut run: (i64, u64) = (0, 0);
    // Times certainly in the run's bucket (none at first): a row there is counted without
    // its division and `floor` (a call, 25 instructions, on x86-64). See `sure_span`.
    let mut sure = (f64::INFINITY, f64::NEG_INFINITY);
    for &t in timestamps {
        if t >= sure.0 && t <= sure.1 {
            run.1 += 1;
        } else if t.is_finite() {
            let q = (t / w).floor();
            let start = (q as i64).saturating_mul(granularity.seconds());
            if start != run.0 && run.1 > 0 {
                *map.entry(run.0).or_default() += run.1;
                run.1 = 0;
            }
            run.0 = start;
            run.1 += 1;
            sure = sure_span(q, w);
        }
    }
    if run.1 > 0 {
        *map.entry(run.0).or_default() += run.1;
    }
    map.into_iter().collect()
}

/// Times t for which `(t / w).floor()` is certainly `q` (a whole number of buckets of `w` ≤
/// 86 400 s): [q·w, (q + 1)·w − 1], or an empty span for |q| > 2³¹. Why exact: q·w and
/// (q + 1)·w − 1 are integers below 2⁴⁸, so exact; for t in the span, t / w lies in
/// [q, q + 1 − 1/w], rounding is monotone and q is a double, so fl(t / w) ≥ q, and 1/w ≥
/// 1/86 400 exceeds the spacing of doubles near q + 1 (≤ 2⁻²⁰ for |q + 1| ≤ 2³²), so
/// fl(t / w) < q + 1.
fn sure_span(q: f64, w: f64) -> (f64, f64) {
    if q.abs() <= 2_147_483_648.0 && w <= 86_400.0 {
        (q * w, (q + 1.0) * w - 1.0)
    } else {
        (f64::INFINITY, f64::NEG_INFINITY)
    }
}

/// numpy's default linear-interpolation quantile of `sorted` (ascending, finite) at `q` in
/// [0, 1]; `None` when empty.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    let frac = h - lo as f64;
    let (a, b) = (sorted[lo], sorted[hi]);
    // numpy's `_lerp`: a + (b − a)·t, switched to b − (b − a)·(1 − t) for t ≥ ½.
    let d = b - a;
    Some(if frac >= 0.5 {
        b - d * (1.0 - frac)
    } else {
        a + d * frac
    })
}

/// Operational numbers of one time bucket. Quantities undefined for the bucket are `None`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OpsBucket {
    /// Bucket start, epoch seconds (UTC).
    pub start: i64,
    /// Rows (requests) in the bucket.
    pub requests: u64,
    /// Requests per second: `requests / width`.
    pub rate_per_s: f64,
    /// Median latency (ms) of rows with a finite latency.
    pub latency_p50: Option<f64>,
    /// 95th-percentile latency (ms).
    pub latency_p95: Option<f64>,
    /// 99th-percentile latency (ms).
    pub latency_p99: Option<f64>,
    /// Errors ÷ rows with a known error flag.
    pub error_rate: Option<f64>,
    /// 10th percentile of the finite scores.
    pub score_p10: Option<f64>,
    /// Median score.
    pub score_p50: Option<f64>,
    /// 90th percentile of the scores.
    pub score_p90: Option<f64>,
    /// Share of finite scores ≥ the decision threshold.
    pub predicted_positive_rate: Option<f64>,
}

/// A feature's missing-value rate per bucket, aligned with [`OpsReport::buckets`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeatureMissing {
    /// The feature column.
    pub feature: String,
    /// Missing ÷ rows, one entry per bucket.
    pub rates: Vec<f64>,
}

/// The operational view of a log: one entry per non-empty time bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpsReport {
    /// Bucket width.
    pub granularity: Granularity,
    /// The decision threshold of `predicted_positive_rate`.
    pub threshold: f64,
    /// Rows whose timestamp is missing or not finite (in no bucket).
    pub rows_without_timestamp: u64,
    /// Buckets in time order.
    pub buckets: Vec<OpsBucket>,
    /// Missing-value rates per feature (filled by the caller with [`missing_rates`]).
    #[serde(default)]
    pub missing: Vec<FeatureMissing>,
}

fn check_len(name: &str, len: usize, n: usize) -> Result<(), PlumbError> {
    if len == n {
        Ok(())
    } else {
        Err(PlumbError::LengthMismatch {
            left: "timestamps".into(),
            left_len: n as u64,
            right: name.into(),
            right_len: len as u64,
        })
    }
}

fn sorted_finite(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
    v.sort_unstable_by(f64::total_cmp);
    v
}

/// Per-bucket operational summary. `timestamps` are epoch seconds (non-finite: no bucket),
/// `scores` probabilities (non-finite scores are ignored by the score quantities), `latency`
/// milliseconds (non-finite: unknown), `errors` a 0/1 error flag per row (`None`: unknown; see
/// [`error_flag`]). Errors: slices of different lengths, a threshold outside [0, 1], or no
/// finite timestamp.
pub fn summary(
    timestamps: &[f64],
    scores: &[f64],
    latency: Option<&[f64]>,
    errors: Option<&[Option<u8>]>,
    threshold: f64,
    granularity: Granularity,
) -> Result<OpsReport, PlumbError> {
    let n = timestamps.len();
    check_len("scores", scores.len(), n)?;
    if let Some(l) = latency {
        check_len("latency", l.len(), n)?;
    }
    if let Some(e) = errors {
        check_len("errors", e.len(), n)?;
    }
    if !(0.0..=1.0).contains(&threshold) {
        return Err(PlumbError::InvalidSetting {
            setting: "threshold".into(),
            value: threshold.to_string(),
            expected: "a number in [0, 1]".into(),
        });
    }
    let buckets = time_buckets(timestamps, granularity);
    let in_buckets: usize = buckets.iter().map(|b| b.rows.len()).sum();
    if buckets.is_empty() {
        return Err(PlumbError::NotEnoughData {
            what: "rows with a timestamp".into(),
            needed: 1,
            found: 0,
        });
    }
    let width = granularity.seconds() as f64;
    let out = buckets
        .iter()
        .map(|b| {
            let s = sorted_finite(b.rows.iter().map(|&i| scores[i]));
            let positives = s.iter().filter(|&&x| x >= threshold).count();
            let lat = latency.map(|l| sorted_finite(b.rows.iter().map(|&i| l[i])));
            let lq = |q| lat.as_deref().and_then(|l| quantile_sorted(l, q));
            let error_rate = errors.and_then(|e| {
                let (known, bad) = b.rows.iter().fold((0u64, 0u64), |(k, bad), &i| match e[i] {
                    Some(f) => (k + 1, bad + u64::from(f != 0)),
                    None => (k, bad),
                });
                (known > 0).then(|| bad as f64 / known as f64)
            });
            OpsBucket {
                start: b.start,
                requests: b.rows.len() as u64,
                rate_per_s: b.rows.len() as f64 / width,
                latency_p50: lq(0.5),
                latency_p95: lq(0.95),
                latency_p99: lq(0.99),
                error_rate,
                score_p10: quantile_sorted(&s, 0.1),
                score_p50: quantile_sorted(&s, 0.5),
                score_p90: quantile_sorted(&s, 0.9),
                predicted_positive_rate: (!s.is_empty()).then(|| positives as f64 / s.len() as f64),
            }
        })
        .collect();
    Ok(OpsReport {
        granularity,
        threshold,
        rows_without_timestamp: (n - in_buckets) as u64,
        buckets: out,
        missing: Vec::new(),
    })
}

/// A feature's missing-value rate in each bucket of `time_buckets(timestamps, granularity)`
/// (the same buckets as [`summary`] with the same timestamps). `is_missing[i]`: row i's value
/// is missing.
pub fn missing_rates(
    timestamps: &[f64],
    granularity: Granularity,
    feature: &str,
    is_missing: &[bool],
) -> Result<FeatureMissing, PlumbError> {
    check_len(feature, is_missing.len(), timestamps.len())?;
    let rates = time_buckets(timestamps, granularity)
        .iter()
        .map(|b| {
            let m = b.rows.iter().filter(|&&i| is_missing[i]).count();
            m as f64 / b.rows.len() as f64
        })
        .collect();
    Ok(FeatureMissing {
        feature: feature.to_string(),
        rates,
    })
}

/// Read a status or error cell as an error flag: `0`/`1` (and `false`/`true`, `ok`/`error`,
/// `success`/`fail[ed|ure]`, `no`/`yes`) as given; an HTTP status code 100–599 is an error iff
/// ≥ 500 (server errors: the model service failed; 4xx are the caller's). Anything else
/// (empty, other numbers, other text) is `None` (unknown).
pub fn error_flag(cell: &str) -> Option<u8> {
    let t = cell.trim().to_ascii_lowercase();
    match t.as_str() {
        "0" | "false" | "ok" | "success" | "no" => return Some(0),
        "1" | "true" | "error" | "fail" | "failed" | "failure" | "yes" => return Some(1),
        _ => {}
    }
    let code: f64 = t.parse().ok()?;
    if code.fract() == 0.0 && (100.0..600.0).contains(&code) {
        Some(u8::from(code >= 500.0))
    } else {
        None
    }
}

/// Which side of a level is bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Alert when the quantity rises above the upper level.
    Above,
    /// Alert when it falls below the lower level.
    Below,
    /// Alert on either side.
    Both,
}

/// A band of acceptable values: alert when outside. A missing side never alerts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// Alert when the quantity is below this.
    pub lower: Option<f64>,
    /// Alert when the quantity is above this.
    pub upper: Option<f64>,
}

/// Proposed warning and critical levels of one monitored quantity (editable).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertThreshold {
    /// Quantity key: `request_rate`, `latency_p50|p95|p99` (ms), `error_rate`,
    /// `score_p10|p50|p90`, `predicted_positive_rate`, `missing_rate:<feature>`.
    pub quantity: String,
    /// Warning band.
    pub warning: Band,
    /// Critical band.
    pub critical: Band,
    /// Which side is bad.
    pub direction: Direction,
    /// How the levels were derived, for people (e.g. `reference mean ± 3σ over 24 hourly buckets`).
    pub basis: String,
    /// Mean of the quantity over the reference buckets.
    pub mean: f64,
    /// Its sample standard deviation (ddof = 1) across the reference buckets.
    pub std: f64,
    /// For a proportion, the binomial sampling σ of one bucket of the reference's mean size,
    /// `√(p(1 − p)/n̄)` with `p = max(mean, 3/N)` (see the module doc); the levels use the
    /// larger of this and [`Self::std`]. `None` for the other quantities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampling_std: Option<f64>,
    /// Buckets where the quantity was defined.
    pub buckets: u64,
}

/// Multipliers of σ for the two levels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ThresholdRule {
    /// k of the warning level (default 2).
    pub warning_sigmas: f64,
    /// k of the critical level (default 3).
    pub critical_sigmas: f64,
}

impl Default for ThresholdRule {
    fn default() -> Self {
        Self {
            warning_sigmas: 2.0,
            critical_sigmas: 3.0,
        }
    }
}

/// [`alert_thresholds_with`] under the default rule (mean ± 2σ warning, ± 3σ critical).
pub fn alert_thresholds(reference: &OpsReport) -> Vec<AlertThreshold> {
    alert_thresholds_with(reference, ThresholdRule::default())
}

/// Warning and critical levels for every quantity defined in at least two reference buckets:
/// mean ± k·σ on the bad side(s) (see [`Direction`]; for a proportion σ is at least its
/// binomial sampling σ, see the module doc); levels of rates are clipped to [0, 1] and
/// of latencies and request rates to ≥ 0, and a lower level at or below the smallest possible
/// value (0) is dropped since it could never fire. Quantities defined in fewer than two
/// buckets get no threshold (σ is undefined).
pub fn alert_thresholds_with(reference: &OpsReport, rule: ThresholdRule) -> Vec<AlertThreshold> {
    type Get = fn(&OpsBucket) -> Option<f64>;
    use Scale::{Proportion, Unbounded, UnitInterval};
    let b = &reference.buckets;
    let fixed: [(&str, Get, Direction, Scale); 9] = [
        (
            "request_rate",
            |x| Some(x.rate_per_s),
            Direction::Both,
            Unbounded,
        ),
        (
            "latency_p50",
            |x| x.latency_p50,
            Direction::Above,
            Unbounded,
        ),
        (
            "latency_p95",
            |x| x.latency_p95,
            Direction::Above,
            Unbounded,
        ),
        (
            "latency_p99",
            |x| x.latency_p99,
            Direction::Above,
            Unbounded,
        ),
        ("error_rate", |x| x.error_rate, Direction::Above, Proportion),
        ("score_p10", |x| x.score_p10, Direction::Both, UnitInterval),
        ("score_p50", |x| x.score_p50, Direction::Both, UnitInterval),
        ("score_p90", |x| x.score_p90, Direction::Both, UnitInterval),
        (
            "predicted_positive_rate",
            |x| x.predicted_positive_rate,
            Direction::Both,
            Proportion,
        ),
    ];
    let unit = match reference.granularity {
        Granularity::Minute => "minute",
        Granularity::Hour => "hourly",
        Granularity::Day => "daily",
    };
    let mut out: Vec<AlertThreshold> = fixed
        .iter()
        .filter_map(|&(name, get, dir, scale)| {
            let v: Vec<(f64, u64)> = b
                .iter()
                .filter_map(|x| get(x).map(|v| (v, x.requests)))
                .collect();
            threshold_of(name, &v, dir, scale, rule, unit)
        })
        .collect();
    for m in &reference.missing {
        let name = format!("missing_rate:{}", m.feature);
        let v: Vec<(f64, u64)> = m
            .rates
            .iter()
            .zip(b)
            .map(|(&r, x)| (r, x.requests))
            .collect();
        out.extend(threshold_of(
            &name,
            &v,
            Direction::Above,
            Proportion,
            rule,
            unit,
        ));
    }
    out
}

/// The range a monitored quantity lives in, which bounds its levels.
#[derive(Clone, Copy, PartialEq)]
enum Scale {
    /// ≥ 0, no upper bound (request rates, latencies).
    Unbounded,
    /// In [0, 1], not a share of rows (score quantiles).
    UnitInterval,
    /// A share of a bucket's rows: in [0, 1], σ at least the binomial sampling σ.
    Proportion,
}

/// The binomial sampling σ of a proportion over buckets of these row counts: `√(p(1 − p)/n̄)`,
/// `n̄` the mean rows per bucket, `p` the mean proportion but at least `3/N` for the `N` rows
/// (the rule of three). `None` without rows.
fn sampling_std(mean: f64, rows: impl Iterator<Item = u64>) -> Option<f64> {
    let (buckets, total) = rows.fold((0u64, 0u64), |(b, t), r| (b + 1, t + r));
    if total == 0 {
        return None;
    }
    let p = mean.max(3.0 / total as f64).min(1.0);
    let per_bucket = total as f64 / buckets as f64;
    Some((p * (1.0 - p) / per_bucket).sqrt())
}

/// The levels of one quantity from its reference values, each with its bucket's rows.
fn threshold_of(
    name: &str,
    values: &[(f64, u64)],
    direction: Direction,
    scale: Scale,
    rule: ThresholdRule,
    unit: &str,
) -> Option<AlertThreshold> {
    let v: Vec<(f64, u64)> = values
        .iter()
        .copied()
        .filter(|(x, _)| x.is_finite())
        .collect();
    if v.len() < 2 {
        return None;
    }
    let n = v.len() as f64;
    let mean = v.iter().map(|&(x, _)| x).sum::<f64>() / n;
    let std = (v.iter().map(|&(x, _)| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let sampling = (scale == Scale::Proportion)
        .then(|| sampling_std(mean, v.iter().map(|&(_, rows)| rows)))
        .flatten();
    let sigma = sampling.map_or(std, |s| s.max(std));
    let hi_cap = if scale == Scale::Unbounded {
        f64::INFINITY
    } else {
        1.0
    };
    let band = |k: f64| Band {
        lower: (direction != Direction::Above)
            .then(|| (mean - k * sigma).min(hi_cap))
            .filter(|&l| l > 0.0),
        upper: (direction != Direction::Below)
            .then(|| (mean + k * sigma).max(0.0))
            .filter(|&u| u < hi_cap),
    };
    let floor = match sampling {
        Some(s) if s > std => {
            let rows = v.iter().map(|&(_, r)| r as f64).sum::<f64>() / n;
            format!(", σ raised to the binomial sampling σ of a {rows:.0}-row bucket")
        }
        _ => String::new(),
    };
    Some(AlertThreshold {
        quantity: name.to_string(),
        warning: band(rule.warning_sigmas),
        critical: band(rule.critical_sigmas),
        direction,
        basis: format!(
            "reference mean ± {}σ (warning) / ± {}σ (critical) over {} {unit} buckets{floor}",
            rule.warning_sigmas,
            rule.critical_sigmas,
            v.len()
        ),
        mean,
        std,
        sampling_std: sampling,
        buckets: v.len() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn quantiles_match_numpy_by_hand() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&x, 0.5), Some(2.5));
        assert_eq!(quantile_sorted(&x, 0.0), Some(1.0));
        assert_eq!(quantile_sorted(&x, 1.0), Some(4.0));
        // h = 3·0.9 = 2.7 → 3 + 0.7·1
        assert!((quantile_sorted(&x, 0.9).unwrap() - 3.7).abs() < 1e-12);
        assert_eq!(quantile_sorted(&[], 0.5), None);
        assert_eq!(quantile_sorted(&[7.0], 0.99), Some(7.0));
    }

    #[test]
    fn buckets_align_to_utc() {
        let t = [59.0, 60.0, 61.0, f64::NAN, -1.0];
        let b = time_buckets(&t, Granularity::Minute);
        let starts: Vec<i64> = b.iter().map(|b| b.start).collect();
        assert_eq!(starts, vec![-60, 0, 60]);
        assert_eq!(b[1].rows, vec![0]);
        assert_eq!(b[2].rows, vec![1, 2]);
        // Absurd timestamps saturate instead of overflowing.
        let b = time_buckets(&[1e300, -1e300], Granularity::Day);
        assert_eq!(b.len(), 2);
    }

    #[test]
    fn summary_of_a_tiny_log() {
        let t = [0.0, 10.0, 20.0, 3600.0];
        let s = [0.2, 0.6, 0.9, 0.1];
        let lat = [10.0, 20.0, f64::NAN, 5.0];
        let err = [Some(0), Some(1), None, Some(0)];
        let r = summary(&t, &s, Some(&lat), Some(&err), 0.5, Granularity::Hour).unwrap();
        assert_eq!(r.buckets.len(), 2);
        let b = &r.buckets[0];
        assert_eq!(b.requests, 3);
        assert!((b.rate_per_s - 3.0 / 3600.0).abs() < 1e-15);
        assert_eq!(b.latency_p50, Some(15.0));
        assert_eq!(b.error_rate, Some(0.5));
        assert_eq!(b.score_p50, Some(0.6));
        assert!((b.predicted_positive_rate.unwrap() - 2.0 / 3.0).abs() < 1e-15);
        assert_eq!(r.buckets[1].predicted_positive_rate, Some(0.0));
    }

    #[test]
    fn degenerate_inputs_are_typed_errors_or_none() {
        assert!(matches!(
            summary(&[0.0], &[], None, None, 0.5, Granularity::Minute),
            Err(PlumbError::LengthMismatch { .. })
        ));
        assert!(matches!(
            summary(&[], &[], None, None, 0.5, Granularity::Minute),
            Err(PlumbError::NotEnoughData { .. })
        ));
        assert!(matches!(
            summary(&[0.0], &[0.5], None, None, 1.5, Granularity::Minute),
            Err(PlumbError::InvalidSetting { .. })
        ));
        let r = summary(&[0.0], &[f64::NAN], None, None, 0.5, Granularity::Day).unwrap();
        assert_eq!(r.buckets[0].score_p50, None);
        assert_eq!(r.buckets[0].latency_p99, None);
        assert_eq!(r.buckets[0].error_rate, None);
        // One bucket: no σ, no thresholds.
        assert!(alert_thresholds(&r).is_empty());
    }

    #[test]
    fn granularity_choices_and_keys() {
        // 48 hours: 2880 minute buckets (allowed), 48 hours, 2 days.
        let ts: Vec<f64> = (0..100).map(|i| f64::from(i) * 1745.0).collect();
        assert_eq!(Granularity::choices(&ts), Granularity::ALL.to_vec());
        // 30 days of minutes is 43 200 buckets: too many.
        let long = [0.0, 30.0 * 86_400.0];
        assert_eq!(
            Granularity::choices(&long),
            vec![Granularity::Hour, Granularity::Day]
        );
        assert!(Granularity::choices(&[f64::NAN]).is_empty());
        for g in Granularity::ALL {
            assert_eq!(Granularity::from_key(g.key()), Some(g));
            assert_eq!(
                serde_json::to_string(&g).unwrap(),
                format!("\"{}\"", g.key())
            );
        }
        assert_eq!(Granularity::from_key("week"), None);
    }

    #[test]
    fn error_flags() {
        assert_eq!(error_flag("200"), Some(0));
        assert_eq!(error_flag("404"), Some(0));
        assert_eq!(error_flag(" 503 "), Some(1));
        assert_eq!(error_flag("TRUE"), Some(1));
        assert_eq!(error_flag("ok"), Some(0));
        assert_eq!(error_flag("0"), Some(0));
        assert_eq!(error_flag("1"), Some(1));
        assert_eq!(error_flag(""), None);
        assert_eq!(error_flag("42"), None);
        assert_eq!(error_flag("200.5"), None);
    }

    #[test]
    fn auto_granularity() {
        let minutes: Vec<f64> = (0..6000).map(|i| f64::from(i) * 3.0).collect();
        assert_eq!(Granularity::auto(&minutes), Some(Granularity::Minute));
        let hours: Vec<f64> = (0..2000).map(|i| f64::from(i) * 60.0).collect();
        assert_eq!(Granularity::auto(&hours), Some(Granularity::Hour));
        assert_eq!(Granularity::auto(&[f64::NAN]), None);
        assert_eq!(Granularity::auto(&[5.0]), Some(Granularity::Day));
    }

    #[test]
    fn thresholds_are_mean_plus_k_sigma() {
        let mk = |e: f64| OpsBucket {
            error_rate: Some(e),
            rate_per_s: 1.0,
            ..OpsBucket::default()
        };
        let r = OpsReport {
            granularity: Granularity::Hour,
            threshold: 0.5,
            rows_without_timestamp: 0,
            buckets: vec![mk(0.01), mk(0.02), mk(0.03)],
            missing: vec![],
        };
        let th = alert_thresholds(&r);
        let e = th.iter().find(|t| t.quantity == "error_rate").unwrap();
        assert!((e.mean - 0.02).abs() < 1e-15);
        assert!((e.std - 0.01).abs() < 1e-15);
        assert!((e.warning.upper.unwrap() - 0.04).abs() < 1e-15);
        assert!((e.critical.upper.unwrap() - 0.05).abs() < 1e-15);
        assert_eq!(e.warning.lower, None);
        // Constant request rate: σ = 0, both levels at the mean, both sides.
        let rr = th.iter().find(|t| t.quantity == "request_rate").unwrap();
        assert_eq!(rr.critical.lower, Some(1.0));
        assert_eq!(rr.critical.upper, Some(1.0));
        // Buckets without rows give no sampling σ: the levels are the plain mean ± kσ.
        assert_eq!(e.sampling_std, None);
    }

    #[test]
    fn proportions_are_not_tighter_than_binomial_sampling() {
        // 24 hourly buckets of 400 rows; x1 is never missing, x2 is missing in 10 % of the rows
        // of every bucket, x3 swings between 0 % and 20 %.
        let buckets: Vec<OpsBucket> = (0..24)
            .map(|i| OpsBucket {
                start: i * 3600,
                requests: 400,
                rate_per_s: 400.0 / 3600.0,
                ..OpsBucket::default()
            })
            .collect();
        let swing: Vec<f64> = (0..24)
            .map(|i| if i % 2 == 0 { 0.0 } else { 0.2 })
            .collect();
        let r = OpsReport {
            granularity: Granularity::Hour,
            threshold: 0.5,
            rows_without_timestamp: 0,
            buckets,
            missing: vec![
                FeatureMissing {
                    feature: "x1".into(),
                    rates: vec![0.0; 24],
                },
                FeatureMissing {
                    feature: "x2".into(),
                    rates: vec![0.1; 24],
                },
                FeatureMissing {
                    feature: "x3".into(),
                    rates: swing,
                },
            ],
        };
        let th = alert_thresholds(&r);
        let get = |q: &str| th.iter().find(|t| t.quantity == q).unwrap();
        // Never missing: p = 3/9600 (rule of three), σ = √(p(1 − p)/400).
        let x1 = get("missing_rate:x1");
        let p: f64 = 3.0 / 9600.0;
        let s = (p * (1.0 - p) / 400.0).sqrt();
        assert_eq!(x1.std, 0.0);
        assert_eq!(x1.sampling_std, Some(s));
        assert_eq!(x1.warning.upper, Some(2.0 * s));
        assert_eq!(x1.critical.upper, Some(3.0 * s));
        // One missing value in a 400-row bucket (0.0025) warns but is not critical; two are.
        assert!(x1.warning.upper.unwrap() < 1.0 / 400.0);
        assert!(x1.critical.upper.unwrap() > 1.0 / 400.0);
        assert!(x1.critical.upper.unwrap() < 2.0 / 400.0);
        assert!(x1.basis.contains("binomial"));
        // Constant 10 %: the p chart's limits 0.1 + k·√(0.09/400).
        let x2 = get("missing_rate:x2");
        let s2 = (0.1f64 * 0.9 / 400.0).sqrt();
        assert!((x2.critical.upper.unwrap() - (0.1 + 3.0 * s2)).abs() < 1e-15);
        // A quantity that varies more than sampling would: its own σ, unchanged.
        let x3 = get("missing_rate:x3");
        assert!(x3.std > x3.sampling_std.unwrap());
        assert_eq!(x3.critical.upper, Some(x3.mean + 3.0 * x3.std));
        assert!(!x3.basis.contains("binomial"));
        // Score quantiles and request rates are not proportions.
        assert!(
            th.iter()
                .filter(|t| !t.quantity.starts_with("missing"))
                .all(|t| t.sampling_std.is_none())
        );
    }

    proptest! {
        #[test]
        fn buckets_partition_rows(ts in proptest::collection::vec(-1e9f64..1e9, 0..200)) {
            for g in Granularity::ALL {
                let b = time_buckets(&ts, g);
                let total: usize = b.iter().map(|b| b.rows.len()).sum();
                prop_assert_eq!(total, ts.len());
                for w in b.windows(2) {
                    prop_assert!(w[0].start < w[1].start);
                }
                for bk in &b {
                    for &i in &bk.rows {
                        let t = ts[i];
                        prop_assert!(bk.start as f64 <= t && t < (bk.start + g.seconds()) as f64);
                    }
                }
            }
        }

        #[test]
        fn bucket_counts_equal_the_listed_buckets(
            ts in proptest::collection::vec(prop_oneof![-1e9f64..1e9, Just(f64::NAN), Just(1e300)], 0..200),
            sorted in any::<bool>(),
        ) {
            let mut ts = ts;
            if sorted {
                ts.sort_unstable_by(f64::total_cmp);
            }
            for g in Granularity::ALL {
                let listed: Vec<(i64, u64)> =
                    time_buckets(&ts, g).iter().map(|b| (b.start, b.rows.len() as u64)).collect();
                prop_assert_eq!(time_bucket_counts(&ts, g), listed);
            }
        }

        #[test]
        fn bucket_counts_of_runs_near_boundaries_equal_the_listed_buckets(
            base in prop_oneof![-3e9f64..3e9, Just(0.0), Just(1.7e9), Just(-1.0), Just(2.0f64.powi(31) * 86_400.0)],
            steps in proptest::collection::vec(
                prop_oneof![
                    4 => 0.0f64..90.0,
                    1 => prop_oneof![Just(0.0), Just(0.5), Just(1.0), Just(1e-7), Just(59.999_999), Just(3599.0)],
                    1 => Just(f64::NAN),
                    1 => -200.0f64..200.0,
                ],
                0..300,
            ),
            whole in proptest::bool::ANY,
        ) {
            // Mostly increasing times (a log), whole or fractional seconds, some at or one
            // second or a hair before a bucket boundary, some missing, some going back.
            let mut t = if whole { base.round() } else { base };
            let mut ts = Vec::with_capacity(steps.len());
            for &step in &steps {
                if step.is_nan() {
                    ts.push(f64::NAN);
                    continue;
                }
                t += if whole { step.round() } else { step };
                ts.push(t);
            }
            for g in Granularity::ALL {
                let listed: Vec<(i64, u64)> = time_buckets(&ts, g)
                    .into_iter()
                    .map(|b| (b.start, b.rows.len() as u64))
                    .collect();
                prop_assert_eq!(time_bucket_counts(&ts, g), listed);
            }
        }

        #[test]
        fn quantiles_are_monotone_and_bounded(mut v in proptest::collection::vec(0.0f64..1.0, 1..100)) {
            v.sort_unstable_by(f64::total_cmp);
            let qs: Vec<f64> = [0.0, 0.1, 0.5, 0.9, 0.95, 0.99, 1.0]
                .iter().map(|&q| quantile_sorted(&v, q).unwrap()).collect();
            for w in qs.windows(2) { prop_assert!(w[0] <= w[1]); }
            prop_assert_eq!(qs[0], v[0]);
            prop_assert_eq!(qs[6], v[v.len() - 1]);
        }

        #[test]
        fn warning_band_lies_inside_critical(e in proptest::collection::vec(0.0f64..1.0, 2..30)) {
            let r = OpsReport {
                granularity: Granularity::Minute, threshold: 0.5, rows_without_timestamp: 0,
                buckets: e.iter().map(|&x| OpsBucket {
                    error_rate: Some(x), score_p50: Some(x), rate_per_s: x * 10.0,
                    ..OpsBucket::default() }).collect(),
                missing: vec![],
            };
            for t in alert_thresholds(&r) {
                if let (Some(w), Some(c)) = (t.warning.upper, t.critical.upper) { prop_assert!(w <= c); }
                if let (Some(w), Some(c)) = (t.warning.lower, t.critical.lower) { prop_assert!(w >= c); }
                for x in [t.warning.lower, t.warning.upper, t.critical.lower, t.critical.upper].into_iter().flatten() {
                    prop_assert!(x >= 0.0);
                    if t.quantity != "request_rate" { prop_assert!(x <= 1.0); }
                }
            }
        }
    }
}
