//! The form/query parser `form::decode_pairs` (UTF-8 and GBK).
//! Invariants: no panic; what decodes re-encodes (`encode_pairs`) to a
//! body that decodes to the same pairs (round trip).
#![no_main]

use alipay_f2f_core::{form, Charset};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for cs in [Charset::Utf8, Charset::Gbk] {
        let Ok(pairs) = form::decode_pairs(data, cs) else {
            continue;
        };
        let Ok(encoded) =
            form::encode_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())), cs)
        else {
            // GBK cannot encode every decoded character (e.g. U+FFFD is not
            // produced: decoding refuses invalid bytes); UTF-8 must.
            assert!(cs == Charset::Gbk, "UTF-8 pairs do not re-encode");
            continue;
        };
        let back = form::decode_pairs(encoded.as_bytes(), cs).expect("own encoding decodes");
        // Empty keys with empty values vanish (`=` segments are kept as ("","")).
        assert_eq!(back, pairs, "round trip differs for {encoded:?}");
        let _ = form::decode_component(data, cs);
    }
});
