//! Synthetic prediction logs with a known cause of change, for testing and demonstrating the
//! diagnosis ([`crate::core::diagnose`]).
//!
//! A seeded generator (SplitMix64, Steele, Lea & Flood 2014, with Box–Muller normals) draws a
//! reference and a current window of a synthetic model. Rows have two numeric features
//! `x1, x2 ~ N(μ, 1)` and a categorical `country`; the true log-odds are
//! `−1.2 + 1.2·x1 + 0.8·x2 + c(country)` and the model's score is exactly the true posterior
//! on the reference population, so the reference window is calibrated. Decisions are
//! `score ≥ threshold`. The current window differs by one cause, with an effect size `e`
//! (about 0.25 = subtle, 1 = strong):
//!
//! * `NoChange`: the same population, fresh draws.
//! * `DataDrift` (covariate shift): `x1`'s mean moves by `0.8e` and the country mix moves
//!   towards `IN`; p(y | x) is unchanged, so the model stays calibrated given its score.
//! * `LabelShift` (prior shift): the log-odds of the prior move by `+e`, p(x | y) is unchanged
//!   (rows are drawn class by class from the reference population).
//! * `ModelDegradation` (concept drift): p(y | x) changes — `x2`'s true coefficient becomes
//!   `0.8(1 − 2e)` — while the model keeps scoring with the old one.
//! * `ThresholdMisconfiguration`: data as in the reference; the current decisions use the
//!   threshold `t + 0.2e` instead of the configured `t`.
//! * `PipelineBug`: data as in the reference, then the logged current window is broken by one
//!   of [`PipelineBug`]: labels of the most recent rows joined as 0, part of the scores
//!   written as percentages, positive rows duplicated by a fan-out join, or inverted scores.
//!
//! [`Simulation::prepare`] turns the logs into what the diagnosis reads, as the analysis
//! would: rows with a score in [0, 1] and a label, feature drift by the default drift rule
//! ([`drift::default_method`]), and the data-quality checks ([`quality::run_checks`]).

use crate::core::diagnose::DiagnosisInput;
use crate::core::quality::{self, QualityInput, QualityReport};
use crate::core::report::{CostMatrix, DriftColumn};
use std::io::{self, Write};

/// The cause of change a simulation builds in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scenario {
    /// Nothing changes.
    NoChange,
    /// Covariates move; p(y | x) holds.
    DataDrift,
    /// The prior moves; p(x | y) holds.
    LabelShift,
    /// p(y | x) changes.
    ModelDegradation,
    /// The current decisions use another threshold.
    ThresholdMisconfiguration,
    /// The current log is broken (see [`PipelineBug`]).
    PipelineBug,
}

impl Scenario {
    /// Every scenario.
    pub const ALL: [Scenario; 6] = [
        Self::NoChange,
        Self::DataDrift,
        Self::LabelShift,
        Self::ModelDegradation,
        Self::ThresholdMisconfiguration,
        Self::PipelineBug,
    ];

    /// The verdict a correct diagnosis gives: a cause key, or `no_change`.
    pub fn expected(self) -> &'static str {
        match self {
            Self::NoChange => "no_change",
            Self::DataDrift => "data_drift",
            Self::LabelShift => "label_shift",
            Self::ModelDegradation => "model_degradation",
            Self::ThresholdMisconfiguration => "threshold_misconfiguration",
            Self::PipelineBug => "evaluation_pipeline_bug",
        }
    }
}

/// How the pipeline breaks the current log in [`Scenario::PipelineBug`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PipelineBug {
    /// The labels of the most recent `0.1 + 0.2e` of rows are joined as 0 (a left join that
    /// fills labels not yet arrived with the negative class).
    LabelJoin,
    /// A share `0.2 + 0.3e` of the scores is written on a 0–100 scale.
    PercentScores,
    /// Each positive row is duplicated with probability `0.1 + 0.4e` (a fan-out join on the
    /// label table), same id.
    DuplicatedPositives,
    /// Every current score is logged as `1 − score`.
    InvertedScores,
}

impl PipelineBug {
    /// Every bug.
    pub const ALL: [PipelineBug; 4] = [
        Self::LabelJoin,
        Self::PercentScores,
        Self::DuplicatedPositives,
        Self::InvertedScores,
    ];
}

