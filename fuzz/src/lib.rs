//! Support code of the alipay-f2f fuzz targets: fixed keys, an adversarial
//! scripted "gateway" built from structured fuzz input (`arbitrary`), and a
//! driver that runs the sans-IO flows on virtual time and checks their
//! safety invariants after every run.
//!
//! The gateway signs its answers with the sandbox "Alipay" key (a public
//! test key committed in `sandbox/keys/`); the flows verify them with its
//! public half, so the fuzzer reaches every verified branch of the machines.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use alipay_f2f_core::flow::{Action, ApiCall, Outcome, TransportError};
use alipay_f2f_core::{Charset, PrivateKey, PublicKey, SignType, Verifier};
use arbitrary::Arbitrary;
use serde_json::{Map, Value};

/// The sandbox "Alipay" private key (public test key).
pub const SIGNING_KEY_PEM: &str = include_str!("../../sandbox/keys/sandbox-alipay-private-key.pem");
/// Its public half.
pub const VERIFY_KEY_PEM: &str = include_str!("../../sandbox/keys/sandbox-alipay-public-key.pem");

fn signing_key() -> &'static PrivateKey {
    static K: OnceLock<PrivateKey> = OnceLock::new();
    K.get_or_init(|| PrivateKey::parse(SIGNING_KEY_PEM).expect("sandbox key parses"))
}

/// The verifier the flows get (sandbox "Alipay" public key, RSA2).
pub fn verifier() -> Verifier {
    static V: OnceLock<Verifier> = OnceLock::new();
    V.get_or_init(|| {
        Verifier::new(
            PublicKey::parse(VERIFY_KEY_PEM).expect("sandbox public key parses"),
            SignType::Rsa2,
        )
    })
    .clone()
}

/// Base64 RSA2 signature of `content`, cached (the fuzzer reuses contents).
pub fn sign(content: &str) -> String {
    static CACHE: OnceLock<Mutex<HashMap<String, String>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(s) = cache.lock().unwrap().get(content) {
        return s.clone();
    }
    let s = alipay_f2f_core::sign::sign_content_base64(
        content,
        signing_key(),
        SignType::Rsa2,
        Charset::Utf8,
    )
    .expect("signing works");
    let mut c = cache.lock().unwrap();
    if c.len() > 50_000 {
        c.clear();
    }
    c.insert(content.to_string(), s.clone());
    s
}

/// `alipay.trade.pay` -> `alipay_trade_pay_response`.
pub fn node(method: &str) -> String {
    format!("{}_response", method.replace('.', "_"))
}

// ---------------------------------------------------------------------------
// Structured gateway answers
// ---------------------------------------------------------------------------

/// Gateway `code`.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    C10000,
    C10003,
    C20000,
    C20001,
    C40001,
    C40002,
    C40003,
    C40004,
    C40006,
    Absent,
    Weird,
}

impl Code {
    fn text(self) -> Option<&'static str> {
        Some(match self {
            Code::C10000 => "10000",
            Code::C10003 => "10003",
            Code::C20000 => "20000",
            Code::C20001 => "20001",
            Code::C40001 => "40001",
            Code::C40002 => "40002",
            Code::C40003 => "40003",
            Code::C40004 => "40004",
            Code::C40006 => "40006",
            Code::Absent => return None,
            Code::Weird => "10000 ",
        })
    }
}

/// `sub_code`.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubCode {
    Absent,
    SystemError,
    TradeHasSuccess,
    TradeNotExist,
    TradeHasClose,
    AuthCodeInvalid,
    BalanceNotEnough,
    RefundFeeErr,
    TradeStatusError,
    UnknowError,
}

