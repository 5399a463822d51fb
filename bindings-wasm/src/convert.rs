//! Value conversions: JS values to serde JSON (the same shapes the Node-API
//! addon receives) and serde values back to plain JS objects. Argument
//! checking itself (option bags, epoch millis, call ids) is shared with the
//! addon in `alipay_f2f_core::args`.
//!
//! Size: structured values cross the boundary as JSON text in both directions
//! (`JSON.stringify` → `serde_json::from_str`, `serde_json::to_string` →
//! `JSON.parse`), so that every core type is (de)serialized by the one
//! `serde_json` text (de)serializer the core already needs, instead of also by
//! `serde_json::Value`'s and `serde-wasm-bindgen`'s (each a whole family of
//! monomorphized code in the `.wasm`).

use alipay_f2f_core::{Error as CoreError, ErrorCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::JsValue;

use crate::error::{invalid, CoreResult};

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

/// A string argument. String parameters are taken as `JsValue` and checked
/// here (`ERR_INVALID_ARGUMENT` naming the argument): wasm-bindgen's own
/// `&str` conversion of a non-string reads out of bounds and traps.
pub fn str_arg(field: &str, value: &JsValue) -> CoreResult<String> {
    value.as_string().ok_or_else(|| {
        let kind = if value.is_null() || value.is_undefined() {
            "absent".to_owned()
        } else {
            format!("a {}", value.js_typeof().as_string().unwrap_or_default())
        };
        invalid(field, format!("{field} must be a string, not {kind}"))
    })
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
/// `JSON.stringify`) for messages, like `alipay_f2f_core::args::kind`.
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
    let text = serde_json::to_string(v).map_err(|e| {
        CoreError::new(
            ErrorCode::Internal,
            format!("cannot convert a result to JavaScript: {e}"),
        )
    })?;
    parse_js(&text)
}

/// `JSON.parse(text)` (`text`: JSON the core produced or verified).
pub fn parse_js(text: &str) -> CoreResult<JsValue> {
    js_sys::JSON::parse(text).map_err(|_| {
        CoreError::new(
            ErrorCode::Internal,
            "cannot convert a result to JavaScript: JSON.parse failed",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
            assert_eq!(
                alipay_f2f_core::args::kind(&serde_json::from_str(t).unwrap()),
                k
            );
        }
    }
}
