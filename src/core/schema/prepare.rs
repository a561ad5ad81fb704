//! From a table and a column mapping to the (score, label) pairs the statistics use.
//!
//! Each data row is used or excluded for exactly one reason, checked in this order:
//! ragged row (wrong field count), missing score, non-numeric score, score out of range (not
//! finite, or outside [0, 1] after the transform), a challenger's score unusable (missing, not a
//! number or out of range under the same transform; the row is then left out for every model,
//! so model comparisons are paired), missing label, invalid label (neither the positive class
//! nor the negative one; see [`super::classes`]).
//!
//! Score transforms: percent p = s / 100; logit p = 1 / (1 + e^(−s)), evaluated as
//! e^s / (1 + e^s) for s < 0 so that neither branch overflows.

use super::classes::label_map;
use crate::core::error::PlumbError;
use crate::core::ingest::{MISSING_CODE, Table};
use crate::core::report::{ColumnMapping, ExclusionReason, ScoreTransform};
use std::collections::BTreeMap;

/// Line numbers kept per exclusion reason.
const EXAMPLES: usize = 5;

/// The rows that enter the statistics, and an account of those that do not.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// Probabilities in [0, 1], one per used row.
    pub scores: Vec<f64>,
    /// 0/1 labels, one per used row.
    pub labels: Vec<u8>,
    /// Table row (0-based) of each used row, for looking up other columns.
    pub rows: Vec<u32>,
    /// Data rows in the file, ragged rows included.
    pub rows_total: u64,
    /// Rows excluded, by reason (reasons with no rows are absent).
    pub excluded: BTreeMap<ExclusionReason, u64>,
    /// Editor line numbers of the first five rows excluded for each reason.
    pub examples: BTreeMap<ExclusionReason, Vec<u64>>,
    /// The label class counted as 1 (canonical form).
    pub positive_label: String,
    /// The label class counted as 0, if the column has one.
    pub negative_label: Option<String>,
}

/// The logistic function 1 / (1 + e^(−s)), without overflow for any s.
pub fn logistic(s: f64) -> f64 {
    if s >= 0.0 {
        1.0 / (1.0 + (-s).exp())
    } else {
        let e = s.exp();
        e / (1.0 + e)
    }
}

/// A raw score turned into a probability by `transform` (not range-checked).
pub fn apply_transform(raw: f64, transform: ScoreTransform) -> f64 {
    match transform {
        ScoreTransform::Identity => raw,
        ScoreTransform::Percent => raw / 100.0,
        ScoreTransform::Logit => logistic(raw),
    }
}

impl Prepared {
    /// Rows used.
    pub fn rows_used(&self) -> u64 {
        self.scores.len() as u64
    }

    /// Rows excluded, all reasons together.
    pub fn rows_excluded(&self) -> u64 {
        self.excluded.values().sum()
    }

    /// Exclusion counts keyed by [`ExclusionReason::key`], as reports store them.
    pub fn excluded_by_key(&self) -> BTreeMap<String, u64> {
        self.excluded
            .iter()
            .map(|(r, n)| (r.key().to_string(), *n))
            .collect()
    }

    /// Example line numbers keyed by [`ExclusionReason::key`], as reports store them.
    pub fn examples_by_key(&self) -> BTreeMap<String, Vec<u64>> {
        self.examples
            .iter()
            .map(|(r, v)| (r.key().to_string(), v.clone()))
            .collect()
    }

    /// What was used and what was left out, in words, e.g. "Used 590 of 600 data rows.
    /// Excluded 10: 6 score missing (lines 4, 9, 12, 20, 31, …); 4 wrong number of fields
    /// (lines 7, 8, 15, 16)."
    pub fn exclusion_summary(&self) -> String {
        let excluded = self.rows_excluded();
        if excluded == 0 {
            return format!("Used all {} data rows.", self.rows_total);
        }
        let parts: Vec<String> = ExclusionReason::ALL
            .iter()
            .filter_map(|r| {
                let n = *self.excluded.get(r)?;
                let lines = self.examples.get(r).map(Vec::as_slice).unwrap_or_default();
                let mut shown: Vec<String> = lines.iter().map(u64::to_string).collect();
                if n > lines.len() as u64 {
                    shown.push("…".to_string());
                }
                let word = if lines.len() == 1 && n == 1 {
                    "line"
                } else {
                    "lines"
                };
                Some(format!(
                    "{n} {} ({word} {})",
                    r.describe(),
                    shown.join(", ")
                ))
            })
            .collect();
        format!(
            "Used {} of {} data rows. Excluded {excluded}: {}.",
            self.rows_used(),
            self.rows_total,
            parts.join("; ")
        )
    }
}

