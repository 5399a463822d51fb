//! Trade state and the business rules of the six trade APIs.
//!
//! Everything here is pure: time comes in as an argument, answers go out as
//! JSON objects (the content of the `<method>_response` node) that the
//! gateway signs. Pending transitions (a buyer entering a password, a buyer
//! cancelling on the phone, `timeout_express`) are applied lazily whenever a
//! trade is looked at.

use std::collections::{HashMap, HashSet};

use alipay_f2f_core::time::format_timestamp;
use serde_json::{json, Map, Value};

use crate::gateway::GatewayConfig;
use crate::money::Amount;
use crate::scenario::{plan_for_auth_code, Fault, Scenario};

/// One day in milliseconds.
const DAY_MS: u64 = 24 * 3600 * 1000;
/// UTC+8 offset in milliseconds.
const UTC8_MS: u64 = 8 * 3600 * 1000;

/// `trade_status` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TradeStatus {
    /// Created, waiting for the buyer.
    WaitBuyerPay,
    /// Paid.
    Success,
    /// Closed: never paid, cancelled, or fully refunded.
    Closed,
}

impl TradeStatus {
    /// The gateway spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TradeStatus::WaitBuyerPay => "WAIT_BUYER_PAY",
            TradeStatus::Success => "TRADE_SUCCESS",
            TradeStatus::Closed => "TRADE_CLOSED",
        }
    }
}

/// A transition the simulated buyer will make at some time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    Pay,
    Close,
}

/// One refund of a trade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    /// `out_request_no` (the trade's `out_trade_no` when none was given).
    pub out_request_no: String,
    /// Amount of this refund.
    pub amount: Amount,
    /// When it happened (business clock, epoch ms).
    pub at_ms: u64,
}

/// A trade, keyed by (`app_id`, `out_trade_no`).
#[derive(Debug, Clone)]
pub struct Trade {
    /// The app that created it.
    pub app_id: String,
    /// Merchant order number.
    pub out_trade_no: String,
    /// Alipay trade number (date + counter).
    pub trade_no: String,
    /// The payment code used.
    pub auth_code: String,
    /// Order subject.
    pub subject: String,
    /// Order amount.
    pub total: Amount,
    /// Current status.
    pub status: TradeStatus,
    /// Creation time (epoch ms).
    pub created_ms: u64,
    /// Payment time, once paid.
    pub paid_ms: Option<u64>,
    /// Masked buyer account.
    pub buyer_logon_id: String,
    /// Buyer user id (`2088…`).
    pub buyer_user_id: String,
    /// Refunds, in order.
    pub refunds: Vec<Refund>,
    /// Amount refunded by a cancel of a paid trade.
    pub cancel_refunded: Amount,
    /// `action` of the successful cancel, once cancelled.
    pub cancel_action: Option<&'static str>,
    /// Cancels that will still fail with `retry_flag=Y`.
    pub cancel_failures_left: u32,
    /// The scenario the code chose.
    pub scenario: Scenario,
    pending: Option<(u64, Pending)>,
    expires_ms: Option<u64>,
}

impl Trade {
    fn refunded(&self) -> Amount {
        Amount(self.refunds.iter().map(|r| r.amount.0).sum())
    }

    /// Applies due transitions at `now`.
    fn advance(&mut self, now: u64) {
        if self.status != TradeStatus::WaitBuyerPay {
            return;
        }
        let pending_at = self.pending.map(|(at, _)| at).unwrap_or(u64::MAX);
        let expires_at = self.expires_ms.unwrap_or(u64::MAX);
        if pending_at <= now && pending_at <= expires_at {
            match self.pending.take().map(|(_, p)| p) {
                Some(Pending::Pay) => {
                    self.status = TradeStatus::Success;
                    self.paid_ms = Some(pending_at);
                }
                Some(Pending::Close) | None => self.status = TradeStatus::Closed,
            }
        } else if expires_at <= now {
            self.pending = None;
            self.status = TradeStatus::Closed;
        }
    }

