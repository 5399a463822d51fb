//! Sans-IO payment flows: [`BarcodePay`] (charge a buyer's payment code and
//! bring the trade to a closed loop) and [`Refund`] (idempotent refund).
//!
//! The machines follow the quinn-proto / str0m shape: `handle_*` methods take
//! input (a call's raw response text, a transport error, the cashier's
//! abort), [`BarcodePay::poll`] gives the next [`Action`]. Time is an
//! argument (`now_ms`, epoch milliseconds); nothing blocks and nothing reads a
//! clock. The flow never signs: each [`ApiCall`] is signed and sent (direct
//! deployment) or forwarded to a backend (forwarded deployment) by the
//! driver, which feeds Alipay's raw answer back. The flow verifies every
//! answer itself with its [`crate::Verifier`], so a backend cannot fake a
//! payment result.
//!
//! A driver loop:
//!
//! ```text
//! loop { match flow.poll(now()) {
//!     Action::Call(c)  => perform c (timeout c.timeout_ms), then
//!                         flow.handle_response(c.id, &text, now()) or
//!                         flow.handle_transport_error(c.id, err, now()),
//!     Action::Wait { until_ms } => sleep until then (call flow.abort(now()) on a cashier abort),
//!     Action::Event(e) => show / log e,
//!     Action::Done(o)  => return o,
//! } }
//! ```
//!
//! Crash safety: persist [`BarcodePay::snapshot`] after every `poll` and
//! before performing a returned call. [`BarcodePay::resume`] never sends a
//! pay again: a call whose answer was lost is treated as unknown (the trade
//! is queried, then cancelled if not proven paid).

mod action;
mod barcode;
mod driven;
mod outcome;
mod policy;
mod refund;
mod snapshot;
mod tagged;
mod util;

pub use action::{Action, ApiCall, CallId, Event, TransportError};
pub use barcode::{BarcodePay, PayOrder};
pub use driven::Flow;
pub use outcome::{
    CallRecord, CallResult, CancelAction, CancelReason, FailReason, FundBill, Outcome,
    UnknownReason,
};
pub use policy::{Policy, RefundPolicy};
pub use refund::{Refund, RefundOrder};

/// `alipay.trade.pay`.
pub const METHOD_PAY: &str = "alipay.trade.pay";
/// `alipay.trade.query`.
pub const METHOD_QUERY: &str = "alipay.trade.query";
/// `alipay.trade.cancel`.
pub const METHOD_CANCEL: &str = "alipay.trade.cancel";
/// `alipay.trade.refund`.
pub const METHOD_REFUND: &str = "alipay.trade.refund";
/// `alipay.trade.fastpay.refund.query`.
pub const METHOD_REFUND_QUERY: &str = "alipay.trade.fastpay.refund.query";
