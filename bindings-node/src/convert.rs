//! Value conversions of the Node-API addon. Argument checking itself (option
//! bags, epoch millis, call ids) is shared with the WebAssembly build in
//! `alipay_f2f_core::args`.

use napi::bindgen_prelude::{Function, JsObjectValue, Object};
use napi::Env;
use serde::Serialize;
use serde_json::{Map, Value};

/// A verified JSON object as a JS object, built by V8's own `JSON.parse` of
/// its serialization: one call instead of a Node-API call per property and
/// value (the verified answers are small JSON objects; this is the faster
/// path). Same result as a property-by-property conversion, except that a
/// `__proto__` key stays an own property, as with `JSON.parse` of the body.
pub fn json_object(env: &Env, object: &Map<String, Value>) -> napi::Result<napi::Unknown<'static>> {
    json_value(env, object)
}

/// Any serializable core value (a flow action, an outcome) as a plain JS
/// value, the same way: `serde_json` text, then V8's `JSON.parse` (one
/// Node-API call instead of one per property; measured ~6.6 µs per `poll()`
/// the per-property way).
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
    let json: Object<'static> = env.get_global()?.get_named_property("JSON")?;
    let parse: Function<'static, String, napi::Unknown<'static>> =
        json.get_named_property("parse")?;
    parse.call(text)
}
