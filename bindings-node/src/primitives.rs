//! Stateless protocol primitives: sign content, signatures, response and
//! notification verification, certificate SNs, payment-code check.

use alipay_f2f_core::{cert, notify, sign, validate, Verifier as CoreVerifier};
use napi::{Env, Unknown};
use napi_derive::napi;
use serde_json::{Map, Value};

use alipay_f2f_core::args::{charset, options, sign_type, string_params};

use crate::args;
use crate::convert::parse_json_text;
use crate::error::{guard, invalid};
use crate::keys::{PrivateKey, PublicKey};

/// The sign content of `params`: every parameter except `sign`, empty values
/// dropped, sorted by key, `k=v` joined by `&`, not URL-encoded.
#[napi(ts_args_type = "params: Record<string, string>")]
pub fn sign_content(env: Env, params: Unknown) -> napi::Result<String> {
    guard(&env, || {
        let p = string_params("params", &args::json("params", params)?)?;
        Ok(sign::sign_content(
            p.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        ))
    })
}

/// Signs the sign content of `params` (RSA2 by default; `charset` utf-8 or
/// gbk) and returns the standard-base64 signature.
#[napi(
    ts_args_type = "params: Record<string, string>, privateKey: PrivateKey, opts?: { signType?: 'RSA2' | 'RSA'; charset?: 'utf-8' | 'gbk' } | null"
)]
pub fn sign(
    env: Env,
    params: Unknown,
    private_key: Unknown,
    opts: Option<Unknown>,
) -> napi::Result<String> {
    guard(&env, || {
        let params = args::json("params", params)?;
        let private_key = args::class::<PrivateKey>("privateKey", "PrivateKey", &private_key)?;
        let opts = args::opt_json("opts", opts)?;
        let p = string_params("params", &params)?;
        let o = options("opts", opts.as_ref())?;
        sign::sign_params(
            p.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            &private_key.inner,
            sign_type(o)?,
            charset(o)?,
        )
    })
}

/// Verifies a gateway response body for `method` against the Alipay public
/// key, over the exact signed substring (encoded in `charset`, the charset of
/// the request answered: default utf-8). Returns the verified
/// `<method>_response` object (whatever its `code`); throws `ERR_SIGNATURE`,
/// `ERR_UNSIGNED_RESPONSE`, `ERR_RESPONSE_FORMAT`, `ERR_DUPLICATE_NODE`.
#[napi(
    ts_args_type = "body: string, method: string, alipayPublicKey: PublicKey, opts?: { signType?: 'RSA2' | 'RSA'; charset?: 'utf-8' | 'gbk' } | null",
    ts_return_type = "Record<string, unknown>"
)]
pub fn verify_response(
    env: Env,
    body: Unknown,
    method: Unknown,
    alipay_public_key: Unknown,
    opts: Option<Unknown>,
) -> napi::Result<napi::Unknown<'static>> {
    let text = guard(&env, || {
        let body = args::string("body", body)?;
        let method = args::string("method", method)?;
        let alipay_public_key =
            args::class::<PublicKey>("alipayPublicKey", "PublicKey", &alipay_public_key)?;
        let opts = args::opt_json("opts", opts)?;
        let o = options("opts", opts.as_ref())?;
        let verifier = CoreVerifier::new(alipay_public_key.inner.clone(), sign_type(o)?)
            .with_charset(charset(o)?);
        Ok(verifier.verify_json(&body, &method)?.into_owned())
    })?;
    parse_json_text(&env, text)
}

/// Verifies an asynchronous notification, given as the raw
/// `x-www-form-urlencoded` body or as decoded parameters. Returns the
/// verified parameters; throws `ERR_SIGNATURE` (bad or missing signature) or
/// another `ERR_*` for malformed input.
#[napi(
    ts_args_type = "params: Record<string, string> | string, alipayPublicKey: PublicKey, opts?: { signType?: 'RSA2' | 'RSA' } | null",
    ts_return_type = "Record<string, string>"
)]
pub fn verify_notify(
    env: Env,
    params: Unknown,
    alipay_public_key: Unknown,
    opts: Option<Unknown>,
) -> napi::Result<Value> {
    guard(&env, || {
        let params = args::json("params", params)?;
        let alipay_public_key =
            args::class::<PublicKey>("alipayPublicKey", "PublicKey", &alipay_public_key)?;
        let opts = args::opt_json("opts", opts)?;
        let o = options("opts", opts.as_ref())?;
        let st = sign_type(o)?;
        let n = match &params {
            Value::String(body) => {
                notify::verify_form(body.as_bytes(), &alipay_public_key.inner, st)?
            }
            Value::Object(_) => {
                let p = string_params("params", &params)?;
                notify::verify_params(&p, &alipay_public_key.inner, st)?
            }
            _ => {
                return Err(invalid(
                    "params",
                    "params must be a form body string or an object of string values",
                ))
            }
        };
        let mut out = Map::new();
        for (k, v) in n.params {
            out.insert(k, Value::String(v));
        }
        Ok(Value::Object(out))
    })
}

/// `app_cert_sn` / `alipay_cert_sn` of a PEM certificate (MD5 hex of issuer
/// DN + serial). Throws `ERR_CERT`.
#[napi(ts_args_type = "certPem: string")]
pub fn cert_sn(env: Env, cert_pem: Unknown) -> napi::Result<String> {
    guard(&env, || cert::cert_sn(&args::string("certPem", cert_pem)?))
}

/// `alipay_root_cert_sn` of the Alipay root certificate bundle. Throws `ERR_CERT`.
#[napi(ts_args_type = "bundlePem: string")]
pub fn root_cert_sn(env: Env, bundle_pem: Unknown) -> napi::Result<String> {
    guard(&env, || {
        cert::root_cert_sn(&args::string("bundlePem", bundle_pem)?)
    })
}

/// Advisory check of a payment code (`auth_code`): `{ valid, reason? }`.
/// Never throws for a string input.
#[napi(
    ts_args_type = "code: string",
    ts_return_type = "{ valid: boolean; reason?: string }"
)]
pub fn validate_auth_code(env: Env, code: Unknown) -> napi::Result<Value> {
    guard(&env, || {
        let c = validate::auth_code(&args::string("code", code)?);
        let mut out = Map::new();
        out.insert("valid".into(), Value::Bool(c.valid));
        if let Some(r) = c.reason {
            out.insert("reason".into(), Value::String(r));
        }
        Ok(Value::Object(out))
    })
}
