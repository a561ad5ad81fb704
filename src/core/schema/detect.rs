//! Which column plays which role, guessed from names and contents.
//!
//! Roles are assigned in this order, each column at most once, the first candidate in header
//! order winning within a tier (so the result is deterministic):
//! 1. **timestamp** — an ISO 8601 column (time-like names first), else an epoch-number column
//!    ([`super::epoch_seconds`]);
//! 2. **label** — a label-like name (`label`, `y`, `y_true`, `target`, `outcome`, `actual`,
//!    `truth`, `class`, ... exactly: up to 50 classes; `*_label`, `is_*`, `has_*`: at most two
//!    classes), else any column whose two classes are a pair like 0/1, false/true, no/yes;
//!    its positive class by [`super::classes`]' rules;
//! 3. **score** — a column of mostly (> 50 %) numbers with a score-like name (`score`, `prob`,
//!    `proba`, `probability`, `pred`, `prediction`, `y_pred`, `y_score`, `p`, `confidence`,
//!    `risk`, ... exactly, then as a name part), unless its values are only 0/1; else a numeric
//!    column with all values in [0, 1], at least 10 distinct values, not all whole numbers; else
//!    a score-named 0/1 column (hard predictions). The transform: `logit`/`margin`/`log_odds`
//!    in the name → logit; `pct`/`percent` → percent; otherwise, if at least half of the finite
//!    values lie outside [0, 1], percent when all lie in [0, 100] and logit when not; else
//!    identity (a few stray values outside [0, 1] are data errors, reported as out of range,
//!    not a reason to reinterpret every score);
//! 4. **challengers** — once a score is found, every other column of mostly numbers, not only
//!    0/1, with a score-like name (as in 3) or a name containing `model` and probability-like
//!    contents, in header order, each with its own transform guessed as in 3 (recorded in
//!    `challenger_transforms` when it differs from the score's: a champion probability and a
//!    challenger in percent or logits);
//! 5. **decision** — a decision-like name (`decision`, `action`, `approved`, `flagged`,
//!    `predicted_label`, `pred_label`, `y_hat`, ...) or a leftover score-like name, with at most
//!    two classes;
//! 6. **id** — an id-like name (`id`, `*_id`, `uuid`, `key`, ...) whose non-missing values are
//!    at least 90 % distinct (text columns over the 4096-value dictionary cap count as distinct);
//! 7. **model_version** — a name containing `version`, else one containing `model` with at most
//!    50 distinct values;
//! 8. **latency** and **status** — exactly `latency`, `latency_ms`, `duration_ms`,
//!    `elapsed_ms` (mostly numbers); exactly `status`, `http_status`, `status_code`, `error`,
//!    `is_error` (operational columns, after the label so an `is_error` label stays a label);
//! 9. **segments** — columns with a grouping name (`segment`, `group`, `cohort`, `slice`,
//!    `channel`, `platform`, `device`, `variant`, ...) and at most 50 distinct values; only if
//!    there are none, every text column with 2–50 distinct values;
//! 10. **features** — every other numeric or categorical column, except id-like names and
//!     epoch-time columns.
//!
//! So in a log with both `segment` and `country` columns, `segment` is the segment and
//! `country` a feature (monitored for drift); without a `segment`-like column, `country` would
//! be a segment.

use std::cell::OnceCell;

use super::classes::{Classes, classes_of, pick_positive};
use super::names::Name;
use super::profile::{epoch_seconds, finite_range};
use crate::core::ingest::{Column, ColumnKind, Table};
use crate::core::report::{ColumnMapping, ScoreTransform};

/// Most distinct values of a segment (and of a label matched by its exact name).
const MAX_GROUPS: usize = 50;

/// What detection needs to know about a column.
struct Facts<'a> {
    column: &'a Column,
    name: Name,
    kind: ColumnKind,
    /// [`classes_of`], computed when first asked for ([`Facts::classes`]): most columns are
    /// decided by their names, and counting a column's classes reads every row.
    classes: OnceCell<Option<Classes>>,
    /// [`finite_range`] of the numbers, computed when first asked for ([`Facts::range`]).
    range: OnceCell<Option<(f64, f64)>>,
}

