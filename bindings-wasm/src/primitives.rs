//! Stateless protocol primitives: sign content, signatures, response and
//! notification verification, certificate SNs, payment-code check.

use alipay_f2f_core::{cert, notify, sign, validate, Verifier as CoreVerifier};
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

use alipay_f2f_core::args::{charset, options, sign_type, string_params};

use crate::convert::{json, parse_js, str_arg, to_js};
use crate::error::{guard, invalid};
use crate::keys::{PrivateKey, PublicKey};

/// The sign content of `params`: every parameter except `sign`, empty values
/// dropped, sorted by key, `k=v` joined by `&`, not URL-encoded.
#[wasm_bindgen(js_name = signContent)]
pub fn sign_content(params: JsValue) -> Result<String, JsValue> {
    guard(|| {
        let p = string_params("params", &json("params", params)?)?;
        Ok(sign::sign_content(
            p.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        ))
    })
}

/// Signs the sign content of `params` (RSA2 by default; `charset` utf-8 or
/// gbk) and returns the standard-base64 signature.
#[wasm_bindgen]
pub fn sign(params: JsValue, private_key: &PrivateKey, opts: JsValue) -> Result<String, JsValue> {
    guard(|| {
        let p = string_params("params", &json("params", params)?)?;
        let opts = json("opts", opts)?;
        let o = options("opts", Some(&opts))?;
        sign::sign_params(
            p.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            &private_key.inner,
            sign_type(o)?,
            charset(o)?,
        )
    })
}

/// Verifies a gateway response body for `method` against the Alipay public
/// key, over the exact signed substring (encoded in `opts.charset`, the
/// charset of the request answered: default utf-8). Returns the verified
/// `<method>_response` object (whatever its `code`); throws `ERR_SIGNATURE`,
/// `ERR_UNSIGNED_RESPONSE`, `ERR_RESPONSE_FORMAT`, `ERR_DUPLICATE_NODE`.
#[wasm_bindgen(js_name = verifyResponse)]
pub fn verify_response(
    #[wasm_bindgen(unchecked_param_type = "string")] body: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] method: JsValue,
    alipay_public_key: &PublicKey,
    opts: JsValue,
) -> Result<JsValue, JsValue> {
    guard(|| {
        let opts = json("opts", opts)?;
        let o = options("opts", Some(&opts))?;
        let verifier = CoreVerifier::new(alipay_public_key.inner.clone(), sign_type(o)?)
            .with_charset(charset(o)?);
        let (body, method) = (str_arg("body", &body)?, str_arg("method", &method)?);
        parse_js(&verifier.verify_json(&body, &method)?)
    })
}

/// Verifies an asynchronous notification, given as the raw
/// `x-www-form-urlencoded` body or as decoded parameters. Returns the
/// verified parameters; throws `ERR_SIGNATURE` (bad or missing signature) or
/// another `ERR_*` for malformed input.
#[wasm_bindgen(js_name = verifyNotify)]
pub fn verify_notify(
    params: JsValue,
    alipay_public_key: &PublicKey,
    opts: JsValue,
) -> Result<JsValue, JsValue> {
    guard(|| {
        let opts = json("opts", opts)?;
        let o = options("opts", Some(&opts))?;
        let st = sign_type(o)?;
        let n = if let Some(body) = params.as_string() {
            notify::verify_form(body.as_bytes(), &alipay_public_key.inner, st)?
        } else if params.is_object() {
            let p = string_params("params", &json("params", params)?)?;
            notify::verify_params(&p, &alipay_public_key.inner, st)?
        } else {
            return Err(invalid(
                "params",
                "params must be a form body string or an object of string values",
            ));
        };
        let mut out = Map::new();
        for (k, v) in n.params {
            out.insert(k, Value::String(v));
        }
        to_js(&out)
    })
}

/// `app_cert_sn` / `alipay_cert_sn` of a PEM certificate (MD5 hex of issuer
/// DN + serial). Throws `ERR_CERT`.
#[wasm_bindgen(js_name = certSn)]
pub fn cert_sn(
    #[wasm_bindgen(unchecked_param_type = "string")] cert_pem: JsValue,
) -> Result<String, JsValue> {
    guard(|| cert::cert_sn(&str_arg("certPem", &cert_pem)?))
}

/// `alipay_root_cert_sn` of the Alipay root certificate bundle. Throws `ERR_CERT`.
#[wasm_bindgen(js_name = rootCertSn)]
pub fn root_cert_sn(
    #[wasm_bindgen(unchecked_param_type = "string")] bundle_pem: JsValue,
) -> Result<String, JsValue> {
    guard(|| cert::root_cert_sn(&str_arg("bundlePem", &bundle_pem)?))
}

/// Advisory check of a payment code (`auth_code`): `{ valid, reason? }`.
/// Never throws for a string input.
#[wasm_bindgen(js_name = validateAuthCode)]
pub fn validate_auth_code(
    #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue,
) -> Result<JsValue, JsValue> {
    guard(|| {
        let c = validate::auth_code(&str_arg("code", &code)?);
        let mut out = Map::new();
        out.insert("valid".into(), Value::Bool(c.valid));
        if let Some(r) = c.reason {
            out.insert("reason".into(), Value::String(r));
        }
        to_js(&out)
    })
}
