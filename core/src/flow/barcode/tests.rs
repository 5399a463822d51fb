//! Unit tests of the pay machine on verified answers built in memory (the
//! signed end-to-end scenarios live in `core/tests/flow_*.rs`).

use super::*;
use crate::flow::outcome::CallResult;

fn order() -> PayOrder {
    PayOrder {
        out_trade_no: "T1".into(),
        auth_code: "281234567890123456".into(),
        total_amount: "8.80".into(),
        subject: "coffee".into(),
        ..PayOrder::default()
    }
}

fn machine() -> PayMachine {
    PayMachine::new(order(), Policy::default(), 0)
}

fn verified(method: &str, json: &str) -> Answer {
    Answer::Verified(VerifiedResponse {
        method: method.into(),
        object: serde_json::from_str(json).unwrap(),
        cert_sn: None,
    })
}

/// Polls at `now` until a call, a wait or done; returns (action, events seen).
fn step(m: &mut PayMachine, now: u64) -> (Action, Vec<Event>) {
    let mut events = Vec::new();
    loop {
        match m.poll(now) {
            Action::Event(e) => events.push(e),
            a => return (a, events),
        }
    }
}

fn expect_call(m: &mut PayMachine, now: u64, method: &str) -> ApiCall {
    match step(m, now).0 {
        Action::Call(c) => {
            assert_eq!(c.method, method);
            c
        }
        other => panic!("expected {method} at {now}, got {other:?}"),
    }
}

fn expect_wait(m: &mut PayMachine, now: u64) -> u64 {
    match step(m, now).0 {
        Action::Wait { until_ms } => until_ms,
        other => panic!("expected wait at {now}, got {other:?}"),
    }
}

fn expect_done(m: &mut PayMachine, now: u64) -> Outcome {
    match step(m, now).0 {
        Action::Done(o) => o,
        other => panic!("expected done at {now}, got {other:?}"),
    }
}

const PAID: &str = r#"{"code":"10000","msg":"Success","trade_no":"2024","out_trade_no":"T1","total_amount":"8.80","buyer_logon_id":"a***@b.com","gmt_payment":"2024-01-01 00:00:00","fund_bill_list":[{"fund_channel":"ALIPAYACCOUNT","amount":"8.80"}]}"#;
const PAYING: &str = r#"{"code":"10003","msg":"order success pay inprocess","out_trade_no":"T1"}"#;
const WAITING: &str = r#"{"code":"10000","msg":"Success","out_trade_no":"T1","trade_status":"WAIT_BUYER_PAY","total_amount":"8.80"}"#;
const SUCCESS: &str = r#"{"code":"10000","msg":"Success","out_trade_no":"T1","trade_no":"2024","trade_status":"TRADE_SUCCESS","total_amount":"8.80","send_pay_date":"2024-01-01 00:00:05"}"#;
const CLOSED: &str =
    r#"{"code":"10000","msg":"Success","out_trade_no":"T1","trade_status":"TRADE_CLOSED"}"#;
const NOT_EXIST: &str = r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"no trade"}"#;
const CANCEL_CLOSE: &str =
    r#"{"code":"10000","msg":"Success","out_trade_no":"T1","retry_flag":"N","action":"close"}"#;
const CANCEL_REFUND: &str =
    r#"{"code":"10000","msg":"Success","out_trade_no":"T1","retry_flag":"N","action":"refund"}"#;
const CANCEL_RETRY: &str =
    r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.SYSTEM_ERROR","retry_flag":"Y"}"#;
const UNAVAILABLE: &str =
    r#"{"code":"20000","msg":"Service Currently Unavailable","sub_code":"isp.unknow-error"}"#;

