//! Value conversions of the Node-API addon. Argument checking itself (option
//! bags, epoch millis, call ids) is shared with the WebAssembly build in
//! `alipay_f2f_core::args`.

use napi::bindgen_prelude::{Function, JsObjectValue, Object};
use napi::Env;
use serde::Serialize;

/// Any serializable core value (a flow action, an outcome, a verified
/// object) as a plain JS value: `serde_json` text, then V8's own
/// `JSON.parse` (one Node-API call instead of one per property and value;
/// measured ~6.6 µs per `poll()` the per-property way). Same result as a
/// property-by-property conversion, except that a `__proto__` key stays an
/// own property, as with `JSON.parse` of a body.
pub fn json_value<T: Serialize + ?Sized>(
    env: &Env,
    value: &T,
) -> napi::Result<napi::Unknown<'static>> {
    // Cannot fail for the core's types (string keys, no non-finite floats).
    let text = serde_json::to_string(value).map_err(|e| {
        napi::Error::new(
            napi::Status::GenericFailure,
            format!("ERR_INTERNAL: cannot serialize a result: {e}"),
        )
    })?;
    parse_json_text(env, text)
}

/// `JSON.parse(text)` in V8 (`text`: JSON the core produced or verified).
pub fn parse_json_text(env: &Env, text: impl Into<String>) -> napi::Result<napi::Unknown<'static>> {
    let json: Object<'static> = env.get_global()?.get_named_property("JSON")?;
    let parse: Function<'static, String, napi::Unknown<'static>> =
        json.get_named_property("parse")?;
    parse.call(text.into())
}
