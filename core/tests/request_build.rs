//! Building signed gateway requests: placement (query vs body), encoding in
//! the request charset, byte-for-byte signatures against openssl vectors
//! (GBK, certificate mode), empty values, AES encrypt-then-sign, argument
//! validation, and form encode/decode round trips (property tests).

use std::path::PathBuf;

use alipay_f2f_core::aes::AesKey;
use alipay_f2f_core::request::{HttpRequest, Signer, SignerConfig, DEFAULT_GATEWAY};
use alipay_f2f_core::sign::{self, SignType};
use alipay_f2f_core::{form, time, Charset, ErrorCode, PrivateKey, PublicKey};
use proptest::prelude::*;

/// 2024-01-02 15:04:05 in UTC+8.
const NOW: u64 = 1_704_179_045_000;

fn shared_key(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/keys")
        .join(name);
    std::fs::read_to_string(p).unwrap()
}

fn openssl_vectors() -> Vec<serde_json::Value> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/openssl_sign_vectors.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn app() -> (PrivateKey, PublicKey) {
    (
        PrivateKey::parse(&shared_key("app-private-key.pem")).unwrap(),
        PublicKey::parse(&shared_key("app-public-key.pem")).unwrap(),
    )
}

/// Splits the request into (query pairs, body pairs), decoded in `charset`.
type Pairs = Vec<(String, String)>;

fn decode(req: &HttpRequest, charset: Charset) -> (Pairs, Pairs) {
    let (_, query) = req.url.split_once('?').unwrap();
    // Everything on the wire is ASCII.
    assert!(req.url.is_ascii());
    assert!(req.body.is_ascii());
    (
        form::decode_pairs(query.as_bytes(), charset).unwrap(),
        form::decode_pairs(&req.body, charset).unwrap(),
    )
}

fn get<'a>(pairs: &'a [(String, String)], k: &str) -> Option<&'a str> {
    let mut it = pairs.iter().filter(|(key, _)| key == k);
    let v = it.next().map(|(_, v)| v.as_str());
    assert!(it.next().is_none(), "duplicate {k}");
    v
}

/// What the gateway does: merge query and body, verify `sign` over the rest.
fn gateway_verify(req: &HttpRequest, public: &PublicKey) -> (Pairs, Pairs) {
    let charset_name = {
        let (_, q) = req.url.split_once('?').unwrap();
        let q = form::decode_pairs(q.as_bytes(), Charset::Utf8).unwrap();
        get(&q, "charset")
            .expect("charset must be in the query")
            .to_string()
    };
    let charset = Charset::parse(&charset_name).unwrap();
    let (q, b) = decode(req, charset);
    let sig = get(&q, "sign").expect("sign in the query").to_string();
    let sign_type = SignType::parse(get(&q, "sign_type").unwrap()).unwrap();
    let all: Vec<(&str, &str)> = q
        .iter()
        .chain(b.iter())
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let content = sign::sign_content(all.iter().copied());
    assert_eq!(content, req.sign_content);
    let mut expected_params: Vec<(String, String)> = all
        .iter()
        .filter(|(k, _)| *k != "sign")
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    expected_params.sort();
    let mut got = req.params.clone();
    got.sort();
    assert_eq!(got, expected_params);
    sign::verify_base64(&charset.encode(&content).unwrap(), &sig, public, sign_type).unwrap();
    (q, b)
}

const BIZ: &str = r#"{"out_trade_no":"20240102150405001","scene":"bar_code","auth_code":"28763443825664394","product_code":"FACE_TO_FACE_PAYMENT","subject":"测试商品 A&B=1","total_amount":"88.88","store_id":"NJ_001","timeout_express":"2m"}"#;

