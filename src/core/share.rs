//! The review's settings in a link: the column mapping, the windows, binning, threshold, costs
//! and the active view, with the fingerprint (SHA-256) of the file they were made for — never
//! the data. A colleague who opens the link and loads the same file sees the same view, and is
//! told whether the file matches.
//!
//! Format: the URL fragment `#review=<base64url(JSON)>` (RFC 4648 §5, no padding). The
//! fragment never reaches a server. Decoding is bounded ([`MAX_FRAGMENT`]) and validates every
//! setting, so a malformed or hostile link yields a message and the defaults, never a crash.

use serde::{Deserialize, Serialize};

use crate::core::error::PlumbError;
use crate::core::ops::{AlertThreshold, Band};
use crate::core::report::{ColumnMapping, Settings};

/// Longest fragment accepted, in bytes.
pub const MAX_FRAGMENT: usize = 16 * 1024;

/// The fragment's key.
pub const PREFIX: &str = "review=";

/// Version of the encoded state.
pub const VERSION: u32 = 1;

/// What a share link carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareState {
    /// Format version ([`VERSION`]).
    pub v: u32,
    /// SHA-256 of the file the link was made for (the reference file when two are compared).
    pub file_sha256: Option<String>,
    /// Column roles.
    pub mapping: ColumnMapping,
    /// Every setting, the windows included.
    pub settings: Settings,
    /// The active view's key (`overview`, `thresholds`, …).
    pub tab: String,
    /// Acceptance gates when the reviewer edited or loaded them (`None`: the default set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gates: Option<Vec<crate::core::gates::Gate>>,
    /// Alert levels the reviewer edited in the Operations view (`None`: the proposal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_levels: Option<Vec<SharedLevel>>,
}

/// One monitored quantity's edited warning and critical bands, as a link carries them: only
/// the reviewer's choice travels; the proposal (mean, σ, basis) is recomputed from the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedLevel {
    /// Quantity key (`request_rate`, `latency_p95`, `missing_rate:<feature>`, …).
    pub quantity: String,
    /// Warning band.
    pub warning: Band,
    /// Critical band.
    pub critical: Band,
}

impl SharedLevel {
    /// The part of a level a link carries.
    pub fn of(level: &AlertThreshold) -> Self {
        Self {
            quantity: level.quantity.clone(),
            warning: level.warning,
            critical: level.critical,
        }
    }
}

/// At most this many alert levels travel in a link (a log has a few dozen quantities).
pub const MAX_LEVELS: usize = 200;

/// The proposal with a link's levels applied: a proposed quantity the link names takes the
/// link's bands; other quantities keep their proposal, and levels of quantities this file does
/// not have (another file, another granularity) are ignored.
pub fn apply_levels(proposed: &[AlertThreshold], shared: &[SharedLevel]) -> Vec<AlertThreshold> {
    proposed
        .iter()
        .map(|p| match shared.iter().find(|s| s.quantity == p.quantity) {
            Some(s) => AlertThreshold {
                warning: s.warning,
                critical: s.critical,
                ..p.clone()
            },
            None => p.clone(),
        })
        .collect()
}

/// At most this many gates travel in a link (a gate file is a handful of lines).
pub const MAX_GATES: usize = 200;

/// `review=<base64url(JSON)>`, ready to be the URL fragment.
pub fn encode(state: &ShareState) -> String {
    let json = serde_json::to_vec(state).unwrap_or_default();
    format!("{PREFIX}{}", base64url_encode(&json))
}

