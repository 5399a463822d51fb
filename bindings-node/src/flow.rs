//! `BarcodePayFlow` / `RefundFlow`: the core's sans-IO flow machines, 1:1.
//! Inputs and outputs are the core's JSON shapes (camelCase, tagged by
//! `type` / `status`); the TypeScript driver runs them.

use alipay_f2f_core::flow::{
    BarcodePay, PayOrder, Policy, Refund, RefundOrder, RefundPolicy, TransportError,
};
use alipay_f2f_core::Flow;
use alipay_f2f_core::{Error as CoreError, ErrorCode};
use napi::{Env, Unknown};
use napi_derive::napi;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::args;
use crate::convert::json_value;
use crate::error::{catch, guard, invalid, to_js, CoreResult};
use crate::verifier::Verifier;
use alipay_f2f_core::args::{call_id, kind, millis};

/// Deserializes a JSON argument into a core type; `ERR_INVALID_ARGUMENT`
/// naming the argument (serde's message names the offending field).
fn from_json<T: DeserializeOwned>(field: &str, value: Value) -> CoreResult<T> {
    serde_json::from_value(value).map_err(|e| invalid(field, format!("invalid {field}: {e}")))
}

/// An optional policy object (`undefined`/`null` = defaults).
fn policy<T: DeserializeOwned + Default>(value: Option<Value>) -> CoreResult<T> {
    match value {
        None | Some(Value::Null) => Ok(T::default()),
        Some(v @ Value::Object(_)) => from_json("policy", v),
        Some(v) => Err(invalid(
            "policy",
            format!("policy must be an object, not {}", kind(&v)),
        )),
    }
}

/// A core flow resumed from its snapshot (the `resume` factories).
fn resumed<F: Flow>(snapshot: Unknown, verifier: Unknown, now_ms: Unknown) -> CoreResult<F> {
    let snapshot = args::string("snapshot", snapshot)?;
    let verifier = args::class::<Verifier>("verifier", "Verifier", &verifier)?;
    let now = millis("nowMs", args::number("nowMs", now_ms)?)?;
    F::resume(&snapshot, verifier.inner.clone(), now)
}

/// The arguments every constructor takes: `order`, `policy`, `verifier`, `nowMs`.
fn flow_args<O: DeserializeOwned, P: DeserializeOwned + Default>(
    order: Unknown,
    policy_json: Option<Unknown>,
    verifier: &Unknown<'_>,
    now_ms: Unknown,
) -> CoreResult<(O, P, alipay_f2f_core::Verifier, u64)> {
    // the JavaScript types first, in parameter order; then the values
    let order = args::json("order", order)?;
    let policy_json = args::opt_json("policy", policy_json)?;
    let verifier = args::class::<Verifier>("verifier", "Verifier", verifier)?;
    let now = millis("nowMs", args::number("nowMs", now_ms)?)?;
    let order: O = from_json("order", order)?;
    let policy: P = policy(policy_json)?;
    Ok((order, policy, verifier.inner.clone(), now))
}

/// Runs a mutating flow step. A panic inside marks the flow poisoned: every
/// later call fails with `ERR_INTERNAL` (resume from the last snapshot),
/// because its state may be half-updated.
fn step<F, T>(
    env: &Env,
    poisoned: &mut bool,
    f: impl FnOnce(&mut F) -> CoreResult<T>,
    flow: &mut F,
) -> napi::Result<T> {
    poison_guard(poisoned, f, flow).map_err(|e| to_js(env, &e))
}

/// The JS-free part of [`step`].
fn poison_guard<F, T>(
    poisoned: &mut bool,
    f: impl FnOnce(&mut F) -> CoreResult<T>,
    flow: &mut F,
) -> CoreResult<T> {
    if *poisoned {
        return Err(CoreError::new(
            ErrorCode::Internal,
            "this flow hit an internal error earlier and cannot continue; resume it from its last snapshot",
        ));
    }
    let mut panicked = true;
    let r = catch(|| {
        let r = f(flow);
        panicked = false;
        r
    });
    if panicked {
        *poisoned = true;
    }
    r
}

