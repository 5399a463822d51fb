//! The single mapping from core errors (and panics) to JavaScript errors.

use std::panic::{catch_unwind, AssertUnwindSafe};

use alipay_f2f_core::{Error as CoreError, ErrorCode};
use napi::bindgen_prelude::{JsError, Object};
use napi::{Env, JsValue};

/// Result of a guarded body: a core error, not yet a JS value.
pub type CoreResult<T> = std::result::Result<T, CoreError>;

/// Runs `f`, converting a panic into an `ERR_INTERNAL` core error so that it
/// never unwinds across the Node-API boundary (which would abort the host).
pub fn catch<T>(f: impl FnOnce() -> CoreResult<T>) -> CoreResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(CoreError::new(
                ErrorCode::Internal,
                format!("internal error in alipay-f2f (please report): {what}"),
            ))
        }
    }
}

/// Runs `f` under [`catch`] and converts an error into the JS error thrown
/// to the caller.
pub fn guard<T>(env: &Env, f: impl FnOnce() -> CoreResult<T>) -> napi::Result<T> {
    catch(f).map_err(|e| to_js(env, &e))
}

/// Builds the JS `Error` for a core error: `name = "AlipayError"`, `code`,
/// and the optional `field`, `gatewayCode`, `gatewayMsg`, `subCode`, `subMsg`.
/// The only place where core errors become JS values.
pub fn to_js(env: &Env, err: &CoreError) -> napi::Error {
    let base = napi::Error::new(err.code().as_str().to_owned(), err.message().to_owned());
    let unknown = JsError::from(base).into_unknown(*env);
    let mut obj = Object::from_raw(env.raw(), unknown.raw());
    // Setting properties on a fresh Error cannot reasonably fail; if the
    // environment is tearing down, the error still carries `code` and message.
    let _ = obj.set("name", "AlipayError");
    if let Some(field) = err.field() {
        let _ = obj.set("field", field);
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
                let _ = obj.set(name, v.as_str());
            }
        }
        let _ = obj.set("verified", g.verified);
    }
    napi::Error::from(unknown)
}

/// An `ERR_INVALID_ARGUMENT` core error about `field`.
pub fn invalid(field: &str, message: impl Into<String>) -> CoreError {
    CoreError::invalid_argument(field, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_internal_errors() {
        let r: CoreResult<()> = catch(|| panic!("boom"));
        let e = r.unwrap_err();
        assert_eq!(e.code(), ErrorCode::Internal);
        assert!(e.message().contains("boom"));
    }

    #[test]
    fn errors_pass_through_unchanged() {
        let r: CoreResult<()> = catch(|| Err(invalid("x", "bad")));
        let e = r.unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        assert_eq!(e.field(), Some("x"));
    }
}
