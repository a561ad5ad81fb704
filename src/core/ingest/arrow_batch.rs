//! Arrow arrays to typed columns: the last step shared by the Parquet and Arrow IPC readers.
//!
//! Each supported Arrow type lands in the same [`Column`](super::Column) kinds the CSV path
//! yields, so everything downstream is unchanged:
//!
//! | Arrow type | pushed as |
//! |---|---|
//! | `Int*`, `UInt*`, `Float*` | a number (`value as f64`, the correctly rounded conversion; NaN is missing) |
//! | `Decimal32/64/128/256` | its exact decimal text, parsed like a CSV cell (correctly rounded) |
//! | `Boolean` | the number 0 or 1 (so a boolean label reads as the classes `0` / `1`) |
//! | `Timestamp(unit, tz)` | ISO 8601 text `YYYY-MM-DDTHH:MM:SS[.f…]Z` of the UTC instant (Arrow stores UTC whatever the zone), parsed like a CSV cell, so the column is a timestamp column in epoch seconds |
//! | `Date32` / `Date64` | `YYYY-MM-DD` / the ISO date-time of the milliseconds |
//! | `Utf8`, `LargeUtf8`, `Utf8View` | the text, exactly as a CSV cell (numbers, ISO dates and missing markers are recognised the same way) |
//! | `Dictionary(_, V)` | the value of each key, as `V` above |
//! | `Null` | missing |
//! | nulls of any type | missing |
//!
//! Anything else (lists, structs, maps, unions, binary, times of day, durations, intervals) is
//! reported per column by [`unsupported`] and the column is left out with a warning.
//!
//! Days to civil dates use Howard Hinnant's `civil_from_days`
//! (<https://howardhinnant.github.io/date_algorithms.html>), the inverse of the
//! `days_from_civil` the ISO parser uses.

use super::column::ColumnBuilder;
use super::{Column, Table, unique_names};
use crate::core::report::{Dialect, InputFormat};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Float16Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type,
    Int64Type, TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, BooleanArray};
use arrow_schema::{DataType, TimeUnit};
use std::fmt::Write;

/// Why a column of type `dt` cannot be read, or `None` if it can.
pub(crate) fn unsupported(dt: &DataType) -> Option<String> {
    use DataType as D;
    match dt {
        D::Null
        | D::Boolean
        | D::Int8
        | D::Int16
        | D::Int32
        | D::Int64
        | D::UInt8
        | D::UInt16
        | D::UInt32
        | D::UInt64
        | D::Float16
        | D::Float32
        | D::Float64
        | D::Decimal32(..)
        | D::Decimal64(..)
        | D::Decimal128(..)
        | D::Decimal256(..)
        | D::Timestamp(..)
        | D::Date32
        | D::Date64
        | D::Utf8
        | D::LargeUtf8
        | D::Utf8View => None,
        D::Dictionary(_, values) => unsupported(values).map(|why| format!("a dictionary of {why}")),
        D::List(_)
        | D::LargeList(_)
        | D::ListView(_)
        | D::LargeListView(_)
        | D::FixedSizeList(..) => Some(format!("a nested list ({dt})")),
        D::Struct(_) => Some(format!("a nested struct ({dt})")),
        D::Map(..) => Some(format!("a map ({dt})")),
        other => Some(format!("the type {other}")),
    }
}

/// The warning for a column left out because of its type.
pub(crate) fn skipped_warning(name: &str, why: &str) -> String {
    format!(
        "Column \"{name}\" is {why}, which Plumb does not read; it was left out. Flatten it \
         into plain number, text, boolean or timestamp columns to use it."
    )
}

/// Writes the text of cell `i` into a buffer.
type WriteCell<'a> = dyn Fn(usize, &mut String) + 'a;

