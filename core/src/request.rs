//! Building signed gateway requests (protocol §1): common parameters,
//! `timestamp` in UTC+8, `biz_content`, empty values neither signed nor sent,
//! `charset` in the query string, form body in the request charset,
//! certificate-mode SNs, optional AES (encrypt, then sign).

use crate::aes::AesKey;
use crate::charset::Charset;
use crate::error::Result;
use crate::keys::PrivateKey;
use crate::sign::SignType;

/// The production gateway.
pub const DEFAULT_GATEWAY: &str = "https://openapi.alipay.com/gateway.do";

/// Everything a [`Signer`] needs besides the private key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerConfig {
    /// The APPID.
    pub app_id: String,
    /// Gateway URL (default [`DEFAULT_GATEWAY`]).
    pub gateway: String,
    /// `sign_type` (default RSA2).
    pub sign_type: SignType,
    /// Request charset (default UTF-8).
    pub charset: Charset,
    /// `app_auth_token` for ISVs acting for a merchant.
    pub app_auth_token: Option<String>,
    /// `notify_url` for asynchronous notifications.
    pub notify_url: Option<String>,
    /// Certificate mode: `app_cert_sn`.
    pub app_cert_sn: Option<String>,
    /// Certificate mode: `alipay_root_cert_sn`.
    pub alipay_root_cert_sn: Option<String>,
}

/// A ready HTTP request for the gateway. Performing it is the caller's job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// Full URL including the query string (common params, `sign`, `charset`).
    pub url: String,
    /// Always `POST`.
    pub method: &'static str,
    /// Headers to send (`content-type` with the charset).
    pub headers: Vec<(String, String)>,
    /// The form body (already encoded in the request charset).
    pub body: Vec<u8>,
    /// Every parameter as signed (decoded), for diagnostics; excludes `sign`.
    pub params: Vec<(String, String)>,
    /// The exact sign content that was signed.
    pub sign_content: String,
}

/// Holds the app private key and config; builds signed requests.
#[derive(Clone, Debug)]
pub struct Signer {
    _todo: (),
}

impl Signer {
    /// A signer. Checks the key suits `sign_type` (RSA2 needs ≥ 2048 bits).
    pub fn new(config: SignerConfig, key: PrivateKey, aes: Option<AesKey>) -> Result<Self> {
        todo!("{config:?}{key:?}{}", aes.is_some())
    }

    /// The config.
    pub fn config(&self) -> &SignerConfig {
        todo!()
    }

    /// Builds and signs a request for `method` with `biz_content` (a JSON
    /// object text, sent exactly as given unless AES-encrypted) at `now_ms`.
    pub fn build_request(
        &self,
        method: &str,
        biz_content: &str,
        now_ms: u64,
    ) -> Result<HttpRequest> {
        todo!("{method}{biz_content}{now_ms}")
    }
}
