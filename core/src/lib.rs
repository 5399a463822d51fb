//! # alipay-f2f-core
//!
//! The pure, sans-IO core of the alipay-f2f SDK for Alipay face-to-face
//! barcode payments (当面付 条码支付) over the OpenAPI v2 gateway.
//!
//! No I/O, no clock, no randomness of its own: the current time
//! (`now_ms`, epoch milliseconds) and entropy are arguments, so the same code
//! runs natively, in a Node-API addon and on `wasm32-unknown-unknown`.
//!
//! Layers, bottom-up:
//! - [`keys`]: app private keys and Alipay public keys in every format users paste.
//! - [`charset`], [`sign`]: the sign content and RSA2/RSA signatures (UTF-8 and GBK).
//! - [`time`], [`form`], [`request`]: signed gateway requests ([`request::Signer`]).
//! - [`response`]: verification of gateway answers over the exact raw substring.
//! - [`notify`]: verification of asynchronous notifications.
//! - [`cert`], [`aes`]: certificate mode and AES content encryption.
//! - [`validate`], [`model`]: field validation and typed responses.
//! - [`flow`]: the barcode payment and refund state machines.
//! - [`args`]: argument checking shared by the JavaScript bindings.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod aes;
pub mod args;
pub mod cert;
pub mod charset;
pub(crate) mod crypto;
#[cfg(feature = "vartime-verify")]
mod crypto_vartime;
pub mod error;
pub mod flow;
pub mod form;
pub mod keys;
pub mod model;
pub mod notify;
pub mod request;
pub mod response;
pub mod sign;
pub mod time;
pub mod validate;

pub use charset::Charset;
pub use error::{Error, ErrorCode, GatewayDetail, Result};
pub use flow::{BarcodePay, Flow, Refund};
pub use keys::{PrivateKey, PublicKey};
pub use request::{HttpRequest, Signer, SignerConfig};
pub use response::{VerifiedResponse, Verifier};
pub use sign::SignType;
