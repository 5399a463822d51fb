//! `BarcodePayFlow` / `RefundFlow`: the core's sans-IO flow machines, 1:1.
//! Inputs and outputs are the core's JSON shapes (camelCase, tagged by
//! `type` / `status`); the TypeScript driver runs them.
//!
//! No poisoning flag as in the addon: with `panic = "abort"` a panic traps
//! the whole instance, and the npm wrapper retires every object of a
//! trapped instance (later calls throw `ERR_INTERNAL`; resume from the last
//! snapshot).

use alipay_f2f_core::flow::{
    BarcodePay, PayOrder, Policy, Refund, RefundOrder, RefundPolicy, TransportError,
};
use alipay_f2f_core::Flow;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

use alipay_f2f_core::args::{call_id, millis};

use crate::convert::{from_json, json_text, str_arg, text_kind, to_js};
use crate::error::{guard, invalid, CoreResult};
use crate::verifier::Verifier;

/// A core flow resumed from its snapshot (the `resume` factories).
fn resumed<F: Flow>(snapshot: &JsValue, verifier: &Verifier, now_ms: f64) -> CoreResult<F> {
    let snapshot = str_arg("snapshot", snapshot)?;
    F::resume(&snapshot, verifier.inner.clone(), millis("nowMs", now_ms)?)
}

/// An optional policy object (`undefined`/`null` = defaults), as JSON text.
fn policy<T: DeserializeOwned + Default>(text: &str) -> CoreResult<T> {
    match text_kind(text) {
        "null" => Ok(T::default()),
        "an object" => from_json("policy", text),
        k => Err(invalid(
            "policy",
            format!("policy must be an object, not {k}"),
        )),
    }
}

macro_rules! flow_methods {
    ($name:ident) => {
        #[wasm_bindgen]
        impl $name {
            /// The next action (JSON, tagged by `type`): queued events first,
            /// then `call`, `wait`, or `done` (repeated once finished).
            pub fn poll(&mut self, now_ms: f64) -> Result<JsValue, JsValue> {
                guard(|| {
                    let now = millis("nowMs", now_ms)?;
                    to_js(&self.inner.poll(now))
                })
            }

            /// Feeds the raw response text of call `id` (verified inside; an
            /// unverifiable body counts as an unknown result, not an error).
            /// Throws `ERR_FLOW_STATE` (no change) if `id` is not the call in flight.
            #[wasm_bindgen(js_name = handleResponse)]
            pub fn handle_response(
                &mut self,
                id: f64,
                #[wasm_bindgen(unchecked_param_type = "string")] body: JsValue,
                now_ms: f64,
            ) -> Result<(), JsValue> {
                guard(|| {
                    let now = millis("nowMs", now_ms)?;
                    let body = str_arg("body", &body)?;
                    self.inner.handle_response(call_id(id)?, &body, now)
                })
            }

            /// Reports that call `id` produced no answer:
            /// `{ type: 'timeout' | 'aborted' } | { type: 'network', message } | { type: 'http', status }`.
            /// Throws `ERR_FLOW_STATE` (no change) if `id` is not the call in flight.
            #[wasm_bindgen(js_name = handleTransportError)]
            pub fn handle_transport_error(
                &mut self,
                id: f64,
                error: JsValue,
                now_ms: f64,
            ) -> Result<(), JsValue> {
                guard(|| {
                    let now = millis("nowMs", now_ms)?;
                    let err: TransportError = from_json("error", &json_text("error", error)?)?;
                    self.inner.handle_transport_error(call_id(id)?, err, now)
                })
            }

            /// The cashier's abort: stop waiting and reverse the trade.
            /// Idempotent; a no-op once finished.
            pub fn abort(&mut self, now_ms: f64) -> Result<(), JsValue> {
                guard(|| {
                    let now = millis("nowMs", now_ms)?;
                    self.inner.abort(now);
                    Ok(())
                })
            }

            /// The state as JSON (no keys, no payment code). Persist it to resume.
            pub fn snapshot(&self) -> String {
                self.inner.snapshot()
            }

            /// The outcome once finished (same JSON as the `done` action), else `null`.
            #[wasm_bindgen(getter)]
            pub fn outcome(&self) -> Result<JsValue, JsValue> {
                guard(|| match self.inner.outcome() {
                    Some(o) => to_js(o),
                    None => Ok(JsValue::NULL),
                })
            }
        }
    };
}