    /// The state as JSON for the control endpoint.
    pub fn to_json(&self) -> Value {
        json!({
            "app_id": self.app_id,
            "out_trade_no": self.out_trade_no,
            "trade_no": self.trade_no,
            "trade_status": self.status.as_str(),
            "total_amount": self.total.to_string(),
            "refunded_amount": self.refunded().to_string(),
            "cancel_refunded_amount": self.cancel_refunded.to_string(),
            "cancel_action": self.cancel_action,
            "cancel_failures_left": self.cancel_failures_left,
            "auth_code": self.auth_code,
            "subject": self.subject,
            "scenario": format!("{:?}", self.scenario),
            "buyer_logon_id": self.buyer_logon_id,
            "buyer_user_id": self.buyer_user_id,
            "gmt_create": format_timestamp(self.created_ms),
            "gmt_payment": self.paid_ms.map(format_timestamp),
            "refunds": self.refunds.iter().map(|r| json!({
                "out_request_no": r.out_request_no,
                "refund_amount": r.amount.to_string(),
                "gmt_refund_pay": format_timestamp(r.at_ms),
            })).collect::<Vec<_>>(),
        })
    }
}

/// The answer to a business call: the node content plus how to deliver it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The `<method>_response` object.
    pub object: Map<String, Value>,
    /// Extra delay before answering (already scaled).
    pub delay_ms: u64,
    /// A fault selected by the payment code.
    pub fault: Option<Fault>,
}

impl Reply {
    fn ok(value: Value) -> Reply {
        let object = match value {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        Reply {
            object,
            delay_ms: 0,
            fault: None,
        }
    }
}

/// A `40004 Business Failed` answer.
pub fn business_error(sub_code: &str, sub_msg: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("code".into(), "40004".into());
    m.insert("msg".into(), "Business Failed".into());
    m.insert("sub_code".into(), sub_code.into());
    m.insert("sub_msg".into(), sub_msg.into());
    m
}

fn fail(sub_code: &str, sub_msg: &str) -> Reply {
    Reply::ok(Value::Object(business_error(sub_code, sub_msg)))
}

fn invalid(detail: &str) -> Reply {
    fail("ACQ.INVALID_PARAMETER", &format!("参数无效: {detail}"))
}

/// Reads an optional string field; numbers are accepted as their text.
fn field(biz: &Map<String, Value>, key: &str) -> Result<Option<String>, Reply> {
    match biz.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(invalid(&format!("{key} must be a string"))),
    }
}

fn required(biz: &Map<String, Value>, key: &str) -> Result<String, Reply> {
    field(biz, key)?.ok_or_else(|| invalid(&format!("{key} is required")))
}

fn check_len(key: &str, value: &str, max: usize) -> Result<(), Reply> {
    if value.chars().count() > max {
        Err(invalid(&format!("{key} is longer than {max} characters")))
    } else {
        Ok(())
    }
}

fn check_trade_no_chars(key: &str, value: &str) -> Result<(), Reply> {
    check_len(key, value, 64)?;
    if value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        Ok(())
    } else {
        Err(invalid(&format!(
            "{key} may only contain letters, digits and underscores"
        )))
    }
}

fn amount(biz: &Map<String, Value>, key: &str) -> Result<Amount, Reply> {
    let text = required(biz, key)?;
    Amount::parse(&text).ok_or_else(|| {
        invalid(&format!(
            "{key} must be an amount in yuan within [0.01, 100000000] with at most 2 decimals"
        ))
    })
}

/// Parses `timeout_express` (`90m`, `3h`, `15d`, `1c`) relative to `now`.
fn expiry(text: &str, now: u64) -> Option<u64> {
    if !text.is_ascii() {
        return None;
    }
    if text == "1c" {
        let local = now + UTC8_MS;
        return Some(local - local % DAY_MS + DAY_MS - UTC8_MS);
    }
    let (num, unit) = text.split_at(text.len().checked_sub(1)?);
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) || num.len() > 5 {
        return None;
    }
    let n: u64 = num.parse().ok()?;
    let ms = match unit {
        "m" => n * 60_000,
        "h" => n * 3_600_000,
        "d" => n * DAY_MS,
        _ => return None,
    };
    (60_000..=15 * DAY_MS).contains(&ms).then_some(now + ms)
}

