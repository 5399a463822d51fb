//! The sans-IO gateway: one HTTP request in, one HTTP response out.
//!
//! [`Gateway::handle`] routes `/gateway.do` (the OpenAPI v2 gateway),
//! the `/__sandbox/*` control endpoints and CORS preflights. It never
//! blocks and never reads a clock: the current time is an argument, and
//! delays and transport faults are instructions in the [`GatewayResponse`]
//! that the HTTP server carries out.

use std::collections::HashMap;

use alipay_f2f_core::charset::Charset;
use alipay_f2f_core::error::{Error, Result};
use alipay_f2f_core::form::decode_pairs;
use alipay_f2f_core::keys::{PrivateKey, PublicKey};
use alipay_f2f_core::sign::{sign_content, verify_base64, SignType};
use alipay_f2f_core::time::parse_timestamp;
use base64::Engine as _;
use serde_json::{json, Map, Value};

use crate::scenario::Fault;
use crate::trade::{business_error, Ctx, Reply, TradeStore};

/// The API methods the sandbox implements.
pub const METHODS: [&str; 6] = [
    "alipay.trade.pay",
    "alipay.trade.query",
    "alipay.trade.cancel",
    "alipay.trade.close",
    "alipay.trade.refund",
    "alipay.trade.fastpay.refund.query",
];

/// Largest request body accepted (bytes).
pub const MAX_BODY: usize = 1 << 20;

/// Timings and limits of the simulated gateway.
#[derive(Debug, Clone, PartialEq)]
pub struct GatewayConfig {
    /// Divides every scenario delay (2 = twice as fast). Must be > 0.
    pub speed: f64,
    /// Default delay before a buyer confirms (`281…`) or cancels (`288…`),
    /// at speed 1. Default 8 s.
    pub password_delay_ms: u64,
    /// Delay of slow answers (`286…`, fault `slow`), at speed 1. Default 20 s.
    pub slow_delay_ms: u64,
    /// Default number of failing cancels for `287…` codes. Default 2.
    pub cancel_failures: u32,
    /// Accepted difference between `timestamp` and the gateway clock.
    /// Default 15 min.
    pub timestamp_tolerance_ms: u64,
    /// How long after creation a trade may be cancelled. Default 24 h (not
    /// scaled by speed; move the business clock with `POST /__sandbox/clock`).
    pub cancel_window_ms: u64,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        GatewayConfig {
            speed: 1.0,
            password_delay_ms: 8_000,
            slow_delay_ms: 20_000,
            cancel_failures: 2,
            timestamp_tolerance_ms: 15 * 60_000,
            cancel_window_ms: 24 * 3_600_000,
        }
    }
}

impl GatewayConfig {
    /// A delay at speed 1 scaled by [`GatewayConfig::speed`].
    pub fn scaled(&self, ms: u64) -> u64 {
        if self.speed.is_finite() && self.speed > 0.0 {
            (ms as f64 / self.speed).round() as u64
        } else {
            ms
        }
    }
}

/// An HTTP request, as the server received it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GatewayRequest {
    /// HTTP method (`POST`, `GET`, `OPTIONS`, ...).
    pub method: String,
    /// Path without the query (`/gateway.do`).
    pub path: String,
    /// Raw query string without `?` (still percent-encoded).
    pub query: String,
    /// Headers; names compared case-insensitively.
    pub headers: Vec<(String, String)>,
    /// Raw body bytes.
    pub body: Vec<u8>,
}

impl GatewayRequest {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What to send back, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers (CORS included).
    pub headers: Vec<(String, String)>,
    /// Body bytes (already damaged if a body-level fault applies).
    pub body: Vec<u8>,
    /// Wait this long before answering.
    pub delay_ms: u64,
    /// The fault applied to this answer, if any. The server must act on
    /// transport faults ([`Fault::is_transport`]): [`Fault::DropConnection`]
    /// and [`Fault::LostRequest`] close the connection without a response;
    /// [`Fault::CloseMidBody`] sends the headers and half the body, then
    /// closes.
    pub fault: Option<Fault>,
}

impl GatewayResponse {
    fn new(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        GatewayResponse {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body,
            delay_ms: 0,
            fault: None,
        }
    }

    fn json(status: u16, value: &Value) -> Self {
        GatewayResponse::new(
            status,
            "application/json;charset=utf-8",
            value.to_string().into_bytes(),
        )
    }
}

/// A control-injected fault waiting for calls of a method.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FaultRule {
    method: String,
    fault: Fault,
    remaining: u32,
    delay_ms: Option<u64>,
}

/// The sandbox's own "Alipay" key pair, certificate and SNs.
struct AlipayIdentity {
    key: PrivateKey,
    public_pem: String,
    cert_sn: &'static str,
}

/// The simulated Alipay gateway: registered apps, trade state, scenarios,
/// faults. Not `Debug` (holds a private key).
pub struct Gateway {
    config: GatewayConfig,
    alipay: AlipayIdentity,
    apps: HashMap<String, PublicKey>,
    store: TradeStore,
    faults: Vec<FaultRule>,
    clock_offset_ms: u64,
}

/// Why a gateway request is refused before any business logic.
struct Refusal {
    code: &'static str,
    msg: &'static str,
    sub_code: &'static str,
    sub_msg: String,
}

