//! The sandbox over real HTTP: an in-process server on a free port, the core
//! signer and verifier on the client side.

mod common;

use std::time::{Duration, Instant};

use alipay_f2f_core::charset::Charset;
use alipay_f2f_core::error::ErrorCode;
use alipay_f2f_core::keys::PublicKey;
use alipay_f2f_core::request::SignerConfig;
use alipay_f2f_core::sign::SignType;
use alipay_f2f_sandbox::server::now_ms;
use alipay_f2f_sandbox::{Fault, Gateway, GatewayConfig, SandboxServer};
use common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pays_at_once_and_is_idempotent_per_out_trade_no() {
    let server = start(fast_config()).await;
    let app = App::demo(server.addr());
    let c = code("2800", 1);
    let r = app.pay("T_pay_now", &c, "88.88").await;
    assert_eq!(r.code(), "10000");
    let trade_no = r.get_str("trade_no").unwrap().to_string();
    assert_eq!(trade_no.len(), 28, "{trade_no}");
    assert_eq!(r.get_str("total_amount"), Some("88.88"));
    assert_eq!(r.get_str("buyer_pay_amount"), Some("88.88"));
    assert!(r.get_str("buyer_logon_id").unwrap().contains("***"));
    assert!(r.get_str("buyer_user_id").unwrap().starts_with("2088"));
    let gmt = r.get_str("gmt_payment").unwrap();
    let paid_at = alipay_f2f_core::time::parse_timestamp(gmt).expect("gmt_payment in UTC+8");
    assert!(paid_at.abs_diff(now_ms()) < 5_000, "{gmt}");
    assert_eq!(r.object["fund_bill_list"][0]["amount"], "88.88");
    assert_eq!(
        r.object["fund_bill_list"][0]["fund_channel"],
        "ALIPAYACCOUNT"
    );

    let q = app.query("T_pay_now").await;
    assert_eq!(q.code(), "10000");
    assert_eq!(q.get_str("trade_status"), Some("TRADE_SUCCESS"));
    assert_eq!(q.get_str("trade_no"), Some(trade_no.as_str()));
    // by trade_no as well
    let q = app
        .call("alipay.trade.query", &json!({ "trade_no": trade_no }))
        .await;
    assert_eq!(q.get_str("out_trade_no"), Some("T_pay_now"));

    // Same request again: same answer (idempotent), no second trade.
    let again = app.pay("T_pay_now", &c, "88.88").await;
    assert_eq!(again.code(), "10000");
    assert_eq!(again.get_str("trade_no"), Some(trade_no.as_str()));
    // Same number, other content.
    let other = app.pay("T_pay_now", &c, "1.00").await;
    assert_eq!(other.code(), "40004");
    assert_eq!(other.sub_code(), Some("ACQ.CONTEXT_INCONSISTENT"));
    // The code is spent.
    let reuse = app.pay("T_pay_now_2", &c, "88.88").await;
    assert_eq!(reuse.sub_code(), Some("ACQ.PAYMENT_AUTH_CODE_INVALID"));
    // Unknown trade.
    let missing = app.query("T_nope").await;
    assert_eq!(missing.sub_code(), Some("ACQ.TRADE_NOT_EXIST"));

    let (status, t) = control(server.addr(), "GET", "/__sandbox/trades/T_pay_now", None).await;
    assert_eq!(status, 200);
    assert_eq!(t["trade_status"], "TRADE_SUCCESS");
    assert_eq!(t["trade_no"], trade_no.as_str());
    let (status, _) = control(server.addr(), "GET", "/__sandbox/trades/T_nope", None).await;
    assert_eq!(status, 404);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_scenario_pays_after_the_scaled_delay() {
    // 8 s at speed 40 = 200 ms
    let server = start(fast_config()).await;
    let app = App::demo(server.addr());
    let r = app.pay("T_password", &code("2810", 1), "10.00").await;
    assert_eq!(r.code(), "10003");
    assert_eq!(r.get_str("buyer_pay_amount"), Some("0.00"));
    let q = app.query("T_password").await;
    assert_eq!(q.get_str("trade_status"), Some("WAIT_BUYER_PAY"));
    assert!(q.get_str("send_pay_date").is_none());
    tokio::time::sleep(Duration::from_millis(260)).await;
    let q = app.query("T_password").await;
    assert_eq!(q.get_str("trade_status"), Some("TRADE_SUCCESS"));
    assert!(q.get_str("send_pay_date").is_some());
    // The same pay again now answers the paid state.
    let again = app.pay("T_password", &code("2810", 1), "10.00").await;
    assert_eq!(again.code(), "10000");

    // Code-chosen delay: 28102… = 2 s at speed 40 = 50 ms.
    let r = app.pay("T_password_2", &code("28102", 1), "10.00").await;
    assert_eq!(r.code(), "10003");
    let app2 = &app;
    assert!(
        eventually(Duration::from_secs(2), || async move {
            app2.query("T_password_2").await.get_str("trade_status") == Some("TRADE_SUCCESS")
        })
        .await
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn never_confirms_then_cancel_closes() {
    let server = start(fast_config()).await;
    let app = App::demo(server.addr());
    let c = code("2820", 1);
    assert_eq!(app.pay("T_never", &c, "5.00").await.code(), "10003");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        app.query("T_never").await.get_str("trade_status"),
        Some("WAIT_BUYER_PAY")
    );
    let c1 = app.cancel("T_never").await;
    assert_eq!(c1.code(), "10000");
    assert_eq!(c1.get_str("action"), Some("close"));
    assert_eq!(c1.get_str("retry_flag"), Some("N"));
    assert_eq!(
        app.query("T_never").await.get_str("trade_status"),
        Some("TRADE_CLOSED")
    );
    // Cancel is idempotent.
    assert_eq!(app.cancel("T_never").await.get_str("action"), Some("close"));
    // Paying the closed order again is refused.
    let again = app.pay("T_never", &c, "5.00").await;
    assert_eq!(again.sub_code(), Some("ACQ.TRADE_HAS_CLOSE"));
    // close API on a closed unpaid trade is fine; on an unknown trade it is not.
    let close = app
        .call("alipay.trade.close", &json!({"out_trade_no": "T_never"}))
        .await;
    assert_eq!(close.code(), "10000");
    let close = app
        .call("alipay.trade.close", &json!({"out_trade_no": "T_unknown"}))
        .await;
    assert_eq!(close.sub_code(), Some("ACQ.TRADE_NOT_EXIST"));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_before_the_pay_arrives_refuses_the_late_pay() {
    let server = start(fast_config()).await;
    let app = App::demo(server.addr());
    let c = app.cancel("T_late").await;
    assert_eq!(c.code(), "10000");
    assert_eq!(c.get_str("retry_flag"), Some("N"));
    assert_eq!(c.get_str("action"), None);
    let p = app.pay("T_late", &code("2800", 77), "1.00").await;
    assert_eq!(p.sub_code(), Some("ACQ.TRADE_HAS_CLOSE"));
    assert_eq!(
        app.query("T_late").await.sub_code(),
        Some("ACQ.TRADE_NOT_EXIST")
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_scenarios() {
    let server = start(fast_config()).await;
    let app = App::demo(server.addr());
    let r = app.pay("T_poor", &code("2830", 1), "5.00").await;
    assert_eq!(r.code(), "40004");
    assert_eq!(r.get_str("msg"), Some("Business Failed"));
    assert_eq!(r.sub_code(), Some("ACQ.BUYER_BALANCE_NOT_ENOUGH"));
    assert_eq!(
        app.query("T_poor").await.sub_code(),
        Some("ACQ.TRADE_NOT_EXIST")
    );
    // With a fresh code the same order can still be paid.
    assert_eq!(
        app.pay("T_poor", &code("2800", 2), "5.00").await.code(),
        "10000"
    );

    let r = app.pay("T_invalid", &code("2840", 1), "5.00").await;
    assert_eq!(r.sub_code(), Some("ACQ.PAYMENT_AUTH_CODE_INVALID"));
    for garbage in ["12345", "28abc", "9999999999999999999"] {
        let r = app.pay("T_invalid", garbage, "5.00").await;
        assert_eq!(
            r.sub_code(),
            Some("ACQ.PAYMENT_AUTH_CODE_INVALID"),
            "{garbage}"
        );
    }
    // A realistic non-sandbox code pays at once.
    assert_eq!(
        app.pay("T_real_code", "2876344382566439", "5.00")
            .await
            .code(),
        "10000"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unavailable_and_slow_answers_although_paid() {
    let config = GatewayConfig {
        speed: 20.0, // slow delay 20 s -> 1 s
        ..GatewayConfig::default()
    };
    let server = start(config).await;
    let app = App::demo(server.addr());
    let r = app.pay("T_20000", &code("2850", 1), "5.00").await;
    assert_eq!(r.code(), "20000");
    assert_eq!(r.sub_code(), Some("isp.unknow-error"));
    assert_eq!(
        app.query("T_20000").await.get_str("trade_status"),
        Some("TRADE_SUCCESS")
    );

    let t = Instant::now();
    let r = app.pay("T_slow", &code("2860", 1), "5.00").await;
    let elapsed = t.elapsed();
    assert!(elapsed >= Duration::from_millis(950), "{elapsed:?}");
    assert_eq!(r.code(), "10000");
    // A client that timed out would query: paid.
    assert_eq!(
        app.query("T_slow").await.get_str("trade_status"),
        Some("TRADE_SUCCESS")
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_needs_retries() {
    let server = start(fast_config()).await;
    let app = App::demo(server.addr());
    // default: 2 failures
    assert_eq!(
        app.pay("T_retry", &code("2870", 1), "5.00").await.code(),
        "10003"
    );
    for _ in 0..2 {
        let c = app.cancel("T_retry").await;
        assert_eq!(c.code(), "40004");
        assert_eq!(c.sub_code(), Some("ACQ.SYSTEM_ERROR"));
        assert_eq!(c.get_str("retry_flag"), Some("Y"));
    }
    let c = app.cancel("T_retry").await;
    assert_eq!(c.code(), "10000");
    assert_eq!(c.get_str("action"), Some("close"));
    // 2873…: three failures
    assert_eq!(
        app.pay("T_retry3", &code("2873", 1), "5.00").await.code(),
        "10003"
    );
    for _ in 0..3 {
        assert_eq!(
            app.cancel("T_retry3").await.get_str("retry_flag"),
            Some("Y")
        );
    }
    assert_eq!(app.cancel("T_retry3").await.code(), "10000");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buyer_cancels_on_the_phone() {
    let server = start(fast_config()).await;
    let app = App::demo(server.addr());
    assert_eq!(
        app.pay("T_buyer_cancel", &code("2880", 1), "5.00")
            .await
            .code(),
        "10003"
    );
    assert_eq!(
        app.query("T_buyer_cancel").await.get_str("trade_status"),
        Some("WAIT_BUYER_PAY")
    );
    tokio::time::sleep(Duration::from_millis(260)).await;
    assert_eq!(
        app.query("T_buyer_cancel").await.get_str("trade_status"),
        Some("TRADE_CLOSED")
    );
    assert_eq!(
        app.cancel("T_buyer_cancel").await.get_str("action"),
        Some("close")
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_of_a_paid_trade_refunds_and_blocks_refunds() {
    let server = start(fast_config()).await;
    let app = App::demo(server.addr());
    assert_eq!(
        app.pay("T_cancel_paid", &code("2800", 1), "9.99")
            .await
            .code(),
        "10000"
    );
    let c = app.cancel("T_cancel_paid").await;
    assert_eq!(c.code(), "10000");
    assert_eq!(c.get_str("action"), Some("refund"));
    assert_eq!(
        app.query("T_cancel_paid").await.get_str("trade_status"),
        Some("TRADE_CLOSED")
    );
    let r = app
        .call(
            "alipay.trade.refund",
            &json!({"out_trade_no": "T_cancel_paid", "refund_amount": "1.00", "out_request_no": "R1"}),
        )
        .await;
    assert_eq!(r.sub_code(), Some("ACQ.REASON_TRADE_REFUND_FEE_ERR"));
    // A partially refunded trade cannot be cancelled.
    assert_eq!(
        app.pay("T_cancel_refunded", &code("2800", 2), "9.99")
            .await
            .code(),
        "10000"
    );
    let r = app
        .call(
            "alipay.trade.refund",
            &json!({"out_trade_no": "T_cancel_refunded", "refund_amount": "1.00", "out_request_no": "R1"}),
        )
        .await;
    assert_eq!(r.get_str("fund_change"), Some("Y"));
    let c = app.cancel("T_cancel_refunded").await;
    assert_eq!(c.sub_code(), Some("ACQ.REASON_TRADE_REFUND_FEE_ERR"));
    assert_eq!(c.get_str("retry_flag"), Some("N"));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_window_is_24_hours() {
    let server = start(fast_config()).await;
    let app = App::demo(server.addr());
    assert_eq!(
        app.pay("T_old", &code("2820", 1), "5.00").await.code(),
        "10003"
    );
    let (status, v) = control(
        server.addr(),
        "POST",
        "/__sandbox/clock",
        Some(json!({"advance_ms": 24 * 3_600_000 + 1000})),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let c = app.cancel("T_old").await;
    assert_eq!(c.sub_code(), Some("ACQ.TRADE_CANCEL_TIME_OUT"));
    assert_eq!(c.get_str("retry_flag"), Some("N"));
    // timeout_express (default 3h) closed it meanwhile.
    assert_eq!(
        app.query("T_old").await.get_str("trade_status"),
        Some("TRADE_CLOSED")
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refunds_are_idempotent_and_limited() {
    let server = start(fast_config()).await;
    let app = App::demo(server.addr());
    assert_eq!(
        app.pay("T_refund", &code("2800", 1), "100.00").await.code(),
        "10000"
    );
    let refund = |amount: &str, req: Option<&str>| {
        let mut biz = json!({"out_trade_no": "T_refund", "refund_amount": amount});
        if let Some(r) = req {
            biz["out_request_no"] = json!(r);
        }
        biz
    };
    // Without out_request_no the amount must equal the total.
    let r = app
        .call("alipay.trade.refund", &refund("30.00", None))
        .await;
    assert_eq!(r.sub_code(), Some("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"));
    let r = app
        .call("alipay.trade.refund", &refund("30.00", Some("R1")))
        .await;
    assert_eq!(r.code(), "10000");
    assert_eq!(r.get_str("fund_change"), Some("Y"));
    assert_eq!(r.get_str("refund_fee"), Some("30.00"));
    // Retry of R1: same answer, no money moves.
    let r = app
        .call("alipay.trade.refund", &refund("30.00", Some("R1")))
        .await;
    assert_eq!(r.get_str("fund_change"), Some("N"));
    assert_eq!(r.get_str("refund_fee"), Some("30.00"));
    // R1 with another amount is inconsistent.
    let r = app
        .call("alipay.trade.refund", &refund("31.00", Some("R1")))
        .await;
    assert_eq!(r.sub_code(), Some("ACQ.DISCORDANT_REPEAT_REQUEST"));
    let r = app
        .call("alipay.trade.refund", &refund("30.00", Some("R2")))
        .await;
    assert_eq!(r.get_str("refund_fee"), Some("60.00"));
    // 60 + 50 > 100
    let r = app
        .call("alipay.trade.refund", &refund("50.00", Some("R3")))
        .await;
    assert_eq!(r.code(), "40004");
    assert_eq!(r.sub_code(), Some("ACQ.REASON_TRADE_REFUND_FEE_ERR"));
    assert_eq!(r.get_str("refund_fee"), Some("0.00"));
    let r = app
        .call("alipay.trade.refund", &refund("40.00", Some("R3")))
        .await;
    assert_eq!(r.get_str("fund_change"), Some("Y"));
    assert_eq!(r.get_str("refund_fee"), Some("100.00"));
    assert_eq!(
        app.query("T_refund").await.get_str("trade_status"),
        Some("TRADE_CLOSED")
    );
    let r = app
        .call("alipay.trade.refund", &refund("0.01", Some("R4")))
        .await;
    assert_eq!(r.sub_code(), Some("ACQ.REASON_TRADE_REFUND_FEE_ERR"));

    // Refund query.
    let q = app
        .call(
            "alipay.trade.fastpay.refund.query",
            &json!({"out_trade_no": "T_refund", "out_request_no": "R2"}),
        )
        .await;
    assert_eq!(q.get_str("refund_status"), Some("REFUND_SUCCESS"));
    assert_eq!(q.get_str("refund_amount"), Some("30.00"));
    assert_eq!(q.get_str("total_amount"), Some("100.00"));
    let q = app
        .call(
            "alipay.trade.fastpay.refund.query",
            &json!({"out_trade_no": "T_refund", "out_request_no": "R9"}),
        )
        .await;
    assert_eq!(q.code(), "10000");
    assert_eq!(q.get_str("refund_status"), None);

    // Full refund without out_request_no uses out_trade_no as the request number.
    assert_eq!(
        app.pay("T_refund_full", &code("2800", 2), "12.34")
            .await
            .code(),
        "10000"
    );
    let biz = json!({"out_trade_no": "T_refund_full", "refund_amount": "12.34"});
    assert_eq!(
        app.call("alipay.trade.refund", &biz)
            .await
            .get_str("fund_change"),
        Some("Y")
    );
    assert_eq!(
        app.call("alipay.trade.refund", &biz)
            .await
            .get_str("fund_change"),
        Some("N")
    );
    let q = app
        .call(
            "alipay.trade.fastpay.refund.query",
            &json!({"out_trade_no": "T_refund_full", "out_request_no": "T_refund_full"}),
        )
        .await;
    assert_eq!(q.get_str("refund_status"), Some("REFUND_SUCCESS"));
    // An unpaid trade cannot be refunded.
    assert_eq!(
        app.pay("T_refund_unpaid", &code("2820", 3), "1.00")
            .await
            .code(),
        "10003"
    );
    let r = app
        .call(
            "alipay.trade.refund",
            &json!({"out_trade_no": "T_refund_unpaid", "refund_amount": "1.00"}),
        )
        .await;
    assert_eq!(r.sub_code(), Some("ACQ.TRADE_STATUS_ERROR"));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn biz_content_validation() {
    let server = start(fast_config()).await;
    let app = App::demo(server.addr());
    let cases = [
        json!({"scene": "bar_code", "auth_code": code("2800", 1), "subject": "s", "total_amount": "1"}),
        json!({"out_trade_no": "T-dash", "auth_code": code("2800", 1), "subject": "s", "total_amount": "1"}),
        json!({"out_trade_no": "T_v", "auth_code": code("2800", 1), "subject": "s", "total_amount": "1.001"}),
        json!({"out_trade_no": "T_v", "auth_code": code("2800", 1), "subject": "s", "total_amount": "0"}),
        json!({"out_trade_no": "T_v", "auth_code": code("2800", 1), "total_amount": "1"}),
        json!({"out_trade_no": "T_v", "subject": "s", "total_amount": "1"}),
        json!({"out_trade_no": "T_v", "auth_code": code("2800", 1), "subject": "s", "total_amount": "1", "scene": "qr"}),
        json!({"out_trade_no": "T_v", "auth_code": code("2800", 1), "subject": "s", "total_amount": "1", "timeout_express": "1.5h"}),
        json!({"out_trade_no": "x".repeat(65), "auth_code": code("2800", 1), "subject": "s", "total_amount": "1"}),
    ];
    for biz in cases {
        let r = app.call("alipay.trade.pay", &biz).await;
        assert_eq!(r.code(), "40004", "{biz}");
        assert_eq!(r.sub_code(), Some("ACQ.INVALID_PARAMETER"), "{biz}");
    }
    let r = app.call("alipay.trade.query", &json!({})).await;
    assert_eq!(r.sub_code(), Some("ACQ.INVALID_PARAMETER"));
    let r = app
        .call(
            "alipay.trade.refund",
            &json!({"out_trade_no": "T_v", "refund_amount": "abc"}),
        )
        .await;
    assert_eq!(r.sub_code(), Some("ACQ.INVALID_PARAMETER"));
    let r = app
        .call(
            "alipay.trade.fastpay.refund.query",
            &json!({"out_trade_no": "T_v"}),
        )
        .await;
    assert_eq!(r.sub_code(), Some("ACQ.INVALID_PARAMETER"));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_chosen_by_the_payment_code() {
    let config = GatewayConfig {
        speed: 40.0, // slow: 500 ms
        ..GatewayConfig::default()
    };
    let server = start(config).await;
    let app = App::demo(server.addr());
    let pay = "alipay.trade.pay";
    for d in 0..10u8 {
        let out = format!("T_fault_{d}");
        let c = code(&format!("289{d}0"), 1);
        let started = Instant::now();
        let ex = app.call_raw(pay, &pay_biz(&out, &c, "3.00")).await;
        let fault = Fault::from_digit(d).unwrap();
        match fault {
            Fault::Http5xx => {
                let raw = ex.raw();
                assert_eq!(raw.status, 502);
                assert!(raw.text().contains("502 Bad Gateway"));
            }
            Fault::DropConnection => assert!(matches!(ex, Exchange::Dropped), "{ex:?}"),
            Fault::TruncatedBody => {
                let raw = ex.raw();
                assert_eq!(raw.status, 200);
                assert!(raw.complete());
                assert!(serde_json::from_slice::<serde_json::Value>(&raw.body).is_err());
                assert_eq!(app.verify_err(&raw, pay), ErrorCode::ResponseFormat);
            }
            Fault::NonJson => {
                let raw = ex.raw();
                assert_eq!(raw.status, 200);
                assert!(raw.text().starts_with("<!DOCTYPE html>"));
                assert_eq!(app.verify_err(&raw, pay), ErrorCode::ResponseFormat);
            }
            Fault::BadSignature => {
                let raw = ex.raw();
                assert_eq!(raw.json()["alipay_trade_pay_response"]["code"], "10000");
                assert_eq!(app.verify_err(&raw, pay), ErrorCode::Signature);
            }
            Fault::DuplicateNode => {
                let raw = ex.raw();
                assert_eq!(raw.text().matches("alipay_trade_pay_response").count(), 2);
                assert_eq!(app.verify_err(&raw, pay), ErrorCode::DuplicateNode);
            }
            Fault::UnsignedError => {
                let raw = ex.raw();
                assert!(raw.json().get("sign").is_none());
                assert_eq!(raw.json()["alipay_trade_pay_response"]["code"], "20000");
                assert_eq!(app.verify_err(&raw, pay), ErrorCode::UnsignedResponse);
            }
            Fault::Slow => {
                let raw = ex.raw();
                assert!(started.elapsed() >= Duration::from_millis(480));
                assert_eq!(app.verify(&raw, pay).unwrap().code(), "10000");
            }
            Fault::Unsigned => {
                let raw = ex.raw();
                assert_eq!(raw.json()["alipay_trade_pay_response"]["code"], "10000");
                assert_eq!(app.verify_err(&raw, pay), ErrorCode::UnsignedResponse);
            }
            Fault::CloseMidBody => {
                let raw = ex.raw();
                assert_eq!(raw.status, 200);
                assert!(!raw.complete(), "{raw:?}");
            }
            Fault::SystemError | Fault::LostRequest => unreachable!("no code digit"),
        }
        // Whatever the answer suffered, the payment went through.
        let q = app.query(&out).await;
        assert_eq!(
            q.get_str("trade_status"),
            Some("TRADE_SUCCESS"),
            "fault {fault}"
        );
    }
    // The fault digit composes with a scenario: drop over "never confirms".
    let ex = app
        .call_raw(
            pay,
            &pay_biz("T_fault_drop_wait", &code("28912", 1), "3.00"),
        )
        .await;
    assert!(matches!(ex, Exchange::Dropped));
    assert_eq!(
        app.query("T_fault_drop_wait").await.get_str("trade_status"),
        Some("WAIT_BUYER_PAY")
    );
    // Duplicate node over insufficient balance: the forged node claims success.
    let raw = app
        .call_raw(pay, &pay_biz("T_fault_forged", &code("28953", 1), "3.00"))
        .await
        .raw();
    let text = raw.text();
    assert!(text.contains("ACQ.BUYER_BALANCE_NOT_ENOUGH") && text.contains("sandbox_forged"));
    assert_eq!(app.verify_err(&raw, pay), ErrorCode::DuplicateNode);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_injected_by_the_control_endpoint() {
    let server = start(fast_config()).await;
    let addr = server.addr();
    let app = App::demo(addr);
    assert_eq!(
        app.pay("T_ctl", &code("2800", 1), "1.00").await.code(),
        "10000"
    );
    let (status, v) = control(
        addr,
        "POST",
        "/__sandbox/faults",
        Some(json!({"method": "alipay.trade.query", "fault": "drop_connection", "times": 2})),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["pending"][0]["remaining"], 2);
    let q = json!({"out_trade_no": "T_ctl"});
    for _ in 0..2 {
        assert!(matches!(
            app.call_raw("alipay.trade.query", &q).await,
            Exchange::Dropped
        ));
    }
    assert_eq!(
        app.query("T_ctl").await.get_str("trade_status"),
        Some("TRADE_SUCCESS")
    );

    // "*" hits any method; pending list and DELETE.
    control(
        addr,
        "POST",
        "/__sandbox/faults",
        Some(json!({"method": "*", "fault": "http_5xx"})),
    )
    .await;
    let (_, pending) = control(addr, "GET", "/__sandbox/faults", None).await;
    assert_eq!(pending["pending"][0]["fault"], "http_5xx");
    assert_eq!(
        app.call_raw("alipay.trade.cancel", &q).await.raw().status,
        502
    );
    assert_eq!(app.query("T_ctl").await.code(), "10000");
    control(
        addr,
        "POST",
        "/__sandbox/faults",
        Some(json!({"fault": "bad_signature", "times": 5})),
    )
    .await;
    let (_, cleared) = control(addr, "DELETE", "/__sandbox/faults", None).await;
    assert_eq!(cleared["pending"].as_array().unwrap().len(), 0);
    assert_eq!(app.query("T_ctl").await.code(), "10000");

    // Slow with an explicit delay (exact, not scaled by speed).
    control(
        addr,
        "POST",
        "/__sandbox/faults",
        Some(json!({"method": "alipay.trade.query", "fault": "slow", "delay_ms": 100})),
    )
    .await;
    let t = Instant::now();
    assert_eq!(app.query("T_ctl").await.code(), "10000");
    assert!(t.elapsed() >= Duration::from_millis(95));

    // lost_request: never processed, no answer.
    control(
        addr,
        "POST",
        "/__sandbox/faults",
        Some(json!({"method": "alipay.trade.pay", "fault": "lost_request"})),
    )
    .await;
    let ex = app
        .call_raw(
            "alipay.trade.pay",
            &pay_biz("T_lost", &code("2800", 2), "1.00"),
        )
        .await;
    assert!(matches!(ex, Exchange::Dropped));
    assert_eq!(
        app.query("T_lost").await.sub_code(),
        Some("ACQ.TRADE_NOT_EXIST")
    );
    // The code was not spent: the same pay goes through now.
    assert_eq!(
        app.pay("T_lost", &code("2800", 2), "1.00").await.code(),
        "10000"
    );

    // system_error: processed, but answered with a signed ACQ.SYSTEM_ERROR.
    assert_eq!(
        app.pay("T_sys", &code("2820", 3), "1.00").await.code(),
        "10003"
    );
    control(
        addr,
        "POST",
        "/__sandbox/faults",
        Some(json!({"method": "alipay.trade.cancel", "fault": "system_error"})),
    )
    .await;
    let c = app.cancel("T_sys").await;
    assert_eq!(c.code(), "40004");
    assert_eq!(c.sub_code(), Some("ACQ.SYSTEM_ERROR"));
    assert_eq!(c.get_str("retry_flag"), Some("Y"));
    assert_eq!(
        app.query("T_sys").await.get_str("trade_status"),
        Some("TRADE_CLOSED")
    );
    assert_eq!(app.cancel("T_sys").await.get_str("action"), Some("close"));

    // Bad control requests.
    for bad in [
        json!({"fault": "nope"}),
        json!({"method": "alipay.trade.nope", "fault": "slow"}),
        json!({"fault": "slow", "times": -1}),
        json!({}),
    ] {
        let (status, v) = control(addr, "POST", "/__sandbox/faults", Some(bad.clone())).await;
        assert_eq!(status, 400, "{bad} -> {v}");
    }

    // Reset forgets trades and used codes.
    let (status, _) = control(addr, "POST", "/__sandbox/reset", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        app.query("T_ctl").await.sub_code(),
        Some("ACQ.TRADE_NOT_EXIST")
    );
    assert_eq!(
        app.pay("T_ctl", &code("2800", 1), "1.00").await.code(),
        "10000"
    );
    let (_, all) = control(addr, "GET", "/__sandbox/trades", None).await;
    assert_eq!(all["trades"].as_array().unwrap().len(), 1);
    let (_, info) = control(addr, "GET", "/__sandbox", None).await;
    assert_eq!(info["apps"][0], alipay_f2f_sandbox::DEMO_APP_ID);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_checks_signature_app_and_timestamp() {
    let server = start(fast_config()).await;
    let addr = server.addr();
    let app = App::demo(addr);
    let biz = json!({"out_trade_no": "T_x"});

    // Signed with the wrong key: isv.invalid-signature, signed answer with the
    // gateway's sign content in sub_msg (& as &amp;).
    let wrong_key =
        std::fs::read_to_string(format!("{FIXTURES}/keys/app-private-key.pem")).unwrap();
    let impostor = App::new(
        addr,
        SignerConfig::new(alipay_f2f_sandbox::DEMO_APP_ID),
        &wrong_key,
    );
    let req = impostor.request("alipay.trade.query", &biz, now_ms());
    let raw = impostor.send_request(&req).await.raw();
    let v = impostor
        .verify(&raw, "alipay.trade.query")
        .expect("signed error");
    assert_eq!(v.code(), "40002");
    assert_eq!(v.get_str("msg"), Some("Invalid Arguments"));
    assert_eq!(v.sub_code(), Some("isv.invalid-signature"));
    let expected = format!(
        "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：{}",
        req.sign_content.replace('&', "&amp;")
    );
    assert_eq!(v.sub_msg(), Some(expected.as_str()));

    // Tampered parameter after signing.
    let mut req = app.request("alipay.trade.query", &biz, now_ms());
    req.body = String::from_utf8(req.body)
        .unwrap()
        .replace("T_x", "T_y")
        .into_bytes();
    let raw = app.send_request(&req).await.raw();
    assert_eq!(
        app.verify(&raw, "alipay.trade.query").unwrap().sub_code(),
        Some("isv.invalid-signature")
    );

    // Unknown app: unsigned isv.invalid-app-id, never a success.
    let stranger = App::new(
        addr,
        SignerConfig::new("2021009999999999"),
        alipay_f2f_sandbox::DEMO_APP_PRIVATE_KEY_PEM,
    );
    let raw = stranger.call_raw("alipay.trade.query", &biz).await.raw();
    let body = raw.json();
    assert!(body.get("sign").is_none(), "{body}");
    assert_eq!(
        body["alipay_trade_query_response"]["sub_code"],
        "isv.invalid-app-id"
    );
    assert_eq!(body["alipay_trade_query_response"]["code"], "40002");
    assert_eq!(
        stranger.verify_err(&raw, "alipay.trade.query"),
        ErrorCode::UnsignedResponse
    );

    // Timestamp skew beyond 15 minutes either way.
    for skew in [-(16 * 60_000i64), 16 * 60_000] {
        let req = app.request("alipay.trade.query", &biz, (now_ms() as i64 + skew) as u64);
        let raw = app.send_request(&req).await.raw();
        let v = app.verify(&raw, "alipay.trade.query").unwrap();
        assert_eq!(v.sub_code(), Some("isv.invalid-timestamp"), "{skew}");
    }
    // Within tolerance: fine.
    let req = app.request("alipay.trade.query", &biz, now_ms() - 5 * 60_000);
    let raw = app.send_request(&req).await.raw();
    assert_eq!(
        app.verify(&raw, "alipay.trade.query").unwrap().sub_code(),
        Some("ACQ.TRADE_NOT_EXIST")
    );

    // Missing common parameters, sent by hand.
    let form = "application/x-www-form-urlencoded;charset=utf-8".to_string();
    let headers = vec![("content-type".to_string(), form)];
    let cases = [
        ("/gateway.do?charset=utf-8", "40001", "isv.missing-method", "error_response"),
        ("/gateway.do?charset=utf-8&method=alipay.trade.nope", "40002", "isv.invalid-method", "error_response"),
        ("/gateway.do?charset=utf-8&method=alipay.trade.query", "40001", "isv.missing-app-id", "alipay_trade_query_response"),
        (
            "/gateway.do?charset=utf-8&method=alipay.trade.query&app_id=2021000000000001",
            "40001",
            "isv.missing-signature-type",
            "alipay_trade_query_response",
        ),
        (
            "/gateway.do?charset=utf-8&method=alipay.trade.query&app_id=2021000000000001&sign_type=RSA3",
            "40002",
            "isv.invalid-signature-type",
            "alipay_trade_query_response",
        ),
        (
            "/gateway.do?charset=utf-8&method=alipay.trade.query&app_id=2021000000000001&sign_type=RSA2",
            "40001",
            "isv.missing-signature",
            "alipay_trade_query_response",
        ),
        (
            "/gateway.do?charset=utf-8&method=alipay.trade.query&app_id=2021000000000001&sign_type=RSA2&sign=AAAA",
            "40001",
            "isv.missing-timestamp",
            "alipay_trade_query_response",
        ),
        (
            "/gateway.do?charset=utf-8&method=alipay.trade.query&app_id=2021000000000001&sign_type=RSA2&sign=AAAA&timestamp=yesterday",
            "40002",
            "isv.invalid-timestamp",
            "alipay_trade_query_response",
        ),
        ("/gateway.do?charset=latin1&method=alipay.trade.query", "40002", "isv.invalid-charset", "error_response"),
    ];
    for (target, code, sub_code, node) in cases {
        let raw = send(addr, "POST", target, &headers, b"").await.raw();
        let body = raw.json();
        assert_eq!(body[node]["code"], code, "{target}: {body}");
        assert_eq!(body[node]["sub_code"], sub_code, "{target}: {body}");
    }
    let ts = alipay_f2f_core::time::format_timestamp(now_ms()).replace(' ', "+");
    let target = format!(
        "/gateway.do?charset=utf-8&method=alipay.trade.query&app_id=2021000000000001&sign_type=RSA2&sign=AAAA&timestamp={ts}"
    );
    let raw = send(addr, "POST", &target, &headers, b"").await.raw();
    assert_eq!(
        raw.json()["alipay_trade_query_response"]["sub_code"],
        "isv.missing-version"
    );
    // Known app: the refusal is signed.
    assert_eq!(
        app.verify(&raw, "alipay.trade.query").unwrap().code(),
        "40001"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_vector_key_rsa_and_gbk() {
    let mut g = Gateway::new(fast_config()).unwrap();
    let pem = std::fs::read_to_string(format!("{FIXTURES}/keys/app-public-key.pem")).unwrap();
    g.register_app("2021000122671080", PublicKey::parse(&pem).unwrap());
    let server = SandboxServer::start(g, 0).await.unwrap();
    let addr = server.addr();
    let private = std::fs::read_to_string(format!("{FIXTURES}/keys/app-private-key.pem")).unwrap();

    let app = App::new(addr, SignerConfig::new("2021000122671080"), &private);
    assert_eq!(
        app.pay("T_vec", &code("2800", 1), "0.01").await.code(),
        "10000"
    );

    // sign_type RSA (SHA1): answers signed with SHA1 as well.
    let mut cfg = SignerConfig::new("2021000122671080");
    cfg.sign_type = SignType::Rsa;
    let rsa = App::new(addr, cfg, &private);
    let q = rsa.query("T_vec").await;
    assert_eq!(q.get_str("trade_status"), Some("TRADE_SUCCESS"));
    let raw = rsa
        .call_raw("alipay.trade.query", &json!({"out_trade_no": "T_vec"}))
        .await
        .raw();
    assert_eq!(
        app.verify_err(&raw, "alipay.trade.query"),
        ErrorCode::Signature
    );

    // GBK: Chinese subject, signature over GBK bytes, answer in GBK.
    let mut cfg = SignerConfig::new("2021000122671080");
    cfg.charset = Charset::Gbk;
    let gbk = App::new(addr, cfg, &private);
    let mut biz = pay_biz("T_gbk", &code("2800", 2), "1.00");
    biz["subject"] = json!("测试商品 A&B=1");
    let raw = gbk.call_raw("alipay.trade.pay", &biz).await.raw();
    assert!(raw.header("content-type").unwrap().contains("gbk"));
    let v = gbk.verify(&raw, "alipay.trade.pay").unwrap();
    assert_eq!(v.code(), "10000");
    let (_, t) = control(addr, "GET", "/__sandbox/trades/T_gbk", None).await;
    assert_eq!(t["subject"], "测试商品 A&B=1");
    // A GBK error answer with Chinese text verifies over GBK bytes.
    let v = gbk.query("T_none").await;
    assert_eq!(v.sub_msg(), Some("交易不存在"));

    // The demo app is not registered when apps are given.
    let demo = App::demo(addr);
    let raw = demo
        .call_raw("alipay.trade.query", &json!({"out_trade_no": "T_vec"}))
        .await
        .raw();
    assert_eq!(
        demo.verify_err(&raw, "alipay.trade.query"),
        ErrorCode::UnsignedResponse
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_mode_answers_carry_alipay_cert_sn() {
    assert_eq!(
        alipay_f2f_core::cert::cert_sn(alipay_f2f_sandbox::SANDBOX_ALIPAY_CERT_PEM).unwrap(),
        alipay_f2f_sandbox::SANDBOX_ALIPAY_CERT_SN
    );
    assert_eq!(
        alipay_f2f_core::cert::root_cert_sn(alipay_f2f_sandbox::SANDBOX_ROOT_CERT_PEM).unwrap(),
        alipay_f2f_sandbox::SANDBOX_ROOT_CERT_SN
    );
    let server = start(fast_config()).await;
    let mut cfg = SignerConfig::new(alipay_f2f_sandbox::DEMO_APP_ID);
    cfg.app_cert_sn = Some("0123456789abcdef0123456789abcdef".into());
    cfg.alipay_root_cert_sn = Some(alipay_f2f_sandbox::SANDBOX_ROOT_CERT_SN.into());
    let mut app = App::new(
        server.addr(),
        cfg,
        alipay_f2f_sandbox::DEMO_APP_PRIVATE_KEY_PEM,
    );
    app.verifier = alipay_f2f_core::response::Verifier::from_certs(
        &[alipay_f2f_sandbox::SANDBOX_ALIPAY_CERT_PEM],
        SignType::Rsa2,
    )
    .unwrap();
    let raw = app
        .call_raw(
            "alipay.trade.pay",
            &pay_biz("T_cert", &code("2800", 1), "2.00"),
        )
        .await
        .raw();
    assert_eq!(
        raw.json()["alipay_cert_sn"],
        alipay_f2f_sandbox::SANDBOX_ALIPAY_CERT_SN
    );
    let v = app.verify(&raw, "alipay.trade.pay").unwrap();
    assert_eq!(v.code(), "10000");
    assert_eq!(
        v.cert_sn.as_deref(),
        Some(alipay_f2f_sandbox::SANDBOX_ALIPAY_CERT_SN)
    );
    server.shutdown().await;

    // An app registered with its certificate (the Java SDK test app).
    let app_cert = std::fs::read_to_string(format!(
        "{FIXTURES}/keys/appCertPublicKey_2021003126695331.crt"
    ))
    .unwrap();
    let mut g = Gateway::new(fast_config()).unwrap();
    g.register_app("2021003126695331", PublicKey::parse(&app_cert).unwrap());
    let server = SandboxServer::start(g, 0).await.unwrap();
    let mut cfg = SignerConfig::new("2021003126695331");
    cfg.app_cert_sn = Some(alipay_f2f_core::cert::cert_sn(&app_cert).unwrap());
    cfg.alipay_root_cert_sn = Some(alipay_f2f_sandbox::SANDBOX_ROOT_CERT_SN.into());
    let private =
        std::fs::read_to_string(format!("{FIXTURES}/keys/privateKey_ProdCert_pkcs1.pem")).unwrap();
    let mut app = App::new(server.addr(), cfg, &private);
    app.verifier = alipay_f2f_core::response::Verifier::from_certs(
        &[alipay_f2f_sandbox::SANDBOX_ALIPAY_CERT_PEM],
        SignType::Rsa2,
    )
    .unwrap();
    let v = app.pay("T_cert_app", &code("2800", 2), "2.00").await;
    assert_eq!(v.code(), "10000");
    assert_eq!(
        v.cert_sn.as_deref(),
        Some(alipay_f2f_sandbox::SANDBOX_ALIPAY_CERT_SN)
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_on_every_answer_and_preflight() {
    let server = start(fast_config()).await;
    let addr = server.addr();
    let headers = vec![
        ("origin".to_string(), "http://127.0.0.1:5173".to_string()),
        (
            "access-control-request-method".to_string(),
            "POST".to_string(),
        ),
        (
            "access-control-request-headers".to_string(),
            "content-type".to_string(),
        ),
    ];
    let raw = send(addr, "OPTIONS", "/gateway.do", &headers, b"")
        .await
        .raw();
    assert_eq!(raw.status, 204);
    assert_eq!(raw.header("access-control-allow-origin"), Some("*"));
    assert!(raw
        .header("access-control-allow-methods")
        .unwrap()
        .contains("POST"));
    assert_eq!(
        raw.header("access-control-allow-headers"),
        Some("content-type")
    );
    let app = App::demo(addr);
    let raw = app
        .call_raw("alipay.trade.query", &json!({"out_trade_no": "x"}))
        .await
        .raw();
    assert_eq!(raw.header("access-control-allow-origin"), Some("*"));
    // Even when the client asks to keep the connection, the server closes it.
    let keep = vec![("connection".to_string(), "keep-alive".to_string())];
    let raw = send(addr, "GET", "/__sandbox", &keep, b"").await.raw();
    assert_eq!(raw.status, 200);
    assert_eq!(raw.header("connection"), Some("close"));
    let raw = send(addr, "GET", "/elsewhere", &[], b"").await.raw();
    assert_eq!(raw.status, 404);
    assert_eq!(raw.header("access-control-allow-origin"), Some("*"));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_trades_keep_their_state() {
    let server = start(fast_config()).await;
    let addr = server.addr();
    // 200 tasks at once: even ones pay and refund 0.50, odd ones wait for the
    // buyer and get cancelled.
    let tasks: Vec<_> = (0..200u64)
        .map(|n| {
            tokio::spawn(async move {
                let app = App::demo(addr);
                let out = format!("T_conc_{n}");
                let amount = format!("{}.{:02}", n + 1, n % 100);
                let scenario = if n % 2 == 0 { "2800" } else { "2820" };
                let r = app.pay(&out, &code(scenario, 1000 + n), &amount).await;
                assert_eq!(r.get_str("out_trade_no"), Some(out.as_str()));
                assert_eq!(r.get_str("total_amount"), Some(amount.as_str()));
                if n % 2 == 0 {
                    assert_eq!(r.code(), "10000", "{out}");
                    let refund = app
                        .call(
                            "alipay.trade.refund",
                            &json!({"out_trade_no": out, "refund_amount": "0.50", "out_request_no": "R1"}),
                        )
                        .await;
                    assert_eq!(refund.get_str("fund_change"), Some("Y"), "{out}");
                } else {
                    assert_eq!(r.code(), "10003", "{out}");
                    assert_eq!(app.cancel(&out).await.get_str("action"), Some("close"));
                }
                (n, out, amount, r.get_str("trade_no").unwrap().to_string())
            })
        })
        .collect();
    let mut trade_nos = std::collections::HashSet::new();
    let app = App::demo(addr);
    for t in tasks {
        let (n, out, amount, trade_no) = t.await.unwrap();
        assert!(
            trade_nos.insert(trade_no.clone()),
            "duplicate trade_no {trade_no}"
        );
        let q = app.query(&out).await;
        assert_eq!(q.get_str("trade_no"), Some(trade_no.as_str()));
        assert_eq!(q.get_str("total_amount"), Some(amount.as_str()));
        let expected = if n % 2 == 0 {
            "TRADE_SUCCESS"
        } else {
            "TRADE_CLOSED"
        };
        assert_eq!(q.get_str("trade_status"), Some(expected), "{out}");
    }
    assert_eq!(trade_nos.len(), 200);
    let (_, all) = control(addr, "GET", "/__sandbox/trades", None).await;
    let all = all["trades"].as_array().unwrap().clone();
    assert_eq!(all.len(), 200);
    let refunded = all
        .iter()
        .filter(|t| t["refunded_amount"] == "0.50")
        .count();
    let closed = all.iter().filter(|t| t["cancel_action"] == "close").count();
    assert_eq!((refunded, closed), (100, 100));
    server.shutdown().await;
}
