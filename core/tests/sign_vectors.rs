//! Request-signing vectors: every vector of the shared fixtures
//! (`request_sign_vectors.json`, java `RSACheckTest` + npm alipay-sdk) and
//! the openssl-signed ones in `tests/data/openssl_sign_vectors.json` (GBK,
//! cert mode, empty values, RSA/SHA-1, 1024/3072/4096-bit keys), byte for
//! byte, with every available backend; plus property tests.

use std::path::PathBuf;

use alipay_f2f_core::keys::Backend;
use alipay_f2f_core::sign::{self, SignType};
use alipay_f2f_core::{Charset, ErrorCode, PrivateKey, PublicKey};
use base64::Engine as _;
use proptest::prelude::*;

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures")
}

fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// Resolves a key path as written in a vector file.
fn key_text(name: &str) -> String {
    // "keys/app-private-key.pem (PKCS#1)" → "keys/app-private-key.pem"
    let name = name.split(" (").next().unwrap();
    let path = if let Some(rest) = name.strip_prefix("shared:") {
        shared().join(rest)
    } else if name.starts_with("keys/") {
        shared().join(name)
    } else {
        data().join(name)
    };
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn backends() -> Vec<Backend> {
    [Backend::Portable, Backend::Native]
        .into_iter()
        .filter(|b| b.is_available())
        .collect()
}

struct Vector {
    name: String,
    private: PrivateKey,
    public: PublicKey,
    sign_type: SignType,
    charset: Charset,
    params: Vec<(String, String)>,
    content: String,
    sign: String,
}

fn load(path: PathBuf) -> Vec<Vector> {
    let text = std::fs::read_to_string(&path).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let private = PrivateKey::parse(&key_text(v["private_key_file"].as_str().unwrap()))
                .unwrap_or_else(|e| panic!("vector {i}: {e}"));
            let public = match v.get("public_key_file").and_then(|p| p.as_str()) {
                Some(p) => PublicKey::parse(&key_text(p)).unwrap(),
                None => private.public_key(),
            };
            Vector {
                name: format!("{}[{i}]", path.file_name().unwrap().to_string_lossy()),
                private,
                public,
                sign_type: SignType::parse(v["sign_type"].as_str().unwrap()).unwrap(),
                charset: Charset::parse(v["charset"].as_str().unwrap()).unwrap(),
                params: v["params"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                    .collect(),
                content: v["expected_sign_content"].as_str().unwrap().to_string(),
                sign: v["expected_sign"].as_str().unwrap().to_string(),
            }
        })
        .collect()
}

fn all_vectors() -> Vec<Vector> {
    let mut v = load(shared().join("request_sign_vectors.json"));
    assert_eq!(v.len(), 4, "the shared fixture has 4 request vectors");
    let o = load(data().join("openssl_sign_vectors.json"));
    assert_eq!(o.len(), 8);
    v.extend(o);
    v
}

fn check_vector(v: &Vector) {
    let params = v.params.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    assert_eq!(sign::sign_content(params.clone()), v.content, "{}", v.name);
    let sig = sign::sign_params(params, &v.private, v.sign_type, v.charset).unwrap();
    assert_eq!(sig, v.sign, "{}", v.name);
    let bytes = v.charset.encode(&v.content).unwrap();
    sign::verify_base64(&bytes, &v.sign, &v.public, v.sign_type).unwrap();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(&v.sign)
        .unwrap();
    for b in backends() {
        let s = v.private.sign_with_backend(&bytes, v.sign_type, b).unwrap();
        assert_eq!(s, raw, "{} backend {b:?}", v.name);
        v.public
            .verify_with_backend(&bytes, &raw, v.sign_type, b)
            .unwrap();
        let other = match v.sign_type {
            SignType::Rsa2 => SignType::Rsa,
            SignType::Rsa => SignType::Rsa2,
        };
        assert_eq!(
            v.public
                .verify_with_backend(&bytes, &raw, other, b)
                .unwrap_err()
                .code(),
            ErrorCode::Signature
        );
    }
}

#[test]
fn shared_fixture_vectors_byte_for_byte() {
    for v in load(shared().join("request_sign_vectors.json")) {
        check_vector(&v);
    }
}

#[test]
fn openssl_vectors_byte_for_byte() {
    for v in load(data().join("openssl_sign_vectors.json")) {
        check_vector(&v);
    }
}

#[test]
fn gbk_and_utf8_signatures_differ_and_cross_fail() {
    let v = all_vectors()
        .into_iter()
        .find(|v| v.charset == Charset::Gbk && v.content.contains('中'))
        .unwrap();
    let gbk = v.charset.encode(&v.content).unwrap();
    assert_ne!(&*gbk, v.content.as_bytes());
    // The GBK signature does not verify over the UTF-8 bytes.
    assert_eq!(
        sign::verify_base64(v.content.as_bytes(), &v.sign, &v.public, v.sign_type)
            .unwrap_err()
            .code(),
        ErrorCode::Signature
    );
    let utf8 =
        sign::sign_content_base64(&v.content, &v.private, v.sign_type, Charset::Utf8).unwrap();
    assert_ne!(utf8, v.sign);
}

