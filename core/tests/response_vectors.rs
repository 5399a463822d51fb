//! Response verification (protocol §2): every vector of
//! `response_verify_vectors.json` and `extract_sign_content_vectors.json`,
//! plus generated bodies signed with the fixture app key for the cases the
//! real vectors do not cover (encrypted nodes, certificate mode, GBK,
//! `\/` fallback, duplicate nodes, unsigned answers).

use std::sync::OnceLock;

use alipay_f2f_core::aes::AesKey;
use alipay_f2f_core::response::{extract_signed_content, Verifier};
use alipay_f2f_core::{Charset, ErrorCode, PrivateKey, PublicKey, SignType};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{Map, Value};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures");

fn read(rel: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{rel}")).unwrap()
}

fn app_private() -> &'static PrivateKey {
    static K: OnceLock<PrivateKey> = OnceLock::new();
    K.get_or_init(|| PrivateKey::parse(&read("keys/app-private-key.pem")).unwrap())
}

fn app_public() -> PublicKey {
    PublicKey::parse(&read("keys/app-public-key.pem")).unwrap()
}

fn app_verifier() -> Verifier {
    Verifier::new(app_public(), SignType::Rsa2)
}

fn sign_b64(key: &PrivateKey, content: &[u8]) -> String {
    STANDARD.encode(key.sign(content, SignType::Rsa2).unwrap())
}

fn obj(text: &str) -> Map<String, Value> {
    serde_json::from_str(text).unwrap()
}

#[test]
fn real_response_vectors() {
    let vectors: Vec<Value> = serde_json::from_str(&read("response_verify_vectors.json")).unwrap();
    let mut verified = 0;
    let mut unsigned = 0;
    for v in &vectors {
        let body = v["response_body"].as_str().unwrap();
        let method = v["method"].as_str().unwrap();
        let sc = extract_signed_content(body, method).unwrap();
        match v["expected_verify"].as_bool() {
            Some(true) => {
                let expected = v["expected_sign_content"].as_str().unwrap();
                assert_eq!(sc.content, expected);
                let file = v["alipay_public_key_file"]
                    .as_str()
                    .unwrap()
                    .split_whitespace()
                    .next()
                    .unwrap();
                let key = PublicKey::parse(&read(file)).unwrap();
                assert_eq!(v["sign_type"], "RSA2");
                let verifier = Verifier::new(key.clone(), SignType::Rsa2);
                let r = verifier.verify(body, method).unwrap();
                assert_eq!(r.object, obj(expected));
                assert_eq!(r.method, method);
                assert_eq!(r.cert_sn, None);
                let gd = r.gateway_detail();
                assert!(gd.verified);
                assert_eq!(gd.code.as_deref(), Some(r.code()));
                // bytes API, UTF-8
                let r2 = verifier
                    .verify_bytes(body.as_bytes(), Charset::Utf8, method)
                    .unwrap();
                assert_eq!(r2, r);
                // the wrong key (the app public key: classic mistake)
                let e = app_verifier().verify(body, method).unwrap_err();
                assert_eq!(e.code(), ErrorCode::Signature);
                let g = e.gateway().unwrap();
                assert!(!g.verified);
                assert_eq!(g.code.as_deref(), Some(r.code()));
                // RSA (SHA-1) configured instead of RSA2
                let e = Verifier::new(key, SignType::Rsa)
                    .verify(body, method)
                    .unwrap_err();
                assert_eq!(e.code(), ErrorCode::Signature);
                verified += 1;
            }
            Some(false) => unreachable!("no such vector"),
            None => {
                assert!(sc.sign.is_none());
                let e = app_verifier().verify(body, method).unwrap_err();
                assert_eq!(e.code(), ErrorCode::UnsignedResponse);
                let g = e.gateway().unwrap();
                assert_eq!(g.code.as_deref(), Some("40002"));
                assert_eq!(g.sub_code.as_deref(), Some("isv.invalid-app-id"));
                assert_eq!(g.sub_msg.as_deref(), Some("无效的AppID参数"));
                assert!(!g.verified);
                unsigned += 1;
            }
        }
    }
    assert_eq!((verified, unsigned), (3, 1));
}

