//! Node-API addon over `alipay-f2f-core`: the binding surface documented in
//! `.team/BINDING_API.md`, mirrored 1:1 by `alipay-f2f-wasm`.
//!
//! Thin and synchronous: every function converts its JavaScript arguments,
//! calls the core, and converts the result back. No business logic lives
//! here. Structured data crosses the boundary as plain JS objects built from
//! `serde_json` values, so the same shapes come out of the wasm build.
//!
//! Errors: every core [`alipay_f2f_core::Error`] becomes a JS `Error` named
//! `AlipayError` with `code` (the stable `ERR_*` string) and, when known,
//! `field`, `gatewayCode`, `gatewayMsg`, `subCode`, `subMsg` — built by the one
//! function [`error::to_js`]. A Rust panic never unwinds into Node: every
//! entry point runs inside [`error::guard`], which turns a panic into
//! `ERR_INTERNAL`.

#![deny(clippy::all)]
#![warn(missing_docs)]

mod args;
mod convert;
mod error;
mod flow;
pub mod keys;
pub mod primitives;
mod signer;
mod verifier;

pub use flow::{BarcodePayFlow, RefundFlow};
pub use keys::{PrivateKey, PublicKey};
pub use signer::Signer;
pub use verifier::Verifier;
