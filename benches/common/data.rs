//! Synthetic prediction logs for the benchmark, generated deterministically from a seed.
//!
//! The model: a latent `z ~ N(0, 1)`; the label is Bernoulli(σ(−1.2 + 1.8 z)); the score is
//! σ(−1.0 + 1.5 z + 0.5 e) with independent noise `e ~ N(0, 1)` — informative (AUC ≈ 0.8) and
//! somewhat miscalibrated, with essentially every score distinct (the worst case for sorting).
//! The unlabelled "current" sample shifts `z` by +0.4 (covariate shift, so both the score
//! distribution and the positive rate move). Categorical values (a country code) are drawn from
//! fixed weights that differ between the reference and current samples.

use super::rng::SplitMix64;
use std::io::Write;

/// Country codes of the categorical column.
pub const COUNTRIES: [&str; 12] = [
    "US", "DE", "FR", "GB", "IN", "BR", "JP", "CA", "ES", "IT", "MX", "NL",
];
const REFERENCE_WEIGHTS: [f64; 12] = [
    30.0, 12.0, 10.0, 9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 4.0, 3.0, 2.0,
];
const CURRENT_WEIGHTS: [f64; 12] = [
    26.0, 12.0, 11.0, 9.0, 11.0, 7.0, 5.0, 5.0, 4.0, 4.0, 4.0, 2.0,
];

/// Segments written to the CSV's `segment` column.
const SEGMENTS: [&str; 4] = ["web", "ios", "android", "partner"];

/// The logistic function.
fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// One draw of the model: (score, label) given a shift of the latent variable.
fn draw(rng: &mut SplitMix64, shift: f64) -> (f64, u8) {
    let z = rng.normal() + shift;
    let y = u8::from(rng.uniform() < sigmoid(-1.2 + 1.8 * z));
    let s = sigmoid(-1.0 + 1.5 * z + 0.5 * rng.normal());
    (s, y)
}

/// In-memory columns for the statistics families.
pub struct Data {
    /// Reference scores in (0, 1), `n` of them.
    pub scores: Vec<f64>,
    /// Reference labels (0/1), `n` of them.
    pub labels: Vec<u8>,
    /// Reference positive rate (mean of `labels`).
    pub prior: f64,
    /// Unlabelled current scores (shifted model), `n` of them.
    pub current: Vec<f64>,
    /// Reference country per row, `n` of them.
    pub ref_countries: Vec<&'static str>,
    /// Current country per row, `n` of them.
    pub cur_countries: Vec<&'static str>,
}

impl Data {
    /// `n` reference rows and `n` current rows from `seed`.
    pub fn generate(n: usize, seed: u64) -> Self {
        let mut rng = SplitMix64::new(seed);
        let mut scores = Vec::with_capacity(n);
        let mut labels = Vec::with_capacity(n);
        let mut positives = 0u64;
        for _ in 0..n {
            let (s, y) = draw(&mut rng, 0.0);
            scores.push(s);
            labels.push(y);
            positives += u64::from(y);
        }
        let current = (0..n).map(|_| draw(&mut rng, 0.4).0).collect();
        let ref_countries = (0..n)
            .map(|_| COUNTRIES[rng.weighted(&REFERENCE_WEIGHTS)])
            .collect();
        let cur_countries = (0..n)
            .map(|_| COUNTRIES[rng.weighted(&CURRENT_WEIGHTS)])
            .collect();
        let prior = if n == 0 {
            0.0
        } else {
            positives as f64 / n as f64
        };
        Self {
            scores,
            labels,
            prior,
            current,
            ref_countries,
            cur_countries,
        }
    }
}

/// Column names of the generated CSV, in order (12 columns).
pub const CSV_HEADER: [&str; 12] = [
    "timestamp",
    "score",
    "label",
    "model_version",
    "segment",
    "x1",
    "x2",
    "x3",
    "x4",
    "x5",
    "x6",
    "x7",
];

/// Indices of the numeric columns of [`CSV_HEADER`] (score, label, x1…x7).
pub const CSV_NUMERIC: [usize; 9] = [1, 2, 5, 6, 7, 8, 9, 10, 11];

/// Civil date (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, <https://howardhinnant.github.io/date_algorithms.html>).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Appends `value` rounded to `decimals` places in plain fixed-point notation (faster than
/// `{:.N}` formatting, which matters at 10 million rows).
fn push_fixed(out: &mut Vec<u8>, value: f64, decimals: u32) {
    let scale = 10u64.pow(decimals);
    let scaled = (value.abs() * scale as f64).round() as u64;
    if value < 0.0 && scaled != 0 {
        out.push(b'-');
    }
    let (int, frac) = (scaled / scale, scaled % scale);
    let _ = write!(out, "{int}.{frac:0width$}", width = decimals as usize);
}

/// A CSV log of `n` rows with the 12 columns of [`CSV_HEADER`]: an ISO 8601 timestamp three
/// seconds apart from 2024-01-01, a six-decimal score, a 0/1 label, a model version (`v1` for
/// the first half, `v2` after), a segment, and seven four-decimal features (the first two
/// correlated with the latent variable, the rest noise).
pub fn csv_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut rng = SplitMix64::new(seed);
    let mut out = Vec::with_capacity(n.saturating_mul(100) + 128);
    out.extend_from_slice(CSV_HEADER.join(",").as_bytes());
    out.push(b'\n');
    const START_DAYS: i64 = 19_723; // 2024-01-01
    for i in 0..n {
        let z = rng.normal();
        let y = u8::from(rng.uniform() < sigmoid(-1.2 + 1.8 * z));
        let s = sigmoid(-1.0 + 1.5 * z + 0.5 * rng.normal());
        let secs = i as i64 * 3;
        let (year, month, day) = civil_from_days(START_DAYS + secs / 86_400);
        let t = secs % 86_400;
        let _ = write!(
            out,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z,",
            t / 3600,
            (t / 60) % 60,
            t % 60
        );
        push_fixed(&mut out, s, 6);
        let version = if i < n / 2 { "v1" } else { "v2" };
        let segment = SEGMENTS[(rng.next_u64() % SEGMENTS.len() as u64) as usize];
        let _ = write!(out, ",{y},{version},{segment}");
        for k in 0..7 {
            let x = match k {
                0 => z + 0.5 * rng.normal(),
                1 => 2.0 * z + rng.normal(),
                _ => rng.normal(),
            };
            out.push(b',');
            push_fixed(&mut out, x, 4);
        }
        out.push(b'\n');
    }
    out
}

/// Checks the date arithmetic and the fixed-point writer on known values, so a generator bug
/// stops the benchmark instead of silently producing unreadable rows.
pub fn self_check() -> Result<(), String> {
    let dates = [
        (0, (1970, 1, 1)),
        (19_723, (2024, 1, 1)),
        (19_782, (2024, 2, 29)),
        (-1, (1969, 12, 31)),
    ];
    for (days, want) in dates {
        let got = civil_from_days(days);
        if got != want {
            return Err(format!("civil_from_days({days}) = {got:?}, want {want:?}"));
        }
    }
    let mut buf = Vec::new();
    for (v, d) in [
        (0.5, 6),
        (-1.23456, 4),
        (-0.00001, 4),
        (12.0, 4),
        (0.9999996, 6),
    ] {
        push_fixed(&mut buf, v, d);
        buf.push(b' ');
    }
    let want = "0.500000 -1.2346 0.0000 12.0000 1.000000 ";
    if buf != want.as_bytes() {
        return Err(format!(
            "push_fixed wrote {:?}, want {want:?}",
            String::from_utf8_lossy(&buf)
        ));
    }
    Ok(())
}
