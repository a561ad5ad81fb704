//! The mergeable score summary: per label, counts and sums of scores in fine cells of [0, 1].
//!
//! With `K` equal cells, the edges are `e_j = j / K` (`j as f64 / K as f64`, the correctly
//! rounded double, so `e_{10i}` with `K = 1000` is bit-identical to `i / 100`). Every score
//! falls in exactly one of `2K + 1` *slots*:
//!
//! - slot `2j` is the **atom** `{e_j}` (scores exactly on an edge, `j = 0..=K`);
//! - slot `2j + 1` is the **open cell** `(e_j, e_{j+1})` (`j = 0..K`).
//!
//! Keeping the atoms apart makes every comparison with an edge exact in both directions: the
//! decision rule `score ≥ t` and the reliability rule "an edge belongs to the lower bin"
//! (scikit-learn's `np.searchsorted(edges, p)`) agree with the raw rows at every edge. Scores
//! logged with ≤ log10(K) decimals sit on atoms only, and then every metric is exact.
//!
//! Each slot holds, per label, a [`Cell`]: the row count `n`, `Σ s`, `Σ s²` and the log-loss
//! sum `Σ −ln clip(q)` with `q = s` for positives and `1 − s` for negatives and
//! `clip(v) = min(max(v, ε), 1 − ε)`, `ε` = [`LOG_LOSS_EPS`] (scikit-learn ≥ 1.5's float64
//! default). Counts merge by addition (exactly associative and commutative); the sums merge by
//! floating-point addition (associative up to rounding, ~1e-16 relative per merge).

use crate::core::error::PlumbError;

/// The cell count used when none is given: 1,000 cells of width 0.001.
pub const DEFAULT_BUCKETS: u32 = 1000;

/// The largest cell count accepted (memory: 2K + 1 slots × 2 labels × 32 bytes).
pub const MAX_BUCKETS: u32 = 1_000_000;

/// The clip of the stored log-loss sums: `f64::EPSILON`, as scikit-learn ≥ 1.5 for float64.
pub const LOG_LOSS_EPS: f64 = f64::EPSILON;

/// Rows of one label in one slot: the count and three sums.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Cell {
    /// Rows.
    pub n: u64,
    /// Σ score.
    pub score_sum: f64,
    /// Σ score².
    pub score_sq_sum: f64,
    /// Σ −ln clip(q), q = score (label 1) or 1 − score (label 0), clipped at [`LOG_LOSS_EPS`].
    pub log_loss_sum: f64,
}

impl Cell {
    /// The cell of one row.
    pub fn of(score: f64, label: u8) -> Self {
        Self {
            n: 1,
            score_sum: score,
            score_sq_sum: score * score,
            log_loss_sum: row_log_loss(score, label),
        }
    }

    /// Add another cell's rows to this one.
    pub fn merge(&mut self, other: &Cell) {
        self.n += other.n;
        self.score_sum += other.score_sum;
        self.score_sq_sum += other.score_sq_sum;
        self.log_loss_sum += other.log_loss_sum;
    }
}

/// One row's log loss, exactly as `calibration::log_loss` computes it at [`LOG_LOSS_EPS`].
pub fn row_log_loss(score: f64, label: u8) -> f64 {
    let q = if label == 1 { score } else { 1.0 - score };
    -q.clamp(LOG_LOSS_EPS, 1.0 - LOG_LOSS_EPS).ln()
}

/// Which part of [0, 1] a slot covers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SlotKind {
    /// Exactly the edge `e_j`.
    Atom(u32),
    /// The open cell `(e_j, e_{j+1})`.
    Open(u32),
}

/// Per-label cells over the `2K + 1` slots of `K` equal-width cells of [0, 1].
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreSummary {
    buckets: u32,
    negatives: Vec<Cell>,
    positives: Vec<Cell>,
}

impl ScoreSummary {
    /// An empty summary with `buckets` cells (1 ≤ buckets ≤ [`MAX_BUCKETS`]).
    pub fn new(buckets: u32) -> Result<Self, PlumbError> {
        if buckets == 0 || buckets > MAX_BUCKETS {
            return Err(PlumbError::InvalidSetting {
                setting: "buckets".into(),
                value: buckets.to_string(),
                expected: format!("a whole number from 1 to {MAX_BUCKETS}"),
            });
        }
        let slots = 2 * buckets as usize + 1;
        Ok(Self {
            buckets,
            negatives: vec![Cell::default(); slots],
            positives: vec![Cell::default(); slots],
        })
    }

    /// The summary of raw rows (scores in [0, 1], labels 0/1; errors name the first bad row).
    pub fn from_rows(scores: &[f64], labels: &[u8], buckets: u32) -> Result<Self, PlumbError> {
        if scores.len() != labels.len() {
            return Err(PlumbError::LengthMismatch {
                left: "scores".into(),
                left_len: scores.len() as u64,
                right: "labels".into(),
                right_len: labels.len() as u64,
            });
        }
        let mut s = Self::new(buckets)?;
        for (i, (&p, &y)) in scores.iter().zip(labels).enumerate() {
            s.add(p, y).map_err(|e| match e {
                PlumbError::InvalidValue {
                    what,
                    value,
                    expected,
                    ..
                } => PlumbError::InvalidValue {
                    what,
                    index: i as u64,
                    value,
                    expected,
                },
                other => other,
            })?;
        }
        Ok(s)
    }

