//! Verification of gateway responses over the exact raw substring
//! (protocol §2): never a re-serialization; the business object is parsed
//! from the verified substring; duplicate nodes rejected; `\/` fallback;
//! `error_response`; `alipay_cert_sn`; encrypted nodes; unsigned answers
//! surfaced as `ERR_UNSIGNED_RESPONSE`, never a success.

use crate::aes::AesKey;
use crate::charset::Charset;
use crate::error::Result;
use crate::keys::PublicKey;
use crate::sign::SignType;

/// The signed substring located in a response body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedContent<'a> {
    /// The node name found (`alipay_trade_pay_response` or `error_response`).
    pub node: &'a str,
    /// The exact raw JSON value text (object, or quoted string when encrypted).
    pub content: &'a str,
    /// Top-level `sign`, if present.
    pub sign: Option<&'a str>,
    /// Top-level `alipay_cert_sn`, if present.
    pub cert_sn: Option<&'a str>,
}

/// Locates the signed content of `body` for `method`.
pub fn extract_signed_content<'a>(body: &'a str, method: &str) -> Result<SignedContent<'a>> {
    todo!("{body}{method}")
}

/// Verifies gateway answers with the Alipay public key or certificates.
#[derive(Debug, Clone)]
pub struct Verifier {
    _todo: (),
}

impl Verifier {
    /// Public-key mode.
    pub fn new(alipay_public_key: PublicKey, sign_type: SignType) -> Self {
        todo!("{alipay_public_key:?}{sign_type:?}")
    }

    /// Adds an Alipay certificate (certificate mode); answers are checked
    /// with the key whose SN equals their `alipay_cert_sn`.
    pub fn add_cert(&mut self, cert_pem: &str) -> Result<String> {
        todo!("{cert_pem}")
    }

    /// Enables AES decryption of encrypted response nodes.
    pub fn with_aes(self, key: AesKey) -> Self {
        todo!("{key:?}")
    }

    /// Verifies a UTF-8 (or already decoded) response body for `method`.
    pub fn verify(&self, body: &str, method: &str) -> Result<VerifiedResponse> {
        todo!("{body}{method}")
    }

    /// Verifies raw response bytes in `charset`.
    pub fn verify_bytes(
        &self,
        body: &[u8],
        charset: Charset,
        method: &str,
    ) -> Result<VerifiedResponse> {
        todo!("{body:?}{charset:?}{method}")
    }
}

/// A response whose signature verified; the object comes from the signed bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedResponse {
    /// The API method.
    pub method: String,
    /// The business object (decrypted if it was encrypted).
    pub object: serde_json::Map<String, serde_json::Value>,
    /// The `alipay_cert_sn` that selected the key, in certificate mode.
    pub cert_sn: Option<String>,
}

impl VerifiedResponse {
    /// A string field of the business object.
    pub fn get_str(&self, field: &str) -> Option<&str> {
        self.object.get(field).and_then(|v| v.as_str())
    }

    /// The gateway `code` (`10000`, `10003`, `20000`, `40004`, ...).
    pub fn code(&self) -> &str {
        self.get_str("code").unwrap_or("")
    }

    /// The `sub_code`, if any.
    pub fn sub_code(&self) -> Option<&str> {
        self.get_str("sub_code").filter(|s| !s.is_empty())
    }

    /// The `sub_msg`, if any.
    pub fn sub_msg(&self) -> Option<&str> {
        self.get_str("sub_msg").filter(|s| !s.is_empty())
    }

    /// Deserializes the business object into a typed response from [`crate::model`].
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_value(serde_json::Value::Object(self.object.clone())).map_err(|e| {
            crate::Error::new(
                crate::ErrorCode::ResponseFormat,
                format!("{} response has an unexpected shape: {e}", self.method),
            )
        })
    }
}
