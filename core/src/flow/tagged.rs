//! `Deserialize` for the internally tagged enums of the flows ([`Event`],
//! [`TransportError`], [`Outcome`], [`CallResult`]), written by hand.
//!
//! They read exactly the JSON their derived `Serialize` writes (and that
//! `#[serde(tag = ..)]` would read: tag anywhere in the object, unknown fields
//! ignored, `missing field` / `unknown variant` errors worded the same). Why
//! not the derive: serde's internally tagged deserializer buffers the object
//! into its private `Content` tree and then runs a separate visitor per
//! variant over it; for these enums that was about 120 KB of the wasm build.
//! Here each enum reads one flat object of optional fields through the
//! caller's deserializer, then picks the variant by its tag.
//!
//! The one difference to the derive: a member that belongs to another variant
//! is type-checked rather than ignored (e.g. `{"type":"aborted","callId":"x"}`
//! is refused). The SDK never writes such objects.

use serde::de::{self, DeserializeOwned, IntoDeserializer};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use super::action::{CallId, Event, TransportError};
use super::outcome::{CallRecord, CallResult, CancelAction, CancelReason, FundBill, Outcome};

/// A required member: `missing field` when absent (or null).
fn req<T, E: de::Error>(value: Option<T>, name: &'static str) -> Result<T, E> {
    value.ok_or_else(|| E::missing_field(name))
}

/// The tag, or `missing field`.
fn tag<E: de::Error>(value: Option<String>, name: &'static str) -> Result<String, E> {
    req(value, name)
}