type Key = (String, String);

/// All trades of all apps, plus used payment codes.
#[derive(Debug, Default)]
pub struct TradeStore {
    trades: HashMap<Key, Trade>,
    by_trade_no: HashMap<String, Key>,
    used_codes: HashMap<String, Key>,
    /// Orders cancelled before any pay created them: a late pay is refused.
    tombstones: HashSet<Key>,
    counter: u64,
}

/// Who is calling, and when.
pub struct Ctx<'a> {
    /// The calling app.
    pub app_id: &'a str,
    /// Business clock (epoch ms).
    pub now_ms: u64,
    /// Gateway configuration (delays, speed).
    pub config: &'a GatewayConfig,
}

impl TradeStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of trades.
    pub fn len(&self) -> usize {
        self.trades.len()
    }

    /// Whether no trade exists.
    pub fn is_empty(&self) -> bool {
        self.trades.is_empty()
    }

    /// A trade by merchant order number, after applying due transitions.
    /// With `app_id = None`, the first app's trade with that number.
    pub fn inspect(
        &mut self,
        app_id: Option<&str>,
        out_trade_no: &str,
        now: u64,
    ) -> Option<&Trade> {
        let key = match app_id {
            Some(a) => (a.to_string(), out_trade_no.to_string()),
            None => {
                let mut keys: Vec<&Key> = self
                    .trades
                    .keys()
                    .filter(|(_, o)| o == out_trade_no)
                    .collect();
                keys.sort();
                keys.first().map(|k| (*k).clone())?
            }
        };
        let t = self.trades.get_mut(&key)?;
        t.advance(now);
        Some(t)
    }

    /// Every trade, after applying due transitions, sorted by trade number.
    pub fn all(&mut self, now: u64) -> Vec<&Trade> {
        let mut v: Vec<&mut Trade> = self.trades.values_mut().collect();
        for t in v.iter_mut() {
            t.advance(now);
        }
        let mut v: Vec<&Trade> = v.into_iter().map(|t| &*t).collect();
        v.sort_by(|a, b| a.trade_no.cmp(&b.trade_no));
        v
    }

    fn next_trade_no(&mut self, now: u64) -> String {
        self.counter += 1;
        let date = format_timestamp(now);
        let ymd: String = date.chars().filter(char::is_ascii_digit).take(8).collect();
        format!("{ymd}2200{:016}", self.counter)
    }

    /// Finds the trade addressed by `trade_no` (wins) or `out_trade_no`.
    fn locate(&mut self, ctx: &Ctx<'_>, biz: &Map<String, Value>) -> Result<Option<Key>, Reply> {
        let trade_no = field(biz, "trade_no")?;
        let out_trade_no = field(biz, "out_trade_no")?;
        if let Some(t) = &trade_no {
            check_len("trade_no", t, 64)?;
        }
        if let Some(o) = &out_trade_no {
            check_len("out_trade_no", o, 64)?;
        }
        let key = match (trade_no, out_trade_no) {
            (Some(t), _) => self
                .by_trade_no
                .get(&t)
                .filter(|k| k.0 == ctx.app_id)
                .cloned(),
            (None, Some(o)) => {
                let k = (ctx.app_id.to_string(), o);
                self.trades.contains_key(&k).then_some(k)
            }
            (None, None) => return Err(invalid("out_trade_no or trade_no is required")),
        };
        if let Some(k) = &key {
            if let Some(t) = self.trades.get_mut(k) {
                t.advance(ctx.now_ms);
            }
        }
        Ok(key)
    }

    /// `alipay.trade.pay`.
    pub fn pay(&mut self, ctx: &Ctx<'_>, biz: &Map<String, Value>) -> Reply {
        self.pay_inner(ctx, biz).unwrap_or_else(|r| r)
    }

    fn pay_inner(&mut self, ctx: &Ctx<'_>, biz: &Map<String, Value>) -> Result<Reply, Reply> {
        let out_trade_no = required(biz, "out_trade_no")?;
        check_trade_no_chars("out_trade_no", &out_trade_no)?;
        let scene = field(biz, "scene")?.unwrap_or_else(|| "bar_code".into());
        if !matches!(scene.as_str(), "bar_code" | "security_code" | "wave_code") {
            return Err(invalid("scene must be bar_code or security_code"));
        }
        let auth_code = required(biz, "auth_code")?;
        check_len("auth_code", &auth_code, 32)?;
        let total = amount(biz, "total_amount")?;
        let subject = required(biz, "subject")?;
        check_len("subject", &subject, 256)?;
        if let Some(p) = field(biz, "product_code")? {
            if p != "FACE_TO_FACE_PAYMENT" {
                return Err(invalid("product_code must be FACE_TO_FACE_PAYMENT"));
            }
        }
        for (key, max) in [("store_id", 32), ("operator_id", 28), ("terminal_id", 32)] {
            if let Some(v) = field(biz, key)? {
                check_len(key, &v, max)?;
            }
        }
        let now = ctx.now_ms;
        let mut expires = now + 3 * 3_600_000;
        if let Some(t) = field(biz, "timeout_express")? {
            expires = expiry(&t, now)
                .ok_or_else(|| invalid("timeout_express must be 1m-15d in m, h or d, or 1c"))?;
        }
        if let Some(t) = field(biz, "time_expire")? {
            expires = alipay_f2f_core::time::parse_timestamp(&t)
                .filter(|e| *e > now)
                .ok_or_else(|| invalid("time_expire must be a future yyyy-MM-dd HH:mm:ss"))?;
        }

        let key: Key = (ctx.app_id.to_string(), out_trade_no.clone());
        if self.tombstones.contains(&key) {
            return Err(fail("ACQ.TRADE_HAS_CLOSE", "交易已经关闭"));
        }
        if let Some(t) = self.trades.get_mut(&key) {
            t.advance(now);
            if t.auth_code != auth_code || t.total != total || t.subject != subject {
                return Err(fail("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改"));
            }
            return Ok(Reply::ok(match t.status {
                TradeStatus::Success => pay_success(t),
                TradeStatus::WaitBuyerPay => pay_in_process(t),
                TradeStatus::Closed => {
                    Value::Object(business_error("ACQ.TRADE_HAS_CLOSE", "交易已经关闭"))
                }
            }));
        }
        let code_invalid = || {
            fail("ACQ.PAYMENT_AUTH_CODE_INVALID", "支付失败，获取顾客账户信息失败，请顾客刷新付款码后重新收款，如再次收款失败，请联系管理员处理。[SOUNDWAVE_PARSER_FAIL]")
        };
        let Some(plan) = plan_for_auth_code(&auth_code) else {
            return Err(code_invalid());
        };
        if self.used_codes.contains_key(&auth_code) {
            return Err(code_invalid());
        }
        let cfg = ctx.config;
        // Failing scenarios create no trade (so the order can be paid with a
        // fresh code) and do not spend the code; a fault still applies.
        let failed = match plan.scenario {
            Scenario::InsufficientBalance => {
                Some(fail("ACQ.BUYER_BALANCE_NOT_ENOUGH", "买家余额不足"))
            }
            Scenario::InvalidCode => Some(code_invalid()),
            _ => None,
        };
        if let Some(mut reply) = failed {
            reply.fault = plan.fault;
            if plan.fault == Some(Fault::Slow) {
                reply.delay_ms = cfg.scaled(cfg.slow_delay_ms);
            }
            return Err(reply);
        }

        let trade_no = self.next_trade_no(now);
        let digits: String = auth_code
            .chars()
            .filter(char::is_ascii_digit)
            .collect::<String>();
        let tail = format!("{:0>12}", digits);
        let tail = &tail[tail.len() - 12..];
        let mut trade = Trade {
            app_id: ctx.app_id.to_string(),
            out_trade_no: out_trade_no.clone(),
            trade_no: trade_no.clone(),
            auth_code: auth_code.clone(),
            subject,
            total,
            status: TradeStatus::WaitBuyerPay,
            created_ms: now,
            paid_ms: None,
            buyer_logon_id: format!("{}******{}", "138", &tail[10..]),
            buyer_user_id: format!("2088{tail}"),
            refunds: Vec::new(),
            cancel_refunded: Amount::ZERO,
            cancel_action: None,
            cancel_failures_left: 0,
            scenario: plan.scenario,
            pending: None,
            expires_ms: Some(expires),
        };
        let mut delay_ms = 0;
        let mut reply_code_20000 = false;
        match plan.scenario {
            Scenario::PayNow => trade.mark_paid(now),
            Scenario::UnavailableButPaid => {
                trade.mark_paid(now);
                reply_code_20000 = true;
            }
            Scenario::SlowButPaid => {
                trade.mark_paid(now);
                delay_ms = cfg.scaled(cfg.slow_delay_ms);
            }
            Scenario::Password { delay_ms: d } => {
                let d = cfg.scaled(d.unwrap_or(cfg.password_delay_ms));
                trade.pending = Some((now + d, Pending::Pay));
            }
            Scenario::BuyerCancels { delay_ms: d } => {
                let d = cfg.scaled(d.unwrap_or(cfg.password_delay_ms));
                trade.pending = Some((now + d, Pending::Close));
            }
            Scenario::NeverConfirms => {}
            Scenario::CancelNeedsRetries { failures } => {
                trade.cancel_failures_left = failures.unwrap_or(cfg.cancel_failures);
            }
            Scenario::InsufficientBalance | Scenario::InvalidCode => {}
        }
        let object = if reply_code_20000 {
            json!({
                "code": "20000",
                "msg": "Service Currently Unavailable",
                "sub_code": "isp.unknow-error",
                "sub_msg": "系统繁忙",
            })
        } else if trade.status == TradeStatus::Success {
            pay_success(&trade)
        } else {
            pay_in_process(&trade)
        };
        if plan.fault == Some(Fault::Slow) {
            delay_ms += cfg.scaled(cfg.slow_delay_ms);
        }
        self.used_codes.insert(auth_code, key.clone());
        self.by_trade_no.insert(trade_no, key.clone());
        self.trades.insert(key, trade);
        let mut reply = Reply::ok(object);
        reply.delay_ms = delay_ms;
        reply.fault = plan.fault;
        Ok(reply)
    }

    /// `alipay.trade.query`.
    pub fn query(&mut self, ctx: &Ctx<'_>, biz: &Map<String, Value>) -> Reply {
        let key = match self.locate(ctx, biz) {
            Ok(Some(k)) => k,
            Ok(None) => return fail("ACQ.TRADE_NOT_EXIST", "交易不存在"),
            Err(r) => return r,
        };
        let t = &self.trades[&key];
        let paid = t.paid_ms.is_some();
        let mut v = json!({
            "code": "10000",
            "msg": "Success",
            "trade_no": t.trade_no,
            "out_trade_no": t.out_trade_no,
            "buyer_logon_id": t.buyer_logon_id,
            "trade_status": t.status.as_str(),
            "total_amount": t.total.to_string(),
            "buyer_pay_amount": if paid { t.total } else { Amount::ZERO }.to_string(),
            "point_amount": "0.00",
            "invoice_amount": if paid { t.total } else { Amount::ZERO }.to_string(),
            "receipt_amount": if paid { t.total } else { Amount::ZERO }.to_string(),
        });
        if let (Some(paid_ms), Value::Object(m)) = (t.paid_ms, &mut v) {
            m.insert("send_pay_date".into(), format_timestamp(paid_ms).into());
            m.insert("fund_bill_list".into(), fund_bills(t.total));
        }
        if let Value::Object(m) = &mut v {
            m.insert("buyer_user_id".into(), t.buyer_user_id.clone().into());
        }
        Reply::ok(v)
    }

    /// `alipay.trade.cancel`.
    pub fn cancel(&mut self, ctx: &Ctx<'_>, biz: &Map<String, Value>) -> Reply {
        let key = match self.locate(ctx, biz) {
            Ok(Some(k)) => k,
            Ok(None) => {
                // The doc: `action` is only returned when the trade exists. A
                // later pay with this number is refused (never charge after a
                // cancel).
                let out = field(biz, "out_trade_no").ok().flatten();
                let Some(out) = out else {
                    return fail("ACQ.TRADE_NOT_EXIST", "交易不存在");
                };
                self.tombstones
                    .insert((ctx.app_id.to_string(), out.clone()));
                return Reply::ok(json!({
                    "code": "10000",
                    "msg": "Success",
                    "out_trade_no": out,
                    "retry_flag": "N",
                }));
            }
            Err(r) => return r,
        };
        let Some(t) = self.trades.get_mut(&key) else {
            return fail("ACQ.TRADE_NOT_EXIST", "交易不存在");
        };
        if let Some(action) = t.cancel_action {
            return Reply::ok(cancel_success(t, action, ctx.now_ms));
        }
        if t.cancel_failures_left > 0 {
            t.cancel_failures_left -= 1;
            return cancel_error(t, "ACQ.SYSTEM_ERROR", "系统异常", "Y");
        }
        if ctx.now_ms.saturating_sub(t.created_ms) > ctx.config.cancel_window_ms {
            return cancel_error(
                t,
                "ACQ.TRADE_CANCEL_TIME_OUT",
                "超过撤销时间范围，请使用退款接口",
                "N",
            );
        }
        if !t.refunds.is_empty() {
            return cancel_error(
                t,
                "ACQ.REASON_TRADE_REFUND_FEE_ERR",
                "交易已退款，不能撤销",
                "N",
            );
        }
        let action = match t.status {
            TradeStatus::WaitBuyerPay => "close",
            TradeStatus::Success => {
                t.cancel_refunded = t.total;
                "refund"
            }
            TradeStatus::Closed => "close",
        };
        t.status = TradeStatus::Closed;
        t.pending = None;
        t.cancel_action = Some(action);
        Reply::ok(cancel_success(t, action, ctx.now_ms))
    }

    /// `alipay.trade.close`.
    pub fn close(&mut self, ctx: &Ctx<'_>, biz: &Map<String, Value>) -> Reply {
        let key = match self.locate(ctx, biz) {
            Ok(Some(k)) => k,
            Ok(None) => return fail("ACQ.TRADE_NOT_EXIST", "交易不存在"),
            Err(r) => return r,
        };
        let Some(t) = self.trades.get_mut(&key) else {
            return fail("ACQ.TRADE_NOT_EXIST", "交易不存在");
        };
        match t.status {
            TradeStatus::Success => fail("ACQ.TRADE_STATUS_ERROR", "交易状态不合法"),
            TradeStatus::WaitBuyerPay | TradeStatus::Closed => {
                if t.status == TradeStatus::WaitBuyerPay {
                    t.status = TradeStatus::Closed;
                    t.pending = None;
                }
                if t.paid_ms.is_some() {
                    return fail("ACQ.TRADE_STATUS_ERROR", "交易状态不合法");
                }
                Reply::ok(json!({
                    "code": "10000",
                    "msg": "Success",
                    "trade_no": t.trade_no,
                    "out_trade_no": t.out_trade_no,
                }))
            }
        }
    }

    /// `alipay.trade.refund`.
    pub fn refund(&mut self, ctx: &Ctx<'_>, biz: &Map<String, Value>) -> Reply {
        self.refund_inner(ctx, biz).unwrap_or_else(|r| r)
    }

    fn refund_inner(&mut self, ctx: &Ctx<'_>, biz: &Map<String, Value>) -> Result<Reply, Reply> {
        let amount = amount(biz, "refund_amount")?;
        let out_request_no = field(biz, "out_request_no")?;
        if let Some(o) = &out_request_no {
            check_len("out_request_no", o, 64)?;
        }
        if let Some(r) = field(biz, "refund_reason")? {
            check_len("refund_reason", &r, 256)?;
        }
        let key = self
            .locate(ctx, biz)?
            .ok_or_else(|| fail("ACQ.TRADE_NOT_EXIST", "交易不存在"))?;
        let Some(t) = self.trades.get_mut(&key) else {
            return Err(fail("ACQ.TRADE_NOT_EXIST", "交易不存在"));
        };
        let request_no = out_request_no
            .clone()
            .unwrap_or_else(|| t.out_trade_no.clone());
        if let Some(prev) = t.refunds.iter().find(|r| r.out_request_no == request_no) {
            if prev.amount != amount {
                return Err(fail("ACQ.DISCORDANT_REPEAT_REQUEST", "请求信息不一致"));
            }
            let at = prev.at_ms;
            let this = prev.amount;
            return Ok(Reply::ok(refund_success(t, "N", this, at)));
        }
        let refund_fee_err = || {
            let mut m = business_error("ACQ.REASON_TRADE_REFUND_FEE_ERR", "退款金额超限");
            m.insert("refund_fee".into(), "0.00".into());
            m.insert("send_back_fee".into(), "0.00".into());
            Reply::ok(Value::Object(m))
        };
        if t.paid_ms.is_none() {
            return Err(fail("ACQ.TRADE_STATUS_ERROR", "交易状态不合法"));
        }
        if out_request_no.is_none() && amount != t.total {
            return Err(fail(
                "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
                "退款金额与交易金额不相等",
            ));
        }
        let refundable = t
            .total
            .saturating_sub(t.refunded())
            .saturating_sub(t.cancel_refunded);
        if amount > refundable {
            return Err(refund_fee_err());
        }
        t.refunds.push(Refund {
            out_request_no: request_no,
            amount,
            at_ms: ctx.now_ms,
        });
        if t.refunded() == t.total {
            t.status = TradeStatus::Closed;
        }
        Ok(Reply::ok(refund_success(t, "Y", amount, ctx.now_ms)))
    }

    /// `alipay.trade.fastpay.refund.query`.
    pub fn refund_query(&mut self, ctx: &Ctx<'_>, biz: &Map<String, Value>) -> Reply {
        let out_request_no = match required(biz, "out_request_no") {
            Ok(o) => o,
            Err(r) => return r,
        };
        let key = match self.locate(ctx, biz) {
            Ok(Some(k)) => k,
            Ok(None) => return fail("ACQ.TRADE_NOT_EXIST", "交易不存在"),
            Err(r) => return r,
        };
        let t = &self.trades[&key];
        let mut m = Map::new();
        m.insert("code".into(), "10000".into());
        m.insert("msg".into(), "Success".into());
        m.insert("trade_no".into(), t.trade_no.clone().into());
        m.insert("out_trade_no".into(), t.out_trade_no.clone().into());
        m.insert("out_request_no".into(), out_request_no.clone().into());
        if let Some(r) = t
            .refunds
            .iter()
            .find(|r| r.out_request_no == out_request_no)
        {
            m.insert("total_amount".into(), t.total.to_string().into());
            m.insert("refund_amount".into(), r.amount.to_string().into());
            m.insert("refund_status".into(), "REFUND_SUCCESS".into());
            m.insert("gmt_refund_pay".into(), format_timestamp(r.at_ms).into());
        }
        Reply::ok(Value::Object(m))
    }
}

