//! Notification parsing/verification (`notify::verify_form`, V1 and V2
//! rules, and through a `Verifier`) on arbitrary form bodies.
//! Invariants: no panic; a verified notification had a non-empty `sign`,
//! no duplicated parameter, and its fields are readable.
#![no_main]

use alipay_f2f_core::notify;
use alipay_f2f_core::{PublicKey, SignType, Verifier};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// The key inline in notify_vectors.json[0] (a real trade_status_sync).
fn key() -> &'static Option<PublicKey> {
    static K: OnceLock<Option<PublicKey>> = OnceLock::new();
    K.get_or_init(|| notify_key().and_then(|k| PublicKey::parse(&k).ok()))
}

fn notify_key() -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/fixtures/notify_vectors.json"
    )))
    .ok()?;
    let k = v[0]["alipay_public_key_base64"].as_str()?.to_string();
    Some(k)
}

fn check(r: alipay_f2f_core::Result<notify::Notification>) {
    match r {
        Ok(n) => {
            // `params` keeps every parameter, `sign` included: it was signed.
            assert!(
                n.get("sign").is_some_and(|s| !s.is_empty()),
                "verified without a sign"
            );
            assert_eq!(
                n.to_map().len(),
                n.params.len(),
                "duplicate parameters verified"
            );
            let _ = (
                n.notify_id(),
                n.trade_status(),
                n.is_paid(),
                n.total_amount(),
            );
        }
        Err(e) => assert!(e.message().len() < 4096),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(k) = key() else { return };
    check(notify::verify_form(data, k, SignType::Rsa2));
    check(notify::verify_form_v2(data, k, SignType::Rsa));
    let v = Verifier::new(k.clone(), SignType::Rsa2);
    check(notify::verify_form_with(data, &v));
});
