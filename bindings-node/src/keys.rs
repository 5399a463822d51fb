//! `PrivateKey` / `PublicKey` classes and their import functions.

use alipay_f2f_core::keys;
use napi::{Env, Unknown};
use napi_derive::napi;

use crate::args;
use crate::error::guard;

/// A parsed app private key (RSA). Create with `importPrivateKey`; pass it
/// wherever a private key is accepted. Holds no JS-visible key material.
#[napi]
pub struct PrivateKey {
    pub(crate) inner: keys::PrivateKey,
}

#[napi]
impl PrivateKey {
    /// Modulus size in bits (2048 for a normal Alipay app key).
    #[napi(getter)]
    pub fn bits(&self, env: Env) -> napi::Result<u32> {
        guard(&env, || Ok(self.inner.bits() as u32))
    }

    /// The matching public key (to register with Alipay, or for a sandbox `--app`).
    #[napi]
    pub fn public_key(&self, env: Env) -> napi::Result<PublicKey> {
        guard(&env, || {
            Ok(PublicKey {
                inner: self.inner.public_key(),
            })
        })
    }
}

/// A parsed RSA public key (the Alipay public key). Create with `importPublicKey`.
#[napi]
pub struct PublicKey {
    pub(crate) inner: keys::PublicKey,
}

#[napi]
impl PublicKey {
    /// Modulus size in bits.
    #[napi(getter)]
    pub fn bits(&self, env: Env) -> napi::Result<u32> {
        guard(&env, || Ok(self.inner.bits() as u32))
    }

    /// The key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
    #[napi]
    pub fn to_pem(&self, env: Env) -> napi::Result<String> {
        guard(&env, || Ok(self.inner.to_spki_pem()))
    }
}

/// Parses an app private key: PKCS#1 or PKCS#8, PEM or bare base64, stray
/// whitespace tolerated. Throws `ERR_KEY_FORMAT` (corrupt/truncated),
/// `ERR_KEY_KIND` (a public key or certificate given instead).
#[napi(ts_args_type = "pem: string")]
pub fn import_private_key(env: Env, pem: Unknown) -> napi::Result<PrivateKey> {
    guard(&env, || {
        Ok(PrivateKey {
            inner: keys::PrivateKey::parse(&args::string("pem", pem)?)?,
        })
    })
}

/// Parses an Alipay public key: SPKI PEM or bare base64, PKCS#1
/// `RSA PUBLIC KEY` PEM, or an X.509 certificate (its subject key). Throws
/// `ERR_KEY_FORMAT`, or `ERR_KEY_KIND` for a private key.
#[napi(ts_args_type = "pemOrCert: string")]
pub fn import_public_key(env: Env, pem_or_cert: Unknown) -> napi::Result<PublicKey> {
    guard(&env, || {
        Ok(PublicKey {
            inner: keys::PublicKey::parse(&args::string("pemOrCert", pem_or_cert)?)?,
        })
    })
}

/// Throws `ERR_KEY_MISMATCH` when `alipayPublicKey` is in fact the public
/// half of `appPrivateKey` (the app public key pasted where Alipay's belongs).
#[napi(ts_args_type = "appPrivateKey: PrivateKey, alipayPublicKey: PublicKey")]
pub fn check_not_app_key(
    env: Env,
    app_private_key: Unknown,
    alipay_public_key: Unknown,
) -> napi::Result<()> {
    guard(&env, || {
        let private = args::class::<PrivateKey>("appPrivateKey", "PrivateKey", &app_private_key)?;
        let public = args::class::<PublicKey>("alipayPublicKey", "PublicKey", &alipay_public_key)?;
        keys::check_not_app_key(&private.inner, &public.inner)
    })
}
