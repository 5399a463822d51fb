//! Field validation with precise errors (protocol §8).

use crate::error::Result;

/// `out_trade_no` / `out_request_no`: 1..=64 chars of letters, digits, `_`.
pub fn out_trade_no(field: &str, value: &str) -> Result<()> {
    todo!("{field}{value}")
}

/// A yuan amount: decimal, at most 2 places, 0.01..=100000000.
pub fn amount(field: &str, value: &str) -> Result<()> {
    todo!("{field}{value}")
}

/// `subject`: non-empty, at most 256 characters.
pub fn subject(value: &str) -> Result<()> {
    todo!("{value}")
}

/// `timeout_express`: `1m`..`15d` in `m`/`h`/`d`, or `1c`; no decimals.
pub fn timeout_express(value: &str) -> Result<()> {
    todo!("{value}")
}

/// Result of the advisory payment-code check.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuthCodeCheck {
    /// Whether the code matches the documented shape.
    pub valid: bool,
    /// Why not, when it does not.
    pub reason: Option<String>,
}

/// Advisory check of a payment code (25–30 prefix, 16–24 digits; or a
/// `fp…` face code). Never refuses: the real code length governs.
pub fn auth_code(value: &str) -> AuthCodeCheck {
    todo!("{value}")
}