#[test]
fn utf8_request_layout_and_signature() {
    let (key, public) = app();
    let cfg = SignerConfig {
        notify_url: Some("https://example.com/notify?x=1&y=2".into()),
        ..SignerConfig::new("2021000122671080")
    };
    let signer = Signer::new(cfg, key, None).unwrap();
    let req = signer.build_request("alipay.trade.pay", BIZ, NOW).unwrap();
    assert_eq!(req.method, "POST");
    assert!(req
        .url
        .starts_with(&format!("{DEFAULT_GATEWAY}?method=alipay.trade.pay&")));
    assert_eq!(
        req.headers,
        vec![(
            "content-type".to_string(),
            "application/x-www-form-urlencoded;charset=utf-8".to_string()
        )]
    );
    let (q, b) = gateway_verify(&req, &public);
    assert_eq!(get(&q, "charset"), Some("utf-8"));
    assert_eq!(get(&q, "app_id"), Some("2021000122671080"));
    assert_eq!(get(&q, "format"), Some("json"));
    assert_eq!(get(&q, "version"), Some("1.0"));
    assert_eq!(get(&q, "sign_type"), Some("RSA2"));
    assert_eq!(get(&q, "timestamp"), Some("2024-01-02 15:04:05"));
    assert_eq!(
        get(&q, "notify_url"),
        Some("https://example.com/notify?x=1&y=2")
    );
    assert_eq!(get(&q, "biz_content"), None);
    assert_eq!(b, vec![("biz_content".to_string(), BIZ.to_string())]);
    // The sign content is the npm vector's plus `format=json` (node omits it).
    assert_eq!(
        req.sign_content,
        format!(
            "app_id=2021000122671080&biz_content={BIZ}&charset=utf-8&format=json&method=alipay.trade.pay&notify_url=https://example.com/notify?x=1&y=2&sign_type=RSA2&timestamp=2024-01-02 15:04:05&version=1.0"
        )
    );
    // The biz_content is sent exactly as given, percent-encoded once.
    let body = String::from_utf8(req.body.clone()).unwrap();
    assert!(body.starts_with("biz_content=%7B%22out_trade_no%22%3A%2220240102150405001%22"));
    assert!(body.contains("%E6%B5%8B%E8%AF%95%E5%95%86%E5%93%81+A%26B%3D1"));
    // The sign is not part of params or sign content.
    assert!(req.params.iter().all(|(k, _)| k != "sign"));
    assert!(!req.sign_content.contains("sign="));
}

#[test]
fn matches_openssl_gbk_and_cert_mode_vectors_byte_for_byte() {
    let vectors = openssl_vectors();
    let mut checked = 0;
    for v in &vectors {
        let p = v["params"].as_object().unwrap();
        let is_full_request = [
            "app_id",
            "method",
            "format",
            "charset",
            "sign_type",
            "timestamp",
            "version",
            "biz_content",
        ]
        .iter()
        .all(|k| p.contains_key(*k));
        if !is_full_request {
            continue;
        }
        let key_file = v["private_key_file"]
            .as_str()
            .unwrap()
            .trim_start_matches("shared:keys/");
        let key = PrivateKey::parse(&shared_key(key_file)).unwrap();
        let public = key.public_key();
        let s = |k: &str| p.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let cfg = SignerConfig {
            charset: Charset::parse(&s("charset").unwrap()).unwrap(),
            sign_type: SignType::parse(&s("sign_type").unwrap()).unwrap(),
            app_cert_sn: s("app_cert_sn"),
            alipay_root_cert_sn: s("alipay_root_cert_sn"),
            notify_url: s("notify_url"),
            app_auth_token: s("app_auth_token"),
            ..SignerConfig::new(s("app_id").unwrap())
        };
        let now = time::parse_timestamp(&s("timestamp").unwrap()).unwrap();
        let signer = Signer::new(cfg, key, None).unwrap();
        let req = signer
            .build_request(&s("method").unwrap(), &s("biz_content").unwrap(), now)
            .unwrap();
        assert_eq!(
            req.sign_content,
            v["expected_sign_content"].as_str().unwrap()
        );
        let (q, _) = gateway_verify(&req, &public);
        assert_eq!(get(&q, "sign"), v["expected_sign"].as_str());
        checked += 1;
    }
    assert_eq!(checked, 2, "the GBK and the cert-mode vectors");
}

