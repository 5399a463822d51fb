//! The one error type of the SDK, with stable string codes.
//!
//! Every fallible operation of the core returns [`Error`]. Its [`ErrorCode`]
//! maps to a stable string (`ERR_*`) that the bindings expose as the `code`
//! property of the JavaScript `AlipayError`. Codes are part of the public
//! contract: never rename one, only add.
//!
//! Messages never contain key material: constructors take only
//! descriptions written by this crate, never the text of a key.

use std::fmt;

/// Stable classification of an [`Error`]. See [`ErrorCode::as_str`] for the
/// string each variant maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// A key could not be parsed: bad PEM armour, corrupt or truncated
    /// base64, a DER structure that is not a key. `ERR_KEY_FORMAT`.
    KeyFormat,
    /// A key of the wrong kind: a private key where a public key belongs or
    /// the reverse, or a non-RSA key. `ERR_KEY_KIND`.
    KeyKind,
    /// Keys that do not belong together, e.g. the app public key configured
    /// as the Alipay public key. `ERR_KEY_MISMATCH`.
    KeyMismatch,
    /// A key too small for the requested algorithm (RSA2 needs ≥ 2048 bits).
    /// `ERR_KEY_SIZE`.
    KeySize,
    /// A signature did not verify. `ERR_SIGNATURE`.
    Signature,
    /// The gateway answered without a signature (e.g. `isv.invalid-app-id`).
    /// Such an answer is never a success. `ERR_UNSIGNED_RESPONSE`.
    UnsignedResponse,
    /// The response body is not a well-formed gateway response: not JSON,
    /// truncated, empty, HTML, missing the `<method>_response` node.
    /// `ERR_RESPONSE_FORMAT`.
    ResponseFormat,
    /// The response carries the signed node more than once (a forgery
    /// attempt, protocol §2.2). `ERR_DUPLICATE_NODE`.
    DuplicateNode,
    /// An argument failed validation (amount, trade number, subject, ...).
    /// `ERR_INVALID_ARGUMENT`.
    InvalidArgument,
    /// Text cannot be represented in the requested charset (e.g. an emoji in
    /// a GBK request), or bytes are not valid in it. `ERR_CHARSET`.
    Charset,
    /// A certificate could not be parsed or used; an unknown `alipay_cert_sn`.
    /// `ERR_CERT`.
    Cert,
    /// AES encryption or decryption failed (bad key, bad padding, bad
    /// ciphertext). `ERR_DECRYPT`.
    Decrypt,
    /// A snapshot could not be resumed (corrupt, from an incompatible
    /// version, or for a different flow kind). `ERR_SNAPSHOT`.
    Snapshot,
    /// A flow was driven out of order (e.g. a response for a call that is not
    /// in flight). `ERR_FLOW_STATE`.
    FlowState,
    /// A verified gateway answer that is a business or gateway error
    /// (`code` other than `10000`), raised by one-shot calls. `ERR_GATEWAY`.
    Gateway,
    /// The HTTP exchange failed with a non-200 status. `ERR_HTTP`.
    Http,
    /// The transport failed (connection refused, reset, DNS). `ERR_NETWORK`.
    Network,
    /// A call did not complete in time. `ERR_TIMEOUT`.
    Timeout,
    /// The caller aborted the operation. `ERR_ABORTED`.
    Aborted,
    /// A bug or an unexpected condition inside the SDK (a caught panic).
    /// `ERR_INTERNAL`.
    Internal,
}

