//! The sandbox gateway's request handling (`Gateway::handle`) on sequences
//! of arbitrary requests: raw bytes (any method, path, query, headers,
//! body), control-endpoint calls, and correctly signed API calls (demo app
//! key, UTF-8/GBK, RSA2/RSA) with fuzzed `biz_content`, on a moving clock.
//! Invariants: no panic; every answer to a correctly signed request, when
//! no fault applies, verifies with the sandbox Alipay public key (the
//! sandbox and the core agree on escaping and charsets); money: no trade
//! is ever refunded more than its total.
#![no_main]

use alipay_f2f_core::request::{Signer, SignerConfig};
use alipay_f2f_core::{Charset, PrivateKey, PublicKey, SignType, Verifier};
use alipay_f2f_sandbox::{Gateway, GatewayRequest, DEMO_APP_ID, DEMO_APP_PRIVATE_KEY_PEM};
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const APIS: [&str; 7] = [
    "alipay.trade.pay",
    "alipay.trade.query",
    "alipay.trade.cancel",
    "alipay.trade.close",
    "alipay.trade.refund",
    "alipay.trade.fastpay.refund.query",
    "alipay.trade.precreate",
];
const HTTP_METHODS: [&str; 5] = ["POST", "GET", "OPTIONS", "DELETE", "PUT"];
const PATHS: [&str; 9] = [
    "/gateway.do",
    "/__sandbox",
    "/__sandbox/faults",
    "/__sandbox/trades",
    "/__sandbox/trades/T1",
    "/__sandbox/clock",
    "/__sandbox/reset",
    "/gateway.do/",
    "/",
];

#[derive(Arbitrary, Debug)]
enum Biz {
    /// Arbitrary text as biz_content (must still be a JSON object to be signed).
    Raw(String),
    /// A business call over a few trades, codes and amounts.
    Fields {
        trade: u8,
        scenario: u8,
        params: u16,
        amount: u32,
        refund: u32,
        request_no: u8,
        subject: String,
        by_trade_no: bool,
    },
}

#[derive(Arbitrary, Debug)]
enum Req {
    Raw {
        method: u8,
        path: u8,
        query: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    Signed {
        api: u8,
        biz: Biz,
        gbk: bool,
        rsa1: bool,
        skew_s: i16,
    },
    Fault {
        api: u8,
        fault: u8,
        times: u8,
    },
    Clock(u32),
}

#[derive(Arbitrary, Debug)]
struct Input {
    reqs: Vec<(Req, u16)>,
}

struct Keys {
    app: PrivateKey,
    verifier: Verifier,
    verifier_rsa: Verifier,
}

fn keys() -> &'static Keys {
    static K: OnceLock<Keys> = OnceLock::new();
    K.get_or_init(|| Keys {
        app: PrivateKey::parse(DEMO_APP_PRIVATE_KEY_PEM).unwrap(),
        verifier: Verifier::new(
            PublicKey::parse(alipay_f2f_sandbox::SANDBOX_ALIPAY_PUBLIC_KEY_PEM).unwrap(),
            SignType::Rsa2,
        ),
        verifier_rsa: Verifier::new(
            PublicKey::parse(alipay_f2f_sandbox::SANDBOX_ALIPAY_PUBLIC_KEY_PEM).unwrap(),
            SignType::Rsa,
        ),
    })
}

fn biz_text(api: &str, biz: &Biz) -> String {
    match biz {
        Biz::Raw(s) => s.clone(),
        Biz::Fields {
            trade,
            scenario,
            params,
            amount,
            refund,
            request_no,
            subject,
            by_trade_no,
        } => {
            let otn = format!("T{}", trade % 4);
            let code = format!(
                "28{}{:04}{:012}",
                scenario % 10,
                params % 10_000,
                u32::from(*trade) * 7919 + u32::from(*params)
            );
            let amt = |c: u32| format!("{}.{:02}", c % 100_000 / 100, c % 100);
            let mut m = serde_json::Map::new();
            if *by_trade_no {
                m.insert(
                    "trade_no".into(),
                    format!("2026010122001{:015}", trade % 4).into(),
                );
            } else {
                m.insert("out_trade_no".into(), otn.into());
            }
            match api {
                "alipay.trade.pay" => {
                    m.insert("scene".into(), "bar_code".into());
                    m.insert("auth_code".into(), code.into());
                    m.insert("total_amount".into(), amt(*amount).into());
                    m.insert("subject".into(), subject.clone().into());
                }
                "alipay.trade.refund" => {
                    m.insert("refund_amount".into(), amt(*refund).into());
                    if request_no % 3 != 0 {
                        m.insert(
                            "out_request_no".into(),
                            format!("R{}", request_no % 3).into(),
                        );
                    }
                }
                "alipay.trade.fastpay.refund.query" => {
                    m.insert(
                        "out_request_no".into(),
                        format!("R{}", request_no % 3).into(),
                    );
                }
                _ => {}
            }
            serde_json::Value::Object(m).to_string()
        }
    }
}

