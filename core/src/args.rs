//! Argument checking shared by the JavaScript bindings (the Node-API addon
//! and the WebAssembly build), so both accept and refuse exactly the same
//! values with the same `ERR_INVALID_ARGUMENT` messages.
//!
//! Option bags arrive as JSON ([`serde_json::Value`]); numbers arrive as
//! JS numbers (`f64`). Messages name the argument and the type received,
//! never the value (it might be key material).

use serde_json::{Map, Value};

use crate::aes::AesKey;
use crate::error::{Error, Result};
use crate::keys::{PrivateKey, PublicKey};
use crate::request::{Signer, SignerConfig, DEFAULT_GATEWAY};
use crate::response::Verifier;
use crate::{Charset, SignType};

/// Largest integer a JS number holds exactly (2^53 - 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// An option bag: a JSON object, or absent.
pub type Options<'a> = Option<&'a Map<String, Value>>;

/// A JS number of epoch milliseconds as `u64`: finite, non-negative, integral
/// up to `Number.MAX_SAFE_INTEGER` (fractions are truncated).
pub fn millis(field: &str, value: f64) -> Result<u64> {
    if !value.is_finite() || !(0.0..=MAX_SAFE_INTEGER).contains(&value) {
        return Err(Error::invalid_argument(
            field,
            format!("{field} must be a finite, non-negative number of milliseconds"),
        ));
    }
    Ok(value.trunc() as u64)
}

/// A JS number as a call id (`u32`, as returned by a flow's `poll()`).
pub fn call_id(value: f64) -> Result<u32> {
    if !value.is_finite() || value < 0.0 || value > f64::from(u32::MAX) || value.fract() != 0.0 {
        return Err(Error::invalid_argument(
            "id",
            "id must be a call id returned by poll()",
        ));
    }
    Ok(value as u32)
}

/// An object of string values (`Record<string, string>`), in insertion order.
/// `null` values are skipped (an absent parameter); any other non-string
/// value is `ERR_INVALID_ARGUMENT`.
pub fn string_params(field: &str, value: &Value) -> Result<Vec<(String, String)>> {
    let map = value.as_object().ok_or_else(|| {
        Error::invalid_argument(field, format!("{field} must be an object of string values"))
    })?;
    let mut out = Vec::with_capacity(map.len());
    for (k, v) in map {
        match v {
            Value::String(s) => out.push((k.clone(), s.clone())),
            Value::Null => {}
            _ => {
                return Err(Error::invalid_argument(
                    field,
                    format!("{field}.{k} must be a string, not {}", kind(v)),
                ))
            }
        }
    }
    Ok(out)
}

/// An optional option bag (`null`/absent = none).
pub fn options<'a>(field: &str, value: Option<&'a Value>) -> Result<Options<'a>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(v) => Err(Error::invalid_argument(
            field,
            format!("{field} must be an object, not {}", kind(v)),
        )),
    }
}

/// An optional string option `name` of `opts` (`null` = absent).
pub fn opt_str<'a>(opts: Options<'a>, name: &str) -> Result<Option<&'a str>> {
    match opts.and_then(|o| o.get(name)) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(Error::invalid_argument(
            name,
            format!("{name} must be a string, not {}", kind(v)),
        )),
    }
}

/// An optional non-empty string option, owned (an empty string = absent).
fn opt_owned(opts: Options<'_>, name: &str) -> Result<Option<String>> {
    Ok(opt_str(opts, name)?
        .filter(|s| !s.is_empty())
        .map(str::to_owned))
}

/// The `signType` option (default RSA2).
pub fn sign_type(opts: Options<'_>) -> Result<SignType> {
    match opt_str(opts, "signType")? {
        None => Ok(SignType::default()),
        Some(s) => SignType::parse(s).map_err(|e| e.with_field("signType")),
    }
}

/// The `charset` option (default UTF-8).
pub fn charset(opts: Options<'_>) -> Result<Charset> {
    match opt_str(opts, "charset")? {
        None => Ok(Charset::default()),
        Some(s) => Charset::parse(s).map_err(|e| e.with_field("charset")),
    }
}

/// The `encryptKey` option (base64 AES key), if set.
fn encrypt_key(opts: Options<'_>) -> Result<Option<AesKey>> {
    match opt_str(opts, "encryptKey")?.filter(|s| !s.is_empty()) {
        Some(k) => Ok(Some(
            AesKey::from_base64(k).map_err(|e| e.with_field("encryptKey"))?,
        )),
        None => Ok(None),
    }
}

/// A [`Signer`] from `config`: `{ appId, gateway?, signType?, charset?,
/// appAuthToken?, notifyUrl?, appCertSn?, alipayRootCertSn?, encryptKey? }`.
/// `ERR_INVALID_ARGUMENT` (bad config), `ERR_KEY_SIZE` (key too small for
/// the sign type), `ERR_KEY_FORMAT` (bad `encryptKey`).
pub fn signer(config: &Value, key: PrivateKey) -> Result<Signer> {
    let o = options("config", Some(config))?;
    let app_id = opt_owned(o, "appId")?
        .ok_or_else(|| Error::invalid_argument("appId", "config.appId is required"))?;
    let cfg = SignerConfig {
        app_id,
        gateway: opt_owned(o, "gateway")?.unwrap_or_else(|| DEFAULT_GATEWAY.to_owned()),
        sign_type: sign_type(o)?,
        charset: charset(o)?,
        app_auth_token: opt_owned(o, "appAuthToken")?,
        notify_url: opt_owned(o, "notifyUrl")?,
        app_cert_sn: opt_owned(o, "appCertSn")?,
        alipay_root_cert_sn: opt_owned(o, "alipayRootCertSn")?,
    };
    let aes = encrypt_key(o)?;
    Signer::new(cfg, key, aes)
}

