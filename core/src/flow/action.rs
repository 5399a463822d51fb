//! What a flow asks of its driver ([`Action`]), what it reports ([`Event`]),
//! and how a driver reports a failed exchange ([`TransportError`]).

use serde::{Deserialize, Serialize};

use super::outcome::{CancelReason, Outcome};

/// Identifies one API call of a flow; ids increase from 1 and are never reused.
pub type CallId = u32;

/// An API call the driver must perform: sign and send it (direct deployment)
/// or forward it to the backend (forwarded deployment), then feed the raw
/// response text back with `handle_response`, or the failure with
/// `handle_transport_error`.
///
/// JSON: `{"id":1,"method":"alipay.trade.pay","bizContent":"{...}","timeoutMs":15000}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiCall {
    /// The id to pass back with the answer.
    pub id: CallId,
    /// The gateway method, e.g. `alipay.trade.query`.
    pub method: String,
    /// The `biz_content` parameter: JSON object text.
    pub biz_content: String,
    /// How long the driver should wait for the answer. After that the flow
    /// treats the call as timed out (a later answer is refused with
    /// `ERR_FLOW_STATE`).
    pub timeout_ms: u64,
}

/// The next thing the driver must do, from `poll`.
///
/// JSON (tagged by `type`):
/// - `{"type":"call","id":1,"method":"alipay.trade.pay","bizContent":"{...}","timeoutMs":15000}`
/// - `{"type":"wait","untilMs":1700000005000}`: nothing to do until then (or until the
///   in-flight call's answer arrives, or the cashier aborts)
/// - `{"type":"event","event":{"type":"paySent",...}}`
/// - `{"type":"done","outcome":{"status":"paid",...}}`: terminal; `poll` keeps returning it
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "ActionRepr", from = "ActionRepr")]
pub enum Action {
    /// Perform this call.
    Call(ApiCall),
    /// Nothing to do before `until_ms` (epoch ms) unless an answer or an abort comes.
    Wait {
        /// When to poll again.
        until_ms: u64,
    },
    /// Progress for the cashier screen and logs.
    Event(Event),
    /// The flow is finished.
    Done(Outcome),
}

/// The wire shape of [`Action`] (tagged struct variants, so that the payload
/// of `event` and `done` keeps its own `type` / `status` tag).
#[derive(Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
enum ActionRepr {
    Call(ApiCall),
    Wait { until_ms: u64 },
    Event { event: Event },
    Done { outcome: Outcome },
}

impl From<Action> for ActionRepr {
    fn from(a: Action) -> Self {
        match a {
            Action::Call(c) => ActionRepr::Call(c),
            Action::Wait { until_ms } => ActionRepr::Wait { until_ms },
            Action::Event(event) => ActionRepr::Event { event },
            Action::Done(outcome) => ActionRepr::Done { outcome },
        }
    }
}

impl From<ActionRepr> for Action {
    fn from(a: ActionRepr) -> Self {
        match a {
            ActionRepr::Call(c) => Action::Call(c),
            ActionRepr::Wait { until_ms } => Action::Wait { until_ms },
            ActionRepr::Event { event } => Action::Event(event),
            ActionRepr::Done { outcome } => Action::Done(outcome),
        }
    }
}

/// Why an exchange produced no response text.
///
/// JSON: `{"type":"timeout"}`, `{"type":"network","message":"..."}`,
/// `{"type":"http","status":502}`, `{"type":"aborted"}`.
///
/// `Deserialize` is written by hand (`flow/tagged.rs`, same JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum TransportError {
    /// No answer within the call's timeout.
    Timeout,
    /// Connection refused/reset, DNS failure, TLS failure, ...
    Network {
        /// What the transport said (no secrets).
        message: String,
    },
    /// The gateway (or the forwarding backend) answered with a non-200 status.
    Http {
        /// The HTTP status.
        status: u16,
    },
    /// The driver aborted the exchange (e.g. the cashier's abort signal).
    Aborted,
}