fn missing(sub_code: &'static str, sub_msg: &str) -> Refusal {
    Refusal {
        code: "40001",
        msg: "Missing Required Arguments",
        sub_code,
        sub_msg: sub_msg.into(),
    }
}

fn invalid(sub_code: &'static str, sub_msg: &str) -> Refusal {
    Refusal {
        code: "40002",
        msg: "Invalid Arguments",
        sub_code,
        sub_msg: sub_msg.into(),
    }
}

impl Refusal {
    fn object(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("code".into(), self.code.into());
        m.insert("msg".into(), self.msg.into());
        m.insert("sub_code".into(), self.sub_code.into());
        m.insert("sub_msg".into(), self.sub_msg.clone().into());
        m
    }
}

/// How an answer is signed.
#[derive(Clone, Copy)]
struct Signing {
    sign_type: SignType,
    charset: Charset,
    cert_mode: bool,
}

/// Finds a parameter's raw value in an undecoded form string (ASCII keys).
fn raw_param<'a>(form: &'a str, key: &str) -> Option<&'a str> {
    form.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == key).then_some(v)
    })
}

impl Gateway {
    /// A gateway with the built-in sandbox "Alipay" key and no apps.
    pub fn new(config: GatewayConfig) -> Result<Gateway> {
        if !(config.speed.is_finite() && config.speed > 0.0) {
            return Err(Error::invalid_argument(
                "speed",
                "speed must be a positive number",
            ));
        }
        let key = PrivateKey::parse(crate::SANDBOX_ALIPAY_PRIVATE_KEY_PEM)?;
        Ok(Gateway {
            config,
            alipay: AlipayIdentity {
                key,
                public_pem: crate::SANDBOX_ALIPAY_PUBLIC_KEY_PEM.trim_end().to_string(),
                cert_sn: crate::SANDBOX_ALIPAY_CERT_SN,
            },
            apps: HashMap::new(),
            store: TradeStore::new(),
            faults: Vec::new(),
            clock_offset_ms: 0,
        })
    }

    /// A gateway with the default config and the built-in demo app.
    pub fn with_demo_app() -> Result<Gateway> {
        let mut g = Gateway::new(GatewayConfig::default())?;
        g.register_demo_app()?;
        Ok(g)
    }

    /// Registers the demo app ([`crate::DEMO_APP_ID`]).
    pub fn register_demo_app(&mut self) -> Result<()> {
        let key = PublicKey::parse(crate::DEMO_APP_PUBLIC_KEY_PEM)?;
        self.register_app(crate::DEMO_APP_ID, key);
        Ok(())
    }

    /// Registers (or replaces) an app and the public key that verifies its
    /// requests.
    pub fn register_app(&mut self, app_id: &str, key: PublicKey) {
        self.apps.insert(app_id.to_string(), key);
    }

    /// Registered app ids, sorted.
    pub fn app_ids(&self) -> Vec<String> {
        let mut v: Vec<String> = self.apps.keys().cloned().collect();
        v.sort();
        v
    }

    /// The configuration.
    pub fn config(&self) -> &GatewayConfig {
        &self.config
    }

    /// The sandbox "Alipay" public key (SPKI PEM) that verifies every answer.
    pub fn alipay_public_key_pem(&self) -> &str {
        &self.alipay.public_pem
    }

    /// The trade store (for tests and tools).
    pub fn store(&mut self) -> &mut TradeStore {
        &mut self.store
    }

    /// Makes the next `times` answers to `method` (`*` = any method) suffer
    /// `fault`. For [`Fault::Slow`], `delay_ms` is the exact delay (not
    /// scaled); without it the scaled slow delay applies.
    pub fn inject_fault(&mut self, method: &str, fault: Fault, times: u32, delay_ms: Option<u64>) {
        if times > 0 {
            self.faults.push(FaultRule {
                method: method.to_string(),
                fault,
                remaining: times,
                delay_ms,
            });
        }
    }

    /// Forgets every trade, used code, injected fault and clock offset.
    pub fn reset(&mut self) {
        self.store = TradeStore::new();
        self.faults.clear();
        self.clock_offset_ms = 0;
    }

    /// Moves the business clock (trade times, delays, cancel window) forward.
    /// Request `timestamp` checks keep using the real clock.
    pub fn advance_clock(&mut self, ms: u64) -> u64 {
        self.clock_offset_ms = self.clock_offset_ms.saturating_add(ms);
        self.clock_offset_ms
    }

    /// Handles one HTTP request at `now_ms` (epoch milliseconds).
    pub fn handle(&mut self, request: GatewayRequest, now_ms: u64) -> GatewayResponse {
        let mut resp = if request.method.eq_ignore_ascii_case("OPTIONS") {
            let mut r = GatewayResponse::new(204, "text/plain", Vec::new());
            r.headers.clear();
            r
        } else {
            self.route(&request, now_ms)
        };
        let allow_headers = request
            .header("access-control-request-headers")
            .filter(|h| !h.is_empty())
            .unwrap_or("content-type")
            .to_string();
        resp.headers.extend([
            ("access-control-allow-origin".to_string(), "*".to_string()),
            (
                "access-control-allow-methods".to_string(),
                "GET, POST, DELETE, OPTIONS".to_string(),
            ),
            ("access-control-allow-headers".to_string(), allow_headers),
            ("access-control-max-age".to_string(), "600".to_string()),
        ]);
        resp
    }