/// What to simulate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimConfig {
    /// The cause built in.
    pub scenario: Scenario,
    /// Effect size, about 0.25 (subtle) to 1 (strong); ignored by `NoChange`.
    pub effect: f64,
    /// Seed of the generator: equal configs give equal logs.
    pub seed: u64,
    /// Rows of the reference window.
    pub n_reference: usize,
    /// Rows of the current window (before any duplication).
    pub n_current: usize,
    /// The configured decision threshold.
    pub threshold: f64,
    /// The bug of `PipelineBug`.
    pub bug: PipelineBug,
}

impl SimConfig {
    /// A scenario with 8000 rows per window, threshold 0.5 and the label-join bug.
    pub fn new(scenario: Scenario, effect: f64, seed: u64) -> Self {
        Self {
            scenario,
            effect,
            seed,
            n_reference: 8000,
            n_current: 8000,
            threshold: 0.5,
            bug: PipelineBug::LabelJoin,
        }
    }
}

/// SplitMix64 (Steele, Lea & Flood, OOPSLA 2014) with Box–Muller normals.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
    spare: Option<f64>,
}

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self {
            state: seed,
            spare: None,
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal by the Box–Muller transform.
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        let u1 = 1.0 - self.uniform(); // (0, 1]
        let u2 = self.uniform();
        let r = (-2.0 * u1.ln()).sqrt();
        let a = std::f64::consts::TAU * u2;
        self.spare = Some(r * a.sin());
        r * a.cos()
    }

    /// 1 with probability `p`.
    pub fn bernoulli(&mut self, p: f64) -> u8 {
        u8::from(self.uniform() < p)
    }
}

/// Countries of the categorical feature.
pub const COUNTRIES: [&str; 4] = ["US", "DE", "FR", "IN"];
const COUNTRY_MIX: [f64; 4] = [0.4, 0.25, 0.2, 0.15];
const COUNTRY_EFFECT: [f64; 4] = [0.0, 0.4, -0.4, 0.8];
const INTERCEPT: f64 = -1.2;
const B1: f64 = 1.2;
const B2: f64 = 0.8;
const DAY: f64 = 86_400.0;
const START: f64 = 1_767_225_600.0; // 2026-01-01T00:00:00Z

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// One logged window, as the log holds it (before any cleaning).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SimWindow {
    /// Scores as logged (may be outside [0, 1] in a pipeline bug).
    pub scores_raw: Vec<f64>,
    /// Labels as logged.
    pub labels: Vec<Option<u8>>,
    /// The decisions the system took.
    pub decisions: Vec<Option<u8>>,
    /// Prediction times, epoch seconds, non-decreasing.
    pub timestamps: Vec<f64>,
    /// Prediction ids (a duplicated row repeats its id).
    pub ids: Vec<u64>,
    /// Numeric feature x1.
    pub x1: Vec<f64>,
    /// Numeric feature x2.
    pub x2: Vec<f64>,
    /// Categorical feature.
    pub country: Vec<String>,
}

/// Rows of a window that enter the statistics: score in [0, 1] and a label.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cleaned {
    /// Scores in [0, 1].
    pub scores: Vec<f64>,
    /// Labels 0/1.
    pub labels: Vec<u8>,
    /// Decisions of those rows.
    pub decisions: Vec<Option<u8>>,
    /// x1 of those rows.
    pub x1: Vec<f64>,
    /// x2 of those rows.
    pub x2: Vec<f64>,
    /// country of those rows.
    pub country: Vec<String>,
}

impl SimWindow {
    fn push(&mut self, row: Row, t: f64, id: u64, decision: u8) {
        self.scores_raw.push(row.score);
        self.labels.push(Some(row.label));
        self.decisions.push(Some(decision));
        self.timestamps.push(t);
        self.ids.push(id);
        self.x1.push(row.x1);
        self.x2.push(row.x2);
        self.country.push(COUNTRIES[row.country].to_string());
    }

    /// Rows count.
    pub fn len(&self) -> usize {
        self.scores_raw.len()
    }

    /// Whether the window has no rows.
    pub fn is_empty(&self) -> bool {
        self.scores_raw.is_empty()
    }

