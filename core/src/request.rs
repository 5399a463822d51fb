//! Building signed gateway requests (protocol §1): common parameters,
//! `timestamp` in UTC+8, `biz_content`, empty values neither signed nor sent,
//! `charset` in the query string, form body in the request charset,
//! certificate-mode SNs, optional AES (encrypt, then sign).
//!
//! Placement follows the java SDK: the common parameters and `sign` go in
//! the URL query string (so `charset` is always there, as the gateway
//! requires), `biz_content` and `app_auth_token` in the form body. The
//! gateway verifies over both, so placement does not change the signature.

use crate::aes::AesKey;
use crate::charset::Charset;
use crate::error::{Error, Result};
use crate::form;
use crate::keys::PrivateKey;
use crate::sign::{self, SignType};
use crate::time::format_timestamp;

/// The production gateway.
pub const DEFAULT_GATEWAY: &str = "https://openapi.alipay.com/gateway.do";

/// Everything a [`Signer`] needs besides the private key.
///
/// `Debug` redacts `app_auth_token` (a bearer credential of the merchant).
#[derive(Clone, PartialEq, Eq)]
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

impl std::fmt::Debug for SignerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignerConfig")
            .field("app_id", &self.app_id)
            .field("gateway", &self.gateway)
            .field("sign_type", &self.sign_type)
            .field("charset", &self.charset)
            .field(
                "app_auth_token",
                &self.app_auth_token.as_ref().map(|_| "<redacted>"),
            )
            .field("notify_url", &self.notify_url)
            .field("app_cert_sn", &self.app_cert_sn)
            .field("alipay_root_cert_sn", &self.alipay_root_cert_sn)
            .finish()
    }
}

impl SignerConfig {
    /// A config for `app_id` with every default: production gateway, RSA2,
    /// UTF-8, no notify URL, no app auth token, public-key mode.
    pub fn new(app_id: impl Into<String>) -> Self {
        SignerConfig {
            app_id: app_id.into(),
            gateway: DEFAULT_GATEWAY.to_string(),
            sign_type: SignType::Rsa2,
            charset: Charset::Utf8,
            app_auth_token: None,
            notify_url: None,
            app_cert_sn: None,
            alipay_root_cert_sn: None,
        }
    }
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
    /// Every parameter as signed (decoded, sorted by key), for diagnostics;
    /// excludes `sign`.
    pub params: Vec<(String, String)>,
    /// The exact sign content that was signed.
    pub sign_content: String,
}

/// Names of the parameters sent in the URL query string, in java's order.
/// Everything else (`biz_content`, `app_auth_token`) goes in the body.
const QUERY_ORDER: &[&str] = &[
    "method",
    "version",
    "app_id",
    "sign_type",
    "notify_url",
    "charset",
    "encrypt_type",
    "app_cert_sn",
    "alipay_root_cert_sn",
    "timestamp",
    "sign",
    "format",
];

/// Holds the app private key and config; builds signed requests.
#[derive(Clone, Debug)]
pub struct Signer {
    config: SignerConfig,
    key: PrivateKey,
    aes: Option<AesKey>,
}

fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