    fn route(&mut self, req: &GatewayRequest, now_ms: u64) -> GatewayResponse {
        let path = req.path.trim_end_matches('/');
        let method = req.method.to_ascii_uppercase();
        match (method.as_str(), path) {
            ("POST" | "GET", "/gateway.do") => self.gateway(req, now_ms),
            (_, "/gateway.do") => not_allowed(),
            ("GET", "/__sandbox") => GatewayResponse::json(
                200,
                &json!({
                    "alipayPublicKey": self.alipay.public_pem,
                    "alipayCertSn": self.alipay.cert_sn,
                    "apps": self.app_ids(),
                    "methods": METHODS,
                    "faults": Fault::ALL.iter().map(|f| f.name()).collect::<Vec<_>>(),
                    "speed": self.config.speed,
                    "clockOffsetMs": self.clock_offset_ms,
                }),
            ),
            ("POST", "/__sandbox/reset") => {
                self.reset();
                GatewayResponse::json(200, &json!({"ok": true}))
            }
            ("POST", "/__sandbox/clock") => match parse_json_body(&req.body) {
                Ok(v) => match v.get("advance_ms").and_then(Value::as_u64) {
                    Some(ms) => {
                        let offset = self.advance_clock(ms);
                        GatewayResponse::json(200, &json!({"ok": true, "offset_ms": offset}))
                    }
                    None => bad_request("advance_ms (a non-negative integer) is required"),
                },
                Err(e) => bad_request(&e),
            },
            ("GET", "/__sandbox/faults") => GatewayResponse::json(200, &self.faults_json()),
            ("DELETE", "/__sandbox/faults") => {
                self.faults.clear();
                GatewayResponse::json(200, &self.faults_json())
            }
            ("POST", "/__sandbox/faults") => self.control_fault(&req.body),
            ("GET", "/__sandbox/trades") => {
                let now = now_ms.saturating_add(self.clock_offset_ms);
                let trades: Vec<Value> = self.store.all(now).iter().map(|t| t.to_json()).collect();
                GatewayResponse::json(200, &json!({ "trades": trades }))
            }
            ("GET", p) if p.starts_with("/__sandbox/trades/") => {
                let out_trade_no = &p["/__sandbox/trades/".len()..];
                let app_id = raw_param(&req.query, "app_id").map(str::to_string);
                let now = now_ms.saturating_add(self.clock_offset_ms);
                match self.store.inspect(app_id.as_deref(), out_trade_no, now) {
                    Some(t) => GatewayResponse::json(200, &t.to_json()),
                    None => GatewayResponse::json(404, &json!({"error": "trade not found"})),
                }
            }
            (_, p) if p == "/__sandbox" || p.starts_with("/__sandbox/") => not_allowed(),
            _ => GatewayResponse::json(
                404,
                &json!({"error": "not found; the gateway is /gateway.do"}),
            ),
        }
    }

    fn faults_json(&self) -> Value {
        json!({
            "pending": self.faults.iter().map(|r| json!({
                "method": r.method,
                "fault": r.fault.name(),
                "remaining": r.remaining,
                "delay_ms": r.delay_ms,
            })).collect::<Vec<_>>()
        })
    }

    fn control_fault(&mut self, body: &[u8]) -> GatewayResponse {
        let v = match parse_json_body(body) {
            Ok(v) => v,
            Err(e) => return bad_request(&e),
        };
        let method = v.get("method").and_then(Value::as_str).unwrap_or("*");
        if method != "*" && !METHODS.contains(&method) {
            return bad_request(&format!(
                "unknown method {method:?}; use one of {METHODS:?} or \"*\""
            ));
        }
        let fault = match v
            .get("fault")
            .and_then(Value::as_str)
            .map(str::parse::<Fault>)
        {
            Some(Ok(f)) => f,
            Some(Err(e)) => return bad_request(&e),
            None => return bad_request("fault is required"),
        };
        let times = match v.get("times") {
            None | Some(Value::Null) => 1,
            Some(t) => match t.as_u64().and_then(|t| u32::try_from(t).ok()) {
                Some(t) => t,
                None => return bad_request("times must be a non-negative integer"),
            },
        };
        let delay_ms = match v.get("delay_ms") {
            None | Some(Value::Null) => None,
            Some(d) => match d.as_u64() {
                Some(d) => Some(d),
                None => return bad_request("delay_ms must be a non-negative integer"),
            },
        };
        self.inject_fault(method, fault, times, delay_ms);
        let mut out = self.faults_json();
        if let Value::Object(m) = &mut out {
            m.insert("ok".into(), true.into());
        }
        GatewayResponse::json(200, &out)
    }