impl Facts<'_> {
    fn classes(&self) -> Option<&Classes> {
        self.classes
            .get_or_init(|| classes_of(self.column))
            .as_ref()
    }

    fn range(&self) -> Option<(f64, f64)> {
        *self
            .range
            .get_or_init(|| finite_range(self.column.numeric()))
    }

    fn n_classes(&self) -> Option<usize> {
        self.classes().map(|c| c.values.len())
    }

    fn has_classes(&self, lo: usize, hi: usize) -> bool {
        self.n_classes().is_some_and(|n| (lo..=hi).contains(&n))
    }

    fn is_binary_01(&self) -> bool {
        self.classes().is_some_and(|c| {
            c.values.iter().all(|(v, _)| v == "0" || v == "1") && !c.values.is_empty()
        })
    }

    fn is_numeric(&self) -> bool {
        self.kind == ColumnKind::Numeric
    }

    /// Whether most non-missing cells are numbers (a looser test than the numeric kind, so
    /// that a score column with some junk is still found and its junk rows reported).
    fn mostly_numbers(&self) -> bool {
        let present = self.column.len() as u64 - self.column.missing_count();
        present > 0 && self.column.non_numeric_count() * 2 < present
    }

    /// Whether the column looks like probabilities without any help from its name.
    fn looks_like_probabilities(&self) -> bool {
        let Some((lo, hi)) = self.range() else {
            return false;
        };
        let many = self.column.distinct_count().is_none_or(|d| d >= 10);
        let fractional = self
            .column
            .numeric()
            .iter()
            .any(|v| v.is_finite() && v.fract() != 0.0);
        self.is_numeric() && lo >= 0.0 && hi <= 1.0 && many && fractional
    }

    /// Whether at least 90 % of the non-missing values are distinct.
    fn mostly_unique(&self) -> bool {
        let present = self.column.len() as u64 - self.column.missing_count();
        if present == 0 {
            return false;
        }
        let distinct = match self.column.distinct_count() {
            Some(d) => d as u64,
            None if self.is_numeric() => {
                let mut v: Vec<f64> = self
                    .column
                    .numeric()
                    .iter()
                    .copied()
                    .filter(|v| !v.is_nan())
                    .collect();
                v.sort_by(f64::total_cmp);
                v.dedup();
                v.len() as u64
            }
            None => present,
        };
        distinct * 10 >= present * 9
    }

    /// Whether the column looks like another model's score (a challenger).
    fn looks_like_challenger(&self) -> bool {
        let named = self.name.score_tier().is_some()
            || (self.name.norm.contains("model") && self.looks_like_probabilities());
        named
            && self.mostly_numbers()
            && !self.is_binary_01()
            && !self.name.is_id()
            && !self.name.is_decision()
            && !self.name.is_time()
    }

    fn transform(&self) -> ScoreTransform {
        if self.name.says_logit() {
            return ScoreTransform::Logit;
        }
        if self.name.says_percent() {
            return ScoreTransform::Percent;
        }
        let finite = self.column.numeric().iter().filter(|v| v.is_finite());
        let (n, outside) = finite.fold((0u64, 0u64), |(n, out), v| {
            (n + 1, out + u64::from(!(0.0..=1.0).contains(v)))
        });
        // Mostly probabilities: the few values outside [0, 1] are reported as out of range.
        if outside * 2 < n {
            return ScoreTransform::Identity;
        }
        match self.range() {
            Some((lo, hi)) if lo >= 0.0 && hi <= 100.0 => ScoreTransform::Percent,
            Some(_) => ScoreTransform::Logit,
            None => ScoreTransform::Identity,
        }
    }
}

/// Assigns roles; keeps track of columns already taken.
struct Picker<'a> {
    facts: Vec<Facts<'a>>,
    taken: Vec<bool>,
}