/// How the cells of one array are read.
enum Cells<'a> {
    /// Every cell is null.
    Null,
    /// A number per cell.
    Number(Box<dyn Fn(usize) -> f64 + 'a>),
    /// Booleans, as 0 / 1.
    Bool(&'a BooleanArray),
    /// Text per cell, written into the scratch buffer, read as a CSV cell.
    Formatted(Box<WriteCell<'a>>),
    /// Borrowed text per cell, read as a CSV cell.
    Text(Box<dyn Fn(usize) -> &'a [u8] + 'a>),
    /// Keys into a dictionary of values.
    Dictionary(Vec<usize>, Box<Cells<'a>>),
}

impl<'a> Cells<'a> {
    /// The reader of `array`, whose type [`unsupported`] accepts (`None` otherwise).
    fn of(array: &'a dyn Array) -> Option<Self> {
        use DataType as D;
        macro_rules! num {
            ($t:ty) => {{
                let a = array.as_primitive::<$t>();
                Cells::Number(Box::new(move |i| a.value(i) as f64))
            }};
        }
        macro_rules! timestamp {
            ($t:ty, $per_second:expr) => {{
                let a = array.as_primitive::<$t>();
                Cells::Formatted(Box::new(move |i, s| {
                    write_instant(s, i128::from(a.value(i)), $per_second)
                }))
            }};
        }
        Some(match array.data_type() {
            D::Null => Cells::Null,
            D::Boolean => Cells::Bool(array.as_boolean()),
            D::Int8 => num!(Int8Type),
            D::Int16 => num!(Int16Type),
            D::Int32 => num!(Int32Type),
            D::Int64 => num!(Int64Type),
            D::UInt8 => num!(UInt8Type),
            D::UInt16 => num!(UInt16Type),
            D::UInt32 => num!(UInt32Type),
            D::UInt64 => num!(UInt64Type),
            D::Float16 => {
                let a = array.as_primitive::<Float16Type>();
                Cells::Number(Box::new(move |i| a.value(i).to_f64()))
            }
            D::Float32 => num!(Float32Type),
            D::Float64 => num!(Float64Type),
            D::Decimal32(..) | D::Decimal64(..) | D::Decimal128(..) | D::Decimal256(..) => {
                let formatter = DecimalText { array };
                Cells::Formatted(Box::new(move |i, s| formatter.write(i, s)))
            }
            D::Timestamp(TimeUnit::Second, _) => timestamp!(TimestampSecondType, 1),
            D::Timestamp(TimeUnit::Millisecond, _) => timestamp!(TimestampMillisecondType, 1_000),
            D::Timestamp(TimeUnit::Microsecond, _) => {
                timestamp!(TimestampMicrosecondType, 1_000_000)
            }
            D::Timestamp(TimeUnit::Nanosecond, _) => {
                timestamp!(TimestampNanosecondType, 1_000_000_000)
            }
            D::Date32 => {
                let a = array.as_primitive::<Date32Type>();
                Cells::Formatted(Box::new(move |i, s| write_date(s, i64::from(a.value(i)))))
            }
            D::Date64 => timestamp!(Date64Type, 1_000),
            D::Utf8 => {
                let a = array.as_string::<i32>();
                Cells::Text(Box::new(move |i| a.value(i).as_bytes()))
            }
            D::LargeUtf8 => {
                let a = array.as_string::<i64>();
                Cells::Text(Box::new(move |i| a.value(i).as_bytes()))
            }
            D::Utf8View => {
                let a = array.as_string_view();
                Cells::Text(Box::new(move |i| a.value(i).as_bytes()))
            }
            D::Dictionary(..) => {
                let d = array.as_any_dictionary_opt()?;
                let keys = d.normalized_keys();
                let values = Cells::of(d.values().as_ref())?;
                Cells::Dictionary(keys, Box::new(values))
            }
            _ => return None,
        })
    }

    /// Push cell `i` (known not null) into `b`; `line` is its row's line.
    fn push(&self, i: usize, b: &mut ColumnBuilder, line: u64, scratch: &mut String) {
        match self {
            Cells::Null => b.push_missing(),
            Cells::Number(f) => b.push_number(f(i), scratch),
            Cells::Bool(a) => b.push_number(if a.value(i) { 1.0 } else { 0.0 }, scratch),
            Cells::Formatted(f) => {
                let mut text = std::mem::take(scratch);
                text.clear();
                f(i, &mut text);
                b.push(text.as_bytes(), line);
                *scratch = text;
            }
            Cells::Text(f) => b.push(f(i), line),
            // Keys whose value is null were pushed as missing by `push_array`.
            Cells::Dictionary(keys, values) => match keys.get(i) {
                Some(&k) => values.push(k, b, line, scratch),
                None => b.push_missing(),
            },
        }
    }
}

/// Decimal values as exact decimal text (Arrow's `value_as_string`).
struct DecimalText<'a> {
    array: &'a dyn Array,
}

impl DecimalText<'_> {
    fn write(&self, i: usize, s: &mut String) {
        use arrow_array::types::{Decimal32Type, Decimal64Type, Decimal128Type, Decimal256Type};
        let a = self.array;
        let text = match a.data_type() {
            DataType::Decimal32(..) => a.as_primitive::<Decimal32Type>().value_as_string(i),
            DataType::Decimal64(..) => a.as_primitive::<Decimal64Type>().value_as_string(i),
            DataType::Decimal128(..) => a.as_primitive::<Decimal128Type>().value_as_string(i),
            _ => a.as_primitive::<Decimal256Type>().value_as_string(i),
        };
        s.push_str(&text);
    }
}

/// Push every row of `array` into `b`; the first row's editor line is `first_line` (the rows
/// of a columnar file are numbered as if the header were line 1).
pub(crate) fn push_array(
    b: &mut ColumnBuilder,
    array: &dyn Array,
    first_line: u64,
    scratch: &mut String,
) {
    let Some(cells) = Cells::of(array) else {
        // Types are checked by `unsupported` before reading; a mismatch reads as missing.
        for _ in 0..array.len() {
            b.push_missing();
        }
        return;
    };
    let dictionary_nulls = match (&cells, array.as_any_dictionary_opt()) {
        (Cells::Dictionary(..), Some(d)) => Some(d.values().logical_nulls()),
        _ => None,
    };
    for i in 0..array.len() {
        if array.is_null(i) {
            b.push_missing();
            continue;
        }
        if let (Some(Some(nulls)), Cells::Dictionary(keys, _)) = (&dictionary_nulls, &cells)
            && keys.get(i).is_some_and(|&k| nulls.is_null(k))
        {
            b.push_missing();
            continue;
        }
        cells.push(i, b, first_line + i as u64, scratch);
    }
}

/// `YYYY-MM-DD` of `days` since 1970-01-01.
fn write_date(s: &mut String, days: i64) {
    let (y, m, d) = civil_from_days(days);
    let _ = write!(s, "{y:04}-{m:02}-{d:02}");
}

/// The ISO 8601 UTC text of `ticks` at `per_second` ticks per second: whole seconds as
/// `YYYY-MM-DDTHH:MM:SSZ`, otherwise with the fraction's significant digits.
fn write_instant(s: &mut String, ticks: i128, per_second: i128) {
    let secs = ticks.div_euclid(per_second);
    let frac = ticks.rem_euclid(per_second);
    let days = secs.div_euclid(86_400);
    let in_day = secs.rem_euclid(86_400);
    write_date(s, days as i64);
    let _ = write!(
        s,
        "T{:02}:{:02}:{:02}",
        in_day / 3600,
        (in_day / 60) % 60,
        in_day % 60
    );
    if frac != 0 {
        let width = per_second.ilog10() as usize;
        let digits = format!("{frac:0width$}");
        s.push('.');
        s.push_str(digits.trim_end_matches('0'));
    }
    s.push('Z');
}

/// Proleptic Gregorian (year, month, day) of `z` days since 1970-01-01 (Hinnant).
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A column being read: its builder, or `None` for a column left out.
pub(crate) struct Columns {
    /// Names as the file gives them, made unique.
    pub names: Vec<String>,
    /// Per file column: the builder, or `None` if its type is not read.
    pub builders: Vec<Option<ColumnBuilder>>,
    /// Warnings so far (renamed and skipped columns).
    pub warnings: Vec<String>,
    /// Rows read so far.
    pub rows: usize,
    scratch: String,
}

impl Columns {
    /// Builders for the fields of `schema`, with a warning per column left out.
    pub fn new(schema: &arrow_schema::Schema) -> Self {
        let raw: Vec<String> = schema
            .fields()
            .iter()
            .map(|f| f.name().trim().to_string())
            .collect();
        let (names, mut warnings) = unique_names(&raw);
        let builders = schema
            .fields()
            .iter()
            .zip(&names)
            .map(|(f, name)| match unsupported(f.data_type()) {
                None => Some(ColumnBuilder::new(name.clone())),
                Some(why) => {
                    warnings.push(skipped_warning(name, &why));
                    None
                }
            })
            .collect();
        Self {
            names,
            builders,
            warnings,
            rows: 0,
            scratch: String::new(),
        }
    }

    /// Push `array` into column `index` (ignored if the column is left out); its first row is
    /// data row `first_row`.
    pub fn push(&mut self, index: usize, array: &dyn Array, first_row: usize) {
        if let Some(Some(b)) = self.builders.get_mut(index) {
            push_array(b, array, first_row as u64 + 2, &mut self.scratch);
        }
    }

    /// The finished table.
    pub fn finish(self, format: InputFormat) -> Table {
        let mut headers = Vec::new();
        let mut columns: Vec<Column> = Vec::new();
        let mut warnings = self.warnings;
        for (name, b) in self.names.into_iter().zip(self.builders) {
            if let Some(b) = b {
                if let Some(line) = b.invalid_utf8_line {
                    warnings.push(format!(
                        "Column \"{name}\" has text that is not valid UTF-8 (first in row {}); \
                         those characters are shown as \u{fffd}.",
                        line - 1
                    ));
                }
                headers.push(name);
                columns.push(b.finish());
            }
        }
        Table {
            headers,
            columns,
            n_rows: self.rows,
            dialect: Dialect {
                format,
                ..Dialect::default()
            },
            ragged_lines: Vec::new(),
            warnings,
            header_line: 1,
            line_breaks: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ingest::days_from_civil;

    #[test]
    fn civil_dates_invert_days_from_civil() {
        for (y, m, d) in [
            (1970, 1, 1),
            (2000, 2, 29),
            (1969, 12, 31),
            (2026, 11, 27),
            (1600, 3, 1),
        ] {
            let days = days_from_civil(y, m, d);
            assert_eq!(civil_from_days(days), (y, m, d));
        }
    }

    #[test]
    fn instants_are_iso_text() {
        let mut s = String::new();
        write_instant(&mut s, 1_767_225_600_500, 1_000);
        assert_eq!(s, "2026-01-01T00:00:00.5Z");
        s.clear();
        write_instant(&mut s, -1, 1);
        assert_eq!(s, "1969-12-31T23:59:59Z");
        s.clear();
        write_instant(&mut s, 1_767_225_600_000_000_001, 1_000_000_000);
        assert_eq!(s, "2026-01-01T00:00:00.000000001Z");
    }

    #[test]
    fn nested_types_are_named() {
        let list = DataType::List(std::sync::Arc::new(arrow_schema::Field::new(
            "item",
            DataType::Int64,
            true,
        )));
        assert!(unsupported(&list).is_some_and(|w| w.contains("nested list")));
        assert!(unsupported(&DataType::Binary).is_some());
        assert!(unsupported(&DataType::Utf8).is_none());
        let dict = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
        assert!(unsupported(&dict).is_none());
    }
}
