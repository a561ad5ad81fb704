//! The baselines every family is compared with, measured in the same run on the same data:
//! ratios against them are stable across machines and loads in a way absolute seconds are not.

use std::hint::black_box;

/// "The cost of one sort": one pass computing the mean of `scores`, then a copy of them sorted
/// with `sort_unstable_by(f64::total_cmp)`. Returns the mean and the smallest score.
pub fn mean_and_sort(scores: &[f64]) -> Result<(f64, f64), String> {
    if scores.is_empty() {
        return Err("no scores".to_string());
    }
    let mean = scores.iter().sum::<f64>() / scores.len() as f64;
    let mut sorted = scores.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let smallest = black_box(&sorted).first().copied().unwrap_or(f64::NAN);
    Ok((mean, smallest))
}

/// The minimal comparable work for ingest: the `csv` crate's `ByteRecord` reader (header row,
/// default dialect) over the same bytes, with the fields at `numeric` parsed to `f64` by
/// `str::parse` into one column each (unparsable fields become NaN); other fields are left
/// unread. Returns the columns.
pub fn csv_numeric_columns(bytes: &[u8], numeric: &[usize]) -> Result<Vec<Vec<f64>>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes);
    let mut columns: Vec<Vec<f64>> = vec![Vec::new(); numeric.len()];
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(format!("csv peer: {e}")),
        }
        for (column, &i) in columns.iter_mut().zip(numeric) {
            let value = record
                .get(i)
                .and_then(|field| std::str::from_utf8(field).ok())
                .and_then(|text| text.parse::<f64>().ok())
                .unwrap_or(f64::NAN);
            column.push(value);
        }
    }
    Ok(columns)
}