impl Trade {
    fn mark_paid(&mut self, now: u64) {
        self.status = TradeStatus::Success;
        self.paid_ms = Some(now);
    }
}

fn fund_bills(total: Amount) -> Value {
    json!([{ "fund_channel": "ALIPAYACCOUNT", "amount": total.to_string() }])
}

fn pay_success(t: &Trade) -> Value {
    json!({
        "code": "10000",
        "msg": "Success",
        "trade_no": t.trade_no,
        "out_trade_no": t.out_trade_no,
        "buyer_logon_id": t.buyer_logon_id,
        "total_amount": t.total.to_string(),
        "receipt_amount": t.total.to_string(),
        "buyer_pay_amount": t.total.to_string(),
        "point_amount": "0.00",
        "invoice_amount": t.total.to_string(),
        "gmt_payment": format_timestamp(t.paid_ms.unwrap_or(t.created_ms)),
        "fund_bill_list": fund_bills(t.total),
        "buyer_user_id": t.buyer_user_id,
    })
}

fn pay_in_process(t: &Trade) -> Value {
    json!({
        "code": "10003",
        "msg": "order success pay inprocess",
        "trade_no": t.trade_no,
        "out_trade_no": t.out_trade_no,
        "buyer_logon_id": t.buyer_logon_id,
        "total_amount": t.total.to_string(),
        "receipt_amount": "0.00",
        "buyer_pay_amount": "0.00",
        "point_amount": "0.00",
        "invoice_amount": "0.00",
        "buyer_user_id": t.buyer_user_id,
    })
}

