//! AES vectors (`aes_vectors.json`, protocol §5).

use alipay_f2f_core::aes::AesKey;
use alipay_f2f_core::ErrorCode;
use proptest::prelude::*;
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures");

fn vectors() -> Vec<Value> {
    serde_json::from_str(&std::fs::read_to_string(format!("{FIXTURES}/aes_vectors.json")).unwrap())
        .unwrap()
}

#[test]
fn all_vectors() {
    let mut zero_iv = 0;
    let mut v2 = 0;
    for v in vectors() {
        let key = AesKey::from_base64(v["key_b64"].as_str().unwrap()).unwrap();
        let plain = v["plaintext"].as_str().unwrap().as_bytes();
        let cipher = v["ciphertext_b64"].as_str().unwrap();
        if v["alg"].as_str().unwrap().contains("IV = first 16 bytes") {
            assert_eq!(key.decrypt_iv_prefixed(cipher).unwrap(), plain);
            // it is not a zero-IV ciphertext
            assert_ne!(key.decrypt(cipher).ok().as_deref(), Some(plain));
            v2 += 1;
        } else {
            // deterministic: encrypt reproduces the vector byte for byte
            assert_eq!(key.encrypt(plain), cipher);
            assert_eq!(key.decrypt(cipher).unwrap(), plain);
            zero_iv += 1;
        }
    }
    assert_eq!((zero_iv, v2), (3, 1));
}

#[test]
fn key_must_be_16_bytes_of_base64() {
    for bad in [
        "",
        "====",
        "aa4BtZ4tspm2wnXLb1ThQA",
        "aa4BtZ4tspm2wnXLb1ThQA==aa",
        "YWJj",
    ] {
        assert_eq!(
            AesKey::from_base64(bad).unwrap_err().code(),
            ErrorCode::KeyFormat,
            "{bad}"
        );
    }
    // whitespace around a pasted key is fine
    AesKey::from_base64(" aa4BtZ4tspm2wnXLb1ThQA==\n").unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn roundtrip(key in any::<[u8; 16]>(), iv in any::<[u8; 16]>(), plain in proptest::collection::vec(any::<u8>(), 0..100)) {
        use base64::Engine;
        let k = AesKey::from_base64(&base64::engine::general_purpose::STANDARD.encode(key)).unwrap();
        let c = k.encrypt(&plain);
        prop_assert_eq!(k.decrypt(&c).unwrap(), plain.clone());
        let c2 = k.encrypt_iv_prefixed(iv, &plain);
        prop_assert_eq!(k.decrypt_iv_prefixed(&c2).unwrap(), plain);
    }

    #[test]
    fn garbage_never_panics(text in "[A-Za-z0-9+/=]{0,64}") {
        let k = AesKey::from_base64("aa4BtZ4tspm2wnXLb1ThQA==").unwrap();
        if let Err(e) = k.decrypt(&text) {
            prop_assert_eq!(e.code(), ErrorCode::Decrypt);
        }
        if let Err(e) = k.decrypt_iv_prefixed(&text) {
            prop_assert_eq!(e.code(), ErrorCode::Decrypt);
        }
    }
}
