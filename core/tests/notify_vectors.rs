//! Notification verification (protocol §3): every vector of
//! `notify_vectors.json`, plus generated notifications signed with the
//! fixture app key (GBK, `%` in values, defaults, tampering, duplicates).

use std::sync::OnceLock;

use alipay_f2f_core::notify::{self, Notification};
use alipay_f2f_core::{form, Charset, ErrorCode, PrivateKey, PublicKey, SignType};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use proptest::prelude::*;
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures");

fn read(rel: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{rel}")).unwrap()
}

fn vectors() -> Vec<Value> {
    serde_json::from_str(&read("notify_vectors.json")).unwrap()
}

fn params_of(v: &Value) -> Vec<(String, String)> {
    v["params_decoded"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect()
}

fn key_of(v: &Value) -> PublicKey {
    match v.get("alipay_public_key_base64") {
        Some(b64) => PublicKey::parse(b64.as_str().unwrap()).unwrap(),
        None => PublicKey::parse(&read(v["alipay_public_key_file"].as_str().unwrap())).unwrap(),
    }
}

fn app_private() -> &'static PrivateKey {
    static K: OnceLock<PrivateKey> = OnceLock::new();
    K.get_or_init(|| PrivateKey::parse(&read("keys/app-private-key.pem")).unwrap())
}

fn app_public() -> PublicKey {
    PublicKey::parse(&read("keys/app-public-key.pem")).unwrap()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Signs `params` by the V1 rule in `charset` with `sign_type`, returns
/// the params with `sign` appended.
fn signed(
    mut params: Vec<(String, String)>,
    charset: Charset,
    st: SignType,
) -> Vec<(String, String)> {
    let content = notify::sign_content_v1(&params);
    let bytes = charset.encode(&content).unwrap();
    let sig = STANDARD.encode(app_private().sign(&bytes, st).unwrap());
    params.push(("sign".into(), sig));
    params
}

fn form_body(params: &[(String, String)], charset: Charset) -> Vec<u8> {
    form::encode_pairs(
        params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        charset,
    )
    .unwrap()
    .into_bytes()
}

#[test]
fn v1_payment_notification_vector() {
    let v = &vectors()[0];
    assert_eq!(v["expected_verify"], true);
    let params = params_of(v);
    let key = key_of(v);
    assert_eq!(
        notify::sign_content_v1(&params),
        v["expected_sign_content"].as_str().unwrap()
    );
    let n: Notification = notify::verify_params(&params, &key, SignType::Rsa2).unwrap();
    assert_eq!(n.notify_type(), Some("trade_status_sync"));
    assert_eq!(n.trade_status(), Some("TRADE_SUCCESS"));
    assert!(n.is_paid());
    assert_eq!(n.out_trade_no(), Some("20190815155618536-564-57"));
    assert_eq!(n.total_amount(), Some("0.10"));
    assert_eq!(n.app_id(), Some("2019073166072302"));
    assert_eq!(n.seller_id(), Some("2088531891668739"));
    assert_eq!(n.trade_no(), Some("2019081522001468450512505578"));
    assert_eq!(n.notify_id(), Some("2019081500222155624068450559358070"));
    assert_eq!(n.get("subject"), Some("语雀空间 500人规模"));
    n.expect("total_amount", "0.10").unwrap();
    n.expect("app_id", "2019073166072302").unwrap();
    assert_eq!(n.params.len(), params.len());

    // the raw form body from the wire
    let body = v["example_form_body_utf8"].as_str().unwrap().as_bytes();
    let n2 = notify::verify_form(body, &key, SignType::Rsa2).unwrap();
    assert_eq!(n2.get("fund_bill_list"), n.get("fund_bill_list"));
    assert_eq!(n2.get("sign"), n.get("sign"));

    // it does not verify with sign_type kept (the other rule)
    for e in [
        notify::verify_params_v2(&params, &key, SignType::Rsa2).unwrap_err(),
        notify::verify_form_v2(body, &key, SignType::Rsa2).unwrap_err(),
    ] {
        assert_eq!(e.code(), ErrorCode::Signature);
    }
    // nor with another key
    assert_eq!(
        notify::verify_params(&params, &app_public(), SignType::Rsa2)
            .unwrap_err()
            .code(),
        ErrorCode::Signature
    );
    // decoding twice (the node SDK bug) would be a different content: a
    // body whose values are percent-encoded twice must fail
    let twice = form::encode_pairs(
        std::str::from_utf8(body)
            .unwrap()
            .split('&')
            .map(|kv| kv.split_once('=').unwrap()),
        Charset::Utf8,
    )
    .unwrap();
    assert_eq!(
        notify::verify_form(twice.as_bytes(), &key, SignType::Rsa2)
            .unwrap_err()
            .code(),
        ErrorCode::Signature
    );
}

#[test]
fn v2_gateway_message_vector() {
    let v = &vectors()[1];
    let params = params_of(v);
    let key = key_of(v);
    assert_eq!(
        notify::sign_content_v2(&params),
        v["expected_sign_content"].as_str().unwrap()
    );
    let n = notify::verify_params_v2(&params, &key, SignType::Rsa2).unwrap();
    assert_eq!(n.get("notify_type"), Some("servicemarket_order_notify"));
    let body = form_body(&params, Charset::Utf8);
    notify::verify_form_v2(&body, &key, SignType::Rsa2).unwrap();
    // V1 drops sign_type: fails
    assert_eq!(
        notify::verify_params(&params, &key, SignType::Rsa2)
            .unwrap_err()
            .code(),
        ErrorCode::Signature
    );
}

#[test]
fn tampered_vector_fails() {
    let v = &vectors()[2];
    assert_eq!(v["expected_verify"], false);
    let params = params_of(v);
    let key = key_of(v);
    let e = notify::verify_params(&params, &key, SignType::Rsa2).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Signature);
    let e =
        notify::verify_form(&form_body(&params, Charset::Utf8), &key, SignType::Rsa2).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Signature);
}