#[test]
fn gbk_request_is_encoded_in_gbk() {
    let (key, public) = app();
    let cfg = SignerConfig {
        charset: Charset::Gbk,
        ..SignerConfig::new("2021000122671080")
    };
    let signer = Signer::new(cfg, key, None).unwrap();
    let biz = r#"{"subject":"中文 测试"}"#;
    let req = signer.build_request("alipay.trade.pay", biz, NOW).unwrap();
    assert_eq!(
        req.headers[0].1,
        "application/x-www-form-urlencoded;charset=gbk"
    );
    let body = String::from_utf8(req.body.clone()).unwrap();
    assert!(body.contains("%D6%D0%CE%C4+%B2%E2%CA%D4"), "{body}");
    let (q, b) = gateway_verify(&req, &public);
    assert_eq!(get(&q, "charset"), Some("gbk"));
    assert_eq!(get(&b, "biz_content"), Some(biz));
    // The body is not UTF-8 once decoded.
    assert_eq!(
        form::decode_pairs(&req.body, Charset::Utf8)
            .unwrap_err()
            .code(),
        ErrorCode::Charset
    );
    // A character GBK cannot encode is refused, never replaced.
    let e = signer
        .build_request("alipay.trade.pay", r#"{"subject":"咖啡 ☕😀"}"#, NOW)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Charset);
}

#[test]
fn empty_values_are_neither_signed_nor_sent() {
    let (key, public) = app();
    let cfg = SignerConfig {
        notify_url: Some(String::new()),
        app_auth_token: Some(String::new()),
        app_cert_sn: Some(String::new()),
        alipay_root_cert_sn: None,
        ..SignerConfig::new("2021000122671080")
    };
    let signer = Signer::new(cfg, key, None).unwrap();
    let req = signer
        .build_request("alipay.trade.query", "{}", NOW)
        .unwrap();
    for k in [
        "notify_url",
        "app_auth_token",
        "app_cert_sn",
        "alipay_root_cert_sn",
        "encrypt_type",
    ] {
        assert!(!req.url.contains(&format!("{k}=")), "{k}");
        assert!(!req.sign_content.contains(&format!("{k}=")), "{k}");
        assert!(req.params.iter().all(|(p, _)| p != k));
    }
    assert!(!String::from_utf8(req.body.clone())
        .unwrap()
        .contains("app_auth_token"));
    gateway_verify(&req, &public);
}

#[test]
fn app_auth_token_goes_in_the_body_and_is_signed() {
    let (key, public) = app();
    let cfg = SignerConfig {
        app_auth_token: Some("202401BBa5d2b0e2c0f44f2bb7d0a8e3".into()),
        app_cert_sn: Some("866efef280dec9137a87d047ac446315".into()),
        alipay_root_cert_sn: Some(
            "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6".into(),
        ),
        ..SignerConfig::new("2021000122671080")
    };
    let signer = Signer::new(cfg, key, None).unwrap();
    let req = signer
        .build_request("alipay.trade.cancel", r#"{"out_trade_no":"1"}"#, NOW)
        .unwrap();
    let (q, b) = gateway_verify(&req, &public);
    assert_eq!(
        get(&b, "app_auth_token"),
        Some("202401BBa5d2b0e2c0f44f2bb7d0a8e3")
    );
    assert_eq!(get(&q, "app_auth_token"), None);
    assert_eq!(
        get(&q, "app_cert_sn"),
        Some("866efef280dec9137a87d047ac446315")
    );
    assert!(req
        .sign_content
        .contains("&app_auth_token=202401BBa5d2b0e2c0f44f2bb7d0a8e3&"));
    assert!(req
        .sign_content
        .contains("alipay_root_cert_sn=687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6&app_auth_token="));
}

#[test]
fn aes_encrypt_then_sign() {
    let (key, public) = app();
    let aes = AesKey::from_base64("aa4BtZ4tspm2wnXLb1ThQA==").unwrap();
    for charset in [Charset::Utf8, Charset::Gbk] {
        let cfg = SignerConfig {
            charset,
            ..SignerConfig::new("2021000122671080")
        };
        let signer = Signer::new(cfg, key.clone(), Some(aes.clone())).unwrap();
        assert!(signer.encrypts());
        let biz = r#"{"out_trade_no":"A1","subject":"加密 test"}"#;
        let req = signer.build_request("alipay.trade.pay", biz, NOW).unwrap();
        let (q, b) = gateway_verify(&req, &public);
        assert_eq!(get(&q, "encrypt_type"), Some("AES"));
        let cipher = get(&b, "biz_content").unwrap();
        assert_ne!(cipher, biz);
        assert!(!cipher.contains('{'));
        // The signed value is the ciphertext.
        assert!(req.sign_content.contains(&format!("biz_content={cipher}&")));
        let plain = aes.decrypt(cipher).unwrap();
        assert_eq!(charset.decode(&plain).unwrap(), biz);
        assert_eq!(plain, charset.encode(biz).unwrap().into_owned());
    }
}

#[test]
fn arguments_are_validated() {
    let (key, _) = app();
    let signer = Signer::new(SignerConfig::new("2021000122671080"), key.clone(), None).unwrap();
    for m in ["", "alipay trade pay", "支付", "alipay.trade.pay\n"] {
        let e = signer.build_request(m, "{}", NOW).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument, "{m:?}");
        assert_eq!(e.field(), Some("method"));
    }
    for biz in ["", "[]", "\"s\"", "1", "{", "{}x", "{\"a\":}", "null"] {
        let e = signer
            .build_request("alipay.trade.pay", biz, NOW)
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument, "{biz:?}");
        assert_eq!(e.field(), Some("biz_content"));
    }
    signer
        .build_request("alipay.trade.pay", " { } ", NOW)
        .unwrap();
    for (cfg, field) in [
        (SignerConfig::new(""), "app_id"),
        (SignerConfig::new("20 21"), "app_id"),
        (
            SignerConfig {
                gateway: "ftp://example.com/gateway.do".into(),
                ..SignerConfig::new("1")
            },
            "gateway",
        ),
        (
            SignerConfig {
                gateway: "https://example.com/gateway.do#x".into(),
                ..SignerConfig::new("1")
            },
            "gateway",
        ),
    ] {
        let e = Signer::new(cfg, key.clone(), None).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        assert_eq!(e.field(), Some(field));
    }
    let gbk_bad = SignerConfig {
        charset: Charset::Gbk,
        notify_url: Some("https://example.com/😀".into()),
        ..SignerConfig::new("1")
    };
    assert_eq!(
        Signer::new(gbk_bad, key, None).unwrap_err().code(),
        ErrorCode::Charset
    );
}