/// A unit-variant enum (`FailReason`, ...) from a member read as a string.
fn unit_enum<T: DeserializeOwned, E: de::Error>(
    value: Option<String>,
    name: &'static str,
) -> Result<T, E> {
    T::deserialize(req::<String, E>(value, name)?.into_deserializer())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TransportErrorFields {
    #[serde(rename = "type")]
    tag: Option<String>,
    message: Option<String>,
    status: Option<u16>,
}

const TRANSPORT_ERROR_VARIANTS: &[&str] = &["timeout", "network", "http", "aborted"];

impl<'de> Deserialize<'de> for TransportError {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let f = TransportErrorFields::deserialize(d)?;
        let t = tag(f.tag, "type")?;
        Ok(match t.as_str() {
            "timeout" => TransportError::Timeout,
            "network" => TransportError::Network {
                message: req(f.message, "message")?,
            },
            "http" => TransportError::Http {
                status: req(f.status, "status")?,
            },
            "aborted" => TransportError::Aborted,
            _ => return Err(de::Error::unknown_variant(&t, TRANSPORT_ERROR_VARIANTS)),
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventFields {
    #[serde(rename = "type")]
    tag: Option<String>,
    code: Option<String>,
    message: Option<String>,
    call_id: Option<CallId>,
    out_trade_no: Option<String>,
    total_amount: Option<String>,
    auth_code: Option<String>,
    until_ms: Option<u64>,
    attempt: Option<u32>,
    reason: Option<CancelReason>,
    out_request_no: Option<String>,
    refund_amount: Option<String>,
    method: Option<String>,
    sub_code: Option<String>,
    sub_msg: Option<String>,
    trade_status: Option<String>,
    error_code: Option<String>,
    error: Option<TransportError>,
    at_ms: Option<u64>,
    lost_call_id: Option<CallId>,
}

const EVENT_VARIANTS: &[&str] = &[
    "warning",
    "paySent",
    "waitingForBuyer",
    "query",
    "cancel",
    "refund",
    "refundQuery",
    "answer",
    "rejected",
    "transportFailed",
    "retry",
    "aborted",
    "resumed",
];

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let f = EventFields::deserialize(d)?;
        let t = tag(f.tag, "type")?;
        let call_id = || req(f.call_id, "callId");
        let attempt = || req(f.attempt, "attempt");
        Ok(match t.as_str() {
            "warning" => Event::Warning {
                code: req(f.code, "code")?,
                message: req(f.message, "message")?,
            },
            "paySent" => Event::PaySent {
                call_id: call_id()?,
                out_trade_no: req(f.out_trade_no, "outTradeNo")?,
                total_amount: req(f.total_amount, "totalAmount")?,
                auth_code: req(f.auth_code, "authCode")?,
            },
            "waitingForBuyer" => Event::WaitingForBuyer {
                until_ms: req(f.until_ms, "untilMs")?,
            },
            "query" => Event::Query {
                call_id: call_id()?,
                attempt: attempt()?,
            },
            "cancel" => Event::Cancel {
                call_id: call_id()?,
                attempt: attempt()?,
                reason: req(f.reason, "reason")?,
            },
            "refund" => Event::Refund {
                call_id: call_id()?,
                attempt: attempt()?,
                out_request_no: req(f.out_request_no, "outRequestNo")?,
                refund_amount: req(f.refund_amount, "refundAmount")?,
            },
            "refundQuery" => Event::RefundQuery {
                call_id: call_id()?,
                attempt: attempt()?,
                out_request_no: req(f.out_request_no, "outRequestNo")?,
            },
            "answer" => Event::Answer {
                call_id: call_id()?,
                method: req(f.method, "method")?,
                code: req(f.code, "code")?,
                sub_code: f.sub_code,
                sub_msg: f.sub_msg,
                trade_status: f.trade_status,
            },
            "rejected" => Event::Rejected {
                call_id: call_id()?,
                method: req(f.method, "method")?,
                error_code: req(f.error_code, "errorCode")?,
                message: req(f.message, "message")?,
            },
            "transportFailed" => Event::TransportFailed {
                call_id: call_id()?,
                method: req(f.method, "method")?,
                error: req(f.error, "error")?,
            },
            "retry" => Event::Retry {
                method: req(f.method, "method")?,
                attempt: attempt()?,
                at_ms: req(f.at_ms, "atMs")?,
            },
            "aborted" => Event::Aborted,
            "resumed" => Event::Resumed {
                lost_call_id: f.lost_call_id,
            },
            _ => return Err(de::Error::unknown_variant(&t, EVENT_VARIANTS)),
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CallResultFields {
    #[serde(rename = "type")]
    tag: Option<String>,
    code: Option<String>,
    msg: Option<String>,
    sub_code: Option<String>,
    sub_msg: Option<String>,
    fields: Option<Map<String, Value>>,
    error_code: Option<String>,
    message: Option<String>,
    error: Option<TransportError>,
}

const CALL_RESULT_VARIANTS: &[&str] = &["verified", "rejected", "transport", "lost"];

impl<'de> Deserialize<'de> for CallResult {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let f = CallResultFields::deserialize(d)?;
        let t = tag(f.tag, "type")?;
        Ok(match t.as_str() {
            "verified" => CallResult::Verified {
                code: req(f.code, "code")?,
                msg: f.msg,
                sub_code: f.sub_code,
                sub_msg: f.sub_msg,
                fields: f.fields.unwrap_or_default(),
            },
            "rejected" => CallResult::Rejected {
                error_code: req(f.error_code, "errorCode")?,
                message: req(f.message, "message")?,
            },
            "transport" => CallResult::Transport {
                error: req(f.error, "error")?,
            },
            "lost" => CallResult::Lost,
            _ => return Err(de::Error::unknown_variant(&t, CALL_RESULT_VARIANTS)),
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OutcomeFields {
    status: Option<String>,
    out_trade_no: Option<String>,
    trade_no: Option<String>,
    buyer_logon_id: Option<String>,
    buyer_user_id: Option<String>,
    total_amount: Option<String>,
    receipt_amount: Option<String>,
    buyer_pay_amount: Option<String>,
    gmt_payment: Option<String>,
    fund_bill_list: Option<Vec<FundBill>>,
    confirmed_by: Option<String>,
    /// `FailReason`, `CancelReason` or `UnknownReason`, by status.
    reason: Option<String>,
    code: Option<String>,
    msg: Option<String>,
    sub_code: Option<String>,
    sub_msg: Option<String>,
    trade_status: Option<String>,
    out_request_no: Option<String>,
    action: Option<CancelAction>,
    refund_amount: Option<String>,
    refund_fee: Option<String>,
    gmt_refund_pay: Option<String>,
    message: Option<String>,
    paid: Option<bool>,
    calls: Option<Vec<CallRecord>>,
}

const OUTCOME_VARIANTS: &[&str] = &["paid", "failed", "cancelled", "refunded", "unknown"];

impl<'de> Deserialize<'de> for Outcome {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let f = OutcomeFields::deserialize(d)?;
        let t = tag(f.status, "status")?;
        Ok(match t.as_str() {
            "paid" => Outcome::Paid {
                out_trade_no: req(f.out_trade_no, "outTradeNo")?,
                trade_no: f.trade_no,
                buyer_logon_id: f.buyer_logon_id,
                buyer_user_id: f.buyer_user_id,
                total_amount: req(f.total_amount, "totalAmount")?,
                receipt_amount: f.receipt_amount,
                buyer_pay_amount: f.buyer_pay_amount,
                gmt_payment: f.gmt_payment,
                fund_bill_list: f.fund_bill_list.unwrap_or_default(),
                confirmed_by: req(f.confirmed_by, "confirmedBy")?,
            },
            "failed" => Outcome::Failed {
                reason: unit_enum(f.reason, "reason")?,
                code: req(f.code, "code")?,
                msg: f.msg,
                sub_code: f.sub_code,
                sub_msg: f.sub_msg,
                trade_status: f.trade_status,
                out_trade_no: f.out_trade_no,
                out_request_no: f.out_request_no,
            },
            "cancelled" => Outcome::Cancelled {
                action: req(f.action, "action")?,
                reason: unit_enum(f.reason, "reason")?,
                out_trade_no: req(f.out_trade_no, "outTradeNo")?,
                trade_no: f.trade_no,
            },
            "refunded" => Outcome::Refunded {
                out_trade_no: f.out_trade_no,
                trade_no: f.trade_no,
                out_request_no: req(f.out_request_no, "outRequestNo")?,
                refund_amount: req(f.refund_amount, "refundAmount")?,
                refund_fee: f.refund_fee,
                gmt_refund_pay: f.gmt_refund_pay,
                confirmed_by: req(f.confirmed_by, "confirmedBy")?,
            },
            "unknown" => Outcome::Unknown {
                reason: unit_enum(f.reason, "reason")?,
                message: req(f.message, "message")?,
                out_trade_no: f.out_trade_no,
                trade_no: f.trade_no,
                out_request_no: f.out_request_no,
                paid: req(f.paid, "paid")?,
                calls: req(f.calls, "calls")?,
            },
            _ => return Err(de::Error::unknown_variant(&t, OUTCOME_VARIANTS)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::outcome::{FailReason, UnknownReason};
    use super::*;
    use serde::Serialize;
    use std::fmt::Debug;

    fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(v: &T) {
        let text = serde_json::to_string(v).unwrap();
        let back: T = serde_json::from_str(&text).unwrap();
        assert_eq!(&back, v, "{text}");
        let back: T = serde_json::from_value(serde_json::to_value(v).unwrap()).unwrap();
        assert_eq!(&back, v, "{text}");
    }

    fn err<T: DeserializeOwned + Debug>(text: &str) -> String {
        let e = serde_json::from_str::<T>(text).unwrap_err().to_string();
        e.split(" at line ").next().unwrap().to_owned()
    }

    fn transport_errors() -> Vec<TransportError> {
        vec![
            TransportError::Timeout,
            TransportError::Network {
                message: "reset".into(),
            },
            TransportError::Http { status: 502 },
            TransportError::Aborted,
        ]
    }

    fn call_results() -> Vec<CallResult> {
        let mut fields = Map::new();
        fields.insert("trade_no".into(), Value::from("2024"));
        fields.insert("n".into(), Value::from(1.5));
        let mut v = vec![
            CallResult::Verified {
                code: "10000".into(),
                msg: Some("Success".into()),
                sub_code: Some("s".into()),
                sub_msg: Some("m".into()),
                fields,
            },
            CallResult::Verified {
                code: "20000".into(),
                msg: None,
                sub_code: None,
                sub_msg: None,
                fields: Map::new(),
            },
            CallResult::Rejected {
                error_code: "ERR_SIGNATURE".into(),
                message: "bad".into(),
            },
            CallResult::Lost,
        ];
        v.extend(
            transport_errors()
                .into_iter()
                .map(|error| CallResult::Transport { error }),
        );
        v
    }

    #[test]
    fn transport_errors_round_trip_and_refuse_like_the_derive() {
        for e in transport_errors() {
            round_trip(&e);
        }
        let t: TransportError =
            serde_json::from_str(r#"{"status":503,"type":"http","extra":[1]}"#).unwrap();
        assert_eq!(t, TransportError::Http { status: 503 });
        assert_eq!(
            err::<TransportError>(r#"{"type":"dns"}"#),
            "unknown variant `dns`, expected one of `timeout`, `network`, `http`, `aborted`"
        );
        assert_eq!(err::<TransportError>("{}"), "missing field `type`");
        assert_eq!(
            err::<TransportError>(r#"{"type":"network"}"#),
            "missing field `message`"
        );
        assert_eq!(
            err::<TransportError>(r#"{"type":"http","status":"x"}"#),
            "invalid type: string \"x\", expected u16"
        );
        assert!(serde_json::from_str::<TransportError>("null").is_err());
        assert!(serde_json::from_str::<TransportError>("\"timeout\"").is_err());
    }

    #[test]
    fn events_round_trip_and_refuse_like_the_derive() {
        let s = || "x".to_string();
        let mut events = vec![
            Event::Warning {
                code: s(),
                message: s(),
            },
            Event::PaySent {
                call_id: 1,
                out_trade_no: s(),
                total_amount: "8.80".into(),
                auth_code: s(),
            },
            Event::WaitingForBuyer { until_ms: 1 << 50 },
            Event::Query {
                call_id: 2,
                attempt: 3,
            },
            Event::Refund {
                call_id: 2,
                attempt: 1,
                out_request_no: s(),
                refund_amount: "1.00".into(),
            },
            Event::RefundQuery {
                call_id: 4,
                attempt: 2,
                out_request_no: s(),
            },
            Event::Answer {
                call_id: 1,
                method: s(),
                code: "10000".into(),
                sub_code: None,
                sub_msg: None,
                trade_status: None,
            },
            Event::Answer {
                call_id: 1,
                method: s(),
                code: "40004".into(),
                sub_code: Some("a".into()),
                sub_msg: Some("b".into()),
                trade_status: Some("WAIT_BUYER_PAY".into()),
            },
            Event::Rejected {
                call_id: 1,
                method: s(),
                error_code: s(),
                message: s(),
            },
            Event::Retry {
                method: s(),
                attempt: 2,
                at_ms: 9,
            },
            Event::Aborted,
            Event::Resumed { lost_call_id: None },
            Event::Resumed {
                lost_call_id: Some(7),
            },
        ];
        for reason in [
            CancelReason::Timeout,
            CancelReason::Unknown,
            CancelReason::Aborted,
        ] {
            events.push(Event::Cancel {
                call_id: 5,
                attempt: 1,
                reason,
            });
        }
        for error in transport_errors() {
            events.push(Event::TransportFailed {
                call_id: 3,
                method: s(),
                error,
            });
        }
        let mut tags: Vec<String> = Vec::new();
        for e in &events {
            round_trip(e);
            let v = serde_json::to_value(e).unwrap();
            let t = v["type"].as_str().unwrap().to_owned();
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        assert_eq!(tags.len(), EVENT_VARIANTS.len(), "every variant covered");
        for t in EVENT_VARIANTS {
            assert!(tags.iter().any(|x| x == t), "{t}");
        }
        assert_eq!(
            err::<Event>(r#"{"type":"nope"}"#),
            format!(
                "unknown variant `nope`, expected one of {}",
                EVENT_VARIANTS
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        );
        assert_eq!(
            err::<Event>(r#"{"type":"query","callId":1}"#),
            "missing field `attempt`"
        );
        assert_eq!(
            err::<Event>(r#"{"type":"cancel","callId":1,"attempt":1,"reason":"bored"}"#),
            "unknown variant `bored`, expected one of `timeout`, `unknown`, `aborted`"
        );
        assert_eq!(
            err::<Event>(
                r#"{"attempt":1,"type":"transportFailed","callId":1,"method":"m","error":{"type":"x"}}"#
            ),
            "unknown variant `x`, expected one of `timeout`, `network`, `http`, `aborted`"
        );
        assert_eq!(err::<Event>(r#"{"callId":1}"#), "missing field `type`");
        // unknown members are ignored
        let e: Event = serde_json::from_str(r#"{"x":{"y":[]},"type":"aborted"}"#).unwrap();
        assert_eq!(e, Event::Aborted);
    }

    #[test]
    fn outcomes_round_trip_and_refuse_like_the_derive() {
        let s = || Some("x".to_string());
        let mut outcomes = vec![
            Outcome::Paid {
                out_trade_no: "T1".into(),
                trade_no: s(),
                buyer_logon_id: s(),
                buyer_user_id: s(),
                total_amount: "1.00".into(),
                receipt_amount: s(),
                buyer_pay_amount: s(),
                gmt_payment: s(),
                fund_bill_list: vec![
                    FundBill {
                        fund_channel: "ALIPAYACCOUNT".into(),
                        amount: "1.00".into(),
                        real_amount: None,
                    },
                    FundBill {
                        fund_channel: "PCREDIT".into(),
                        amount: "0.50".into(),
                        real_amount: s(),
                    },
                ],
                confirmed_by: "alipay.trade.pay".into(),
            },
            Outcome::Paid {
                out_trade_no: "T1".into(),
                trade_no: None,
                buyer_logon_id: None,
                buyer_user_id: None,
                total_amount: "1.00".into(),
                receipt_amount: None,
                buyer_pay_amount: None,
                gmt_payment: None,
                fund_bill_list: vec![],
                confirmed_by: "alipay.trade.query".into(),
            },
            Outcome::Refunded {
                out_trade_no: None,
                trade_no: s(),
                out_request_no: "R1".into(),
                refund_amount: "1.00".into(),
                refund_fee: s(),
                gmt_refund_pay: None,
                confirmed_by: "alipay.trade.refund".into(),
            },
        ];
        for reason in [
            FailReason::BusinessFailed,
            FailReason::Refused,
            FailReason::TradeClosed,
            FailReason::Aborted,
        ] {
            outcomes.push(Outcome::Failed {
                reason,
                code: "40004".into(),
                msg: s(),
                sub_code: s(),
                sub_msg: None,
                trade_status: s(),
                out_trade_no: None,
                out_request_no: s(),
            });
        }
        for (action, reason) in [
            (CancelAction::Close, CancelReason::Timeout),
            (CancelAction::Refund, CancelReason::Unknown),
            (CancelAction::Close, CancelReason::Aborted),
        ] {
            outcomes.push(Outcome::Cancelled {
                action,
                reason,
                out_trade_no: "T2".into(),
                trade_no: s(),
            });
        }
        let calls: Vec<CallRecord> = call_results()
            .into_iter()
            .enumerate()
            .map(|(i, result)| CallRecord {
                id: i as u32 + 1,
                method: "alipay.trade.query".into(),
                sent_ms: 10,
                answered_ms: 20,
                result,
            })
            .collect();
        for (i, reason) in [
            UnknownReason::CancelNotConfirmed,
            UnknownReason::CancelRefused,
            UnknownReason::RefundNotConfirmed,
            UnknownReason::Aborted,
        ]
        .into_iter()
        .enumerate()
        {
            outcomes.push(Outcome::Unknown {
                reason,
                message: "m".into(),
                out_trade_no: s(),
                trade_no: None,
                out_request_no: s(),
                paid: i % 2 == 0,
                calls: calls[..i * 2].to_vec(),
            });
        }
        for o in &outcomes {
            round_trip(o);
        }
        for r in call_results() {
            round_trip(&r);
        }
        assert_eq!(
            err::<Outcome>(r#"{"status":"lost"}"#),
            "unknown variant `lost`, expected one of `paid`, `failed`, `cancelled`, `refunded`, `unknown`"
        );
        assert_eq!(
            err::<Outcome>(r#"{"status":"failed","code":"1","reason":"timeout"}"#),
            "unknown variant `timeout`, expected one of `businessFailed`, `refused`, `tradeClosed`, `aborted`"
        );
        assert_eq!(
            err::<Outcome>(r#"{"status":"unknown","reason":"aborted","message":"m","paid":false}"#),
            "missing field `calls`"
        );
        assert_eq!(
            err::<Outcome>(r#"{"status":"paid","outTradeNo":"T","totalAmount":"1"}"#),
            "missing field `confirmedBy`"
        );
        assert_eq!(
            err::<CallResult>(r#"{"type":"verified","code":"1","fields":[]}"#),
            "invalid type: sequence, expected a map"
        );
        assert_eq!(err::<Outcome>("{}"), "missing field `status`");
        assert_eq!(
            err::<CallResult>(r#"{"type":"transport"}"#),
            "missing field `error`"
        );
    }
}