/// A [`Verifier`] for `key` from `opts`: `{ signType?, encryptKey?, charset? }`
/// (`charset`: of the requests answered, default utf-8).
pub fn verifier(key: PublicKey, opts: Option<&Value>) -> Result<Verifier> {
    let o = options("opts", opts)?;
    let mut v = Verifier::new(key, sign_type(o)?).with_charset(charset(o)?);
    if let Some(aes) = encrypt_key(o)? {
        v = v.with_aes(aes);
    }
    Ok(v)
}

/// A short name of a JSON value's type for messages (never the value itself).
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
    use crate::ErrorCode;
    use serde_json::json;

    fn fixture_key(name: &str) -> String {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/fixtures/keys")
            .join(name);
        std::fs::read_to_string(p).expect("fixture key")
    }

    #[test]
    fn millis_accepts_epoch_and_rejects_garbage() {
        assert_eq!(
            millis("nowMs", 1_700_000_000_123.9).unwrap(),
            1_700_000_000_123
        );
        assert_eq!(millis("nowMs", 0.0).unwrap(), 0);
        for bad in [f64::NAN, f64::INFINITY, -1.0, 1e300] {
            let e = millis("nowMs", bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidArgument);
            assert_eq!(e.field(), Some("nowMs"));
        }
    }

    #[test]
    fn call_ids_are_u32() {
        assert_eq!(call_id(7.0).unwrap(), 7);
        assert_eq!(call_id(f64::from(u32::MAX)).unwrap(), u32::MAX);
        for bad in [1.5, -1.0, 5e9, f64::NAN] {
            assert_eq!(call_id(bad).unwrap_err().field(), Some("id"));
        }
    }

    #[test]
    fn string_params_keep_order_skip_null_reject_numbers() {
        let p = string_params("params", &json!({"b":"2","a":"1","c":null})).unwrap();
        assert_eq!(p, vec![("b".into(), "2".into()), ("a".into(), "1".into())]);
        let e = string_params("params", &json!({"a": 1})).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        assert_eq!(e.message(), "params.a must be a string, not a number");
        assert!(string_params("params", &json!([1])).is_err());
    }

    #[test]
    fn options_strings_and_enums() {
        let v = json!({"signType": 3});
        let o = options("opts", Some(&v)).unwrap();
        assert_eq!(
            opt_str(o, "signType").unwrap_err().message(),
            "signType must be a string, not a number"
        );
        assert!(options("opts", Some(&json!(1))).is_err());
        assert!(options("opts", None).unwrap().is_none());
        assert!(options("opts", Some(&Value::Null)).unwrap().is_none());
        let v = json!({"signType": "RSA", "charset": "gbk"});
        let o = options("opts", Some(&v)).unwrap();
        assert_eq!(sign_type(o).unwrap(), SignType::Rsa);
        assert_eq!(charset(o).unwrap(), Charset::Gbk);
        assert_eq!(sign_type(None).unwrap(), SignType::Rsa2);
        assert_eq!(charset(None).unwrap(), Charset::Utf8);
        let v = json!({"signType": "MD5", "charset": "latin1"});
        let o = options("opts", Some(&v)).unwrap();
        assert_eq!(sign_type(o).unwrap_err().field(), Some("signType"));
        assert_eq!(charset(o).unwrap_err().field(), Some("charset"));
    }

    #[test]
    fn signer_config_is_checked_and_applied() {
        let key = PrivateKey::parse(&fixture_key("app-private-key.pem")).unwrap();
        for (config, field) in [
            (json!({}), "appId"),
            (json!({"appId": ""}), "appId"),
            (json!({"appId": 1}), "appId"),
            (json!("x"), "config"),
            (json!({"appId": "2021", "gateway": 5}), "gateway"),
            (
                json!({"appId": "2021", "encryptKey": "not base64!"}),
                "encryptKey",
            ),
        ] {
            let e = signer(&config, key.clone()).unwrap_err();
            assert_eq!(e.field(), Some(field), "{config}");
        }
        let s = signer(
            &json!({"appId": "2021000000000001", "gateway": "http://127.0.0.1:1/gateway.do",
                    "notifyUrl": "", "charset": "gbk", "signType": "RSA2"}),
            key,
        )
        .unwrap();
        let r = s.build_request("alipay.trade.query", "{}", 0).unwrap();
        assert!(r.url.starts_with("http://127.0.0.1:1/gateway.do?"));
        assert!(r.url.contains("charset=gbk"));
        assert!(!r.sign_content.contains("notify_url"), "empty = absent");
    }

    #[test]
    fn verifier_options_are_checked() {
        let key = PublicKey::parse(&fixture_key("alipay-public-key.pem")).unwrap();
        assert!(verifier(key.clone(), None).is_ok());
        let v = verifier(
            key.clone(),
            Some(&json!({"charset": "gbk", "signType": "RSA"})),
        );
        assert_eq!(v.unwrap().sign_type(), SignType::Rsa);
        let e = verifier(key.clone(), Some(&json!({"encryptKey": "@@"}))).unwrap_err();
        assert_eq!(e.field(), Some("encryptKey"));
        let e = verifier(key, Some(&json!([]))).unwrap_err();
        assert_eq!(e.message(), "opts must be an object, not an array");
    }
}
