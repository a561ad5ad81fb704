//! The one error type of the core: [`PlumbError`].
//!
//! Every variant carries what a person needs to find and fix the problem: the 1-based line (as a
//! text editor shows it; the header is line 1), the 0-based byte offset into the uncompressed text,
//! the column name, and its `Display` text says in plain words what was wrong and what to do.
//! `Display` is already meant for people; [`PlumbError::user_message`] returns the same text so
//! callers do not depend on formatting traits. [`PlumbError::kind`] sorts it into an
//! [`ErrorKind`], which travels with the words, so the page never reads the words to decide
//! what to do.

use crate::core::report::ExclusionReason;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// What sort of failure an error is: sent with its words (the worker's failure message), so the
/// page chooses a heading from it instead of matching text in the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The file needs more memory than a browser tab can give ([`PlumbError::TooLarge`]).
    TooLarge,
    /// The bytes are not a readable log: empty, no rows, malformed, not UTF-8, binary, damaged
    /// gzip, Parquet or Arrow, or a summary file with a bad value.
    MalformedInput,
    /// A column or role the analysis needs is not there.
    MissingColumn,
    /// The rows are readable but cannot be analysed as they are: none usable, too few, a value
    /// out of range, too many classes, inputs of different lengths.
    UnusableData,
    /// A setting has a value that cannot be used.
    InvalidSetting,
    /// A download of the analysis could not be made (set by the page, not by the core).
    Export,
    /// Anything else: the browser, the worker, the messages between them, the order of steps.
    #[default]
    Other,
}

impl ErrorKind {
    /// The heading of the page's failure panel for this kind of failure (the words below it
    /// are the message itself, which names the file, row and column).
    pub fn heading(self) -> &'static str {
        match self {
            Self::TooLarge => "This file is too large for a browser tab",
            Self::Export => "The export failed",
            Self::MalformedInput
            | Self::MissingColumn
            | Self::UnusableData
            | Self::InvalidSetting
            | Self::Other => "Plumb could not use this file",
        }
    }
}

