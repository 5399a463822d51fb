//! Helpers shared by the flows: the internal answer type, the call log,
//! amount comparison and payment-code masking.

use serde_json::{Map, Value};

use super::action::{CallId, Event, TransportError};
use super::outcome::{CallRecord, CallResult};
use crate::error::Error;
use crate::response::VerifiedResponse;

/// What came back for a call, after verification.
#[derive(Debug, Clone)]
pub enum Answer {
    /// The signature verified.
    Verified(VerifiedResponse),
    /// The body did not verify (or was not a gateway answer).
    Rejected(Error),
    /// No body.
    Transport(TransportError),
    /// The answer was lost (resume from a snapshot).
    Lost,
}

/// Business fields worth keeping in the call log.
const LOGGED_FIELDS: &[&str] = &[
    "trade_no",
    "out_trade_no",
    "trade_status",
    "total_amount",
    "retry_flag",
    "action",
    "fund_change",
    "refund_fee",
    "refund_amount",
    "refund_status",
    "out_request_no",
];

impl Answer {
    /// The call-log form of the answer.
    pub(crate) fn result(&self) -> CallResult {
        match self {
            Answer::Verified(v) => {
                let mut fields = Map::new();
                for f in LOGGED_FIELDS {
                    if let Some(x) = v.object.get(*f) {
                        fields.insert((*f).to_string(), x.clone());
                    }
                }
                CallResult::Verified {
                    code: v.code().to_string(),
                    msg: v.get_str("msg").map(str::to_string),
                    sub_code: v.sub_code().map(str::to_string),
                    sub_msg: v.sub_msg().map(str::to_string),
                    fields,
                }
            }
            Answer::Rejected(e) => CallResult::Rejected {
                error_code: e.code().as_str().to_string(),
                message: e.message().to_string(),
            },
            Answer::Transport(t) => CallResult::Transport { error: t.clone() },
            Answer::Lost => CallResult::Lost,
        }
    }

    /// The progress event reporting the answer (none for a lost answer:
    /// the `resumed` event reports it).
    pub(crate) fn event(&self, call_id: CallId, method: &str) -> Option<Event> {
        match self {
            Answer::Verified(v) => Some(Event::Answer {
                call_id,
                method: method.to_string(),
                code: v.code().to_string(),
                sub_code: v.sub_code().map(str::to_string),
                sub_msg: v.sub_msg().map(str::to_string),
                trade_status: v.get_str("trade_status").map(str::to_string),
            }),
            Answer::Rejected(e) => Some(Event::Rejected {
                call_id,
                method: method.to_string(),
                error_code: e.code().as_str().to_string(),
                message: e.message().to_string(),
            }),
            Answer::Transport(t) => Some(Event::TransportFailed {
                call_id,
                method: method.to_string(),
                error: t.clone(),
            }),
            Answer::Lost => None,
        }
    }
}

/// Builds the log record of a finished call.
pub(crate) fn record(
    id: CallId,
    method: &str,
    sent_ms: u64,
    answered_ms: u64,
    answer: &Answer,
) -> CallRecord {
    CallRecord {
        id,
        method: method.to_string(),
        sent_ms,
        answered_ms,
        result: answer.result(),
    }
}

/// A yuan amount in cents: digits, optionally `.` and 1–2 digits. `None`
/// when it is not such a number (or overflows).
pub(crate) fn amount_cents(s: &str) -> Option<u64> {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) || s.ends_with('.') {
        return None;
    }
    let i: u64 = int.parse().ok()?;
    let mut f: u64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    if frac.len() == 1 {
        f *= 10;
    }
    i.checked_mul(100)?.checked_add(f)
}

