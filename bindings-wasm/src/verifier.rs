//! `Verifier`: the Alipay-public-key half — verifies gateway answers.

use alipay_f2f_core::{args, Verifier as CoreVerifier};
use wasm_bindgen::prelude::*;

use crate::convert::{json, parse_js, str_arg};
use crate::error::guard;
use crate::keys::PublicKey;

/// Verifies gateway answers with the Alipay public key (or certificates, in
/// certificate mode), optionally decrypting AES-encrypted nodes. Flows take
/// a `Verifier`. `opts`: `{ signType?, encryptKey?, charset? }` (`charset`:
/// of the requests answered, default utf-8; the gateway signs answers in it).
#[wasm_bindgen]
pub struct Verifier {
    pub(crate) inner: CoreVerifier,
}

#[wasm_bindgen]
impl Verifier {
    /// Creates a verifier for `alipayPublicKey` (import a certificate with
    /// `importPublicKey` in certificate mode, then `addCert` it).
    #[wasm_bindgen(constructor)]
    pub fn new(alipay_public_key: &PublicKey, opts: JsValue) -> Result<Verifier, JsValue> {
        guard(|| {
            let opts = json("opts", opts)?;
            Ok(Verifier {
                inner: args::verifier(alipay_public_key.inner.clone(), Some(&opts))?,
            })
        })
    }

    /// Certificate mode: registers an Alipay public-key certificate; answers
    /// whose `alipay_cert_sn` equals its SN are checked with its key.
    /// Returns the SN. Throws `ERR_CERT`.
    #[wasm_bindgen(js_name = addCert)]
    pub fn add_cert(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] cert_pem: JsValue,
    ) -> Result<String, JsValue> {
        guard(|| self.inner.add_cert(&str_arg("certPem", &cert_pem)?))
    }

    /// Verifies a response body for `method`; returns the verified
    /// `<method>_response` object (decrypted when encrypted).
    pub fn verify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] body: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] method: JsValue,
    ) -> Result<JsValue, JsValue> {
        guard(|| {
            let (body, method) = (str_arg("body", &body)?, str_arg("method", &method)?);
            parse_js(&self.inner.verify_json(&body, &method)?)
        })
    }
}
