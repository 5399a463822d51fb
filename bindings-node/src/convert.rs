//! Value conversions of the Node-API addon. Argument checking itself (option
//! bags, epoch millis, call ids) is shared with the WebAssembly build in
//! `alipay_f2f_core::args`.

use napi::bindgen_prelude::{Function, JsObjectValue, Object};
use napi::Env;
use serde_json::{Map, Value};

/// A verified JSON object as a JS object, built by V8's own `JSON.parse` of
/// its serialization: one call instead of a Node-API call per property and
/// value (the verified answers are small JSON objects; this is the faster
/// path). Same result as a property-by-property conversion, except that a
/// `__proto__` key stays an own property, as with `JSON.parse` of the body.
pub fn json_object(env: &Env, object: &Map<String, Value>) -> napi::Result<napi::Unknown<'static>> {
    let text = serde_json::to_string(object)
        .map_err(|_| napi::Error::from_reason("cannot serialize the verified object"))?;
    let json: Object<'static> = env.get_global()?.get_named_property("JSON")?;
    let parse: Function<'static, String, napi::Unknown<'static>> =
        json.get_named_property("parse")?;
    parse.call(text)
}