/// Read a fragment (with or without the leading `#`). Errors say what was wrong in words.
pub fn decode(fragment: &str) -> Result<ShareState, PlumbError> {
    let bad = |value: String, expected: &str| PlumbError::InvalidSetting {
        setting: "share link".into(),
        value,
        expected: expected.into(),
    };
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    if fragment.len() > MAX_FRAGMENT {
        return Err(bad(
            format!("{} bytes", fragment.len()),
            "a link fragment of at most 16 KiB",
        ));
    }
    let body = fragment
        .strip_prefix(PREFIX)
        .ok_or_else(|| bad(shorten(fragment), "a fragment that starts with review="))?;
    let bytes = base64url_decode(body)
        .ok_or_else(|| bad(shorten(body), "base64url text (A–Z a–z 0–9 - _)"))?;
    let state: ShareState = serde_json::from_slice(&bytes)
        .map_err(|e| bad(e.to_string(), "the settings Plumb writes into its links"))?;
    if state.v != VERSION {
        return Err(bad(format!("version {}", state.v), "version 1"));
    }
    if let Some(gates) = &state.gates {
        if gates.len() > MAX_GATES {
            return Err(bad(format!("{} gates", gates.len()), "at most 200 gates"));
        }
        if let Some(g) = gates.iter().find(|g| !g.limit.is_finite()) {
            return Err(bad(
                format!("gate {:?} with limit {}", g.name, g.limit),
                "finite gate limits",
            ));
        }
    }
    if let Some(levels) = &state.alert_levels {
        if levels.len() > MAX_LEVELS {
            return Err(bad(
                format!("{} alert levels", levels.len()),
                "at most 200 alert levels",
            ));
        }
        let sides = |b: &Band| [b.lower, b.upper];
        if let Some(l) = levels.iter().find(|l| {
            l.quantity.len() > 200
                || sides(&l.warning)
                    .into_iter()
                    .chain(sides(&l.critical))
                    .flatten()
                    .any(|v| !(v.is_finite() && v >= 0.0))
        }) {
            return Err(bad(
                format!("alert level {:?}", shorten(&l.quantity)),
                "finite, non-negative alert levels of a quantity name under 200 bytes",
            ));
        }
    }
    let s = &state.settings;
    if s.bins == 0 || s.bins > 10_000 {
        return Err(bad(format!("bins {}", s.bins), "1 to 10000 bins"));
    }
    if !(s.threshold.is_finite() && (0.0..=1.0).contains(&s.threshold)) {
        return Err(bad(
            format!("threshold {}", s.threshold),
            "a threshold in [0, 1]",
        ));
    }
    if !(s.confidence > 0.0 && s.confidence < 1.0) {
        return Err(bad(
            format!("confidence {}", s.confidence),
            "a confidence in (0, 1)",
        ));
    }
    if s.bootstrap > 100_000 {
        return Err(bad(
            format!("bootstrap {}", s.bootstrap),
            "at most 100000 resamples",
        ));
    }
    let costs = [s.costs.fp, s.costs.fn_, s.costs.tp, s.costs.tn];
    if costs.iter().any(|c| !c.is_finite()) {
        return Err(bad("a cost".into(), "finite costs"));
    }
    Ok(state)
}

fn shorten(text: &str) -> String {
    let mut s: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        s.push('…');
    }
    s
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// RFC 4648 §5 base64url without padding.
pub fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let index = ((n >> (18 - 6 * i)) & 63) as usize;
            out.push(char::from(ALPHABET[index]));
        }
    }
    out
}

