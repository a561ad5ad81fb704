//! Class values of label and decision columns, and which class is positive.
//!
//! Cells are compared in a canonical form: numbers by value (`1`, `1.0`, `1.00`, `+1`, `1e0`
//! are one class, written `1`), other text trimmed and lower-cased (`True`, `TRUE`, `true` are
//! one class, written `true`).
//!
//! The positive class, unless the user chooses one, is the first present of `1`, `true`,
//! `yes`, `y`, `t`, `positive`, `pos`; a lone class that is the negative of one of these (`0`,
//! `false`, `no`, `n`, `f`, `negative`, `neg`) makes its counterpart positive; otherwise, with
//! exactly two classes, the minority class (on a tie, the later one in sorted order) — the
//! usual convention that the rarer outcome (fraud, churn, default) is the one being predicted.

use crate::core::error::PlumbError;
use crate::core::ingest::{Column, MISSING_CODE, Table, parse_number};

/// Positive words, in order of preference.
const POSITIVE: [&str; 7] = ["1", "true", "yes", "y", "t", "positive", "pos"];

/// Negative words, paired with `POSITIVE` by position.
const NEGATIVE: [&str; 7] = ["0", "false", "no", "n", "f", "negative", "neg"];

/// The canonical form in which class values are compared and shown.
pub fn canonical_class(text: &str) -> String {
    let t = text.trim();
    match parse_number(t.as_bytes()) {
        Some(v) if v.is_finite() => {
            // -0 and 0 are one class.
            let v = if v == 0.0 { 0.0 } else { v };
            format!("{v}")
        }
        _ => t.to_lowercase(),
    }
}

/// The classes of a dictionary-encoded column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Classes {
    /// (canonical value, rows), sorted: numbers by value, then text alphabetically.
    pub values: Vec<(String, u64)>,
    /// Per dictionary code: index into `values`.
    pub of_code: Vec<usize>,
}

impl Classes {
    /// Whether the classes are a recognised binary pair such as 0/1 or false/true.
    pub fn is_boolean_pair(&self) -> bool {
        if self.values.len() != 2 {
            return false;
        }
        let (a, b) = (self.values[0].0.as_str(), self.values[1].0.as_str());
        (a == "-1" && b == "1")
            || POSITIVE
                .iter()
                .zip(NEGATIVE)
                .any(|(p, n)| (a == *p && b == n) || (a == n && b == *p))
    }

    /// Index of the class equal to `value` (compared canonically).
    pub fn index_of(&self, value: &str) -> Option<usize> {
        let c = canonical_class(value);
        self.values.iter().position(|(v, _)| *v == c)
    }

    /// The class names, comma-separated.
    pub fn names(&self) -> String {
        let names: Vec<&str> = self.values.iter().map(|(v, _)| v.as_str()).collect();
        names.join(", ")
    }
}

/// A class text with its sort key: its value when it reads as a number (Rust's `f64` syntax).
type Keyed<'a> = (Option<f64>, &'a str);

/// `text` with its sort key, parsed once (sorting by a comparator that parsed both texts
/// parsed each text ≈ 2 log₂ n times: 48M of the 542M instructions of a 200k-row two-step
/// load, one 4,082-value column's classes, measured with callgrind).
fn keyed(text: &str) -> Keyed<'_> {
    (text.parse::<f64>().ok(), text)
}