#[test]
fn pay_10000_is_paid_with_one_call() {
    let mut m = machine();
    let (a, events) = step(&mut m, 0);
    assert!(matches!(events[0], Event::PaySent { call_id: 1, .. }));
    let Action::Call(c) = a else { panic!() };
    let biz: Value = serde_json::from_str(&c.biz_content).unwrap();
    assert_eq!(biz["scene"], "bar_code");
    assert_eq!(biz["product_code"], "FACE_TO_FACE_PAYMENT");
    assert_eq!(biz["auth_code"], "281234567890123456");
    assert_eq!(c.timeout_ms, 15_000);
    // the event never carries the full payment code
    assert!(!format!("{events:?}").contains("281234567890123456"));
    m.settle(c.id, verified(METHOD_PAY, PAID), 300).unwrap();
    match expect_done(&mut m, 300) {
        Outcome::Paid {
            trade_no,
            confirmed_by,
            fund_bill_list,
            ..
        } => {
            assert_eq!(trade_no.as_deref(), Some("2024"));
            assert_eq!(confirmed_by, METHOD_PAY);
            assert_eq!(fund_bill_list[0].fund_channel, "ALIPAYACCOUNT");
        }
        o => panic!("{o:?}"),
    }
    assert_eq!(m.calls().len(), 1);
    // Done forever; spurious inputs are refused without effect.
    assert!(matches!(m.poll(99_999), Action::Done(_)));
    let e = m
        .settle(1, Answer::Transport(TransportError::Timeout), 1)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::FlowState);
    m.abort(5);
    assert!(matches!(m.poll(6), Action::Done(Outcome::Paid { .. })));
}