fn cancel_success(t: &Trade, action: &str, now: u64) -> Value {
    let mut v = json!({
        "code": "10000",
        "msg": "Success",
        "trade_no": t.trade_no,
        "out_trade_no": t.out_trade_no,
        "retry_flag": "N",
        "action": action,
    });
    if action == "refund" {
        if let Value::Object(m) = &mut v {
            m.insert("gmt_refund_pay".into(), format_timestamp(now).into());
            m.insert(
                "refund_settlement_id".into(),
                format!("{}R", t.trade_no).into(),
            );
        }
    }
    v
}

fn cancel_error(t: &Trade, sub_code: &str, sub_msg: &str, retry: &str) -> Reply {
    let mut m = business_error(sub_code, sub_msg);
    m.insert("trade_no".into(), t.trade_no.clone().into());
    m.insert("out_trade_no".into(), t.out_trade_no.clone().into());
    m.insert("retry_flag".into(), retry.into());
    Reply::ok(Value::Object(m))
}

fn refund_success(t: &Trade, fund_change: &str, this: Amount, at_ms: u64) -> Value {
    json!({
        "code": "10000",
        "msg": "Success",
        "trade_no": t.trade_no,
        "out_trade_no": t.out_trade_no,
        "buyer_logon_id": t.buyer_logon_id,
        "fund_change": fund_change,
        "refund_fee": t.refunded().to_string(),
        "send_back_fee": this.to_string(),
        "gmt_refund_pay": format_timestamp(at_ms),
        "buyer_user_id": t.buyer_user_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeout_express_parses() {
        let now = 1_700_000_000_000;
        assert_eq!(expiry("90m", now), Some(now + 90 * 60_000));
        assert_eq!(expiry("3h", now), Some(now + 3 * 3_600_000));
        assert_eq!(expiry("15d", now), Some(now + 15 * DAY_MS));
        assert_eq!(expiry("16d", now), None);
        assert_eq!(expiry("0m", now), None);
        assert_eq!(expiry("1.5h", now), None);
        assert_eq!(expiry("h", now), None);
        assert_eq!(expiry("", now), None);
        assert_eq!(expiry("5分", now), None);
        assert_eq!(expiry("分", now), None);
        let eod = expiry("1c", now).unwrap();
        assert!(eod > now && eod - now <= DAY_MS);
        assert_eq!((eod + UTC8_MS) % DAY_MS, 0);
    }
}