/// Everything that can go wrong in the core, from reading bytes to computing a statistic.
#[derive(Debug, Clone, PartialEq)]
pub enum PlumbError {
    /// The input has no bytes at all (or only blank lines).
    Empty,
    /// The file has a header line but no data rows.
    NoDataRows,
    /// The delimited text could not be read at a position.
    Parse {
        /// 1-based line where the problem starts.
        line: u64,
        /// 0-based byte offset into the uncompressed text where the problem starts.
        byte: u64,
        /// What is wrong and what to do, in plain words.
        message: String,
    },
    /// The text is not UTF-8 (or ASCII) text, e.g. UTF-16 saved by Excel or Notepad.
    Encoding {
        /// The encoding that was recognised, e.g. `UTF-16LE`.
        encoding: String,
        /// How it was recognised.
        detail: String,
    },
    /// The bytes are not text at all (a spreadsheet, an archive, an image, ...).
    Binary {
        /// What the bytes look like, e.g. `an Excel workbook (.xlsx)`, or `binary data`.
        what: String,
        /// 0-based byte offset of the evidence (a NUL byte, or 0 for a file signature).
        byte: u64,
    },
    /// The file would need more memory than the browser tab can give (see
    /// [`crate::core::stream::MemoryProjection`]); found after its first chunk, before the
    /// tab runs out.
    TooLarge {
        /// Rows the file is projected to hold (from its size and the rows of its first bytes).
        rows: u64,
        /// Projected bytes: the loaded columns plus the analysis's working set.
        projected_bytes: u64,
        /// The limit the projection exceeds.
        limit_bytes: u64,
    },
    /// The gzip stream is corrupt or truncated.
    Gzip {
        /// What the decompressor reported, in plain words.
        message: String,
    },
    /// A Parquet or Arrow IPC file is corrupt, truncated or uses a feature Plumb cannot read.
    Columnar {
        /// `Parquet` or `Arrow IPC`.
        format: String,
        /// Where: `the footer`, `row group 2, column "score"`, `record batch 3`, ...
        location: String,
        /// What the reader reported, in plain words.
        message: String,
    },
    /// A column name was asked for that the header does not have.
    UnknownColumn {
        /// The name asked for.
        name: String,
        /// The names the header has, in order.
        available: Vec<String>,
    },
    /// A role the analysis needs (score, label) has not been assigned to a column.
    MissingRole {
        /// The role, e.g. `score`.
        role: String,
    },
    /// Every data row was excluded, so nothing is left to analyse.
    NoUsableRows {
        /// Data rows in the file (ragged rows included).
        rows: u64,
        /// Rows excluded, by reason.
        excluded: BTreeMap<ExclusionReason, u64>,
    },
    /// Two inputs that must have the same length do not.
    LengthMismatch {
        /// Name of the first input, e.g. `scores`.
        left: String,
        /// Its length.
        left_len: u64,
        /// Name of the second input, e.g. `labels`.
        right: String,
        /// Its length.
        right_len: u64,
    },
    /// A setting (threshold, bins, positive class, ...) has a value that cannot be used.
    InvalidSetting {
        /// The setting's name, e.g. `bins`.
        setting: String,
        /// The value given, as text.
        value: String,
        /// What would be accepted.
        expected: String,
    },
    /// A value inside the data cannot be used by a computation (e.g. a score of 1.5 given to a
    /// metric that needs probabilities).
    InvalidValue {
        /// What the value is, e.g. `score`.
        what: String,
        /// 0-based position in the input slice.
        index: u64,
        /// The value, as text.
        value: String,
        /// What would be accepted.
        expected: String,
    },
    /// Fewer data than a computation needs.
    NotEnoughData {
        /// What is counted, e.g. `rows` or `positive rows`.
        what: String,
        /// How many are needed.
        needed: u64,
        /// How many there are.
        found: u64,
    },
    /// A summary file (`docs/summary-input.md`) has a value that cannot be read.
    Summary {
        /// 1-based editor line (the header is line 1).
        line: u64,
        /// The column (empty when the whole line is wrong).
        column: String,
        /// What is wrong, in plain words.
        message: String,
    },
    /// A column has too many distinct values to be used as classes (label or decision).
    TooManyClasses {
        /// The column.
        column: String,
        /// The cap that was exceeded.
        limit: u64,
    },
}

impl PlumbError {
    /// The message to show a person: what was wrong, where, and what to do.
    pub fn user_message(&self) -> String {
        self.to_string()
    }

    /// What sort of failure this is, for callers that must act on it without reading the words.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::TooLarge { .. } => ErrorKind::TooLarge,
            Self::Empty
            | Self::NoDataRows
            | Self::Parse { .. }
            | Self::Encoding { .. }
            | Self::Binary { .. }
            | Self::Gzip { .. }
            | Self::Columnar { .. }
            | Self::Summary { .. } => ErrorKind::MalformedInput,
            Self::UnknownColumn { .. } | Self::MissingRole { .. } => ErrorKind::MissingColumn,
            Self::NoUsableRows { .. }
            | Self::LengthMismatch { .. }
            | Self::InvalidValue { .. }
            | Self::NotEnoughData { .. }
            | Self::TooManyClasses { .. } => ErrorKind::UnusableData,
            Self::InvalidSetting { .. } => ErrorKind::InvalidSetting,
        }
    }

    /// The 1-based line the error points at, if it points at one.
    pub fn line(&self) -> Option<u64> {
        match self {
            Self::Parse { line, .. } | Self::Summary { line, .. } => Some(*line),
            _ => None,
        }
    }
}

/// Bytes in GiB from 1 GiB up (`3.0 GiB`), in MB below (`12.5 MB`), one decimal.
fn gib(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
    } else {
        format!("{:.1} MB", bytes as f64 / 1e6)
    }
}