    /// Number of cells `K`.
    pub fn buckets(&self) -> u32 {
        self.buckets
    }

    /// Number of slots, `2K + 1`.
    pub fn slots(&self) -> usize {
        self.negatives.len()
    }

    /// The edge `e_j = j / K`.
    pub fn edge(&self, j: u32) -> f64 {
        if j >= self.buckets {
            1.0
        } else {
            j as f64 / self.buckets as f64
        }
    }

    /// What slot `slot` covers.
    pub fn kind(&self, slot: usize) -> SlotKind {
        let j = (slot / 2) as u32;
        if slot.is_multiple_of(2) {
            SlotKind::Atom(j)
        } else {
            SlotKind::Open(j)
        }
    }

    /// Lower and upper end of a slot (equal for an atom).
    pub fn bounds(&self, slot: usize) -> (f64, f64) {
        match self.kind(slot) {
            SlotKind::Atom(j) => (self.edge(j), self.edge(j)),
            SlotKind::Open(j) => (self.edge(j), self.edge(j + 1)),
        }
    }

    /// The slot of a score in [0, 1] (`None` outside or NaN).
    pub fn slot_of(&self, score: f64) -> Option<usize> {
        if !(0.0..=1.0).contains(&score) {
            return None;
        }
        let k = self.buckets;
        let mut j = ((score * k as f64).floor() as u32).min(k);
        while j > 0 && score < self.edge(j) {
            j -= 1;
        }
        while j < k && score >= self.edge(j + 1) {
            j += 1;
        }
        let atom = score == self.edge(j);
        Some(2 * j as usize + usize::from(!atom))
    }

    /// The slot of an atom or open cell given by its ends, as a summary file states them
    /// (`lo == hi` for an atom); ends within 1e-9 of an edge are read as that edge.
    pub fn slot_of_bounds(&self, lo: f64, hi: f64) -> Option<usize> {
        let k = self.buckets as f64;
        if !(lo.is_finite() && hi.is_finite()) {
            return None;
        }
        let j = (lo * k).round();
        if !(0.0..=k).contains(&j) || (lo - j / k).abs() > 1e-9 {
            return None;
        }
        let j = j as u32;
        if lo == hi {
            Some(2 * j as usize)
        } else if j < self.buckets && (hi - self.edge(j + 1)).abs() <= 1e-9 {
            Some(2 * j as usize + 1)
        } else {
            None
        }
    }

    /// Count one row.
    pub fn add(&mut self, score: f64, label: u8) -> Result<(), PlumbError> {
        let bad = |what: &str, value: String, expected: &str| PlumbError::InvalidValue {
            what: what.into(),
            index: 0,
            value,
            expected: expected.into(),
        };
        if label > 1 {
            return Err(bad("label", label.to_string(), "0 or 1"));
        }
        let slot = self
            .slot_of(score)
            .ok_or_else(|| bad("score", score.to_string(), "a probability in [0, 1]"))?;
        self.add_cell(slot, label, &Cell::of(score, label));
        Ok(())
    }

    /// Add aggregated rows of one label to a slot (as read from a summary file).
    pub fn add_cell(&mut self, slot: usize, label: u8, cell: &Cell) {
        let cells = if label == 1 {
            &mut self.positives
        } else {
            &mut self.negatives
        };
        if let Some(c) = cells.get_mut(slot) {
            c.merge(cell);
        }
    }

    /// Add another summary's rows (same `K`, else an error): the result summarises the union.
    pub fn merge(&mut self, other: &ScoreSummary) -> Result<(), PlumbError> {
        if other.buckets != self.buckets {
            return Err(PlumbError::InvalidSetting {
                setting: "buckets".into(),
                value: other.buckets.to_string(),
                expected: format!(
                    "{} (summaries merge only with the same cells)",
                    self.buckets
                ),
            });
        }
        for (a, b) in self.negatives.iter_mut().zip(&other.negatives) {
            a.merge(b);
        }
        for (a, b) in self.positives.iter_mut().zip(&other.positives) {
            a.merge(b);
        }
        Ok(())
    }

    /// The label-0 cell of a slot.
    pub fn negative(&self, slot: usize) -> Cell {
        self.negatives.get(slot).copied().unwrap_or_default()
    }

    /// The label-1 cell of a slot.
    pub fn positive(&self, slot: usize) -> Cell {
        self.positives.get(slot).copied().unwrap_or_default()
    }

    /// Both labels' rows of a slot together.
    pub fn both(&self, slot: usize) -> Cell {
        let mut c = self.negative(slot);
        c.merge(&self.positive(slot));
        c
    }

    /// Totals over every slot: (label 0, label 1).
    pub fn totals(&self) -> (Cell, Cell) {
        let mut neg = Cell::default();
        let mut pos = Cell::default();
        for c in &self.negatives {
            neg.merge(c);
        }
        for c in &self.positives {
            pos.merge(c);
        }
        (neg, pos)
    }

    /// Rows counted.
    pub fn n(&self) -> u64 {
        let (neg, pos) = self.totals();
        neg.n + pos.n
    }
}
