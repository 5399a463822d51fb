//! Property tests of response extraction and verification (protocol §2.2).
//!
//! Business objects are generated as `serde_json::Value`s and written out
//! with random formatting: whitespace everywhere JSON allows it, every
//! character of every string randomly raw, `\uXXXX` (surrogate pairs
//! included) or a short escape (`\"`, `\\`, `\/`, `\n`, ...). The body
//! around the node gets random key order (`sign`, `alipay_cert_sn`, extra
//! keys before or after the node), whitespace and an optional BOM.
//!
//! RSA signing is the slow part in debug builds, so only the `signed_*`
//! property signs (once per case) and derives several checks from each
//! signature; the others reuse one signature or need none.

use std::sync::OnceLock;

use alipay_f2f_core::response::{extract_signed_content, Verifier};
use alipay_f2f_core::{Charset, ErrorCode, PrivateKey, PublicKey, SignType};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use proptest::prelude::*;
use serde_json::{Map, Value};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures");
const PAY: &str = "alipay.trade.pay";
const NODE: &str = "alipay_trade_pay_response";

fn read(rel: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{rel}")).unwrap()
}

fn app_private() -> &'static PrivateKey {
    static K: OnceLock<PrivateKey> = OnceLock::new();
    K.get_or_init(|| PrivateKey::parse(&read("keys/app-private-key.pem")).unwrap())
}

fn verifier() -> &'static Verifier {
    static V: OnceLock<Verifier> = OnceLock::new();
    V.get_or_init(|| {
        Verifier::new(
            PublicKey::parse(&read("keys/app-public-key.pem")).unwrap(),
            SignType::Rsa2,
        )
    })
}

/// SN of the Java SDK's ProdCert certificate, whose private key is a fixture.
const PROD_SN: &str = "c5f1c14ddd03800943ddf3f452aaf3d9";

fn cert_verifier() -> &'static Verifier {
    static V: OnceLock<Verifier> = OnceLock::new();
    V.get_or_init(|| {
        let mut v =
            Verifier::from_certs(&[read("keys/alipayCertPublicKey_RSA2.crt")], SignType::Rsa2)
                .unwrap();
        assert_eq!(
            v.add_cert(&read("keys/appCertPublicKey_2021003126695331.crt"))
                .unwrap(),
            PROD_SN
        );
        v
    })
}

fn prod_private() -> &'static PrivateKey {
    static K: OnceLock<PrivateKey> = OnceLock::new();
    K.get_or_init(|| PrivateKey::parse(&read("keys/privateKey_ProdCert_pkcs8.pem")).unwrap())
}

fn sign_b64(content: &[u8]) -> String {
    STANDARD.encode(app_private().sign(content, SignType::Rsa2).unwrap())
}

/// Small deterministic generator driving the formatting choices.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn ws(&mut self) -> &'static str {
        const WS: [&str; 6] = ["", "", " ", "\n", "\t", "\r\n  "];
        WS[self.below(WS.len() as u64) as usize]
    }
}

fn write_string(s: &str, rng: &mut Rng, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        let mode = rng.below(4);
        match c {
            '"' if mode < 2 => out.push_str("\\\""),
            '\\' if mode < 2 => out.push_str("\\\\"),
            '/' if mode == 0 => out.push_str("\\/"),
            '\n' if mode < 2 => out.push_str("\\n"),
            '\t' if mode < 2 => out.push_str("\\t"),
            '\u{8}' if mode < 2 => out.push_str("\\b"),
            '\u{c}' if mode < 2 => out.push_str("\\f"),
            '\r' if mode < 2 => out.push_str("\\r"),
            c if mode == 3 || c == '"' || c == '\\' || (c as u32) < 0x20 => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    if rng.below(2) == 0 {
                        out.push_str(&format!("\\u{unit:04x}"));
                    } else {
                        out.push_str(&format!("\\u{unit:04X}"));
                    }
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_value(v: &Value, rng: &mut Rng, out: &mut String) {
    match v {
        Value::Null | Value::Bool(_) | Value::Number(_) => out.push_str(&v.to_string()),
        Value::String(s) => write_string(s, rng, out),
        Value::Array(items) => {
            out.push('[');
            out.push_str(rng.ws());
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(rng.ws());
                    out.push(',');
                    out.push_str(rng.ws());
                }
                write_value(item, rng, out);
            }
            out.push_str(rng.ws());
            out.push(']');
        }
        Value::Object(map) => write_object(map, rng, out),
    }
}

