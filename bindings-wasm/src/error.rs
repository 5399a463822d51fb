//! The single mapping from core errors to JavaScript errors.
//!
//! Panics: the `release-wasm` profile uses `panic = "abort"`, so a Rust panic
//! traps (`WebAssembly.RuntimeError: unreachable`) instead of unwinding; it
//! cannot be caught here. The JavaScript wrapper of the npm package
//! (`npm/src/wasm-binding.ts`) catches the trap, marks the instance dead,
//! throws `AlipayError` `ERR_INTERNAL` and instantiates a fresh module on the
//! next call.

use alipay_f2f_core::Error as CoreError;
use wasm_bindgen::JsValue;

/// Result of a binding body: a core error, not yet a JS value.
pub type CoreResult<T> = std::result::Result<T, CoreError>;

/// Builds the JS `Error` for a core error: `name = "AlipayError"`, `code`,
/// and the optional `field`, `gatewayCode`, `gatewayMsg`, `subCode`,
/// `subMsg`, `verified` — the same properties as the Node-API addon sets.
/// Never carries key material: core messages do not.
pub fn to_js(err: &CoreError) -> JsValue {
    let js = js_sys::Error::new(err.message());
    js.set_name("AlipayError");
    let obj: &JsValue = js.as_ref();
    // Setting a property on a fresh Error object cannot fail; ignore the
    // Result rather than panic in the unlikely case it does.
    let set = |k: &str, v: JsValue| {
        let _ = js_sys::Reflect::set(obj, &JsValue::from_str(k), &v);
    };
    set("code", JsValue::from_str(err.code().as_str()));
    if let Some(field) = err.field() {
        set("field", JsValue::from_str(field));
    }
    if let Some(g) = err.gateway() {
        let props = [
            ("gatewayCode", &g.code),
            ("gatewayMsg", &g.msg),
            ("subCode", &g.sub_code),
            ("subMsg", &g.sub_msg),
        ];
        for (name, value) in props {
            if let Some(v) = value {
                set(name, JsValue::from_str(v));
            }
        }
        set("verified", JsValue::from_bool(g.verified));
    }
    js.into()
}

/// Runs `f` and converts its error into the JS error thrown to the caller.
pub fn guard<T>(f: impl FnOnce() -> CoreResult<T>) -> Result<T, JsValue> {
    f().map_err(|e| to_js(&e))
}

/// An `ERR_INVALID_ARGUMENT` core error about `field`.
pub fn invalid(field: &str, message: impl Into<String>) -> CoreError {
    CoreError::invalid_argument(field, message)
}