impl SubCode {
    fn text(self) -> Option<&'static str> {
        Some(match self {
            SubCode::Absent => return None,
            SubCode::SystemError => "ACQ.SYSTEM_ERROR",
            SubCode::TradeHasSuccess => "ACQ.TRADE_HAS_SUCCESS",
            SubCode::TradeNotExist => "ACQ.TRADE_NOT_EXIST",
            SubCode::TradeHasClose => "ACQ.TRADE_HAS_CLOSE",
            SubCode::AuthCodeInvalid => "ACQ.PAYMENT_AUTH_CODE_INVALID",
            SubCode::BalanceNotEnough => "ACQ.BUYER_BALANCE_NOT_ENOUGH",
            SubCode::RefundFeeErr => "ACQ.REASON_TRADE_REFUND_FEE_ERR",
            SubCode::TradeStatusError => "ACQ.TRADE_STATUS_ERROR",
            SubCode::UnknowError => "isp.unknow-error",
        })
    }
}

/// `trade_status`.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Absent,
    WaitBuyerPay,
    TradeSuccess,
    TradeFinished,
    TradeClosed,
    Lowercase,
}

impl Status {
    fn text(self) -> Option<&'static str> {
        Some(match self {
            Status::Absent => return None,
            Status::WaitBuyerPay => "WAIT_BUYER_PAY",
            Status::TradeSuccess => "TRADE_SUCCESS",
            Status::TradeFinished => "TRADE_FINISHED",
            Status::TradeClosed => "TRADE_CLOSED",
            Status::Lowercase => "trade_success",
        })
    }
}

/// A field naming our value, another one, nothing, or a wrong JSON type.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sel {
    Absent,
    Ours,
    Other,
    Empty,
    Number,
    /// Our amount written differently (`8.8` for `8.80`), or ours for ids.
    Equivalent,
}

/// A `Y`/`N` flag.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    Absent,
    Y,
    N,
    Lower,
}

impl Flag {
    fn text(self) -> Option<&'static str> {
        match self {
            Flag::Absent => None,
            Flag::Y => Some("Y"),
            Flag::N => Some("N"),
            Flag::Lower => Some("y"),
        }
    }
}

/// Cancel `action`.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelAct {
    Absent,
    Close,
    Refund,
    Other,
}

/// A business object of an answer, field by field.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub struct Body {
    pub code: Code,
    pub sub_code: SubCode,
    pub trade_status: Status,
    /// 0: absent; otherwise one of a few trade numbers (1 is "ours").
    pub trade_no: u8,
    pub out_trade_no: Sel,
    pub total_amount: Sel,
    pub retry_flag: Flag,
    pub action: CancelAct,
    pub fund_change: Flag,
    pub refund_status: Flag,
    pub out_request_no: Sel,
    pub refund_amount: Sel,
}

/// What the flow is about, to fill `Sel` fields.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub out_trade_no: String,
    pub amount: String,
    pub out_request_no: String,
    pub refund_amount: String,
}

fn id_value(sel: Sel, ours: &str) -> Option<Value> {
    match sel {
        Sel::Absent => None,
        Sel::Ours | Sel::Equivalent => Some(Value::String(ours.into())),
        Sel::Other => Some(Value::String(format!("{ours}X"))),
        Sel::Empty => Some(Value::String(String::new())),
        Sel::Number => Some(Value::from(7)),
    }
}

fn amount_value(sel: Sel, ours: &str) -> Option<Value> {
    match sel {
        Sel::Equivalent => {
            // 8.80 -> 8.8 ; 1.00 -> 1 (numerically equal, textually not)
            let t = ours.trim_end_matches('0').trim_end_matches('.');
            Some(Value::String(t.to_string()))
        }
        Sel::Other => Some(Value::String("99999.99".into())),
        Sel::Number => Some(serde_json::from_str::<Value>(ours).unwrap_or(Value::from(1))),
        other => id_value(other, ours),
    }
}

/// Trade number `n` (1..).
pub fn trade_no(n: u8) -> String {
    format!("2026010122001{:015}", n)
}

