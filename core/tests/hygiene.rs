//! Key hygiene: no key material in errors, `Debug` output, flow events,
//! actions, outcomes or snapshots.
//!
//! The test triggers every error path it can reach with real keys (the
//! fixture app key in PKCS#1 and PKCS#8, PEM and bare base64, an RSA-1024
//! key, an AES content key), collects every `Display`/`Debug` string and
//! every flow output, and searches them for secret fragments: every
//! 16-character window of the private keys' base64 bodies, of the AES key,
//! and of the private big numbers (d, p, q, dp, dq, qinv) in decimal and
//! hex (both cases), all read from the DER here, independently of the
//! crate. Windows that also occur in public encodings (the modulus shows up
//! in the SPKI) are not secret and are dropped.
//! Payment codes are checked too: never unmasked outside the pay call.

use alipay_f2f_core::Flow as _;
use std::collections::HashSet;

use alipay_f2f_core::aes::AesKey;
use alipay_f2f_core::flow::{
    Action, BarcodePay, PayOrder, Policy, Refund, RefundOrder, RefundPolicy, TransportError,
};
use alipay_f2f_core::keys::check_not_app_key;
use alipay_f2f_core::request::{Signer, SignerConfig};
use alipay_f2f_core::{notify, Charset, PrivateKey, PublicKey, SignType, Verifier};
use base64::Engine as _;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/keys/");
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");
const W: usize = 16;
const AUTH_CODE: &str = "280123456789012345";
/// An AES content key (a test value, generated for this test).
const AES_KEY: &str = "q1Zm0bH6tR8yXw3eKp9VnA==";

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn pem_body(pem: &str) -> String {
    pem.lines()
        .filter(|l| !l.starts_with("-----"))
        .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
        .collect()
}

fn b64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .expect("fixture base64")
}

// --- a minimal DER reader, independent of the crate under test -----------

/// Reads one TLV at `pos`: (tag, content range end, content start).
fn tlv(der: &[u8], pos: usize) -> (u8, usize, usize) {
    let tag = der[pos];
    let first = der[pos + 1] as usize;
    let (len, start) = if first < 0x80 {
        (first, pos + 2)
    } else {
        let n = first & 0x7f;
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | der[pos + 2 + i] as usize;
        }
        (len, pos + 2 + n)
    };
    (tag, start + len, start)
}

/// The INTEGERs of a PKCS#1 RSAPrivateKey (or of the one inside PKCS#8).
fn rsa_integers(der: &[u8]) -> Vec<Vec<u8>> {
    let (tag, end, mut pos) = tlv(der, 0);
    assert_eq!(tag, 0x30);
    let mut ints = Vec::new();
    while pos < end {
        let (t, e, s) = tlv(der, pos);
        match t {
            0x02 => ints.push(der[s..e].to_vec()),
            // PKCS#8: the OCTET STRING holds the PKCS#1 key
            0x04 => return rsa_integers(&der[s..e]),
            _ => {}
        }
        pos = e;
    }
    ints
}

fn decimal(bytes: &[u8]) -> String {
    let mut n: Vec<u32> = bytes.iter().map(|&b| b as u32).collect();
    let mut digits = Vec::new();
    while n.iter().any(|&d| d != 0) {
        let mut rem = 0u32;
        for d in n.iter_mut() {
            let cur = rem * 256 + *d;
            *d = cur / 10;
            rem = cur % 10;
        }
        digits.push(char::from(b'0' + rem as u8));
    }
    digits.iter().rev().collect()
}

fn hex(bytes: &[u8]) -> String {
    let s: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    s.trim_start_matches('0').to_string()
}

fn windows(s: &str) -> impl Iterator<Item = &str> {
    let idx: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
    (0..idx.len().saturating_sub(W)).map(move |i| &s[idx[i]..idx[i + W]])
}

/// The secret fragments of a private key PEM, minus public ones.
struct Secrets {
    set: HashSet<String>,
}

impl Secrets {
    fn new() -> Self {
        Secrets {
            set: HashSet::new(),
        }
    }

    fn add_text(&mut self, s: &str) {
        for w in windows(s) {
            self.set.insert(w.to_string());
        }
    }