/// The column a role is mapped to, or an error naming the role or the missing column.
fn role_column<'t>(
    table: &'t Table,
    role: &str,
    name: Option<&str>,
) -> Result<&'t crate::core::ingest::Column, PlumbError> {
    let name = name.ok_or_else(|| PlumbError::MissingRole {
        role: role.to_string(),
    })?;
    table.require_column(name)
}

/// Select, transform and check the score and label of every row (rules in the module
/// documentation). Fails, in this order, if the file has no data rows, the score or label is
/// unmapped or unknown (or both are one column), the positive class is not one of the label's
/// two or more classes (or none is given and the classes do not decide it), or no row is
/// usable.
pub fn prepare(table: &Table, mapping: &ColumnMapping) -> Result<Prepared, PlumbError> {
    prepare_with(table, mapping, true)
}

/// [`prepare`], copying blocks of usable rows whole ([`BlockCopy`]) if `copy_blocks`, else
/// checking every row (the reference the shortcut is tested against).
fn prepare_with(
    table: &Table,
    mapping: &ColumnMapping,
    copy_blocks: bool,
) -> Result<Prepared, PlumbError> {
    let rows_total = table.n_rows as u64 + table.ragged_lines.len() as u64;
    if rows_total == 0 {
        return Err(PlumbError::NoDataRows);
    }
    let score = role_column(table, "score", mapping.score.as_deref())?;
    let label = role_column(table, "label", mapping.label.as_deref())?;
    if score.name == label.name {
        return Err(PlumbError::InvalidSetting {
            setting: "label column".to_string(),
            value: label.name.clone(),
            expected: "the score and the label must be different columns".to_string(),
        });
    }
    let mut challengers = Vec::with_capacity(mapping.challengers.len());
    for name in &mapping.challengers {
        let column = table.require_column(name)?;
        if column.name == score.name || column.name == label.name {
            return Err(PlumbError::InvalidSetting {
                setting: "challenger column".to_string(),
                value: column.name.clone(),
                expected: "a score column other than the champion score and the label".to_string(),
            });
        }
        challengers.push((column, mapping.challenger_transform(name)));
    }
    let challenger_ok = |row: usize| {
        challengers.iter().all(|&(c, transform)| {
            let raw = c.numeric().get(row).copied().unwrap_or(f64::NAN);
            let p = apply_transform(raw, transform);
            !c.is_missing(row) && raw.is_finite() && (0.0..=1.0).contains(&p)
        })
    };
    let map = label_map(label, mapping.positive_label.as_deref())?;
    let codes = label
        .dictionary()
        .map(|d| d.codes.as_slice())
        .unwrap_or_default();

    let mut prepared = Prepared {
        scores: Vec::with_capacity(table.n_rows),
        labels: Vec::with_capacity(table.n_rows),
        rows: Vec::with_capacity(table.n_rows),
        rows_total,
        excluded: BTreeMap::new(),
        examples: BTreeMap::new(),
        positive_label: map.positive.clone(),
        negative_label: map.negative.clone(),
    };
    if !table.ragged_lines.is_empty() {
        let reason = ExclusionReason::RaggedRow;
        prepared
            .excluded
            .insert(reason, table.ragged_lines.len() as u64);
        let first = table.ragged_lines.iter().take(EXAMPLES).copied().collect();
        prepared.examples.insert(reason, first);
    }

    // Rows in blocks. A block whose every row is usable at first sight is copied whole (see
    // `usable_block`); any other block goes row by row through the checks, each row counted.
    // Every row, by index: a column without any number keeps no number vector (`number` is
    // NaN there), and each of its rows must still be counted as excluded.
    let blocks = BlockCopy::new(score, &challengers, codes, &map, mapping.score_transform)
        .filter(|_| copy_blocks);
    let mut labels = [0u8; BLOCK];
    let mut start = 0;
    while start < score.len() {
        let end = (start + BLOCK).min(score.len());
        if let Some(rows) = blocks
            .as_ref()
            .and_then(|b| b.usable_block(start..end, &mut labels))
        {
            prepared.scores.extend_from_slice(rows);
            prepared.labels.extend_from_slice(&labels[..end - start]);
            prepared.rows.extend((start..end).map(|row| row as u32));
            start = end;
            continue;
        }
        for row in start..end {
            let raw = score.number(row);
            let reason = if score.is_missing(row) {
                Some(ExclusionReason::MissingScore)
            } else if raw.is_nan() {
                Some(ExclusionReason::NonNumericScore)
            } else {
                let p = apply_transform(raw, mapping.score_transform);
                if !raw.is_finite() || !(0.0..=1.0).contains(&p) {
                    Some(ExclusionReason::ScoreOutOfRange)
                } else if !challenger_ok(row) {
                    Some(ExclusionReason::ChallengerScore)
                } else {
                    match codes.get(row).copied() {
                        None | Some(MISSING_CODE) => Some(ExclusionReason::MissingLabel),
                        Some(code) => match map.of_code.get(code as usize).copied().flatten() {
                            Some(y) => {
                                prepared.scores.push(p);
                                prepared.labels.push(y);
                                prepared.rows.push(row as u32);
                                None
                            }
                            None => Some(ExclusionReason::InvalidLabel),
                        },
                    }
                }
            };
            if let Some(reason) = reason {
                *prepared.excluded.entry(reason).or_insert(0) += 1;
                let lines = prepared.examples.entry(reason).or_default();
                if lines.len() < EXAMPLES {
                    lines.push(table.line_of_row(row));
                }
            }
        }
        start = end;
    }
    if prepared.scores.is_empty() {
        return Err(PlumbError::NoUsableRows {
            rows: rows_total,
            excluded: prepared.excluded,
        });
    }
    Ok(prepared)
}

