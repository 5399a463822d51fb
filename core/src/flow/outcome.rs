//! Terminal results of the flows ([`Outcome`]) and the call log they carry.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::action::{CallId, TransportError};

/// One funding channel of a payment (camelCase twin of [`crate::model::FundBill`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FundBill {
    /// Channel (`ALIPAYACCOUNT`, `PCREDIT`, ...).
    pub fund_channel: String,
    /// Amount paid through the channel.
    pub amount: String,
    /// Real amount, when reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub real_amount: Option<String>,
}

impl From<&crate::model::FundBill> for FundBill {
    fn from(b: &crate::model::FundBill) -> Self {
        FundBill {
            fund_channel: b.fund_channel.clone(),
            amount: b.amount.clone(),
            real_amount: b.real_amount.clone(),
        }
    }
}

/// Why a flow ended [`Outcome::Failed`] (in every case: nothing was charged,
/// or, for a refund, nothing was refunded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FailReason {
    /// A verified `40004` business failure (show `subMsg` to the cashier).
    BusinessFailed,
    /// The gateway refused the request before any business processing
    /// (verified `40001`, `40002`, `40003`, `40006`, `20001`): fix the
    /// configuration or request.
    Refused,
    /// A verified query showed `TRADE_CLOSED`: the trade is closed and not
    /// charged (or fully refunded).
    TradeClosed,
    /// The cashier aborted before the first call was handed to the driver:
    /// nothing was sent, nothing to reverse. `code` is `ERR_ABORTED`.
    Aborted,
}

/// Why a trade was reversed with `alipay.trade.cancel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CancelReason {
    /// The buyer did not pay before the polling deadline.
    Timeout,
    /// The pay result could not be established (20000, transport error,
    /// unverifiable or mismatched answer, lost answer after a resume).
    Unknown,
    /// The cashier aborted.
    Aborted,
}

/// What `alipay.trade.cancel` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CancelAction {
    /// The unpaid trade was closed (also used when the gateway reported no
    /// `action`, i.e. no trade existed; a `CANCEL_ACTION_MISSING` warning is emitted).
    Close,
    /// The paid trade was refunded in full.
    Refund,
}

/// Why a flow ended [`Outcome::Unknown`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum UnknownReason {
    /// No cancel answer was verified after every retry.
    CancelNotConfirmed,
    /// The gateway refused the cancel definitively (e.g. `ACQ.TRADE_HAS_FINISHED`,
    /// `ACQ.TRADE_CANCEL_TIME_OUT`, `ACQ.REASON_TRADE_REFUND_FEE_ERR`).
    CancelRefused,
    /// No refund success was verified after every retry.
    RefundNotConfirmed,
    /// The cashier aborted a refund whose result was not yet known.
    Aborted,
}

/// What one call of a flow produced. (`Deserialize` is written by hand in
/// `flow/tagged.rs`, same JSON.)
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum CallResult {
    /// A verified answer: its status and the fields that matter to the flow
    /// (`trade_no`, `out_trade_no`, `trade_status`, amounts, `retry_flag`,
    /// `action`, `fund_change`, `refund_status`, `out_request_no`).
    Verified {
        /// Gateway `code`.
        code: String,
        /// Gateway `msg`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        msg: Option<String>,
        /// `sub_code`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sub_code: Option<String>,
        /// `sub_msg`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sub_msg: Option<String>,
        /// Selected business fields, as the gateway sent them (snake_case keys).
        #[serde(default, skip_serializing_if = "Map::is_empty")]
        fields: Map<String, Value>,
    },
    /// The answer did not verify.
    Rejected {
        /// The `ERR_*` code.
        error_code: String,
        /// Why.
        message: String,
    },
    /// No answer.
    Transport {
        /// What failed.
        error: TransportError,
    },
    /// The answer was lost (the flow was resumed from a snapshot taken while
    /// the call was in flight).
    Lost,
}

/// One call of a flow and what it produced, for [`Outcome::Unknown`] and logs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallRecord {
    /// The call id.
    pub id: CallId,
    /// The method.
    pub method: String,
    /// When it was handed to the driver.
    pub sent_ms: u64,
    /// When its answer (or failure) was handled.
    pub answered_ms: u64,
    /// What it produced.
    pub result: CallResult,
}

