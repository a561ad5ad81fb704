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
        }
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
        for fragment in [
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
