//! Looking at the first bytes of a file: encoding, binary formats and the delimiter.
//!
//! * A UTF-8 byte-order mark (EF BB BF) is noted and stripped.
//! * UTF-16/UTF-32 (by byte-order mark, or by NUL bytes at every other position, which is what
//!   ASCII text in UTF-16 looks like) and known binary formats (by their file signatures, e.g.
//!   `PK\x03\x04` for .xlsx) are refused with a message saying what to do; so is any header line
//!   containing a NUL byte, and any start of file where more than 30% of the first 4 KiB are
//!   invalid UTF-8 or control characters (random or compressed bytes without a signature).
//! * The delimiter is the candidate among `,` `;` `\t` `|` whose quote-aware field counts over
//!   the sampled lines agree best with the header's (the header must have more than one field);
//!   ties go to the earlier candidate, and `,` is the default (as Python's `csv.Sniffer` and
//!   most spreadsheet importers do, but without guessing from character frequencies alone).

use super::parser::{Parser, Record};
use crate::core::error::PlumbError;

/// Bytes examined for the delimiter.
pub(crate) const SNIFF_BYTES: usize = 64 * 1024;

/// Delimiter candidates, in order of preference on ties.
pub(crate) const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Known binary file signatures and what to call them.
const SIGNATURES: &[(&[u8], &str)] = &[
    (
        b"PK\x03\x04",
        "a ZIP archive (an Excel .xlsx workbook is one)",
    ),
    (
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
        "an old-style Excel workbook (.xls) or other Office file",
    ),
    (
        b"PAR1",
        "a Parquet file inside gzip (Plumb reads Parquet, which compresses its own data: load \
         the .parquet file itself, not gzip-compressed)",
    ),
    (b"\x1F\x8B", "gzip data inside gzip data (compressed twice)"),
    (b"\xFD7zXZ\x00", "an xz archive"),
    (b"\x28\xB5\x2F\xFD", "a Zstandard archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\x89PNG", "a PNG image"),
    (b"%PDF", "a PDF document"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (
        b"ARROW1",
        "an Arrow IPC file inside gzip (Plumb reads Arrow IPC: load the file itself, not \
         gzip-compressed)",
    ),
];

/// Check the start of the text and return whether it begins with a UTF-8 byte-order mark.
pub(crate) fn check_text(sample: &[u8]) -> Result<bool, PlumbError> {
    let boms: [(&[u8], &str); 4] = [
        (b"\xFF\xFE\x00\x00", "UTF-32LE"),
        (b"\x00\x00\xFE\xFF", "UTF-32BE"),
        (b"\xFF\xFE", "UTF-16LE"),
        (b"\xFE\xFF", "UTF-16BE"),
    ];
    for (bom, encoding) in boms {
        if sample.starts_with(bom) {
            let hex: Vec<String> = bom.iter().map(|b| format!("{b:02X}")).collect();
            return Err(PlumbError::Encoding {
                encoding: encoding.to_string(),
                detail: format!("it starts with the byte-order mark {}", hex.join(" ")),
            });
        }
    }
    let bom = sample.starts_with(b"\xEF\xBB\xBF");
    let text = if bom { &sample[3..] } else { sample };
    for (magic, what) in SIGNATURES {
        // bzip2 needs more than "BZh" to be told apart from text starting with those letters.
        let matches = if magic == b"BZh" {
            text.len() >= 10 && text.starts_with(b"BZh") && &text[4..10] == b"1AY&SY"
        } else {
            text.starts_with(magic)
        };
        if matches {
            return Err(PlumbError::Binary {
                what: what.to_string(),
                byte: 0,
            });
        }
    }
    if let Some(encoding) = utf16_by_nuls(text) {
        return Err(PlumbError::Encoding {
            encoding: encoding.to_string(),
            detail: "every other byte is a NUL byte".to_string(),
        });
    }
    let header_end = text.iter().position(|&b| b == b'\n').unwrap_or(text.len());
    if let Some(at) = text[..header_end].iter().position(|&b| b == 0) {
        return Err(PlumbError::Binary {
            what: "binary data (the header line contains NUL bytes)".to_string(),
            byte: at as u64 + if bom { 3 } else { 0 },
        });
    }
    if let Some(at) = mostly_not_text(text) {
        return Err(PlumbError::Binary {
            what: "binary data (most of its first bytes are not UTF-8 text)".to_string(),
            byte: at as u64 + if bom { 3 } else { 0 },
        });
    }
    Ok(bom)
}

/// Bytes looked at by [`mostly_not_text`].
const TEXT_CHECK_BYTES: usize = 4096;

/// The offset of the first non-text byte if more than 30% of the first
/// [`TEXT_CHECK_BYTES`] are not text: bytes of invalid UTF-8 sequences, or control characters
/// other than tab, line feed, form feed and carriage return. A Latin-1 CSV (a few accented
/// letters) stays far below that share; random or compressed bytes are far above it.
fn mostly_not_text(text: &[u8]) -> Option<usize> {
    let head = &text[..text.len().min(TEXT_CHECK_BYTES)];
    let is_control = |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C)) || b == 0x7F;
    let (mut bad, mut first, mut offset) = (0usize, None, 0usize);
    let mut rest = head;
    loop {
        let (valid, skip) = match std::str::from_utf8(rest) {
            Ok(_) => (rest.len(), None),
            Err(e) => (e.valid_up_to(), e.error_len()),
        };
        for (i, &b) in rest[..valid].iter().enumerate() {
            if is_control(b) {
                bad += 1;
                first.get_or_insert(offset + i);
            }
        }
        // `None` after an error: a sequence cut off by the end of the sample, not evidence.
        let Some(n) = skip else { break };
        bad += n;
        first.get_or_insert(offset + valid);
        offset += valid + n;
        rest = &rest[valid + n..];
    }
    if bad * 10 > head.len() * 3 {
        first
    } else {
        None
    }
}

