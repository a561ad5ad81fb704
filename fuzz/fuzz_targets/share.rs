//! Fuzz target: a share link's URL fragment (`#review=<base64url(JSON)>`), which anyone can
//! craft. `share::decode` must answer every string with a state or a typed error, and a state it
//! accepts must survive `encode` → `decode` unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plumb::core::share;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // As typed, and with the prefix added so the fuzzer reaches the base64 and JSON layers.
    for fragment in [text.to_string(), format!("#{}{text}", share::PREFIX)] {
        if let Ok(state) = share::decode(&fragment) {
            let again = share::decode(&share::encode(&state));
            assert_eq!(
                again.ok().as_ref(),
                Some(&state),
                "round trip of {fragment:?}"
            );
        }
    }
    // The base64url layer alone: whatever it decodes comes back from its own encoding.
    if let Some(bytes) = share::base64url_decode(text) {
        let again = share::base64url_decode(&share::base64url_encode(&bytes));
        assert_eq!(again.as_deref(), Some(bytes.as_slice()));
    }
});
