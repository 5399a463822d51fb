//! `Signer`: the app-private-key half — builds signed gateway requests.

use alipay_f2f_core::args::{self, millis};
use alipay_f2f_core::Signer as CoreSigner;
use wasm_bindgen::prelude::*;

use crate::convert::{json, str_arg};
use crate::error::guard;
use crate::keys::PrivateKey;

/// Holds the app private key and the request configuration; builds signed
/// requests. `config`: `{ appId, gateway?, signType?, charset?, appAuthToken?,
/// notifyUrl?, appCertSn?, alipayRootCertSn?, encryptKey? }`.
#[wasm_bindgen]
pub struct Signer {
    inner: CoreSigner,
}

#[wasm_bindgen]
impl Signer {
    /// Creates a signer. Throws `ERR_INVALID_ARGUMENT` (bad config),
    /// `ERR_KEY_SIZE` (key too small for the sign type), `ERR_KEY_FORMAT`
    /// (bad `encryptKey`).
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue, private_key: &PrivateKey) -> Result<Signer, JsValue> {
        guard(|| {
            let config = json("config", config)?;
            Ok(Signer {
                inner: args::signer(&config, private_key.inner.clone())?,
            })
        })
    }

    /// Builds and signs the request for `method` with `bizContent` (JSON
    /// object text, sent as given unless AES is on) at `nowMs` (epoch ms;
    /// the gateway timestamp is rendered in UTC+8). Returns
    /// `{ url, method: 'POST', headers, body: Uint8Array, signContent }`.
    #[wasm_bindgen(js_name = buildRequest)]
    pub fn build_request(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] method: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] biz_content: JsValue,
        now_ms: f64,
    ) -> Result<JsValue, JsValue> {
        guard(|| {
            let now = millis("nowMs", now_ms)?;
            let method = str_arg("method", &method)?;
            let biz_content = str_arg("bizContent", &biz_content)?;
            let r = self.inner.build_request(&method, &biz_content, now)?;
            let headers = js_sys::Object::new();
            for (k, v) in &r.headers {
                set(&headers, k, &JsValue::from_str(v));
            }
            let out = js_sys::Object::new();
            set(&out, "url", &JsValue::from_str(&r.url));
            set(&out, "method", &JsValue::from_str(r.method));
            set(&out, "headers", &headers);
            set(&out, "body", &js_sys::Uint8Array::from(&r.body[..]));
            set(&out, "signContent", &JsValue::from_str(&r.sign_content));
            Ok(out.into())
        })
    }
}

/// Sets a property on a fresh plain object (cannot fail; ignored if it does).
fn set(obj: &js_sys::Object, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(obj, &JsValue::from_str(key), value);
}