#[test]
fn values_are_decoded_exactly_once() {
    let params = signed(
        pairs(&[
            ("notify_type", "trade_status_sync"),
            ("charset", "utf-8"),
            ("passback_params", "a%20b%%25 +&=c"),
            ("subject", "测试 100% A&B=1"),
            ("sign_type", "RSA2"),
        ]),
        Charset::Utf8,
        SignType::Rsa2,
    );
    let body = form_body(&params, Charset::Utf8);
    let n = notify::verify_form(&body, &app_public(), SignType::Rsa2).unwrap();
    assert_eq!(n.get("passback_params"), Some("a%20b%%25 +&=c"));
    assert_eq!(n.get("subject"), Some("测试 100% A&B=1"));
    notify::verify_params(&params, &app_public(), SignType::Rsa2).unwrap();
}

#[test]
fn gbk_notification_uses_its_own_charset() {
    let params = signed(
        pairs(&[
            ("charset", "GBK"),
            ("subject", "语雀空间 500人规模，测试"),
            ("total_amount", "0.10"),
            ("sign_type", "RSA2"),
        ]),
        Charset::Gbk,
        SignType::Rsa2,
    );
    // on the wire: percent-encoded GBK bytes
    let body = form_body(&params, Charset::Gbk);
    assert!(std::str::from_utf8(&body).unwrap().contains("%D3%EF")); // 语 in GBK
    let n = notify::verify_form(&body, &app_public(), SignType::Rsa2).unwrap();
    assert_eq!(n.get("subject"), Some("语雀空间 500人规模，测试"));
    // decoded params: the charset param still selects GBK bytes
    notify::verify_params(&params, &app_public(), SignType::Rsa2).unwrap();
    // the same params claiming utf-8 do not verify
    let mut utf8 = params.clone();
    utf8[0].1 = "utf-8".into();
    assert_eq!(
        notify::verify_params(&utf8, &app_public(), SignType::Rsa2)
            .unwrap_err()
            .code(),
        ErrorCode::Signature
    );
    // charset param after other fields
    let mut reordered: Vec<_> = params.iter().skip(1).cloned().collect();
    reordered.push(params[0].clone());
    let body = form_body(&reordered, Charset::Gbk);
    notify::verify_form(&body, &app_public(), SignType::Rsa2).unwrap();
    // an unknown charset
    let mut latin = params.clone();
    latin[0].1 = "latin1".into();
    assert_eq!(
        notify::verify_params(&latin, &app_public(), SignType::Rsa2)
            .unwrap_err()
            .code(),
        ErrorCode::Charset
    );
}