    fn gateway(&mut self, req: &GatewayRequest, now_ms: u64) -> GatewayResponse {
        // The charset comes from the query string (the real gateway insists);
        // a body-only charset and the content-type are accepted as fallbacks.
        let body_is_form = req
            .header("content-type")
            .map(|ct| {
                ct.to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
            })
            .unwrap_or(true);
        let body_text = String::from_utf8_lossy(&req.body);
        let charset_name = raw_param(&req.query, "charset")
            .or_else(|| {
                req.header("content-type").and_then(|ct| {
                    ct.split(';')
                        .find_map(|p| p.trim().strip_prefix("charset="))
                })
            })
            .or_else(|| {
                body_is_form
                    .then(|| raw_param(&body_text, "charset"))
                    .flatten()
            })
            .map(str::to_string);
        let charset = match charset_name.as_deref().filter(|c| !c.is_empty()) {
            None => Charset::Utf8,
            Some(name) => match Charset::parse(name) {
                Ok(c) => c,
                Err(_) => {
                    return self.finish(
                        None,
                        Reply::from_refusal(&invalid("isv.invalid-charset", "无效的字符集")),
                        None,
                    )
                }
            },
        };
        let mut params = match decode_pairs(req.query.as_bytes(), charset) {
            Ok(p) => p,
            Err(_) => {
                return self.finish(
                    None,
                    Reply::from_refusal(&invalid("isv.invalid-charset", "参数编码与charset不一致")),
                    None,
                )
            }
        };
        if body_is_form && !req.body.is_empty() {
            match decode_pairs(&req.body, charset) {
                Ok(p) => params.extend(p),
                Err(_) => {
                    return self.finish(
                        None,
                        Reply::from_refusal(&invalid(
                            "isv.invalid-charset",
                            "参数编码与charset不一致",
                        )),
                        None,
                    )
                }
            }
        }
        let get = |k: &str| {
            params
                .iter()
                .find(|(key, v)| key == k && !v.is_empty())
                .map(|(_, v)| v.as_str())
        };

        let Some(method) = get("method") else {
            let r = missing("isv.missing-method", "缺少方法名参数");
            return self.finish(None, Reply::from_refusal(&r), None);
        };
        if !METHODS.contains(&method) {
            let r = invalid("isv.invalid-method", "不存在的方法名");
            return self.finish(None, Reply::from_refusal(&r), None);
        }
        let method = method.to_string();
        if let Some(i) = self.next_rule(&method) {
            if self.faults[i].fault == Fault::LostRequest {
                self.consume_rule(i);
                let mut r = GatewayResponse::new(200, "text/plain", Vec::new());
                r.fault = Some(Fault::LostRequest);
                return r;
            }
        }
        let unsigned = |this: &mut Gateway, r: Refusal| {
            this.finish(Some(&method), Reply::from_refusal(&r), None)
        };
        let Some(app_id) = get("app_id").map(str::to_string) else {
            return unsigned(self, missing("isv.missing-app-id", "缺少AppID参数"));
        };
        let Some(app_key) = self.apps.get(&app_id).cloned() else {
            return unsigned(self, invalid("isv.invalid-app-id", "无效的AppID参数"));
        };

        // From here on the app is known: answers are signed.
        let mut signing = Signing {
            sign_type: SignType::Rsa2,
            charset,
            cert_mode: get("app_cert_sn").is_some(),
        };
        let checked = (|| -> std::result::Result<(), Refusal> {
            let sign_type = get("sign_type")
                .ok_or_else(|| missing("isv.missing-signature-type", "缺少签名类型参数"))?;
            signing.sign_type = SignType::parse(sign_type)
                .ok()
                .filter(|_| sign_type == "RSA2" || sign_type == "RSA")
                .ok_or_else(|| invalid("isv.invalid-signature-type", "无效的签名类型"))?;
            let sign =
                get("sign").ok_or_else(|| missing("isv.missing-signature", "缺少签名参数"))?;
            let timestamp = get("timestamp")
                .ok_or_else(|| missing("isv.missing-timestamp", "缺少时间戳参数"))?;
            let ts = parse_timestamp(timestamp)
                .ok_or_else(|| invalid("isv.invalid-timestamp", "非法的时间戳参数"))?;
            if ts.abs_diff(now_ms) > self.config.timestamp_tolerance_ms {
                return Err(invalid("isv.invalid-timestamp", "非法的时间戳参数"));
            }
            let version =
                get("version").ok_or_else(|| missing("isv.missing-version", "缺少版本参数"))?;
            if version != "1.0" {
                return Err(invalid("isv.invalid-version", "无效的版本号"));
            }
            if let Some(format) = get("format") {
                if !format.eq_ignore_ascii_case("json") {
                    return Err(invalid("isv.invalid-format", "无效的数据格式"));
                }
            }
            let content = sign_content(
                params
                    .iter()
                    .filter(|(k, _)| k != "sign")
                    .map(|(k, v)| (k.as_str(), v.as_str())),
            );
            let verified = charset
                .encode(&content)
                .ok()
                .map(|bytes| verify_base64(&bytes, sign, &app_key, signing.sign_type).is_ok())
                .unwrap_or(false);
            if !verified {
                return Err(invalid(
                    "isv.invalid-signature",
                    &format!(
                        "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：{}",
                        content.replace('&', "&amp;")
                    ),
                ));
            }
            if get("encrypt_type").is_some() {
                return Err(Refusal {
                    code: "40003",
                    msg: "Insufficient Conditions",
                    sub_code: "isv.missing-encrypt-key",
                    sub_msg: "沙箱应用未配置接口内容加密密钥".into(),
                });
            }
            Ok(())
        })();
        if let Err(r) = checked {
            return self.finish(Some(&method), Reply::from_refusal(&r), Some(signing));
        }

        let biz: Map<String, Value> = match get("biz_content").map(serde_json::from_str::<Value>) {
            Some(Ok(Value::Object(m))) => m,
            Some(_) => {
                let r = Reply::from_object(business_error(
                    "ACQ.INVALID_PARAMETER",
                    "参数无效: biz_content must be a JSON object",
                ));
                return self.finish(Some(&method), r, Some(signing));
            }
            None => {
                let r = Reply::from_object(business_error(
                    "ACQ.INVALID_PARAMETER",
                    "参数无效: biz_content is required",
                ));
                return self.finish(Some(&method), r, Some(signing));
            }
        };
        let ctx = Ctx {
            app_id: &app_id,
            now_ms: now_ms.saturating_add(self.clock_offset_ms),
            config: &self.config,
        };
        let reply = match method.as_str() {
            "alipay.trade.pay" => self.store.pay(&ctx, &biz),
            "alipay.trade.query" => self.store.query(&ctx, &biz),
            "alipay.trade.cancel" => self.store.cancel(&ctx, &biz),
            "alipay.trade.close" => self.store.close(&ctx, &biz),
            "alipay.trade.refund" => self.store.refund(&ctx, &biz),
            _ => self.store.refund_query(&ctx, &biz),
        };
        self.finish(Some(&method), reply, Some(signing))
    }