/// The terminal result of a flow. JSON is tagged by `status`
/// (`paid`, `failed`, `cancelled`, `refunded`, `unknown`) with camelCase fields.
/// (`Deserialize` is written by hand in `flow/tagged.rs`, same JSON.)
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(
    tag = "status",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Outcome {
    /// Paid: proven by a verified `alipay.trade.pay` `10000` or a verified
    /// query `TRADE_SUCCESS`/`TRADE_FINISHED`, for this `out_trade_no` and amount.
    Paid {
        /// Merchant trade number.
        out_trade_no: String,
        /// Alipay trade number.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        trade_no: Option<String>,
        /// Masked buyer account.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        buyer_logon_id: Option<String>,
        /// Buyer user id (2088…).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        buyer_user_id: Option<String>,
        /// Order amount (as requested when the gateway did not echo it).
        total_amount: String,
        /// Amount the merchant receives.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        receipt_amount: Option<String>,
        /// Amount the buyer paid.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        buyer_pay_amount: Option<String>,
        /// Payment time (`gmt_payment` of the pay answer, `send_pay_date` of a query).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        gmt_payment: Option<String>,
        /// Funding channels.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        fund_bill_list: Vec<FundBill>,
        /// `alipay.trade.pay` or `alipay.trade.query`: which answer proved it.
        confirmed_by: String,
    },
    /// Definitely not charged (or, for a refund, definitely not refunded).
    Failed {
        /// Why.
        reason: FailReason,
        /// Gateway `code` (`40004`, ...; `10000` for a closed trade; `ERR_ABORTED` for an abort).
        code: String,
        /// Gateway `msg`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        msg: Option<String>,
        /// `sub_code` (e.g. `ACQ.PAYMENT_AUTH_CODE_INVALID`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sub_code: Option<String>,
        /// `sub_msg`: show it to the cashier.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sub_msg: Option<String>,
        /// `trade_status` when a query proved the failure.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        trade_status: Option<String>,
        /// Merchant trade number.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        out_trade_no: Option<String>,
        /// Refund request number (refund flows).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        out_request_no: Option<String>,
    },
    /// The trade was reversed by a verified `alipay.trade.cancel` `10000`.
    Cancelled {
        /// `close` (was unpaid) or `refund` (was paid, now refunded).
        action: CancelAction,
        /// Why the flow cancelled.
        reason: CancelReason,
        /// Merchant trade number.
        out_trade_no: String,
        /// Alipay trade number, when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        trade_no: Option<String>,
    },
    /// Refunded: proven by a verified `fund_change=Y` or a verified refund
    /// query showing `REFUND_SUCCESS`.
    Refunded {
        /// Merchant trade number, when given or echoed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        out_trade_no: Option<String>,
        /// Alipay trade number, when given or echoed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        trade_no: Option<String>,
        /// The refund's idempotency key.
        out_request_no: String,
        /// The amount of this refund.
        refund_amount: String,
        /// Cumulative refunded amount of the trade, when reported.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        refund_fee: Option<String>,
        /// Refund time, when reported.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        gmt_refund_pay: Option<String>,
        /// `alipay.trade.refund` or `alipay.trade.fastpay.refund.query`.
        confirmed_by: String,
    },
    /// Not established: reconcile manually (query the trade / refund later).
    /// Carries everything the flow knows.
    Unknown {
        /// Why.
        reason: UnknownReason,
        /// Human summary.
        message: String,
        /// Merchant trade number.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        out_trade_no: Option<String>,
        /// Alipay trade number, when seen in a verified answer.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        trade_no: Option<String>,
        /// Refund request number (refund flows).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        out_request_no: Option<String>,
        /// Whether a verified answer proved the trade paid (then the
        /// reversal failed: the buyer was charged).
        paid: bool,
        /// Every call and its result, in order.
        calls: Vec<CallRecord>,
    },
}

impl Outcome {
    /// The `status` tag: `paid`, `failed`, `cancelled`, `refunded` or `unknown`.
    pub fn status(&self) -> &'static str {
        match self {
            Outcome::Paid { .. } => "paid",
            Outcome::Failed { .. } => "failed",
            Outcome::Cancelled { .. } => "cancelled",
            Outcome::Refunded { .. } => "refunded",
            Outcome::Unknown { .. } => "unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_json_is_tagged_by_status_in_camel_case() {
        let o = Outcome::Cancelled {
            action: CancelAction::Refund,
            reason: CancelReason::Aborted,
            out_trade_no: "T1".into(),
            trade_no: None,
        };
        assert_eq!(
            serde_json::to_string(&o).unwrap(),
            r#"{"status":"cancelled","action":"refund","reason":"aborted","outTradeNo":"T1"}"#
        );
        let f = Outcome::Failed {
            reason: FailReason::BusinessFailed,
            code: "40004".into(),
            msg: None,
            sub_code: Some("ACQ.PAYMENT_AUTH_CODE_INVALID".into()),
            sub_msg: None,
            trade_status: None,
            out_trade_no: Some("T1".into()),
            out_request_no: None,
        };
        let j = serde_json::to_value(&f).unwrap();
        assert_eq!(j["status"], "failed");
        assert_eq!(j["reason"], "businessFailed");
        assert_eq!(j["subCode"], "ACQ.PAYMENT_AUTH_CODE_INVALID");
        assert_eq!(f.status(), "failed");
        let back: Outcome = serde_json::from_value(j).unwrap();
        assert_eq!(back, f);
    }
}
