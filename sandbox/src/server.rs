//! HTTP/1.1 server for a [`Gateway`] on 127.0.0.1 (tokio + hyper).
//!
//! The server is a thin shell: it reads a request, asks the gateway (under a
//! mutex) what to answer, waits the asked delay and carries out transport
//! faults: [`Fault::DropConnection`] and [`Fault::LostRequest`] close the
//! socket without any response,
//! [`Fault::CloseMidBody`] sends the headers (with the full
//! `content-length`) and half the body, then closes.

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::gateway::{Gateway, GatewayRequest, GatewayResponse, MAX_BODY};
use crate::scenario::Fault;

/// A running sandbox server. Dropping it without [`SandboxServer::shutdown`]
/// stops accepting connections as well.
pub struct SandboxServer {
    addr: SocketAddr,
    gateway: Arc<Mutex<Gateway>>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

/// Current time in epoch milliseconds.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn lock(gateway: &Mutex<Gateway>) -> MutexGuard<'_, Gateway> {
    gateway
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl SandboxServer {
    /// Binds 127.0.0.1:`port` (`0` = a free port) and starts serving.
    pub async fn start(gateway: Gateway, port: u16) -> std::io::Result<SandboxServer> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
        let addr = listener.local_addr()?;
        let gateway = Arc::new(Mutex::new(gateway));
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, gateway.clone(), stop_rx));
        Ok(SandboxServer {
            addr,
            gateway,
            stop,
            task: Some(task),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The gateway URL, `http://127.0.0.1:PORT/gateway.do`.
    pub fn url(&self) -> String {
        format!("http://{}/gateway.do", self.addr)
    }

    /// The shared gateway (lock it briefly; the server uses the same lock).
    pub fn gateway(&self) -> Arc<Mutex<Gateway>> {
        self.gateway.clone()
    }

    /// The sandbox "Alipay" public key (SPKI PEM).
    pub fn alipay_public_key_pem(&self) -> String {
        lock(&self.gateway).alipay_public_key_pem().to_string()
    }

    /// The one-line JSON ready message:
    /// `{"url":"http://127.0.0.1:PORT/gateway.do","alipayPublicKey":"-----BEGIN PUBLIC KEY-----\n..."}`.
    pub fn ready_line(&self) -> String {
        serde_json::json!({
            "url": self.url(),
            "alipayPublicKey": self.alipay_public_key_pem(),
        })
        .to_string()
    }

    /// Stops accepting, closes open connections and waits for the accept loop.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SandboxServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

async fn accept_loop(
    listener: TcpListener,
    gateway: Arc<Mutex<Gateway>>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    tokio::spawn(serve_connection(stream, gateway.clone(), stop.clone()));
                }
                // Out of file descriptors and the like: back off briefly.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            _ = stop.changed() => break,
        }
    }
}

async fn serve_connection(
    stream: TcpStream,
    gateway: Arc<Mutex<Gateway>>,
    mut stop: watch::Receiver<bool>,
) {
    let service = service_fn(move |req| handle(req, gateway.clone()));
    // One request per connection (`connection: close`): a dropped-connection
    // fault then always hits a fresh connection, which clients (browsers in
    // particular) never resend silently as they may on a reused keep-alive
    // connection. Loopback connections are cheap.
    let conn = http1::Builder::new()
        .keep_alive(false)
        .serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        // A service error (a dropped-connection fault) ends the connection
        // without a response; that is the point, so it is not reported.
        _ = conn => {}
        _ = stop.changed() => {}
    }
}

/// The error that makes hyper close the connection without answering.
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("sandbox fault: drop connection")
    }
}

impl std::error::Error for DropConnection {}

async fn handle(
    req: Request<Incoming>,
    gateway: Arc<Mutex<Gateway>>,
) -> Result<Response<SandboxBody>, DropConnection> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => {
            return Ok(plain(413, "request body too large or unreadable"));
        }
    };
    let request = GatewayRequest {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
    };
    let response = lock(&gateway).handle(request, now_ms());
    if response.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(response.delay_ms)).await;
    }
    if matches!(
        response.fault,
        Some(Fault::DropConnection | Fault::LostRequest)
    ) {
        return Err(DropConnection);
    }
    Ok(to_hyper(response))
}

fn plain(status: u16, text: &str) -> Response<SandboxBody> {
    to_hyper(GatewayResponse {
        status,
        headers: vec![
            ("content-type".into(), "text/plain;charset=utf-8".into()),
            ("access-control-allow-origin".into(), "*".into()),
        ],
        body: text.as_bytes().to_vec(),
        delay_ms: 0,
        fault: None,
    })
}

fn to_hyper(response: GatewayResponse) -> Response<SandboxBody> {
    let full_len = response.body.len();
    let body = if response.fault == Some(Fault::CloseMidBody) {
        let half = Bytes::copy_from_slice(&response.body[..full_len / 2]);
        SandboxBody::Broken(Some(half), None)
    } else {
        SandboxBody::Full(Some(Bytes::from(response.body)))
    };
    let mut builder = Response::builder().status(response.status);
    for (k, v) in &response.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    if response.fault == Some(Fault::CloseMidBody) {
        builder = builder.header("content-length", full_len.to_string());
    }
    builder.body(body).unwrap_or_else(|_| {
        let mut r = Response::new(SandboxBody::Full(Some(Bytes::from_static(
            b"sandbox: invalid response head",
        ))));
        *r.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        r
    })
}

/// A response body: complete, or half of it followed (after a pause that
/// lets hyper flush what it has) by an error, which makes hyper close the
/// connection mid-body.
enum SandboxBody {
    Full(Option<Bytes>),
    Broken(Option<Bytes>, Option<Pin<Box<tokio::time::Sleep>>>),
}

impl hyper::body::Body for SandboxBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.get_mut() {
            SandboxBody::Full(data) => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
            SandboxBody::Broken(data, pause) => {
                if let Some(d) = data.take() {
                    return Poll::Ready(Some(Ok(Frame::data(d))));
                }
                let sleep = pause
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(Duration::from_millis(50))));
                match sleep.as_mut().poll(cx) {
                    Poll::Pending => Poll::Pending,
                    Poll::Ready(()) => Poll::Ready(Some(Err(std::io::Error::new(
                        std::io::ErrorKind::ConnectionAborted,
                        "sandbox fault: close mid body",
                    )))),
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, SandboxBody::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            SandboxBody::Full(Some(d)) => SizeHint::with_exact(d.len() as u64),
            SandboxBody::Full(None) => SizeHint::with_exact(0),
            SandboxBody::Broken(..) => SizeHint::default(),
        }
    }
}
