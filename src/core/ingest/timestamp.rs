//! ISO 8601 / RFC 3339 date-times to seconds since the Unix epoch.
//!
//! Accepted: `YYYY-MM-DD`, optionally followed by `T`, `t` or one space and `HH:MM`,
//! `HH:MM:SS` or `HH:MM:SS.fff…` (a `,` decimal sign also works), optionally followed by `Z`
//! or an offset `±HH:MM`, `±HHMM` or `±HH`. Times without an offset are taken as UTC. Dates are
//! proleptic Gregorian; days are counted with Howard Hinnant's `days_from_civil` algorithm
//! (<https://howardhinnant.github.io/date_algorithms.html>). A leap second (`:60`) is read as
//! the first second of the next minute.

/// Seconds since 1970-01-01T00:00:00Z, or `None` if `text` is not an ISO 8601 date-time.
pub fn parse_iso8601(text: &[u8]) -> Option<f64> {
    parse_iso8601_cached(text, &mut DateCache::default())
}

/// The last valid date part (`YYYY-MM-DD`) read and its seconds since the epoch: consecutive
/// rows of a log mostly share their date, so the calendar arithmetic runs once per distinct
/// run of dates instead of once per cell (issue #9).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DateCache {
    /// The date part's ten bytes as two little-endian integers (bytes 0-7, 8-9): compared in
    /// two instructions, not ten byte comparisons.
    date: Option<(u64, u16)>,
    seconds: f64,
}

/// Seconds since the epoch of a valid `YYYY-MM-DD` date part, or `None`.
fn date_seconds(s: &[u8]) -> Option<f64> {
    if s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let year = digits(&s[0..4])? as i64;
    let month = digits(&s[5..7])?;
    let day = digits(&s[8..10])?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day) as f64 * 86_400.0)
}

/// `0.1`, `0.1 / 10`, `0.1 / 10 / 10`, …: the place values of fraction digits, computed by the
/// same divisions the digit loop would do (IEEE 754 arithmetic is exact-rounded, so the
/// table holds the very same values), so no division runs per digit.
const SCALES: [f64; 20] = {
    let mut table = [0.0; 20];
    let mut scale = 0.1;
    let mut i = 0;
    while i < table.len() {
        table[i] = scale;
        scale /= 10.0;
        i += 1;
    }
    table
};