#[test]
fn sign_type_param_or_default() {
    // RSA (SHA-1) signature, notification without sign_type
    let params = signed(
        pairs(&[("a", "1"), ("b", "2")]),
        Charset::Utf8,
        SignType::Rsa,
    );
    notify::verify_params(&params, &app_public(), SignType::Rsa).unwrap();
    assert_eq!(
        notify::verify_params(&params, &app_public(), SignType::Rsa2)
            .unwrap_err()
            .code(),
        ErrorCode::Signature
    );
    // with sign_type=RSA the param wins over the default
    let mut with = params.clone();
    with.push(("sign_type".into(), "RSA".into()));
    notify::verify_params(&with, &app_public(), SignType::Rsa2).unwrap();
    // an unknown sign_type
    let mut bad = params.clone();
    bad.push(("sign_type".into(), "SM2".into()));
    assert_eq!(
        notify::verify_params(&bad, &app_public(), SignType::Rsa2)
            .unwrap_err()
            .code(),
        ErrorCode::InvalidArgument
    );
}

#[test]
fn empty_values_are_not_signed() {
    let params = signed(
        pairs(&[("a", "1"), ("b", "2")]),
        Charset::Utf8,
        SignType::Rsa2,
    );
    let mut with_empty = params.clone();
    with_empty.push(("c".into(), String::new()));
    let n = notify::verify_params(&with_empty, &app_public(), SignType::Rsa2).unwrap();
    assert_eq!(n.get("c"), Some(""));
    let mut body = form_body(&params, Charset::Utf8);
    body.extend_from_slice(b"&d=");
    notify::verify_form(&body, &app_public(), SignType::Rsa2).unwrap();
}