impl ErrorCode {
    /// The stable string code (`ERR_*`) of this classification.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::KeyFormat => "ERR_KEY_FORMAT",
            ErrorCode::KeyKind => "ERR_KEY_KIND",
            ErrorCode::KeyMismatch => "ERR_KEY_MISMATCH",
            ErrorCode::KeySize => "ERR_KEY_SIZE",
            ErrorCode::Signature => "ERR_SIGNATURE",
            ErrorCode::UnsignedResponse => "ERR_UNSIGNED_RESPONSE",
            ErrorCode::ResponseFormat => "ERR_RESPONSE_FORMAT",
            ErrorCode::DuplicateNode => "ERR_DUPLICATE_NODE",
            ErrorCode::InvalidArgument => "ERR_INVALID_ARGUMENT",
            ErrorCode::Charset => "ERR_CHARSET",
            ErrorCode::Cert => "ERR_CERT",
            ErrorCode::Decrypt => "ERR_DECRYPT",
            ErrorCode::Snapshot => "ERR_SNAPSHOT",
            ErrorCode::FlowState => "ERR_FLOW_STATE",
            ErrorCode::Gateway => "ERR_GATEWAY",
            ErrorCode::Http => "ERR_HTTP",
            ErrorCode::Network => "ERR_NETWORK",
            ErrorCode::Timeout => "ERR_TIMEOUT",
            ErrorCode::Aborted => "ERR_ABORTED",
            ErrorCode::Internal => "ERR_INTERNAL",
        }
    }

    /// Every code, for exhaustive tests and documentation tables.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::KeyFormat,
        ErrorCode::KeyKind,
        ErrorCode::KeyMismatch,
        ErrorCode::KeySize,
        ErrorCode::Signature,
        ErrorCode::UnsignedResponse,
        ErrorCode::ResponseFormat,
        ErrorCode::DuplicateNode,
        ErrorCode::InvalidArgument,
        ErrorCode::Charset,
        ErrorCode::Cert,
        ErrorCode::Decrypt,
        ErrorCode::Snapshot,
        ErrorCode::FlowState,
        ErrorCode::Gateway,
        ErrorCode::Http,
        ErrorCode::Network,
        ErrorCode::Timeout,
        ErrorCode::Aborted,
        ErrorCode::Internal,
    ];
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the gateway said, when an error comes from a gateway answer
/// (verified or not). All fields are copied from the response as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GatewayDetail {
    /// The gateway `code` (`40004`, `20000`, ...).
    pub code: Option<String>,
    /// The gateway `msg`.
    pub msg: Option<String>,
    /// The business `sub_code` (`ACQ.TRADE_NOT_EXIST`, `isv.invalid-app-id`, ...).
    pub sub_code: Option<String>,
    /// The business `sub_msg`, meant for the cashier's screen.
    pub sub_msg: Option<String>,
    /// Whether the gateway's signature over this answer was verified.
    pub verified: bool,
}

/// The error of every fallible operation in this crate.
///
/// `Display` gives a human message; [`Error::code`] the stable classification.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: String,
    field: Option<String>,
    gateway: Option<Box<GatewayDetail>>,
}

impl Error {
    /// A new error. `message` must not contain key material.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            field: None,
            gateway: None,
        }
    }

    /// An `ERR_INVALID_ARGUMENT` error naming the offending field.
    pub fn invalid_argument(field: &str, message: impl Into<String>) -> Self {
        Error::new(ErrorCode::InvalidArgument, message).with_field(field)
    }

    /// Attaches the name of the argument or field the error is about.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Attaches what the gateway answered.
    pub fn with_gateway(mut self, detail: GatewayDetail) -> Self {
        self.gateway = Some(Box::new(detail));
        self
    }

    /// The stable classification.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The human-readable message (no key material, ever).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The argument or field this error is about, if any.
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// What the gateway answered, when the error comes from an answer.
    pub fn gateway(&self) -> Option<&GatewayDetail> {
        self.gateway.as_deref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("code", &self.code.as_str())
            .field("message", &self.message);
        if let Some(field) = &self.field {
            d.field("field", field);
        }
        if let Some(g) = &self.gateway {
            d.field("gateway", g);
        }
        d.finish()
    }
}

impl std::error::Error for Error {}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_prefixed() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            assert!(c.as_str().starts_with("ERR_"));
            assert!(seen.insert(c.as_str()), "duplicate code {}", c);
        }
    }

    #[test]
    fn display_and_debug_carry_code_and_field() {
        let e = Error::invalid_argument("total_amount", "at most 2 decimals");
        assert_eq!(e.to_string(), "ERR_INVALID_ARGUMENT: at most 2 decimals");
        assert_eq!(e.field(), Some("total_amount"));
        assert!(format!("{e:?}").contains("total_amount"));
    }
}
