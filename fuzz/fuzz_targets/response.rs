//! Response extraction and verification on arbitrary bodies.
//! Input: `method\nbody` (no newline: the method is `alipay.trade.pay`).
//! Invariants: no panic; the extracted content/sign/cert SN are substrings
//! of the body; a body that verifies with the fixture Alipay key has a
//! node and a sign, and its object parses; extraction and verification agree
//! (verify never succeeds where extraction fails); UTF-8 bytes verify the
//! same as text; certificate mode never accepts what the key refuses.
#![no_main]

use alipay_f2f_core::response::extract_signed_content;
use alipay_f2f_core::{Charset, PublicKey, SignType, Verifier};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const FIXTURE_KEY: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/fixtures/keys/alipay-public-key.pem"
));

fn verifiers() -> &'static [Verifier; 3] {
    static V: OnceLock<[Verifier; 3]> = OnceLock::new();
    V.get_or_init(|| {
        let k = PublicKey::parse(FIXTURE_KEY).unwrap();
        let sandbox = PublicKey::parse(fuzz_support::VERIFY_KEY_PEM).unwrap();
        let cert = Verifier::from_certs(
            &[alipay_f2f_sandbox::SANDBOX_ALIPAY_CERT_PEM],
            SignType::Rsa2,
        )
        .unwrap();
        [
            Verifier::new(k, SignType::Rsa2),
            Verifier::new(sandbox, SignType::Rsa2),
            cert,
        ]
    })
}

fn within(outer: &str, inner: &str) -> bool {
    let (o, i) = (outer.as_ptr() as usize, inner.as_ptr() as usize);
    i >= o && i + inner.len() <= o + outer.len()
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (method, body) = match text.split_once('\n') {
        Some((m, b)) if m.len() < 80 => (m, b),
        _ => ("alipay.trade.pay", text.as_ref()),
    };
    let extracted = extract_signed_content(body, method);
    if let Ok(sc) = &extracted {
        assert!(within(body, sc.node) && within(body, sc.content));
        if let Some(s) = sc.sign {
            assert!(within(body, s));
        }
        if let Some(s) = sc.cert_sn {
            assert!(within(body, s));
        }
        let _ = sc.sign_value();
        let _ = sc.cert_sn_value();
    }
    for (i, v) in verifiers().iter().enumerate() {
        let r = v.verify(body, method);
        if let Ok(ok) = &r {
            let sc = extracted
                .as_ref()
                .expect("verified a body that does not extract");
            assert!(sc.sign.is_some() || i == 2, "verified an unsigned body");
            assert_eq!(ok.method, method);
            let _ = ok.code();
            let _ = ok.gateway_detail();
        }
        if let Err(e) = &r {
            // error messages never echo long attacker text
            assert!(e.message().len() < 4096);
        }
        let rb = v.verify_bytes(body.as_bytes(), Charset::Utf8, method);
        assert_eq!(r.is_ok(), rb.is_ok(), "text and UTF-8 bytes disagree");
        let _ = v.verify_bytes(data, Charset::Gbk, method);
    }
});