#[test]
fn paying_polls_at_the_interval_until_success() {
    let mut m = machine();
    let c = expect_call(&mut m, 0, METHOD_PAY);
    m.settle(c.id, verified(METHOD_PAY, PAYING), 1_000).unwrap();
    let (a, ev) = step(&mut m, 1_000);
    assert!(ev
        .iter()
        .any(|e| matches!(e, Event::WaitingForBuyer { until_ms: 30_000 })));
    assert_eq!(a, Action::Wait { until_ms: 6_000 });
    let q = expect_call(&mut m, 6_000, METHOD_QUERY);
    assert_eq!(q.biz_content, r#"{"out_trade_no":"T1"}"#);
    m.settle(q.id, verified(METHOD_QUERY, WAITING), 6_200)
        .unwrap();
    assert_eq!(expect_wait(&mut m, 6_200), 11_200);
    let q = expect_call(&mut m, 11_200, METHOD_QUERY);
    m.settle(q.id, verified(METHOD_QUERY, SUCCESS), 11_300)
        .unwrap();
    match expect_done(&mut m, 11_300) {
        Outcome::Paid {
            confirmed_by,
            gmt_payment,
            ..
        } => {
            assert_eq!(confirmed_by, METHOD_QUERY);
            assert_eq!(gmt_payment.as_deref(), Some("2024-01-01 00:00:05"));
        }
        o => panic!("{o:?}"),
    }
}

#[test]
fn deadline_cancels_right_after_the_last_query() {
    let mut m = machine();
    let c = expect_call(&mut m, 0, METHOD_PAY);
    m.settle(c.id, verified(METHOD_PAY, PAYING), 0).unwrap();
    let mut now = 0;
    let mut queries = 0;
    loop {
        match step(&mut m, now).0 {
            Action::Wait { until_ms } => now = until_ms,
            Action::Call(c) if c.method == METHOD_QUERY => {
                queries += 1;
                m.settle(c.id, verified(METHOD_QUERY, WAITING), now)
                    .unwrap();
            }
            Action::Call(c) => {
                assert_eq!(c.method, METHOD_CANCEL);
                // no wait between the last query and the cancel
                assert_eq!(m.calls().last().unwrap().answered_ms, now);
                m.settle(c.id, verified(METHOD_CANCEL, CANCEL_CLOSE), now)
                    .unwrap();
            }
            Action::Done(o) => {
                assert_eq!(
                    o,
                    Outcome::Cancelled {
                        action: CancelAction::Close,
                        reason: CancelReason::Timeout,
                        out_trade_no: "T1".into(),
                        trade_no: None
                    }
                );
                break;
            }
            Action::Event(_) => unreachable!(),
        }
    }
    assert_eq!(queries, 6, "queries at 5,10,...,30 s");
    assert!(now <= 30_000);
}

#[test]
fn business_failure_is_final_without_cancel() {
    let mut m = machine();
    let c = expect_call(&mut m, 0, METHOD_PAY);
    let body = r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.PAYMENT_AUTH_CODE_INVALID","sub_msg":"code expired"}"#;
    m.settle(c.id, verified(METHOD_PAY, body), 10).unwrap();
    match expect_done(&mut m, 10) {
        Outcome::Failed {
            reason,
            code,
            sub_code,
            sub_msg,
            ..
        } => {
            assert_eq!(reason, FailReason::BusinessFailed);
            assert_eq!(code, "40004");
            assert_eq!(sub_code.as_deref(), Some("ACQ.PAYMENT_AUTH_CODE_INVALID"));
            assert_eq!(sub_msg.as_deref(), Some("code expired"));
        }
        o => panic!("{o:?}"),
    }
    assert_eq!(m.calls().len(), 1);
}

#[test]
fn gateway_refusals_are_failures() {
    for code in ["40001", "40002", "40003", "40006", "20001"] {
        let mut m = machine();
        let c = expect_call(&mut m, 0, METHOD_PAY);
        let body = format!(r#"{{"code":"{code}","msg":"x","sub_code":"isv.x"}}"#);
        m.settle(c.id, verified(METHOD_PAY, &body), 10).unwrap();
        assert!(matches!(
            expect_done(&mut m, 10),
            Outcome::Failed {
                reason: FailReason::Refused,
                ..
            }
        ));
    }
}

#[test]
fn unknown_pay_queries_then_cancels_when_the_trade_does_not_exist() {
    for (first, sub) in [
        (verified(METHOD_PAY, UNAVAILABLE), "20000"),
        (
            verified(
                METHOD_PAY,
                r#"{"code":"40004","msg":"x","sub_code":"ACQ.SYSTEM_ERROR"}"#,
            ),
            "system error",
        ),
        (
            Answer::Transport(TransportError::Network {
                message: "reset".into(),
            }),
            "network",
        ),
        (
            Answer::Rejected(Error::new(ErrorCode::Signature, "bad sign")),
            "signature",
        ),
        (
            verified(
                METHOD_PAY,
                &PAID.replace(r#""out_trade_no":"T1""#, r#""out_trade_no":"T2""#),
            ),
            "other trade",
        ),
        (
            verified(
                METHOD_PAY,
                &PAID.replace(r#""total_amount":"8.80""#, r#""total_amount":"0.01""#),
            ),
            "other amount",
        ),
        (verified(METHOD_PAY, r#"{"code":"99999"}"#), "unknown code"),
    ] {
        let mut m = machine();
        let c = expect_call(&mut m, 0, METHOD_PAY);
        m.settle(c.id, first, 100).unwrap();
        let q = expect_call(&mut m, 100, METHOD_QUERY);
        m.settle(q.id, verified(METHOD_QUERY, NOT_EXIST), 200)
            .unwrap();
        let k = expect_call(&mut m, 200, METHOD_CANCEL);
        assert_eq!(k.biz_content, r#"{"out_trade_no":"T1"}"#);
        m.settle(k.id, verified(METHOD_CANCEL, CANCEL_CLOSE), 300)
            .unwrap();
        assert!(
            matches!(
                expect_done(&mut m, 300),
                Outcome::Cancelled {
                    action: CancelAction::Close,
                    reason: CancelReason::Unknown,
                    ..
                }
            ),
            "{sub}"
        );
    }
}

#[test]
fn trade_has_success_is_confirmed_by_query() {
    let mut m = machine();
    let c = expect_call(&mut m, 0, METHOD_PAY);
    let body = r#"{"code":"40004","msg":"x","sub_code":"ACQ.TRADE_HAS_SUCCESS"}"#;
    m.settle(c.id, verified(METHOD_PAY, body), 100).unwrap();
    let q = expect_call(&mut m, 100, METHOD_QUERY);
    m.settle(q.id, verified(METHOD_QUERY, SUCCESS), 200)
        .unwrap();
    assert!(matches!(expect_done(&mut m, 200), Outcome::Paid { .. }));
}

#[test]
fn query_closed_is_failed_without_cancel() {
    let mut m = machine();
    let c = expect_call(&mut m, 0, METHOD_PAY);
    m.settle(c.id, verified(METHOD_PAY, PAYING), 0).unwrap();
    let q = expect_call(&mut m, 5_000, METHOD_QUERY);
    m.settle(q.id, verified(METHOD_QUERY, CLOSED), 5_100)
        .unwrap();
    assert!(matches!(
        expect_done(&mut m, 5_100),
        Outcome::Failed {
            reason: FailReason::TradeClosed,
            ..
        }
    ));
}

#[test]
fn unknown_queries_are_bounded_then_cancel() {
    let mut m = machine();
    let c = expect_call(&mut m, 0, METHOD_PAY);
    m.settle(c.id, Answer::Transport(TransportError::Timeout), 15_000)
        .unwrap();
    let mut now = 15_000;
    for i in 0..3 {
        let q = expect_call(&mut m, now, METHOD_QUERY);
        m.settle(
            q.id,
            Answer::Transport(TransportError::Http { status: 502 }),
            now,
        )
        .unwrap();
        if i < 2 {
            now = expect_wait(&mut m, now);
        }
    }
    let k = expect_call(&mut m, now, METHOD_CANCEL);
    m.settle(k.id, verified(METHOD_CANCEL, CANCEL_REFUND), now)
        .unwrap();
    assert!(matches!(
        expect_done(&mut m, now),
        Outcome::Cancelled {
            action: CancelAction::Refund,
            reason: CancelReason::Unknown,
            ..
        }
    ));
}

#[test]
fn cancel_retries_while_retry_flag_then_unknown() {
    let mut m = machine();
    let c = expect_call(&mut m, 0, METHOD_PAY);
    m.settle(c.id, verified(METHOD_PAY, UNAVAILABLE), 0)
        .unwrap();
    let q = expect_call(&mut m, 0, METHOD_QUERY);
    m.settle(q.id, verified(METHOD_QUERY, NOT_EXIST), 0)
        .unwrap();
    let mut now = 0;
    for attempt in 1..=4 {
        let k = expect_call(&mut m, now, METHOD_CANCEL);
        m.settle(k.id, verified(METHOD_CANCEL, CANCEL_RETRY), now)
            .unwrap();
        if attempt < 4 {
            let next = expect_wait(&mut m, now);
            assert_eq!(next, now + 2_000);
            now = next;
        }
    }
    match expect_done(&mut m, now) {
        Outcome::Unknown {
            reason,
            calls,
            paid,
            ..
        } => {
            assert_eq!(reason, UnknownReason::CancelNotConfirmed);
            assert_eq!(calls.len(), 6);
            assert!(!paid);
            assert!(matches!(calls[5].result, CallResult::Verified { .. }));
        }
        o => panic!("{o:?}"),
    }
}

#[test]
fn definitive_cancel_refusal_is_unknown_at_once() {
    let mut m = machine();
    let c = expect_call(&mut m, 0, METHOD_PAY);
    m.settle(c.id, verified(METHOD_PAY, UNAVAILABLE), 0)
        .unwrap();
    let q = expect_call(&mut m, 0, METHOD_QUERY);
    m.settle(q.id, verified(METHOD_QUERY, NOT_EXIST), 0)
        .unwrap();
    let k = expect_call(&mut m, 0, METHOD_CANCEL);
    let body =
        r#"{"code":"40004","msg":"x","sub_code":"ACQ.TRADE_CANCEL_TIME_OUT","retry_flag":"N"}"#;
    m.settle(k.id, verified(METHOD_CANCEL, body), 0).unwrap();
    assert!(matches!(
        expect_done(&mut m, 0),
        Outcome::Unknown {
            reason: UnknownReason::CancelRefused,
            ..
        }
    ));
}

#[test]
fn poll_times_out_a_call_past_its_deadline() {
    let mut m = machine();
    let c = expect_call(&mut m, 0, METHOD_PAY);
    assert_eq!(expect_wait(&mut m, 10), 15_000);
    // a response for an unknown id changes nothing
    assert_eq!(
        m.settle(c.id + 1, Answer::Lost, 11).unwrap_err().code(),
        ErrorCode::FlowState
    );
    let (a, ev) = step(&mut m, 15_000);
    assert!(ev.iter().any(|e| matches!(
        e,
        Event::TransportFailed {
            error: TransportError::Timeout,
            ..
        }
    )));
    assert!(matches!(a, Action::Call(ref q) if q.method == METHOD_QUERY));
    // the late answer of the timed-out pay is refused
    assert_eq!(
        m.settle(c.id, verified(METHOD_PAY, PAID), 15_001)
            .unwrap_err()
            .code(),
        ErrorCode::FlowState
    );
}

#[test]
fn abort_before_the_pay_is_failed_without_any_call() {
    let mut m = machine();
    m.abort(0);
    assert!(matches!(
        expect_done(&mut m, 0),
        Outcome::Failed {
            reason: FailReason::Aborted,
            ..
        }
    ));
    assert!(m.calls().is_empty());

    // created but not handed out yet: withdrawn too
    let mut m = machine();
    assert!(matches!(m.poll(0), Action::Event(Event::PaySent { .. })));
    m.abort(0);
    let (a, ev) = step(&mut m, 0);
    assert!(matches!(
        a,
        Action::Done(Outcome::Failed {
            reason: FailReason::Aborted,
            ..
        })
    ));
    assert!(ev.iter().all(|e| !matches!(e, Event::PaySent { .. })));
}

#[test]
fn abort_during_pay_then_paid_answer_refunds() {
    let mut m = machine();
    let c = expect_call(&mut m, 0, METHOD_PAY);
    m.abort(100);
    assert_eq!(
        expect_wait(&mut m, 100),
        15_000,
        "the pay answer still counts"
    );
    m.settle(c.id, verified(METHOD_PAY, PAID), 200).unwrap();
    let k = expect_call(&mut m, 200, METHOD_CANCEL);
    m.settle(k.id, verified(METHOD_CANCEL, CANCEL_REFUND), 300)
        .unwrap();
    assert_eq!(
        expect_done(&mut m, 300),
        Outcome::Cancelled {
            action: CancelAction::Refund,
            reason: CancelReason::Aborted,
            out_trade_no: "T1".into(),
            trade_no: Some("2024".into())
        }
    );
}

#[test]
fn abort_while_waiting_for_the_buyer_cancels_now() {
    let mut m = machine();
    let c = expect_call(&mut m, 0, METHOD_PAY);
    m.settle(c.id, verified(METHOD_PAY, PAYING), 0).unwrap();
    assert_eq!(expect_wait(&mut m, 0), 5_000);
    m.abort(2_000);
    let k = expect_call(&mut m, 2_000, METHOD_CANCEL);
    m.settle(k.id, verified(METHOD_CANCEL, CANCEL_CLOSE), 2_100)
        .unwrap();
    assert!(matches!(
        expect_done(&mut m, 2_100),
        Outcome::Cancelled {
            reason: CancelReason::Aborted,
            ..
        }
    ));
    assert_eq!(
        m.calls().iter().filter(|c| c.method == METHOD_PAY).count(),
        1
    );
}

#[test]
fn abort_during_pay_then_failure_stays_failed() {
    let mut m = machine();
    let c = expect_call(&mut m, 0, METHOD_PAY);
    m.abort(1);
    let body = r#"{"code":"40004","msg":"x","sub_code":"ACQ.BUYER_BALANCE_NOT_ENOUGH"}"#;
    m.settle(c.id, verified(METHOD_PAY, body), 2).unwrap();
    assert!(matches!(
        expect_done(&mut m, 2),
        Outcome::Failed {
            reason: FailReason::BusinessFailed,
            ..
        }
    ));
}

#[test]
fn cancel_without_action_is_reported_with_a_warning() {
    let mut m = machine();
    let c = expect_call(&mut m, 0, METHOD_PAY);
    m.settle(c.id, verified(METHOD_PAY, UNAVAILABLE), 0)
        .unwrap();
    let q = expect_call(&mut m, 0, METHOD_QUERY);
    m.settle(q.id, verified(METHOD_QUERY, NOT_EXIST), 0)
        .unwrap();
    let k = expect_call(&mut m, 0, METHOD_CANCEL);
    m.settle(
        k.id,
        verified(
            METHOD_CANCEL,
            r#"{"code":"10000","msg":"Success","retry_flag":"N"}"#,
        ),
        0,
    )
    .unwrap();
    let (a, ev) = step(&mut m, 0);
    assert!(ev
        .iter()
        .any(|e| matches!(e, Event::Warning { code, .. } if code == "CANCEL_ACTION_MISSING")));
    assert!(matches!(
        a,
        Action::Done(Outcome::Cancelled {
            action: CancelAction::Close,
            ..
        })
    ));
}

#[test]
fn machine_state_round_trips_through_json() {
    let mut m = machine();
    let c = expect_call(&mut m, 0, METHOD_PAY);
    m.settle(c.id, verified(METHOD_PAY, PAYING), 0).unwrap();
    let text = m.snapshot();
    assert!(!text.contains("281234567890123456"), "no payment code");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["kind"], "barcodePay");
    let back: PayMachine = serde_json::from_value(v["state"].clone()).unwrap();
    assert_eq!(back.next, m.next);
    assert_eq!(back.calls, m.calls);
}

#[test]
fn resume_of_a_lost_pay_queries_and_never_pays_again() {
    let mut m = machine();
    let c = expect_call(&mut m, 0, METHOD_PAY);
    assert_eq!(c.id, 1);
    let mut copy: PayMachine = serde_json::from_value(
        serde_json::from_str::<Value>(&m.snapshot()).unwrap()["state"].clone(),
    )
    .unwrap();
    copy.on_resume(50_000);
    let (a, ev) = step(&mut copy, 50_000);
    assert!(ev.iter().any(|e| matches!(
        e,
        Event::Resumed {
            lost_call_id: Some(1)
        }
    )));
    let Action::Call(q) = a else { panic!("{a:?}") };
    assert_eq!(q.method, METHOD_QUERY);
    assert_eq!(q.id, 2);
    copy.settle(q.id, verified(METHOD_QUERY, WAITING), 50_000)
        .unwrap();
    // past the deadline: cancel right away
    let k = expect_call(&mut copy, 50_000, METHOD_CANCEL);
    copy.settle(k.id, verified(METHOD_CANCEL, CANCEL_CLOSE), 50_001)
        .unwrap();
    assert!(matches!(
        expect_done(&mut copy, 50_001),
        Outcome::Cancelled { .. }
    ));
    assert_eq!(copy.calls()[0].result, CallResult::Lost);
}

#[test]
fn pay_biz_content_merges_options_and_extra() {
    let mut o = order();
    o.store_id = Some("S1".into());
    o.operator_id = Some(String::new());
    o.query_options = Some(vec!["fund_bill_list".into()]);
    o.goods_detail =
        Some(serde_json::json!([{"goods_id":"g","goods_name":"n","quantity":1,"price":"8.80"}]));
    o.extra = Some(serde_json::from_str(r#"{"seller_id":"2088"}"#).unwrap());
    let biz: Value = serde_json::from_str(&o.pay_biz_content()).unwrap();
    assert_eq!(biz["store_id"], "S1");
    assert!(biz.get("operator_id").is_none());
    assert_eq!(biz["query_options"][0], "fund_bill_list");
    assert_eq!(biz["goods_detail"][0]["goods_id"], "g");
    assert_eq!(biz["seller_id"], "2088");
    assert!(!format!("{o:?}").contains("281234567890123456"));
}

#[test]
fn debug_output_never_shows_the_payment_code() {
    let mut m = machine();
    assert!(matches!(m.poll(0), Action::Event(Event::PaySent { .. })));
    // the pay call is ready (its biz_content holds the code)
    let dbg = format!("{m:?}");
    assert!(!dbg.contains("281234567890123456"), "{dbg}");
    assert!(dbg.contains("T1"));
}

#[test]
fn a_verified_success_with_a_malformed_field_is_unknown_and_queried() {
    // pay 10000 whose trade_no is a number: it cannot describe the payment → query
    let malformed_pay = PAID.replace(r#""trade_no":"2024""#, r#""trade_no":2024"#);
    let mut m = machine();
    let c = expect_call(&mut m, 0, METHOD_PAY);
    m.settle(c.id, verified(METHOD_PAY, &malformed_pay), 100)
        .unwrap();
    let q = expect_call(&mut m, 100, METHOD_QUERY);
    // a TRADE_SUCCESS query whose fund_bill_list is not a list: still unknown → query again later
    let malformed_query = SUCCESS.replace(
        r#""send_pay_date""#,
        r#""fund_bill_list":{"amount":"8.80"},"send_pay_date""#,
    );
    m.settle(q.id, verified(METHOD_QUERY, &malformed_query), 200)
        .unwrap();
    assert!(m.outcome().is_none(), "not paid on a malformed answer");
    // a well-formed one proves it; the payment time comes from send_pay_date
    let mut now = 200;
    loop {
        match m.poll(now) {
            Action::Wait { until_ms } => now = until_ms,
            Action::Call(c) => {
                assert_eq!(
                    c.method, METHOD_QUERY,
                    "never cancelled while it can still be proven"
                );
                m.settle(c.id, verified(METHOD_QUERY, SUCCESS), now + 10)
                    .unwrap();
                now += 10;
            }
            Action::Event(_) => {}
            Action::Done(Outcome::Paid {
                gmt_payment,
                confirmed_by,
                total_amount,
                ..
            }) => {
                assert_eq!(gmt_payment.as_deref(), Some("2024-01-01 00:00:05"));
                assert_eq!(confirmed_by, METHOD_QUERY);
                assert_eq!(total_amount, "8.80");
                break;
            }
            other => panic!("{other:?}"),
        }
    }
}