#[test]
fn real_vectors_tampered_fail() {
    let vectors: Vec<Value> = serde_json::from_str(&read("response_verify_vectors.json")).unwrap();
    let v = &vectors[0];
    let body = v["response_body"].as_str().unwrap();
    let method = v["method"].as_str().unwrap();
    let verifier = Verifier::new(
        PublicKey::parse(&read("keys/alipay-public-key.pem")).unwrap(),
        SignType::Rsa2,
    );
    for (from, to) in [
        ("10000", "10001"),
        ("Success", "Success "),
        ("\"code\":\"10000\",", "\"code\": \"10000\","),
        ("QBr\"}", "QBr\",\"x\":1}"),
    ] {
        let tampered = body.replacen(from, to, 1);
        assert_ne!(tampered, body);
        let e = verifier.verify(&tampered, method).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Signature, "{from} -> {to}");
    }
    // a corrupted signature
    let bad_sig = body.replacen("\"sign\":\"F", "\"sign\":\"G", 1);
    assert_eq!(
        verifier.verify(&bad_sig, method).unwrap_err().code(),
        ErrorCode::Signature
    );
    let not_b64 = body.replacen("\"sign\":\"F", "\"sign\":\"*", 1);
    assert_eq!(
        verifier.verify(&not_b64, method).unwrap_err().code(),
        ErrorCode::Signature
    );
    // the wrong method: node not found
    assert_eq!(
        verifier
            .verify(body, "alipay.trade.pay")
            .unwrap_err()
            .code(),
        ErrorCode::ResponseFormat
    );
    // duplicate node after and before the real, signed one
    let node = "\"alipay_open_file_upload_response\"";
    let forged = r#"{"code":"10000","msg":"Success","file_id":"FORGED"}"#;
    let after = format!("{},{node}:{forged}}}", &body[..body.len() - 1]);
    let before = format!("{{{node}:{forged},{}", &body[1..]);
    for b in [after, before] {
        assert_eq!(
            verifier.verify(&b, method).unwrap_err().code(),
            ErrorCode::DuplicateNode,
            "{b}"
        );
    }
}

#[test]
fn extraction_vectors() {
    let doc: Value = serde_json::from_str(&read("extract_sign_content_vectors.json")).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 11);
    for c in cases {
        let body = c["response_body"].as_str().unwrap();
        let sc = extract_signed_content(body, c["method"].as_str().unwrap()).unwrap();
        let expected = c["expected_sign_content"].as_str().unwrap();
        assert_eq!(sc.content, expected, "{body}");
        assert_eq!(sc.is_encrypted(), expected.starts_with('"'));
        assert_eq!(sc.node, "alipay_trade_create_response");
        assert!(sc.sign.is_some());
        // the dummy signatures never verify
        assert_eq!(
            app_verifier()
                .verify(body, c["method"].as_str().unwrap())
                .unwrap_err()
                .code(),
            ErrorCode::Signature
        );
    }
}

/// A body for `alipay.trade.pay` whose node is `content`, signed over
/// `signed` (normally the same text), with optional extra top-level text.
fn body_with(content: &str, sign: &str, extra: &str) -> String {
    format!("{{\"alipay_trade_pay_response\":{content},{extra}\"sign\":\"{sign}\"}}")
}

const PAY: &str = "alipay.trade.pay";

