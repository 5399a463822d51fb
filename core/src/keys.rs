//! App private keys and Alipay public keys, in every format users paste.
//!
//! Private keys: PKCS#1 or PKCS#8, PEM or bare base64, stray whitespace/CRLF.
//! Public keys: SPKI (PEM or bare base64), PKCS#1 `RSA PUBLIC KEY`, or an
//! X.509 certificate (PEM). Errors name the mistake (`ERR_KEY_KIND` for a
//! private key where a public key belongs, and the reverse; `ERR_KEY_FORMAT`
//! for truncated or corrupt input). `Debug` never prints key material.

use crate::error::Result;
use crate::sign::SignType;

/// A parsed RSA private key (the app private key). Parse once, sign many times.
#[derive(Clone)]
pub struct PrivateKey {
    _todo: (),
}

impl PrivateKey {
    /// Parses a PKCS#1 or PKCS#8 key, PEM or bare base64 (whitespace tolerated).
    pub fn parse(text: &str) -> Result<Self> {
        todo!("{}", text.len())
    }

    /// Modulus size in bits.
    pub fn bits(&self) -> usize {
        todo!()
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        todo!()
    }

    /// RSASSA-PKCS1-v1_5 signature of `message` (SHA-256 for RSA2, SHA-1 for RSA).
    pub fn sign(&self, message: &[u8], sign_type: SignType) -> Result<Vec<u8>> {
        todo!("{message:?}{sign_type:?}")
    }
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrivateKey { .. }")
    }
}

/// A parsed RSA public key (the Alipay public key, or an app public key).
#[derive(Clone)]
pub struct PublicKey {
    _todo: (),
}

impl PublicKey {
    /// Parses SPKI PEM/base64, PKCS#1 `RSA PUBLIC KEY` PEM, or an X.509
    /// certificate (its subject public key).
    pub fn parse(text: &str) -> Result<Self> {
        todo!("{}", text.len())
    }

    /// Modulus size in bits.
    pub fn bits(&self) -> usize {
        todo!()
    }

    /// Verifies an RSASSA-PKCS1-v1_5 signature. `Ok(())` or `ERR_SIGNATURE`.
    pub fn verify(&self, message: &[u8], signature: &[u8], sign_type: SignType) -> Result<()> {
        todo!("{message:?}{signature:?}{sign_type:?}")
    }

    /// SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn to_spki_pem(&self) -> String {
        todo!()
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PublicKey { .. }")
    }
}

/// Detects the classic mistake of configuring the app public key where the
/// Alipay public key belongs: `ERR_KEY_MISMATCH` if `alipay_public_key`
/// verifies a probe signed by `app_private_key`.
pub fn check_not_app_key(
    app_private_key: &PrivateKey,
    alipay_public_key: &PublicKey,
) -> Result<()> {
    todo!("{app_private_key:?}{alipay_public_key:?}")
}