/// Rows per block of [`prepare`]'s loop.
const BLOCK: usize = 256;

/// [`prepare`]'s shortcut for blocks of rows that are all used: a block of an untransformed
/// score column with no missing cell and no challenger, whose scores are all in [0, 1] and
/// whose labels all map to 0 or 1, has no row excluded, and each row's (score, label) is its
/// number and its label's 0/1 — what the row-by-row checks would find, row for row, without
/// them. (A missing score cell is counted in `missing_count`; a non-numeric cell's number is
/// NaN, not in [0, 1]; an identity transform returns the number itself.)
///
/// Why: the checks cost about 80 instructions a row (1M rows: 8 % of the first pass); a
/// block's check is a few a row and its scores are one copy.
struct BlockCopy<'a> {
    /// The score column's numbers.
    numbers: &'a [f64],
    codes: &'a [u16],
    /// Per label code: its 0/1, or 2 for an invalid class.
    label_of: Vec<u8>,
}

impl<'a> BlockCopy<'a> {
    fn new(
        score: &'a crate::core::ingest::Column,
        challengers: &[(&crate::core::ingest::Column, ScoreTransform)],
        codes: &'a [u16],
        map: &super::classes::LabelMap,
        transform: ScoreTransform,
    ) -> Option<Self> {
        let numbers = score.numeric();
        let copyable = transform == ScoreTransform::Identity
            && challengers.is_empty()
            && score.missing_count() == 0
            && numbers.len() == score.len()
            && codes.len() >= score.len();
        copyable.then(|| Self {
            numbers,
            codes,
            // `MISSING_CODE` and beyond: no class (`get` gives none, read as 2).
            label_of: map
                .of_code
                .iter()
                .take(usize::from(MISSING_CODE))
                .map(|y| y.unwrap_or(2))
                .collect(),
        })
    }

