//! Certificates (SN, root bundle SN, chain helpers, downloaded-cert
//! decoding) and AES content decryption on arbitrary input.
//! Invariants: no panic; an SN is 32 lowercase hex digits.
#![no_main]

use alipay_f2f_core::{aes::AesKey, cert};
use libfuzzer_sys::fuzz_target;

fn is_sn(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(sn) = cert::cert_sn(&text) {
        assert!(is_sn(&sn), "{sn}");
        let _ = cert::public_key_from_cert(&text);
        let _ = cert::public_key_for_sn(&text, &sn);
    }
    if let Ok(sn) = cert::root_cert_sn(&text) {
        assert!(sn.split('_').all(is_sn), "{sn}");
    }
    let _ = cert::bundle_info(&text);
    let _ = cert::decode_downloaded_cert(&text);
    // AES: first 24 bytes as a base64 key, the rest as ciphertext.
    if let Some((k, c)) = text.split_once('\n') {
        if let Ok(key) = AesKey::from_base64(k) {
            let _ = key.decrypt(c);
            let _ = key.decrypt_iv_prefixed(c);
        }
    }
});
