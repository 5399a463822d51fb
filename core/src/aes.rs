//! Optional AES content encryption (`encrypt_type=AES`, protocol §5):
//! AES-128-CBC, IV = 16 zero bytes, PKCS#7 padding, standard base64.

use crate::error::Result;

/// The console's content-encryption key (base64 of 16 bytes).
#[derive(Clone)]
pub struct AesKey {
    _todo: (),
}

impl AesKey {
    /// Parses the base64 key; `ERR_KEY_FORMAT` unless it decodes to 16 bytes.
    pub fn from_base64(text: &str) -> Result<Self> {
        todo!("{}", text.len())
    }

    /// Encrypts plaintext bytes; standard base64 ciphertext.
    pub fn encrypt(&self, plaintext: &[u8]) -> String {
        todo!("{plaintext:?}")
    }

    /// Decrypts base64 ciphertext. `ERR_DECRYPT` on bad base64/padding.
    pub fn decrypt(&self, ciphertext_b64: &str) -> Result<Vec<u8>> {
        todo!("{ciphertext_b64}")
    }
}

impl std::fmt::Debug for AesKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AesKey { .. }")
    }
}
