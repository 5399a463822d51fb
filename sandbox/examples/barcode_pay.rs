//! The Rust-side end-to-end path of alipay-f2f, in one small program:
//!
//! 1. start the offline sandbox gateway in-process (signs its answers with
//!    the sandbox "Alipay" key, keeps real trade state);
//! 2. charge a buyer's payment code that needs the buyer's password with the
//!    sans-IO [`BarcodePay`] flow, printing what a cashier screen shows;
//! 3. refund part of it with the [`Refund`] flow;
//! 4. print the verified outcomes.
//!
//! The flows never touch the network or the clock: this program is their
//! *driver*. It loops `flow.poll(now)`; for each `Call` it signs the request
//! with the core [`Signer`] (demo app key), POSTs it over HTTP with the
//! call's timeout and feeds the raw answer back (the flow verifies it with
//! the [`Verifier`]); it sleeps on `Wait`, shows each `Event`, and stops at
//! `Done`. A POS, a Node backend or a browser drives the same machines the
//! same way.
//!
//! ```text
//! cargo run -p alipay-f2f-sandbox --example barcode_pay
//! ```
//!
//! The keys are the sandbox's public test keys: never use them for anything real.

use std::time::Duration;

use alipay_f2f_core::flow::{
    Action, ApiCall, BarcodePay, Event, Outcome, PayOrder, Policy, Refund, RefundOrder,
    RefundPolicy, TransportError,
};
use alipay_f2f_core::Flow;
use alipay_f2f_core::{PrivateKey, PublicKey, SignType, Signer, SignerConfig, Verifier};
use alipay_f2f_sandbox::server::now_ms;
use alipay_f2f_sandbox::{
    Gateway, GatewayConfig, SandboxServer, DEMO_APP_ID, DEMO_APP_PRIVATE_KEY_PEM,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

type Failure = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    // 1. The sandbox, with the built-in demo app registered.
    let mut gateway = Gateway::new(GatewayConfig::default())?;
    gateway.register_demo_app()?;
    let server = SandboxServer::start(gateway, 0).await?;
    println!("sandbox gateway at {}\n", server.url());

    // The merchant side: the app's signer and the verifier of Alipay's answers.
    let mut config = SignerConfig::new(DEMO_APP_ID);
    config.gateway = server.url();
    let signer = Signer::new(config, PrivateKey::parse(DEMO_APP_PRIVATE_KEY_PEM)?, None)?;
    let verifier = Verifier::new(
        PublicKey::parse(&server.alipay_public_key_pem())?,
        SignType::Rsa2,
    );

    // 2. A sale. Code 28103…: the buyer must type the password, confirming
    //    3 s after the pay; the flow polls every second.
    let out_trade_no = format!("DEMO{}", now_ms());
    let order = PayOrder {
        out_trade_no: out_trade_no.clone(),
        auth_code: "281030000000000001".into(),
        total_amount: "8.80".into(),
        subject: "Oolong tea".into(),
        store_id: Some("S01".into()),
        operator_id: Some("cashier-7".into()),
        ..PayOrder::default()
    };
    let policy = Policy {
        poll_interval_ms: 1_000,
        max_wait_ms: 30_000,
        call_timeout_ms: 5_000,
        ..Policy::default()
    };
    println!("== payment {out_trade_no}");
    let pay = BarcodePay::new(order, policy, verifier.clone(), now_ms())?;
    let paid = drive(pay, &signer).await;
    print_outcome(&paid)?;
    let Outcome::Paid { .. } = paid else {
        return Err("the payment did not go through".into());
    };

    // 3. The buyer returns one item: refund 3.00. The out_request_no is the
    //    refund's idempotency key: a retry with it never refunds twice.
    println!("\n== partial refund");
    let order = RefundOrder {
        out_trade_no: Some(out_trade_no.clone()),
        refund_amount: "3.00".into(),
        out_request_no: Some(format!("{out_trade_no}R1")),
        refund_reason: Some("one item returned".into()),
        ..RefundOrder::default()
    };
    let refund = Refund::new(
        order,
        RefundPolicy::default(),
        verifier,
        entropy(),
        now_ms(),
    )?;
    let refunded = drive(refund, &signer).await;
    print_outcome(&refunded)?;

    server.shutdown().await;
    Ok(())
}