#[test]
fn generated_success_and_business_failure_verify() {
    let content = r#"{"code":"10000","msg":"Success","trade_no":"2024","out_trade_no":"o1","total_amount":"88.88","fund_bill_list":[{"amount":"88.88","fund_channel":"ALIPAYACCOUNT"}]}"#;
    let sig = sign_b64(app_private(), content.as_bytes());
    let r = app_verifier()
        .verify(&body_with(content, &sig, ""), PAY)
        .unwrap();
    assert_eq!(r.code(), "10000");
    let typed: alipay_f2f_core::model::TradePayResponse = r.parse().unwrap();
    assert_eq!(typed.total_amount.as_deref(), Some("88.88"));
    // the object keeps the signed key order
    let keys: Vec<&String> = r.object.keys().collect();
    assert_eq!(keys[0], "code");
    assert_eq!(keys[2], "trade_no");

    let failed = r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_HAS_CLOSE","sub_msg":"交易已经关闭"}"#;
    let sig = sign_b64(app_private(), failed.as_bytes());
    let r = app_verifier()
        .verify(&body_with(failed, &sig, ""), PAY)
        .unwrap();
    assert_eq!(r.code(), "40004");
    assert_eq!(r.sub_code(), Some("ACQ.TRADE_HAS_CLOSE"));
    assert_eq!(r.sub_msg(), Some("交易已经关闭"));
    let g = r.gateway_detail();
    assert!(g.verified);
    assert_eq!(g.sub_code.as_deref(), Some("ACQ.TRADE_HAS_CLOSE"));
}

#[test]
fn signed_error_response_verifies_and_unsigned_does_not() {
    let content = r#"{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.code-invalid"}"#;
    let sig = sign_b64(app_private(), content.as_bytes());
    let body = format!("{{\"error_response\":{content},\"sign\":\"{sig}\"}}");
    let r = app_verifier().verify(&body, PAY).unwrap();
    assert_eq!(r.code(), "40002");
    assert_eq!(r.sub_code(), Some("isv.code-invalid"));

    let unsigned = format!("{{\"error_response\":{content}}}");
    let e = app_verifier().verify(&unsigned, PAY).unwrap_err();
    assert_eq!(e.code(), ErrorCode::UnsignedResponse);
    assert_eq!(
        e.gateway().unwrap().sub_code.as_deref(),
        Some("isv.code-invalid")
    );
}