/// Inverse of [`base64url_encode`]; `None` on any character outside the alphabet or a length
/// that no encoding produces.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| ALPHABET.iter().position(|&a| a == c).map(|p| p as u32);
    let bytes = text.as_bytes();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c)? << (18 - 6 * i);
        }
        let produced = chunk.len() - 1;
        for i in 0..produced {
            out.push(((n >> (16 - 8 * i)) & 0xff) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn state() -> ShareState {
        ShareState {
            v: VERSION,
            file_sha256: Some("ab".repeat(32)),
            mapping: ColumnMapping {
                score: Some("score".into()),
                label: Some("<script>alert(1)</script>".into()),
                ..ColumnMapping::default()
            },
            settings: Settings {
                bins: 7,
                threshold: 0.3,
                ..Settings::default()
            },
            tab: "thresholds".into(),
            gates: Some({
                let mut g = crate::core::gates::default_gates(true);
                g[0].limit = 0.015;
                g[0].name = "<b>ece</b>".into();
                g
            }),
            alert_levels: Some(vec![SharedLevel {
                quantity: "latency_p95".into(),
                warning: Band {
                    lower: None,
                    upper: Some(180.0),
                },
                critical: Band {
                    lower: None,
                    upper: None,
                },
            }]),
        }
    }

    fn proposed(quantity: &str, upper: f64) -> AlertThreshold {
        AlertThreshold {
            quantity: quantity.into(),
            warning: Band {
                lower: None,
                upper: Some(upper),
            },
            critical: Band {
                lower: None,
                upper: Some(2.0 * upper),
            },
            direction: crate::core::ops::Direction::Above,
            basis: "reference mean ± kσ".into(),
            mean: upper / 2.0,
            std: 1.0,
            sampling_std: None,
            buckets: 24,
        }
    }

    #[test]
    fn links_without_alert_levels_still_decode() {
        let mut s = state();
        s.alert_levels = None;
        let link = encode(&s);
        assert!(
            !String::from_utf8(base64url_decode(&link[PREFIX.len()..]).unwrap())
                .unwrap()
                .contains("alert_levels")
        );
        assert_eq!(decode(&link).unwrap().alert_levels, None);
    }

    #[test]
    fn shared_levels_replace_the_bands_of_the_quantities_they_name() {
        let proposal = vec![proposed("latency_p95", 100.0), proposed("error_rate", 0.05)];
        let shared = state().alert_levels.unwrap();
        let applied = apply_levels(&proposal, &shared);
        assert_eq!(applied[0].warning.upper, Some(180.0));
        assert_eq!(applied[0].critical.upper, None);
        // The proposal's derivation stays; only the bands are the reviewer's.
        assert_eq!(applied[0].mean, 50.0);
        assert_eq!(applied[0].basis, proposal[0].basis);
        assert_eq!(applied[1], proposal[1]);
        // A level for a quantity this file lacks is ignored; nothing is invented.
        let other = vec![SharedLevel {
            quantity: "missing_rate:x9".into(),
            ..shared[0].clone()
        }];
        assert_eq!(apply_levels(&proposal, &other), proposal);
        // What a link carries of an applied level is what was shared.
        assert_eq!(SharedLevel::of(&applied[0]), shared[0]);
    }

    #[test]
    fn links_without_gates_still_decode() {
        let mut s = state();
        s.gates = None;
        let link = encode(&s);
        assert_eq!(decode(&link).unwrap().gates, None);
    }

    #[test]
    fn round_trip() {
        let s = state();
        let link = encode(&s);
        assert!(link.starts_with("review="));
        assert!(
            link.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_=".contains(&b))
        );
        assert_eq!(decode(&format!("#{link}")).unwrap(), s);
        assert_eq!(decode(&link).unwrap(), s);
    }

    #[test]
    fn base64url_matches_rfc4648_vectors() {
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64url_encode(plain.as_bytes()), enc);
            assert_eq!(base64url_decode(enc).unwrap(), plain.as_bytes());
        }
        assert_eq!(base64url_encode(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn hostile_fragments_are_rejected_with_a_message() {
        let too_long = format!("review={}", "A".repeat(MAX_FRAGMENT));
        let mut bad_settings = state();
        bad_settings.settings.threshold = 7.0;
        let bad_settings = encode(&bad_settings);
        let mut bad_version = state();
        bad_version.v = 9;
        let bad_version = encode(&bad_version);
        let mut many_gates = state();
        many_gates.gates = Some(vec![
            crate::core::gates::default_gates(false)[0].clone();
            MAX_GATES + 1
        ]);
        let many_gates = encode(&many_gates);
        let mut many_levels = state();
        many_levels.alert_levels = Some(vec![
            many_levels.alert_levels.clone().unwrap()[0].clone();
            MAX_LEVELS + 1
        ]);
        let many_levels = encode(&many_levels);
        let mut negative_level = state();
        if let Some(levels) = negative_level.alert_levels.as_mut() {
            levels[0].critical.lower = Some(-1.0);
        }
        let negative_level = encode(&negative_level);
        for fragment in [
            many_levels.as_str(),
            negative_level.as_str(),
            many_gates.as_str(),
            "",
            "#",
            "#other=1",
            "#review=!!!",
            "#review=A",
            "#review=e30",
            too_long.as_str(),
            bad_settings.as_str(),
            bad_version.as_str(),
        ] {
            let err = decode(fragment).unwrap_err().to_string();
            assert!(err.contains("share link"), "{fragment:.40}: {err}");
        }
    }

    proptest! {
        #[test]
        fn base64url_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            prop_assert_eq!(base64url_decode(&base64url_encode(&bytes)).unwrap(), bytes);
        }

        #[test]
        fn decode_never_panics(text in "\\PC{0,300}") {
            let _ = decode(&text);
            let _ = decode(&format!("review={text}"));
        }
    }
}
