//! `Signer`: the app-private-key half — builds signed gateway requests.

use std::collections::HashMap;

use alipay_f2f_core::args::{self, millis};
use alipay_f2f_core::Signer as CoreSigner;
use napi::bindgen_prelude::Uint8Array;
use napi::{Env, Unknown};
use napi_derive::napi;

use crate::args as arg;
use crate::error::guard;
use crate::keys::PrivateKey;

/// A signed gateway request, ready to send with `fetch`.
#[napi(object)]
pub struct SignedRequest {
    /// Full URL with the common parameters, `sign` and `charset` in the query.
    pub url: String,
    /// Always `POST`.
    pub method: String,
    /// Headers to send (`content-type` with the charset).
    pub headers: HashMap<String, String>,
    /// The form body, already encoded in the request charset.
    pub body: Uint8Array,
    /// The exact sign content that was signed (diagnostics).
    pub sign_content: String,
}

/// Holds the app private key and the request configuration; builds signed
/// requests. `config`: `{ appId, gateway?, signType?, charset?, appAuthToken?,
/// notifyUrl?, appCertSn?, alipayRootCertSn?, encryptKey? }`.
#[napi]
pub struct Signer {
    inner: CoreSigner,
}

#[napi]
impl Signer {
    /// Creates a signer. Throws `ERR_INVALID_ARGUMENT` (bad config),
    /// `ERR_KEY_SIZE` (key too small for the sign type), `ERR_KEY_FORMAT`
    /// (bad `encryptKey`).
    #[napi(
        constructor,
        ts_args_type = "config: { appId: string; gateway?: string; signType?: 'RSA2' | 'RSA'; charset?: 'utf-8' | 'gbk'; appAuthToken?: string; notifyUrl?: string; appCertSn?: string; alipayRootCertSn?: string; encryptKey?: string }, privateKey: PrivateKey"
    )]
    pub fn new(env: Env, config: Unknown, private_key: Unknown) -> napi::Result<Self> {
        guard(&env, || {
            let config = arg::json("config", config)?;
            let private_key = arg::class::<PrivateKey>("privateKey", "PrivateKey", &private_key)?;
            Ok(Signer {
                inner: args::signer(&config, private_key.inner.clone())?,
            })
        })
    }

    /// Builds and signs the request for `method` with `bizContent` (JSON
    /// object text, sent as given unless AES is on) at `nowMs` (epoch ms;
    /// the gateway timestamp is rendered in UTC+8).
    #[napi(ts_args_type = "method: string, bizContent: string, nowMs: number")]
    pub fn build_request(
        &self,
        env: Env,
        method: Unknown,
        biz_content: Unknown,
        now_ms: Unknown,
    ) -> napi::Result<SignedRequest> {
        guard(&env, || {
            let method = arg::string("method", method)?;
            let biz_content = arg::string("bizContent", biz_content)?;
            let now = millis("nowMs", arg::number("nowMs", now_ms)?)?;
            let r = self.inner.build_request(&method, &biz_content, now)?;
            Ok(SignedRequest {
                url: r.url,
                method: r.method.to_owned(),
                headers: r.headers.into_iter().collect(),
                body: Uint8Array::new(r.body),
                sign_content: r.sign_content,
            })
        })
    }
}
