//! Field validation with precise errors (protocol §8).
//!
//! Every refusal is `ERR_INVALID_ARGUMENT` with [`crate::Error::field`] set
//! to the field name and a message saying what is wrong. Decisions:
//! - `out_trade_no` / `out_request_no`: 1..=64 characters of ASCII letters,
//!   digits and `_`, as documented ("仅支持字母、数字、下划线"); anything else
//!   (`-`, spaces, non-ASCII) is refused.
//! - amounts are canonical decimal strings: `0` or no leading zero before
//!   the point (`01.00` refused), at most 2 decimals, a point must have digits
//!   on both sides (`1.` and `.5` refused), no sign, no exponent, no
//!   whitespace, in `[0.01, 100000000]`.
//! - `subject`: not blank, at most 256 characters (Unicode scalar values).
//!   The doc's advice against `/ = &` is not enforced (the gateway accepts
//!   them; they are signed raw and URL-encoded on the wire).
//! - `timeout_express`: `<n>m` (1..=21600), `<n>h` (1..=360), `<n>d`
//!   (1..=15) with no leading zero and no decimals, or exactly `1c`.
//! - `auth_code` is advisory only ([`auth_code`] never refuses).

use crate::error::{Error, Result};

/// Upper bound of a yuan amount, in cents (100000000.00).
pub const MAX_AMOUNT_CENTS: u64 = 10_000_000_000;

/// `out_trade_no` / `out_request_no`: 1..=64 chars of letters, digits, `_`.
pub fn out_trade_no(field: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid_argument(
            field,
            format!("{field} is required"),
        ));
    }
    let len = value.chars().count();
    if len > 64 {
        return Err(Error::invalid_argument(
            field,
            format!("{field} is {len} characters long, at most 64 are allowed"),
        ));
    }
    if let Some(c) = value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        return Err(Error::invalid_argument(
            field,
            format!("{field} contains {c:?}; only letters, digits and '_' are allowed"),
        ));
    }
    Ok(())
}

/// A yuan amount: decimal, at most 2 places, 0.01..=100000000.
pub fn amount(field: &str, value: &str) -> Result<()> {
    amount_cents(field, value).map(|_| ())
}

/// Validates a yuan amount like [`amount`] and returns it in cents.
pub fn amount_cents(field: &str, value: &str) -> Result<u64> {
    let bad = |why: &str| {
        Error::invalid_argument(
            field,
            format!("{field} {value:?} is not a valid amount: {why}"),
        )
    };
    if value.is_empty() {
        return Err(Error::invalid_argument(
            field,
            format!("{field} is required"),
        ));
    }
    if value.starts_with('+') || value.starts_with('-') {
        return Err(bad("no sign allowed, write e.g. \"12.50\""));
    }
    let (int, frac) = match value.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (value, None),
    };
    if int.is_empty() {
        return Err(bad("digits are required before the decimal point"));
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(
            "only digits and one decimal point are allowed (yuan, e.g. \"12.50\")",
        ));
    }
    if int.len() > 1 && int.starts_with('0') {
        return Err(bad("leading zeros are not allowed"));
    }
    let frac = match frac {
        None => "",
        Some("") => return Err(bad("digits are required after the decimal point")),
        Some(f) if !f.bytes().all(|b| b.is_ascii_digit()) => {
            return Err(bad(
                "only digits and one decimal point are allowed (yuan, e.g. \"12.50\")",
            ))
        }
        Some(f) if f.len() > 2 => return Err(bad("at most 2 decimal places are allowed")),
        Some(f) => f,
    };
    if int.len() > 9 {
        return Err(bad("must be at most 100000000"));
    }
    let yuan: u64 = int.parse().map_err(|_| bad("not a number"))?;
    let cents_part: u64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<u64>().map_err(|_| bad("not a number"))? * 10,
        _ => frac.parse::<u64>().map_err(|_| bad("not a number"))?,
    };
    let cents = yuan * 100 + cents_part;
    if cents == 0 {
        return Err(bad("must be at least 0.01"));
    }
    if cents > MAX_AMOUNT_CENTS {
        return Err(bad("must be at most 100000000"));
    }
    Ok(cents)
}

