//! Shared by the flow tests: an "Alipay" that signs answers with the fixture
//! app key (verified with the matching public key), cached signed bodies,
//! and a driver that runs a flow against a scripted gateway on virtual time.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use alipay_f2f_core::flow::{Action, ApiCall, Event, Outcome, TransportError};
use alipay_f2f_core::{Charset, PrivateKey, PublicKey, SignType, Verifier};

const PRIVATE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/fixtures/keys/app-private-key.pem"
);
const PUBLIC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/fixtures/keys/app-public-key.pem"
);

fn private_key() -> &'static PrivateKey {
    static K: OnceLock<PrivateKey> = OnceLock::new();
    K.get_or_init(|| PrivateKey::parse(&std::fs::read_to_string(PRIVATE).unwrap()).unwrap())
}

/// The verifier of the flows: the public half of the key "Alipay" signs with.
pub fn verifier() -> Verifier {
    static V: OnceLock<Verifier> = OnceLock::new();
    V.get_or_init(|| {
        let k = PublicKey::parse(&std::fs::read_to_string(PUBLIC).unwrap()).unwrap();
        Verifier::new(k, SignType::Rsa2)
    })
    .clone()
}

/// `alipay.trade.pay` -> `alipay_trade_pay_response`.
pub fn node(method: &str) -> String {
    format!("{}_response", method.replace('.', "_"))
}

fn sign(content: &str) -> String {
    static CACHE: OnceLock<Mutex<HashMap<String, String>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(s) = cache.lock().unwrap().get(content) {
        return s.clone();
    }
    let s = alipay_f2f_core::sign::sign_content_base64(
        content,
        private_key(),
        SignType::Rsa2,
        Charset::Utf8,
    )
    .unwrap();
    cache.lock().unwrap().insert(content.to_string(), s.clone());
    s
}

/// A correctly signed answer of `method` with business object `obj` (JSON text).
pub fn signed(method: &str, obj: &str) -> String {
    format!(r#"{{"{}":{},"sign":"{}"}}"#, node(method), obj, sign(obj))
}

/// An answer without a signature (like `isv.invalid-app-id`).
pub fn unsigned(method: &str, obj: &str) -> String {
    format!(r#"{{"{}":{}}}"#, node(method), obj)
}

/// An answer whose signature is over other content (a forgery).
pub fn forged(method: &str, obj: &str, signed_obj: &str) -> String {
    format!(
        r#"{{"{}":{},"sign":"{}"}}"#,
        node(method),
        obj,
        sign(signed_obj)
    )
}

/// A validly signed node followed by a second node (duplicate-node attack).
pub fn duplicated(method: &str, obj: &str, second: &str) -> String {
    let n = node(method);
    format!(r#"{{"{n}":{obj},"sign":"{}","{n}":{second}}}"#, sign(obj))
}

/// What the scripted gateway does with a call.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// Answer with this body after `latency_ms`.
    Body { text: String, latency_ms: u64 },
    /// The transport fails after `latency_ms`.
    Fail {
        error: TransportError,
        latency_ms: u64,
    },
    /// No answer: the driver lets the flow time the call out (polls past the deadline).
    Silent,
}

pub fn body(text: String) -> Reply {
    Reply::Body {
        text,
        latency_ms: 100,
    }
}

pub use alipay_f2f_core::Flow;

/// Everything a run produced.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    /// Every action, serialized (for determinism checks).
    pub actions: Vec<String>,
    /// Calls in order, with the time they were made and the reply given.
    pub calls: Vec<(u64, ApiCall, Reply)>,
    pub events: Vec<Event>,
    pub outcome: Option<Outcome>,
    pub end_ms: u64,
    /// Whether (and when) the driver aborted before the outcome.
    pub aborted_at: Option<u64>,
    /// When the POS "crashed" and resumed from its snapshot, if it did.
    pub resumed_at: Option<u64>,
}

/// Runs `flow` from `now` against `gateway`, aborting at `abort_at` (virtual
/// time) if given. At poll step `crash_at` (if given) the POS persists its
/// snapshot, performs the returned call (the gateway processes it), dies
/// before the answer, and resumes from the snapshot 100 ms later.
/// `max_steps` guards against a flow that never ends.
pub fn run<F: Flow>(
    flow: &mut F,
    mut now: u64,
    gateway: &mut dyn FnMut(&ApiCall, u64) -> Reply,
    abort_at: Option<u64>,
    crash_at: Option<usize>,
    max_steps: usize,
) -> Trace {
    let mut t = Trace::default();
    let mut abort_pending = abort_at;
    for step in 0..max_steps {
        let a = flow.poll(now);
        t.actions.push(serde_json::to_string(&a).unwrap());
        if crash_at == Some(step) && !matches!(a, Action::Done(_)) {
            let snap = flow.snapshot();
            if let Action::Call(c) = &a {
                let reply = gateway(c, now);
                t.calls.push((now, c.clone(), reply));
            }
            now = now.saturating_add(100);
            *flow = F::resume(&snap, verifier(), now).expect("resume from own snapshot");
            t.resumed_at = Some(now);
            continue;
        }
        match a {
            Action::Event(e) => t.events.push(e),
            Action::Done(o) => {
                t.outcome = Some(o);
                t.end_ms = now;
                return t;
            }
            Action::Wait { until_ms } => {
                assert!(until_ms > now, "wait must move time forward");
                match abort_pending {
                    Some(at) if at < until_ms => {
                        now = now.max(at);
                        abort_pending = None;
                        t.aborted_at = Some(now);
                        flow.abort(now);
                    }
                    _ => now = until_ms,
                }
            }
            Action::Call(c) => {
                let reply = gateway(&c, now);
                t.calls.push((now, c.clone(), reply.clone()));
                let latency = match &reply {
                    Reply::Body { latency_ms, .. } | Reply::Fail { latency_ms, .. } => {
                        (*latency_ms).min(c.timeout_ms)
                    }
                    Reply::Silent => c.timeout_ms,
                };
                // a cashier abort while the call is in flight
                if let Some(at) = abort_pending {
                    if at < now.saturating_add(latency) {
                        abort_pending = None;
                        t.aborted_at = Some(now.max(at));
                        flow.abort(now.max(at));
                    }
                }
                now = now.saturating_add(latency);
                match reply {
                    Reply::Body { text, .. } => flow.handle_response(c.id, &text, now).unwrap(),
                    Reply::Fail { error, .. } => {
                        flow.handle_transport_error(c.id, error, now).unwrap()
                    }
                    Reply::Silent => {}
                }
            }
        }
    }
    panic!(
        "flow did not finish in {max_steps} steps: {:?}",
        t.actions.last()
    );
}
