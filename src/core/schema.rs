//! Column roles and the rows that enter the statistics.
//!
//! * [`profile()`] summarises each column (kind, missing and distinct counts, range, examples,
//!   detected role) for the column-mapping screen;
//! * [`detect_mapping`] guesses which column is the score, label, timestamp, model version, id,
//!   decision, segments and features, from names and contents (rules in [`detect`]'s docs);
//! * [`label_classes`] lists a label column's classes for choosing the positive one;
//! * [`prepare()`] turns a table and a mapping into probability/label pairs, counting every
//!   excluded row by reason with its line number.

pub mod classes;
pub mod detect;
mod names;
pub mod prepare;
pub mod profile;

pub use classes::{binary_values, canonical_class, label_classes};
pub use detect::detect_mapping;
pub use prepare::{Prepared, apply_transform, logistic, prepare};
pub use profile::{ColumnProfile, Role, column_times, epoch_seconds, profile, role_of};