/// A string field of a verified answer, when present and not empty.
pub(crate) fn field(v: &VerifiedResponse, name: &str) -> Option<String> {
    v.get_str(name)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// True when the answer names a different value for `name` than `ours`
/// (an absent field is not a mismatch). For amounts, compares numerically.
pub(crate) fn mismatch(v: &VerifiedResponse, name: &str, ours: &str, is_amount: bool) -> bool {
    match v.object.get(name) {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) if s.is_empty() => false,
        Some(Value::String(s)) => {
            if is_amount {
                match (amount_cents(s), amount_cents(ours)) {
                    (Some(a), Some(b)) => a != b,
                    _ => true,
                }
            } else {
                s != ours
            }
        }
        // A number or anything else where a string belongs: cannot be
        // trusted to describe our trade.
        Some(_) => true,
    }
}

/// Gateway codes that mean "the request was refused before any business
/// processing": nothing happened, so nothing was charged or refunded, and
/// there is no trade to cancel (protocol §7.1). Each one, verified:
///
/// - `20001` insufficient token permissions (`aop.invalid-auth-token`,
///   `aop.app-auth-token-time-out`, ...): the gateway rejects the
///   `app_auth_token` before routing the call to the trade system.
/// - `40001` missing required arguments (`isv.missing-signature`, ...): the
///   request is incomplete; the gateway stops at parameter checking.
/// - `40002` invalid arguments (`isv.invalid-signature`, `isv.invalid-app-id`,
///   `isv.invalid-timestamp`, ...): the request is rejected at the gateway,
///   its signature or common parameters did not check out.
/// - `40003` insufficient conditions (`isv.missing-signature-config`, ...):
///   the app is not configured for the call; rejected at the gateway.
/// - `40006` insufficient permissions (`isv.insufficient-isv-permissions`):
///   the app has not signed the product; rejected before business processing.
///
/// By contrast `20000` (service unavailable) may have been processed, and
/// `40004` is a business answer (its sub code decides). Unsigned answers
/// (typical for `40002 isv.invalid-app-id`) never get here: they do not
/// verify, so they count as unknown.
pub(crate) fn is_refusal(code: &str) -> bool {
    matches!(code, "20001" | "40001" | "40002" | "40003" | "40006")
}

/// The payment code masked for events: first 2 and last 4 characters kept
/// when it is longer than 8, every character masked otherwise.
pub(crate) fn mask_auth_code(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    let n = chars.len();
    if n <= 8 {
        return "*".repeat(n);
    }
    let mut out = String::with_capacity(n);
    out.extend(&chars[..2]);
    out.extend(std::iter::repeat_n('*', n - 6));
    out.extend(&chars[n - 4..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_compare_in_cents() {
        assert_eq!(amount_cents("88.8"), Some(8880));
        assert_eq!(amount_cents("88.80"), Some(8880));
        assert_eq!(amount_cents("88"), Some(8800));
        assert_eq!(amount_cents("0.01"), Some(1));
        for bad in [
            "",
            ".5",
            "5.",
            "1.234",
            "-1",
            "1e3",
            "1,00",
            " 1",
            "18446744073709551616",
        ] {
            assert_eq!(amount_cents(bad), None, "{bad}");
        }
    }

    #[test]
    fn mismatch_treats_absent_as_unknown_and_numbers_as_suspect() {
        let v = VerifiedResponse {
            method: "alipay.trade.pay".into(),
            object: serde_json::from_str(
                r#"{"code":"10000","out_trade_no":"T1","total_amount":"8.8","n":8.8,"e":""}"#,
            )
            .unwrap(),
            cert_sn: None,
        };
        assert!(!mismatch(&v, "out_trade_no", "T1", false));
        assert!(mismatch(&v, "out_trade_no", "T2", false));
        assert!(!mismatch(&v, "total_amount", "8.80", true));
        assert!(mismatch(&v, "total_amount", "8.81", true));
        assert!(!mismatch(&v, "absent", "x", false));
        assert!(!mismatch(&v, "e", "x", false));
        assert!(mismatch(&v, "n", "8.8", true));
    }

    #[test]
    fn auth_code_is_masked() {
        assert_eq!(mask_auth_code("281234567890123456"), "28************3456");
        assert_eq!(mask_auth_code("12345678"), "********");
        assert_eq!(mask_auth_code(""), "");
    }
}