/// `UTF-16LE`/`UTF-16BE` if NUL bytes sit at (nearly) every odd/even position of the start.
fn utf16_by_nuls(text: &[u8]) -> Option<&'static str> {
    let head = &text[..text.len().min(1024)];
    let pairs = head.len() / 2;
    if pairs < 2 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for (i, &b) in head[..pairs * 2].iter().enumerate() {
        if b == 0 {
            if i % 2 == 0 {
                even += 1;
            } else {
                odd += 1;
            }
        }
    }
    if odd * 10 >= pairs * 7 && even * 10 < pairs {
        Some("UTF-16LE")
    } else if even * 10 >= pairs * 7 && odd * 10 < pairs {
        Some("UTF-16BE")
    } else {
        None
    }
}

/// Pick the delimiter for `sample` (the first bytes of the text, after any byte-order mark);
/// `complete` says whether the sample is the whole text.
pub(crate) fn sniff_delimiter(sample: &[u8], complete: bool) -> u8 {
    let mut best: Option<(f64, usize, u8)> = None;
    for &d in &CANDIDATES {
        let counts = field_counts(sample, d, complete);
        let Some((&header, data)) = counts.split_first() else {
            continue;
        };
        if header < 2 {
            continue;
        }
        let agree = data.iter().filter(|&&c| c == header).count();
        let consistency = if data.is_empty() {
            1.0
        } else {
            agree as f64 / data.len() as f64
        };
        if consistency < 0.5 {
            continue;
        }
        let better = match best {
            None => true,
            Some((c, h, _)) => consistency > c || (consistency == c && header > h),
        };
        if better {
            best = Some((consistency, header, d));
        }
    }
    best.map_or(b',', |(_, _, d)| d)
}