/// Formats cents as a yuan amount with two decimals (`1234` → `"12.34"`).
pub fn format_cents(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// `subject`: non-empty, at most 256 characters.
pub fn subject(value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid_argument("subject", "subject is required"));
    }
    max_chars("subject", value, 256)
}

/// Generic length check: at most `max` characters (Unicode scalar values).
pub fn max_chars(field: &str, value: &str, max: usize) -> Result<()> {
    let len = value.chars().count();
    if len > max {
        return Err(Error::invalid_argument(
            field,
            format!("{field} is {len} characters long, at most {max} are allowed"),
        ));
    }
    Ok(())
}

/// `timeout_express`: `1m`..`15d` in `m`/`h`/`d`, or `1c`; no decimals.
pub fn timeout_express(value: &str) -> Result<()> {
    const FIELD: &str = "timeout_express";
    let bad = |why: &str| {
        Error::invalid_argument(
            FIELD,
            format!("timeout_express {value:?} is not valid: {why}"),
        )
    };
    if value == "1c" {
        return Ok(());
    }
    let Some(unit) = value.chars().last() else {
        return Err(Error::invalid_argument(FIELD, "timeout_express is empty"));
    };
    let max = match unit {
        'm' => 15 * 24 * 60,
        'h' => 15 * 24,
        'd' => 15,
        'c' => return Err(bad("only \"1c\" (end of today) is allowed with unit c")),
        _ => {
            return Err(bad(
                "expected a number followed by m, h or d (e.g. \"5m\"), or \"1c\"",
            ))
        }
    };
    let digits = &value[..value.len() - unit.len_utf8()];
    if digits.contains('.') {
        return Err(bad("no decimals allowed (write 90m instead of 1.5h)"));
    }
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("expected a whole number before the unit"));
    }
    if digits.starts_with('0') {
        return Err(bad("must be at least 1 and without leading zeros"));
    }
    let n: u64 = if digits.len() > 6 {
        u64::MAX
    } else {
        digits.parse().map_err(|_| bad("not a number"))?
    };
    if n > max {
        return Err(bad("the maximum is 15 days (15d, 360h or 21600m)"));
    }
    Ok(())
}

/// Result of the advisory payment-code check.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuthCodeCheck {
    /// Whether the code matches the documented shape.
    pub valid: bool,
    /// Why not, when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Advisory check of a payment code (25–30 prefix, 16–24 digits; or a