/// The barcode payment flow (`alipay.trade.pay` → query while the buyer
/// confirms → cancel what cannot be proven paid).
#[wasm_bindgen]
pub struct BarcodePayFlow {
    inner: BarcodePay,
}

#[wasm_bindgen]
impl BarcodePayFlow {
    /// Validates `order` (`{ outTradeNo, authCode, totalAmount, subject, storeId?, operatorId?,
    /// terminalId?, timeoutExpress?, body?, goodsDetail?, queryOptions?, extra? }`) and `policy`
    /// (`{ pollIntervalMs?, maxWaitMs?, callTimeoutMs?, cancelRetries?, cancelRetryIntervalMs?,
    /// queryRetries? }`); throws `ERR_INVALID_ARGUMENT` naming the field.
    #[wasm_bindgen(constructor)]
    pub fn new(
        order: JsValue,
        policy_json: JsValue,
        verifier: &Verifier,
        now_ms: f64,
    ) -> Result<BarcodePayFlow, JsValue> {
        guard(|| {
            let now = millis("nowMs", now_ms)?;
            let order: PayOrder = from_json("order", &json_text("order", order)?)?;
            let policy: Policy = policy(&json_text("policy", policy_json)?)?;
            Ok(BarcodePayFlow {
                inner: BarcodePay::new(order, policy, verifier.inner.clone(), now)?,
            })
        })
    }

    /// Resumes from `snapshot()`; a call in flight then is treated as lost
    /// (unknown: queried, then cancelled if not proven paid). Throws `ERR_SNAPSHOT`.
    pub fn resume(
        #[wasm_bindgen(unchecked_param_type = "string")] snapshot: JsValue,
        verifier: &Verifier,
        now_ms: f64,
    ) -> Result<BarcodePayFlow, JsValue> {
        guard(|| {
            Ok(BarcodePayFlow {
                inner: resumed(&snapshot, verifier, now_ms)?,
            })
        })
    }
}

flow_methods!(BarcodePayFlow);

/// The refund flow (`alipay.trade.refund` idempotent by `out_request_no`,
/// confirmed by `fund_change=Y` or a refund query).
#[wasm_bindgen]
pub struct RefundFlow {
    inner: Refund,
}

#[wasm_bindgen]
impl RefundFlow {
    /// Validates `order` (`{ outTradeNo? | tradeNo?, refundAmount, outRequestNo?, refundReason?,
    /// operatorId?, storeId?, terminalId?, extra? }`) and `policy` (`{ callTimeoutMs?,
    /// refundRetries?, queryDelayMs?, retryIntervalMs? }`). `entropy` (16 random bytes) derives
    /// `outRequestNo` when absent.
    #[wasm_bindgen(constructor)]
    pub fn new(
        order: JsValue,
        policy_json: JsValue,
        verifier: &Verifier,
        now_ms: f64,
        entropy: JsValue,
    ) -> Result<RefundFlow, JsValue> {
        guard(|| {
            let now = millis("nowMs", now_ms)?;
            let order: RefundOrder = from_json("order", &json_text("order", order)?)?;
            let policy: RefundPolicy = policy(&json_text("policy", policy_json)?)?;
            let entropy: [u8; 16] = entropy
                .dyn_into::<js_sys::Uint8Array>()
                .ok()
                .filter(|a| a.length() == 16)
                .map(|a| {
                    let mut e = [0u8; 16];
                    a.copy_to(&mut e);
                    e
                })
                .ok_or_else(|| invalid("entropy", "entropy must be exactly 16 random bytes"))?;
            Ok(RefundFlow {
                inner: Refund::new(order, policy, verifier.inner.clone(), entropy, now)?,
            })
        })
    }

    /// Resumes from `snapshot()`. Throws `ERR_SNAPSHOT`.
    pub fn resume(
        #[wasm_bindgen(unchecked_param_type = "string")] snapshot: JsValue,
        verifier: &Verifier,
        now_ms: f64,
    ) -> Result<RefundFlow, JsValue> {
        guard(|| {
            Ok(RefundFlow {
                inner: resumed(&snapshot, verifier, now_ms)?,
            })
        })
    }
}

flow_methods!(RefundFlow);
