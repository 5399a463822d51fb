//! Optional AES content encryption (`encrypt_type=AES`, protocol §5):
//! AES-128-CBC, IV = 16 zero bytes, PKCS#7 padding, standard base64.
//!
//! The Java SDK's `AES_V2` variant (a random IV prepended to the
//! ciphertext) is supported for decryption ([`AesKey::decrypt_iv_prefixed`])
//! and, with a caller-supplied IV, for encryption
//! ([`AesKey::encrypt_iv_prefixed`]); the v2 gateway uses the zero-IV form.

use aes::cipher::{block_padding::Pkcs7, BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use zeroize::Zeroizing;

use crate::error::{Error, ErrorCode, Result};

type Enc = cbc::Encryptor<aes::Aes128>;
type Dec = cbc::Decryptor<aes::Aes128>;

const ZERO_IV: [u8; 16] = [0u8; 16];

/// The console's content-encryption key (base64 of 16 bytes).
#[derive(Clone)]
pub struct AesKey {
    key: Zeroizing<[u8; 16]>,
}

impl AesKey {
    /// Parses the base64 key; `ERR_KEY_FORMAT` unless it decodes to 16 bytes.
    /// Surrounding whitespace is ignored.
    pub fn from_base64(text: &str) -> Result<Self> {
        let bytes = Zeroizing::new(STANDARD.decode(text.trim()).map_err(|_| {
            Error::new(
                ErrorCode::KeyFormat,
                "AES key is not valid base64 (expected the console's 接口内容加密密钥)",
            )
        })?);
        let key: [u8; 16] = bytes.as_slice().try_into().map_err(|_| {
            Error::new(
                ErrorCode::KeyFormat,
                format!(
                    "AES key must be the base64 of 16 bytes (AES-128), it decodes to {} bytes",
                    bytes.len()
                ),
            )
        })?;
        Ok(AesKey {
            key: Zeroizing::new(key),
        })
    }

    fn cbc_encrypt(&self, iv: &[u8; 16], plaintext: &[u8]) -> Vec<u8> {
        Enc::new((&*self.key).into(), iv.into()).encrypt_padded_vec::<Pkcs7>(plaintext)
    }

    fn cbc_decrypt(&self, iv: &[u8; 16], ciphertext: &[u8]) -> Result<Vec<u8>> {
        if ciphertext.is_empty() || ciphertext.len() % 16 != 0 {
            return Err(Error::new(
                ErrorCode::Decrypt,
                "ciphertext length is not a positive multiple of the AES block size",
            ));
        }
        Dec::new((&*self.key).into(), iv.into())
            .decrypt_padded_vec::<Pkcs7>(ciphertext)
            .map_err(|_| {
                Error::new(
                    ErrorCode::Decrypt,
                    "AES decryption failed: bad padding (wrong key or corrupt ciphertext)",
                )
            })
    }

    fn decode_b64(ciphertext_b64: &str) -> Result<Vec<u8>> {
        STANDARD
            .decode(ciphertext_b64.trim())
            .map_err(|_| Error::new(ErrorCode::Decrypt, "ciphertext is not valid base64"))
    }

    /// Encrypts plaintext bytes; standard base64 ciphertext.
    pub fn encrypt(&self, plaintext: &[u8]) -> String {
        STANDARD.encode(self.cbc_encrypt(&ZERO_IV, plaintext))
    }

    /// Decrypts base64 ciphertext. `ERR_DECRYPT` on bad base64/padding.
    pub fn decrypt(&self, ciphertext_b64: &str) -> Result<Vec<u8>> {
        self.cbc_decrypt(&ZERO_IV, &Self::decode_b64(ciphertext_b64)?)
    }

    /// `AES_V2` encryption: `base64(iv || AES-CBC(iv, plaintext))`. The IV
    /// must be fresh random bytes (the core has no randomness of its own).
    pub fn encrypt_iv_prefixed(&self, iv: [u8; 16], plaintext: &[u8]) -> String {
        let mut out = iv.to_vec();
        out.extend_from_slice(&self.cbc_encrypt(&iv, plaintext));
        STANDARD.encode(out)
    }

    /// `AES_V2` decryption: the first 16 decoded bytes are the IV.
    /// `ERR_DECRYPT` on bad base64, a too-short input or bad padding.
    pub fn decrypt_iv_prefixed(&self, ciphertext_b64: &str) -> Result<Vec<u8>> {
        let data = Self::decode_b64(ciphertext_b64)?;
        if data.len() < 32 {
            return Err(Error::new(
                ErrorCode::Decrypt,
                "IV-prefixed ciphertext is shorter than IV plus one block",
            ));
        }
        let (iv, body) = data.split_at(16);
        let mut iv16 = [0u8; 16];
        iv16.copy_from_slice(iv);
        self.cbc_decrypt(&iv16, body)
    }
}

impl std::fmt::Debug for AesKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AesKey { .. }")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_vector_roundtrip() {
        let k = AesKey::from_base64("aa4BtZ4tspm2wnXLb1ThQA==").unwrap();
        assert_eq!(k.encrypt(b"test1234567"), "ILpoMowjIQjfYMR847rnFQ==");
        assert_eq!(
            k.decrypt("ILpoMowjIQjfYMR847rnFQ==").unwrap(),
            b"test1234567"
        );
    }

    #[test]
    fn key_errors() {
        for bad in ["", "not base64!", "AAAA", "aa4BtZ4tspm2wnXLb1ThQAAA"] {
            let e = AesKey::from_base64(bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::KeyFormat, "{bad}");
        }
        // a 32-byte key is AES-256, which the gateway does not use
        let e = AesKey::from_base64(&STANDARD.encode([7u8; 32])).unwrap_err();
        assert!(e.message().contains("32 bytes"));
    }

    #[test]
    fn debug_hides_key() {
        let k = AesKey::from_base64("aa4BtZ4tspm2wnXLb1ThQA==").unwrap();
        assert_eq!(format!("{k:?}"), "AesKey { .. }");
    }

    #[test]
    fn decrypt_errors() {
        let k = AesKey::from_base64("aa4BtZ4tspm2wnXLb1ThQA==").unwrap();
        for bad in ["", "%%%", "AAAA", "ILpoMowjIQjfYMR847rnFQ=A"] {
            assert_eq!(
                k.decrypt(bad).unwrap_err().code(),
                ErrorCode::Decrypt,
                "{bad}"
            );
        }
        let other = AesKey::from_base64(&STANDARD.encode([1u8; 16])).unwrap();
        // wrong key: padding almost surely invalid for this vector
        let r = other.decrypt("ILpoMowjIQjfYMR847rnFQ==");
        assert!(r.is_err() || r.unwrap() != b"test1234567");
        assert_eq!(
            k.decrypt_iv_prefixed("ILpoMowjIQjfYMR847rnFQ==")
                .unwrap_err()
                .code(),
            ErrorCode::Decrypt
        );
    }

    #[test]
    fn iv_prefixed_roundtrip() {
        let k = AesKey::from_base64("vEARwBsVE8dBrk0tiaNQtQ==").unwrap();
        let c = k.encrypt_iv_prefixed([9u8; 16], "你好 world".as_bytes());
        assert_eq!(k.decrypt_iv_prefixed(&c).unwrap(), "你好 world".as_bytes());
    }
}
