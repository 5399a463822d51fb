//! Timing and retry policies of the flows, validated up front.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Longest polling deadline allowed (the docs suggest about 60 s in total).
pub const MAX_WAIT_CAP_MS: u64 = 60_000;

/// Timing and retries of [`super::BarcodePay`]. JSON: camelCase, every field
/// optional (defaults below), unknown fields refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Policy {
    /// Interval between `alipay.trade.query` calls. Default 5000; 100..=30000.
    pub poll_interval_ms: u64,
    /// Polling deadline, counted from when the pay is sent: no query starts
    /// after it, and the cancel follows the last query immediately.
    /// Default 30000; 0..=60000.
    pub max_wait_ms: u64,
    /// Per-call timeout handed to the driver. Default 15000; 1000..=120000.
    pub call_timeout_ms: u64,
    /// Cancel retries after the first attempt (while `retry_flag=Y`, or on
    /// transport errors / unknown answers). Default 3; 0..=10.
    pub cancel_retries: u32,
    /// Interval between cancel attempts. Default 2000; 0..=60000.
    pub cancel_retry_interval_ms: u64,
    /// How many unanswered (unknown) queries the flow makes after an unknown
    /// pay result before it cancels, deadline permitting. Default 3; 1..=10.
    pub query_retries: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            poll_interval_ms: 5_000,
            max_wait_ms: 30_000,
            call_timeout_ms: 15_000,
            cancel_retries: 3,
            cancel_retry_interval_ms: 2_000,
            query_retries: 3,
        }
    }
}

fn range(field: &str, v: u64, lo: u64, hi: u64) -> Result<()> {
    if v < lo || v > hi {
        return Err(Error::invalid_argument(
            field,
            format!("{field} must be in {lo}..={hi}, got {v}"),
        ));
    }
    Ok(())
}

impl Policy {
    /// `ERR_INVALID_ARGUMENT` (naming the field) when a value is out of range.
    pub fn validate(&self) -> Result<()> {
        range("pollIntervalMs", self.poll_interval_ms, 100, 30_000)?;
        range("maxWaitMs", self.max_wait_ms, 0, MAX_WAIT_CAP_MS)?;
        range("callTimeoutMs", self.call_timeout_ms, 1_000, 120_000)?;
        range("cancelRetries", self.cancel_retries.into(), 0, 10)?;
        range(
            "cancelRetryIntervalMs",
            self.cancel_retry_interval_ms,
            0,
            60_000,
        )?;
        range("queryRetries", self.query_retries.into(), 1, 10)?;
        Ok(())
    }
}

/// Timing and retries of [`super::Refund`]. JSON: camelCase, every field
/// optional (defaults below), unknown fields refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct RefundPolicy {
    /// Per-call timeout. Default 15000; 1000..=120000.
    pub call_timeout_ms: u64,
    /// Refund retries (same `out_request_no` and amount) after the first
    /// attempt when the result is not proven. Default 2; 0..=10.
    pub refund_retries: u32,
    /// Delay between an unproven refund and its refund query (the docs
    /// advise querying some seconds after the refund). Default 10000; 0..=60000.
    pub query_delay_ms: u64,
    /// Delay between an unproven refund query and the refund retry.
    /// Default 2000; 0..=60000.
    pub retry_interval_ms: u64,
}

impl Default for RefundPolicy {
    fn default() -> Self {
        RefundPolicy {
            call_timeout_ms: 15_000,
            refund_retries: 2,
            query_delay_ms: 10_000,
            retry_interval_ms: 2_000,
        }
    }
}

impl RefundPolicy {
    /// `ERR_INVALID_ARGUMENT` (naming the field) when a value is out of range.
    pub fn validate(&self) -> Result<()> {
        range("callTimeoutMs", self.call_timeout_ms, 1_000, 120_000)?;
        range("refundRetries", self.refund_retries.into(), 0, 10)?;
        range("queryDelayMs", self.query_delay_ms, 0, 60_000)?;
        range("retryIntervalMs", self.retry_interval_ms, 0, 60_000)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn defaults_validate_and_parse_from_partial_json() {
        Policy::default().validate().unwrap();
        RefundPolicy::default().validate().unwrap();
        let p: Policy = serde_json::from_str(r#"{"pollIntervalMs":3000}"#).unwrap();
        assert_eq!(p.poll_interval_ms, 3000);
        assert_eq!(p.max_wait_ms, 30_000);
        assert!(serde_json::from_str::<Policy>(r#"{"pollInterval":3000}"#).is_err());
    }

    #[test]
    fn out_of_range_values_name_the_field() {
        let p = Policy {
            max_wait_ms: 60_001,
            ..Policy::default()
        };
        let e = p.validate().unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        assert_eq!(e.field(), Some("maxWaitMs"));
        let p = Policy {
            poll_interval_ms: 0,
            ..Policy::default()
        };
        assert_eq!(p.validate().unwrap_err().field(), Some("pollIntervalMs"));
        let r = RefundPolicy {
            refund_retries: 11,
            ..RefundPolicy::default()
        };
        assert_eq!(r.validate().unwrap_err().field(), Some("refundRetries"));
    }
}