    /// Serializes, signs, and applies faults (code-selected or injected).
    fn finish(
        &mut self,
        method: Option<&str>,
        reply: Reply,
        signing: Option<Signing>,
    ) -> GatewayResponse {
        let node = match method {
            Some(m) => format!("{}_response", m.replace('.', "_")),
            None => "error_response".to_string(),
        };
        let mut fault = reply.fault;
        let mut delay_ms = reply.delay_ms;
        let mut object = reply.object;
        if let Some(i) = method.and_then(|m| self.next_rule(m)) {
            let rule = self.consume_rule(i);
            fault = Some(rule.fault);
            if rule.fault == Fault::Slow {
                delay_ms += rule
                    .delay_ms
                    .unwrap_or_else(|| self.config.scaled(self.config.slow_delay_ms));
            }
            if rule.fault == Fault::SystemError {
                object = business_error("ACQ.SYSTEM_ERROR", "系统异常");
                if method == Some("alipay.trade.cancel") {
                    object.insert("retry_flag".into(), "Y".into());
                }
            }
        }
        let content = Value::Object(object.clone()).to_string();
        let charset = signing.map(|s| s.charset).unwrap_or(Charset::Utf8);
        let mut top = format!("{{\"{node}\":{content}");
        if let Some(s) = signing {
            let message = match fault {
                Some(Fault::BadSignature) => format!("{content} "),
                _ => content.clone(),
            };
            match self.sign(&message, s) {
                Ok(sig) if fault != Some(Fault::Unsigned) => {
                    if s.cert_mode {
                        top.push_str(&format!(",\"alipay_cert_sn\":\"{}\"", self.alipay.cert_sn));
                    }
                    top.push_str(&format!(",\"sign\":\"{sig}\""));
                }
                Ok(_) => {}
                Err(e) => {
                    return GatewayResponse::json(
                        500,
                        &json!({"error": format!("sandbox could not sign: {}", e.code())}),
                    )
                }
            }
        }
        if fault == Some(Fault::DuplicateNode) {
            let forged = Value::Object(forge_success(&object, method.unwrap_or("")));
            top.push_str(&format!(",\"{node}\":{forged}"));
        }
        top.push('}');
        if fault == Some(Fault::UnsignedError) {
            top = format!(
                "{{\"{node}\":{}}}",
                json!({
                    "code": "20000",
                    "msg": "Service Currently Unavailable",
                    "sub_code": "isp.unknow-error",
                    "sub_msg": "系统繁忙",
                })
            );
        }
        let (body, charset) = match charset.encode(&top) {
            Ok(b) => (b.into_owned(), charset),
            Err(_) => (top.into_bytes(), Charset::Utf8),
        };
        let content_type = format!("application/json;charset={}", charset.as_str());
        let mut resp = GatewayResponse::new(200, &content_type, body);
        resp.delay_ms = delay_ms;
        resp.fault = fault;
        match fault {
            Some(Fault::Http5xx) => {
                resp.status = 502;
                resp.headers = vec![("content-type".into(), "text/html;charset=utf-8".into())];
                resp.body = HTML_502.as_bytes().to_vec();
            }
            Some(Fault::NonJson) => {
                resp.headers = vec![("content-type".into(), "text/html;charset=utf-8".into())];
                resp.body = HTML_BUSY.as_bytes().to_vec();
            }
            Some(Fault::TruncatedBody) => {
                let half = resp.body.len() / 2;
                resp.body.truncate(half);
            }
            _ => {}
        }
        resp
    }

    /// Index of the first pending fault rule for `method`.
    fn next_rule(&self, method: &str) -> Option<usize> {
        self.faults
            .iter()
            .position(|r| r.method == method || r.method == "*")
    }

    /// Uses one occurrence of rule `i`, removing it when exhausted.
    fn consume_rule(&mut self, i: usize) -> FaultRule {
        let rule = &mut self.faults[i];
        rule.remaining = rule.remaining.saturating_sub(1);
        let copy = rule.clone();
        if rule.remaining == 0 {
            self.faults.remove(i);
        }
        copy
    }

