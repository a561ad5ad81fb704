//! Fuzz target: a Parquet or Arrow IPC file dropped on the page. The fuzzer's bytes go through
//! `load_file` (which tells the format by its first bytes) three ways: as given, and behind the
//! `PAR1` and `ARROW1` magic, so mutations that break the magic still reach the columnar
//! readers. Seeded with small files of every codec (fuzz/corpus/columnar/, written by
//! tests/fixtures/make_columnar.py). Any panic, abort or hang is a bug: a damaged file must end
//! in a typed `PlumbError` (`Columnar`, naming where).
#![no_main]

use libfuzzer_sys::fuzz_target;
use plumb::core::analysis::{detect_mapping, load_file};

fn ingest(name: &str, bytes: &[u8]) {
    if let Ok(file) = load_file(name, bytes) {
        let mapping = detect_mapping(&file);
        let names = file.column_names();
        for role in [&mapping.score, &mapping.label, &mapping.timestamp]
            .into_iter()
            .flatten()
        {
            assert!(names.contains(role), "detected role {role:?} is not a column");
        }
        for c in &file.table.columns {
            assert_eq!(c.len(), file.table.n_rows, "column {} has a ragged length", c.name);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    ingest("fuzz.parquet", data);
    for magic in [&b"PAR1"[..], &b"ARROW1\0\0"[..]] {
        if !data.starts_with(magic) {
            let mut framed = magic.to_vec();
            framed.extend_from_slice(data);
            ingest("fuzz.columnar", &framed);
        }
    }
});