/// [`parse_iso8601`], with the date part's seconds taken from `cache` when it is the same
/// date as the last one read (and the cache updated otherwise): the same result, bit for bit.
#[inline]
pub(crate) fn parse_iso8601_cached(text: &[u8], cache: &mut DateCache) -> Option<f64> {
    let s = text;
    let (Some(low), Some(high)) = (s.get(..8), s.get(8..10)) else {
        return None;
    };
    let mut word = [0u8; 8];
    word.copy_from_slice(low);
    let date = (
        u64::from_le_bytes(word),
        u16::from_le_bytes([high[0], high[1]]),
    );
    let mut seconds = if cache.date == Some(date) {
        cache.seconds
    } else {
        let seconds = date_seconds(s)?;
        *cache = DateCache {
            date: Some(date),
            seconds,
        };
        seconds
    };
    let mut rest = &s[10..];
    if rest.is_empty() {
        return Some(seconds);
    }
    if !matches!(rest[0], b'T' | b't' | b' ') {
        return None;
    }
    rest = &rest[1..];
    if rest.len() < 5 || rest[2] != b':' {
        return None;
    }
    let hour = two_digits(rest[0], rest[1])?;
    let minute = two_digits(rest[3], rest[4])?;
    if hour > 23 || minute > 59 {
        return None;
    }
    seconds += f64::from(hour * 3600 + minute * 60);
    rest = &rest[5..];
    if rest.first() == Some(&b':') {
        if rest.len() < 3 {
            return None;
        }
        let second = two_digits(rest[1], rest[2])?;
        if second > 60 {
            return None;
        }
        seconds += f64::from(second);
        rest = &rest[3..];
        if matches!(rest.first(), Some(b'.' | b',')) {
            let n = rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
            if n == 0 {
                return None;
            }
            let mut fraction = 0.0;
            let mut scale = 0.1;
            for (i, &b) in rest[1..1 + n].iter().enumerate() {
                if let Some(&s) = SCALES.get(i) {
                    scale = s;
                } else {
                    scale /= 10.0;
                }
                fraction += f64::from(b - b'0') * scale;
            }
            seconds += fraction;
            rest = &rest[1 + n..];
        }
    }
    match rest {
        [] | [b'Z' | b'z'] => Some(seconds),
        [sign @ (b'+' | b'-'), offset @ ..] => {
            let (h, m) = match offset {
                [h1, h2] => (digits(&[*h1, *h2])?, 0),
                [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => {
                    (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?)
                }
                _ => return None,
            };
            if h > 23 || m > 59 {
                return None;
            }
            let offset = f64::from(h * 3600 + m * 60);
            Some(if *sign == b'+' {
                seconds - offset
            } else {
                seconds + offset
            })
        }
        _ => None,
    }
}

/// The value of two ASCII digits (what [`digits`] gives for them, without its loop).
#[inline]
fn two_digits(a: u8, b: u8) -> Option<u32> {
    let (a, b) = (a.wrapping_sub(b'0'), b.wrapping_sub(b'0'));
    if a > 9 || b > 9 {
        return None;
    }
    Some(u32::from(a) * 10 + u32::from(b))
}

/// The value of a run of ASCII digits.
fn digits(s: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &b in s {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(b - b'0');
    }
    Some(v)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Option<f64> {
        parse_iso8601(s.as_bytes())
    }

    #[test]
    fn known_instants() {
        // Values from Python: `datetime.fromisoformat(s).timestamp()`.
        assert_eq!(p("1970-01-01"), Some(0.0));
        assert_eq!(p("2026-01-01"), Some(1_767_225_600.0));
        assert_eq!(p("2026-01-01T10:00:00Z"), Some(1_767_261_600.0));
        assert_eq!(p("2026-01-01 10:00:00"), Some(1_767_261_600.0));
        assert_eq!(p("2026-01-01T10:00"), Some(1_767_261_600.0));
        assert_eq!(p("2026-01-01T12:00:00+02:00"), Some(1_767_261_600.0));
        assert_eq!(p("2026-01-01T12:00:00+0200"), Some(1_767_261_600.0));
        assert_eq!(p("2026-01-01T08:00:00-02"), Some(1_767_261_600.0));
        assert_eq!(p("2026-01-01T10:00:00.25Z"), Some(1_767_261_600.25));
        assert_eq!(p("2024-02-29T00:00:00Z"), Some(1_709_164_800.0));
        assert_eq!(p("1969-12-31T23:59:59Z"), Some(-1.0));
        assert_eq!(p("2000-03-01"), Some(951_868_800.0));
    }

    #[test]
    fn rejects_non_dates() {
        for s in [
            "",
            "0.5",
            "2026",
            "2026-13-01",
            "2026-02-30",
            "2023-02-29",
            "2026-01-01T25:00",
            "2026-01-01T10",
            "2026-01-01X10:00",
            "2026-01-01T10:00:00.Z",
            "2026-01-01T10:00:00+2",
            "2026-01-01T10:00:00 UTC",
            "01/02/2026",
        ] {
            assert_eq!(p(s), None, "{s}");
        }
    }

    #[test]
    fn days_match_a_simple_count() {
        // Count days year by year from 1970 and compare for every 1 January up to 2100.
        let mut days = 0i64;
        for year in 1970..2100 {
            assert_eq!(days_from_civil(year, 1, 1), days, "{year}");
            days += if is_leap(year) { 366 } else { 365 };
        }
    }

    /// The parser as it was before the date cache and the table of place values (issue #9),
    /// kept verbatim as the reference the faster one must match bit for bit.
    fn reference(text: &[u8]) -> Option<f64> {
        let s = text;
        if s.len() < 10 || s[4] != b'-' || s[7] != b'-' {
            return None;
        }
        let year = digits(&s[0..4])? as i64;
        let month = digits(&s[5..7])?;
        let day = digits(&s[8..10])?;
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return None;
        }
        let mut seconds = days_from_civil(year, month, day) as f64 * 86_400.0;
        let mut rest = &s[10..];
        if rest.is_empty() {
            return Some(seconds);
        }
        if !matches!(rest[0], b'T' | b't' | b' ') {
            return None;
        }
        rest = &rest[1..];
        if rest.len() < 5 || rest[2] != b':' {
            return None;
        }
        let hour = digits(&rest[0..2])?;
        let minute = digits(&rest[3..5])?;
        if hour > 23 || minute > 59 {
            return None;
        }
        seconds += f64::from(hour * 3600 + minute * 60);
        rest = &rest[5..];
        if rest.first() == Some(&b':') {
            if rest.len() < 3 {
                return None;
            }
            let second = digits(&rest[1..3])?;
            if second > 60 {
                return None;
            }
            seconds += f64::from(second);
            rest = &rest[3..];
            if matches!(rest.first(), Some(b'.' | b',')) {
                let n = rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
                if n == 0 {
                    return None;
                }
                let mut fraction = 0.0;
                let mut scale = 0.1;
                for &b in &rest[1..1 + n] {
                    fraction += f64::from(b - b'0') * scale;
                    scale /= 10.0;
                }
                seconds += fraction;
                rest = &rest[1 + n..];
            }
        }
        match rest {
            [] | [b'Z' | b'z'] => Some(seconds),
            [sign @ (b'+' | b'-'), offset @ ..] => {
                let (h, m) = match offset {
                    [h1, h2] => (digits(&[*h1, *h2])?, 0),
                    [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => {
                        (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?)
                    }
                    _ => return None,
                };
                if h > 23 || m > 59 {
                    return None;
                }
                let offset = f64::from(h * 3600 + m * 60);
                Some(if *sign == b'+' {
                    seconds - offset
                } else {
                    seconds + offset
                })
            }
            _ => None,
        }
    }

    proptest::proptest! {
        /// A column of date-times read through one cache (runs of equal dates, invalid dates,
        /// long fractions, offsets, stray text) gives, cell by cell, exactly what the old
        /// parser gives.
        #[test]
        fn cached_parsing_matches_the_reference(
            cells in proptest::collection::vec(
                (
                    proptest::sample::select(vec!["2026-01-01", "2026-01-02", "2024-02-29",
                        "2023-02-29", "1969-12-31", "2026-13-01", "20x6-01-01", "0000-03-01"]),
                    proptest::option::of((0u32..30, 0u32..70, 0u32..70)),
                    proptest::option::of("[0-9]{0,25}"),
                    proptest::sample::select(vec!["", "Z", "+02:00", "-0530", "+01", "x", " "]),
                ),
                1..30,
            ),
        ) {
            let mut cache = DateCache::default();
            for (date, time, fraction, zone) in &cells {
                let mut text = date.to_string();
                if let Some((h, m, sec)) = time {
                    text.push_str(&format!("T{h:02}:{m:02}:{sec:02}"));
                    if let Some(f) = fraction {
                        text.push('.');
                        text.push_str(f);
                    }
                }
                text.push_str(zone);
                let want = reference(text.as_bytes()).map(f64::to_bits);
                let got = parse_iso8601_cached(text.as_bytes(), &mut cache).map(f64::to_bits);
                proptest::prop_assert_eq!(got, want, "{}", text);
                proptest::prop_assert_eq!(parse_iso8601(text.as_bytes()).map(f64::to_bits), want);
            }
        }
    }
}