    fn sign(&self, content: &str, s: Signing) -> Result<String> {
        let bytes = s
            .charset
            .encode(content)
            .unwrap_or(std::borrow::Cow::Borrowed(content.as_bytes()));
        let sig = self.alipay.key.sign(&bytes, s.sign_type)?;
        Ok(base64::engine::general_purpose::STANDARD.encode(sig))
    }
}

impl Reply {
    fn from_refusal(r: &Refusal) -> Reply {
        Reply::from_object(r.object())
    }

    fn from_object(object: Map<String, Value>) -> Reply {
        Reply {
            object,
            delay_ms: 0,
            fault: None,
        }
    }
}

/// The forged node of [`Fault::DuplicateNode`]: the real answer turned into
/// a success.
fn forge_success(real: &Map<String, Value>, method: &str) -> Map<String, Value> {
    let mut m = real.clone();
    m.insert("code".into(), "10000".into());
    m.insert("msg".into(), "Success".into());
    m.remove("sub_code");
    m.remove("sub_msg");
    match method {
        "alipay.trade.query" => {
            m.insert("trade_status".into(), "TRADE_SUCCESS".into());
        }
        "alipay.trade.cancel" => {
            m.insert("retry_flag".into(), "N".into());
            m.insert("action".into(), "close".into());
        }
        "alipay.trade.refund" => {
            m.insert("fund_change".into(), "Y".into());
        }
        "alipay.trade.fastpay.refund.query" => {
            m.insert("refund_status".into(), "REFUND_SUCCESS".into());
        }
        _ => {}
    }
    m.insert("sandbox_forged".into(), true.into());
    m
}

fn parse_json_body(body: &[u8]) -> std::result::Result<Value, String> {
    if body.is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice(body).map_err(|e| format!("body is not JSON: {e}"))
}

fn bad_request(message: &str) -> GatewayResponse {
    GatewayResponse::json(400, &json!({"error": message}))
}

fn not_allowed() -> GatewayResponse {
    GatewayResponse::json(405, &json!({"error": "method not allowed"}))
}

const HTML_502: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>sandbox</center>\r\n</body>\r\n</html>\r\n";

const HTML_BUSY: &str = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>系统繁忙</title></head><body><h1>系统繁忙，请稍后再试</h1><p>alipay-f2f sandbox: non_json fault</p></body></html>";

#[cfg(test)]
mod tests {
    use super::*;
    use alipay_f2f_core::request::{Signer, SignerConfig};
    use alipay_f2f_core::response::Verifier;

    /// 2024-01-02 15:04:05 UTC+8.
    const T0: u64 = 1_704_179_045_000;

    fn signer(app_id: &str) -> Signer {
        Signer::new(
            SignerConfig::new(app_id),
            PrivateKey::parse(crate::DEMO_APP_PRIVATE_KEY_PEM).unwrap(),
            None,
        )
        .unwrap()
    }

    fn request(method: &str, biz: &Value, signed_at: u64) -> GatewayRequest {
        let req = signer(crate::DEMO_APP_ID)
            .build_request(method, &biz.to_string(), signed_at)
            .unwrap();
        let (path, query) = req
            .url
            .strip_prefix("https://openapi.alipay.com")
            .unwrap()
            .split_once('?')
            .unwrap();
        GatewayRequest {
            method: "POST".into(),
            path: path.into(),
            query: query.into(),
            headers: req.headers,
            body: req.body,
        }
    }

    fn call(g: &mut Gateway, method: &str, biz: Value, now: u64) -> Map<String, Value> {
        let resp = g.handle(request(method, &biz, now), now);
        assert_eq!(resp.status, 200);
        let body = String::from_utf8(resp.body).unwrap();
        let key = PublicKey::parse(crate::SANDBOX_ALIPAY_PUBLIC_KEY_PEM).unwrap();
        Verifier::new(key, SignType::Rsa2)
            .verify(&body, method)
            .unwrap_or_else(|e| panic!("{e}: {body}"))
            .object
    }

    fn pay(g: &mut Gateway, out: &str, code: &str, now: u64) -> Map<String, Value> {
        let biz =
            json!({"out_trade_no": out, "auth_code": code, "subject": "s", "total_amount": "1.00"});
        call(g, "alipay.trade.pay", biz, now)
    }