#[test]
fn gateway_with_existing_query_and_timestamp() {
    let (key, public) = app();
    let cfg = SignerConfig {
        gateway: "https://openapi-sandbox.dl.alipaydev.com/gateway.do?tenant=1".into(),
        ..SignerConfig::new("2021000122671080")
    };
    let signer = Signer::new(cfg, key, None).unwrap();
    // 2023-12-31T16:00:00.123Z is already New Year in UTC+8.
    let req = signer
        .build_request("alipay.trade.query", "{}", 1_704_038_400_123)
        .unwrap();
    assert!(req
        .url
        .starts_with("https://openapi-sandbox.dl.alipaydev.com/gateway.do?tenant=1&method="));
    let (_, query) = req.url.split_once('?').unwrap();
    let q = form::decode_pairs(query.as_bytes(), Charset::Utf8).unwrap();
    assert_eq!(get(&q, "timestamp"), Some("2024-01-01 00:00:00"));
    // `tenant` is not an Alipay param and not signed; the rest verifies.
    let body = form::decode_pairs(&req.body, Charset::Utf8).unwrap();
    let pairs: Vec<(&str, &str)> = q
        .iter()
        .chain(body.iter())
        .filter(|(k, _)| k != "tenant")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let sig = get(&q, "sign").unwrap();
    sign::verify_base64(
        sign::sign_content(pairs).as_bytes(),
        sig,
        &public,
        SignType::Rsa2,
    )
    .unwrap();
}

fn gbk_safe(s: &str) -> bool {
    Charset::Gbk.encode(s).is_ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn prop_form_round_trip(pairs in prop::collection::vec(("\\PC{0,10}", "\\PC{0,20}"), 0..6), gbk in any::<bool>()) {
        let cs = if gbk { Charset::Gbk } else { Charset::Utf8 };
        let it = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        match form::encode_pairs(it, cs) {
            Ok(enc) => {
                prop_assert!(enc.is_ascii());
                let dec = form::decode_pairs(enc.as_bytes(), cs).unwrap();
                // Pairs with an empty key and value encode to "=", which decodes back.
                prop_assert_eq!(dec, pairs.clone());
            }
            Err(e) => {
                prop_assert_eq!(e.code(), ErrorCode::Charset);
                prop_assert!(gbk);
                prop_assert!(pairs.iter().any(|(k, v)| !gbk_safe(k) || !gbk_safe(v)));
            }
        }
    }

    #[test]
    fn prop_component_round_trip(s in "\\PC{0,40}", gbk in any::<bool>()) {
        let cs = if gbk { Charset::Gbk } else { Charset::Utf8 };
        if let Ok(enc) = form::encode_component(&s, cs) {
            prop_assert!(enc.bytes().all(|b| b.is_ascii_alphanumeric() || b"*-._+%".contains(&b)));
            prop_assert_eq!(form::decode_component(enc.as_bytes(), cs).unwrap(), s);
        }
    }

    #[test]
    fn prop_decode_never_panics(input in prop::collection::vec(any::<u8>(), 0..64), gbk in any::<bool>()) {
        let cs = if gbk { Charset::Gbk } else { Charset::Utf8 };
        let _ = form::decode_pairs(&input, cs);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Any subject/amount text: the built request verifies as the gateway would.
    #[test]
    fn prop_requests_verify(subject in "\\PC{0,30}", gbk in any::<bool>(), now in 0u64..4_102_444_800_000) {
        let (key, public) = app();
        let cs = if gbk { Charset::Gbk } else { Charset::Utf8 };
        let cfg = SignerConfig { charset: cs, ..SignerConfig::new("2021000122671080") };
        let signer = Signer::new(cfg, key, None).unwrap();
        let biz = serde_json::json!({"out_trade_no": "P1", "subject": subject}).to_string();
        match signer.build_request("alipay.trade.pay", &biz, now) {
            Ok(req) => {
                let (q, _) = gateway_verify(&req, &public);
                prop_assert_eq!(get(&q, "timestamp").unwrap(), time::format_timestamp(now));
            }
            Err(e) => {
                prop_assert_eq!(e.code(), ErrorCode::Charset);
                prop_assert!(!gbk_safe(&subject));
            }
        }
    }
}
