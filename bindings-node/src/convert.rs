//! Argument conversions shared by every binding: numbers to epoch millis,
//! JS objects to parameter lists, option bags to core enums.

use alipay_f2f_core::{Charset, SignType};
use napi::bindgen_prelude::{Function, JsObjectValue, Object};
use napi::Env;
use serde_json::{Map, Value};

use crate::error::{invalid, CoreResult};

/// Largest integer a JS number holds exactly (2^53 - 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A JS number of epoch milliseconds as `u64`: finite, non-negative, integral
/// up to `Number.MAX_SAFE_INTEGER` (fractions are truncated).
pub fn millis(field: &str, value: f64) -> CoreResult<u64> {
    if !value.is_finite() || !(0.0..=MAX_SAFE_INTEGER).contains(&value) {
        return Err(invalid(
            field,
            format!("{field} must be a finite, non-negative number of milliseconds"),
        ));
    }
    Ok(value.trunc() as u64)
}

/// A JS number as a call id (`u32`).
pub fn call_id(value: f64) -> CoreResult<u32> {
    if !value.is_finite() || value < 0.0 || value > f64::from(u32::MAX) || value.fract() != 0.0 {
        return Err(invalid("id", "id must be a call id returned by poll()"));
    }
    Ok(value as u32)
}

/// An object of string values (`Record<string, string>`), in insertion order.
/// `null`/`undefined` values are skipped (an absent parameter); any other
/// non-string value is `ERR_INVALID_ARGUMENT`.
pub fn string_params(field: &str, value: &Value) -> CoreResult<Vec<(String, String)>> {
    let map = value
        .as_object()
        .ok_or_else(|| invalid(field, format!("{field} must be an object of string values")))?;
    let mut out = Vec::with_capacity(map.len());
    for (k, v) in map {
        match v {
            Value::String(s) => out.push((k.clone(), s.clone())),
            Value::Null => {}
            _ => {
                return Err(invalid(
                    field,
                    format!("{field}.{k} must be a string, not {}", kind(v)),
                ))
            }
        }
    }
    Ok(out)
}

/// An optional options object (`undefined`/`null` = empty).
pub fn options<'a>(
    field: &str,
    value: Option<&'a Value>,
) -> CoreResult<Option<&'a Map<String, Value>>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(v) => Err(invalid(
            field,
            format!("{field} must be an object, not {}", kind(v)),
        )),
    }
}

/// An optional string option `name` of `opts`.
pub fn opt_str<'a>(
    opts: Option<&'a Map<String, Value>>,
    name: &str,
) -> CoreResult<Option<&'a str>> {
    match opts.and_then(|o| o.get(name)) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(invalid(
            name,
            format!("{name} must be a string, not {}", kind(v)),
        )),
    }
}

/// The `signType` option (default RSA2).
pub fn sign_type(opts: Option<&Map<String, Value>>) -> CoreResult<SignType> {
    match opt_str(opts, "signType")? {
        None => Ok(SignType::default()),
        Some(s) => SignType::parse(s).map_err(|e| e.with_field("signType")),
    }
}

/// The `charset` option (default UTF-8).
pub fn charset(opts: Option<&Map<String, Value>>) -> CoreResult<Charset> {
    match opt_str(opts, "charset")? {
        None => Ok(Charset::default()),
        Some(s) => Charset::parse(s).map_err(|e| e.with_field("charset")),
    }
}

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

/// A short name of a JSON value's type for messages (never the value itself,
/// which might be key material).
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alipay_f2f_core::ErrorCode;
    use serde_json::json;

    #[test]
    fn millis_accepts_epoch_and_rejects_garbage() {
        assert_eq!(
            millis("nowMs", 1_700_000_000_123.9).unwrap(),
            1_700_000_000_123
        );
        for bad in [f64::NAN, f64::INFINITY, -1.0, 1e300] {
            let e = millis("nowMs", bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidArgument);
            assert_eq!(e.field(), Some("nowMs"));
        }
    }

    #[test]
    fn call_ids_are_u32() {
        assert_eq!(call_id(7.0).unwrap(), 7);
        assert!(call_id(1.5).is_err());
        assert!(call_id(-1.0).is_err());
        assert!(call_id(5e9).is_err());
    }

    #[test]
    fn string_params_keep_order_skip_null_reject_numbers() {
        let p = string_params("params", &json!({"b":"2","a":"1","c":null})).unwrap();
        assert_eq!(p, vec![("b".into(), "2".into()), ("a".into(), "1".into())]);
        let e = string_params("params", &json!({"a": 1})).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        assert!(e.message().contains("params.a"));
        assert!(string_params("params", &json!([1])).is_err());
    }

    #[test]
    fn options_and_strings() {
        let v = json!({"signType": 3});
        let o = options("opts", Some(&v)).unwrap();
        assert!(opt_str(o, "signType").is_err());
        assert!(options("opts", Some(&json!(1))).is_err());
        assert!(options("opts", None).unwrap().is_none());
    }
}
