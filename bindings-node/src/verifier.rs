//! `Verifier`: the Alipay-public-key half — verifies gateway answers.

use alipay_f2f_core::{args, Verifier as CoreVerifier};
use napi::{Env, Unknown};
use napi_derive::napi;

use crate::args as arg;
use crate::convert::parse_json_text;
use crate::error::guard;
use crate::keys::PublicKey;

/// Verifies gateway answers with the Alipay public key (or certificates, in
/// certificate mode), optionally decrypting AES-encrypted nodes. Flows take
/// a `Verifier`. `opts`: `{ signType?, encryptKey?, charset? }` (`charset`:
/// of the requests answered, default utf-8; the gateway signs answers in it).
#[napi]
pub struct Verifier {
    pub(crate) inner: CoreVerifier,
}

#[napi]
impl Verifier {
    /// Creates a verifier for `alipayPublicKey` (import a certificate with
    /// `importPublicKey` in certificate mode, then `addCert` it).
    #[napi(
        constructor,
        ts_args_type = "alipayPublicKey: PublicKey, opts?: { signType?: 'RSA2' | 'RSA'; encryptKey?: string; charset?: 'utf-8' | 'gbk' } | null"
    )]
    pub fn new(env: Env, alipay_public_key: Unknown, opts: Option<Unknown>) -> napi::Result<Self> {
        guard(&env, || {
            let alipay_public_key =
                arg::class::<PublicKey>("alipayPublicKey", "PublicKey", &alipay_public_key)?;
            let opts = arg::opt_json("opts", opts)?;
            Ok(Verifier {
                inner: args::verifier(alipay_public_key.inner.clone(), opts.as_ref())?,
            })
        })
    }

    /// Certificate mode: registers an Alipay public-key certificate; answers
    /// whose `alipay_cert_sn` equals its SN are checked with its key.
    /// Returns the SN. Throws `ERR_CERT`.
    #[napi(ts_args_type = "certPem: string")]
    pub fn add_cert(&mut self, env: Env, cert_pem: Unknown) -> napi::Result<String> {
        guard(&env, || {
            self.inner.add_cert(&arg::string("certPem", cert_pem)?)
        })
    }

    /// Verifies a response body for `method`; returns the verified
    /// `<method>_response` object (decrypted when encrypted).
    #[napi(
        ts_args_type = "body: string, method: string",
        ts_return_type = "Record<string, unknown>"
    )]
    pub fn verify(
        &self,
        env: Env,
        body: Unknown,
        method: Unknown,
    ) -> napi::Result<napi::Unknown<'static>> {
        let text = guard(&env, || {
            let body = arg::string("body", body)?;
            let method = arg::string("method", method)?;
            Ok(self.inner.verify_json(&body, &method)?.into_owned())
        })?;
        parse_json_text(&env, text)
    }
}
