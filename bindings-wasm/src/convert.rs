//! Argument conversions: JS values to serde JSON (the same shapes the
//! Node-API addon receives), numbers to epoch millis, option bags to core
//! enums, and serde values back to plain JS objects.
//!
//! Size: structured values cross the boundary as JSON text in both directions
//! (`JSON.stringify` → `serde_json::from_str`, `serde_json::to_string` →
//! `JSON.parse`), so that every core type is (de)serialized by the one
//! `serde_json` text (de)serializer the core already needs, instead of also by
//! `serde_json::Value`'s and `serde-wasm-bindgen`'s (each a whole family of
//! monomorphized code in the `.wasm`).

use alipay_f2f_core::{Charset, Error as CoreError, ErrorCode, SignType};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use wasm_bindgen::JsValue;

use crate::error::{invalid, CoreResult};

/// Largest integer a JS number holds exactly (2^53 - 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A JS value as serde JSON (`undefined` becomes `null`).
///
/// Goes through `JSON.stringify` + `serde_json`, not a recursive
/// `serde-wasm-bindgen` walk: `serde_json`'s nesting limit (128) refuses a
/// hostile deeply nested object with an error instead of overflowing the
/// wasm shadow stack (which has no guard page), and cycles, `BigInt`s and
/// the like are refused by `JSON.stringify` as `ERR_INVALID_ARGUMENT`.
pub fn json(field: &str, value: JsValue) -> CoreResult<Value> {
    parse_json(field, &json_text(field, value)?)
}

/// A JS value as JSON text (`undefined` becomes `null`), by `JSON.stringify`.
pub fn json_text(field: &str, value: JsValue) -> CoreResult<String> {
    if value.is_undefined() || value.is_null() {
        return Ok("null".to_owned());
    }
    js_sys::JSON::stringify(&value)
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(|| invalid(field, format!("{field} is not plain JSON data")))
}

/// Deserializes JSON text of argument `field` into a core type;
/// `ERR_INVALID_ARGUMENT` naming the argument, with serde's message (which
/// names the offending field) exactly as the Node-API addon words it.
pub fn from_json<T: DeserializeOwned>(field: &str, text: &str) -> CoreResult<T> {
    serde_json::from_str(text)
        .map_err(|e| invalid(field, format!("invalid {field}: {}", message(&e))))
}

/// serde_json's message without the text position it adds for text input
/// (the addon deserializes from a `Value`, which has none).
fn message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if e.line() == 0 {
        return text;
    }
    let position = format!(" at line {} column {}", e.line(), e.column());
    match text.strip_suffix(&position) {
        Some(m) => m.to_owned(),
        None => text,
    }
}

/// A short name of the type of the JSON value `text` (output of
/// `JSON.stringify`) for messages, like [`kind`].
pub fn text_kind(text: &str) -> &'static str {
    match text.as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') | None => "null",
        Some(_) => "a number",
    }
}

/// Parses JSON text of an argument (`ERR_INVALID_ARGUMENT` naming it).
pub fn parse_json(field: &str, text: &str) -> CoreResult<Value> {
    serde_json::from_str(text)
        .map_err(|e| invalid(field, format!("{field} is not plain JSON data: {e}")))
}

/// A serde value as a plain JS value (`serde_json::to_string`, then
/// `JSON.parse`): objects (never `Map`s), `null` for missing values, numbers
/// as JS numbers.
pub fn to_js<T: Serialize + ?Sized>(v: &T) -> CoreResult<JsValue> {
    let internal = |what: &str| {
        CoreError::new(
            ErrorCode::Internal,
            format!("cannot convert a result to JavaScript: {what}"),
        )
    };
    let text = serde_json::to_string(v).map_err(|e| internal(&e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|_| internal("JSON.parse failed"))
}

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
pub fn options<'a>(field: &str, value: &'a Value) -> CoreResult<Option<&'a Map<String, Value>>> {
    match value {
        Value::Null => Ok(None),
        Value::Object(m) => Ok(Some(m)),
        v => Err(invalid(
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
    fn parse_json_limits_nesting() {
        assert_eq!(
            parse_json("order", r#"{"a":[1,"x"]}"#).unwrap(),
            json!({"a":[1,"x"]})
        );
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let e = parse_json("order", &deep).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        assert_eq!(e.field(), Some("order"));
    }

    #[test]
    fn from_json_words_errors_like_a_value_deserializer() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct T {
            a: u32,
        }
        for text in [
            r#"{"a":"x"}"#,
            r#"{"b":1}"#,
            "{}",
            "null",
            "[1]",
            r#"{"a":-1}"#,
        ] {
            let got = from_json::<T>("order", text).map(|t| t.a);
            let v: Value = serde_json::from_str(text).unwrap();
            match (got, serde_json::from_value::<T>(v)) {
                (Ok(a), Ok(t)) => assert_eq!(a, t.a, "{text}"),
                (Err(e), Err(want)) => {
                    assert_eq!(e.message(), format!("invalid order: {want}"), "{text}");
                    assert_eq!(e.field(), Some("order"));
                }
                (got, want) => panic!("{text}: {got:?} vs {want:?}"),
            }
        }
        assert_eq!(from_json::<T>("order", r#"{"a":7}"#).unwrap().a, 7);
    }

    #[test]
    fn text_kinds() {
        for (t, k) in [
            ("{}", "an object"),
            ("[]", "an array"),
            ("\"x\"", "a string"),
            ("true", "a boolean"),
            ("false", "a boolean"),
            ("null", "null"),
            ("-1.5", "a number"),
            ("3", "a number"),
        ] {
            assert_eq!(text_kind(t), k);
            assert_eq!(kind(&serde_json::from_str(t).unwrap()), k);
        }
    }

    #[test]
    fn options_and_strings() {
        let v = json!({"signType": 3});
        let o = options("opts", &v).unwrap();
        assert!(opt_str(o, "signType").is_err());
        assert!(options("opts", &json!(1)).is_err());
        assert!(options("opts", &Value::Null).unwrap().is_none());
        let v = json!({"signType": "RSA", "charset": "gbk"});
        let o = options("opts", &v).unwrap();
        assert_eq!(sign_type(o).unwrap(), SignType::Rsa);
        assert_eq!(charset(o).unwrap(), Charset::Gbk);
        let v = json!({"signType": "MD5"});
        let e = sign_type(options("opts", &v).unwrap()).unwrap_err();
        assert_eq!(e.field(), Some("signType"));
    }
}