    fn status(g: &mut Gateway, out: &str, now: u64) -> String {
        let q = call(g, "alipay.trade.query", json!({"out_trade_no": out}), now);
        q.get("trade_status")
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("{q:?}"))
            .to_string()
    }

    #[test]
    fn answer_has_the_real_shape_and_deterministic_trade_no() {
        let mut g = Gateway::with_demo_app().unwrap();
        let resp = g.handle(
            request(
                "alipay.trade.pay",
                &json!({"out_trade_no": "A1", "auth_code": "280000000000000001", "subject": "s", "total_amount": "1"}),
                T0,
            ),
            T0,
        );
        let body = String::from_utf8(resp.body).unwrap();
        assert!(body.starts_with("{\"alipay_trade_pay_response\":{\"code\":\"10000\",\"msg\":\"Success\",\"trade_no\":\"2024010222000000000000000001\""), "{body}");
        assert!(
            body.contains("}},\"sign\":\"") || body.contains("},\"sign\":\""),
            "{body}"
        );
        assert!(body.ends_with("\"}"));
        assert!(
            body.contains("\"gmt_payment\":\"2024-01-02 15:04:05\""),
            "{body}"
        );
        assert_eq!(
            resp.headers[0],
            (
                "content-type".to_string(),
                "application/json;charset=utf-8".to_string()
            )
        );
        assert!(resp
            .headers
            .contains(&("access-control-allow-origin".to_string(), "*".to_string())));
        assert_eq!(resp.delay_ms, 0);
        assert_eq!(resp.fault, None);
    }

    #[test]
    fn timestamp_tolerance_boundaries() {
        let mut g = Gateway::with_demo_app().unwrap();
        let tol = g.config().timestamp_tolerance_ms;
        let biz = json!({"out_trade_no": "none"});
        for (signed_at, ok) in [
            (T0 - tol, true),
            (T0 + tol, true),
            (T0 - tol - 1000, false),
            (T0 + tol + 1000, false),
        ] {
            let resp = g.handle(request("alipay.trade.query", &biz, signed_at), T0);
            let body = String::from_utf8(resp.body).unwrap();
            assert_eq!(
                !body.contains("isv.invalid-timestamp"),
                ok,
                "{signed_at}: {body}"
            );
        }
    }

    #[test]
    fn password_and_buyer_cancel_transitions_are_exact_and_scaled() {
        let config = GatewayConfig {
            speed: 2.0,
            ..GatewayConfig::default()
        };
        let mut g = Gateway::new(config).unwrap();
        g.register_demo_app().unwrap();
        assert_eq!(pay(&mut g, "P1", "281000000000000001", T0)["code"], "10003");
        assert_eq!(status(&mut g, "P1", T0 + 3_999), "WAIT_BUYER_PAY");
        assert_eq!(status(&mut g, "P1", T0 + 4_000), "TRADE_SUCCESS");
        let q = call(
            &mut g,
            "alipay.trade.query",
            json!({"out_trade_no": "P1"}),
            T0 + 9_000,
        );
        assert_eq!(q["send_pay_date"], "2024-01-02 15:04:09");
        // 28810… = 10 s at speed 2 = 5 s
        assert_eq!(pay(&mut g, "P2", "288100000000000001", T0)["code"], "10003");
        assert_eq!(status(&mut g, "P2", T0 + 4_999), "WAIT_BUYER_PAY");
        assert_eq!(status(&mut g, "P2", T0 + 5_000), "TRADE_CLOSED");
        // Cancelling before the buyer confirms wins: never paid afterwards.
        assert_eq!(pay(&mut g, "P3", "281000000000000003", T0)["code"], "10003");
        let c = call(
            &mut g,
            "alipay.trade.cancel",
            json!({"out_trade_no": "P3"}),
            T0 + 1_000,
        );
        assert_eq!(c["action"], "close");
        assert_eq!(status(&mut g, "P3", T0 + 60_000), "TRADE_CLOSED");
        // The slow scenario asks the server to wait (20 s at speed 2).
        let resp = g.handle(
            request(
                "alipay.trade.pay",
                &json!({"out_trade_no": "P4", "auth_code": "286000000000000001", "subject": "s", "total_amount": "1"}),
                T0,
            ),
            T0,
        );
        assert_eq!(resp.delay_ms, 10_000);
    }

    #[test]
    fn timeout_express_closes_and_cancel_window_is_24h() {
        let mut g = Gateway::with_demo_app().unwrap();
        let biz = json!({"out_trade_no": "E1", "auth_code": "282000000000000001", "subject": "s", "total_amount": "1", "timeout_express": "2m"});
        assert_eq!(
            call(&mut g, "alipay.trade.pay", biz.clone(), T0)["code"],
            "10003"
        );
        assert_eq!(status(&mut g, "E1", T0 + 119_999), "WAIT_BUYER_PAY");
        assert_eq!(status(&mut g, "E1", T0 + 120_000), "TRADE_CLOSED");
        let again = call(&mut g, "alipay.trade.pay", biz, T0 + 130_000);
        assert_eq!(again["sub_code"], "ACQ.TRADE_HAS_CLOSE");

        assert_eq!(pay(&mut g, "E2", "280000000000000002", T0)["code"], "10000");
        // Exactly 24 h: still allowed (through the business clock offset).
        g.advance_clock(24 * 3_600_000);
        let c = call(
            &mut g,
            "alipay.trade.cancel",
            json!({"out_trade_no": "E2"}),
            T0,
        );
        assert_eq!(c["action"], "refund");
        assert_eq!(pay(&mut g, "E3", "280000000000000003", T0)["code"], "10000");
        let c = call(
            &mut g,
            "alipay.trade.cancel",
            json!({"out_trade_no": "E3"}),
            T0 + 24 * 3_600_000 + 1,
        );
        assert_eq!(c["sub_code"], "ACQ.TRADE_CANCEL_TIME_OUT");
    }

    #[test]
    fn get_with_every_param_in_the_query_works() {
        let mut g = Gateway::with_demo_app().unwrap();
        let mut req = request("alipay.trade.query", &json!({"out_trade_no": "G1"}), T0);
        let body = String::from_utf8(std::mem::take(&mut req.body)).unwrap();
        req.query = format!("{}&{}", req.query, body);
        req.method = "GET".into();
        req.headers.clear();
        let resp = g.handle(req, T0);
        let body = String::from_utf8(resp.body).unwrap();
        assert!(body.contains("ACQ.TRADE_NOT_EXIST"), "{body}");
    }

    #[test]
    fn routing_errors_and_preflight() {
        let mut g = Gateway::with_demo_app().unwrap();
        let get = |method: &str, path: &str| GatewayRequest {
            method: method.into(),
            path: path.into(),
            ..GatewayRequest::default()
        };
        assert_eq!(g.handle(get("GET", "/"), T0).status, 404);
        assert_eq!(g.handle(get("PUT", "/gateway.do"), T0).status, 405);
        assert_eq!(g.handle(get("PUT", "/__sandbox/reset"), T0).status, 405);
        let pre = g.handle(get("OPTIONS", "/anything"), T0);
        assert_eq!(pre.status, 204);
        assert!(pre.body.is_empty());
        let mut bad = get("POST", "/__sandbox/faults");
        bad.body = b"not json".to_vec();
        assert_eq!(g.handle(bad, T0).status, 400);
    }

    #[test]
    fn injected_faults_count_down_and_transform_the_body() {
        let mut g = Gateway::with_demo_app().unwrap();
        g.inject_fault("alipay.trade.query", Fault::DuplicateNode, 1, None);
        g.inject_fault("*", Fault::DropConnection, 1, None);
        let q = json!({"out_trade_no": "F1"});
        let r = g.handle(request("alipay.trade.query", &q, T0), T0);
        let body = String::from_utf8(r.body).unwrap();
        assert_eq!(
            body.matches("\"alipay_trade_query_response\"").count(),
            2,
            "{body}"
        );
        assert!(body.contains("\"trade_status\":\"TRADE_SUCCESS\""));
        assert_eq!(r.fault, Some(Fault::DuplicateNode));
        let r = g.handle(request("alipay.trade.cancel", &q, T0), T0);
        assert_eq!(r.fault, Some(Fault::DropConnection));
        let r = g.handle(request("alipay.trade.query", &q, T0), T0);
        assert_eq!(r.fault, None);
        g.inject_fault("alipay.trade.query", Fault::Slow, 1, Some(1234));
        assert_eq!(
            g.handle(request("alipay.trade.query", &q, T0), T0).delay_ms,
            1234
        );
        g.inject_fault("alipay.trade.query", Fault::TruncatedBody, 0, None);
        assert_eq!(
            g.handle(request("alipay.trade.query", &q, T0), T0).fault,
            None
        );
    }

    #[test]
    fn speed_must_be_positive() {
        for speed in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let config = GatewayConfig {
                speed,
                ..GatewayConfig::default()
            };
            assert!(Gateway::new(config).is_err(), "{speed}");
        }
        let c = GatewayConfig {
            speed: 4.0,
            ..GatewayConfig::default()
        };
        assert_eq!(c.scaled(8_000), 2_000);
    }
    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn any_value() -> impl Strategy<Value = Value> {
            prop_oneof![
                any::<String>().prop_map(Value::from),
                "[0-9]{0,20}(\\.[0-9]{0,3})?".prop_map(Value::from),
                "2[0-9]{15,19}".prop_map(Value::from),
                any::<i64>().prop_map(Value::from),
                any::<f64>()
                    .prop_filter("finite", |f| f.is_finite())
                    .prop_map(Value::from),
                Just(Value::Null),
                Just(json!([1, "a"])),
                Just(json!({"k": "v"})),
            ]
        }

        fn any_biz() -> impl Strategy<Value = Map<String, Value>> {
            let keys = prop::sample::select(vec![
                "out_trade_no",
                "trade_no",
                "auth_code",
                "scene",
                "subject",
                "total_amount",
                "refund_amount",
                "out_request_no",
                "timeout_express",
                "time_expire",
                "product_code",
                "store_id",
                "refund_reason",
            ]);
            prop::collection::btree_map(keys, any_value(), 0..8)
                .prop_map(|m| m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]

            #[test]
            fn raw_garbage_never_panics(
                method in prop::sample::select(vec!["GET", "POST", "OPTIONS", "DELETE", "PUT"]),
                path in prop::sample::select(vec!["/gateway.do", "/__sandbox", "/__sandbox/faults",
                    "/__sandbox/trades", "/__sandbox/trades/x", "/__sandbox/clock", "/__sandbox/reset", "/x"]),
                query in any::<String>(),
                body in prop::collection::vec(any::<u8>(), 0..200),
            ) {
                let mut g = Gateway::with_demo_app().unwrap();
                let resp = g.handle(GatewayRequest { method: method.into(), path: path.into(), query, headers: vec![], body }, T0);
                prop_assert!([200, 204, 400, 404, 405].contains(&resp.status), "{}", resp.status);
            }

            #[test]
            fn signed_arbitrary_biz_content_gets_a_signed_answer(
                method in prop::sample::select(METHODS.to_vec()),
                biz in any_biz(),
            ) {
                let mut g = Gateway::with_demo_app().unwrap();
                let obj = call(&mut g, method, Value::Object(biz), T0);
                let code = obj.get("code").and_then(Value::as_str).unwrap_or("");
                prop_assert!(["10000", "10003", "20000", "40004"].contains(&code), "{obj:?}");
            }
        }
    }
}