    /// The block's scores, its labels written to `labels`, if every row of `rows` (at most
    /// [`BLOCK`]) is used.
    fn usable_block(
        &self,
        rows: std::ops::Range<usize>,
        labels: &mut [u8; BLOCK],
    ) -> Option<&'a [f64]> {
        let numbers = self.numbers.get(rows.clone())?;
        let codes = self.codes.get(rows)?;
        let in_range = numbers
            .iter()
            .fold(true, |ok, x| ok & (0.0..=1.0).contains(x));
        let mut labelled = true;
        for (y, &code) in labels.iter_mut().zip(codes) {
            *y = self.label_of.get(usize::from(code)).copied().unwrap_or(2);
            labelled &= *y <= 1;
        }
        (in_range && labelled).then_some(numbers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ingest::read_table;

    fn mapping(transform: ScoreTransform, positive: Option<&str>) -> ColumnMapping {
        ColumnMapping {
            score: Some("s".into()),
            label: Some("y".into()),
            score_transform: transform,
            positive_label: positive.map(str::to_string),
            ..ColumnMapping::default()
        }
    }

    #[test]
    fn logistic_is_stable() {
        assert_eq!(logistic(0.0), 0.5);
        assert_eq!(logistic(800.0), 1.0);
        assert_eq!(logistic(-800.0), 0.0);
        assert!((logistic(-745.0) - 5e-324).abs() < 1e-323);
        assert!((logistic(2.0) - 0.880_797_077_977_882_3).abs() < 1e-15);
        assert!((logistic(-2.0) + logistic(2.0) - 1.0).abs() < 1e-15);
        assert_eq!(logistic(f64::INFINITY), 1.0);
        assert_eq!(logistic(f64::NEG_INFINITY), 0.0);
    }

    #[test]
    fn every_reason_is_counted_once() {
        let t =
            read_table(b"s,y\n0.5,1\n,1\nabc,0\n1.5,0\ninf,1\n0.2,\n0.3,2\n0.4,0\n0.1,0,extra\n")
                .unwrap();
        let p = prepare(&t, &mapping(ScoreTransform::Identity, Some("1"))).unwrap();
        assert_eq!(p.scores, vec![0.5, 0.4]);
        assert_eq!(p.labels, vec![1, 0]);
        assert_eq!(p.rows, vec![0, 7]);
        assert_eq!(p.rows_total, 9);
        let e = |r| p.excluded.get(&r).copied();
        assert_eq!(e(ExclusionReason::MissingScore), Some(1));
        assert_eq!(e(ExclusionReason::NonNumericScore), Some(1));
        assert_eq!(e(ExclusionReason::ScoreOutOfRange), Some(2));
        assert_eq!(e(ExclusionReason::MissingLabel), Some(1));
        assert_eq!(e(ExclusionReason::InvalidLabel), Some(1));
        assert_eq!(e(ExclusionReason::RaggedRow), Some(1));
        assert_eq!(p.examples[&ExclusionReason::ScoreOutOfRange], vec![5, 6]);
        assert_eq!(p.examples[&ExclusionReason::RaggedRow], vec![10]);
        assert_eq!(p.rows_excluded(), 7);
        assert_eq!(p.excluded_by_key()["score_out_of_range"], 2);
        let s = p.exclusion_summary();
        assert!(s.starts_with("Used 2 of 9 data rows. Excluded 7: "), "{s}");
        assert!(s.contains("2 score outside [0, 1] (lines 5, 6)"), "{s}");
        assert!(s.contains("1 wrong number of fields (line 10)"), "{s}");
    }

    #[test]
    fn transforms_apply_before_the_range_check() {
        let t = read_table(b"s,y\n50,1\n150,0\n-3,0\n").unwrap();
        let p = prepare(&t, &mapping(ScoreTransform::Percent, None)).unwrap();
        assert_eq!(p.scores, vec![0.5]);
        assert_eq!(p.excluded[&ExclusionReason::ScoreOutOfRange], 2);
        let p = prepare(&t, &mapping(ScoreTransform::Logit, None)).unwrap();
        assert_eq!(p.rows_used(), 3);
        assert_eq!(p.scores[2], logistic(-3.0));
    }

    #[test]
    fn errors_name_the_problem() {
        let t = read_table(b"s,y\n0.5,1\n").unwrap();
        let mut m = mapping(ScoreTransform::Identity, None);
        m.score = None;
        assert_eq!(
            prepare(&t, &m),
            Err(PlumbError::MissingRole {
                role: "score".into()
            })
        );
        m.score = Some("prob".into());
        let err = prepare(&t, &m).unwrap_err();
        assert!(err.to_string().contains("\"prob\""), "{err}");
        let t = read_table(b"s,y\n").unwrap();
        assert_eq!(
            prepare(&t, &mapping(ScoreTransform::Identity, None)),
            Err(PlumbError::NoDataRows)
        );
        let t = read_table(b"s,y\nx,1\n,0\n").unwrap();
        let err = prepare(&t, &mapping(ScoreTransform::Identity, None)).unwrap_err();
        assert!(
            matches!(err, PlumbError::NoUsableRows { rows: 2, .. }),
            "{err:?}"
        );
    }

    fn score_bits(p: &Result<Prepared, PlumbError>) -> Vec<u64> {
        p.as_ref()
            .map(|p| p.scores.iter().map(|x| x.to_bits()).collect())
            .unwrap_or_default()
    }

    proptest::proptest! {
        /// Copying blocks of usable rows gives exactly what checking every row gives: the same
        /// rows, scores (bit for bit), labels, exclusion counts and example lines, on logs of
        /// several blocks with mostly usable rows and now and then a missing, non-numeric or
        /// out-of-range score, a missing or third-class label, a ragged row.
        #[test]
        fn block_copies_are_the_row_checks(
            rows in proptest::collection::vec(
                (
                    proptest::sample::select(vec!["0.5", "0.25", "1", "0", "-0", "0.123456", "1e-3"]),
                    proptest::sample::select(vec!["0", "1"]),
                ),
                0..1200,
            ),
            bad in proptest::collection::vec(
                (
                    0usize..1200,
                    proptest::sample::select(vec![
                        ("", "1"), ("abc", "0"), ("1.5", "1"), ("-0.1", "0"), ("NA", "1"),
                        ("inf", "0"), ("0.5", ""), ("0.5", "2"), ("0.5", "1,extra"),
                    ]),
                ),
                0..4,
            ),
            percent in proptest::bool::ANY,
        ) {
            let mut rows = rows;
            for &(at, cells) in &bad {
                if let Some(row) = rows.get_mut(at) {
                    *row = cells;
                }
            }
            let mut text = String::from("s,y\n");
            for (score, label) in &rows {
                text.push_str(&format!("{score},{label}\n"));
            }
            let t = read_table(text.as_bytes()).unwrap();
            let transform = if percent { ScoreTransform::Percent } else { ScoreTransform::Identity };
            let m = mapping(transform, Some("1"));
            let (fast, slow) = (prepare_with(&t, &m, true), prepare_with(&t, &m, false));
            proptest::prop_assert_eq!(score_bits(&fast), score_bits(&slow));
            proptest::prop_assert_eq!(fast, slow);
        }
    }

    #[test]
    fn a_clean_log_is_copied_in_blocks_and_a_bad_row_still_counted() {
        let mut text = String::from("s,y\n");
        for row in 0..1000 {
            let score = if row == 700 {
                "1.5".to_string()
            } else {
                format!("0.{row:03}")
            };
            text.push_str(&format!("{score},{}\n", row % 2));
        }
        let t = read_table(text.as_bytes()).unwrap();
        let m = mapping(ScoreTransform::Identity, Some("1"));
        let p = prepare(&t, &m).unwrap();
        assert_eq!(Ok(&p), prepare_with(&t, &m, false).as_ref());
        assert_eq!(p.rows_used(), 999);
        assert_eq!(p.excluded[&ExclusionReason::ScoreOutOfRange], 1);
        assert_eq!(p.examples[&ExclusionReason::ScoreOutOfRange], vec![702]);
        assert_eq!(p.scores[699..701], [0.699, 0.701]);
        assert_eq!(p.rows[699..701], [699, 701]);
        assert_eq!(p.labels[..3], [0, 1, 0]);
    }
}
