//! The barcode payment flow. Its rules are documented on [`BarcodePay`].

use std::collections::VecDeque;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::action::{Action, ApiCall, CallId, Event, TransportError};
use super::driven::{machine_flow, Flow};
use super::outcome::{
    CallRecord, CallResult, CancelAction, CancelReason, FailReason, FundBill, Outcome,
    UnknownReason,
};
use super::policy::Policy;
use super::util::{field, is_refusal, mask_auth_code, mismatch, record, Answer};
use super::{snapshot, METHOD_CANCEL, METHOD_PAY, METHOD_QUERY};
use crate::error::{Error, ErrorCode, Result};
use crate::response::{VerifiedResponse, Verifier};
use crate::validate;

/// The snapshot `kind` of a barcode payment.
pub(crate) const KIND: &str = "barcodePay";

/// A barcode payment order. JSON: camelCase, unknown fields refused.
/// `scene` is always `bar_code` and `product_code` `FACE_TO_FACE_PAYMENT`.
/// Empty optional strings are treated as absent.
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PayOrder {
    /// Merchant trade number: 1..=64 letters, digits, `_`; new for every sale.
    pub out_trade_no: String,
    /// The buyer's payment code as scanned. Checked only advisorily (a
    /// `warning` event), never refused unless empty. Not kept in snapshots.
    #[serde(default)]
    pub auth_code: String,
    /// Amount in yuan, at most 2 decimals.
    pub total_amount: String,
    /// Order title (≤256 chars).
    pub subject: String,
    /// Store number (≤32 chars).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_id: Option<String>,
    /// Operator (cashier) number (≤28 chars).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator_id: Option<String>,
    /// Terminal number (≤32 chars).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal_id: Option<String>,
    /// Relative expiry such as `90m` (no decimals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_express: Option<String>,
    /// Order description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// `goods_detail`: a JSON array of goods objects, passed through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goods_detail: Option<Value>,
    /// `query_options`, e.g. `["fund_bill_list"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_options: Option<Vec<String>>,
    /// More `biz_content` fields (e.g. `seller_id`, `extend_params`), merged
    /// after the fields above; they may not repeat one of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra: Option<Map<String, Value>>,
}

impl fmt::Debug for PayOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PayOrder")
            .field("out_trade_no", &self.out_trade_no)
            .field("auth_code", &mask_auth_code(&self.auth_code))
            .field("total_amount", &self.total_amount)
            .field("subject", &self.subject)
            .field("store_id", &self.store_id)
            .field("operator_id", &self.operator_id)
            .field("terminal_id", &self.terminal_id)
            .field("timeout_express", &self.timeout_express)
            .finish_non_exhaustive()
    }
}

/// `biz_content` keys the flow sets itself; `extra` may not repeat them.
const RESERVED: &[&str] = &[
    "out_trade_no",
    "scene",
    "auth_code",
    "product_code",
    "subject",
    "total_amount",
    "store_id",
    "operator_id",
    "terminal_id",
    "timeout_express",
    "body",
    "goods_detail",
    "query_options",
];

fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

fn max_chars(field: &str, v: &Option<String>, max: usize) -> Result<()> {
    if let Some(s) = non_empty(v) {
        if s.chars().count() > max {
            return Err(Error::invalid_argument(
                field,
                format!("{field} is at most {max} characters"),
            ));
        }
    }
    Ok(())
}

impl PayOrder {
    /// Validates every field (`ERR_INVALID_ARGUMENT` naming the field).
    /// The payment code must only be non-empty: its shape is checked by
    /// [`validate::auth_code`] advisorily.
    pub fn validate(&self) -> Result<()> {
        if self.auth_code.trim().is_empty() {
            return Err(Error::invalid_argument(
                "auth_code",
                "auth_code (the buyer's payment code) is required",
            ));
        }
        self.validate_without_auth_code()
    }

    /// Everything but the payment code (which snapshots do not keep).
    pub(crate) fn validate_without_auth_code(&self) -> Result<()> {
        validate::out_trade_no("out_trade_no", &self.out_trade_no)?;
        validate::amount("total_amount", &self.total_amount)?;
        validate::subject(&self.subject)?;
        if let Some(t) = non_empty(&self.timeout_express) {
            validate::timeout_express(t)?;
        }
        max_chars("store_id", &self.store_id, 32)?;
        max_chars("operator_id", &self.operator_id, 28)?;
        max_chars("terminal_id", &self.terminal_id, 32)?;
        max_chars("body", &self.body, 128)?;
        if let Some(g) = &self.goods_detail {
            if !g.is_array() {
                return Err(Error::invalid_argument(
                    "goods_detail",
                    "goods_detail must be a JSON array of goods objects",
                ));
            }
        }
        if let Some(q) = &self.query_options {
            if q.iter().any(|s| s.is_empty()) {
                return Err(Error::invalid_argument(
                    "query_options",
                    "query_options entries must not be empty",
                ));
            }
        }
        if let Some(extra) = &self.extra {
            if let Some(k) = extra.keys().find(|k| RESERVED.contains(&k.as_str())) {
                return Err(Error::invalid_argument(
                    &format!("extra.{k}"),
                    format!("{k} is set by the flow; give it as an order field, not in extra"),
                ));
            }
        }
        Ok(())
    }

