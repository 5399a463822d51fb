//! Key parsing (`PrivateKey::parse`, `PublicKey::parse`) on arbitrary text,
//! and on arbitrary DER wrapped as bare base64 and as PEM with each label.
//! Invariants: no panic; a parsed private key re-exports to PKCS#1/PKCS#8
//! PEM that parses back to the same public key, and signs a message its
//! public key verifies (both backends); a parsed public key re-exports to
//! SPKI PEM/base64 that parses back equal.
#![no_main]

use alipay_f2f_core::keys::Backend;
use alipay_f2f_core::{PrivateKey, PublicKey, SignType};
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;

const LABELS: &[&str] = &[
    "PRIVATE KEY",
    "RSA PRIVATE KEY",
    "PUBLIC KEY",
    "RSA PUBLIC KEY",
    "CERTIFICATE",
    "EC PRIVATE KEY",
];

fn check_private(text: &str) {
    let Ok(k) = PrivateKey::parse(text) else {
        return;
    };
    assert!(k.bits() >= 1024);
    let public = k.public_key();
    assert!(public.matches(&k));
    for pem in [k.to_pkcs1_pem().unwrap(), k.to_pkcs8_pem().unwrap()] {
        let again = PrivateKey::parse(&pem).expect("own export parses");
        assert_eq!(again.public_key(), public);
    }
    let msg = b"fuzz message";
    for backend in [Backend::Portable, Backend::Native] {
        if let Ok(sig) = k.sign_with_backend(msg, SignType::Rsa, backend) {
            for vb in [Backend::Portable, Backend::Native] {
                public
                    .verify_with_backend(msg, &sig, SignType::Rsa, vb)
                    .expect("own signature verifies");
            }
        }
    }
    // Debug shows no part of the key text (a 32-character run of its base64).
    let body: String = text.chars().filter(char::is_ascii_alphanumeric).collect();
    if body.len() >= 64 {
        assert!(!format!("{k:?}").contains(&body[32..64]));
    }
}

fn check_public(text: &str) {
    let Ok(k) = PublicKey::parse(text) else {
        return;
    };
    let again = PublicKey::parse(&k.to_spki_pem()).expect("own SPKI PEM parses");
    assert_eq!(again, k);
    assert_eq!(PublicKey::parse(&k.to_spki_base64()).unwrap(), k);
    let _ = k.verify(b"m", &[0u8; 256], SignType::Rsa2);
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let b64 = base64::engine::general_purpose::STANDARD.encode(rest);
    let text = match mode % 4 {
        0 => String::from_utf8_lossy(rest).into_owned(),
        1 => b64,
        _ => {
            let label = LABELS[usize::from(mode / 4) % LABELS.len()];
            let mut s = format!("-----BEGIN {label}-----\n");
            for line in b64.as_bytes().chunks(64) {
                s.push_str(std::str::from_utf8(line).unwrap());
                s.push('\n');
            }
            s.push_str(&format!("-----END {label}-----\n"));
            s
        }
    };
    check_private(&text);
    check_public(&text);
});