#[test]
fn gbk_unencodable_is_a_charset_error() {
    let key = PrivateKey::parse(&key_text("keys/app-private-key.pem")).unwrap();
    let e = sign::sign_params(
        [("subject", "咖啡 ☕ 😀")],
        &key,
        SignType::Rsa2,
        Charset::Gbk,
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Charset);
}

#[test]
fn pkcs1_and_pkcs8_forms_sign_identically() {
    let groups: &[&[&str]] = &[
        &[
            "keys/app-private-key.pem",
            "keys/app-private-key-no-wrapper.pem",
            "keys/app-private-key-pkcs8.pem",
            "keys/app-private-key-pkcs8-no-wrapper.pem",
        ],
        &[
            "keys/privateKey_ProdCert_pkcs1.pem",
            "keys/privateKey_ProdCert_pkcs8.pem",
            "keys/privateKey_ProdCert_pkcs8.b64",
        ],
    ];
    for group in groups {
        let keys: Vec<PrivateKey> = group
            .iter()
            .map(|f| PrivateKey::parse(&key_text(f)).unwrap())
            .collect();
        for st in [SignType::Rsa2, SignType::Rsa] {
            let sigs: Vec<Vec<u8>> = keys
                .iter()
                .map(|k| k.sign(b"same message", st).unwrap())
                .collect();
            assert!(sigs.windows(2).all(|w| w[0] == w[1]), "{group:?} {st:?}");
        }
    }
}

#[test]
fn verify_rejects_garbage_signatures() {
    let v = &all_vectors()[1];
    let bytes = v.content.as_bytes();
    for bad in [
        "",
        "not base64!",
        "AAAA",
        &v.sign[..v.sign.len() - 4],
        &format!("{}AAAA", v.sign),
    ] {
        assert_eq!(
            sign::verify_base64(bytes, bad, &v.public, v.sign_type)
                .unwrap_err()
                .code(),
            ErrorCode::Signature,
            "{bad:?}"
        );
    }
    // Whitespace inside the base64 (line-wrapped signatures) is tolerated.
    let wrapped: String = v
        .sign
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\r\n");
    sign::verify_base64(bytes, &wrapped, &v.public, v.sign_type).unwrap();
    // A signature from another key fails.
    let other = PublicKey::parse(&key_text("keys/alipay-public-key.pem")).unwrap();
    assert_eq!(
        sign::verify_base64(bytes, &v.sign, &other, v.sign_type)
            .unwrap_err()
            .code(),
        ErrorCode::Signature
    );
}

fn app_key() -> &'static (PrivateKey, PublicKey) {
    static K: std::sync::OnceLock<(PrivateKey, PublicKey)> = std::sync::OnceLock::new();
    K.get_or_init(|| {
        let k = PrivateKey::parse(&key_text("keys/app-private-key.pem")).unwrap();
        let p = PublicKey::parse(&key_text("keys/app-public-key.pem")).unwrap();
        (k, p)
    })
}

fn param_strategy() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(("[a-z_]{0,12}", "\\PC{0,24}"), 0..8)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random params: sign → verify round trip in both charsets; the sign
    /// content never contains `sign=`-keyed or empty entries.
    #[test]
    fn prop_sign_verify_round_trip(params in param_strategy(), rsa2 in any::<bool>(), gbk in any::<bool>()) {
        let (key, public) = app_key();
        let st = if rsa2 { SignType::Rsa2 } else { SignType::Rsa };
        let cs = if gbk { Charset::Gbk } else { Charset::Utf8 };
        let it = params.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        let content = sign::sign_content(it.clone());
        match sign::sign_params(it.clone(), key, st, cs) {
            Ok(sig) => {
                let bytes = cs.encode(&content).unwrap();
                prop_assert!(sign::verify_base64(&bytes, &sig, public, st).is_ok());
            }
            Err(e) => {
                prop_assert_eq!(e.code(), ErrorCode::Charset);
                prop_assert!(cs == Charset::Gbk);
                prop_assert!(cs.encode(&content).is_err());
            }
        }
        for (k, v) in &params {
            if k.is_empty() || v.is_empty() || k == "sign" {
                continue;
            }
            let needle = format!("{k}={v}");
            prop_assert!(content.contains(&needle));
        }
    }

    /// Any single changed byte of the message or the signature fails.
    #[test]
    fn prop_single_byte_change_fails(
        msg in prop::collection::vec(any::<u8>(), 1..200),
        pos in any::<prop::sample::Index>(),
        flip in 1u8..=255,
        in_sig in any::<bool>(),
    ) {
        let (key, public) = app_key();
        let sig = key.sign(&msg, SignType::Rsa2).unwrap();
        prop_assert!(public.verify(&msg, &sig, SignType::Rsa2).is_ok());
        let (mut m, mut s) = (msg.clone(), sig.clone());
        if in_sig {
            let i = pos.index(s.len());
            s[i] ^= flip;
        } else {
            let i = pos.index(m.len());
            m[i] ^= flip;
        }
        for b in backends() {
            let e = public.verify_with_backend(&m, &s, SignType::Rsa2, b).unwrap_err();
            prop_assert_eq!(e.code(), ErrorCode::Signature);
        }
    }
}