    /// The `biz_content` object of `alipay.trade.pay`.
    pub(crate) fn pay_biz_content(&self) -> String {
        let mut m = Map::new();
        let mut put = |k: &str, v: &str| {
            m.insert(k.to_string(), Value::String(v.to_string()));
        };
        put("out_trade_no", &self.out_trade_no);
        put("scene", "bar_code");
        put("auth_code", &self.auth_code);
        put("product_code", "FACE_TO_FACE_PAYMENT");
        put("subject", &self.subject);
        put("total_amount", &self.total_amount);
        for (k, v) in [
            ("store_id", &self.store_id),
            ("operator_id", &self.operator_id),
            ("terminal_id", &self.terminal_id),
            ("timeout_express", &self.timeout_express),
            ("body", &self.body),
        ] {
            if let Some(v) = non_empty(v) {
                put(k, v);
            }
        }
        if let Some(g) = &self.goods_detail {
            m.insert("goods_detail".into(), g.clone());
        }
        if let Some(q) = &self.query_options {
            m.insert(
                "query_options".into(),
                Value::Array(q.iter().cloned().map(Value::String).collect()),
            );
        }
        if let Some(extra) = &self.extra {
            for (k, v) in extra {
                m.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        Value::Object(m).to_string()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
enum Kind {
    Pay,
    Query,
    Cancel,
}

impl Kind {
    fn method(self) -> &'static str {
        match self {
            Kind::Pay => METHOD_PAY,
            Kind::Query => METHOD_QUERY,
            Kind::Cancel => METHOD_CANCEL,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct InFlight {
    id: CallId,
    kind: Kind,
    sent_ms: u64,
    deadline_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Scheduled {
    kind: Kind,
    at_ms: u64,
}

enum PayVerdict {
    Paid(Outcome),
    Confirming,
    Failed(Outcome),
    Unknown,
}

enum QueryVerdict {
    Paid(Outcome),
    Closed(Outcome),
    Waiting,
    NotExist,
    Unknown,
}

fn flow_state(msg: impl Into<String>) -> Error {
    Error::new(ErrorCode::FlowState, msg)
}

/// The barcode payment state machine without its verifier: every input is
/// an already-verified (or rejected) answer. This is what snapshots hold.
/// (`Debug` is written by hand: a ready pay call carries the payment code.)
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct PayMachine {
    order: PayOrder,
    policy: Policy,
    next_id: CallId,
    /// The pay was handed to the driver (or may have been: resume).
    pay_sent: bool,
    /// Polling deadline (pay sent + maxWaitMs), valid once `pay_sent`.
    deadline_ms: u64,
    in_flight: Option<InFlight>,
    /// A call created by `poll` whose `Call` action is not yet returned
    /// (its event goes first). Not part of snapshots: a resumed flow treats
    /// the call as in flight with its answer lost.
    #[serde(skip)]
    ready: Option<ApiCall>,
    next: Option<Scheduled>,
    buyer_confirming: bool,
    aborted: bool,
    /// A verified answer proved the trade paid (then it was reversed on abort).
    paid: bool,
    trade_no: Option<String>,
    queries: u32,
    unknown_queries: u32,
    cancels: u32,
    cancel_reason: Option<CancelReason>,
    /// A resume already asked once more before a due cancel (at most once
    /// per payment, so repeated crashes cannot postpone the cancel forever).
    #[serde(default)]
    requeried_on_resume: bool,
    calls: Vec<CallRecord>,
    events: VecDeque<Event>,
    outcome: Option<Outcome>,
}

impl fmt::Debug for PayMachine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PayMachine")
            .field("order", &self.order)
            .field("policy", &self.policy)
            .field("pay_sent", &self.pay_sent)
            .field("in_flight", &self.in_flight)
            .field("next", &self.next)
            .field("aborted", &self.aborted)
            .field("paid", &self.paid)
            .field("calls", &self.calls.len())
            .field("outcome", &self.outcome)
            .finish_non_exhaustive()
    }
}

impl PayMachine {
    /// A machine for an already validated order and policy; the pay is due now.
    pub(crate) fn new(order: PayOrder, policy: Policy, now_ms: u64) -> Self {
        PayMachine {
            order,
            policy,
            next_id: 1,
            pay_sent: false,
            deadline_ms: 0,
            in_flight: None,
            ready: None,
            next: Some(Scheduled {
                kind: Kind::Pay,
                at_ms: now_ms,
            }),
            buyer_confirming: false,
            aborted: false,
            paid: false,
            trade_no: None,
            queries: 0,
            unknown_queries: 0,
            cancels: 0,
            cancel_reason: None,
            requeried_on_resume: false,
            calls: Vec::new(),
            events: VecDeque::new(),
            outcome: None,
        }
    }

    pub(crate) fn push_event(&mut self, e: Event) {
        self.events.push_back(e);
    }

    fn warn(&mut self, code: &str, message: impl Into<String>) {
        self.events.push_back(Event::Warning {
            code: code.to_string(),
            message: message.into(),
        });
    }

    pub(crate) fn outcome(&self) -> Option<&Outcome> {
        self.outcome.as_ref()
    }

    pub(crate) fn calls(&self) -> &[CallRecord] {
        &self.calls
    }

    pub(crate) fn out_trade_no(&self) -> &str {
        &self.order.out_trade_no
    }

    /// The method of call `id` if it is in flight and was handed out.
    pub(crate) fn method_in_flight(&self, id: CallId) -> Result<&'static str> {
        if self.outcome.is_some() {
            return Err(flow_state(format!(
                "call {id}: the flow is already finished"
            )));
        }
        match self.in_flight {
            Some(f) if f.id == id && self.ready.is_none() => Ok(f.kind.method()),
            _ => Err(flow_state(format!("call {id} is not in flight"))),
        }
    }

    /// The next action. Queued events first, then a ready call, the outcome,
    /// a wait, or a new call when one is due.
    pub(crate) fn poll(&mut self, now_ms: u64) -> Action {
        loop {
            if let Some(e) = self.events.pop_front() {
                return Action::Event(e);
            }
            if let Some(c) = self.ready.take() {
                return Action::Call(c);
            }
            if let Some(o) = &self.outcome {
                return Action::Done(o.clone());
            }
            if let Some(f) = self.in_flight {
                if now_ms >= f.deadline_ms {
                    self.settle(f.id, Answer::Transport(TransportError::Timeout), now_ms)
                        .ok();
                    continue;
                }
                return Action::Wait {
                    until_ms: f.deadline_ms,
                };
            }
            match self.next {
                Some(s) if now_ms < s.at_ms => return Action::Wait { until_ms: s.at_ms },
                Some(s) => {
                    self.next = None;
                    self.start(s.kind, now_ms);
                }
                None => {
                    // Unreachable by construction (every live state has a call
                    // in flight or scheduled; resume checks snapshots); if it
                    // ever happens, reverse rather than hang.
                    let reason = self.reason();
                    self.begin_cancel(now_ms, reason);
                }
            }
        }
    }

    fn trade_biz_content(&self) -> String {
        serde_json::json!({ "out_trade_no": self.order.out_trade_no }).to_string()
    }

    fn start(&mut self, kind: Kind, now_ms: u64) {
        let id = self.next_id;
        self.next_id = self.next_id.saturating_add(1);
        let (biz_content, event) = match kind {
            Kind::Pay => {
                self.pay_sent = true;
                self.deadline_ms = now_ms.saturating_add(self.policy.max_wait_ms);
                (
                    self.order.pay_biz_content(),
                    Event::PaySent {
                        call_id: id,
                        out_trade_no: self.order.out_trade_no.clone(),
                        total_amount: self.order.total_amount.clone(),
                        auth_code: mask_auth_code(&self.order.auth_code),
                    },
                )
            }
            Kind::Query => {
                self.queries = self.queries.saturating_add(1);
                (
                    self.trade_biz_content(),
                    Event::Query {
                        call_id: id,
                        attempt: self.queries,
                    },
                )
            }
            Kind::Cancel => {
                self.cancels = self.cancels.saturating_add(1);
                (
                    self.trade_biz_content(),
                    Event::Cancel {
                        call_id: id,
                        attempt: self.cancels,
                        reason: self.reason(),
                    },
                )
            }
        };
        self.in_flight = Some(InFlight {
            id,
            kind,
            sent_ms: now_ms,
            deadline_ms: now_ms.saturating_add(self.policy.call_timeout_ms),
        });
        self.events.push_back(event);
        self.ready = Some(ApiCall {
            id,
            method: kind.method().to_string(),
            biz_content,
            timeout_ms: self.policy.call_timeout_ms,
        });
    }

    /// Feeds the answer of call `id`. `ERR_FLOW_STATE` (state unchanged) if
    /// the call is not in flight or the flow is finished.
    pub(crate) fn settle(&mut self, id: CallId, answer: Answer, now_ms: u64) -> Result<()> {
        self.method_in_flight(id)?;
        let Some(f) = self.in_flight.take() else {
            return Err(flow_state(format!("call {id} is not in flight")));
        };
        let method = f.kind.method();
        self.calls
            .push(record(id, method, f.sent_ms, now_ms, &answer));
        if let Some(e) = answer.event(id, method) {
            self.events.push_back(e);
        }
        if let Answer::Verified(v) = &answer {
            if !mismatch(v, "out_trade_no", &self.order.out_trade_no, false) {
                if let Some(t) = field(v, "trade_no") {
                    self.trade_no = Some(t);
                }
            }
        }
        match f.kind {
            Kind::Pay => self.on_pay(&answer, now_ms),
            Kind::Query => self.on_query(&answer, now_ms),
            Kind::Cancel => self.on_cancel(&answer, now_ms),
        }
        Ok(())
    }

    fn reason(&self) -> CancelReason {
        if self.aborted {
            CancelReason::Aborted
        } else if self.buyer_confirming {
            CancelReason::Timeout
        } else {
            CancelReason::Unknown
        }
    }

    fn finish(&mut self, o: Outcome) {
        self.next = None;
        self.outcome = Some(o);
    }

    fn schedule(&mut self, kind: Kind, at_ms: u64) {
        self.next = Some(Scheduled { kind, at_ms });
    }

    fn begin_cancel(&mut self, now_ms: u64, reason: CancelReason) {
        if self.cancel_reason.is_none() {
            self.cancel_reason = Some(reason);
        }
        self.schedule(Kind::Cancel, now_ms);
    }

    /// The checks every verified answer about our trade must pass: a
    /// different `out_trade_no` means the answer is not about our trade.
    fn foreign(&mut self, v: &VerifiedResponse) -> bool {
        if mismatch(v, "out_trade_no", &self.order.out_trade_no, false) {
            self.warn(
                "TRADE_MISMATCH",
                format!(
                    "{} answer names another out_trade_no: treated as unknown",
                    v.method
                ),
            );
            return true;
        }
        false
    }

    fn wrong_amount(&mut self, v: &VerifiedResponse) -> bool {
        if mismatch(v, "total_amount", &self.order.total_amount, true) {
            self.warn(
                "TRADE_MISMATCH",
                format!(
                    "{} answer names another total_amount: treated as unknown",
                    v.method
                ),
            );
            return true;
        }
        false
    }

    fn failed(&self, reason: FailReason, v: &VerifiedResponse) -> Outcome {
        Outcome::Failed {
            reason,
            code: v.code().to_string(),
            msg: field(v, "msg"),
            sub_code: v.sub_code().map(str::to_string),
            sub_msg: v.sub_msg().map(str::to_string),
            trade_status: field(v, "trade_status"),
            out_trade_no: Some(self.order.out_trade_no.clone()),
            out_request_no: None,
        }
    }

    /// The `paid` outcome a verified success answer describes (a pay
    /// `10000`, or a query showing `TRADE_SUCCESS`/`TRADE_FINISHED`): the
    /// payment time is `time_field` (`gmt_payment` in a pay answer,
    /// `send_pay_date` in a query answer). `None` when a field has the wrong
    /// type: a malformed answer cannot describe the payment.
    fn paid_outcome(
        &self,
        v: &VerifiedResponse,
        time_field: &str,
        confirmed_by: &str,
    ) -> Option<Outcome> {
        let text = |name: &str| -> std::result::Result<Option<String>, ()> {
            match v.object.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(()),
            }
        };
        let fund_bill_list = match v.object.get("fund_bill_list") {
            None | Some(Value::Null) => Vec::new(),
            Some(list) => Vec::<crate::model::FundBill>::deserialize(list).ok()?,
        };
        Some(Outcome::Paid {
            out_trade_no: self.order.out_trade_no.clone(),
            trade_no: text("trade_no").ok()?.filter(|s| !s.is_empty()),
            buyer_logon_id: text("buyer_logon_id").ok()?,
            buyer_user_id: text("buyer_user_id").ok()?,
            total_amount: text("total_amount")
                .ok()?
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| self.order.total_amount.clone()),
            receipt_amount: text("receipt_amount").ok()?,
            buyer_pay_amount: text("buyer_pay_amount").ok()?,
            gmt_payment: text(time_field).ok()?,
            fund_bill_list: fund_bill_list.iter().map(FundBill::from).collect(),
            confirmed_by: confirmed_by.to_string(),
        })
    }

    fn classify_pay(&mut self, answer: &Answer) -> PayVerdict {
        let Answer::Verified(v) = answer else {
            return PayVerdict::Unknown;
        };
        if self.foreign(v) {
            return PayVerdict::Unknown;
        }
        match v.code() {
            "10000" => {
                if self.wrong_amount(v) {
                    return PayVerdict::Unknown;
                }
                // Verified but malformed: cannot describe the payment; find out.
                self.paid_outcome(v, "gmt_payment", METHOD_PAY)
                    .map_or(PayVerdict::Unknown, PayVerdict::Paid)
            }
            "10003" => PayVerdict::Confirming,
            "40004" => match v.sub_code() {
                // "System error": the pay may have gone through.
                Some("ACQ.SYSTEM_ERROR") => PayVerdict::Unknown,
                // "Already paid": only a query can prove it is our payment.
                Some("ACQ.TRADE_HAS_SUCCESS") => PayVerdict::Unknown,
                // Every other business failure (auth code invalid, balance,
                // limits, risk, closed trade, context inconsistent, ...) is a
                // refusal of this pay: nothing charged, nothing to cancel.
                _ => PayVerdict::Failed(self.failed(FailReason::BusinessFailed, v)),
            },
            c if is_refusal(c) => PayVerdict::Failed(self.failed(FailReason::Refused, v)),
            // 20000 (service unavailable) and any code this SDK does not know.
            _ => PayVerdict::Unknown,
        }
    }

    fn on_pay(&mut self, answer: &Answer, now_ms: u64) {
        match self.classify_pay(answer) {
            PayVerdict::Paid(o) => {
                self.paid = true;
                if self.aborted {
                    self.begin_cancel(now_ms, CancelReason::Aborted);
                } else {
                    self.finish(o);
                }
            }
            PayVerdict::Failed(o) => self.finish(o),
            PayVerdict::Confirming => {
                self.buyer_confirming = true;
                if self.aborted {
                    self.begin_cancel(now_ms, CancelReason::Aborted);
                } else {
                    self.events.push_back(Event::WaitingForBuyer {
                        until_ms: self.deadline_ms,
                    });
                    let at = now_ms
                        .saturating_add(self.policy.poll_interval_ms)
                        .min(self.deadline_ms)
                        .max(now_ms);
                    self.schedule(Kind::Query, at);
                }
            }
            PayVerdict::Unknown => {
                if self.aborted {
                    self.begin_cancel(now_ms, CancelReason::Aborted);
                } else {
                    self.schedule(Kind::Query, now_ms);
                }
            }
        }
    }

    fn classify_query(&mut self, answer: &Answer) -> QueryVerdict {
        let Answer::Verified(v) = answer else {
            return QueryVerdict::Unknown;
        };
        if self.foreign(v) {
            return QueryVerdict::Unknown;
        }
        match (v.code(), v.get_str("trade_status"), v.sub_code()) {
            ("10000", Some("TRADE_SUCCESS" | "TRADE_FINISHED"), _) => {
                if self.wrong_amount(v) {
                    return QueryVerdict::Unknown;
                }
                self.paid_outcome(v, "send_pay_date", METHOD_QUERY)
                    .map_or(QueryVerdict::Unknown, QueryVerdict::Paid)
            }
            // Closed: unpaid and closed, or paid then fully refunded. Either
            // way the buyer is not charged and nothing is left to reverse.
            ("10000", Some("TRADE_CLOSED"), _) => {
                QueryVerdict::Closed(self.failed(FailReason::TradeClosed, v))
            }
            ("10000", Some("WAIT_BUYER_PAY"), _) => QueryVerdict::Waiting,
            ("40004", _, Some("ACQ.TRADE_NOT_EXIST")) => QueryVerdict::NotExist,
            _ => QueryVerdict::Unknown,
        }
    }

    fn on_query(&mut self, answer: &Answer, now_ms: u64) {
        match self.classify_query(answer) {
            QueryVerdict::Paid(o) => {
                self.paid = true;
                if self.aborted {
                    self.begin_cancel(now_ms, CancelReason::Aborted);
                } else {
                    self.finish(o);
                }
            }
            QueryVerdict::Closed(o) => self.finish(o),
            QueryVerdict::Waiting => {
                if !self.buyer_confirming {
                    self.buyer_confirming = true;
                    if !self.aborted {
                        self.events.push_back(Event::WaitingForBuyer {
                            until_ms: self.deadline_ms,
                        });
                    }
                }
                self.after_query(now_ms);
            }
            QueryVerdict::NotExist if !self.buyer_confirming => {
                // After an unknown pay: the trade does not exist (yet). Cancel
                // now so that a pay still in transit cannot charge later.
                let reason = self.reason();
                self.begin_cancel(now_ms, reason);
            }
            QueryVerdict::NotExist | QueryVerdict::Unknown => {
                self.unknown_queries = self.unknown_queries.saturating_add(1);
                self.after_query(now_ms);
            }
        }
    }

    /// After a query that proved nothing: another query at the interval, or
    /// the cancel right away (aborted, retries used up, or the next query
    /// would start after the deadline).
    fn after_query(&mut self, now_ms: u64) {
        let reason = self.reason();
        if self.aborted {
            return self.begin_cancel(now_ms, reason);
        }
        if !self.buyer_confirming && self.unknown_queries >= self.policy.query_retries {
            return self.begin_cancel(now_ms, reason);
        }
        let at = now_ms.saturating_add(self.policy.poll_interval_ms);
        if at > self.deadline_ms {
            return self.begin_cancel(now_ms, reason);
        }
        self.schedule(Kind::Query, at);
    }

    fn on_cancel(&mut self, answer: &Answer, now_ms: u64) {
        if let Answer::Verified(v) = answer {
            if !self.foreign(v) {
                let code = v.code();
                if code == "10000" {
                    let action = match v.get_str("action") {
                        Some("refund") => CancelAction::Refund,
                        Some("close") => CancelAction::Close,
                        other => {
                            let guess = if self.paid {
                                CancelAction::Refund
                            } else {
                                CancelAction::Close
                            };
                            self.warn(
                                "CANCEL_ACTION_MISSING",
                                format!(
                                    "cancel succeeded with action {other:?}; reported as {guess:?}"
                                ),
                            );
                            guess
                        }
                    };
                    let reason = self.cancel_reason.unwrap_or_else(|| self.reason());
                    return self.finish(Outcome::Cancelled {
                        action,
                        reason,
                        out_trade_no: self.order.out_trade_no.clone(),
                        trade_no: field(v, "trade_no").or_else(|| self.trade_no.clone()),
                    });
                }
                let retry = v.get_str("retry_flag") == Some("Y");
                let definitive = (code == "40004" && v.sub_code() != Some("ACQ.SYSTEM_ERROR"))
                    || is_refusal(code);
                if definitive && !retry {
                    let msg = format!(
                        "the gateway refused the cancel ({} {}): reconcile this trade manually",
                        code,
                        v.sub_code().unwrap_or("")
                    );
                    return self.finish_unknown(UnknownReason::CancelRefused, msg);
                }
            }
        }
        self.retry_cancel(now_ms);
    }

    fn retry_cancel(&mut self, now_ms: u64) {
        if self.cancels <= self.policy.cancel_retries {
            let at = now_ms.saturating_add(self.policy.cancel_retry_interval_ms);
            self.events.push_back(Event::Retry {
                method: METHOD_CANCEL.to_string(),
                attempt: self.cancels.saturating_add(1),
                at_ms: at,
            });
            self.schedule(Kind::Cancel, at);
        } else {
            let msg = format!(
                "the cancel was not confirmed after {} attempts: reconcile this trade manually",
                self.cancels
            );
            self.finish_unknown(UnknownReason::CancelNotConfirmed, msg);
        }
    }

    fn finish_unknown(&mut self, reason: UnknownReason, mut message: String) {
        let rejected = |c: &CallRecord| matches!(c.result, CallResult::Rejected { .. });
        if !self.calls.is_empty() && self.calls.iter().all(rejected) {
            message.push_str(
                " (no answer could be verified: check the Alipay public key or certificate, \
                 the app id and the sign type)",
            );
        }
        let o = Outcome::Unknown {
            reason,
            message,
            out_trade_no: Some(self.order.out_trade_no.clone()),
            trade_no: self.trade_no.clone(),
            out_request_no: None,
            paid: self.paid,
            calls: self.calls.clone(),
        };
        self.finish(o);
    }

    /// The cashier's abort. See the module docs.
    pub(crate) fn abort(&mut self, now_ms: u64) {
        if self.outcome.is_some() || self.aborted {
            return;
        }
        self.aborted = true;
        // Withdraw a call created but not yet handed to the driver (a cancel
        // stays: it is what an abort wants).
        if self.ready.is_some() {
            if let Some(f) = self.in_flight.filter(|f| f.kind != Kind::Cancel) {
                self.ready = None;
                self.in_flight = None;
                self.events.retain(|e| {
                    !matches!(e, Event::PaySent { call_id, .. } | Event::Query { call_id, .. }
                        if *call_id == f.id)
                });
                match f.kind {
                    Kind::Pay => self.pay_sent = false,
                    Kind::Query => self.queries = self.queries.saturating_sub(1),
                    Kind::Cancel => {}
                }
            }
        }
        self.events.push_back(Event::Aborted);
        if !self.pay_sent {
            self.finish(Outcome::Failed {
                reason: FailReason::Aborted,
                code: ErrorCode::Aborted.as_str().to_string(),
                msg: Some("aborted before the payment was sent".to_string()),
                sub_code: None,
                sub_msg: None,
                trade_status: None,
                out_trade_no: Some(self.order.out_trade_no.clone()),
                out_request_no: None,
            });
            return;
        }
        if self.in_flight.is_some() {
            // Its answer still counts; the handlers see `aborted`.
            return;
        }
        if matches!(
            self.next,
            Some(Scheduled {
                kind: Kind::Cancel,
                ..
            })
        ) {
            return;
        }
        self.begin_cancel(now_ms, CancelReason::Aborted);
    }

    /// Continues after a resume: the answer of a call in flight is lost
    /// (unknown); a pay that may have been sent is never sent again.
    pub(crate) fn on_resume(&mut self, now_ms: u64) {
        self.ready = None;
        if self.outcome.is_some() {
            return;
        }
        // Whatever the snapshot says, a resumed flow polls at most maxWaitMs
        // from now and waits at most one interval for its next step.
        self.deadline_ms = self
            .deadline_ms
            .min(now_ms.saturating_add(self.policy.max_wait_ms));
        if let Some(s) = &mut self.next {
            let step = match s.kind {
                Kind::Cancel => self.policy.cancel_retry_interval_ms,
                Kind::Pay | Kind::Query => self.policy.poll_interval_ms,
            };
            s.at_ms = s.at_ms.min(now_ms.saturating_add(step));
        }
        let lost = self.in_flight;
        self.events.push_back(Event::Resumed {
            lost_call_id: lost.map(|f| f.id),
        });
        match lost {
            Some(f) if f.kind == Kind::Cancel => {
                self.in_flight = None;
                self.calls.push(record(
                    f.id,
                    METHOD_CANCEL,
                    f.sent_ms,
                    now_ms,
                    &Answer::Lost,
                ));
                // The lost attempt may not have reached the gateway: try
                // again now even if it was the last one.
                self.schedule(Kind::Cancel, now_ms);
            }
            Some(f) if f.kind == Kind::Query && !self.aborted => {
                // A lost query proves nothing: ask again now (the deadline
                // may have passed while the POS was down; one query still
                // comes before the cancel).
                self.in_flight = None;
                self.calls
                    .push(record(f.id, METHOD_QUERY, f.sent_ms, now_ms, &Answer::Lost));
                self.unknown_queries = self.unknown_queries.saturating_add(1);
                self.schedule(Kind::Query, now_ms);
            }
            Some(f) => {
                self.settle(f.id, Answer::Lost, now_ms).ok();
            }
            None if !self.pay_sent => {
                // The snapshot predates the pay call, but the pay may have
                // been sent after it: never send it again; find out instead.
                self.pay_sent = true;
                self.deadline_ms = now_ms.saturating_add(self.policy.max_wait_ms);
                self.schedule(Kind::Query, now_ms);
            }
            None if !self.aborted
                && !self.paid
                && self.cancels == 0
                && !self.requeried_on_resume
                && matches!(
                    self.next,
                    Some(Scheduled {
                        kind: Kind::Cancel,
                        ..
                    })
                )
                && self.calls.last().is_some_and(|c| {
                    now_ms.saturating_sub(c.answered_ms) >= self.policy.poll_interval_ms
                }) =>
            {
                // The crash came after the last query decided to cancel but
                // before the cancel went out, and the POS was down for at
                // least a poll interval: the buyer may have paid meanwhile.
                // The cancel must follow the last query immediately, so ask
                // once more now and cancel right after it unless it proves
                // the payment. Once per payment: repeated crashes cannot
                // postpone the cancel.
                self.requeried_on_resume = true;
                self.deadline_ms = now_ms;
                self.schedule(Kind::Query, now_ms);
            }
            None => {}
        }
    }

    /// The snapshot state: everything but the payment code.
    pub(crate) fn snapshot(&self) -> String {
        let mut copy = self.clone();
        copy.order.auth_code = String::new();
        copy.ready = None;
        snapshot::write(KIND, &copy)
    }

    /// Reads and checks a snapshot state.
    pub(crate) fn from_snapshot(text: &str) -> Result<Self> {
        let m: PayMachine = snapshot::read(KIND, text)?;
        let bad = |msg: String| Error::new(ErrorCode::Snapshot, msg);
        m.policy
            .validate()
            .map_err(|e| bad(format!("snapshot policy is invalid: {}", e.message())))?;
        m.order
            .validate_without_auth_code()
            .map_err(|e| bad(format!("snapshot order is invalid: {}", e.message())))?;
        if let Some(f) = m.in_flight {
            if f.id >= m.next_id {
                return Err(bad("snapshot call ids are inconsistent".into()));
            }
        }
        if m.outcome.is_none() && m.in_flight.is_none() && m.next.is_none() {
            return Err(bad("snapshot has nothing in flight or scheduled".into()));
        }
        if !m.pay_sent && (m.queries > 0 || m.cancels > 0 || !m.calls.is_empty()) {
            return Err(bad("snapshot has calls before the pay".into()));
        }
        if !m.pay_sent && m.in_flight.is_some() {
            return Err(bad("snapshot has a call in flight before the pay".into()));
        }
        let pay_again = matches!(
            m.next,
            Some(Scheduled {
                kind: Kind::Pay,
                ..
            })
        ) || matches!(m.in_flight, Some(InFlight { kind: Kind::Pay, .. }) if !m.calls.is_empty());
        if m.pay_sent && pay_again {
            return Err(bad("snapshot schedules a second pay".into()));
        }
        Ok(m)
    }
}

/// [`BarcodePay`]: charge a buyer's payment code (`alipay.trade.pay`,
/// `scene=bar_code`) and bring the trade to a closed loop.
///
/// The rules (protocol §7, §11.12), as implemented by the machine:
///
/// | pay answer (verified unless said) | what the flow does |
/// |---|---|
/// | `10000` for our `out_trade_no` and amount | **Paid** |
/// | `10000` naming another trade or amount | unknown → query |
/// | `10003` (buyer confirming) | query every `pollIntervalMs` until `TRADE_SUCCESS`/`TRADE_FINISHED` (Paid), `TRADE_CLOSED` (Failed) or the deadline; then cancel right after the last query |
/// | `40004` with `ACQ.SYSTEM_ERROR` | unknown → query |
/// | `40004` with `ACQ.TRADE_HAS_SUCCESS` | query to confirm (Paid only if the query proves it for our amount; otherwise cancel) |
/// | other `40004` | **Failed** (business failure, no cancel: the trade was refused) |
/// | `40001` `40002` `40003` `40006` `20001` | **Failed** (`refused`): the gateway refused the request before any business processing (arguments, signature, app configuration, permissions, token), so nothing can have been charged |
/// | `20000`, any other code, a body that does not verify (`ERR_SIGNATURE`, `ERR_DUPLICATE_NODE`, `ERR_RESPONSE_FORMAT`, `ERR_UNSIGNED_RESPONSE`, ...), a transport error, a timeout | unknown → query |
///
/// After an unknown pay result the flow queries at once, then every
/// `pollIntervalMs` while the answers stay unknown, at most `queryRetries`
/// times and never after the deadline; a verified `ACQ.TRADE_NOT_EXIST`
/// leads to an immediate cancel (the pay may still be in transit: the cancel
/// closes the trade number); `WAIT_BUYER_PAY` switches to polling until the
/// deadline. Whatever is not proven paid or closed is cancelled
/// (`alipay.trade.cancel`, retried every `cancelRetryIntervalMs` up to
/// `cancelRetries` times while `retry_flag=Y`, on transport errors and on
/// unknown answers). A verified cancel `10000` ends **Cancelled** with its
/// `action`; a definitive refusal or exhausted retries end **Unknown** with
/// every call and answer. The flow uses one `out_trade_no` throughout and
/// never sends a second pay.
///
/// Abort: before the pay call was handed to the driver, the flow ends
/// **Failed** with reason `aborted` (code `ERR_ABORTED`) without any call:
/// nothing was sent, so nothing needs reversing, and "failed" is what a
/// cashier screen must show (not charged). After that, the flow stops
/// waiting and cancels; the answer of an in-flight call is still taken into
/// account (a paid pay or query answer is reversed: the cancel refunds it; a
/// definitive failure or a closed trade ends Failed, there being nothing to
/// reverse).
///
/// Driver loop, crash safety and JSON shapes: see [`crate::flow`].
#[derive(Debug, Clone)]
pub struct BarcodePay {
    machine: PayMachine,
    verifier: Verifier,
}

impl BarcodePay {
    /// Validates `order` and `policy` (`ERR_INVALID_ARGUMENT` naming the
    /// field) and prepares the pay, due at `now_ms`. An unusual payment code
    /// shape gives a `warning` event (`AUTH_CODE_FORMAT`), never an error.
    pub fn new(order: PayOrder, policy: Policy, verifier: Verifier, now_ms: u64) -> Result<Self> {
        order.validate()?;
        policy.validate()?;
        let check = validate::auth_code(&order.auth_code);
        let mut machine = PayMachine::new(order, policy, now_ms);
        if !check.valid {
            machine.push_event(Event::Warning {
                code: "AUTH_CODE_FORMAT".to_string(),
                message: check
                    .reason
                    .unwrap_or_else(|| "the payment code has an unusual shape".to_string()),
            });
        }
        Ok(BarcodePay { machine, verifier })
    }

    /// The merchant trade number.
    pub fn out_trade_no(&self) -> &str {
        self.machine.out_trade_no()
    }
}

/// Resuming a payment ([`Flow::resume`]) never sends the pay again: a call
/// in flight at snapshot time is treated as lost (unknown result: the trade
/// is queried, then cancelled if not proven paid).
impl Flow for BarcodePay {
    fn resume(snapshot: &str, verifier: Verifier, now_ms: u64) -> Result<Self> {
        let mut machine = PayMachine::from_snapshot(snapshot)?;
        machine.on_resume(now_ms);
        Ok(BarcodePay { machine, verifier })
    }
}

machine_flow!(PayMachine, BarcodePay);

#[cfg(test)]
mod tests;