/// Progress of a flow, for a cashier screen and logs. Never carries secrets:
/// the payment code is masked.
///
/// JSON (tagged by `type`, camelCase fields), e.g.
/// `{"type":"paySent","callId":1,"outTradeNo":"T1","totalAmount":"8.80","authCode":"28************1234"}`.
///
/// `Deserialize` is written by hand (`flow/tagged.rs`, same JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Event {
    /// Something worth telling but not fatal (e.g. the payment code has an unusual shape).
    Warning {
        /// Stable warning code: `AUTH_CODE_FORMAT`, `TRADE_MISMATCH`, `CANCEL_ACTION_MISSING`.
        code: String,
        /// Human message.
        message: String,
    },
    /// `alipay.trade.pay` is being sent.
    PaySent {
        /// The call.
        call_id: CallId,
        /// The merchant trade number.
        out_trade_no: String,
        /// The amount charged.
        total_amount: String,
        /// The payment code, masked (first 2 and last 4 characters).
        auth_code: String,
    },
    /// The buyer is confirming on the phone (pay answered `10003`, or a query
    /// answered `WAIT_BUYER_PAY`); the flow polls until `until_ms`.
    WaitingForBuyer {
        /// The polling deadline.
        until_ms: u64,
    },
    /// `alipay.trade.query` number `attempt` (1-based) is being sent.
    Query {
        /// The call.
        call_id: CallId,
        /// 1-based.
        attempt: u32,
    },
    /// `alipay.trade.cancel` number `attempt` (1-based) is being sent.
    Cancel {
        /// The call.
        call_id: CallId,
        /// 1-based.
        attempt: u32,
        /// Why the trade is being reversed.
        reason: CancelReason,
    },
    /// `alipay.trade.refund` number `attempt` (1-based) is being sent.
    Refund {
        /// The call.
        call_id: CallId,
        /// 1-based.
        attempt: u32,
        /// The idempotency key of the refund (stable across attempts).
        out_request_no: String,
        /// The amount refunded.
        refund_amount: String,
    },
    /// `alipay.trade.fastpay.refund.query` number `attempt` is being sent.
    RefundQuery {
        /// The call.
        call_id: CallId,
        /// 1-based.
        attempt: u32,
        /// The refund queried.
        out_request_no: String,
    },
    /// A verified answer arrived.
    Answer {
        /// The call.
        call_id: CallId,
        /// The method.
        method: String,
        /// Gateway `code`.
        code: String,
        /// `sub_code`, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sub_code: Option<String>,
        /// `sub_msg`, if any (show it to the cashier).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sub_msg: Option<String>,
        /// `trade_status` of a query answer.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        trade_status: Option<String>,
    },
    /// An answer arrived but could not be trusted (bad or missing signature,
    /// duplicate node, malformed body): it counts as "outcome unknown".
    Rejected {
        /// The call.
        call_id: CallId,
        /// The method.
        method: String,
        /// The `ERR_*` code of the verification failure.
        error_code: String,
        /// Why.
        message: String,
    },
    /// The exchange failed without an answer: it counts as "outcome unknown".
    TransportFailed {
        /// The call.
        call_id: CallId,
        /// The method.
        method: String,
        /// What failed.
        error: TransportError,
    },
    /// A call will be retried at `at_ms`.
    Retry {
        /// The method retried.
        method: String,
        /// The attempt number of the retry (1-based).
        attempt: u32,
        /// When.
        at_ms: u64,
    },
    /// The cashier aborted; the flow stops waiting and reverses the trade.
    Aborted,
    /// The flow was resumed from a snapshot. `lost_call_id` is the call whose
    /// answer was lost, now treated as unknown.
    Resumed {
        /// The call in flight when the snapshot was taken, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lost_call_id: Option<CallId>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_json_shapes_follow_the_contract() {
        let call = Action::Call(ApiCall {
            id: 1,
            method: "alipay.trade.pay".into(),
            biz_content: "{}".into(),
            timeout_ms: 15000,
        });
        assert_eq!(
            serde_json::to_string(&call).unwrap(),
            r#"{"type":"call","id":1,"method":"alipay.trade.pay","bizContent":"{}","timeoutMs":15000}"#
        );
        let wait = Action::Wait { until_ms: 5 };
        assert_eq!(
            serde_json::to_string(&wait).unwrap(),
            r#"{"type":"wait","untilMs":5}"#
        );
        let ev = Action::Event(Event::Query {
            call_id: 2,
            attempt: 1,
        });
        assert_eq!(
            serde_json::to_string(&ev).unwrap(),
            r#"{"type":"event","event":{"type":"query","callId":2,"attempt":1}}"#
        );
        let ab = Action::Event(Event::Aborted);
        assert_eq!(
            serde_json::to_string(&ab).unwrap(),
            r#"{"type":"event","event":{"type":"aborted"}}"#
        );
        for a in [call, wait, ev, ab] {
            let back: Action = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
            assert_eq!(back, a);
        }
    }

    #[test]
    fn transport_error_json() {
        let e = TransportError::Network {
            message: "reset".into(),
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"type":"network","message":"reset"}"#
        );
        let t: TransportError = serde_json::from_str(r#"{"type":"timeout"}"#).unwrap();
        assert_eq!(t, TransportError::Timeout);
        let h: TransportError = serde_json::from_str(r#"{"type":"http","status":502}"#).unwrap();
        assert_eq!(h, TransportError::Http { status: 502 });
    }
}
