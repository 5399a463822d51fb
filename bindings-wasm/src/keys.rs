//! Parsed keys: `PrivateKey`, `PublicKey`, `importPrivateKey`,
//! `importPublicKey`, `checkNotAppKey`.

use alipay_f2f_core::keys;
use wasm_bindgen::prelude::*;

use crate::convert::str_arg;
use crate::error::guard;

/// A parsed app private key (RSA). Create with `importPrivateKey`; pass it
/// wherever a private key is accepted. Holds no JS-visible key material.
#[wasm_bindgen]
pub struct PrivateKey {
    pub(crate) inner: keys::PrivateKey,
}

#[wasm_bindgen]
impl PrivateKey {
    /// Modulus size in bits (2048 for a normal Alipay app key).
    #[wasm_bindgen(getter)]
    pub fn bits(&self) -> u32 {
        self.inner.bits() as u32
    }

    /// The matching public key (to register with Alipay, or for a sandbox `--app`).
    #[wasm_bindgen(js_name = publicKey)]
    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            inner: self.inner.public_key(),
        }
    }
}

/// A parsed RSA public key (the Alipay public key). Create with `importPublicKey`.
#[wasm_bindgen]
pub struct PublicKey {
    pub(crate) inner: keys::PublicKey,
}

#[wasm_bindgen]
impl PublicKey {
    /// Modulus size in bits.
    #[wasm_bindgen(getter)]
    pub fn bits(&self) -> u32 {
        self.inner.bits() as u32
    }

    /// The key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
    #[wasm_bindgen(js_name = toPem)]
    pub fn to_pem(&self) -> String {
        self.inner.to_spki_pem()
    }
}

/// Parses an app private key: PKCS#1 or PKCS#8, PEM or bare base64, stray
/// whitespace tolerated. Throws `ERR_KEY_FORMAT` (corrupt/truncated),
/// `ERR_KEY_KIND` (a public key or certificate given instead).
#[wasm_bindgen(js_name = importPrivateKey)]
pub fn import_private_key(
    #[wasm_bindgen(unchecked_param_type = "string")] pem: JsValue,
) -> Result<PrivateKey, JsValue> {
    guard(|| {
        Ok(PrivateKey {
            inner: keys::PrivateKey::parse(&str_arg("pem", &pem)?)?,
        })
    })
}

/// Parses an Alipay public key: SPKI PEM or bare base64, PKCS#1
/// `RSA PUBLIC KEY` PEM, or an X.509 certificate (its subject key). Throws
/// `ERR_KEY_FORMAT`, or `ERR_KEY_KIND` for a private key.
#[wasm_bindgen(js_name = importPublicKey)]
pub fn import_public_key(
    #[wasm_bindgen(unchecked_param_type = "string")] pem_or_cert: JsValue,
) -> Result<PublicKey, JsValue> {
    guard(|| {
        Ok(PublicKey {
            inner: keys::PublicKey::parse(&str_arg("pemOrCert", &pem_or_cert)?)?,
        })
    })
}

/// Throws `ERR_KEY_MISMATCH` when `alipayPublicKey` is in fact the public
/// half of `appPrivateKey` (the app public key pasted where Alipay's belongs).
#[wasm_bindgen(js_name = checkNotAppKey)]
pub fn check_not_app_key(
    app_private_key: &PrivateKey,
    alipay_public_key: &PublicKey,
) -> Result<(), JsValue> {
    guard(|| keys::check_not_app_key(&app_private_key.inner, &alipay_public_key.inner))
}