/// `fp…` face code). Never refuses: the real code length governs.
///
/// Valid shapes: `^(2[5-9]|30)\d{14,22}$` (payment code), or `fp` followed
/// by ASCII letters/digits with a total length of 35 to 37 (face code; the
/// docs say "fp + 35 chars" and "35-char", so both readings pass).
pub fn auth_code(value: &str) -> AuthCodeCheck {
    let invalid = |reason: String| AuthCodeCheck {
        valid: false,
        reason: Some(reason),
    };
    if value.is_empty() {
        return invalid("the payment code is empty".into());
    }
    if value.trim() != value {
        return invalid(
            "the payment code has surrounding whitespace (a scanner suffix such as CR/LF?)".into(),
        );
    }
    if let Some(rest) = value.strip_prefix("fp") {
        let len = value.chars().count();
        if !rest.chars().all(|c| c.is_ascii_alphanumeric()) {
            return invalid("a face code (fp…) has only letters and digits".into());
        }
        if !(35..=37).contains(&len) {
            return invalid(format!(
                "a face code (fp…) is about 35 characters long, this one has {len}"
            ));
        }
        return AuthCodeCheck {
            valid: true,
            reason: None,
        };
    }
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return invalid("a payment code has only digits".into());
    }
    let prefix: u32 = value.get(..2).and_then(|p| p.parse().ok()).unwrap_or(0);
    if !(25..=30).contains(&prefix) {
        return invalid("an Alipay payment code starts with 25 to 30".into());
    }
    let len = value.len();
    if !(16..=24).contains(&len) {
        return invalid(format!(
            "an Alipay payment code has 16 to 24 digits, this one has {len}"
        ));
    }
    AuthCodeCheck {
        valid: true,
        reason: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn refused(r: Result<()>, field: &str) -> String {
        let e = r.unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        assert_eq!(e.field(), Some(field));
        e.message().to_string()
    }

    #[test]
    fn trade_numbers() {
        for ok in ["a", "20240102150405001", "A_b_9", &"x".repeat(64)] {
            out_trade_no("out_trade_no", ok).unwrap();
        }
        assert!(refused(out_trade_no("out_trade_no", ""), "out_trade_no").contains("required"));
        assert!(refused(
            out_trade_no("out_request_no", &"x".repeat(65)),
            "out_request_no"
        )
        .contains("65"));
        for bad in ["a-b", "a b", "订单1", "a\n", "a.b"] {
            refused(out_trade_no("out_trade_no", bad), "out_trade_no");
        }
    }

    #[test]
    fn amounts() {
        for (ok, cents) in [
            ("0.01", 1),
            ("1", 100),
            ("1.5", 150),
            ("12.34", 1234),
            ("0.10", 10),
            ("100000000", MAX_AMOUNT_CENTS),
            ("100000000.00", MAX_AMOUNT_CENTS),
            ("99999999.99", MAX_AMOUNT_CENTS - 1),
        ] {
            assert_eq!(amount_cents("total_amount", ok).unwrap(), cents, "{ok}");
            amount("total_amount", ok).unwrap();
        }
        for bad in [
            "",
            "0",
            "0.00",
            "0.001",
            "1.234",
            "-1",
            "+1",
            "1e2",
            "1E2",
            "01.00",
            "00",
            "1.",
            ".5",
            " 1",
            "1 ",
            "1,00",
            "100000000.01",
            "100000001",
            "9999999999",
            "1.2.3",
            "１",
            "NaN",
            "inf",
            "0x10",
            "99999999999999999999999",
        ] {
            refused(amount("refund_amount", bad), "refund_amount");
        }
        assert!(refused(amount("a", "1.234"), "a").contains("2 decimal"));
        assert!(refused(amount("a", "01"), "a").contains("leading zero"));
        assert!(refused(amount("a", "0.00"), "a").contains("0.01"));
        assert_eq!(format_cents(1), "0.01");
        assert_eq!(format_cents(123456), "1234.56");
    }

    #[test]
    fn subjects() {
        subject("测试商品 A&B=1").unwrap();
        subject(&"好".repeat(256)).unwrap();
        refused(subject(""), "subject");
        refused(subject("   "), "subject");
        assert!(refused(subject(&"好".repeat(257)), "subject").contains("257"));
    }

    #[test]
    fn timeouts() {
        for ok in ["1m", "90m", "21600m", "1h", "360h", "1d", "15d", "1c", "3h"] {
            timeout_express(ok).unwrap();
        }
        for bad in [
            "",
            "0m",
            "01m",
            "1.5h",
            "16d",
            "361h",
            "21601m",
            "2c",
            "1",
            "m",
            "1s",
            "-1m",
            "1 m",
            "1M",
            "9999999999999999999999d",
            "一m",
        ] {
            refused(timeout_express(bad), "timeout_express");
        }
        assert!(refused(timeout_express("1.5h"), "timeout_express").contains("90m"));
    }

    #[test]
    fn auth_codes_are_advisory() {
        for ok in [
            "2800000000000000",
            "28763443825664394",
            "300000000000000000000000",
            "250000000000000000",
            &format!("fp{}", "a1".repeat(16) + "b"),
        ] {
            assert_eq!(
                auth_code(ok),
                AuthCodeCheck {
                    valid: true,
                    reason: None
                },
                "{ok}"
            );
        }
        for bad in [
            "",
            " 2876344382566439",
            "2876344382566439\r\n",
            "1876344382566439",
            "3176344382566439",
            "287634438256643",
            "2876344382566439123456789",
            "28763443825664a9",
            "fp123",
            "fp-----------------------------------",
        ] {
            let c = auth_code(bad);
            assert!(!c.valid, "{bad:?}");
            assert!(c.reason.is_some_and(|r| !r.is_empty()));
        }
        let json = serde_json::to_string(&auth_code("2800000000000000")).unwrap();
        assert_eq!(json, r#"{"valid":true}"#);
    }
}