/// `a, b and c` for a short list of names.
fn list(names: &[String]) -> String {
    const SHOWN: usize = 20;
    let shown: Vec<&str> = names.iter().take(SHOWN).map(String::as_str).collect();
    let mut text = shown.join(", ");
    if names.len() > SHOWN {
        text.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    text
}

impl fmt::Display for PlumbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(
                f,
                "The file is empty: it has no header line and no rows. Choose a CSV file whose \
                 first line names the columns."
            ),
            Self::NoDataRows => write!(
                f,
                "The file has a header line but no data rows. Add rows below the header, or \
                 choose another file."
            ),
            Self::Parse {
                line,
                byte,
                message,
            } => write!(f, "Line {line} (byte {byte}): {message}"),
            Self::Encoding { encoding, detail } => write!(
                f,
                "The file is {encoding} text ({detail}); Plumb reads UTF-8 only. Re-save it as \
                 \"CSV UTF-8\" (in Excel: File > Save As > CSV UTF-8) and load it again."
            ),
            Self::Binary { what, byte } => write!(
                f,
                "This is {what}, not CSV text (found at byte {byte}). Export or save the data as \
                 a CSV file (optionally gzip-compressed as .csv.gz) and load that."
            ),
            Self::TooLarge {
                rows,
                projected_bytes,
                limit_bytes,
            } => write!(
                f,
                "This file is too large to analyse in a browser tab: its {} rows (projected from \
                 its size) need about {} of memory, more than the {} limit Plumb keeps (a tab \
                 has at most 4 GiB). Load a summary file instead (per-bucket counts made where \
                 the data lives; see README \"Summary input\"), or a sample of the rows.",
                crate::core::catalog::group_thousands(i64::try_from(*rows).unwrap_or(i64::MAX)),
                gib(*projected_bytes),
                gib(*limit_bytes)
            ),
            Self::Gzip { message } => write!(
                f,
                "The gzip file could not be decompressed: {message}. The file may be truncated or \
                 damaged: download or compress it again."
            ),
            Self::Columnar {
                format,
                location,
                message,
            } => write!(
                f,
                "The {format} file could not be read ({location}): {message}. The file may be \
                 truncated or damaged: export it again, or save the data as CSV and load that."
            ),
            Self::UnknownColumn { name, available } => write!(
                f,
                "There is no column named \"{name}\". The columns are: {}.",
                list(available)
            ),
            Self::MissingRole { role } => write!(
                f,
                "No column is chosen as the {role}. Pick the {role} column in the column mapping."
            ),
            Self::NoUsableRows { rows, excluded } => {
                write!(f, "None of the {rows} data rows can be used: ")?;
                let parts: Vec<String> = excluded
                    .iter()
                    .filter(|(_, n)| **n > 0)
                    .map(|(reason, n)| format!("{n} {}", reason.describe()))
                    .collect();
                write!(
                    f,
                    "{}. Check that the score and label columns are mapped correctly.",
                    parts.join(", ")
                )
            }
            Self::LengthMismatch {
                left,
                left_len,
                right,
                right_len,
            } => write!(
                f,
                "{left} and {right} must have the same length, but there are {left_len} {left} \
                 and {right_len} {right}."
            ),
            Self::InvalidSetting {
                setting,
                value,
                expected,
            } => write!(
                f,
                "The setting {setting} = \"{value}\" cannot be used: {expected}."
            ),
            Self::Summary {
                line,
                column,
                message,
            } => {
                if column.is_empty() {
                    write!(f, "Summary file, line {line}: {message}.")
                } else {
                    write!(f, "Summary file, line {line}, column {column}: {message}.")
                }
            }
            Self::InvalidValue {
                what,
                index,
                value,
                expected,
            } => write!(
                f,
                "The {what} at position {index} is {value}, but {expected}."
            ),
            Self::NotEnoughData {
                what,
                needed,
                found,
            } => write!(
                f,
                "Not enough data: this needs at least {needed} {what}, but there are {found}."
            ),
            Self::TooManyClasses { column, limit } => write!(
                f,
                "The column \"{column}\" has more than {limit} distinct values, so it cannot be \
                 a label or decision column. Choose a column with two classes."
            ),
        }
    }
}