impl Signer {
    /// A signer. Checks the key suits `sign_type` (RSA2 needs ≥ 2048 bits,
    /// `ERR_KEY_SIZE`), that `app_id` is non-empty and the gateway URL is an
    /// `http(s)://` URL without a fragment (`ERR_INVALID_ARGUMENT`), and that
    /// the configured values are encodable in the charset (`ERR_CHARSET`).
    pub fn new(config: SignerConfig, key: PrivateKey, aes: Option<AesKey>) -> Result<Self> {
        key.check_size(config.sign_type)?;
        if config.app_id.trim().is_empty() {
            return Err(Error::invalid_argument("app_id", "app_id is required"));
        }
        if config
            .app_id
            .chars()
            .any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(Error::invalid_argument(
                "app_id",
                "app_id must not contain whitespace or control characters",
            ));
        }
        let g = config.gateway.as_str();
        if !(g.starts_with("https://") || g.starts_with("http://"))
            || g.contains('#')
            || g.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(Error::invalid_argument(
                "gateway",
                "gateway must be an http(s) URL such as https://openapi.alipay.com/gateway.do",
            ));
        }
        for v in [
            Some(&config.app_id),
            config.app_auth_token.as_ref(),
            config.notify_url.as_ref(),
            config.app_cert_sn.as_ref(),
            config.alipay_root_cert_sn.as_ref(),
        ]
        .into_iter()
        .flatten()
        {
            config.charset.encode(v)?;
        }
        Ok(Signer { config, key, aes })
    }

    /// The config.
    pub fn config(&self) -> &SignerConfig {
        &self.config
    }

    /// Whether requests are AES-encrypted (`encrypt_type=AES`).
    pub fn encrypts(&self) -> bool {
        self.aes.is_some()
    }

    /// Builds and signs a request for `method` with `biz_content` (a JSON
    /// object text, sent exactly as given unless AES-encrypted) at `now_ms`.
    ///
    /// Errors: `ERR_INVALID_ARGUMENT` if `method` is empty or not printable
    /// ASCII, or `biz_content` is not a JSON object; `ERR_CHARSET` if a
    /// value cannot be encoded in the request charset.
    pub fn build_request(
        &self,
        method: &str,
        biz_content: &str,
        now_ms: u64,
    ) -> Result<HttpRequest> {
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::invalid_argument(
                "method",
                "method must be a non-empty ASCII API name such as alipay.trade.pay",
            ));
        }
        if !biz_content.trim_start().starts_with('{')
            || serde_json::from_str::<serde::de::IgnoredAny>(biz_content).is_err()
        {
            return Err(Error::invalid_argument(
                "biz_content",
                "biz_content must be a JSON object",
            ));
        }
        let cfg = &self.config;
        let charset = cfg.charset;
        let biz = match &self.aes {
            Some(aes) => aes.encrypt(&charset.encode(biz_content)?),
            None => biz_content.to_string(),
        };
        let timestamp = format_timestamp(now_ms);

        let mut params: Vec<(&str, &str)> = vec![
            ("app_id", cfg.app_id.as_str()),
            ("method", method),
            ("format", "json"),
            ("charset", charset.as_str()),
            ("sign_type", cfg.sign_type.as_str()),
            ("timestamp", timestamp.as_str()),
            ("version", "1.0"),
            ("biz_content", biz.as_str()),
        ];
        let optional = [
            ("notify_url", non_empty(&cfg.notify_url)),
            ("app_auth_token", non_empty(&cfg.app_auth_token)),
            ("app_cert_sn", non_empty(&cfg.app_cert_sn)),
            ("alipay_root_cert_sn", non_empty(&cfg.alipay_root_cert_sn)),
            ("encrypt_type", self.aes.as_ref().map(|_| "AES")),
        ];
        params.extend(optional.iter().filter_map(|(k, v)| v.map(|v| (*k, v))));
        params.retain(|(_, v)| !v.is_empty());
        params.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));

        let sign_content = sign::sign_content(params.iter().copied());
        let sign = sign::sign_content_base64(&sign_content, &self.key, cfg.sign_type, charset)?;

        let lookup = |name: &str| -> Option<&str> {
            if name == "sign" {
                return Some(sign.as_str());
            }
            params.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
        };
        let query = form::encode_pairs(
            QUERY_ORDER
                .iter()
                .filter_map(|k| lookup(k).map(|v| (*k, v))),
            charset,
        )?;
        let body = form::encode_pairs(
            params
                .iter()
                .copied()
                .filter(|(k, _)| !QUERY_ORDER.contains(k)),
            charset,
        )?;
        let sep = if cfg.gateway.contains('?') {
            if cfg.gateway.ends_with('?') || cfg.gateway.ends_with('&') {
                ""
            } else {
                "&"
            }
        } else {
            "?"
        };
        Ok(HttpRequest {
            url: format!("{}{sep}{query}", cfg.gateway),
            method: "POST",
            headers: vec![(
                "content-type".to_string(),
                format!(
                    "application/x-www-form-urlencoded;charset={}",
                    charset.as_str()
                ),
            )],
            body: body.into_bytes(),
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            sign_content,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_defaults() {
        let c = SignerConfig::new("2021000122671080");
        assert_eq!(c.gateway, DEFAULT_GATEWAY);
        assert_eq!(c.sign_type, SignType::Rsa2);
        assert_eq!(c.charset, Charset::Utf8);
        assert!(c.notify_url.is_none() && c.app_auth_token.is_none());
        assert!(c.app_cert_sn.is_none() && c.alipay_root_cert_sn.is_none());
    }

    #[test]
    fn config_debug_redacts_the_auth_token() {
        let c = SignerConfig {
            app_auth_token: Some("202401BB-secret".into()),
            ..SignerConfig::new("1")
        };
        let d = format!("{c:?}");
        assert!(!d.contains("secret") && d.contains("<redacted>"), "{d}");
        let none = format!("{:?}", SignerConfig::new("1"));
        assert!(none.contains("app_auth_token: None"), "{none}");
    }

    #[test]
    fn query_holds_every_common_param_and_body_the_rest() {
        for k in [
            "app_id",
            "method",
            "format",
            "charset",
            "sign_type",
            "timestamp",
            "version",
            "notify_url",
            "app_cert_sn",
            "alipay_root_cert_sn",
            "encrypt_type",
            "sign",
        ] {
            assert!(QUERY_ORDER.contains(&k), "{k}");
        }
        assert!(!QUERY_ORDER.contains(&"biz_content"));
        assert!(!QUERY_ORDER.contains(&"app_auth_token"));
    }
}