macro_rules! flow_methods {
    ($name:ident) => {
        #[napi]
        impl $name {
            /// The next action (JSON, tagged by `type`): queued events first,
            /// then `call`, `wait`, or `done` (repeated once finished).
            #[napi(ts_args_type = "nowMs: number", ts_return_type = "{ type: 'call'; id: number; method: string; bizContent: string; timeoutMs: number } | { type: 'wait'; untilMs: number } | { type: 'event'; event: { type: string; [k: string]: unknown } } | { type: 'done'; outcome: { status: string; [k: string]: unknown } }")]
            pub fn poll(&mut self, env: Env, now_ms: Unknown) -> napi::Result<napi::Unknown<'static>> {
                let action = step(&env, &mut self.poisoned, |f| {
                    let now = millis("nowMs", args::number("nowMs", now_ms)?)?;
                    Ok(f.poll(now))
                }, &mut self.inner)?;
                json_value(&env, &action)
            }

            /// Feeds the raw response text of call `id` (verified inside; an
            /// unverifiable body counts as an unknown result, not an error).
            /// Throws `ERR_FLOW_STATE` (no change) if `id` is not the call in flight.
            #[napi(ts_args_type = "id: number, body: string, nowMs: number")]
            pub fn handle_response(&mut self, env: Env, id: Unknown, body: Unknown, now_ms: Unknown) -> napi::Result<()> {
                step(&env, &mut self.poisoned, |f| {
                    let id = args::number("id", id)?;
                    let body = args::string("body", body)?;
                    let now = millis("nowMs", args::number("nowMs", now_ms)?)?;
                    f.handle_response(call_id(id)?, &body, now)
                }, &mut self.inner)
            }

            /// Reports that call `id` produced no answer:
            /// `{ type: 'timeout' | 'aborted' } | { type: 'network', message } | { type: 'http', status }`.
            /// Throws `ERR_FLOW_STATE` (no change) if `id` is not the call in flight.
            #[napi(ts_args_type = "id: number, error: { type: 'timeout' } | { type: 'aborted' } | { type: 'network'; message: string } | { type: 'http'; status: number }, nowMs: number")]
            pub fn handle_transport_error(&mut self, env: Env, id: Unknown, error: Unknown, now_ms: Unknown) -> napi::Result<()> {
                step(&env, &mut self.poisoned, |f| {
                    let id = args::number("id", id)?;
                    let error = args::json("error", error)?;
                    let now = millis("nowMs", args::number("nowMs", now_ms)?)?;
                    let err: TransportError = from_json("error", error)?;
                    f.handle_transport_error(call_id(id)?, err, now)
                }, &mut self.inner)
            }

            /// The cashier's abort: stop waiting and reverse the trade.
            /// Idempotent; a no-op once finished.
            #[napi(ts_args_type = "nowMs: number")]
            pub fn abort(&mut self, env: Env, now_ms: Unknown) -> napi::Result<()> {
                step(&env, &mut self.poisoned, |f| {
                    let now = millis("nowMs", args::number("nowMs", now_ms)?)?;
                    f.abort(now);
                    Ok(())
                }, &mut self.inner)
            }

            /// The state as JSON (no keys, no payment code). Persist it to resume.
            #[napi]
            pub fn snapshot(&self, env: Env) -> napi::Result<String> {
                guard(&env, || Ok(self.inner.snapshot()))
            }

            /// The outcome once finished (same JSON as the `done` action), else `null`.
            #[napi(getter, ts_return_type = "{ status: string; [k: string]: unknown } | null")]
            pub fn outcome(&self, env: Env) -> napi::Result<napi::Unknown<'static>> {
                json_value(&env, &self.inner.outcome())
            }
        }
    };
}

/// The barcode payment flow (`alipay.trade.pay` with `scene=bar_code`, then
/// query / cancel as needed until a verified outcome).
#[napi]
pub struct BarcodePayFlow {
    inner: BarcodePay,
    poisoned: bool,
}

#[napi]
impl BarcodePayFlow {
    /// Validates `order` (`{ outTradeNo, authCode, totalAmount, subject, storeId?, operatorId?,
    /// terminalId?, timeoutExpress?, body?, goodsDetail?, queryOptions?, extra? }`) and `policy`
    /// (`{ pollIntervalMs?, maxWaitMs?, callTimeoutMs?, cancelRetries?, cancelRetryIntervalMs?,
    /// queryRetries? }`); throws `ERR_INVALID_ARGUMENT` naming the field.
    #[napi(
        constructor,
        ts_args_type = "order: object, policy: object | null | undefined, verifier: Verifier, nowMs: number"
    )]
    pub fn new(
        env: Env,
        order: Unknown,
        policy_json: Option<Unknown>,
        verifier: Unknown,
        now_ms: Unknown,
    ) -> napi::Result<Self> {
        guard(&env, || {
            let (order, policy, verifier, now): (PayOrder, Policy, _, _) =
                flow_args(order, policy_json, &verifier, now_ms)?;
            Ok(BarcodePayFlow {
                inner: BarcodePay::new(order, policy, verifier, now)?,
                poisoned: false,
            })
        })
    }

    /// Resumes from `snapshot()`; a call in flight then is treated as lost
    /// (unknown: queried, then cancelled if not proven paid). Throws `ERR_SNAPSHOT`.
    #[napi(
        factory,
        ts_args_type = "snapshot: string, verifier: Verifier, nowMs: number"
    )]
    pub fn resume(
        env: Env,
        snapshot: Unknown,
        verifier: Unknown,
        now_ms: Unknown,
    ) -> napi::Result<Self> {
        guard(&env, || {
            Ok(BarcodePayFlow {
                inner: resumed(snapshot, verifier, now_ms)?,
                poisoned: false,
            })
        })
    }
}