fn write_object(map: &Map<String, Value>, rng: &mut Rng, out: &mut String) {
    out.push('{');
    out.push_str(rng.ws());
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            out.push_str(rng.ws());
            out.push(',');
            out.push_str(rng.ws());
        }
        write_string(k, rng, out);
        out.push_str(rng.ws());
        out.push(':');
        out.push_str(rng.ws());
        write_value(v, rng, out);
    }
    out.push_str(rng.ws());
    out.push('}');
}

/// Characters that stress raw-substring extraction.
fn nasty_string() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            4 => proptest::char::range('a', 'z'),
            1 => Just('"'),
            1 => Just('\\'),
            1 => Just('/'),
            1 => Just('{'),
            1 => Just('}'),
            1 => Just('['),
            1 => Just(']'),
            1 => Just(','),
            1 => Just(':'),
            1 => Just('\n'),
            1 => Just('\u{1}'),
            1 => Just('中'),
            1 => Just('，'),
            1 => Just('😀'),
            1 => Just('&'),
        ],
        0..12,
    )
    .prop_map(|cs| cs.into_iter().collect())
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| Value::Number(n.into())),
        Just(serde_json::json!(88.88)),
        nasty_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::btree_map(nasty_string(), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A business object: gateway fields plus random extra fields.
fn business_object() -> impl Strategy<Value = Map<String, Value>> {
    (
        prop_oneof![Just("10000"), Just("10003"), Just("40004"), Just("20000")],
        nasty_string(),
        proptest::collection::btree_map("[a-z_]{1,10}", json_value(), 0..5),
    )
        .prop_map(|(code, msg, extra)| {
            let mut m = Map::new();
            m.insert("code".into(), Value::String(code.into()));
            m.insert("msg".into(), Value::String(msg));
            for (k, v) in extra {
                m.entry(k).or_insert(v);
            }
            m
        })
}

/// Writes a whole body around `content` (the node's exact text).
fn write_body(
    content: &str,
    sign: Option<&str>,
    cert_sn: Option<&str>,
    extras: &[Value],
    rng: &mut Rng,
) -> String {
    let mut entries: Vec<String> = Vec::new();
    // the node key itself is written literally (escaped keys are refused)
    let node = format!("\"{NODE}\"{}:{}{content}", rng.ws(), rng.ws());
    entries.push(node);
    if let Some(sign) = sign {
        let mut s = String::from("\"sign\"");
        s.push_str(rng.ws());
        s.push(':');
        s.push_str(rng.ws());
        write_string(sign, rng, &mut s);
        entries.push(s);
    }
    if let Some(sn) = cert_sn {
        let mut s = String::from("\"alipay_cert_sn\":");
        s.push_str(rng.ws());
        write_string(sn, rng, &mut s);
        entries.push(s);
    }
    for (i, v) in extras.iter().enumerate() {
        let mut s = String::new();
        write_string(&format!("extra_{i}"), rng, &mut s);
        s.push(':');
        write_value(v, rng, &mut s);
        entries.push(s);
    }
    // random key order (Fisher-Yates)
    for i in (1..entries.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        entries.swap(i, j);
    }
    let mut body = String::new();
    if rng.below(8) == 0 {
        body.push('\u{feff}');
    }
    body.push_str(rng.ws());
    body.push('{');
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            body.push_str(rng.ws());
            body.push(',');
        }
        body.push_str(rng.ws());
        body.push_str(e);
    }
    body.push_str(rng.ws());
    body.push('}');
    body.push_str(rng.ws());
    body
}