impl Body {
    /// The object text (field order fixed; the signature is over these bytes).
    pub fn to_json(&self, ctx: &Ctx) -> String {
        let mut m = Map::new();
        let mut put = |k: &str, v: Option<Value>| {
            if let Some(v) = v {
                m.insert(k.to_string(), v);
            }
        };
        put("code", self.code.text().map(Value::from));
        put("msg", Some(Value::from("fuzz")));
        put("sub_code", self.sub_code.text().map(Value::from));
        put(
            "retry_flag",
            self.retry_flag.text().map(|s| Value::from(s.to_string())),
        );
        put(
            "trade_no",
            (self.trade_no != 0).then(|| Value::String(trade_no(self.trade_no % 4))),
        );
        put(
            "out_trade_no",
            id_value(self.out_trade_no, &ctx.out_trade_no),
        );
        put("total_amount", amount_value(self.total_amount, &ctx.amount));
        put("trade_status", self.trade_status.text().map(Value::from));
        put(
            "action",
            match self.action {
                CancelAct::Absent => None,
                CancelAct::Close => Some(Value::from("close")),
                CancelAct::Refund => Some(Value::from("refund")),
                CancelAct::Other => Some(Value::from("bogus")),
            },
        );
        put(
            "fund_change",
            self.fund_change.text().map(|s| Value::from(s.to_string())),
        );
        put(
            "refund_status",
            match self.refund_status {
                Flag::Absent => None,
                Flag::Y => Some(Value::from("REFUND_SUCCESS")),
                Flag::N => Some(Value::from("REFUND_PROCESSING")),
                Flag::Lower => Some(Value::from("refund_success")),
            },
        );
        put(
            "out_request_no",
            id_value(self.out_request_no, &ctx.out_request_no),
        );
        put(
            "refund_amount",
            amount_value(self.refund_amount, &ctx.refund_amount),
        );
        put(
            "refund_fee",
            amount_value(self.refund_amount, &ctx.refund_amount),
        );
        Value::Object(m).to_string()
    }
}

/// One scripted gateway behaviour for a call.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// Correctly signed answer in the call's node.
    Signed(Body),
    /// Correctly signed, but in `error_response` (or another method's node).
    SignedWrongNode(Body, bool),
    /// No `sign`.
    Unsigned(Body),
    /// `sign` over another body.
    Forged(Body, Body),
    /// A signed node followed by a second node claiming something else.
    Duplicate(Body, Body),
    /// A signed answer cut at `len` bytes.
    Truncated(Body, u16),
    /// A signed answer with one byte flipped at `pos`.
    Flipped(Body, u16, u8),
    /// Arbitrary text.
    Raw(String),
    /// A transport error.
    Http(u16),
    Timeout,
    Network,
    Aborted,
}

/// What a delivered reply proves, judged by the fuzzer (independently of the flow).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fact {
    pub method: String,
    pub body: Option<Body>,
    /// Correctly signed in the right node (and nothing else in the body).
    pub verified: bool,
    /// The signed object and its signature are intact but the envelope
    /// around them was damaged (truncated / flipped): the flow may accept
    /// it or not, either is right.
    pub maybe: bool,
}

impl Fact {
    /// The body, when the answer certainly verifies.
    pub fn verified_body(&self) -> Option<&Body> {
        self.body.as_ref().filter(|_| self.verified)
    }

    /// The body, when the answer carries genuinely signed content (it may
    /// or may not verify).
    pub fn signed_body(&self) -> Option<&Body> {
        self.body.as_ref().filter(|_| self.verified || self.maybe)
    }
}