flow_methods!(BarcodePayFlow);

/// The refund flow (`alipay.trade.refund` idempotent by `out_request_no`,
/// confirmed by `fund_change=Y` or a refund query).
#[napi]
pub struct RefundFlow {
    inner: Refund,
    poisoned: bool,
}

#[napi]
impl RefundFlow {
    /// Validates `order` (`{ outTradeNo? | tradeNo?, refundAmount, outRequestNo?, refundReason?,
    /// operatorId?, storeId?, terminalId?, extra? }`) and `policy` (`{ callTimeoutMs?,
    /// refundRetries?, queryDelayMs?, retryIntervalMs? }`). `entropy` (16 random bytes) derives
    /// `outRequestNo` when absent.
    #[napi(
        constructor,
        ts_args_type = "order: object, policy: object | null | undefined, verifier: Verifier, nowMs: number, entropy: Uint8Array"
    )]
    pub fn new(
        env: Env,
        order: Unknown,
        policy_json: Option<Unknown>,
        verifier: Unknown,
        now_ms: Unknown,
        entropy: Unknown,
    ) -> napi::Result<Self> {
        guard(&env, || {
            let (order, policy, verifier, now): (RefundOrder, RefundPolicy, _, _) =
                flow_args(order, policy_json, &verifier, now_ms)?;
            let entropy: [u8; 16] = args::bytes("entropy", entropy)?
                .as_slice()
                .try_into()
                .map_err(|_| invalid("entropy", "entropy must be exactly 16 random bytes"))?;
            Ok(RefundFlow {
                inner: Refund::new(order, policy, verifier, entropy, now)?,
                poisoned: false,
            })
        })
    }

    /// Resumes from `snapshot()`. Throws `ERR_SNAPSHOT`.
    #[napi(
        factory,
        ts_args_type = "snapshot: string, verifier: Verifier, nowMs: number"
    )]
    pub fn resume(
        env: Env,
        snapshot: Unknown,
        verifier: Unknown,
        now_ms: Unknown,
    ) -> napi::Result<Self> {
        guard(&env, || {
            Ok(RefundFlow {
                inner: resumed(snapshot, verifier, now_ms)?,
                poisoned: false,
            })
        })
    }
}

flow_methods!(RefundFlow);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_panicking_step_poisons_the_flow() {
        let mut poisoned = false;
        let mut state = 0u32;
        let ok = poison_guard(&mut poisoned, |s: &mut u32| Ok(*s + 1), &mut state);
        assert_eq!(ok.unwrap(), 1);
        let e = poison_guard(
            &mut poisoned,
            |_: &mut u32| -> CoreResult<()> { panic!("bug") },
            &mut state,
        )
        .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Internal);
        assert!(poisoned);
        let e = poison_guard(&mut poisoned, |s: &mut u32| Ok(*s), &mut state).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Internal);
        assert!(e.message().contains("snapshot"));
    }

    #[test]
    fn an_error_does_not_poison() {
        let mut poisoned = false;
        let mut state = ();
        let e = poison_guard(
            &mut poisoned,
            |_: &mut ()| -> CoreResult<()> { Err(invalid("x", "bad")) },
            &mut state,
        )
        .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        assert!(!poisoned);
    }

    #[test]
    fn json_arguments_are_checked() {
        let e = from_json::<PayOrder>("order", json!({"outTradeNo": "T1", "colour": "red"}))
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        assert_eq!(e.field(), Some("order"));
        assert!(policy::<Policy>(None).is_ok());
        assert!(policy::<Policy>(Some(json!(3))).is_err());
        assert_eq!(
            policy::<Policy>(Some(json!({"pollIntervalMs": 250})))
                .unwrap()
                .poll_interval_ms,
            250
        );
        let t: TransportError = from_json("error", json!({"type": "http", "status": 502})).unwrap();
        assert_eq!(t, TransportError::Http { status: 502 });
        assert!(from_json::<TransportError>("error", json!({"type": "gremlins"})).is_err());
    }
}
