//! # alipay-f2f-sandbox
//!
//! An offline Alipay OpenAPI v2 gateway for face-to-face barcode payments,
//! for tests and demos of alipay-f2f.
//!
//! - [`Gateway`] is sans-IO: `handle(request, now_ms) -> response`. It
//!   verifies request signatures with the registered app public keys, signs
//!   its answers with its own sandbox "Alipay" key, keeps real trade state
//!   (pay, query, cancel, close, refund, refund query), plays scenarios
//!   chosen by the payment code ([`scenario`]) and injects faults.
//! - [`server`] serves a gateway over HTTP/1.1 on 127.0.0.1 (tokio + hyper)
//!   and carries out delays and transport faults.
//! - The binary `alipay-f2f-sandbox` wraps the server with the CLI of the
//!   design contract (see [`cli`]).
//!
//! ```
//! use alipay_f2f_core::{PrivateKey, PublicKey, SignType, Signer, SignerConfig, Verifier};
//! use alipay_f2f_sandbox::{Gateway, GatewayRequest, DEMO_APP_ID, DEMO_APP_PRIVATE_KEY_PEM};
//!
//! let mut gateway = Gateway::with_demo_app()?;
//! let now_ms = 1_704_179_045_000; // the caller's clock
//! let signer = Signer::new(
//!     SignerConfig::new(DEMO_APP_ID),
//!     PrivateKey::parse(DEMO_APP_PRIVATE_KEY_PEM)?,
//!     None,
//! )?;
//! let biz = r#"{"out_trade_no":"T1","scene":"bar_code","auth_code":"280000000000000001","subject":"tea","total_amount":"8.80"}"#;
//! let req = signer.build_request("alipay.trade.pay", biz, now_ms)?;
//! let (path, query) = req.url.trim_start_matches("https://openapi.alipay.com").split_once('?').unwrap();
//! let resp = gateway.handle(
//!     GatewayRequest {
//!         method: "POST".into(),
//!         path: path.into(),
//!         query: query.into(),
//!         headers: req.headers,
//!         body: req.body,
//!     },
//!     now_ms,
//! );
//! assert_eq!((resp.status, resp.delay_ms, resp.fault), (200, 0, None));
//! let alipay_key = PublicKey::parse(gateway.alipay_public_key_pem())?;
//! let answer = Verifier::new(alipay_key, SignType::Rsa2)
//!     .verify(std::str::from_utf8(&resp.body).unwrap(), "alipay.trade.pay")?;
//! assert_eq!(answer.code(), "10000");
//! assert_eq!(answer.get_str("total_amount"), Some("8.80"));
//! # Ok::<(), alipay_f2f_core::Error>(())
//! ```
//!
//! The keys in this crate (`keys/`) are **public test keys**, committed on
//! purpose so demos are reproducible. Never use them for anything real.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cli;
pub mod gateway;
pub mod money;
pub mod scenario;
pub mod server;
pub mod trade;

pub use gateway::{Gateway, GatewayConfig, GatewayRequest, GatewayResponse};
pub use scenario::{plan_for_auth_code, CodePlan, Fault, Scenario};
pub use server::SandboxServer;

/// App id of the built-in demo app, accepted when no `--app` is given.
pub const DEMO_APP_ID: &str = "2021000000000001";

/// Private key (PKCS#8 PEM, RSA 2048) of the demo app. A **public test
/// key**: anyone can sign requests with it; it only works with the sandbox.
/// Also at `sandbox/keys/demo-app-private-key.pem`.
pub const DEMO_APP_PRIVATE_KEY_PEM: &str = include_str!("../keys/demo-app-private-key.pem");

/// Public key (SPKI PEM) of the demo app, registered by default.
pub const DEMO_APP_PUBLIC_KEY_PEM: &str = include_str!("../keys/demo-app-public-key.pem");

/// Path of the demo app private key in the source tree.
pub const DEMO_APP_PRIVATE_KEY_PATH: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/keys/demo-app-private-key.pem");

/// The sandbox "Alipay" public key (SPKI PEM) that verifies every signed
/// answer of the sandbox. Printed in the ready line.
pub const SANDBOX_ALIPAY_PUBLIC_KEY_PEM: &str =
    include_str!("../keys/sandbox-alipay-public-key.pem");

/// The sandbox "Alipay" private key: a public test key, used only to sign
/// sandbox answers.
pub(crate) const SANDBOX_ALIPAY_PRIVATE_KEY_PEM: &str =
    include_str!("../keys/sandbox-alipay-private-key.pem");

/// The sandbox "Alipay" public-key certificate (certificate mode), issued by
/// [`SANDBOX_ROOT_CERT_PEM`]. Its SN is [`SANDBOX_ALIPAY_CERT_SN`].
pub const SANDBOX_ALIPAY_CERT_PEM: &str = include_str!("../keys/sandbox-alipay-cert.crt");

/// The sandbox root certificate (the `alipayRootCert.crt` of the sandbox).
pub const SANDBOX_ROOT_CERT_PEM: &str = include_str!("../keys/sandbox-root-ca.crt");

/// `alipay_cert_sn` of [`SANDBOX_ALIPAY_CERT_PEM`], sent in certificate-mode
/// answers (MD5 of `CN=alipay-f2f Sandbox Root CA,OU=Certification
/// Authority,O=alipay-f2f sandbox,C=CN` + `4242`).
pub const SANDBOX_ALIPAY_CERT_SN: &str = "1ed8aa45dfe06477376da311d7c26aee";

/// `alipay_root_cert_sn` of [`SANDBOX_ROOT_CERT_PEM`].
pub const SANDBOX_ROOT_CERT_SN: &str = "c387a1cb5edd34a49213f8015343ffb3";