#[test]
fn negative_cases() {
    let params = signed(
        pairs(&[("trade_status", "TRADE_SUCCESS"), ("total_amount", "0.10")]),
        Charset::Utf8,
        SignType::Rsa2,
    );
    let key = app_public();
    // tampered value
    let mut t = params.clone();
    t[1].1 = "100.00".into();
    assert_eq!(
        notify::verify_params(&t, &key, SignType::Rsa2)
            .unwrap_err()
            .code(),
        ErrorCode::Signature
    );
    // no sign / empty sign
    let unsigned: Vec<_> = params
        .iter()
        .filter(|(k, _)| k != "sign")
        .cloned()
        .collect();
    assert_eq!(
        notify::verify_params(&unsigned, &key, SignType::Rsa2)
            .unwrap_err()
            .code(),
        ErrorCode::Signature
    );
    let mut empty = unsigned.clone();
    empty.push(("sign".into(), String::new()));
    assert_eq!(
        notify::verify_params(&empty, &key, SignType::Rsa2)
            .unwrap_err()
            .code(),
        ErrorCode::Signature
    );
    // a duplicated parameter (e.g. an empty second trade_status)
    let mut dup = params.clone();
    dup.push(("trade_status".into(), String::new()));
    let e = notify::verify_params(&dup, &key, SignType::Rsa2).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArgument);
    assert_eq!(e.field(), Some("trade_status"));
    let mut body = form_body(&params, Charset::Utf8);
    body.extend_from_slice(b"&trade_status=WAIT_BUYER_PAY");
    assert_eq!(
        notify::verify_form(&body, &key, SignType::Rsa2)
            .unwrap_err()
            .code(),
        ErrorCode::InvalidArgument
    );
    // not a notification at all
    for junk in [&b""[..], b"&&&", b"%", b"%zz=1", b"\xff\xfe=1", b"sign=%ZZ"] {
        assert!(notify::verify_form(junk, &key, SignType::Rsa2).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_form_bodies_never_panic(body in proptest::collection::vec(any::<u8>(), 0..200)) {
        let key = app_public();
        prop_assert!(notify::verify_form(&body, &key, SignType::Rsa2).is_err());
        prop_assert!(notify::verify_form_v2(&body, &key, SignType::Rsa2).is_err());
    }

    #[test]
    fn form_like_bodies_never_panic(
        parts in proptest::collection::vec(("[a-z_%+=&]{0,8}", "[ -~]{0,12}"), 0..8)
    ) {
        let body: String = parts
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        prop_assert!(notify::verify_form(body.as_bytes(), &app_public(), SignType::Rsa2).is_err());
    }
}

const PROD_SN: &str = "c5f1c14ddd03800943ddf3f452aaf3d9";

fn prod_signed(mut params: Vec<(String, String)>, exclude_sn: bool) -> Vec<(String, String)> {
    let key = PrivateKey::parse(&read("keys/privateKey_ProdCert_pkcs1.pem")).unwrap();
    let for_content: Vec<_> = params
        .iter()
        .filter(|(k, _)| !(exclude_sn && k == "alipay_cert_sn"))
        .cloned()
        .collect();
    let content = notify::sign_content_v1(&for_content);
    let sig = STANDARD.encode(key.sign(content.as_bytes(), SignType::Rsa2).unwrap());
    params.push(("sign".into(), sig));
    params
}

#[test]
fn certificate_mode_notifications() {
    use alipay_f2f_core::response::Verifier;
    let prod_cert = read("keys/appCertPublicKey_2021003126695331.crt");
    let other_cert = read("keys/alipayCertPublicKey_RSA2.crt");
    let two = Verifier::from_certs(&[&other_cert, &prod_cert], SignType::Rsa2).unwrap();
    let one = Verifier::from_certs(&[&prod_cert], SignType::Rsa2).unwrap();
    let base = pairs(&[
        ("notify_type", "trade_status_sync"),
        ("trade_status", "TRADE_SUCCESS"),
        ("alipay_cert_sn", PROD_SN),
        ("sign_type", "RSA2"),
    ]);
    // alipay_cert_sn signed (Java rule) or not (other SDKs): both accepted
    for exclude in [false, true] {
        let p = prod_signed(base.clone(), exclude);
        let n = notify::verify_params_with(&p, &two).unwrap();
        assert!(n.is_paid());
        let body = form_body(&p, Charset::Utf8);
        notify::verify_form_with(&body, &two).unwrap();
        // the plain-key API works too when given the right key
        let key = alipay_f2f_core::cert::public_key_from_cert(&prod_cert).unwrap();
        notify::verify_params(&p, &key, SignType::Rsa2).unwrap();
    }
    // unknown SN
    let mut unknown = base.clone();
    unknown[2].1 = "0123456789abcdef0123456789abcdef".into();
    let p = prod_signed(unknown, false);
    assert_eq!(
        notify::verify_params_with(&p, &two).unwrap_err().code(),
        ErrorCode::Cert
    );
    // no SN: fine with one certificate, ambiguous with two
    let no_sn: Vec<_> = base
        .iter()
        .filter(|(k, _)| k != "alipay_cert_sn")
        .cloned()
        .collect();
    let p = prod_signed(no_sn, false);
    notify::verify_params_with(&p, &one).unwrap();
    assert_eq!(
        notify::verify_params_with(&p, &two).unwrap_err().code(),
        ErrorCode::Cert
    );
    // the SN of the wrong certificate
    let mut wrong = base.clone();
    wrong[2].1 = "7513daaaa48aa3ba2e4018d84402479c".into();
    let p = prod_signed(wrong, false);
    assert_eq!(
        notify::verify_params_with(&p, &two).unwrap_err().code(),
        ErrorCode::Signature
    );
    // public-key verifier: its key, sign type default from the verifier
    let pk = Verifier::new(app_public(), SignType::Rsa);
    let p = signed(pairs(&[("a", "1")]), Charset::Utf8, SignType::Rsa);
    notify::verify_params_with(&p, &pk).unwrap();
}

#[test]
fn many_parameters_are_handled_in_linear_time() {
    let mut body = String::new();
    for i in 0..100_000 {
        body.push_str(&format!("k{i}=v&"));
    }
    body.push_str("k5=again&sign=AAAA");
    let start = std::time::Instant::now();
    let e = notify::verify_form(body.as_bytes(), &app_public(), SignType::Rsa2).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArgument);
    assert_eq!(e.field(), Some("k5"));
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}