#[test]
fn unsigned_success_is_never_a_success() {
    for body in [
        r#"{"alipay_trade_pay_response":{"code":"10000","msg":"Success","trade_no":"1"}}"#,
        r#"{"alipay_trade_pay_response":{"code":"10000","msg":"Success"},"sign":""}"#,
        r#"{"alipay_trade_pay_response":{"code":"10000","msg":"Success"},"alipay_cert_sn":"x"}"#,
    ] {
        let e = app_verifier().verify(body, PAY).unwrap_err();
        assert_eq!(e.code(), ErrorCode::UnsignedResponse, "{body}");
        let g = e.gateway().unwrap();
        assert_eq!(g.code.as_deref(), Some("10000"));
        assert!(!g.verified);
        assert!(e.message().contains("never a success"));
    }
    // unsigned encrypted node: no detail can be read
    let e = app_verifier()
        .verify(r#"{"alipay_trade_pay_response":"AAAA"}"#, PAY)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::UnsignedResponse);
    assert_eq!(e.gateway().unwrap().code, None);
}

#[test]
fn escaped_slash_fallback() {
    // Alipay historically signed unescaped slashes while the body carries `\/`.
    let signed = r#"{"code":"10000","msg":"Success","url":"https://a.example/x/y"}"#;
    let sig = sign_b64(app_private(), signed.as_bytes());
    let escaped = signed.replace('/', "\\/");
    let r = app_verifier()
        .verify(&body_with(&escaped, &sig, ""), PAY)
        .unwrap();
    // the object comes from the (escaped) body text, which decodes the same
    assert_eq!(r.get_str("url"), Some("https://a.example/x/y"));
    // the sign value itself may carry `\/` escapes
    let esc_sig = sig.replace('/', "\\/");
    app_verifier()
        .verify(&body_with(signed, &esc_sig, ""), PAY)
        .unwrap();
    // and the fallback does not rescue a real change
    let changed = escaped.replace("x\\/y", "x\\/z");
    assert_eq!(
        app_verifier()
            .verify(&body_with(&changed, &sig, ""), PAY)
            .unwrap_err()
            .code(),
        ErrorCode::Signature
    );
    // a body signed over `\/` verifies directly
    let sig2 = sign_b64(app_private(), escaped.as_bytes());
    app_verifier()
        .verify(&body_with(&escaped, &sig2, ""), PAY)
        .unwrap();
}

#[test]
fn encrypted_node_is_verified_then_decrypted() {
    let aes = AesKey::from_base64("aYA0GP8JEW+D7/UFaskCWA==").unwrap();
    let plain = r#"{"code":"10000","msg":"Success","trade_no":"2024","total_amount":"1.00"}"#;
    let cipher = aes.encrypt(plain.as_bytes());
    let quoted = format!("\"{cipher}\"");
    // the signed content includes the quotes
    let sig = sign_b64(app_private(), quoted.as_bytes());
    let body = body_with(&quoted, &sig, "");
    let sc = extract_signed_content(&body, PAY).unwrap();
    assert_eq!(sc.content, quoted);
    let r = app_verifier()
        .with_aes(aes.clone())
        .verify(&body, PAY)
        .unwrap();
    assert_eq!(r.object, obj(plain));

    // no AES key configured
    let e = app_verifier().verify(&body, PAY).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Decrypt);
    assert!(e.message().contains("no AES key"));
    // the wrong AES key
    let other = AesKey::from_base64("aa4BtZ4tspm2wnXLb1ThQA==").unwrap();
    let e = app_verifier()
        .with_aes(other)
        .verify(&body, PAY)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Decrypt);
    // signed without the quotes: not what Alipay signs, must fail
    let sig_noq = sign_b64(app_private(), cipher.as_bytes());
    let e = app_verifier()
        .with_aes(aes.clone())
        .verify(&body_with(&quoted, &sig_noq, ""), PAY)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Signature);
    // verified before decrypting: a tampered ciphertext is a signature error
    let tampered = format!("\"{}\"", aes.encrypt(b"{\"code\":\"10000\"}"));
    let e = app_verifier()
        .with_aes(aes.clone())
        .verify(&body_with(&tampered, &sig, ""), PAY)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Signature);
    // a signed ciphertext that is not base64 / not an object after decryption
    for junk in ["\"***\"", &format!("\"{}\"", aes.encrypt(b"[1,2]"))] {
        let sig = sign_b64(app_private(), junk.as_bytes());
        let e = app_verifier()
            .with_aes(aes.clone())
            .verify(&body_with(junk, &sig, ""), PAY)
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Decrypt, "{junk}");
    }
}

#[test]
fn node_vector_from_node_sdk_decrypts() {
    // aes_vectors.json[3]: the Node SDK's mock encrypted response value
    let aes = AesKey::from_base64("aYA0GP8JEW+D7/UFaskCWA==").unwrap();
    let quoted = "\"4AOYHE0rpPnRnghunsGo+mY02DzANFLwNJJCiHfrNh2oaB2pn33PwOEOvH8mjhkE3Wh/jR+3jHM9nvoFvOsY/SqZbZzamRg9Eh3VkRqOhSM=\"";
    let sig = sign_b64(app_private(), quoted.as_bytes());
    let r = app_verifier()
        .with_aes(aes)
        .verify(&body_with(quoted, &sig, ""), PAY)
        .unwrap();
    assert_eq!(r.get_str("aes_key"), Some("cW8mcZgoMGUVp5g7uv7bHw=="));
}

/// The Java SDK's ProdCert private key and its certificate (fixtures README).
fn prod_cert_key() -> &'static PrivateKey {
    static K: OnceLock<PrivateKey> = OnceLock::new();
    K.get_or_init(|| PrivateKey::parse(&read("keys/privateKey_ProdCert_pkcs1.pem")).unwrap())
}

const PROD_SN: &str = "c5f1c14ddd03800943ddf3f452aaf3d9";
const ALIPAY_CERT_SN: &str = "7513daaaa48aa3ba2e4018d84402479c";