    /// The rows with a score in [0, 1] and a label (what the analysis keeps).
    pub fn cleaned(&self) -> Cleaned {
        let mut c = Cleaned::default();
        for i in 0..self.len() {
            let s = self.scores_raw[i];
            let Some(y) = self.labels[i] else { continue };
            if !(0.0..=1.0).contains(&s) {
                continue;
            }
            c.scores.push(s);
            c.labels.push(y);
            c.decisions.push(self.decisions[i]);
            c.x1.push(self.x1[i]);
            c.x2.push(self.x2[i]);
            c.country.push(self.country[i].clone());
        }
        c
    }

    /// The window as data-quality input (timestamps, ids and decisions included).
    pub fn quality_input(&self, threshold: f64) -> QualityInput<'_> {
        let mut q = QualityInput::new(&self.scores_raw, &self.labels);
        q.timestamps = Some(&self.timestamps);
        q.ids = Some(&self.ids);
        q.decisions = Some(&self.decisions);
        q.threshold = threshold;
        q
    }
}

/// A simulated reference and current window.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    /// What was simulated.
    pub config: SimConfig,
    /// The reference log.
    pub reference: SimWindow,
    /// The current log.
    pub current: SimWindow,
}

/// What the diagnosis reads, owned (see [`Prepared::input`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// Reference rows used.
    pub reference: Cleaned,
    /// Current rows used.
    pub current: Cleaned,
    /// Feature drift by the default rule.
    pub drift: Vec<DriftColumn>,
    /// Data-quality checks of the current log against the reference log.
    pub quality: Option<QualityReport>,
    /// Decisions of the reference rows.
    pub threshold: f64,
}

impl Prepared {
    /// The diagnosis input over these rows, with decisions, drift and quality.
    pub fn input(&self) -> DiagnosisInput<'_> {
        let mut input = DiagnosisInput::new(
            &self.reference.scores,
            &self.reference.labels,
            &self.current.scores,
            &self.current.labels,
        );
        input.reference_decisions = Some(&self.reference.decisions);
        input.current_decisions = Some(&self.current.decisions);
        input.drift = &self.drift;
        input.quality = self.quality.as_ref();
        input.threshold = self.threshold;
        input.costs = CostMatrix::default();
        input
    }
}

