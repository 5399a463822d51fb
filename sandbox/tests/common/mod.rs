//! Test client: core `Signer` + a raw HTTP/1.1 exchange over a tokio
//! `TcpStream` (so dropped connections and cut bodies are observable as
//! they are) + core `Verifier`.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use alipay_f2f_core::charset::Charset;
use alipay_f2f_core::error::ErrorCode;
use alipay_f2f_core::keys::{PrivateKey, PublicKey};
use alipay_f2f_core::request::{HttpRequest, Signer, SignerConfig};
use alipay_f2f_core::response::{VerifiedResponse, Verifier};
use alipay_f2f_core::sign::SignType;
use alipay_f2f_sandbox::server::now_ms;
use alipay_f2f_sandbox::{Gateway, GatewayConfig, SandboxServer, SANDBOX_ALIPAY_PUBLIC_KEY_PEM};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Shared fixtures directory.
pub const FIXTURES: &str = "/work/shared/fixtures";

/// What came back over the socket.
#[derive(Debug, Clone)]
pub struct Raw {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The announced content-length, if any.
    pub content_length: Option<usize>,
}

impl Raw {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// Whether the body is as long as announced.
    pub fn complete(&self) -> bool {
        self.content_length.is_none_or(|n| n == self.body.len())
    }
}

/// An HTTP exchange: an answer, or a connection closed without one.
#[derive(Debug, Clone)]
pub enum Exchange {
    Answered(Raw),
    Dropped,
}

impl Exchange {
    pub fn raw(self) -> Raw {
        match self {
            Exchange::Answered(r) => r,
            Exchange::Dropped => panic!("connection dropped without a response"),
        }
    }
}

/// One HTTP/1.1 request (with `connection: close` unless `headers` name a
/// connection header); reads until EOF or error.
pub async fn send(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Exchange {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nhost: {addr}\r\ncontent-length: {}\r\n",
        body.len()
    );
    if !headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("connection"))
    {
        head.push_str("connection: close\r\n");
    }
    for (k, v) in headers {
        if !k.eq_ignore_ascii_case("content-length") {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.expect("write head");
    stream.write_all(body).await.expect("write body");
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    // Until EOF; a server that keeps the connection open is cut off after 10 s.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    if buf.is_empty() {
        return Exchange::Dropped;
    }
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("complete response head");
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let content_length = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok());
    Exchange::Answered(Raw {
        status,
        headers,
        body: buf[split + 4..].to_vec(),
        content_length,
    })
}

/// GET/POST a control endpoint and parse the JSON answer.
pub async fn control(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let body = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    let headers = vec![("content-type".to_string(), "application/json".to_string())];
    let raw = send(addr, method, path, &headers, &body).await.raw();
    (raw.status, raw.json())
}

/// A merchant app talking to the sandbox.
pub struct App {
    pub addr: SocketAddr,
    pub signer: Signer,
    pub verifier: Verifier,
    pub charset: Charset,
}

pub fn sandbox_verifier(sign_type: SignType) -> Verifier {
    Verifier::new(
        PublicKey::parse(SANDBOX_ALIPAY_PUBLIC_KEY_PEM).expect("sandbox key"),
        sign_type,
    )
}

impl App {
    pub fn new(addr: SocketAddr, mut config: SignerConfig, private_key_pem: &str) -> App {
        config.gateway = format!("http://{addr}/gateway.do");
        let sign_type = config.sign_type;
        let charset = config.charset;
        let key = PrivateKey::parse(private_key_pem).expect("app key");
        App {
            addr,
            signer: Signer::new(config, key, None).expect("signer"),
            verifier: sandbox_verifier(sign_type),
            charset,
        }
    }

    pub fn demo(addr: SocketAddr) -> App {
        App::new(
            addr,
            SignerConfig::new(alipay_f2f_sandbox::DEMO_APP_ID),
            alipay_f2f_sandbox::DEMO_APP_PRIVATE_KEY_PEM,
        )
    }

    pub fn request(&self, method: &str, biz: &Value, now: u64) -> HttpRequest {
        self.signer
            .build_request(method, &biz.to_string(), now)
            .expect("build request")
    }

    pub async fn send_request(&self, req: &HttpRequest) -> Exchange {
        let target = req
            .url
            .strip_prefix(&format!("http://{}", self.addr))
            .expect("url of this sandbox");
        send(self.addr, req.method, target, &req.headers, &req.body).await
    }

    /// Signs and sends; returns the raw exchange.
    pub async fn call_raw(&self, method: &str, biz: &Value) -> Exchange {
        let req = self.request(method, biz, now_ms());
        self.send_request(&req).await
    }

    /// Signs, sends, verifies; panics unless a verified answer arrives.
    pub async fn call(&self, method: &str, biz: &Value) -> VerifiedResponse {
        let raw = self.call_raw(method, biz).await.raw();
        assert_eq!(raw.status, 200, "{}", raw.text());
        self.verify(&raw, method)
            .unwrap_or_else(|e| panic!("{e}: {}", raw.text()))
    }

    pub fn verify(&self, raw: &Raw, method: &str) -> alipay_f2f_core::Result<VerifiedResponse> {
        self.verifier.verify_bytes(&raw.body, self.charset, method)
    }

    /// The error code of verifying an answer that must not verify.
    pub fn verify_err(&self, raw: &Raw, method: &str) -> ErrorCode {
        match self.verify(raw, method) {
            Ok(v) => panic!("unexpectedly verified: {:?}", v.object),
            Err(e) => e.code(),
        }
    }

    pub async fn pay(&self, out_trade_no: &str, auth_code: &str, amount: &str) -> VerifiedResponse {
        self.call(
            "alipay.trade.pay",
            &pay_biz(out_trade_no, auth_code, amount),
        )
        .await
    }

    pub async fn query(&self, out_trade_no: &str) -> VerifiedResponse {
        self.call(
            "alipay.trade.query",
            &serde_json::json!({ "out_trade_no": out_trade_no }),
        )
        .await
    }

    pub async fn cancel(&self, out_trade_no: &str) -> VerifiedResponse {
        self.call(
            "alipay.trade.cancel",
            &serde_json::json!({ "out_trade_no": out_trade_no }),
        )
        .await
    }
}

pub fn pay_biz(out_trade_no: &str, auth_code: &str, amount: &str) -> Value {
    serde_json::json!({
        "out_trade_no": out_trade_no,
        "scene": "bar_code",
        "auth_code": auth_code,
        "subject": "sandbox test",
        "total_amount": amount,
    })
}

/// A fast config: every scenario delay at most a few hundred ms.
pub fn fast_config() -> GatewayConfig {
    GatewayConfig {
        speed: 40.0,
        ..GatewayConfig::default()
    }
}

/// Starts an in-process server on a free port with the demo app.
pub async fn start(config: GatewayConfig) -> SandboxServer {
    let mut g = Gateway::new(config).expect("gateway");
    g.register_demo_app().expect("demo app");
    SandboxServer::start(g, 0).await.expect("start")
}

/// Waits until `f` holds, polling every 20 ms, at most `max`.
pub async fn eventually<F, Fut>(max: Duration, mut f: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    loop {
        if f().await {
            return true;
        }
        if start.elapsed() > max {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A unique 18-digit sandbox code with the given 4-digit prefix block.
pub fn code(prefix: &str, n: u64) -> String {
    let c = format!("{prefix}{n:0>width$}", width = 18 - prefix.len());
    assert_eq!(c.len(), 18, "{c}");
    c
}

/// Real-time driver of the core flows over this client (`flows_e2e`).
pub mod driver;
