//! The refund flow. Its rules are documented on [`Refund`].

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::action::{Action, ApiCall, CallId, Event, TransportError};
use super::driven::{machine_flow, Flow};
use super::outcome::{CallRecord, FailReason, Outcome, UnknownReason};
use super::policy::RefundPolicy;
use super::util::{field, is_refusal, mismatch, record, Answer};
use super::{snapshot, METHOD_REFUND, METHOD_REFUND_QUERY};
use crate::error::{Error, ErrorCode, Result};
use crate::response::{VerifiedResponse, Verifier};
use crate::validate;

/// The snapshot `kind` of a refund.
pub(crate) const KIND: &str = "refund";

/// A refund order. JSON: camelCase, unknown fields refused. One of
/// `outTradeNo` / `tradeNo` is required. Empty optional strings are treated
/// as absent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefundOrder {
    /// Merchant trade number of the paid trade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_trade_no: Option<String>,
    /// Alipay trade number of the paid trade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_no: Option<String>,
    /// Amount to refund, yuan, at most 2 decimals.
    pub refund_amount: String,
    /// Idempotency key of this refund (1..=64 letters, digits, `_`). Give a
    /// new one for each partial refund; when absent, one is derived from the
    /// entropy passed to [`Refund::new`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_request_no: Option<String>,
    /// Reason shown to the buyer (≤256 chars).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_reason: Option<String>,
    /// Operator number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator_id: Option<String>,
    /// Store number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_id: Option<String>,
    /// Terminal number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal_id: Option<String>,
    /// More `biz_content` fields of the refund, merged after the fields above;
    /// they may not repeat one of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra: Option<Map<String, Value>>,
}

const RESERVED: &[&str] = &[
    "out_trade_no",
    "trade_no",
    "refund_amount",
    "out_request_no",
    "refund_reason",
    "operator_id",
    "store_id",
    "terminal_id",
];

fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