/// The driver loop: poll, perform calls, sleep, show events, until done.
async fn drive(mut flow: impl Flow, signer: &Signer) -> Outcome {
    loop {
        match flow.poll(now_ms()) {
            Action::Call(call) => {
                let fed = match perform(signer, &call).await {
                    Ok(body) => flow.handle_response(call.id, &body, now_ms()),
                    Err(e) => flow.handle_transport_error(call.id, e, now_ms()),
                };
                // Only possible for a call that is not in flight: a driver bug.
                if let Err(e) = fed {
                    eprintln!("driver error: {e}");
                }
            }
            Action::Wait { until_ms } => {
                let ms = until_ms.saturating_sub(now_ms());
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            Action::Event(event) => show(&event),
            Action::Done(outcome) => return outcome,
        }
    }
}

/// Signs the call and POSTs it, within the call's timeout.
async fn perform(signer: &Signer, call: &ApiCall) -> Result<String, TransportError> {
    let request = signer
        .build_request(&call.method, &call.biz_content, now_ms())
        .map_err(|e| TransportError::Network {
            message: e.to_string(),
        })?;
    let limit = Duration::from_millis(call.timeout_ms);
    match tokio::time::timeout(limit, post(&request.url, &request.headers, &request.body)).await {
        Err(_) => Err(TransportError::Timeout),
        Ok(result) => result,
    }
}

/// A minimal HTTP/1.1 POST to a plain `http://host:port/path?query` URL (the
/// sandbox closes each connection after its answer). Production code would
/// use an HTTP client crate with TLS.
async fn post(
    url: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<String, TransportError> {
    let network = |message: String| TransportError::Network { message };
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| network("only http:// URLs here".into()))?;
    let (host, target) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = TcpStream::connect(host)
        .await
        .map_err(|e| network(e.to_string()))?;
    let mut head = format!(
        "POST {target} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream
        .write_all(head.as_bytes())
        .await
        .map_err(|e| network(e.to_string()))?;
    stream
        .write_all(body)
        .await
        .map_err(|e| network(e.to_string()))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .await
        .map_err(|e| network(e.to_string()))?;

    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| network("connection closed without a response".into()))?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| network("malformed status line".into()))?;
    if status != 200 {
        return Err(TransportError::Http { status });
    }
    let body = &raw[split + 4..];
    let announced = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok());
    if announced.is_some_and(|n| n != body.len()) {
        return Err(network("connection closed mid-body".into()));
    }
    String::from_utf8(body.to_vec()).map_err(|_| network("answer is not UTF-8".into()))
}

/// What the cashier sees.
fn show(event: &Event) {
    match event {
        Event::PaySent {
            total_amount,
            auth_code,
            ..
        } => println!("Charging {total_amount} to payment code {auth_code}…"),
        Event::WaitingForBuyer { until_ms } => println!(
            "Waiting for the buyer to confirm on the phone (up to {} s)…",
            until_ms.saturating_sub(now_ms()).div_ceil(1000)
        ),
        Event::Query { attempt, .. } => println!("  checking the payment (#{attempt})"),
        Event::Answer {
            method,
            code,
            sub_code,
            sub_msg,
            trade_status,
            ..
        } => {
            let mut line = format!("  {method}: {code}");
            for extra in [trade_status, sub_code, sub_msg].into_iter().flatten() {
                line.push(' ');
                line.push_str(extra);
            }
            println!("{line}");
        }
        Event::Cancel {
            attempt, reason, ..
        } => println!("Reversing the payment (attempt {attempt}, {reason:?})…"),
        Event::Refund {
            refund_amount,
            out_request_no,
            attempt,
            ..
        } => println!("Refunding {refund_amount} ({out_request_no}, attempt {attempt})…"),
        Event::RefundQuery { attempt, .. } => println!("  checking the refund (#{attempt})"),
        Event::Rejected {
            method, message, ..
        } => println!("  ! {method}: answer not trusted ({message})"),
        Event::TransportFailed { method, error, .. } => {
            println!("  ! {method}: no answer ({error:?})")
        }
        Event::Retry { method, at_ms, .. } => println!(
            "  retrying {method} in {} ms",
            at_ms.saturating_sub(now_ms())
        ),
        Event::Warning { code, message } => println!("  warning {code}: {message}"),
        Event::Aborted => println!("Aborted by the cashier"),
        Event::Resumed { .. } => println!("Resumed after a restart"),
    }
}

fn print_outcome(outcome: &Outcome) -> Result<(), Failure> {
    let verdict = match outcome {
        Outcome::Paid { confirmed_by, .. } => format!("PAID (proven by {confirmed_by})"),
        Outcome::Refunded { confirmed_by, .. } => format!("REFUNDED (proven by {confirmed_by})"),
        Outcome::Failed { sub_msg, .. } => {
            format!("FAILED, not charged: {}", sub_msg.as_deref().unwrap_or("-"))
        }
        Outcome::Cancelled { action, .. } => format!("CANCELLED ({action:?}), not charged"),
        Outcome::Unknown { message, .. } => format!("UNKNOWN, reconcile: {message}"),
    };
    println!("=> {verdict}");
    println!("{}", serde_json::to_string_pretty(outcome)?);
    Ok(())
}

/// 16 bytes for a generated `out_request_no` (unused here: the order gives
/// one). Real code would take them from the OS random source.
fn entropy() -> [u8; 16] {
    now_ms()
        .to_be_bytes()
        .repeat(2)
        .try_into()
        .unwrap_or([0; 16])
}