impl Simulation {
    /// Cleans both windows, computes feature drift and runs the data-quality checks.
    pub fn prepare(&self) -> Prepared {
        let reference = self.reference.cleaned();
        let current = self.current.cleaned();
        let drift = feature_drift(&reference, &current);
        let t = self.config.threshold;
        let ref_q = self.reference.quality_input(t);
        let quality = quality::run_checks(&self.current.quality_input(t), Some(&ref_q)).ok();
        Prepared {
            reference,
            current,
            drift,
            quality,
            threshold: t,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Row {
    x1: f64,
    x2: f64,
    country: usize,
    score: f64,
    label: u8,
}

/// The population rows are drawn from.
#[derive(Debug, Clone, Copy)]
struct Population {
    mu1: f64,
    mix: [f64; 4],
    /// The true coefficient of x2 (the model always uses [`B2`]).
    b2_true: f64,
}

impl Population {
    const REFERENCE: Population = Population {
        mu1: 0.0,
        mix: COUNTRY_MIX,
        b2_true: B2,
    };

    fn draw(&self, rng: &mut Rng) -> Row {
        let x1 = self.mu1 + rng.normal();
        let x2 = rng.normal();
        let u = rng.uniform();
        let mut acc = 0.0;
        let mut country = COUNTRIES.len() - 1;
        for (k, &p) in self.mix.iter().enumerate() {
            acc += p;
            if u < acc {
                country = k;
                break;
            }
        }
        let base = INTERCEPT + B1 * x1 + COUNTRY_EFFECT[country];
        let score = sigmoid(base + B2 * x2);
        let label = rng.bernoulli(sigmoid(base + self.b2_true * x2));
        Row {
            x1,
            x2,
            country,
            score,
            label,
        }
    }
}

/// Draws the two windows of a scenario.
pub fn simulate(config: &SimConfig) -> Simulation {
    let mut rng = Rng::new(config.seed);
    let e = config.effect.max(0.0);
    let t = config.threshold;
    let mut reference = SimWindow::default();
    let pop = Population::REFERENCE;
    let step = 30.0 * DAY / config.n_reference.max(1) as f64;
    let mut positives = 0u64;
    for i in 0..config.n_reference {
        let row = pop.draw(&mut rng);
        positives += u64::from(row.label);
        reference.push(
            row,
            START + i as f64 * step,
            i as u64 + 1,
            u8::from(row.score >= t),
        );
    }
    let prior_ref = if config.n_reference > 0 {
        (positives as f64 / config.n_reference as f64).clamp(0.01, 0.99)
    } else {
        0.5
    };

    let current_pop = match config.scenario {
        Scenario::DataDrift => {
            let target = [0.1, 0.1, 0.1, 0.7];
            let w = (0.5 * e).min(1.0);
            let mut mix = [0.0; 4];
            for k in 0..4 {
                mix[k] = (1.0 - w) * COUNTRY_MIX[k] + w * target[k];
            }
            Population {
                mu1: 0.8 * e,
                mix,
                b2_true: B2,
            }
        }
        Scenario::ModelDegradation => Population {
            b2_true: B2 * (1.0 - 2.0 * e),
            ..Population::REFERENCE
        },
        _ => Population::REFERENCE,
    };
    let prior_cur = sigmoid(logit(prior_ref) + e);
    let t_current = match config.scenario {
        Scenario::ThresholdMisconfiguration => (t + 0.2 * e).min(0.99),
        _ => t,
    };
    let mut current = SimWindow::default();
    let step = 30.0 * DAY / config.n_current.max(1) as f64;
    let first_id = config.n_reference as u64 + 1;
    for i in 0..config.n_current {
        let row = if config.scenario == Scenario::LabelShift {
            // p(x | y) fixed: pick the class, then draw reference rows until one has it.
            let y = rng.bernoulli(prior_cur);
            let mut row = current_pop.draw(&mut rng);
            for _ in 0..10_000 {
                if row.label == y {
                    break;
                }
                row = current_pop.draw(&mut rng);
            }
            row
        } else {
            current_pop.draw(&mut rng)
        };
        let decision = u8::from(row.score >= t_current);
        current.push(
            row,
            START + 30.0 * DAY + i as f64 * step,
            first_id + i as u64,
            decision,
        );
    }
    if config.scenario == Scenario::PipelineBug {
        break_pipeline(&mut current, config.bug, e, &mut rng);
    }
    Simulation {
        config: *config,
        reference,
        current,
    }
}

fn break_pipeline(w: &mut SimWindow, bug: PipelineBug, e: f64, rng: &mut Rng) {
    let n = w.len();
    match bug {
        PipelineBug::LabelJoin => {
            let share = (0.1 + 0.2 * e).min(1.0);
            let from = n - ((share * n as f64).round() as usize).min(n);
            for y in &mut w.labels[from..] {
                *y = Some(0);
            }
        }
        PipelineBug::PercentScores => {
            let share = (0.2 + 0.3 * e).min(1.0);
            for s in &mut w.scores_raw {
                if rng.uniform() < share {
                    *s *= 100.0;
                }
            }
        }
        PipelineBug::DuplicatedPositives => {
            let p = (0.1 + 0.4 * e).min(1.0);
            let old = std::mem::take(w);
            for i in 0..old.len() {
                let copies = if old.labels[i] == Some(1) && rng.uniform() < p {
                    2
                } else {
                    1
                };
                for _ in 0..copies {
                    w.scores_raw.push(old.scores_raw[i]);
                    w.labels.push(old.labels[i]);
                    w.decisions.push(old.decisions[i]);
                    w.timestamps.push(old.timestamps[i]);
                    w.ids.push(old.ids[i]);
                    w.x1.push(old.x1[i]);
                    w.x2.push(old.x2[i]);
                    w.country.push(old.country[i].clone());
                }
            }
        }
        PipelineBug::InvertedScores => {
            for s in &mut w.scores_raw {
                *s = 1.0 - *s;
            }
        }
    }
}

fn numeric_column(name: &str, r: &[f64], c: &[f64]) -> DriftColumn {
    crate::core::analysis::numeric_drift(name, "feature", r, c, 0, 0)
}

fn categorical_column(name: &str, r: &[String], c: &[String]) -> DriftColumn {
    crate::core::analysis::categorical_drift(name, "feature", r, c, 0, 0)
}

/// Drift of the features `x1`, `x2` and `country` between two cleaned windows, by the default
/// drift rule (as the analysis computes `report.drift.columns`).
pub fn feature_drift(reference: &Cleaned, current: &Cleaned) -> Vec<DriftColumn> {
    vec![
        numeric_column("x1", &reference.x1, &current.x1),
        numeric_column("x2", &reference.x2, &current.x2),
        categorical_column("country", &reference.country, &current.country),
    ]
}

/// Writes a window as CSV with the header
/// `timestamp,id,score,label,decision,x1,x2,country` (empty cell = missing).
pub fn write_csv<W: Write>(window: &SimWindow, mut out: W) -> io::Result<()> {
    writeln!(out, "timestamp,id,score,label,decision,x1,x2,country")?;
    let opt = |v: Option<u8>| v.map_or_else(String::new, |v| v.to_string());
    for i in 0..window.len() {
        writeln!(
            out,
            "{},{},{},{},{},{},{},{}",
            quality::format_epoch(window.timestamps[i]),
            window.ids[i],
            window.scores_raw[i],
            opt(window.labels[i]),
            opt(window.decisions[i]),
            window.x1[i],
            window.x2[i],
            window.country[i]
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        // First outputs of SplitMix64 seeded with 0 (Vigna's reference implementation).
        let mut r = Rng::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn normals_have_unit_variance() {
        let mut r = Rng::new(7);
        let z: Vec<f64> = (0..200_000).map(|_| r.normal()).collect();
        let mean = z.iter().sum::<f64>() / z.len() as f64;
        let var = z.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / z.len() as f64;
        assert!(mean.abs() < 0.01, "{mean}");
        assert!((var - 1.0).abs() < 0.01, "{var}");
    }

    #[test]
    fn same_seed_same_logs_and_reference_is_calibrated() {
        let c = SimConfig::new(Scenario::NoChange, 0.0, 3);
        let a = simulate(&c);
        assert_eq!(a, simulate(&c));
        let mean: f64 = a.reference.scores_raw.iter().sum::<f64>() / a.reference.len() as f64;
        let rate = a
            .reference
            .labels
            .iter()
            .flatten()
            .map(|&y| f64::from(y))
            .sum::<f64>()
            / a.reference.len() as f64;
        assert!((mean - rate).abs() < 0.02, "{mean} vs {rate}");
    }

    #[test]
    fn label_shift_moves_the_prior_by_the_effect() {
        let s = simulate(&SimConfig::new(Scenario::LabelShift, 1.0, 5));
        let rate = |w: &SimWindow| {
            w.labels
                .iter()
                .flatten()
                .map(|&y| f64::from(y))
                .sum::<f64>()
                / w.len() as f64
        };
        let (r, c) = (rate(&s.reference), rate(&s.current));
        assert!((logit(c) - logit(r) - 1.0).abs() < 0.15, "{r} → {c}");
    }

    #[test]
    fn pipeline_bugs_break_the_log_as_described() {
        let mut c = SimConfig::new(Scenario::PipelineBug, 1.0, 9);
        c.bug = PipelineBug::PercentScores;
        assert!(simulate(&c).current.scores_raw.iter().any(|&s| s > 1.0));
        c.bug = PipelineBug::DuplicatedPositives;
        assert!(simulate(&c).current.len() > c.n_current);
        c.bug = PipelineBug::LabelJoin;
        let s = simulate(&c);
        assert!(
            s.current.labels[c.n_current - 2400..]
                .iter()
                .all(|&y| y == Some(0))
        );
    }

    #[test]
    fn csv_has_a_header_and_one_line_per_row() {
        let mut c = SimConfig::new(Scenario::NoChange, 0.0, 1);
        c.n_reference = 5;
        c.n_current = 3;
        let s = simulate(&c);
        let mut buf = Vec::new();
        write_csv(&s.current, &mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(text.lines().count(), 4);
        assert!(text.starts_with("timestamp,id,score,label,decision,x1,x2,country\n"));
    }
}
