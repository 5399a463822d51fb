//! Typed responses of the 当面付 APIs. Amounts stay decimal strings, unknown
//! fields are kept in `extra`. Build them from a [`crate::VerifiedResponse`]
//! with [`crate::VerifiedResponse::parse`].

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Gateway result fields common to every response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Status {
    /// `10000` success, `10003` buyer paying, `20000` unknown, `40004` business failure, ...
    pub code: String,
    /// Gateway message.
    #[serde(default)]
    pub msg: String,
    /// Business sub-code (`ACQ.*`, `isv.*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_code: Option<String>,
    /// Business sub-message (show it to the cashier).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_msg: Option<String>,
}

/// One funding channel of a payment (`fund_bill_list` item).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FundBill {
    /// Channel (`ALIPAYACCOUNT`, `PCREDIT`, ...). Alipay spells it both ways.
    #[serde(alias = "fundChannel")]
    pub fund_channel: String,
    /// Amount paid through the channel.
    #[serde(default)]
    pub amount: String,
    /// Real amount, when reported.
    #[serde(default, alias = "realAmount", skip_serializing_if = "Option::is_none")]
    pub real_amount: Option<String>,
}

/// `alipay.trade.pay` response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TradePayResponse {
    /// Gateway status.
    #[serde(flatten)]
    pub status: Status,
    /// Alipay trade number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_no: Option<String>,
    /// Merchant trade number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_trade_no: Option<String>,
    /// Masked buyer account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_logon_id: Option<String>,
    /// Order amount (yuan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_amount: Option<String>,
    /// Amount the merchant receives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_amount: Option<String>,
    /// Amount the buyer paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_pay_amount: Option<String>,
    /// Payment time, `yyyy-MM-dd HH:mm:ss`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gmt_payment: Option<String>,
    /// Funding channels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fund_bill_list: Vec<FundBill>,
    /// Buyer user id (2088…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_user_id: Option<String>,
    /// Every other field, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `alipay.trade.query` response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TradeQueryResponse {
    /// Gateway status.
    #[serde(flatten)]
    pub status: Status,
    /// Alipay trade number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_no: Option<String>,
    /// Merchant trade number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_trade_no: Option<String>,
    /// `WAIT_BUYER_PAY`, `TRADE_CLOSED`, `TRADE_SUCCESS`, `TRADE_FINISHED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_status: Option<String>,
    /// Masked buyer account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_logon_id: Option<String>,
    /// Order amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_amount: Option<String>,
    /// Amount the merchant receives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_amount: Option<String>,
    /// Amount the buyer paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_pay_amount: Option<String>,
    /// Payment time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_pay_date: Option<String>,
    /// Funding channels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fund_bill_list: Vec<FundBill>,
    /// Buyer user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_user_id: Option<String>,
    /// Every other field, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `alipay.trade.cancel` response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TradeCancelResponse {
    /// Gateway status.
    #[serde(flatten)]
    pub status: Status,
    /// Alipay trade number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_no: Option<String>,
    /// Merchant trade number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_trade_no: Option<String>,
    /// `Y` if the caller should retry the cancel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_flag: Option<String>,
    /// `close` (unpaid trade closed) or `refund` (paid trade refunded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Every other field, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `alipay.trade.close` response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TradeCloseResponse {
    /// Gateway status.
    #[serde(flatten)]
    pub status: Status,
    /// Alipay trade number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_no: Option<String>,
    /// Merchant trade number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_trade_no: Option<String>,
    /// Every other field, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `alipay.trade.refund` response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TradeRefundResponse {
    /// Gateway status.
    #[serde(flatten)]
    pub status: Status,
    /// Alipay trade number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_no: Option<String>,
    /// Merchant trade number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_trade_no: Option<String>,
    /// `Y` when this call moved money (the refund succeeded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fund_change: Option<String>,
    /// Cumulative refunded amount of the trade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_fee: Option<String>,
    /// Masked buyer account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_logon_id: Option<String>,
    /// Refund time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gmt_refund_pay: Option<String>,
    /// Every other field, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `alipay.trade.fastpay.refund.query` response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RefundQueryResponse {
    /// Gateway status.
    #[serde(flatten)]
    pub status: Status,
    /// Alipay trade number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_no: Option<String>,
    /// Merchant trade number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_trade_no: Option<String>,
    /// The refund request number queried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_request_no: Option<String>,
    /// `REFUND_SUCCESS` when refunded; absent when not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_status: Option<String>,
    /// Amount of this refund.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_amount: Option<String>,
    /// Order amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_amount: Option<String>,
    /// Every other field, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pay_response_keeps_unknown_fields_and_string_amounts() {
        let v: TradePayResponse = serde_json::from_str(
            r#"{"code":"10000","msg":"Success","trade_no":"2024","total_amount":"88.88",
                "fund_bill_list":[{"amount":"88.88","fund_channel":"ALIPAYACCOUNT"}],"store_name":"x"}"#,
        )
        .unwrap();
        assert_eq!(v.status.code, "10000");
        assert_eq!(v.total_amount.as_deref(), Some("88.88"));
        assert_eq!(v.fund_bill_list[0].fund_channel, "ALIPAYACCOUNT");
        assert_eq!(v.extra.get("store_name").unwrap(), "x");
    }

    #[test]
    fn cancel_response_parses_action_and_retry_flag() {
        let v: TradeCancelResponse = serde_json::from_str(
            r#"{"code":"10000","msg":"Success","action":"close","retry_flag":"N","out_trade_no":"a"}"#,
        )
        .unwrap();
        assert_eq!(v.action.as_deref(), Some("close"));
        assert_eq!(v.retry_flag.as_deref(), Some("N"));
    }
}
