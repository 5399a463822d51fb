//! wasm-bindgen surface over `alipay-f2f-core`, for browsers, Deno, Bun and
//! workers: the binding surface of `.team/BINDING_API.md`, identical to the
//! Node-API addon (`bindings-node`): same names, argument order, JSON shapes
//! and error properties.
//!
//! Built by `scripts/build-wasm.sh` for `wasm32-unknown-unknown` and bound
//! with the wasm-bindgen CLI into `npm/wasm/web` (ES module, async init) and
//! `npm/wasm/node` (CommonJS, synchronous). The npm package never exposes
//! this glue directly: `npm/src/wasm-binding.ts` wraps it (argument checks,
//! lazy initialisation, trap recovery) and plugs it into the shared
//! TypeScript layer with `setBinding`.
//!
//! Thin and synchronous: every function converts its JavaScript arguments,
//! calls the core, and converts the result back. Structured values cross as
//! plain JS objects that are exactly the core's serde JSON.
//!
//! Errors: every core [`alipay_f2f_core::Error`] becomes a JS `Error` named
//! `AlipayError` with `code` and, when known, `field`, `gatewayCode`,
//! `gatewayMsg`, `subCode`, `subMsg`, `verified` ([`error::to_js`]).
//! Panics trap (`panic = "abort"` in the `release-wasm` profile); see
//! [`error`].

#![warn(missing_docs)]

mod convert;
pub mod error;
mod flow;
mod keys;
mod primitives;
mod signer;
mod verifier;

pub use flow::{BarcodePayFlow, RefundFlow};
pub use keys::{check_not_app_key, import_private_key, import_public_key, PrivateKey, PublicKey};
pub use primitives::{
    cert_sn, root_cert_sn, sign, sign_content, validate_auth_code, verify_notify, verify_response,
};
pub use signer::Signer;
pub use verifier::Verifier;