impl Picker<'_> {
    /// The first untaken column satisfying the first tier that has any, marked taken.
    fn pick(&mut self, tiers: &[&dyn Fn(&Facts<'_>) -> bool]) -> Option<usize> {
        for tier in tiers {
            let found = (0..self.facts.len()).find(|&i| !self.taken[i] && tier(&self.facts[i]));
            if let Some(i) = found {
                self.taken[i] = true;
                return Some(i);
            }
        }
        None
    }

    fn name(&self, i: usize) -> String {
        self.facts[i].column.name.clone()
    }
}

/// Guess the role of every column of `table` from names and contents (rules in the module
/// documentation). Deterministic; never gives one column two roles.
pub fn detect_mapping(table: &Table) -> ColumnMapping {
    let facts: Vec<Facts<'_>> = table
        .columns
        .iter()
        .map(|column| {
            let kind = column.kind();
            Facts {
                column,
                name: Name::new(&column.name),
                kind,
                classes: OnceCell::new(),
                range: OnceCell::new(),
            }
        })
        .collect();
    let mut p = Picker {
        taken: vec![false; facts.len()],
        facts,
    };
    let mut m = ColumnMapping::default();

    let timestamp = p
        .pick(&[
            &|f| f.kind == ColumnKind::Timestamp && f.name.is_time(),
            &|f| f.kind == ColumnKind::Timestamp,
            &|f| epoch_seconds(f.column).is_some(),
        ])
        .map(|i| p.name(i));
    m.timestamp = timestamp;

    let label = p.pick(&[
        &|f| f.name.label_tier() == Some(0) && f.has_classes(1, MAX_GROUPS),
        &|f| f.name.label_tier() == Some(1) && f.has_classes(1, 2),
        &|f| {
            f.classes().is_some_and(Classes::is_boolean_pair)
                && !f.name.is_decision()
                && f.name.score_tier().is_none()
                && !f.name.is_id()
        },
    ]);
    if let Some(i) = label {
        m.label = Some(p.name(i));
        m.positive_label = p.facts[i].classes().and_then(pick_positive);
    }

    let score = p.pick(&[
        &|f| f.mostly_numbers() && f.name.score_tier() == Some(0) && !f.is_binary_01(),
        &|f| f.mostly_numbers() && f.name.score_tier() == Some(1) && !f.is_binary_01(),
        &|f| {
            f.looks_like_probabilities()
                && !f.name.is_id()
                && !f.name.is_decision()
                && !f.name.is_time()
        },
        &|f| f.mostly_numbers() && f.name.score_tier().is_some(),
    ]);
    if let Some(i) = score {
        m.score = Some(p.name(i));
        m.score_transform = p.facts[i].transform();
        for j in 0..p.facts.len() {
            let f = &p.facts[j];
            if !p.taken[j] && f.looks_like_challenger() {
                p.taken[j] = true;
                let name = p.name(j);
                m.set_challenger_transform(&name, f.transform());
                m.challengers.push(name);
            }
        }
    }

    m.decision = p
        .pick(&[&|f| f.name.is_decision() && f.has_classes(1, 2), &|f| {
            f.name.score_tier().is_some() && f.has_classes(1, 2)
        }])
        .map(|i| p.name(i));

    m.id = p
        .pick(&[&|f| f.name.is_id() && f.mostly_unique()])
        .map(|i| p.name(i));

    m.model_version = p
        .pick(&[
            &|f| f.name.version_tier() == Some(0) && f.kind != ColumnKind::Empty,
            &|f| f.name.version_tier() == Some(1) && f.has_classes(1, MAX_GROUPS),
        ])
        .map(|i| p.name(i));

    m.latency = p
        .pick(&[&|f| {
            f.mostly_numbers()
                && f.name
                    .is_one_of(&["latency", "latency_ms", "duration_ms", "elapsed_ms"])
        }])
        .map(|i| p.name(i));
    m.status = p
        .pick(&[&|f| {
            f.kind != ColumnKind::Empty
                && f.name
                    .is_one_of(&["status", "http_status", "status_code", "error", "is_error"])
        }])
        .map(|i| p.name(i));

    let named_segment =
        |f: &Facts<'_>| f.name.is_segment() && !f.name.is_id() && f.has_classes(1, MAX_GROUPS);
    let any_named = (0..p.facts.len()).any(|i| !p.taken[i] && named_segment(&p.facts[i]));
    for i in 0..p.facts.len() {
        let f = &p.facts[i];
        let is_segment = if any_named {
            named_segment(f)
        } else {
            f.kind == ColumnKind::Categorical && !f.name.is_id() && f.has_classes(2, MAX_GROUPS)
        };
        if !p.taken[i] && is_segment {
            p.taken[i] = true;
            m.segments.push(p.name(i));
        }
    }

    for i in 0..p.facts.len() {
        let f = &p.facts[i];
        if !p.taken[i]
            && !f.name.is_id()
            && matches!(f.kind, ColumnKind::Numeric | ColumnKind::Categorical)
            && epoch_seconds(f.column).is_none()
        {
            p.taken[i] = true;
            m.features.push(p.name(i));
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ingest::read_table;

    fn detect(text: &str) -> ColumnMapping {
        detect_mapping(&read_table(text.as_bytes()).unwrap())
    }

    #[test]
    fn names_and_contents() {
        let m = detect(
            "request_id,when,probability,y,approved,model,channel,age,city,comment\n\
             r1,2026-01-01,0.91,yes,1,m1,web,30,Paris,free text one\n\
             r2,2026-01-02,0.12,no,0,m1,app,41,Lyon,free text two\n\
             r3,2026-01-03,0.55,no,1,m2,web,25,Paris,free text three\n",
        );
        assert_eq!(m.id.as_deref(), Some("request_id"));
        assert_eq!(m.timestamp.as_deref(), Some("when"));
        assert_eq!(m.score.as_deref(), Some("probability"));
        assert_eq!(m.score_transform, ScoreTransform::Identity);
        assert_eq!(m.label.as_deref(), Some("y"));
        assert_eq!(m.positive_label.as_deref(), Some("yes"));
        assert_eq!(m.decision.as_deref(), Some("approved"));
        assert_eq!(m.model_version.as_deref(), Some("model"));
        assert_eq!(m.segments, vec!["channel"]);
        // `comment` has three distinct values, so it is categorical: a feature.
        assert_eq!(m.features, vec!["age", "city", "comment"]);
    }

    #[test]
    fn content_fallbacks() {
        let mut text = String::from("a,b,c\n");
        for i in 0..20 {
            text.push_str(&format!(
                "{},{},{}\n",
                i % 2,
                f64::from(i) / 20.0 + 0.01,
                i * 3
            ));
        }
        let m = detect(&text);
        assert_eq!(m.label.as_deref(), Some("a"));
        assert_eq!(m.score.as_deref(), Some("b"));
        assert_eq!(m.features, vec!["c"]);
    }

    #[test]
    fn transforms() {
        let m = detect("score,label\n12.5,0\n80,1\n45,1\n");
        assert_eq!(m.score_transform, ScoreTransform::Percent);
        let m = detect("score,label\n-2.5,0\n0.8,1\n1.5,1\n");
        assert_eq!(m.score_transform, ScoreTransform::Logit);
        let m = detect("score_logit,label\n0.1,0\n0.8,1\n");
        assert_eq!(m.score_transform, ScoreTransform::Logit);
    }

    #[test]
    fn hard_predictions_are_decisions_when_a_score_exists() {
        let m = detect("prediction,proba,label\n1,0.8,1\n0,0.3,0\n1,0.6,0\n");
        assert_eq!(m.score.as_deref(), Some("proba"));
        assert_eq!(m.decision.as_deref(), Some("prediction"));
        let m = detect("prediction,label\n1,1\n0,0\n1,0\n");
        assert_eq!(m.score.as_deref(), Some("prediction"));
        assert_eq!(m.decision, None);
    }

    #[test]
    fn challengers_get_their_own_transform() {
        let m = detect(
            "score,label,challenger_score,model_b,score_logit,pred_flag\n\
             0.1,0,0.2,0.15,-1.5,0\n0.7,1,0.6,0.55,0.8,1\n0.4,0,0.35,0.45,-0.2,0\n\
             0.2,0,0.25,0.05,-2.0,0\n0.9,1,0.8,0.95,2.0,1\n0.3,0,0.1,0.25,-1.0,0\n\
             0.6,1,0.7,0.65,0.5,1\n0.5,0,0.45,0.35,0.1,0\n0.8,1,0.9,0.85,1.5,1\n\
             0.15,0,0.3,0.12,-1.7,0\n",
        );
        assert_eq!(m.score.as_deref(), Some("score"));
        // `model_b` by name and contents; `score_logit` with its own transform; the 0/1
        // `pred_flag` is a decision.
        assert_eq!(
            m.challengers,
            vec!["challenger_score", "model_b", "score_logit"]
        );
        assert_eq!(m.challenger_transform("model_b"), ScoreTransform::Identity);
        assert_eq!(m.challenger_transform("score_logit"), ScoreTransform::Logit);
        assert_eq!(
            m.challenger_transforms.keys().collect::<Vec<_>>(),
            vec!["score_logit"]
        );
        assert_eq!(m.decision.as_deref(), Some("pred_flag"));
        assert!(!m.features.contains(&"score_logit".to_string()));
        assert_eq!(m.model_version, None);
    }

    #[test]
    fn latency_and_status_are_not_features() {
        let m = detect(
            "score,label,latency_ms,http_status,x1\n\
             0.1,0,12.5,200,1\n0.7,1,30,500,2\n0.4,0,8,200,3\n",
        );
        assert_eq!(m.latency.as_deref(), Some("latency_ms"));
        assert_eq!(m.status.as_deref(), Some("http_status"));
        assert_eq!(m.features, vec!["x1"]);
        let m = detect("score,is_error,x1\n0.1,0,1\n0.7,1,2\n0.4,0,3\n");
        assert_eq!(m.label.as_deref(), Some("is_error"));
        assert_eq!(m.status, None);
    }

    #[test]
    fn segment_fallback_without_a_named_segment() {
        let m = detect("score,label,country\n0.1,0,DE\n0.7,1,FR\n0.4,0,DE\n");
        assert_eq!(m.segments, vec!["country"]);
        assert!(m.features.is_empty());
    }

    #[test]
    fn ids_must_be_mostly_unique() {
        let m = detect("customer_id,score,label\n7,0.1,0\n7,0.5,1\n8,0.2,0\n");
        assert_eq!(m.id, None);
        assert!(!m.features.contains(&"customer_id".to_string()));
    }
}
