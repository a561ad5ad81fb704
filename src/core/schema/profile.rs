//! A per-column summary for the column-mapping screen, and reading times from columns.
//!
//! Epoch times are plain numbers, so they are recognised by a heuristic: the column's name
//! mentions a time (`time`, `date`, `ts`, `created`, `*_at`, ...) and every value is a number
//! between 3·10⁸ and 4.2·10⁹ (seconds, 1979–2103) or between 3·10¹¹ and 4.2·10¹² (milliseconds,
//! divided by 1000).

use super::detect::detect_mapping;
use super::names::Name;
use crate::core::ingest::{Column, ColumnKind, Table};
use crate::core::report::ColumnMapping;
use serde::{Deserialize, Serialize};

/// The role a column plays in the analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The predicted score.
    Score,
    /// The observed outcome.
    Label,
    /// Prediction time.
    Timestamp,
    /// Model version.
    ModelVersion,
    /// Row identifier.
    Id,
    /// The decision taken.
    Decision,
    /// A grouping of rows for per-group metrics.
    Segment,
    /// A model input, monitored for drift.
    Feature,
    /// Not used.
    Unused,
}

/// What the column-mapping screen shows about one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnProfile {
    /// Column name.
    pub name: String,
    /// What the column holds.
    pub kind: ColumnKind,
    /// Missing cells.
    pub missing: u64,
    /// Cells that are neither missing nor numbers.
    pub non_numeric: u64,
    /// Distinct non-missing values, or `None` if more than the dictionary cap (4096).
    pub distinct: Option<u64>,
    /// Smallest finite value (numeric columns) or earliest time in epoch seconds (timestamps).
    pub min: Option<f64>,
    /// Largest finite value, or latest time in epoch seconds.
    pub max: Option<f64>,
    /// Up to five distinct example values, in order of first appearance.
    pub examples: Vec<String>,
    /// The role given by [`detect_mapping`].
    pub role: Role,
}

/// The role `name` has in `mapping` (`Unused` if none).
pub fn role_of(mapping: &ColumnMapping, name: &str) -> Role {
    let is = |o: &Option<String>| o.as_deref() == Some(name);
    if is(&mapping.score) {
        Role::Score
    } else if is(&mapping.label) {
        Role::Label
    } else if is(&mapping.timestamp) {
        Role::Timestamp
    } else if is(&mapping.model_version) {
        Role::ModelVersion
    } else if is(&mapping.id) {
        Role::Id
    } else if is(&mapping.decision) {
        Role::Decision
    } else if mapping.segments.iter().any(|s| s == name) {
        Role::Segment
    } else if mapping.features.iter().any(|s| s == name) {
        Role::Feature
    } else {
        Role::Unused
    }
}

/// Smallest and largest finite value of `values`, if any.
pub(crate) fn finite_range(values: &[f64]) -> Option<(f64, f64)> {
    values
        .iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, &v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// Summaries of every column, with the roles [`detect_mapping`] gives them.
pub fn profile(table: &Table) -> Vec<ColumnProfile> {
    let mapping = detect_mapping(table);
    table
        .columns
        .iter()
        .map(|c| {
            let kind = c.kind();
            let range = match kind {
                ColumnKind::Numeric => finite_range(c.numeric()),
                ColumnKind::Timestamp => c.timestamps().and_then(finite_range),
                _ => None,
            };
            ColumnProfile {
                name: c.name.clone(),
                kind,
                missing: c.missing_count(),
                non_numeric: c.non_numeric_count(),
                distinct: c.distinct_count().map(|d| d as u64),
                min: range.map(|r| r.0),
                max: range.map(|r| r.1),
                examples: c.examples().to_vec(),
                role: role_of(&mapping, &c.name),
            }
        })
        .collect()
}

/// Epoch times in a numeric column, in seconds (NaN where missing), by the heuristic in the
/// module documentation; `None` if the column does not look like one.
pub fn epoch_seconds(column: &Column) -> Option<Vec<f64>> {
    if !Name::new(&column.name).is_time()
        || column.kind() != ColumnKind::Numeric
        || column.non_numeric_count() > 0
        || column.numeric().iter().any(|v| v.is_infinite())
    {
        return None;
    }
    let (lo, hi) = finite_range(column.numeric())?;
    let scale = if (3e8..=4.2e9).contains(&lo) && (3e8..=4.2e9).contains(&hi) {
        1.0
    } else if (3e11..=4.2e12).contains(&lo) && (3e11..=4.2e12).contains(&hi) {
        1e-3
    } else {
        return None;
    };
    Some(column.numeric().iter().map(|v| v * scale).collect())
}

/// Times of a column in epoch seconds (NaN where missing): ISO 8601 text, or epoch numbers by
/// [`epoch_seconds`].
pub fn column_times(column: &Column) -> Option<Vec<f64>> {
    if column.kind() == ColumnKind::Timestamp {
        column.timestamps().map(<[f64]>::to_vec)
    } else {
        epoch_seconds(column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ingest::read_table;

    #[test]
    fn epoch_heuristic() {
        let t = read_table(
            b"created_at,ts_ms,value,time\n1767225600,1767225600000,1767225600,5\n\
              1767225660,,1767225660,6\n",
        )
        .unwrap();
        assert_eq!(
            epoch_seconds(&t.columns[0]),
            Some(vec![1_767_225_600.0, 1_767_225_660.0])
        );
        let ms = epoch_seconds(&t.columns[1]).unwrap();
        assert_eq!(ms[0], 1_767_225_600.0);
        assert!(ms[1].is_nan());
        // Right values but a name that says nothing about time.
        assert_eq!(epoch_seconds(&t.columns[2]), None);
        // A time-like name but values that are not epoch times.
        assert_eq!(epoch_seconds(&t.columns[3]), None);
        assert_eq!(column_times(&t.columns[2]), None);
    }

    #[test]
    fn iso_columns_are_times() {
        let t = read_table(b"when,x\n2026-01-01,1\n2026-01-02,2\n").unwrap();
        assert_eq!(
            column_times(&t.columns[0]),
            Some(vec![1_767_225_600.0, 1_767_312_000.0])
        );
    }

    #[test]
    fn profile_summarises_columns() {
        let t = read_table(b"score,label,note\n0.2,1,a\n0.9,0,\n0.4,1,b\n").unwrap();
        let p = profile(&t);
        assert_eq!(p[0].role, Role::Score);
        assert_eq!((p[0].min, p[0].max), (Some(0.2), Some(0.9)));
        assert_eq!(p[1].role, Role::Label);
        assert_eq!(p[1].distinct, Some(2));
        assert_eq!(p[2].kind, ColumnKind::Categorical);
        assert_eq!(p[2].missing, 1);
        assert_eq!(p[2].examples, vec!["a", "b"]);
        assert_eq!(p[2].min, None);
    }
}