/// Field count of every non-blank record in `sample` when split at `delimiter`.
fn field_counts(sample: &[u8], delimiter: u8, complete: bool) -> Vec<usize> {
    let mut counts = Vec::new();
    let mut parser = Parser::new(delimiter, 0);
    let mut on = |r: &Record<'_>| {
        if !r.is_blank() {
            counts.push(r.len());
        }
        Ok(())
    };
    // A sample cut off mid-record only yields its complete records; an unterminated quote in a
    // complete sample is reported later by the real parse, so errors are ignored here.
    if parser.feed(sample, &mut on).is_ok() && complete {
        let _ = parser.finish(&mut on);
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_are_sniffed() {
        assert_eq!(sniff_delimiter(b"a,b\n1,2\n", true), b',');
        assert_eq!(sniff_delimiter(b"a;b\n0,5;1\n0,7;0\n", true), b';');
        assert_eq!(sniff_delimiter(b"a\tb\tc\n1\t2\t3\n", true), b'\t');
        assert_eq!(sniff_delimiter(b"a|b\n1|2\n", true), b'|');
        // Delimiters inside quotes do not count.
        assert_eq!(
            sniff_delimiter(b"a;b\n\"x,y,z\";1\n\"u,v,w\";2\n", true),
            b';'
        );
        // One column, or nothing to go on: the default.
        assert_eq!(sniff_delimiter(b"score\n0.5\n", true), b',');
        assert_eq!(sniff_delimiter(b"", true), b',');
    }

    #[test]
    fn mostly_non_text_bytes_are_binary() {
        // Latin-1 accents are a small share: still text.
        assert_eq!(
            mostly_not_text(b"name,score\nJos\xe9,0.5\nRen\xe9e,0.7\n"),
            None
        );
        // A UTF-8 sequence cut off by the end of the sample is not evidence.
        assert_eq!(
            mostly_not_text("score,label\n0.5,\u{e9}".as_bytes()[..17].as_ref()),
            None
        );
        assert_eq!(mostly_not_text(b"a\xff\xfe\xfd\x01\x02"), Some(1));
        assert!(matches!(
            check_text(b"\xef\xbb\xbf\x80\x81\x82"),
            Err(PlumbError::Binary { byte: 3, .. })
        ));
    }

    #[test]
    fn a_few_ragged_rows_do_not_change_the_delimiter() {
        let text = b"a;b;c\n1;2;3\n4;5\n6;7;8\n9;10;11\n";
        assert_eq!(sniff_delimiter(text, true), b';');
    }

    #[test]
    fn truncated_sample_ignores_partial_record() {
        assert_eq!(sniff_delimiter(b"a|b\n1|2\n3|", false), b'|');
    }

    #[test]
    fn encodings_and_binaries_are_recognised() {
        assert_eq!(check_text(b"a,b\n"), Ok(false));
        assert_eq!(check_text(b"\xEF\xBB\xBFa,b\n"), Ok(true));
        assert!(matches!(
            check_text(b"\xFF\xFEa\x00"),
            Err(PlumbError::Encoding { encoding, .. }) if encoding == "UTF-16LE"
        ));
        assert!(matches!(
            check_text(b"a\x00,\x00b\x00\n\x00"),
            Err(PlumbError::Encoding { encoding, .. }) if encoding == "UTF-16LE"
        ));
        assert!(matches!(
            check_text(b"\x00a\x00,\x00b\x00\n"),
            Err(PlumbError::Encoding { encoding, .. }) if encoding == "UTF-16BE"
        ));
        assert!(matches!(
            check_text(b"PK\x03\x04rest"),
            Err(PlumbError::Binary { what, .. }) if what.contains("xlsx")
        ));
        assert_eq!(
            check_text(b"ab\x00cdefgh\n"),
            Err(PlumbError::Binary {
                what: "binary data (the header line contains NUL bytes)".into(),
                byte: 2
            })
        );
        // NUL bytes after the header are data, not a reason to refuse the file.
        assert_eq!(check_text(b"a,b,c,d,e,f,g\n1,\x00\n"), Ok(false));
        // Text that merely starts with "BZh" is text.
        assert_eq!(check_text(b"BZh,score\n"), Ok(false));
    }
}