#[test]
fn certificate_mode_selects_key_by_sn() {
    let content = r#"{"code":"10000","msg":"Success","trade_no":"c1"}"#;
    let sig = sign_b64(prod_cert_key(), content.as_bytes());
    let prod_cert = read("keys/appCertPublicKey_2021003126695331.crt");
    let other_cert = read("keys/alipayCertPublicKey_RSA2.crt");

    // one certificate: SN between the node and sign (python/php-v2 pitfall)
    let one = Verifier::from_certs(&[&prod_cert], SignType::Rsa2).unwrap();
    assert!(one.is_cert_mode());
    assert_eq!(one.cert_sns(), vec![PROD_SN]);
    let with_sn = body_with(content, &sig, &format!("\"alipay_cert_sn\":\"{PROD_SN}\","));
    let r = one.verify(&with_sn, PAY).unwrap();
    assert_eq!(r.cert_sn.as_deref(), Some(PROD_SN));
    // ... or after sign, with whitespace
    let sn_last = format!(
        "{{ \"alipay_trade_pay_response\" : {content} ,\n \"sign\" : \"{sig}\" , \"alipay_cert_sn\" : \"{PROD_SN}\" }}"
    );
    assert_eq!(one.verify(&sn_last, PAY).unwrap().object, r.object);
    // no SN and exactly one certificate: that one
    let no_sn = body_with(content, &sig, "");
    assert_eq!(
        one.verify(&no_sn, PAY).unwrap().cert_sn.as_deref(),
        Some(PROD_SN)
    );
    // unknown SN
    let unknown = body_with(
        content,
        &sig,
        "\"alipay_cert_sn\":\"0123456789abcdef0123456789abcdef\",",
    );
    let e = one.verify(&unknown, PAY).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Cert);
    assert_eq!(e.field(), Some("alipay_cert_sn"));

    // two certificates
    let mut two = Verifier::from_certs(&[&other_cert], SignType::Rsa2).unwrap();
    assert_eq!(two.add_cert(&prod_cert).unwrap(), PROD_SN);
    assert_eq!(two.cert_sns(), vec![ALIPAY_CERT_SN, PROD_SN]);
    assert_eq!(
        two.verify(&with_sn, PAY).unwrap().cert_sn.as_deref(),
        Some(PROD_SN)
    );
    assert_eq!(two.verify(&no_sn, PAY).unwrap_err().code(), ErrorCode::Cert);
    // SN of the other certificate: its key does not verify
    let wrong = body_with(
        content,
        &sig,
        &format!("\"alipay_cert_sn\":\"{ALIPAY_CERT_SN}\","),
    );
    assert_eq!(
        two.verify(&wrong, PAY).unwrap_err().code(),
        ErrorCode::Signature
    );
    // a duplicated alipay_cert_sn is refused
    let dup = body_with(
        content,
        &sig,
        &format!("\"alipay_cert_sn\":\"{ALIPAY_CERT_SN}\",\"alipay_cert_sn\":\"{PROD_SN}\","),
    );
    assert_eq!(
        two.verify(&dup, PAY).unwrap_err().code(),
        ErrorCode::DuplicateNode
    );

    // public-key mode ignores alipay_cert_sn
    let pk = Verifier::new(
        PublicKey::parse(&read("keys/app_2021003126695331_pub.pem")).unwrap(),
        SignType::Rsa2,
    );
    let r = pk.verify(&unknown, PAY).unwrap();
    assert_eq!(r.cert_sn, None);

    // unsigned answers stay unsigned in certificate mode (checked first)
    let e = two
        .verify(
            r#"{"alipay_trade_pay_response":{"code":"40002","sub_code":"isv.invalid-app-id"}}"#,
            PAY,
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::UnsignedResponse);

    // bad certificates
    assert_eq!(
        Verifier::from_certs::<&str>(&[], SignType::Rsa2)
            .unwrap_err()
            .code(),
        ErrorCode::Cert
    );
    assert_eq!(
        Verifier::from_certs(
            &["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"],
            SignType::Rsa2
        )
        .unwrap_err()
        .code(),
        ErrorCode::Cert
    );
}