    fn add_private_pem(&mut self, pem: &str) {
        let body = pem_body(pem);
        self.add_text(&body);
        let ints = rsa_integers(&b64(&body));
        // version, n, e, d, p, q, dp, dq, qinv: the secret ones are 3..
        assert_eq!(ints.len(), 9, "an RSA private key has 9 integers");
        for i in &ints[3..] {
            let d = decimal(i);
            let h = hex(i);
            self.add_text(&d);
            self.add_text(&h);
            self.add_text(&h.to_uppercase());
        }
    }

    /// Drops windows that occur in public text (SPKI, modulus).
    fn remove_public(&mut self, public: &str) {
        for w in windows(public) {
            self.set.remove(w);
        }
    }

    /// Fragments of `text` that are secret.
    fn leaks(&self, text: &str) -> Vec<String> {
        windows(text)
            .filter(|w| self.set.contains(*w))
            .map(str::to_string)
            .collect()
    }
}

/// Everything observable, with where it came from.
#[derive(Default)]
struct Seen(Vec<(String, String)>);

impl Seen {
    fn add(&mut self, what: impl Into<String>, text: impl Into<String>) {
        self.0.push((what.into(), text.into()));
    }
    fn err<T: std::fmt::Debug>(&mut self, what: &str, r: alipay_f2f_core::Result<T>) {
        match r {
            Ok(v) => self.add(format!("{what} (ok)"), format!("{v:?}")),
            Err(e) => {
                self.add(format!("{what} Display"), e.to_string());
                self.add(format!("{what} Debug"), format!("{e:?}"));
                self.add(format!("{what} message"), e.message().to_string());
                if let Some(f) = e.field() {
                    self.add(format!("{what} field"), f.to_string());
                }
                if let Some(g) = e.gateway() {
                    self.add(format!("{what} gateway"), format!("{g:?}"));
                }
            }
        }
    }
}

struct Keys {
    app_pem: String,
    app_pkcs8_pem: String,
    app: PrivateKey,
    app_public: PublicKey,
    small_pem: String,
}

fn keys() -> Keys {
    let app_pem = read(&format!("{FIXTURES}app-private-key.pem"));
    let app_pkcs8_pem = read(&format!("{FIXTURES}app-private-key-pkcs8.pem"));
    let app = PrivateKey::parse(&app_pem).unwrap();
    let app_public = PublicKey::parse(&read(&format!("{FIXTURES}app-public-key.pem"))).unwrap();
    Keys {
        app_pem,
        app_pkcs8_pem,
        app,
        app_public,
        small_pem: read(&format!("{DATA}rsa1024-private-pkcs1.pem")),
    }
}

fn secrets(k: &Keys) -> Secrets {
    let mut s = Secrets::new();
    s.add_private_pem(&k.app_pem);
    s.add_private_pem(&k.app_pkcs8_pem);
    s.add_private_pem(&k.small_pem);
    s.add_text(AES_KEY);
    let small_public = PrivateKey::parse(&k.small_pem).unwrap().public_key();
    for public in [&k.app_public, &small_public] {
        s.remove_public(&public.to_spki_base64());
        s.remove_public(&pem_body(&public.to_spki_pem()));
        let ints = rsa_integers_public(&public.to_spki_der());
        for i in ints {
            s.remove_public(&decimal(&i));
            s.remove_public(&hex(&i));
            s.remove_public(&hex(&i).to_uppercase());
        }
    }
    s
}

/// n and e of an SPKI DER (SEQUENCE { alg, BIT STRING { SEQUENCE { n, e } } }).
fn rsa_integers_public(spki: &[u8]) -> Vec<Vec<u8>> {
    let (_, _, pos) = tlv(spki, 0);
    let (_, alg_end, _) = tlv(spki, pos);
    let (tag, end, start) = tlv(spki, alg_end);
    assert_eq!(tag, 0x03);
    let inner = &spki[start + 1..end];
    let (_, iend, mut p) = tlv(inner, 0);
    let mut out = Vec::new();
    while p < iend {
        let (_, e, s) = tlv(inner, p);
        out.push(inner[s..e].to_vec());
        p = e;
    }
    out
}

// --- the surfaces ----------------------------------------------------------