/// One signed body reused by the properties that need no fresh signature.
fn fixed() -> &'static (String, String, Map<String, Value>) {
    static F: OnceLock<(String, String, Map<String, Value>)> = OnceLock::new();
    F.get_or_init(|| {
        let content = "{\"code\":\"10000\",\"msg\":\"Success\",\"trade_no\":\"2024\\/01\",\"s\":\"\\u4e2d{}\\\"[\",\"n\":[1,{\"a\":null}]}";
        let sig = sign_b64(content.as_bytes());
        let body = format!("{{\"{NODE}\":{content},\"sign\":\"{sig}\"}}");
        let object = serde_json::from_str(content).unwrap();
        (body, sig, object)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    /// Extraction returns exactly the node's text whatever surrounds it.
    #[test]
    fn extraction_is_exact(
        obj in business_object(),
        extras in proptest::collection::vec(json_value(), 0..3),
        sig in "[A-Za-z0-9+/]{0,40}={0,2}",
        cert_sn in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let mut rng = Rng(seed | 1);
        let mut content = String::new();
        write_object(&obj, &mut rng, &mut content);
        let sn = cert_sn.then_some(PROD_SN);
        let body = write_body(&content, Some(&sig), sn, &extras, &mut rng);
        let sc = extract_signed_content(&body, PAY).unwrap();
        prop_assert_eq!(sc.content, content.as_str());
        prop_assert_eq!(sc.node, NODE);
        let decoded_sign = sc.sign_value().unwrap();
        prop_assert_eq!(decoded_sign.as_deref(), Some(sig.as_str()));
        prop_assert_eq!(sc.cert_sn.is_some(), cert_sn);
        let parsed: Map<String, Value> = serde_json::from_str(sc.content).unwrap();
        prop_assert_eq!(parsed, obj);
    }

    /// Arbitrary text never panics, and only a real body can verify.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,80}", bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
        prop_assert!(verifier().verify(&text, PAY).is_err());
        prop_assert!(verifier().verify_bytes(&bytes, Charset::Utf8, PAY).is_err());
        prop_assert!(verifier().verify_bytes(&bytes, Charset::Gbk, PAY).is_err());
        let _ = extract_signed_content(&text, PAY);
    }

    /// Mutating or truncating a signed body anywhere never yields a
    /// different verified object (and never panics).
    #[test]
    fn mutated_bodies_never_verify_differently(pos in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>()) {
        let (body, _, object) = fixed();
        let mut bytes = body.clone().into_bytes();
        let i = pos.index(bytes.len());
        prop_assume!(bytes[i] != byte);
        bytes[i] = byte;
        if let Ok(r) = verifier().verify_bytes(&bytes, Charset::Utf8, PAY) {
            prop_assert_eq!(&r.object, object);
        }
        let c = cut.index(body.len());
        if let Ok(r) = verifier().verify_bytes(&body.as_bytes()[..c], Charset::Utf8, PAY) {
            prop_assert_eq!(&r.object, object);
        }
    }

    /// A second response node, before or after the signed one or nested in
    /// another value, is always rejected.
    #[test]
    fn duplicate_nodes_are_rejected(forged in business_object(), seed in any::<u64>(), place in 0u8..4) {
        let (body, sig, _) = fixed();
        let mut rng = Rng(seed | 1);
        let mut f = String::new();
        write_object(&forged, &mut rng, &mut f);
        let inner = &body[1..body.len() - 1];
        let forged_body = match place {
            0 => format!("{{\"{NODE}\":{f},{inner}}}"),
            1 => format!("{{{inner},\"{NODE}\":{f}}}"),
            2 => format!("{{{inner},\"x\":{{\"{NODE}\":{f}}}}}"),
            _ => format!("{{\"x\":[\"{NODE}\"],{inner}}}"),
        };
        let e = verifier().verify(&forged_body, PAY).unwrap_err();
        prop_assert_eq!(e.code(), ErrorCode::DuplicateNode);
        // the forged node alone, with the real signature, does not verify
        let alone = format!("{{\"{NODE}\":{f},\"sign\":\"{sig}\"}}");
        prop_assert!(verifier().verify(&alone, PAY).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// A signed node verifies whatever the formatting around and inside it,
    /// the object comes from the signed text, and any single-byte change of
    /// the signed text fails.
    #[test]
    fn signed_bodies_verify_and_any_byte_change_fails(
        obj in business_object(),
        extras in proptest::collection::vec(json_value(), 0..3),
        cert_sn in any::<bool>(),
        seed in any::<u64>(),
        positions in proptest::collection::vec(any::<prop::sample::Index>(), 6),
        replacement in any::<u8>(),
    ) {
        let mut rng = Rng(seed | 1);
        let mut content = String::new();
        write_object(&obj, &mut rng, &mut content);
        let sig = sign_b64(content.as_bytes());
        let sn = cert_sn.then_some(PROD_SN);
        let body = write_body(&content, Some(&sig), sn, &extras, &mut rng);
        let r = verifier().verify(&body, PAY).unwrap();
        prop_assert_eq!(&r.object, &obj);
        prop_assert_eq!(r.code(), obj["code"].as_str().unwrap());

        let start = body.find(&content).unwrap();
        for p in positions {
            let i = start + p.index(content.len());
            let mut bytes = body.clone().into_bytes();
            let new = if bytes[i] == replacement { replacement ^ 0x01 } else { replacement };
            bytes[i] = new;
            let res = verifier().verify_bytes(&bytes, Charset::Utf8, PAY);
            prop_assert!(res.is_err(), "byte {} changed to {} still verifies", i, new);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Certificate mode: `alipay_cert_sn` anywhere (between the node and
    /// `sign`, before, after) selects the right key among several; an
    /// unknown SN never verifies.
    #[test]
    fn cert_mode_bodies_verify_wherever_the_sn_sits(
        obj in business_object(),
        extras in proptest::collection::vec(json_value(), 0..2),
        seed in any::<u64>(),
    ) {
        let mut rng = Rng(seed | 1);
        let mut content = String::new();
        write_object(&obj, &mut rng, &mut content);
        let sig = STANDARD.encode(prod_private().sign(content.as_bytes(), SignType::Rsa2).unwrap());
        let body = write_body(&content, Some(&sig), Some(PROD_SN), &extras, &mut rng);
        let r = cert_verifier().verify(&body, PAY).unwrap();
        prop_assert_eq!(&r.object, &obj);
        prop_assert_eq!(r.cert_sn.as_deref(), Some(PROD_SN));
        // without the SN the two certificates are ambiguous
        let no_sn = write_body(&content, Some(&sig), None, &extras, &mut rng);
        prop_assert_eq!(cert_verifier().verify(&no_sn, PAY).unwrap_err().code(), ErrorCode::Cert);
        // an unknown SN
        let unknown = write_body(&content, Some(&sig), Some("ffffffffffffffffffffffffffffffff"), &extras, &mut rng);
        prop_assert_eq!(cert_verifier().verify(&unknown, PAY).unwrap_err().code(), ErrorCode::Cert);
        // the other certificate's SN: its key does not verify
        let other = write_body(&content, Some(&sig), Some("7513daaaa48aa3ba2e4018d84402479c"), &extras, &mut rng);
        prop_assert_eq!(cert_verifier().verify(&other, PAY).unwrap_err().code(), ErrorCode::Signature);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Without `sign` (success, business error or `error_response`, with or
    /// without `alipay_cert_sn`), a body is never verified: always
    /// `ERR_UNSIGNED_RESPONSE` carrying the unverified gateway fields.
    #[test]
    fn unsigned_bodies_are_never_verified(
        obj in business_object(),
        sub_code in proptest::option::of("[A-Za-z.\\-_]{1,20}"),
        extras in proptest::collection::vec(json_value(), 0..2),
        cert_sn in any::<bool>(),
        as_error_response in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let mut rng = Rng(seed | 1);
        let mut obj = obj;
        if let Some(sc) = &sub_code {
            obj.insert("sub_code".into(), Value::String(sc.clone()));
        }
        let mut content = String::new();
        write_object(&obj, &mut rng, &mut content);
        let mut body = write_body(&content, None, cert_sn.then_some(PROD_SN), &extras, &mut rng);
        if as_error_response {
            body = body.replacen(NODE, "error_response", 1);
        }
        for v in [verifier(), cert_verifier()] {
            let e = v.verify(&body, PAY).unwrap_err();
            prop_assert_eq!(e.code(), ErrorCode::UnsignedResponse);
            let g = e.gateway().unwrap();
            prop_assert!(!g.verified);
            prop_assert_eq!(g.code.as_deref(), obj["code"].as_str());
            prop_assert_eq!(g.sub_code.as_deref(), sub_code.as_deref());
        }
    }
}