/// Sort order of classes: numbers first by value (then by text), then text.
fn keyed_order((x, a): &Keyed<'_>, (y, b): &Keyed<'_>) -> std::cmp::Ordering {
    match (x, y) {
        (Some(x), Some(y)) => x.total_cmp(y).then_with(|| a.cmp(b)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// The classes of `column`, or `None` if it has too many distinct values to keep them.
pub(crate) fn classes_of(column: &Column) -> Option<Classes> {
    let dict = column.dictionary()?;
    let mut rows = vec![0u64; dict.values.len()];
    for &code in &dict.codes {
        if code != MISSING_CODE {
            rows[code as usize] += 1;
        }
    }
    let canon: Vec<String> = dict.values.iter().map(|v| canonical_class(v)).collect();
    let names = sorted_classes(&canon);
    let mut values: Vec<(String, u64)> = names.iter().map(|n| (n.1.to_string(), 0)).collect();
    let mut of_code = Vec::with_capacity(canon.len());
    for (code, c) in canon.iter().enumerate() {
        let c = keyed(c);
        let i = names
            .binary_search_by(|n| keyed_order(n, &c))
            .unwrap_or_default();
        values[i].1 += rows[code];
        of_code.push(i);
    }
    Some(Classes { values, of_code })
}

/// The distinct values of `canon` (canonical class texts) with their keys, sorted as classes
/// are ([`keyed_order`]).
fn sorted_classes(canon: &[String]) -> Vec<Keyed<'_>> {
    let mut names: Vec<Keyed<'_>> = canon.iter().map(|c| keyed(c)).collect();
    names.sort_by(keyed_order);
    names.dedup_by(|a, b| a.1 == b.1);
    names
}

/// The class names of `column`, as [`classes_of`] gives them, without counting the rows of
/// each (a pass over every row that the sidebar's pickers do not need); `None` if it has too
/// many distinct values to keep them.
pub(crate) fn class_names(column: &Column) -> Option<Vec<String>> {
    let dict = column.dictionary()?;
    let canon: Vec<String> = dict.values.iter().map(|v| canonical_class(v)).collect();
    Some(
        sorted_classes(&canon)
            .into_iter()
            .map(|(_, name)| name.to_string())
            .collect(),
    )
}

/// The positive class by the rules in the module documentation, or `None` if they do not
/// decide (no classes, a lone unrecognised class, or more than two unrecognised classes).
pub(crate) fn pick_positive(classes: &Classes) -> Option<String> {
    let has = |v: &str| classes.values.iter().any(|(c, _)| c == v);
    if let Some(p) = POSITIVE.iter().find(|p| has(p)) {
        return Some((*p).to_string());
    }
    match classes.values.as_slice() {
        [(only, _)] => NEGATIVE
            .iter()
            .position(|n| n == only)
            .map(|i| POSITIVE[i].to_string()),
        [(a, na), (b, nb)] => Some(if na < nb { a.clone() } else { b.clone() }),
        _ => None,
    }
}

/// The distinct non-missing values of a column, in canonical form and sorted (numbers by
/// value, then text), for choosing the positive class.
pub fn label_classes(table: &Table, column: &str) -> Result<Vec<String>, PlumbError> {
    let col = table.require_column(column)?;
    class_names(col).ok_or_else(|| too_many(column))
}

/// Per row of `column`: 1 for the positive class, 0 for the negative one, `None` for missing
/// or other values, by the same rules as labels in [`crate::core::schema::prepare()`] — for a
/// decision column, say. Returns the values and the positive class used.
pub fn binary_values(
    table: &Table,
    column: &str,
    positive: Option<&str>,
) -> Result<(Vec<Option<u8>>, String), PlumbError> {
    let col = table.require_column(column)?;
    let map = label_map(col, positive)?;
    let codes = col
        .dictionary()
        .map(|d| d.codes.as_slice())
        .unwrap_or_default();
    let values = codes
        .iter()
        .map(|&code| match code {
            MISSING_CODE => None,
            code => map.of_code.get(code as usize).copied().flatten(),
        })
        .collect();
    Ok((values, map.positive))
}

/// The error for a column with too many values to be a label.
pub(crate) fn too_many(column: &str) -> PlumbError {
    PlumbError::TooManyClasses {
        column: column.to_string(),
        limit: crate::core::ingest::DICTIONARY_CAP as u64,
    }
}

/// How a label column's dictionary codes map to 1 (positive), 0 (negative) or invalid.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LabelMap {
    /// Per dictionary code.
    pub of_code: Vec<Option<u8>>,
    /// The positive class (canonical).
    pub positive: String,
    /// The negative class (canonical), if the column has one.
    pub negative: Option<String>,
}

/// Map `column`'s classes to 0/1 given the chosen positive class (or the detected one).
///
/// Values equal to the positive class are 1; of the other classes, the most frequent (on a tie,
/// the first in sorted order) is 0 and any further ones are invalid.
pub(crate) fn label_map(column: &Column, positive: Option<&str>) -> Result<LabelMap, PlumbError> {
    let classes = classes_of(column).ok_or_else(|| too_many(&column.name))?;
    let positive_index = match positive {
        Some(p) => match classes.index_of(p) {
            Some(i) => Some(i),
            None if classes.values.len() >= 2 => {
                return Err(PlumbError::InvalidSetting {
                    setting: "positive class".to_string(),
                    value: p.to_string(),
                    expected: format!(
                        "it is not a value of the label column \"{}\", whose classes are {}",
                        column.name,
                        classes.names()
                    ),
                });
            }
            None => None,
        },
        None => match pick_positive(&classes) {
            Some(p) => classes.index_of(&p),
            None if classes.values.is_empty() => None,
            None => {
                return Err(PlumbError::InvalidSetting {
                    setting: "positive class".to_string(),
                    value: String::new(),
                    expected: format!(
                        "the label column \"{}\" has the classes {}; choose which one is the \
                         positive class",
                        column.name,
                        classes.names()
                    ),
                });
            }
        },
    };
    let positive_name = match (positive_index, positive) {
        (Some(i), _) => classes.values[i].0.clone(),
        (None, Some(p)) => canonical_class(p),
        (None, None) => POSITIVE[0].to_string(),
    };
    let mut negative_index: Option<usize> = None;
    for (i, (_, rows)) in classes.values.iter().enumerate() {
        if Some(i) == positive_index {
            continue;
        }
        if negative_index.is_none_or(|j| *rows > classes.values[j].1) {
            negative_index = Some(i);
        }
    }
    let of_class: Vec<Option<u8>> = (0..classes.values.len())
        .map(|i| {
            if Some(i) == positive_index {
                Some(1)
            } else if Some(i) == negative_index {
                Some(0)
            } else {
                None
            }
        })
        .collect();
    Ok(LabelMap {
        of_code: classes.of_code.iter().map(|&i| of_class[i]).collect(),
        positive: positive_name,
        negative: negative_index.map(|i| classes.values[i].0.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ingest::read_table;
    use proptest::strategy::Strategy;

    fn col(values: &str) -> Column {
        let text = format!("c\n{}\n", values.replace(' ', "\n"));
        read_table(text.as_bytes()).unwrap().columns.remove(0)
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(canonical_class("1.00"), "1");
        assert_eq!(canonical_class("+1"), "1");
        assert_eq!(canonical_class("1e0"), "1");
        assert_eq!(canonical_class("-0.0"), "0");
        assert_eq!(canonical_class("0.5"), "0.5");
        assert_eq!(canonical_class(" True "), "true");
        assert_eq!(canonical_class("Fraud"), "fraud");
    }

    proptest::proptest! {
        /// The names without the row counts are the names `classes_of` gives.
        #[test]
        fn class_names_are_the_classes_names(
            cells in proptest::collection::vec(
                proptest::sample::select(vec![
                    "1", "1.0", "0", "-0", "+1", "1e0", "NA", "a", "A", " b", "10", "9", "true",
                    "True", "x,y", "",
                ]),
                1..30,
            ),
        ) {
            let text = cells
                .iter()
                .map(|c| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join("\n");
            let table = read_table(format!("c\n{text}\n").as_bytes()).unwrap();
            let column = &table.columns[0];
            let want = classes_of(column).map(|c| c.values.into_iter().map(|(v, _)| v).collect());
            proptest::prop_assert_eq!(class_names(column), want);
        }
    }

    proptest::proptest! {
        /// Sorting with keys parsed once gives the order of the comparator that parses both
        /// texts at each comparison (numbers by value then text, then text), duplicates
        /// removed.
        #[test]
        fn keyed_sort_is_the_comparator_sort(
            texts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(vec![
                        "1", "0", "-0", "10", "9", "1e400", "-1e400", "inf", "-inf", "NaN",
                        "infinity", "a", "b", "true", "", "0.5", "1.5e-3", "-2",
                    ])
                    .prop_map(str::to_string),
                    (-1.0e6f64..1.0e6).prop_map(|v| format!("{v}")),
                    "[a-z0-9.e+-]{0,5}",
                ],
                0..60,
            ),
        ) {
            let order = |a: &&str, b: &&str| match (a.parse::<f64>(), b.parse::<f64>()) {
                (Ok(x), Ok(y)) => x.total_cmp(&y).then_with(|| a.cmp(b)),
                (Ok(_), Err(_)) => std::cmp::Ordering::Less,
                (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
                (Err(_), Err(_)) => a.cmp(b),
            };
            let mut want: Vec<&str> = texts.iter().map(String::as_str).collect();
            want.sort_by(order);
            want.dedup();
            let got: Vec<&str> = sorted_classes(&texts).into_iter().map(|(_, t)| t).collect();
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn classes_merge_equal_values() {
        let c = classes_of(&col("1 1.0 0 0.00 1 NA")).unwrap();
        assert_eq!(c.values, vec![("0".into(), 2), ("1".into(), 3)]);
        assert!(c.is_boolean_pair());
        let c = classes_of(&col("b a 10 9 a")).unwrap();
        assert_eq!(
            c.values,
            vec![
                ("9".into(), 1),
                ("10".into(), 1),
                ("a".into(), 2),
                ("b".into(), 1)
            ]
        );
        assert!(!c.is_boolean_pair());
    }

    #[test]
    fn positive_class_rules() {
        let pick = |v: &str| pick_positive(&classes_of(&col(v)).unwrap());
        assert_eq!(pick("0 1 0"), Some("1".into()));
        assert_eq!(pick("False True"), Some("true".into()));
        assert_eq!(pick("no yes no"), Some("yes".into()));
        assert_eq!(pick("N Y"), Some("y".into()));
        assert_eq!(pick("0 0"), Some("1".into()));
        assert_eq!(pick("no"), Some("yes".into()));
        assert_eq!(pick("legit fraud legit"), Some("fraud".into()));
        assert_eq!(pick("cat dog"), Some("dog".into()));
        assert_eq!(pick("cat"), None);
        assert_eq!(pick("a b c"), None);
    }

    #[test]
    fn label_map_with_chosen_positive() {
        let c = col("spam ham ham eggs spam ham");
        let m = label_map(&c, Some("Spam")).unwrap();
        assert_eq!(m.positive, "spam");
        assert_eq!(m.negative.as_deref(), Some("ham"));
        // Dictionary order: spam, ham, eggs.
        assert_eq!(m.of_code, vec![Some(1), Some(0), None]);
        let err = label_map(&c, Some("bacon")).unwrap_err();
        assert!(err.to_string().contains("eggs, ham, spam"), "{err}");
        let err = label_map(&c, None).unwrap_err();
        assert!(err.to_string().contains("choose which one"), "{err}");
    }

    #[test]
    fn binary_values_of_a_decision_column() {
        let t = read_table(
            b"approved,x
yes,1
no,2
,3
YES,4
maybe,5
no,6
",
        )
        .unwrap();
        let (v, positive) = binary_values(&t, "approved", None).unwrap();
        assert_eq!(positive, "yes");
        assert_eq!(v, vec![Some(1), Some(0), None, Some(1), None, Some(0)]);
        assert!(binary_values(&t, "nope", None).is_err());
    }

    #[test]
    fn label_map_single_class() {
        let m = label_map(&col("0 0 0"), None).unwrap();
        assert_eq!(
            (m.positive.as_str(), m.negative.as_deref()),
            ("1", Some("0"))
        );
        assert_eq!(m.of_code, vec![Some(0)]);
        let m = label_map(&col("fraud"), Some("legit")).unwrap();
        assert_eq!(m.of_code, vec![Some(0)]);
        assert!(label_map(&col("fraud"), None).is_err());
    }
}
