//! Sign content and request signatures (protocol §1.3).

use crate::charset::Charset;
use crate::error::Result;
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
        todo!("{s}")
    }
}

/// The sign content: every parameter except `sign`, empty keys/values
/// dropped, sorted by key, `k=v` joined by `&`, raw (not URL-encoded).
pub fn sign_content<'a, I>(params: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let _ = params.into_iter();
    todo!()
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
    let _ = (params.into_iter(), key, sign_type, charset);
    todo!()
}

/// Verifies a base64 signature over raw content bytes. `ERR_SIGNATURE` on mismatch
/// or undecodable base64.
pub fn verify_base64(
    content: &[u8],
    signature_b64: &str,
    key: &PublicKey,
    sign_type: SignType,
) -> Result<()> {
    todo!("{content:?}{signature_b64}{key:?}{sign_type:?}")
}