#[test]
fn gbk_bodies_verify_over_gbk_bytes() {
    let content = r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_HAS_CLOSE","sub_msg":"交易已经关闭，请更换订单号"}"#;
    let gbk = Charset::Gbk.encode(content).unwrap();
    assert_ne!(&gbk[..], content.as_bytes());
    let sig = sign_b64(app_private(), &gbk);
    let body = body_with(content, &sig, "");
    let body_gbk = Charset::Gbk.encode(&body).unwrap().into_owned();
    let r = app_verifier()
        .verify_bytes(&body_gbk, Charset::Gbk, PAY)
        .unwrap();
    assert_eq!(r.sub_msg(), Some("交易已经关闭，请更换订单号"));
    // the same text verified as UTF-8 does not match the GBK signature
    assert_eq!(
        app_verifier().verify(&body, PAY).unwrap_err().code(),
        ErrorCode::Signature
    );
    // GBK bytes are not UTF-8
    assert_eq!(
        app_verifier()
            .verify_bytes(&body_gbk, Charset::Utf8, PAY)
            .unwrap_err()
            .code(),
        ErrorCode::Charset
    );
    // a truncated multi-byte character
    let cut = &body_gbk[..body_gbk.len() - 1];
    assert!(app_verifier().verify_bytes(cut, Charset::Gbk, PAY).is_err());
}

#[test]
fn malformed_bodies_are_format_errors() {
    let v = app_verifier();
    for body in [
        "",
        "\n",
        "<html><head><title>502 Bad Gateway</title></head></html>",
        "null",
        "[]",
        "\"alipay_trade_pay_response\"",
        "{}",
        "{\"alipay_trade_pay_response\":{\"code\":\"10000\"},\"sign\":\"abc\"",
        "{\"alipay_trade_pay_response\":{\"code\":\"10000\",},\"sign\":\"abc\"}",
        "{\"alipay_trade_pay_response\":{\"code\":\"10000\"},\"sign\":\"abc\"} trailing",
        "{\"alipay_trade_pay_response\":123,\"sign\":\"abc\"}",
        "{\"alipay_trade_pay_response\":{},\"sign\":[\"abc\"]}",
        "{'alipay_trade_pay_response':{},'sign':'abc'}",
    ] {
        let e = v.verify(body, PAY).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ResponseFormat, "{body:?}");
        // messages never echo the body
        assert!(!e.message().contains("Bad Gateway"));
    }
    assert_eq!(
        v.verify("{}", "").unwrap_err().code(),
        ErrorCode::InvalidArgument
    );
}

#[test]
fn every_prefix_of_a_signed_body_fails_cleanly() {
    let content = r#"{"code":"10000","msg":"Success","sub_msg":"中文 \u4e2d \"q\" \\ \/","n":[1,{"a":null}]}"#;
    let sig = sign_b64(app_private(), content.as_bytes());
    let body = body_with(content, &sig, "\"alipay_cert_sn\":\"x\",");
    let v = app_verifier();
    let full = v.verify(&body, PAY).unwrap();
    assert_eq!(full.get_str("sub_msg"), Some("中文 中 \"q\" \\ /"));
    for (i, _) in body.char_indices() {
        let e = v.verify(&body[..i], PAY).unwrap_err();
        assert!(
            matches!(
                e.code(),
                ErrorCode::ResponseFormat | ErrorCode::UnsignedResponse
            ),
            "prefix {i}: {e:?}"
        );
        let e = v
            .verify_bytes(&body.as_bytes()[..i], Charset::Utf8, PAY)
            .unwrap_err();
        assert!(matches!(
            e.code(),
            ErrorCode::ResponseFormat | ErrorCode::UnsignedResponse | ErrorCode::Charset
        ));
    }
}