/// The answer text (or transport error) of `reply` for `call`.
pub fn render(reply: &Reply, call: &ApiCall, ctx: &Ctx) -> (Result<String, TransportError>, Fact) {
    let n = node(&call.method);
    let mut fact = Fact {
        method: call.method.clone(),
        ..Fact::default()
    };
    let text = match reply {
        Reply::Signed(b) => {
            let o = b.to_json(ctx);
            fact.body = Some(b.clone());
            fact.verified = true;
            format!(r#"{{"{n}":{o},"sign":"{}"}}"#, sign(&o))
        }
        Reply::SignedWrongNode(b, error_node) => {
            let o = b.to_json(ctx);
            let other = if *error_node {
                "error_response".to_string()
            } else if call.method == "alipay.trade.query" {
                node("alipay.trade.pay")
            } else {
                node("alipay.trade.query")
            };
            format!(r#"{{"{other}":{o},"sign":"{}"}}"#, sign(&o))
        }
        Reply::Unsigned(b) => format!(r#"{{"{n}":{}}}"#, b.to_json(ctx)),
        Reply::Forged(b, s) => {
            let (o, signed) = (b.to_json(ctx), s.to_json(ctx));
            if o == signed {
                // "forged" over the same content is a genuine signature
                fact.body = Some(b.clone());
                fact.verified = true;
            }
            format!(r#"{{"{n}":{o},"sign":"{}"}}"#, sign(&signed))
        }
        Reply::Duplicate(b, second) => {
            let o = b.to_json(ctx);
            format!(
                r#"{{"{n}":{o},"sign":"{}","{n}":{}}}"#,
                sign(&o),
                second.to_json(ctx)
            )
        }
        Reply::Truncated(b, len) => {
            let o = b.to_json(ctx);
            let full = format!(r#"{{"{n}":{o},"sign":"{}"}}"#, sign(&o));
            let mut cut = (*len as usize) % full.len().max(1);
            while !full.is_char_boundary(cut) {
                cut -= 1;
            }
            let cut = &full[..cut];
            if cut.contains(&format!(r#""{n}":{o},"sign":"{}""#, sign(&o))) {
                fact.body = Some(b.clone());
                fact.maybe = true;
            }
            cut.to_string()
        }
        Reply::Flipped(b, pos, x) => {
            let o = b.to_json(ctx);
            let full = format!(r#"{{"{n}":{o},"sign":"{}"}}"#, sign(&o));
            let mut bytes = full.into_bytes();
            let i = (*pos as usize) % bytes.len();
            bytes[i] ^= if *x == 0 { 1 } else { *x };
            let flipped = String::from_utf8_lossy(&bytes).into_owned();
            // A flip that leaves the signed object and its signature intact
            // (e.g. in the outer braces) may or may not leave a body that
            // verifies: genuinely signed content, accepted or not.
            if flipped.contains(&format!(r#""{n}":{o},"sign":"{}""#, sign(&o))) {
                fact.body = Some(b.clone());
                fact.maybe = true;
            }
            flipped
        }
        Reply::Raw(s) => s.clone(),
        Reply::Http(s) => return (Err(TransportError::Http { status: *s }), fact),
        Reply::Timeout => return (Err(TransportError::Timeout), fact),
        Reply::Network => {
            return (
                Err(TransportError::Network {
                    message: "connection reset".into(),
                }),
                fact,
            )
        }
        Reply::Aborted => return (Err(TransportError::Aborted), fact),
    };
    (Ok(text), fact)
}

// ---------------------------------------------------------------------------
// Driver
// ---------------------------------------------------------------------------

/// One gateway step: the reply to the next call and how the run goes on.
#[derive(Arbitrary, Debug, Clone)]
pub struct Step {
    pub reply: Reply,
    /// Answer latency (ms); at or past the call timeout the call times out.
    pub latency_ms: u16,
    /// The POS dies after handing this call to the gateway (the gateway
    /// processes it, the answer is lost) and resumes from its snapshot.
    pub crash: bool,
    /// The cashier aborts while this call is in flight.
    pub abort: bool,
}

pub use alipay_f2f_core::Flow;

/// Everything a run produced.
#[derive(Debug, Default)]
pub struct Run {
    /// Every call handed to the gateway (including those lost in a crash).
    pub calls: Vec<ApiCall>,
    /// What each delivered reply proved (same order as delivered).
    pub facts: Vec<Fact>,
    pub outcome: Option<Outcome>,
    pub start_ms: u64,
    pub end_ms: u64,
    pub crashes: u32,
    pub polls: usize,
    /// Snapshots that did not resume.
    pub unresumable: Vec<String>,
}

/// Most crashes honoured in one run.
pub const MAX_CRASHES: u32 = 6;

/// Runs `flow` against the scripted steps (cycled; none = every call times
/// out) on virtual time, for at most `max_polls` polls. After every poll the
/// snapshot must resume (a POS may die at any moment).
pub fn drive<F: Flow>(
    mut flow: F,
    start_ms: u64,
    steps: &[Step],
    ctx: &Ctx,
    max_polls: usize,
    secret: &str,
) -> Run {
    let mut run = Run {
        start_ms,
        ..Run::default()
    };
    let mut now = start_ms;
    let mut k = 0usize;
    for _ in 0..max_polls {
        run.polls += 1;
        let action = flow.poll(now);
        let snap = flow.snapshot();
        assert!(
            secret.is_empty() || !snap.contains(secret),
            "snapshot carries the payment code"
        );
        let action_json = serde_json::to_string(&action).expect("actions serialize");
        let is_pay = matches!(&action, Action::Call(c) if c.method == "alipay.trade.pay");
        assert!(
            secret.is_empty() || is_pay || !action_json.contains(secret),
            "an action carries the unmasked payment code: {action_json}"
        );
        if F::resume(&snap, verifier(), now).is_err() {
            run.unresumable.push(snap.clone());
        }
        match action {
            Action::Done(o) => {
                run.outcome = Some(o);
                break;
            }
            Action::Event(_) => {}
            // A wait that never moves on is caught by `max_polls` (no outcome).
            Action::Wait { until_ms } => now = now.max(until_ms),
            Action::Call(call) => {
                run.calls.push(call.clone());
                let step = steps.get(k % steps.len().max(1)).cloned();
                k += 1;
                let step = step.unwrap_or(Step {
                    reply: Reply::Timeout,
                    latency_ms: 0,
                    crash: false,
                    abort: false,
                });
                let latency = u64::from(step.latency_ms);
                if step.crash && run.crashes < MAX_CRASHES {
                    run.crashes += 1;
                    now += latency.min(call.timeout_ms);
                    flow = F::resume(&snap, verifier(), now)
                        .expect("a snapshot taken by the flow resumes");
                    continue;
                }
                if step.abort {
                    flow.abort(now + latency / 2);
                }
                if latency >= call.timeout_ms {
                    now += call.timeout_ms;
                    flow.handle_transport_error(call.id, TransportError::Timeout, now)
                        .expect("the call in flight accepts its timeout");
                    run.facts.push(Fact {
                        method: call.method.clone(),
                        ..Fact::default()
                    });
                    continue;
                }
                now += latency;
                let (answer, fact) = render(&step.reply, &call, ctx);
                run.facts.push(fact);
                match answer {
                    Ok(text) => flow.handle_response(call.id, &text, now),
                    Err(e) => flow.handle_transport_error(call.id, e, now),
                }
                .expect("the call in flight accepts its answer");
                // A second answer to the same call is refused without change.
                assert!(flow.handle_response(call.id, "{}", now).is_err());
            }
        }
    }
    run.end_ms = now;
    run
}

/// Numeric equality of two yuan amounts in cents.
pub fn same_amount(a: &str, b: &str) -> bool {
    fn cents(s: &str) -> Option<u64> {
        let (i, f) = s.split_once('.').unwrap_or((s, ""));
        if i.is_empty() || f.len() > 2 || !(i.bytes().chain(f.bytes())).all(|c| c.is_ascii_digit())
        {
            return None;
        }
        let f = format!("{f:0<2}");
        Some(i.parse::<u64>().ok()? * 100 + f.parse::<u64>().ok()?)
    }
    matches!((cents(a), cents(b)), (Some(x), Some(y)) if x == y)
}

/// Whether `sel` (as rendered) names our value or nothing (the flow accepts
/// an absent field as not contradicting).
pub fn names_ours_or_nothing(sel: Sel) -> bool {
    matches!(sel, Sel::Absent | Sel::Ours | Sel::Equivalent | Sel::Empty)
}