impl RefundOrder {
    /// Validates every field (`ERR_INVALID_ARGUMENT` naming the field).
    pub fn validate(&self) -> Result<()> {
        let otn = non_empty(&self.out_trade_no);
        let tn = non_empty(&self.trade_no);
        if otn.is_none() && tn.is_none() {
            return Err(Error::invalid_argument(
                "out_trade_no",
                "a refund needs out_trade_no or trade_no",
            ));
        }
        if let Some(o) = otn {
            validate::out_trade_no("out_trade_no", o)?;
        }
        if let Some(t) = tn {
            validate::out_trade_no("trade_no", t)?;
        }
        validate::amount("refund_amount", &self.refund_amount)?;
        if let Some(r) = non_empty(&self.out_request_no) {
            validate::out_trade_no("out_request_no", r)?;
        }
        for (name, v, max) in [
            ("refund_reason", &self.refund_reason, 256),
            ("operator_id", &self.operator_id, 28),
            ("store_id", &self.store_id, 32),
            ("terminal_id", &self.terminal_id, 32),
        ] {
            if non_empty(v).is_some_and(|s| s.chars().count() > max) {
                return Err(Error::invalid_argument(
                    name,
                    format!("{name} is at most {max} characters"),
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

    fn out_request_no(&self) -> &str {
        self.out_request_no.as_deref().unwrap_or("")
    }

    fn ids(&self, m: &mut Map<String, Value>) {
        if let Some(o) = non_empty(&self.out_trade_no) {
            m.insert("out_trade_no".into(), Value::String(o.into()));
        }
        if let Some(t) = non_empty(&self.trade_no) {
            m.insert("trade_no".into(), Value::String(t.into()));
        }
    }

    fn refund_biz_content(&self) -> String {
        let mut m = Map::new();
        self.ids(&mut m);
        m.insert(
            "refund_amount".into(),
            Value::String(self.refund_amount.clone()),
        );
        m.insert(
            "out_request_no".into(),
            Value::String(self.out_request_no().into()),
        );
        for (k, v) in [
            ("refund_reason", &self.refund_reason),
            ("operator_id", &self.operator_id),
            ("store_id", &self.store_id),
            ("terminal_id", &self.terminal_id),
        ] {
            if let Some(v) = non_empty(v) {
                m.insert(k.into(), Value::String(v.into()));
            }
        }
        if let Some(extra) = &self.extra {
            for (k, v) in extra {
                m.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        Value::Object(m).to_string()
    }

    fn query_biz_content(&self) -> String {
        let mut m = Map::new();
        self.ids(&mut m);
        m.insert(
            "out_request_no".into(),
            Value::String(self.out_request_no().into()),
        );
        Value::Object(m).to_string()
    }
}

/// The `out_request_no` derived from 16 bytes of entropy: `R` + 32 hex digits.
pub(crate) fn request_no_from_entropy(entropy: [u8; 16]) -> String {
    let mut s = String::with_capacity(33);
    s.push('R');
    for b in entropy {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
enum Kind {
    Refund,
    Query,
}

impl Kind {
    fn method(self) -> &'static str {
        match self {
            Kind::Refund => METHOD_REFUND,
            Kind::Query => METHOD_REFUND_QUERY,
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

fn flow_state(msg: impl Into<String>) -> Error {
    Error::new(ErrorCode::FlowState, msg)
}

/// The refund state machine without its verifier (what snapshots hold).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct RefundMachine {
    order: RefundOrder,
    policy: RefundPolicy,
    next_id: CallId,
    in_flight: Option<InFlight>,
    #[serde(skip)]
    ready: Option<ApiCall>,
    next: Option<Scheduled>,
    aborted: bool,
    /// A refund call was handed to the driver.
    sent: bool,
    refunds: u32,
    queries: u32,
    trade_no: Option<String>,
    calls: Vec<CallRecord>,
    events: VecDeque<Event>,
    outcome: Option<Outcome>,
}

impl RefundMachine {
    /// A machine for a validated order whose `out_request_no` is set.
    pub(crate) fn new(order: RefundOrder, policy: RefundPolicy, now_ms: u64) -> Self {
        RefundMachine {
            order,
            policy,
            next_id: 1,
            in_flight: None,
            ready: None,
            next: Some(Scheduled {
                kind: Kind::Refund,
                at_ms: now_ms,
            }),
            aborted: false,
            sent: false,
            refunds: 0,
            queries: 0,
            trade_no: None,
            calls: Vec::new(),
            events: VecDeque::new(),
            outcome: None,
        }
    }

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
                // Unreachable by construction; never hang.
                None => self.finish_unknown(
                    UnknownReason::RefundNotConfirmed,
                    "nothing left to try".into(),
                ),
            }
        }
    }

    fn start(&mut self, kind: Kind, now_ms: u64) {
        let id = self.next_id;
        self.next_id = self.next_id.saturating_add(1);
        let (biz_content, event) = match kind {
            Kind::Refund => {
                self.refunds = self.refunds.saturating_add(1);
                self.sent = true;
                (
                    self.order.refund_biz_content(),
                    Event::Refund {
                        call_id: id,
                        attempt: self.refunds,
                        out_request_no: self.order.out_request_no().to_string(),
                        refund_amount: self.order.refund_amount.clone(),
                    },
                )
            }
            Kind::Query => {
                self.queries = self.queries.saturating_add(1);
                (
                    self.order.query_biz_content(),
                    Event::RefundQuery {
                        call_id: id,
                        attempt: self.queries,
                        out_request_no: self.order.out_request_no().to_string(),
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
        match f.kind {
            Kind::Refund => self.on_refund(&answer, now_ms),
            Kind::Query => self.on_query(&answer, now_ms),
        }
        Ok(())
    }

    /// Whether a verified answer is about another trade or refund.
    fn foreign(&mut self, v: &VerifiedResponse) -> bool {
        let mut bad = false;
        if let Some(o) = non_empty(&self.order.out_trade_no) {
            bad |= mismatch(v, "out_trade_no", o, false);
        }
        if let Some(t) = non_empty(&self.order.trade_no) {
            bad |= mismatch(v, "trade_no", t, false);
        }
        bad |= mismatch(v, "out_request_no", self.order.out_request_no(), false);
        if bad {
            self.events.push_back(Event::Warning {
                code: "TRADE_MISMATCH".into(),
                message: format!(
                    "{} answer names another trade or refund: treated as unknown",
                    v.method
                ),
            });
        } else if let Some(t) = field(v, "trade_no") {
            self.trade_no = Some(t);
        }
        bad
    }

    fn refunded(&self, v: &VerifiedResponse, confirmed_by: &str) -> Outcome {
        Outcome::Refunded {
            out_trade_no: non_empty(&self.order.out_trade_no)
                .map(str::to_string)
                .or_else(|| field(v, "out_trade_no")),
            trade_no: non_empty(&self.order.trade_no)
                .map(str::to_string)
                .or_else(|| self.trade_no.clone()),
            out_request_no: self.order.out_request_no().to_string(),
            refund_amount: self.order.refund_amount.clone(),
            refund_fee: field(v, "refund_fee"),
            gmt_refund_pay: field(v, "gmt_refund_pay"),
            confirmed_by: confirmed_by.to_string(),
        }
    }

    fn failed(&self, reason: FailReason, v: &VerifiedResponse) -> Outcome {
        Outcome::Failed {
            reason,
            code: v.code().to_string(),
            msg: field(v, "msg"),
            sub_code: v.sub_code().map(str::to_string),
            sub_msg: v.sub_msg().map(str::to_string),
            trade_status: None,
            out_trade_no: non_empty(&self.order.out_trade_no).map(str::to_string),
            out_request_no: Some(self.order.out_request_no().to_string()),
        }
    }

    fn on_refund(&mut self, answer: &Answer, now_ms: u64) {
        if let Answer::Verified(v) = answer {
            if !self.foreign(v) {
                match v.code() {
                    "10000" if v.get_str("fund_change") == Some("Y") => {
                        let o = self.refunded(v, METHOD_REFUND);
                        return self.finish(o);
                    }
                    // 10000 without fund_change=Y only means the request
                    // was accepted: confirm with a refund query.
                    "10000" => {}
                    "40004" if v.sub_code() == Some("ACQ.SYSTEM_ERROR") => {}
                    "40004" => {
                        let o = self.failed(FailReason::BusinessFailed, v);
                        return self.finish(o);
                    }
                    c if is_refusal(c) => {
                        let o = self.failed(FailReason::Refused, v);
                        return self.finish(o);
                    }
                    _ => {}
                }
            }
        }
        if self.aborted {
            return self.finish_unknown(
                UnknownReason::Aborted,
                "aborted before the refund was confirmed: query it later with the same out_request_no"
                    .into(),
            );
        }
        let at = now_ms.saturating_add(self.policy.query_delay_ms);
        self.schedule(Kind::Query, at);
    }

    fn on_query(&mut self, answer: &Answer, now_ms: u64) {
        if let Answer::Verified(v) = answer {
            if !self.foreign(v)
                && v.code() == "10000"
                && v.get_str("refund_status") == Some("REFUND_SUCCESS")
            {
                if mismatch(v, "refund_amount", &self.order.refund_amount, true) {
                    self.events.push_back(Event::Warning {
                        code: "TRADE_MISMATCH".into(),
                        message: "refund query names another refund_amount: treated as unknown"
                            .into(),
                    });
                } else {
                    let o = self.refunded(v, METHOD_REFUND_QUERY);
                    return self.finish(o);
                }
            }
        }
        if self.aborted {
            return self.finish_unknown(
                UnknownReason::Aborted,
                "aborted before the refund was confirmed: query it later with the same out_request_no"
                    .into(),
            );
        }
        if self.refunds <= self.policy.refund_retries {
            let at = now_ms.saturating_add(self.policy.retry_interval_ms);
            self.events.push_back(Event::Retry {
                method: METHOD_REFUND.to_string(),
                attempt: self.refunds.saturating_add(1),
                at_ms: at,
            });
            self.schedule(Kind::Refund, at);
        } else {
            let msg = format!(
                "the refund was not confirmed after {} attempts: query it later with out_request_no {}",
                self.refunds,
                self.order.out_request_no()
            );
            self.finish_unknown(UnknownReason::RefundNotConfirmed, msg);
        }
    }

    fn schedule(&mut self, kind: Kind, at_ms: u64) {
        self.next = Some(Scheduled { kind, at_ms });
    }

    fn finish(&mut self, o: Outcome) {
        self.next = None;
        self.outcome = Some(o);
    }

    fn finish_unknown(&mut self, reason: UnknownReason, message: String) {
        let o = Outcome::Unknown {
            reason,
            message,
            out_trade_no: non_empty(&self.order.out_trade_no).map(str::to_string),
            trade_no: non_empty(&self.order.trade_no)
                .map(str::to_string)
                .or_else(|| self.trade_no.clone()),
            out_request_no: Some(self.order.out_request_no().to_string()),
            paid: false,
            calls: self.calls.clone(),
        };
        self.finish(o);
    }

    pub(crate) fn abort(&mut self, _now_ms: u64) {
        if self.outcome.is_some() || self.aborted {
            return;
        }
        self.aborted = true;
        if self.ready.is_some() {
            if let Some(f) = self.in_flight {
                self.ready = None;
                self.in_flight = None;
                self.events.retain(|e| {
                    !matches!(e, Event::Refund { call_id, .. } | Event::RefundQuery { call_id, .. }
                        if *call_id == f.id)
                });
                match f.kind {
                    Kind::Refund => {
                        self.refunds = self.refunds.saturating_sub(1);
                        self.sent = self.refunds > 0;
                    }
                    Kind::Query => self.queries = self.queries.saturating_sub(1),
                }
            }
        }
        self.events.push_back(Event::Aborted);
        if !self.sent {
            self.finish(Outcome::Failed {
                reason: FailReason::Aborted,
                code: ErrorCode::Aborted.as_str().to_string(),
                msg: Some("aborted before the refund was sent".to_string()),
                sub_code: None,
                sub_msg: None,
                trade_status: None,
                out_trade_no: non_empty(&self.order.out_trade_no).map(str::to_string),
                out_request_no: Some(self.order.out_request_no().to_string()),
            });
            return;
        }
        if self.in_flight.is_some() {
            return;
        }
        self.finish_unknown(
            UnknownReason::Aborted,
            "aborted before the refund was confirmed: query it later with the same out_request_no"
                .into(),
        );
    }

    pub(crate) fn on_resume(&mut self, now_ms: u64) {
        self.ready = None;
        if self.outcome.is_some() {
            return;
        }
        // Whatever the snapshot says, the next step is at most one delay away.
        if let Some(s) = &mut self.next {
            let step = match s.kind {
                Kind::Refund => self.policy.retry_interval_ms,
                Kind::Query => self.policy.query_delay_ms,
            };
            s.at_ms = s.at_ms.min(now_ms.saturating_add(step));
        }
        let lost = self.in_flight;
        self.events.push_back(Event::Resumed {
            lost_call_id: lost.map(|f| f.id),
        });
        if let Some(f) = lost {
            self.settle(f.id, Answer::Lost, now_ms).ok();
        }
    }

    pub(crate) fn snapshot(&self) -> String {
        let mut copy = self.clone();
        copy.ready = None;
        snapshot::write(KIND, &copy)
    }

    pub(crate) fn from_snapshot(text: &str) -> Result<Self> {
        let m: RefundMachine = snapshot::read(KIND, text)?;
        let bad = |msg: String| Error::new(ErrorCode::Snapshot, msg);
        m.policy
            .validate()
            .map_err(|e| bad(format!("snapshot policy is invalid: {}", e.message())))?;
        m.order
            .validate()
            .map_err(|e| bad(format!("snapshot order is invalid: {}", e.message())))?;
        if non_empty(&m.order.out_request_no).is_none() {
            return Err(bad("snapshot order has no out_request_no".into()));
        }
        if let Some(f) = m.in_flight {
            if f.id >= m.next_id {
                return Err(bad("snapshot call ids are inconsistent".into()));
            }
        }
        if m.outcome.is_none() && m.in_flight.is_none() && m.next.is_none() {
            return Err(bad("snapshot has nothing in flight or scheduled".into()));
        }
        Ok(m)
    }

    pub(crate) fn outcome(&self) -> Option<&Outcome> {
        self.outcome.as_ref()
    }

    pub(crate) fn out_request_no(&self) -> &str {
        self.order.out_request_no()
    }

    pub(crate) fn calls(&self) -> &[CallRecord] {
        &self.calls
    }
}

/// [`Refund`]: an idempotent refund (`alipay.trade.refund`) confirmed by a
/// verified `fund_change=Y` or a refund query (`alipay.trade.fastpay.refund.query`)
/// showing `REFUND_SUCCESS` (protocol §7.4, §11.13).
///
/// | refund answer (verified unless said) | what the flow does |
/// |---|---|
/// | `10000` with `fund_change=Y` | **Refunded** |
/// | `10000` with `fund_change=N` or absent (e.g. a repeated `out_request_no`) | refund query after `queryDelayMs` |
/// | `40004` `ACQ.SYSTEM_ERROR` | refund query |
/// | other `40004` (`ACQ.REASON_TRADE_REFUND_FEE_ERR`, `ACQ.TRADE_NOT_EXIST`, `ACQ.TRADE_STATUS_ERROR`, ...) | **Failed** with the sub code |
/// | `40001` `40002` `40003` `40006` `20001` | **Failed** (`refused`) |
/// | `20000`, other codes, unverifiable bodies, transport errors, timeouts | refund query |
///
/// A refund query proving `REFUND_SUCCESS` (for our `out_request_no` and
/// amount) ends **Refunded**; anything else leads to a retry of the refund
/// with the **same** `out_request_no` and amount (Alipay refunds at most once
/// per `out_request_no`), up to `refundRetries` times, then **Unknown**.
/// The `out_request_no` is the order's, or one derived from the injected
/// entropy; it is kept in snapshots, so retries and resumes reuse it.
///
/// Driver loop, crash safety and JSON shapes: see [`crate::flow`].
#[derive(Debug, Clone)]
pub struct Refund {
    machine: RefundMachine,
    verifier: Verifier,
}

impl Refund {
    /// Validates `order` and `policy` (`ERR_INVALID_ARGUMENT` naming the
    /// field). Without `out_request_no`, one is derived from `entropy`
    /// (`R` + 32 hex digits) and kept for every retry and in snapshots.
    pub fn new(
        mut order: RefundOrder,
        policy: RefundPolicy,
        verifier: Verifier,
        entropy: [u8; 16],
        now_ms: u64,
    ) -> Result<Self> {
        order.validate()?;
        policy.validate()?;
        if non_empty(&order.out_request_no).is_none() {
            order.out_request_no = Some(request_no_from_entropy(entropy));
        }
        Ok(Refund {
            machine: RefundMachine::new(order, policy, now_ms),
            verifier,
        })
    }

    /// The refund's `out_request_no` (given or generated).
    pub fn out_request_no(&self) -> &str {
        self.machine.out_request_no()
    }
}

/// Resuming a refund ([`Flow::resume`]): a call in flight is treated as lost
/// (unknown: the refund is queried, and retried with the same
/// `out_request_no`).
impl Flow for Refund {
    fn resume(snapshot: &str, verifier: Verifier, now_ms: u64) -> Result<Self> {
        let mut machine = RefundMachine::from_snapshot(snapshot)?;
        machine.on_resume(now_ms);
        Ok(Refund { machine, verifier })
    }
}

machine_flow!(RefundMachine, Refund);

#[cfg(test)]
mod tests;