#[test]
fn deeply_nested_bodies_do_not_overflow() {
    let deep = format!(
        "{{\"alipay_trade_pay_response\":{}1{},\"sign\":\"x\"}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(app_verifier().verify(&deep, PAY).is_err());
    let deep_obj = format!(
        "{{\"alipay_trade_pay_response\":{{\"a\":{}1{}}},\"sign\":\"x\"}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(app_verifier().verify(&deep_obj, PAY).is_err());
}

#[test]
fn many_top_level_keys_are_handled_in_linear_time() {
    let mut body = String::from("{");
    for i in 0..100_000 {
        body.push_str(&format!("\"k{i}\":{i},"));
    }
    body.push_str("\"alipay_trade_pay_response\":{\"code\":\"10000\"},\"k7\":0}");
    let start = std::time::Instant::now();
    let e = app_verifier().verify(&body, PAY).unwrap_err();
    assert_eq!(e.code(), ErrorCode::DuplicateNode);
    assert!(e.message().contains("`k7`"));
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
    // long attacker-controlled keys are shortened in messages
    let long = format!(
        "{{\"{k}\":1,\"{k}\":2,\"alipay_trade_pay_response\":{{}}}}",
        k = "x".repeat(10_000)
    );
    let e = app_verifier().verify(&long, PAY).unwrap_err();
    assert_eq!(e.code(), ErrorCode::DuplicateNode);
    assert!(e.message().len() < 200);
}

/// `verify_json` (the bindings' path: the verified object as JSON text) gives
/// the same object as `verify`, and the same error codes, in every case.
#[test]
fn verify_json_agrees_with_verify() {
    let aes = AesKey::from_base64("aYA0GP8JEW+D7/UFaskCWA==").unwrap();
    let plain = r#"{"code":"10000","msg":"Success","trade_no":"2024","total_amount":"1.00"}"#;
    let quoted = format!("\"{}\"", aes.encrypt(plain.as_bytes()));
    let slashed = r#"{"code":"10000","msg":"Success","url":"https://a.example/x/y"}"#;
    let mut bodies: Vec<String> = Vec::new();
    for content in [
        r#"{"code":"10000","msg":"Success","trade_no":"2024","n":1.5,"dup":1,"dup":2,"list":[{"a":"中文"}]}"#,
        r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_HAS_CLOSE"}"#,
        r#"["not","an","object"]"#,
        r#""just a string""#,
        quoted.as_str(),
    ] {
        let sig = sign_b64(app_private(), content.as_bytes());
        bodies.push(body_with(content, &sig, ""));
        bodies.push(body_with(content, &sig.replace('A', "B"), "")); // tampered
    }
    // signed over unescaped slashes, carried escaped (the fallback)
    let sig = sign_b64(app_private(), slashed.as_bytes());
    bodies.push(body_with(&slashed.replace('/', "\\/"), &sig, ""));
    bodies.push(r#"{"alipay_trade_pay_response":{"code":"10000"}}"#.to_string()); // unsigned
    bodies.push("not json".to_string());
    let verifiers = [app_verifier(), app_verifier().with_aes(aes)];
    let mut checked = 0;
    for v in &verifiers {
        for body in &bodies {
            match (v.verify(body, PAY), v.verify_json(body, PAY)) {
                (Ok(r), Ok(text)) => {
                    assert_eq!(obj(&text), r.object, "{body}");
                    checked += 1;
                }
                (Err(a), Err(b)) => assert_eq!(a.code(), b.code(), "{body}"),
                (a, b) => panic!("{body}: {a:?} vs {b:?}"),
            }
        }
    }
    assert!(checked >= 6, "{checked}");
    // the plain case borrows the signed bytes themselves
    let content = r#"{"code":"10000","msg":"Success"}"#;
    let body = body_with(content, &sign_b64(app_private(), content.as_bytes()), "");
    assert!(matches!(
        app_verifier().verify_json(&body, PAY).unwrap(),
        std::borrow::Cow::Borrowed(c) if c == content
    ));
}
