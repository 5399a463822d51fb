//! The real `alipay-f2f-sandbox` binary: ready line, `--app`, `--speed`,
//! `--help`, usage errors, SIGTERM.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use alipay_f2f_core::error::ErrorCode;
use alipay_f2f_core::keys::PublicKey;
use alipay_f2f_core::request::SignerConfig;
use alipay_f2f_core::response::Verifier;
use alipay_f2f_core::sign::SignType;
use common::*;
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_alipay-f2f-sandbox");

struct Running {
    child: Child,
    ready: Value,
    startup: Duration,
}

fn spawn(args: &[&str]) -> Running {
    let started = Instant::now();
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sandbox");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .expect("ready line");
    let startup = started.elapsed();
    assert!(line.ends_with('\n'), "{line:?}");
    assert_eq!(line.trim_end().lines().count(), 1);
    let ready: Value = serde_json::from_str(&line).expect("ready line is JSON");
    Running {
        child,
        ready,
        startup,
    }
}

fn terminate(mut r: Running) {
    let status = Command::new("kill")
        .args(["-TERM", &r.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(status) = r.child.try_wait().expect("wait") {
            assert_eq!(status.code(), Some(0), "exit after SIGTERM");
            return;
        }
        assert!(Instant::now() < deadline, "did not exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn addr_of(ready: &Value) -> std::net::SocketAddr {
    let url = ready["url"].as_str().unwrap();
    let rest = url.strip_prefix("http://127.0.0.1:").expect("loopback url");
    let port = rest.strip_suffix("/gateway.do").expect("gateway.do url");
    format!("127.0.0.1:{port}").parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_line_then_serves_the_registered_app_until_sigterm() {
    let key_file = format!("{FIXTURES}/keys/app-public-key.pem");
    let running = spawn(&[
        "--app",
        &format!("2021000122671080={key_file}"),
        "--speed",
        "100",
    ]);
    eprintln!(
        "sandbox start-up (spawn to ready line): {:?}",
        running.startup
    );
    assert!(
        running.startup < Duration::from_secs(2),
        "{:?}",
        running.startup
    );
    let ready = running.ready.clone();
    let obj = ready.as_object().unwrap();
    assert_eq!(obj.keys().collect::<Vec<_>>(), ["url", "alipayPublicKey"]);
    let pem = ready["alipayPublicKey"].as_str().unwrap();
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
    assert_eq!(
        pem.trim_end(),
        alipay_f2f_sandbox::SANDBOX_ALIPAY_PUBLIC_KEY_PEM.trim_end()
    );
    let addr = addr_of(&ready);

    let private = std::fs::read_to_string(format!("{FIXTURES}/keys/app-private-key.pem")).unwrap();
    let mut app = App::new(addr, SignerConfig::new("2021000122671080"), &private);
    // Verify with the key from the ready line, as an outside user would.
    app.verifier = Verifier::new(PublicKey::parse(pem).unwrap(), SignType::Rsa2);
    let r = app.pay("T_bin", &code("2810", 1), "6.66").await;
    assert_eq!(r.code(), "10003");
    // 8 s at speed 100 = 80 ms
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(
        app.query("T_bin").await.get_str("trade_status"),
        Some("TRADE_SUCCESS")
    );
    let r = app
        .call(
            "alipay.trade.refund",
            &json!({"out_trade_no": "T_bin", "refund_amount": "6.66"}),
        )
        .await;
    assert_eq!(r.get_str("fund_change"), Some("Y"));

    // With --app, the demo app is not accepted.
    let demo = App::demo(addr);
    let raw = demo
        .call_raw("alipay.trade.query", &json!({"out_trade_no": "T_bin"}))
        .await
        .raw();
    assert_eq!(
        demo.verify_err(&raw, "alipay.trade.query"),
        ErrorCode::UnsignedResponse
    );

    // A transport fault through the real binary.
    let ex = app
        .call_raw(
            "alipay.trade.pay",
            &pay_biz("T_bin_drop", &code("28910", 1), "1.00"),
        )
        .await;
    assert!(matches!(ex, Exchange::Dropped));
    assert_eq!(
        app.query("T_bin_drop").await.get_str("trade_status"),
        Some("TRADE_SUCCESS")
    );
    terminate(running);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_app_by_default_and_fixed_port() {
    // Find a free port, release it, ask the binary to use it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let running = spawn(&["--port", &port.to_string()]);
    assert_eq!(
        running.ready["url"],
        format!("http://127.0.0.1:{port}/gateway.do")
    );
    let app = App::demo(addr_of(&running.ready));
    assert_eq!(
        app.pay("T_demo", &code("2800", 1), "1.00").await.code(),
        "10000"
    );
    terminate(running);
}

#[test]
fn sigterm_right_after_the_ready_line_exits_0() {
    for _ in 0..5 {
        terminate(spawn(&[]));
    }
}

#[test]
fn help_and_usage_errors() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "--port",
        "--app",
        "--speed",
        "281SS",
        "289FS",
        "/__sandbox/faults",
        "drop_connection",
    ] {
        assert!(text.contains(needle), "help lacks {needle}");
    }
    for args in [
        vec!["--bogus"],
        vec!["--port", "notaport"],
        vec!["--app", "no-equals-sign"],
        vec!["--speed", "0"],
        vec!["--app", "2021=/nonexistent/key.pem"],
    ] {
        let out = Command::new(BIN).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains("usage: alipay-f2f-sandbox"), "{args:?}: {err}");
    }
    // A private key where the public key belongs is refused, without echoing it.
    let private = format!("{FIXTURES}/keys/app-private-key.pem");
    let out = Command::new(BIN)
        .args(["--app", &format!("2021={private}")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!err.contains("MII"), "stderr leaks key material: {err}");
}