fn split_url(url: &str) -> (String, String) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path_q = rest.find('/').map_or("/", |i| &rest[i..]);
    match path_q.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (path_q.to_string(), String::new()),
    }
}

fuzz_target!(|input: Input| {
    let k = keys();
    let mut gw = Gateway::with_demo_app().expect("demo gateway");
    let mut now: u64 = 1_767_225_600_000; // 2026-01-01
    for (req, dt) in input.reqs.iter().take(64) {
        now += u64::from(*dt);
        let mut signed_api = None;
        let request = match req {
            Req::Raw {
                method,
                path,
                query,
                headers,
                body,
            } => GatewayRequest {
                method: HTTP_METHODS[usize::from(*method) % HTTP_METHODS.len()].into(),
                path: PATHS[usize::from(*path) % PATHS.len()].into(),
                query: query.clone(),
                headers: headers.clone(),
                body: body.clone(),
            },
            Req::Signed {
                api,
                biz,
                gbk,
                rsa1,
                skew_s,
            } => {
                let api = APIS[usize::from(*api) % APIS.len()];
                let mut cfg = SignerConfig::new(DEMO_APP_ID);
                cfg.charset = if *gbk { Charset::Gbk } else { Charset::Utf8 };
                cfg.sign_type = if *rsa1 { SignType::Rsa } else { SignType::Rsa2 };
                let Ok(signer) = Signer::new(cfg, k.app.clone(), None) else {
                    continue;
                };
                let at = now.saturating_add_signed(i64::from(*skew_s) * 1000);
                let Ok(http) = signer.build_request(api, &biz_text(api, biz), at) else {
                    continue;
                };
                let (path, query) = split_url(&http.url);
                // `alipay.trade.precreate` is not served: the sandbox answers an unsigned
                // `isv.invalid-method` like the real gateway, so it is not checked.
                let served = api != "alipay.trade.precreate";
                signed_api = Some((api, *gbk, *rsa1, served && (*skew_s).unsigned_abs() < 890));
                GatewayRequest {
                    method: "POST".into(),
                    path,
                    query,
                    headers: http.headers.clone(),
                    body: http.body.clone(),
                }
            }
            Req::Fault { api, fault, times } => GatewayRequest {
                method: "POST".into(),
                path: "/__sandbox/faults".into(),
                query: String::new(),
                headers: vec![],
                body: serde_json::json!({
                    "method": APIS[usize::from(*api) % 6],
                    "fault": alipay_f2f_sandbox::Fault::ALL[usize::from(*fault) % 12].name(),
                    "times": times % 3,
                })
                .to_string()
                .into_bytes(),
            },
            Req::Clock(ms) => GatewayRequest {
                method: "POST".into(),
                path: "/__sandbox/clock".into(),
                query: String::new(),
                headers: vec![],
                body: format!(r#"{{"advance_ms":{ms}}}"#).into_bytes(),
            },
        };
        let resp = gw.handle(request, now);
        assert!((100..600).contains(&resp.status));
        if let Some((api, gbk, rsa1, checkable)) = signed_api {
            if resp.fault.is_none() && resp.status == 200 && checkable {
                let cs = if gbk { Charset::Gbk } else { Charset::Utf8 };
                let v = if rsa1 { &k.verifier_rsa } else { &k.verifier };
                let r = v.verify_bytes(&resp.body, cs, api);
                assert!(
                    r.is_ok(),
                    "sandbox answer does not verify: {:?} {}",
                    r.err(),
                    String::from_utf8_lossy(&resp.body)
                );
            }
        }
    }
    // Money: refunds never exceed the total, whatever happened.
    let trades = gw.handle(
        GatewayRequest {
            method: "GET".into(),
            path: "/__sandbox/trades".into(),
            ..Default::default()
        },
        now,
    );
    let v: serde_json::Value = serde_json::from_slice(&trades.body).expect("trades JSON");
    for t in v["trades"].as_array().expect("trades array") {
        let cents = |s: &serde_json::Value| -> u64 {
            let s = s.as_str().unwrap_or("0");
            let (i, f) = s.split_once('.').unwrap_or((s, "0"));
            i.parse::<u64>().unwrap() * 100 + format!("{f:0<2}").parse::<u64>().unwrap()
        };
        assert!(
            cents(&t["refunded_amount"]) <= cents(&t["total_amount"]),
            "over-refunded trade: {t}"
        );
    }
});