fn key_errors(k: &Keys, seen: &mut Seen) {
    let variants = [
        k.app_pem.clone(),
        k.app_pkcs8_pem.clone(),
        pem_body(&k.app_pem),
        pem_body(&k.app_pkcs8_pem),
        k.small_pem.clone(),
    ];
    for (i, v) in variants.iter().enumerate() {
        // a private key where a public key belongs
        seen.err(
            &format!("PublicKey::parse(private {i})"),
            PublicKey::parse(v),
        );
        // truncated at several points, with and without armour
        for cut in [v.len() / 3, v.len() / 2, v.len() - 40, v.len() - 3] {
            let mut c = cut;
            while !v.is_char_boundary(c) {
                c -= 1;
            }
            seen.err(
                &format!("parse truncated {i}@{c}"),
                PrivateKey::parse(&v[..c]),
            );
        }
        // corrupted: a non-base64 character in the middle, a flipped char
        let mid = v.len() / 2;
        let mut bad = v.clone();
        bad.replace_range(mid..mid + 1, "!");
        seen.err(&format!("parse corrupt {i}"), PrivateKey::parse(&bad));
        let mut flipped = v.clone().into_bytes();
        flipped[mid] = if flipped[mid] == b'A' { b'B' } else { b'A' };
        seen.err(
            &format!("parse flipped {i}"),
            PrivateKey::parse(&String::from_utf8(flipped).unwrap()),
        );
        // wrong armour label, junk around
        seen.err(
            &format!("parse relabelled {i}"),
            PrivateKey::parse(&v.replace("RSA PRIVATE KEY", "EC PRIVATE KEY")),
        );
        seen.err(
            &format!("parse with junk {i}"),
            PrivateKey::parse(&format!("junk {v} junk")),
        );
        seen.err(&format!("parse ok {i}"), PrivateKey::parse(v));
        if let Ok(key) = PrivateKey::parse(v) {
            seen.add(format!("PrivateKey Debug {i}"), format!("{key:?}"));
            seen.add(format!("PrivateKey Debug alt {i}"), format!("{key:#?}"));
            seen.err(&format!("check_size {i}"), key.check_size(SignType::Rsa2));
            seen.add(
                format!("public Debug {i}"),
                format!("{:?}", key.public_key()),
            );
        }
    }
    // a public key where a private key belongs
    seen.err(
        "PrivateKey::parse(public)",
        PrivateKey::parse(&k.app_public.to_spki_pem()),
    );
    // the classic mistake: the app public key as the Alipay key
    seen.err(
        "check_not_app_key",
        check_not_app_key(&k.app, &k.app_public),
    );
    // AES keys
    for bad in [
        &AES_KEY[..20],
        &AES_KEY[..22],
        "!!!!",
        &format!("{AES_KEY}AAAA"),
    ] {
        seen.err("AesKey::from_base64", AesKey::from_base64(bad));
    }
    let aes = AesKey::from_base64(AES_KEY).unwrap();
    seen.add("AesKey Debug", format!("{aes:?}"));
    seen.err(
        "aes decrypt garbage",
        aes.decrypt("AAAAAAAAAAAAAAAAAAAAAA=="),
    );
    seen.err("aes decrypt non-b64", aes.decrypt("%%%"));
}