impl std::error::Error for PlumbError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_error_names_line_and_byte() {
        let e = PlumbError::Parse {
            line: 12,
            byte: 340,
            message: "a quoted field is never closed".into(),
        };
        let text = e.user_message();
        assert!(text.contains("Line 12"), "{text}");
        assert!(text.contains("byte 340"), "{text}");
        assert_eq!(e.line(), Some(12));
        assert_eq!(PlumbError::Empty.line(), None);
    }

    #[test]
    fn unknown_column_lists_available_names() {
        let e = PlumbError::UnknownColumn {
            name: "scor".into(),
            available: vec!["score".into(), "label".into()],
        };
        assert_eq!(
            e.to_string(),
            "There is no column named \"scor\". The columns are: score, label."
        );
    }

    #[test]
    fn long_column_lists_are_shortened() {
        let names: Vec<String> = (0..25).map(|i| format!("c{i}")).collect();
        let text = list(&names);
        assert!(text.ends_with("c19 and 5 more"), "{text}");
    }

    #[test]
    fn no_usable_rows_counts_each_reason() {
        let mut excluded = BTreeMap::new();
        excluded.insert(ExclusionReason::MissingScore, 3);
        excluded.insert(ExclusionReason::InvalidLabel, 2);
        excluded.insert(ExclusionReason::RaggedRow, 0);
        let text = PlumbError::NoUsableRows { rows: 5, excluded }.to_string();
        assert!(text.contains("None of the 5 data rows"), "{text}");
        assert!(text.contains("3 score missing"), "{text}");
        assert!(
            text.contains("2 label not one of the two classes"),
            "{text}"
        );
        assert!(!text.contains("wrong number of fields"), "{text}");
    }

    #[test]
    fn the_heading_follows_the_kind_not_the_words() {
        let too_large = PlumbError::TooLarge {
            rows: 10_000_000,
            projected_bytes: 5 << 30,
            limit_bytes: 3 << 30,
        };
        assert_eq!(too_large.kind(), ErrorKind::TooLarge);
        assert_eq!(
            too_large.kind().heading(),
            "This file is too large for a browser tab"
        );
        assert_eq!(ErrorKind::Export.heading(), "The export failed");
        // A message that merely quotes the old trigger words is not a refusal for size.
        let quoted = PlumbError::UnknownColumn {
            name: "too large to analyse".into(),
            available: vec!["score".into()],
        };
        assert_eq!(quoted.kind(), ErrorKind::MissingColumn);
        assert_eq!(quoted.kind().heading(), "Plumb could not use this file");
        for (error, kind) in [
            (PlumbError::Empty, ErrorKind::MalformedInput),
            (
                PlumbError::Gzip {
                    message: "truncated".into(),
                },
                ErrorKind::MalformedInput,
            ),
            (
                PlumbError::MissingRole {
                    role: "score".into(),
                },
                ErrorKind::MissingColumn,
            ),
            (
                PlumbError::NotEnoughData {
                    what: "rows".into(),
                    needed: 2,
                    found: 1,
                },
                ErrorKind::UnusableData,
            ),
            (
                PlumbError::InvalidSetting {
                    setting: "bins".into(),
                    value: "0".into(),
                    expected: "a whole number from 2".into(),
                },
                ErrorKind::InvalidSetting,
            ),
        ] {
            assert_eq!(error.kind(), kind, "{error}");
            assert_eq!(kind.heading(), "Plumb could not use this file");
        }
        assert_eq!(ErrorKind::default(), ErrorKind::Other);
        assert_eq!(ErrorKind::Other.heading(), "Plumb could not use this file");
    }

    #[test]
    fn the_kind_travels_as_a_snake_case_word() {
        let text = serde_json::to_string(&ErrorKind::TooLarge).unwrap();
        assert_eq!(text, "\"too_large\"");
        let back: ErrorKind = serde_json::from_str("\"malformed_input\"").unwrap();
        assert_eq!(back, ErrorKind::MalformedInput);
    }

    #[test]
    fn errors_are_std_errors() {
        fn takes(_: &dyn std::error::Error) {}
        takes(&PlumbError::NoDataRows);
    }
}
