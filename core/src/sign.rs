//! Sign content and request signatures (protocol §1.3).

use base64::Engine as _;

use crate::charset::Charset;
use crate::error::{Error, ErrorCode, Result};
use crate::keys::{PrivateKey, PublicKey};

/// The `sign_type`: RSA2 (SHA256withRSA, recommended) or RSA (SHA1withRSA).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum SignType {
    /// SHA256withRSA.
    #[default]
    #[serde(rename = "RSA2")]
    Rsa2,
    /// SHA1withRSA (legacy).
    #[serde(rename = "RSA")]
    Rsa,
}

impl SignType {
    /// `RSA2` or `RSA`.
    pub fn as_str(self) -> &'static str {
        match self {
            SignType::Rsa2 => "RSA2",
            SignType::Rsa => "RSA",
        }
    }

    /// Parses `RSA2` / `RSA` (case-insensitive). `ERR_INVALID_ARGUMENT` otherwise.
    pub fn parse(s: &str) -> Result<Self> {
        if s.eq_ignore_ascii_case("RSA2") {
            Ok(SignType::Rsa2)
        } else if s.eq_ignore_ascii_case("RSA") {
            Ok(SignType::Rsa)
        } else {
            Err(Error::invalid_argument(
                "sign_type",
                format!(
                    "unsupported sign_type {:?}: use RSA2 (or legacy RSA)",
                    crate::response::shorten(s)
                ),
            ))
        }
    }
}

impl std::fmt::Display for SignType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The sign content: every parameter except `sign`, empty keys/values
/// dropped, sorted by key (byte order; stable for duplicate keys), `k=v`
/// joined by `&`, raw (not URL-encoded).
pub fn sign_content<'a, I>(params: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut items: Vec<(&str, &str)> = params
        .into_iter()
        .filter(|(k, v)| *k != "sign" && !k.is_empty() && !v.is_empty())
        .collect();
    items.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let len = items.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
    let mut out = String::with_capacity(len);
    for (i, (k, v)) in items.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// Signs `content` encoded in `charset`; standard base64 (padded, one line).
/// `ERR_CHARSET` if the text is not encodable, `ERR_KEY_SIZE` for RSA2 with
/// a key under 2048 bits.
pub fn sign_content_base64(
    content: &str,
    key: &PrivateKey,
    sign_type: SignType,
    charset: Charset,
) -> Result<String> {
    let bytes = charset.encode(content)?;
    let sig = key.sign(&bytes, sign_type)?;
    Ok(base64::engine::general_purpose::STANDARD.encode(sig))
}

/// Signs the sign content of `params` in `charset`; standard base64.
pub fn sign_params<'a, I>(
    params: I,
    key: &PrivateKey,
    sign_type: SignType,
    charset: Charset,
) -> Result<String>
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    sign_content_base64(&sign_content(params), key, sign_type, charset)
}

/// Decodes a base64 signature leniently: ASCII whitespace ignored, padding
/// optional, standard alphabet. `ERR_SIGNATURE` if it is not base64.
pub fn decode_signature(signature_b64: &str) -> Result<Vec<u8>> {
    // no copy in the usual case (a signature without whitespace)
    let cleaned: std::borrow::Cow<'_, str> =
        if signature_b64.bytes().any(|b| b.is_ascii_whitespace()) {
            signature_b64
                .chars()
                .filter(|c| !c.is_ascii_whitespace())
                .collect::<String>()
                .into()
        } else {
            signature_b64.into()
        };
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    if cleaned.is_empty() {
        return Err(Error::new(ErrorCode::Signature, "the signature is empty"));
    }
    engine
        .decode(cleaned.as_bytes())
        .map_err(|_| Error::new(ErrorCode::Signature, "the signature is not valid base64"))
}

/// Verifies a base64 signature over raw content bytes. `ERR_SIGNATURE` on mismatch
/// or undecodable base64.
pub fn verify_base64(
    content: &[u8],
    signature_b64: &str,
    key: &PublicKey,
    sign_type: SignType,
) -> Result<()> {
    let sig = decode_signature(signature_b64)?;
    key.verify(content, &sig, sign_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_type_parse() {
        assert_eq!(SignType::parse("RSA2").unwrap(), SignType::Rsa2);
        assert_eq!(SignType::parse("rsa2").unwrap(), SignType::Rsa2);
        assert_eq!(SignType::parse("RSA").unwrap(), SignType::Rsa);
        for bad in ["", "SM2", "RSA3", "RSA2 "] {
            assert_eq!(
                SignType::parse(bad).unwrap_err().code(),
                ErrorCode::InvalidArgument
            );
        }
        assert_eq!(SignType::Rsa2.to_string(), "RSA2");
    }

    #[test]
    fn content_rules() {
        let c = sign_content([
            ("method", "m"),
            ("sign", "zzz"),
            ("app_id", "1"),
            ("empty", ""),
            ("", "novalue"),
            ("sign_type", "RSA2"),
            ("biz_content", "{\"a\":\"x&y=z\"}"),
        ]);
        assert_eq!(
            c,
            "app_id=1&biz_content={\"a\":\"x&y=z\"}&method=m&sign_type=RSA2"
        );
        assert_eq!(sign_content(std::iter::empty()), "");
    }

    #[test]
    fn content_sorts_by_bytes() {
        // '_' (0x5F) sorts before lowercase letters and after uppercase.
        let c = sign_content([("a_b", "1"), ("ab", "2"), ("aB", "3"), ("a", "4")]);
        assert_eq!(c, "a=4&aB=3&a_b=1&ab=2");
    }

    #[test]
    fn signature_decoding() {
        assert_eq!(decode_signature("AQID").unwrap(), vec![1, 2, 3]);
        assert_eq!(decode_signature("AQ ID\n").unwrap(), vec![1, 2, 3]);
        assert_eq!(decode_signature("AQ==").unwrap(), vec![1]);
        assert_eq!(decode_signature("AQ").unwrap(), vec![1]);
        for bad in ["", "  ", "A", "AQ*D", "AQID%"] {
            assert_eq!(
                decode_signature(bad).unwrap_err().code(),
                ErrorCode::Signature,
                "{bad:?}"
            );
        }
    }
}
