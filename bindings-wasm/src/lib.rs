//! wasm-bindgen surface over alipay-f2f-core, for browsers, Deno, Bun and workers.
//!
//! Built by `scripts/build-wasm.sh` for `wasm32-unknown-unknown` and bound with
//! the wasm-bindgen CLI into `npm/wasm/web` (ES module, async init) and
//! `npm/wasm/node` (CommonJS). Names follow the JavaScript contract of
//! `/work/shared/design.md` §4 (camelCase).
//!
//! Errors cross the boundary as JS `Error` objects named `AlipayError` with a
//! stable `code` (the core `ErrorCode` string) and, when known, a `field`.

#![warn(missing_docs)]

use std::collections::BTreeMap;

use alipay_f2f_core::Error;
use wasm_bindgen::prelude::*;

/// Converts a core error into a JS `Error` with `name = "AlipayError"`,
/// `code` and (when set) `field`. Never carries key material: core errors do not.
pub fn to_js_error(err: &Error) -> JsValue {
    let js = js_sys::Error::new(err.message());
    js.set_name("AlipayError");
    let obj: &JsValue = js.as_ref();
    // Setting a property on a fresh Error object cannot fail; ignore the Result
    // rather than panic in the unlikely case it does.
    let _ = js_sys::Reflect::set(obj, &"code".into(), &err.code().as_str().into());
    if let Some(field) = err.field() {
        let _ = js_sys::Reflect::set(obj, &"field".into(), &field.into());
    }
    js.into()
}

/// Reads a JS object (or `Map`) of string parameters.
/// `ERR_INVALID_ARGUMENT` when it is not one.
fn string_params(value: JsValue, what: &str) -> Result<BTreeMap<String, String>, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|e| {
        to_js_error(&Error::invalid_argument(
            what,
            format!("expected an object of string values: {e}"),
        ))
    })
}

/// `signContent(params: Record<string, string>): string` — the content that
/// gets signed: every parameter except `sign`, empty values dropped, sorted by
/// key, `k=v` joined by `&`, not URL-encoded.
///
/// Throws `AlipayError` (`ERR_INVALID_ARGUMENT`) when `params` is not an
/// object of strings.
#[wasm_bindgen(js_name = signContent)]
pub fn sign_content(params: JsValue) -> Result<String, JsValue> {
    let params = string_params(params, "params")?;
    Ok(alipay_f2f_core::sign::sign_content(
        params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    ))
}
