//! Argument conversion with the binding's own error codes. Every parameter of
//! the addon arrives as [`Unknown`] and is converted here, inside the guarded
//! body, so a value of the wrong JavaScript type is `ERR_INVALID_ARGUMENT`
//! naming the parameter — the same as the WebAssembly build — instead of
//! napi's conversion errors (`StringExpected`, `NumberExpected`,
//! `InvalidArg`), which carry no `ERR_*` code.

use napi::bindgen_prelude::{ClassInstance, FromNapiValue, MaybeTypeTag, Uint8Array};
use napi::{JsValue, Unknown, ValueType};
use serde_json::Value;

use crate::error::{invalid, CoreResult};

/// How a JS value is named in messages (`a string`, `absent`, ...).
fn kind(v: &Unknown) -> &'static str {
    match v.get_type() {
        Ok(ValueType::Undefined | ValueType::Null) => "absent",
        Ok(ValueType::Boolean) => "a boolean",
        Ok(ValueType::Number) => "a number",
        Ok(ValueType::String) => "a string",
        Ok(ValueType::Symbol) => "a symbol",
        Ok(ValueType::Object) => "an object",
        Ok(ValueType::Function) => "a function",
        _ => "a value of another type",
    }
}

fn is(v: &Unknown, t: ValueType) -> bool {
    v.get_type().is_ok_and(|actual| actual == t)
}

/// A primitive argument of JavaScript type `t` (`what` names it in messages).
fn primitive<T: FromNapiValue>(field: &str, v: Unknown, t: ValueType, what: &str) -> CoreResult<T> {
    if !is(&v, t) {
        let msg = format!("{field} must be {what}, not {}", kind(&v));
        return Err(invalid(field, msg));
    }
    // SAFETY: a value of this call's environment, of the type `T` converts (checked above).
    unsafe { v.cast::<T>() }
        .map_err(|e| invalid(field, format!("{field} must be {what}: {}", e.reason)))
}

/// A string argument.
pub fn string(field: &str, v: Unknown) -> CoreResult<String> {
    primitive(field, v, ValueType::String, "a string")
}

/// A number argument (range checks: `alipay_f2f_core::args`).
pub fn number(field: &str, v: Unknown) -> CoreResult<f64> {
    primitive(field, v, ValueType::Number, "a number")
}

/// Plain JSON data (an object, array, string, ...): what `JSON.stringify`
/// would keep. `undefined` is `null`; symbols, functions and bigints are
/// refused.
pub fn json(field: &str, v: Unknown) -> CoreResult<Value> {
    match v.get_type() {
        Ok(ValueType::Undefined | ValueType::Null) => return Ok(Value::Null),
        Ok(ValueType::Boolean | ValueType::Number | ValueType::String | ValueType::Object) => {}
        _ => {
            return Err(invalid(
                field,
                format!("{field} is not plain JSON data: it is {}", kind(&v)),
            ))
        }
    }
    // SAFETY: a value of this call's environment; the serde conversion checks the rest.
    unsafe { v.cast::<Value>() }.map_err(|e| {
        invalid(
            field,
            format!("{field} is not plain JSON data: {}", e.reason),
        )
    })
}

/// An optional JSON argument: absent (`undefined`, `null`) is `None`.
pub fn opt_json(field: &str, v: Option<Unknown>) -> CoreResult<Option<Value>> {
    match v {
        None => Ok(None),
        Some(v) => json(field, v).map(|j| if j.is_null() { None } else { Some(j) }),
    }
}

/// Bytes (a `Uint8Array`, including a `Buffer`).
pub fn bytes(field: &str, v: Unknown) -> CoreResult<Vec<u8>> {
    let refused = || {
        invalid(
            field,
            format!("{field} must be a Uint8Array, not {}", kind(&v)),
        )
    };
    if !is(&v, ValueType::Object) {
        return Err(refused());
    }
    // SAFETY: an object of this call's environment; napi checks it is a Uint8Array.
    unsafe { Uint8Array::from_napi_value(v.value().env, v.value().value) }
        .map(|a| a.to_vec())
        .map_err(|_| refused())
}

/// An instance of the addon's class `T` (`class` names it in messages).
/// napi's own checks decide (`napi_unwrap`, and the class the object was
/// wrapped for): a value of another class, a plain object or a primitive is
/// refused. Only ever dereferenced immutably, within the call.
pub fn class<'a, T: MaybeTypeTag + 'a>(
    field: &str,
    class: &str,
    v: &Unknown<'a>,
) -> CoreResult<ClassInstance<'a, T>> {
    let refused = || invalid(field, format!("{field} must be a {class}, not {}", kind(v)));
    if !is(v, ValueType::Object) {
        return Err(refused());
    }
    // SAFETY: an object of this call's environment; napi checks that it wraps a `T`.
    unsafe { ClassInstance::<T>::from_napi_value(v.value().env, v.value().value) }
        .map_err(|_| refused())
}