fn signer_errors(k: &Keys, seen: &mut Seen) {
    let small = PrivateKey::parse(&k.small_pem).unwrap();
    seen.err(
        "Signer::new 1024 RSA2",
        Signer::new(SignerConfig::new("2021000000000001"), small.clone(), None),
    );
    let mut cfg = SignerConfig::new("2021000000000001");
    cfg.sign_type = SignType::Rsa;
    let s = Signer::new(cfg, small, Some(AesKey::from_base64(AES_KEY).unwrap())).unwrap();
    seen.add("Signer Debug (RSA, AES)", format!("{s:?}"));
    seen.add("Signer Debug alt", format!("{s:#?}"));
    seen.err(
        "Signer::new bad app id",
        Signer::new(SignerConfig::new(" "), k.app.clone(), None),
    );
    let mut cfg = SignerConfig::new("2021000000000001");
    cfg.gateway = "ftp://x".into();
    seen.err(
        "Signer::new bad gateway",
        Signer::new(cfg, k.app.clone(), None),
    );
    let mut cfg = SignerConfig::new("2021000000000001");
    cfg.charset = Charset::Gbk;
    cfg.app_auth_token = Some("TOKEN-SECRET-VALUE-0001".into());
    let gbk = Signer::new(cfg, k.app.clone(), None).unwrap();
    seen.add("Signer Debug (token)", format!("{gbk:?}"));
    assert!(!format!("{gbk:?}").contains("TOKEN-SECRET-VALUE-0001"));
    seen.err("build bad method", gbk.build_request("", "{}", 0));
    seen.err(
        "build bad biz",
        gbk.build_request("alipay.trade.pay", "[1]", 0),
    );
    seen.err(
        "build unencodable",
        gbk.build_request("alipay.trade.pay", r#"{"subject":"😀"}"#, 0),
    );
    let ok = s.build_request(
        "alipay.trade.query",
        r#"{"out_trade_no":"T1"}"#,
        1_700_000_000_000,
    );
    seen.err("build ok (encrypted)", ok);
    seen.err(
        "sign_params",
        alipay_f2f_core::sign::sign_params(
            [("a", "1"), ("b", "😀")],
            &k.app,
            SignType::Rsa2,
            Charset::Gbk,
        ),
    );
}

fn signed(k: &Keys, method: &str, obj: &str) -> String {
    let sig =
        alipay_f2f_core::sign::sign_content_base64(obj, &k.app, SignType::Rsa2, Charset::Utf8)
            .unwrap();
    format!(
        r#"{{"{}_response":{obj},"sign":"{sig}"}}"#,
        method.replace('.', "_")
    )
}

fn verifier_errors(k: &Keys, seen: &mut Seen) {
    let v = Verifier::new(k.app_public.clone(), SignType::Rsa2);
    seen.add("Verifier Debug", format!("{v:?}"));
    let m = "alipay.trade.pay";
    let good = signed(k, m, r#"{"code":"10000","msg":"Success"}"#);
    seen.err("verify ok", v.verify(&good, m));
    for (name, body) in [
        ("forged", good.replace("10000", "10001")),
        ("unsigned", r#"{"alipay_trade_pay_response":{"code":"20000","sub_msg":"x"}}"#.to_string()),
        ("duplicate", good.replace(r#","sign""#, r#","alipay_trade_pay_response":{},"sign""#)),
        ("truncated", good[..good.len() / 2].to_string()),
        ("not json", "<html>502</html>".to_string()),
        ("empty", String::new()),
        ("error node", r#"{"error_response":{"code":"40002","sub_code":"isv.invalid-signature","sub_msg":"the content was a=1&amp;b=2"},"sign":"AAAA"}"#.to_string()),
    ] {
        seen.err(&format!("verify {name}"), v.verify(&body, m));
        seen.err(&format!("verify_bytes gbk {name}"), v.verify_bytes(body.as_bytes(), Charset::Gbk, m));
    }
    seen.err(
        "Verifier::from_certs garbage",
        Verifier::from_certs(
            &["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"],
            SignType::Rsa2,
        ),
    );
    // notifications
    let content = "notify_id=1&out_trade_no=T1&trade_status=TRADE_SUCCESS";
    let sig =
        alipay_f2f_core::sign::sign_content_base64(content, &k.app, SignType::Rsa2, Charset::Utf8)
            .unwrap();
    let enc = |s: &str| alipay_f2f_core::form::encode_component(s, Charset::Utf8).unwrap();
    let form = format!("{content}&sign_type=RSA2&sign={}", enc(&sig));
    seen.err(
        "notify ok",
        notify::verify_form(form.as_bytes(), &k.app_public, SignType::Rsa2),
    );
    for (name, body) in [
        ("tampered", form.replace("T1", "T2")),
        ("unsigned", content.to_string()),
        ("dup", format!("{form}&notify_id=2")),
        ("bad pct", format!("{form}&x=%zz")),
    ] {
        seen.err(
            &format!("notify {name}"),
            notify::verify_form(body.as_bytes(), &k.app_public, SignType::Rsa2),
        );
    }
}

/// Drives a flow with scripted answers, recording every output.
fn drive_flow<F>(
    seen: &mut Seen,
    name: &str,
    flow: &mut F,
    poll: impl Fn(&mut F, u64) -> Action,
    snapshot: impl Fn(&F) -> String,
    mut answer: impl FnMut(&mut F, &alipay_f2f_core::flow::ApiCall, u64),
) where
    F: std::fmt::Debug,
{
    let mut now = 1_700_000_000_000u64;
    for step in 0..200 {
        let a = poll(flow, now);
        seen.add(
            format!("{name} action {step} json"),
            serde_json::to_string(&a).unwrap(),
        );
        seen.add(format!("{name} action {step} Debug"), format!("{a:?}"));
        seen.add(format!("{name} snapshot {step}"), snapshot(flow));
        seen.add(format!("{name} flow Debug {step}"), format!("{flow:?}"));
        match a {
            Action::Done(_) => return,
            Action::Wait { until_ms } => now = now.max(until_ms),
            Action::Event(_) => {}
            Action::Call(c) => {
                now += 50;
                answer(flow, &c, now);
            }
        }
    }
    panic!("{name}: no outcome");
}

/// A scripted gateway: the signed object answering a method (`None`: no valid answer).
type Script = Box<dyn Fn(&str) -> Option<String>>;

fn flows(k: &Keys, seen: &mut Seen) {
    let v = Verifier::new(k.app_public.clone(), SignType::Rsa2);
    let policy = Policy {
        poll_interval_ms: 100,
        max_wait_ms: 300,
        cancel_retry_interval_ms: 10,
        ..Policy::default()
    };
    let order = PayOrder {
        out_trade_no: "HYG1".into(),
        auth_code: AUTH_CODE.into(),
        total_amount: "8.80".into(),
        subject: "hygiene".into(),
        ..PayOrder::default()
    };
    seen.add("PayOrder Debug", format!("{order:?}"));
    seen.err(
        "BarcodePay::new invalid",
        BarcodePay::new(
            PayOrder {
                total_amount: "x".into(),
                ..order.clone()
            },
            policy.clone(),
            v.clone(),
            0,
        ),
    );
    seen.err(
        "BarcodePay::resume garbage",
        BarcodePay::resume("{\"version\":1}", v.clone(), 0),
    );
    // (pay answer, query answer, cancel answer) scripts
    let scripts: Vec<(&str, Script)> = vec![
        (
            "paid",
            Box::new(|m| {
                (m == "alipay.trade.pay").then(|| r#"{"code":"10000","msg":"Success","out_trade_no":"HYG1","trade_no":"2026","total_amount":"8.80","buyer_logon_id":"a***@b.com"}"#.to_string())
            }),
        ),
        (
            "failed",
            Box::new(|_| {
                Some(r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.PAYMENT_AUTH_CODE_INVALID","sub_msg":"bad code"}"#.to_string())
            }),
        ),
        (
            "cancelled",
            Box::new(|m| {
                Some(match m {
            "alipay.trade.pay" => r#"{"code":"10003","msg":"wait","out_trade_no":"HYG1","trade_no":"2026"}"#,
            "alipay.trade.query" => r#"{"code":"10000","msg":"Success","trade_status":"WAIT_BUYER_PAY","out_trade_no":"HYG1"}"#,
            _ => r#"{"code":"10000","msg":"Success","action":"close","retry_flag":"N"}"#,
        }.to_string())
            }),
        ),
        (
            "unknown",
            Box::new(|m| {
                (m == "alipay.trade.cancel").then(|| r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.SYSTEM_ERROR","retry_flag":"Y"}"#.to_string())
            }),
        ),
    ];
    for (name, script) in &scripts {
        let mut flow =
            BarcodePay::new(order.clone(), policy.clone(), v.clone(), 1_700_000_000_000).unwrap();
        let mut calls = 0;
        drive_flow(
            seen,
            name,
            &mut flow,
            |f, n| f.poll(n),
            |f| f.snapshot(),
            |f, c, now| {
                calls += 1;
                let r = match script(&c.method) {
                    Some(obj) => f.handle_response(c.id, &signed(k, &c.method, &obj), now),
                    None if calls % 2 == 0 => {
                        f.handle_response(c.id, "<html>bad gateway</html>", now)
                    }
                    None => f.handle_transport_error(
                        c.id,
                        TransportError::Network {
                            message: "reset".into(),
                        },
                        now,
                    ),
                };
                r.unwrap();
                let late = f.handle_response(c.id, "{}", now);
                assert!(late.is_err());
                if let Err(e) = late {
                    assert!(!e.to_string().is_empty());
                }
            },
        );
        seen.add(format!("{name} outcome"), format!("{:?}", flow.outcome()));
        seen.add(format!("{name} calls"), format!("{:?}", flow.calls()));
        seen.err(&format!("{name} late"), flow.handle_response(999, "{}", 0));
        seen.err(
            &format!("{name} resume"),
            BarcodePay::resume(&flow.snapshot(), v.clone(), 0),
        );
    }

    // refunds
    let rorder = RefundOrder {
        out_trade_no: Some("HYG1".into()),
        refund_amount: "1.00".into(),
        ..RefundOrder::default()
    };
    seen.err(
        "Refund::new invalid",
        Refund::new(
            RefundOrder {
                refund_amount: "-1".into(),
                ..rorder.clone()
            },
            RefundPolicy::default(),
            v.clone(),
            [7; 16],
            0,
        ),
    );
    for (name, obj) in [
        (
            "refunded",
            Some(
                r#"{"code":"10000","msg":"Success","fund_change":"Y","refund_fee":"1.00","out_trade_no":"HYG1"}"#,
            ),
        ),
        (
            "refund failed",
            Some(r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST"}"#),
        ),
        ("refund unknown", None),
    ] {
        let rpolicy = RefundPolicy {
            query_delay_ms: 10,
            retry_interval_ms: 10,
            ..RefundPolicy::default()
        };
        let mut flow = Refund::new(
            rorder.clone(),
            rpolicy,
            v.clone(),
            [9; 16],
            1_700_000_000_000,
        )
        .unwrap();
        drive_flow(
            seen,
            name,
            &mut flow,
            |f, n| f.poll(n),
            |f| f.snapshot(),
            |f, c, now| {
                match obj {
                    Some(o) => f.handle_response(c.id, &signed(k, &c.method, o), now),
                    None => f.handle_transport_error(c.id, TransportError::Timeout, now),
                }
                .unwrap();
            },
        );
        seen.add(format!("{name} outcome"), format!("{:?}", flow.outcome()));
        seen.add(
            format!("{name} outcome json"),
            serde_json::to_string(&flow.outcome()).unwrap(),
        );
    }
}

#[test]
fn no_key_material_or_payment_code_anywhere() {
    let k = keys();
    let secrets = secrets(&k);
    assert!(
        secrets.set.len() > 5_000,
        "secret fragments: {}",
        secrets.set.len()
    );
    // The detector works: it finds the key in its own PEM and in a decimal d.
    assert!(!secrets.leaks(&k.app_pem).is_empty());
    let d = decimal(&rsa_integers(&b64(&pem_body(&k.app_pem)))[3]);
    assert!(!secrets.leaks(&format!("error: d={d}")).is_empty());

    let mut seen = Seen::default();
    key_errors(&k, &mut seen);
    signer_errors(&k, &mut seen);
    verifier_errors(&k, &mut seen);
    flows(&k, &mut seen);
    assert!(seen.0.len() > 300, "too few observations: {}", seen.0.len());

    let mut leaks = Vec::new();
    for (what, text) in &seen.0 {
        let l = secrets.leaks(text);
        if !l.is_empty() {
            leaks.push(format!("{what}: {:?}", &l[..l.len().min(3)]));
        }
        let is_pay_call = text.contains("alipay.trade.pay") && text.contains("\"type\":\"call\"")
            || what.contains("Debug")
                && text.contains("Call(ApiCall")
                && text.contains("alipay.trade.pay");
        if text.contains(AUTH_CODE) && !is_pay_call {
            leaks.push(format!("{what}: unmasked payment code"));
        }
    }
    assert!(
        leaks.is_empty(),
        "{} leaks:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
    eprintln!(
        "hygiene: {} observed strings, {} secret fragments, 0 leaks",
        seen.0.len(),
        secrets.set.len()
    );
}
