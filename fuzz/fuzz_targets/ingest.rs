//! Fuzz target: a file dropped on the page. The fuzzer's bytes go through what the browser and
//! the CLI do first with a file — `load_file` (sniffing, gzip, CSV parsing, typed columns) and
//! `detect_mapping` — twice: as given, and wrapped in gzip (so the decompressed bytes are the
//! fuzzer's, not only the gzip framing). Any panic, abort or hang is a bug: bad input must end in
//! a typed `PlumbError`. The statistics on what loads are the `analyze` target's.
#![no_main]

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use libfuzzer_sys::fuzz_target;
use plumb::core::analysis::{detect_mapping, load_file};

fn ingest(name: &str, bytes: &[u8]) {
    if let Ok(file) = load_file(name, bytes) {
        let mapping = detect_mapping(&file);
        // Detection names only columns the file has.
        let names = file.column_names();
        for role in [&mapping.score, &mapping.label, &mapping.timestamp]
            .into_iter()
            .flatten()
        {
            assert!(
                names.contains(role),
                "detected role {role:?} is not a column"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    ingest("fuzz.csv", data);
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    if gz.write_all(data).is_ok()
        && let Ok(wrapped) = gz.finish()
    {
        ingest("fuzz.csv.gz", &wrapped);
    }
});
