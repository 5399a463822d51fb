//! Scenario tests of `BarcodePay` on virtual time against a scripted gateway
//! whose answers are really signed (fixture key as "Alipay") and verified by
//! the flow.

mod flow_support;

use alipay_f2f_core::flow::{
    Action, ApiCall, BarcodePay, CallResult, CancelAction, CancelReason, Event, FailReason,
    Outcome, PayOrder, Policy, TransportError, UnknownReason, METHOD_CANCEL, METHOD_PAY,
    METHOD_QUERY,
};
use alipay_f2f_core::ErrorCode;
use flow_support::*;

const T0: u64 = 1_700_000_000_000;

fn order() -> PayOrder {
    PayOrder {
        out_trade_no: "T20240101_0001".into(),
        auth_code: "281234567890123456".into(),
        total_amount: "88.88".into(),
        subject: "Coffee".into(),
        store_id: Some("S01".into()),
        ..PayOrder::default()
    }
}

fn flow() -> BarcodePay {
    BarcodePay::new(order(), Policy::default(), verifier(), T0).unwrap()
}

const PAID: &str = r#"{"code":"10000","msg":"Success","buyer_logon_id":"159****5620","buyer_pay_amount":"88.88","fund_bill_list":[{"amount":"88.88","fund_channel":"ALIPAYACCOUNT"}],"gmt_payment":"2024-01-01 12:00:00","invoice_amount":"88.88","out_trade_no":"T20240101_0001","point_amount":"0.00","receipt_amount":"88.88","total_amount":"88.88","trade_no":"2024010122001400000000000001","buyer_user_id":"2088102122524333"}"#;
const PAYING: &str = r#"{"code":"10003","msg":"order success pay inprocess","out_trade_no":"T20240101_0001","trade_no":"2024010122001400000000000001","total_amount":"88.88"}"#;
const WAIT: &str = r#"{"code":"10000","msg":"Success","out_trade_no":"T20240101_0001","trade_no":"2024010122001400000000000001","trade_status":"WAIT_BUYER_PAY","total_amount":"88.88"}"#;
const SUCCESS: &str = r#"{"code":"10000","msg":"Success","out_trade_no":"T20240101_0001","trade_no":"2024010122001400000000000001","trade_status":"TRADE_SUCCESS","total_amount":"88.88","buyer_logon_id":"159****5620","send_pay_date":"2024-01-01 12:00:09","receipt_amount":"88.88","fund_bill_list":[{"amount":"88.88","fund_channel":"PCREDIT"}]}"#;
const CLOSED: &str = r#"{"code":"10000","msg":"Success","out_trade_no":"T20240101_0001","trade_status":"TRADE_CLOSED","total_amount":"88.88"}"#;
const NOT_EXIST: &str = r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"交易不存在"}"#;
const UNAVAILABLE: &str = r#"{"code":"20000","msg":"Service Currently Unavailable","sub_code":"isp.unknow-error","sub_msg":"系统繁忙"}"#;
const CANCEL_CLOSE: &str = r#"{"code":"10000","msg":"Success","out_trade_no":"T20240101_0001","retry_flag":"N","action":"close"}"#;
const CANCEL_REFUND: &str = r#"{"code":"10000","msg":"Success","out_trade_no":"T20240101_0001","trade_no":"2024010122001400000000000001","retry_flag":"N","action":"refund"}"#;
const CANCEL_RETRY: &str = r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.SYSTEM_ERROR","sub_msg":"系统错误","retry_flag":"Y"}"#;

/// A gateway answering each method from its own list in order (the last
/// entry repeats).
fn script(
    pay: Vec<Reply>,
    query: Vec<Reply>,
    cancel: Vec<Reply>,
) -> impl FnMut(&ApiCall, u64) -> Reply {
    let mut n = [0usize; 3];
    move |c, _now| {
        let (list, i) = match c.method.as_str() {
            METHOD_PAY => (&pay, 0),
            METHOD_QUERY => (&query, 1),
            METHOD_CANCEL => (&cancel, 2),
            m => panic!("unexpected method {m}"),
        };
        let r = list
            .get(n[i])
            .or(list.last())
            .cloned()
            .unwrap_or_else(|| panic!("no reply scripted for {}", c.method));
        n[i] += 1;
        r
    }
}

fn run_flow(f: &mut BarcodePay, gw: &mut dyn FnMut(&ApiCall, u64) -> Reply) -> Trace {
    run(f, T0, gw, None, None, 500)
}

fn methods(t: &Trace) -> Vec<&str> {
    t.calls.iter().map(|(_, c, _)| c.method.as_str()).collect()
}

fn s(method: &str, obj: &str) -> Reply {
    body(signed(method, obj))
}

fn net() -> Reply {
    Reply::Fail {
        error: TransportError::Network {
            message: "connection reset".into(),
        },
        latency_ms: 50,
    }
}

#[test]
fn pay_10000_is_paid_in_one_call() {
    let mut f = flow();
    let t = run_flow(
        &mut f,
        &mut script(vec![s(METHOD_PAY, PAID)], vec![], vec![]),
    );
    assert_eq!(methods(&t), [METHOD_PAY]);
    let biz: serde_json::Value = serde_json::from_str(&t.calls[0].1.biz_content).unwrap();
    assert_eq!(biz["out_trade_no"], "T20240101_0001");
    assert_eq!(biz["scene"], "bar_code");
    assert_eq!(biz["store_id"], "S01");
    match t.outcome.unwrap() {
        Outcome::Paid {
            trade_no,
            buyer_logon_id,
            total_amount,
            receipt_amount,
            gmt_payment,
            fund_bill_list,
            confirmed_by,
            ..
        } => {
            assert_eq!(trade_no.as_deref(), Some("2024010122001400000000000001"));
            assert_eq!(buyer_logon_id.as_deref(), Some("159****5620"));
            assert_eq!(total_amount, "88.88");
            assert_eq!(receipt_amount.as_deref(), Some("88.88"));
            assert_eq!(gmt_payment.as_deref(), Some("2024-01-01 12:00:00"));
            assert_eq!(fund_bill_list[0].fund_channel, "ALIPAYACCOUNT");
            assert_eq!(confirmed_by, METHOD_PAY);
        }
        o => panic!("{o:?}"),
    }
    // events: paySent (masked code) then the answer
    assert!(
        matches!(&t.events[0], Event::PaySent { auth_code, .. } if auth_code == "28************3456")
    );
    assert!(t
        .events
        .iter()
        .any(|e| matches!(e, Event::Answer { code, .. } if code == "10000")));
    // Done is sticky; late inputs are refused without effect
    assert!(matches!(
        f.poll(T0 + 1_000_000),
        Action::Done(Outcome::Paid { .. })
    ));
    let e = f
        .handle_response(1, &signed(METHOD_PAY, PAID), T0)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::FlowState);
}

#[test]
fn paying_10003_polls_every_5s_until_success() {
    let mut f = flow();
    let t = run_flow(
        &mut f,
        &mut script(
            vec![s(METHOD_PAY, PAYING)],
            vec![
                s(METHOD_QUERY, WAIT),
                s(METHOD_QUERY, WAIT),
                s(METHOD_QUERY, SUCCESS),
            ],
            vec![],
        ),
    );
    assert_eq!(
        methods(&t),
        [METHOD_PAY, METHOD_QUERY, METHOD_QUERY, METHOD_QUERY]
    );
    let times: Vec<u64> = t.calls.iter().map(|(at, _, _)| at - T0).collect();
    // each query 5 s after the previous answer (latency 100 ms)
    assert_eq!(times, [0, 5_100, 10_200, 15_300]);
    match t.outcome.unwrap() {
        Outcome::Paid {
            confirmed_by,
            gmt_payment,
            fund_bill_list,
            ..
        } => {
            assert_eq!(confirmed_by, METHOD_QUERY);
            assert_eq!(gmt_payment.as_deref(), Some("2024-01-01 12:00:09"));
            assert_eq!(fund_bill_list[0].fund_channel, "PCREDIT");
        }
        o => panic!("{o:?}"),
    }
    assert!(t
        .events
        .iter()
        .any(|e| matches!(e, Event::WaitingForBuyer { until_ms } if *until_ms == T0 + 30_000)));
}

#[test]
fn paying_until_the_deadline_cancels_right_after_the_last_query() {
    let mut f = flow();
    let t = run_flow(
        &mut f,
        &mut script(
            vec![s(METHOD_PAY, PAYING)],
            vec![s(METHOD_QUERY, WAIT)],
            vec![s(METHOD_CANCEL, CANCEL_CLOSE)],
        ),
    );
    let m = methods(&t);
    assert_eq!(m.iter().filter(|m| **m == METHOD_QUERY).count(), 5);
    assert_eq!(m.last(), Some(&METHOD_CANCEL));
    let n = t.calls.len();
    let (last_query_at, _, _) = &t.calls[n - 2];
    let (cancel_at, _, _) = &t.calls[n - 1];
    assert_eq!(
        *cancel_at,
        last_query_at + 100,
        "no wait between the last query and the cancel"
    );
    assert!(*last_query_at <= T0 + 30_000);
    assert_eq!(
        t.outcome.unwrap(),
        Outcome::Cancelled {
            action: CancelAction::Close,
            reason: CancelReason::Timeout,
            out_trade_no: "T20240101_0001".into(),
            trade_no: Some("2024010122001400000000000001".into()),
        }
    );
}

#[test]
fn closed_trade_while_polling_is_failed_without_cancel() {
    let mut f = flow();
    let t = run_flow(
        &mut f,
        &mut script(
            vec![s(METHOD_PAY, PAYING)],
            vec![s(METHOD_QUERY, CLOSED)],
            vec![],
        ),
    );
    assert_eq!(methods(&t), [METHOD_PAY, METHOD_QUERY]);
    assert!(matches!(
        t.outcome.unwrap(),
        Outcome::Failed { reason: FailReason::TradeClosed, trade_status: Some(ref s), .. } if s == "TRADE_CLOSED"
    ));
}

#[test]
fn business_failure_keeps_sub_code_and_does_not_cancel() {
    let mut f = flow();
    let fail = r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.PAYMENT_AUTH_CODE_INVALID","sub_msg":"支付失败，获取顾客账户信息失败，请顾客刷新付款码后重新收款"}"#;
    let t = run_flow(
        &mut f,
        &mut script(vec![s(METHOD_PAY, fail)], vec![], vec![]),
    );
    assert_eq!(methods(&t), [METHOD_PAY]);
    match t.outcome.unwrap() {
        Outcome::Failed {
            reason,
            code,
            msg,
            sub_code,
            sub_msg,
            ..
        } => {
            assert_eq!(reason, FailReason::BusinessFailed);
            assert_eq!(code, "40004");
            assert_eq!(msg.as_deref(), Some("Business Failed"));
            assert_eq!(sub_code.as_deref(), Some("ACQ.PAYMENT_AUTH_CODE_INVALID"));
            assert!(sub_msg.unwrap().contains("刷新付款码"));
        }
        o => panic!("{o:?}"),
    }
}

#[test]
fn verified_gateway_refusals_are_failures_without_cancel() {
    for code in ["40001", "40002", "40003", "40006", "20001"] {
        let mut f = flow();
        let obj =
            format!(r#"{{"code":"{code}","msg":"Invalid","sub_code":"isv.x","sub_msg":"y"}}"#);
        let t = run_flow(
            &mut f,
            &mut script(vec![s(METHOD_PAY, &obj)], vec![], vec![]),
        );
        assert_eq!(methods(&t), [METHOD_PAY], "{code}");
        assert!(matches!(
            t.outcome.unwrap(),
            Outcome::Failed { reason: FailReason::Refused, code: ref c, .. } if c == code
        ));
    }
}

#[test]
fn system_error_and_trade_has_success_are_confirmed_by_query() {
    for sub in ["ACQ.SYSTEM_ERROR", "ACQ.TRADE_HAS_SUCCESS"] {
        let mut f = flow();
        let obj = format!(r#"{{"code":"40004","msg":"Business Failed","sub_code":"{sub}"}}"#);
        let t = run_flow(
            &mut f,
            &mut script(
                vec![s(METHOD_PAY, &obj)],
                vec![s(METHOD_QUERY, SUCCESS)],
                vec![],
            ),
        );
        assert_eq!(methods(&t), [METHOD_PAY, METHOD_QUERY], "{sub}");
        assert!(matches!(t.outcome.unwrap(), Outcome::Paid { .. }));
    }
}

/// Every "unknown" pay answer: query; not proven paid → cancel.
fn unknown_pay_replies() -> Vec<(&'static str, Reply)> {
    let other_trade = PAID.replace("T20240101_0001", "T20240101_0002");
    let other_amount = PAID.replace(r#""total_amount":"88.88""#, r#""total_amount":"0.01""#);
    vec![
        ("20000", s(METHOD_PAY, UNAVAILABLE)),
        ("network", net()),
        (
            "http 502",
            Reply::Fail {
                error: TransportError::Http { status: 502 },
                latency_ms: 10,
            },
        ),
        (
            "timeout reported",
            Reply::Fail {
                error: TransportError::Timeout,
                latency_ms: 15_000,
            },
        ),
        ("silent (flow times out)", Reply::Silent),
        (
            "bad signature",
            body(forged(METHOD_PAY, PAID, &PAID.replace("88.88", "88.89"))),
        ),
        ("unsigned", body(unsigned(METHOD_PAY, PAID))),
        ("duplicate node", body(duplicated(METHOD_PAY, PAYING, PAID))),
        (
            "html",
            body("<html><body>502 Bad Gateway</body></html>".into()),
        ),
        ("empty", body(String::new())),
        ("other out_trade_no", s(METHOD_PAY, &other_trade)),
        ("other amount", s(METHOD_PAY, &other_amount)),
        (
            "unexpected code",
            s(METHOD_PAY, r#"{"code":"10001","msg":"?"}"#),
        ),
    ]
}

#[test]
fn unknown_pay_results_query_then_cancel_when_not_proven_paid() {
    for (name, reply) in unknown_pay_replies() {
        let mut f = flow();
        let t = run_flow(
            &mut f,
            &mut script(
                vec![reply],
                vec![s(METHOD_QUERY, NOT_EXIST)],
                vec![s(METHOD_CANCEL, CANCEL_CLOSE)],
            ),
        );
        assert_eq!(
            methods(&t),
            [METHOD_PAY, METHOD_QUERY, METHOD_CANCEL],
            "{name}"
        );
        assert!(
            matches!(
                t.outcome.as_ref().unwrap(),
                Outcome::Cancelled {
                    action: CancelAction::Close,
                    reason: CancelReason::Unknown,
                    ..
                }
            ),
            "{name}: {:?}",
            t.outcome
        );
        // the query follows the unknown answer at once
        let answered = t.calls[0].0
            + match &t.calls[0].2 {
                Reply::Body { latency_ms, .. } | Reply::Fail { latency_ms, .. } => *latency_ms,
                Reply::Silent => 15_000,
            };
        assert_eq!(t.calls[1].0, answered, "{name}");
    }
}

#[test]
fn unknown_pay_results_proven_paid_by_query_are_paid() {
    for (name, reply) in unknown_pay_replies() {
        let mut f = flow();
        let t = run_flow(
            &mut f,
            &mut script(vec![reply], vec![s(METHOD_QUERY, SUCCESS)], vec![]),
        );
        assert_eq!(methods(&t), [METHOD_PAY, METHOD_QUERY], "{name}");
        assert!(
            matches!(t.outcome.unwrap(), Outcome::Paid { ref confirmed_by, .. } if confirmed_by == METHOD_QUERY)
        );
    }
}

#[test]
fn unverifiable_success_answers_never_pay() {
    // every answer is a "success" that does not verify: the flow must not
    // believe any of them, and ends Unknown after the cancel retries
    let bad_pay = body(forged(METHOD_PAY, PAID, PAYING));
    let bad_query = body(unsigned(METHOD_QUERY, SUCCESS));
    let bad_cancel = body(duplicated(METHOD_CANCEL, CANCEL_RETRY, CANCEL_CLOSE));
    let mut f = flow();
    let t = run_flow(
        &mut f,
        &mut script(vec![bad_pay], vec![bad_query], vec![bad_cancel]),
    );
    let m = methods(&t);
    assert_eq!(m.iter().filter(|x| **x == METHOD_PAY).count(), 1);
    assert_eq!(m.iter().filter(|x| **x == METHOD_QUERY).count(), 3);
    assert_eq!(m.iter().filter(|x| **x == METHOD_CANCEL).count(), 4);
    match t.outcome.unwrap() {
        Outcome::Unknown {
            reason,
            message,
            calls,
            paid,
            out_trade_no,
            ..
        } => {
            assert_eq!(reason, UnknownReason::CancelNotConfirmed);
            assert!(message.contains("no answer could be verified"), "{message}");
            assert!(!paid);
            assert_eq!(out_trade_no.as_deref(), Some("T20240101_0001"));
            assert_eq!(calls.len(), 8);
            assert!(
                matches!(&calls[0].result, CallResult::Rejected { error_code, .. } if error_code == "ERR_SIGNATURE")
            );
            assert!(
                matches!(&calls[1].result, CallResult::Rejected { error_code, .. } if error_code == "ERR_UNSIGNED_RESPONSE")
            );
            assert!(
                matches!(&calls[4].result, CallResult::Rejected { error_code, .. } if error_code == "ERR_DUPLICATE_NODE")
            );
        }
        o => panic!("{o:?}"),
    }
    assert!(t.events.iter().any(|e| matches!(e, Event::Rejected { .. })));
}

#[test]
fn transport_errors_on_queries_are_retried_then_cancel() {
    let mut f = flow();
    let t = run_flow(
        &mut f,
        &mut script(
            vec![net()],
            vec![net(), net(), net()],
            vec![s(METHOD_CANCEL, CANCEL_REFUND)],
        ),
    );
    assert_eq!(
        methods(&t),
        [
            METHOD_PAY,
            METHOD_QUERY,
            METHOD_QUERY,
            METHOD_QUERY,
            METHOD_CANCEL
        ]
    );
    assert!(matches!(
        t.outcome.unwrap(),
        Outcome::Cancelled {
            action: CancelAction::Refund,
            reason: CancelReason::Unknown,
            ..
        }
    ));
}

#[test]
fn unknown_then_wait_buyer_pay_polls_until_paid() {
    let mut f = flow();
    let t = run_flow(
        &mut f,
        &mut script(
            vec![s(METHOD_PAY, UNAVAILABLE)],
            vec![
                s(METHOD_QUERY, WAIT),
                s(METHOD_QUERY, WAIT),
                s(METHOD_QUERY, WAIT),
                s(METHOD_QUERY, WAIT),
                s(METHOD_QUERY, SUCCESS),
            ],
            vec![],
        ),
    );
    assert_eq!(methods(&t).len(), 6);
    assert!(matches!(t.outcome.unwrap(), Outcome::Paid { .. }));
}

#[test]
fn cancel_retries_while_retry_flag_y_2s_apart() {
    let mut f = flow();
    let t = run_flow(
        &mut f,
        &mut script(
            vec![s(METHOD_PAY, UNAVAILABLE)],
            vec![s(METHOD_QUERY, NOT_EXIST)],
            vec![
                s(METHOD_CANCEL, CANCEL_RETRY),
                s(METHOD_CANCEL, CANCEL_RETRY),
                s(METHOD_CANCEL, CANCEL_CLOSE),
            ],
        ),
    );
    let cancels: Vec<u64> = t
        .calls
        .iter()
        .filter(|(_, c, _)| c.method == METHOD_CANCEL)
        .map(|(at, _, _)| *at)
        .collect();
    assert_eq!(cancels.len(), 3);
    assert_eq!(cancels[1] - cancels[0], 2_100);
    assert_eq!(cancels[2] - cancels[1], 2_100);
    assert!(t
        .events
        .iter()
        .any(|e| matches!(e, Event::Retry { attempt: 2, .. })));
    assert!(matches!(
        t.outcome.unwrap(),
        Outcome::Cancelled {
            action: CancelAction::Close,
            ..
        }
    ));
}

#[test]
fn cancel_never_confirmed_is_unknown_with_everything_known() {
    let mut f = flow();
    let t = run_flow(
        &mut f,
        &mut script(
            vec![s(METHOD_PAY, PAYING)],
            vec![s(METHOD_QUERY, WAIT)],
            vec![s(METHOD_CANCEL, CANCEL_RETRY)],
        ),
    );
    match t.outcome.unwrap() {
        Outcome::Unknown {
            reason,
            calls,
            trade_no,
            ..
        } => {
            assert_eq!(reason, UnknownReason::CancelNotConfirmed);
            assert_eq!(
                calls.iter().filter(|c| c.method == METHOD_CANCEL).count(),
                4
            );
            assert_eq!(trade_no.as_deref(), Some("2024010122001400000000000001"));
        }
        o => panic!("{o:?}"),
    }
}

#[test]
fn definitive_cancel_refusal_is_unknown() {
    let refused = r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_CANCEL_TIME_OUT","retry_flag":"N"}"#;
    let mut f = flow();
    let t = run_flow(
        &mut f,
        &mut script(
            vec![s(METHOD_PAY, UNAVAILABLE)],
            vec![s(METHOD_QUERY, NOT_EXIST)],
            vec![s(METHOD_CANCEL, refused)],
        ),
    );
    assert_eq!(methods(&t).len(), 3);
    assert!(matches!(
        t.outcome.unwrap(),
        Outcome::Unknown {
            reason: UnknownReason::CancelRefused,
            ..
        }
    ));
}

#[test]
fn abort_before_the_pay_sends_nothing() {
    let mut f = flow();
    f.abort(T0);
    let t = run_flow(&mut f, &mut script(vec![], vec![], vec![]));
    assert!(t.calls.is_empty());
    assert!(matches!(
        t.outcome.unwrap(),
        Outcome::Failed { reason: FailReason::Aborted, ref code, .. } if code == "ERR_ABORTED"
    ));
}

#[test]
fn abort_during_the_pay_reverses_a_paid_answer() {
    let mut f = flow();
    let t = run(
        &mut f,
        T0,
        &mut script(
            vec![s(METHOD_PAY, PAID)],
            vec![],
            vec![s(METHOD_CANCEL, CANCEL_REFUND)],
        ),
        Some(T0 + 50),
        None,
        500,
    );
    assert_eq!(methods(&t), [METHOD_PAY, METHOD_CANCEL]);
    assert_eq!(t.aborted_at, Some(T0 + 50));
    assert_eq!(
        t.outcome.unwrap(),
        Outcome::Cancelled {
            action: CancelAction::Refund,
            reason: CancelReason::Aborted,
            out_trade_no: "T20240101_0001".into(),
            trade_no: Some("2024010122001400000000000001".into()),
        }
    );
}

#[test]
fn abort_while_polling_cancels_at_once() {
    let mut f = flow();
    let t = run(
        &mut f,
        T0,
        &mut script(
            vec![s(METHOD_PAY, PAYING)],
            vec![s(METHOD_QUERY, WAIT)],
            vec![s(METHOD_CANCEL, CANCEL_CLOSE)],
        ),
        Some(T0 + 7_000),
        None,
        500,
    );
    assert_eq!(methods(&t), [METHOD_PAY, METHOD_QUERY, METHOD_CANCEL]);
    assert_eq!(
        t.calls[2].0,
        T0 + 7_000,
        "the cancel does not wait for the next poll"
    );
    assert!(matches!(
        t.outcome.unwrap(),
        Outcome::Cancelled {
            reason: CancelReason::Aborted,
            ..
        }
    ));
    assert!(t.events.contains(&Event::Aborted));
}

#[test]
fn abort_with_a_failed_pay_answer_stays_failed() {
    let fail =
        r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.BUYER_BALANCE_NOT_ENOUGH"}"#;
    let mut f = flow();
    let t = run(
        &mut f,
        T0,
        &mut script(vec![s(METHOD_PAY, fail)], vec![], vec![]),
        Some(T0 + 10),
        None,
        500,
    );
    assert_eq!(methods(&t), [METHOD_PAY]);
    assert!(matches!(
        t.outcome.unwrap(),
        Outcome::Failed {
            reason: FailReason::BusinessFailed,
            ..
        }
    ));
}

#[test]
fn resume_after_a_lost_pay_queries_and_never_pays_again() {
    let mut f = flow();
    // hand out the pay call, then "crash"
    let call = loop {
        match f.poll(T0) {
            Action::Call(c) => break c,
            Action::Event(_) => {}
            a => panic!("{a:?}"),
        }
    };
    assert_eq!(call.method, METHOD_PAY);
    let snap = f.snapshot();
    assert!(
        !snap.contains("281234567890123456"),
        "snapshots never hold the payment code"
    );
    let mut r = BarcodePay::resume(&snap, verifier(), T0 + 60_000).unwrap();
    let t = run(
        &mut r,
        T0 + 60_000,
        &mut script(vec![], vec![s(METHOD_QUERY, SUCCESS)], vec![]),
        None,
        None,
        500,
    );
    assert_eq!(methods(&t), [METHOD_QUERY]);
    assert!(t.events.iter().any(|e| matches!(
        e,
        Event::Resumed {
            lost_call_id: Some(1)
        }
    )));
    assert!(matches!(t.outcome.unwrap(), Outcome::Paid { .. }));
    assert_eq!(r.calls()[0].result, CallResult::Lost);
}

#[test]
fn resume_between_the_last_query_and_its_cancel_queries_once_more() {
    // Drive to the deadline, snapshotting after every answer; stop when the
    // cancel is handed out: the last snapshot has the cancel due, not sent.
    let mut f = flow();
    let mut now = T0;
    let mut snap = None;
    for _ in 0..500 {
        match f.poll(now) {
            Action::Event(_) => {}
            Action::Wait { until_ms } => now = until_ms,
            Action::Call(c) if c.method == METHOD_CANCEL => break,
            Action::Call(c) => {
                let answer = if c.method == METHOD_PAY {
                    signed(METHOD_PAY, PAYING)
                } else {
                    signed(METHOD_QUERY, WAIT)
                };
                now += 100;
                f.handle_response(c.id, &answer, now).unwrap();
                snap = Some(f.snapshot());
            }
            Action::Done(o) => panic!("{o:?}"),
        }
    }
    let snap = snap.unwrap();
    // The POS was down for two minutes; the buyer paid meanwhile: one more
    // query proves it, and nothing is reversed.
    let later = now + 120_000;
    let mut r = BarcodePay::resume(&snap, verifier(), later).unwrap();
    let t = run(
        &mut r,
        later,
        &mut script(
            vec![],
            vec![s(METHOD_QUERY, SUCCESS)],
            vec![s(METHOD_CANCEL, CANCEL_REFUND)],
        ),
        None,
        None,
        500,
    );
    assert_eq!(methods(&t), [METHOD_QUERY]);
    assert!(matches!(t.outcome.unwrap(), Outcome::Paid { .. }));
    // Still unpaid: the cancel follows that query at once.
    let mut r = BarcodePay::resume(&snap, verifier(), later).unwrap();
    let t = run(
        &mut r,
        later,
        &mut script(
            vec![],
            vec![s(METHOD_QUERY, WAIT)],
            vec![s(METHOD_CANCEL, CANCEL_CLOSE)],
        ),
        None,
        None,
        500,
    );
    assert_eq!(methods(&t), [METHOD_QUERY, METHOD_CANCEL]);
    let (query_at, _, _) = &t.calls[0];
    let (cancel_at, _, _) = &t.calls[1];
    assert_eq!(*cancel_at, query_at + 100, "no wait before the cancel");
    // Crashing again right before that cancel does not postpone it a second
    // time: once per payment, then the cancel goes out first.
    let mut r = BarcodePay::resume(&snap, verifier(), later).unwrap();
    let again = loop {
        match r.poll(later) {
            Action::Event(_) => {}
            Action::Call(c) => {
                assert_eq!(c.method, METHOD_QUERY);
                r.handle_response(c.id, &signed(METHOD_QUERY, WAIT), later + 100)
                    .unwrap();
                break r.snapshot();
            }
            a => panic!("{a:?}"),
        }
    };
    let mut r = BarcodePay::resume(&again, verifier(), later + 300_000).unwrap();
    let t = run(
        &mut r,
        later + 300_000,
        &mut script(vec![], vec![], vec![s(METHOD_CANCEL, CANCEL_CLOSE)]),
        None,
        None,
        500,
    );
    assert_eq!(methods(&t), [METHOD_CANCEL]);
    // Resumed at once (no down time): nothing to re-check, the cancel goes.
    let mut r = BarcodePay::resume(&snap, verifier(), now).unwrap();
    let t = run(
        &mut r,
        now,
        &mut script(vec![], vec![], vec![s(METHOD_CANCEL, CANCEL_CLOSE)]),
        None,
        None,
        500,
    );
    assert_eq!(methods(&t), [METHOD_CANCEL]);
    assert!(matches!(
        t.outcome.unwrap(),
        Outcome::Cancelled {
            action: CancelAction::Close,
            ..
        }
    ));
}

#[test]
fn resume_of_a_snapshot_taken_before_the_pay_still_never_sends_it() {
    let f = flow();
    let snap = f.snapshot();
    let mut r = BarcodePay::resume(&snap, verifier(), T0 + 1_000).unwrap();
    let t = run(
        &mut r,
        T0 + 1_000,
        &mut script(
            vec![],
            vec![s(METHOD_QUERY, NOT_EXIST)],
            vec![s(METHOD_CANCEL, CANCEL_CLOSE)],
        ),
        None,
        None,
        500,
    );
    assert_eq!(methods(&t), [METHOD_QUERY, METHOD_CANCEL]);
    assert!(matches!(
        t.outcome.unwrap(),
        Outcome::Cancelled {
            action: CancelAction::Close,
            ..
        }
    ));
}

#[test]
fn resume_of_a_finished_flow_gives_its_outcome() {
    let mut f = flow();
    let t = run_flow(
        &mut f,
        &mut script(vec![s(METHOD_PAY, PAID)], vec![], vec![]),
    );
    let mut r = BarcodePay::resume(&f.snapshot(), verifier(), T0 + 9).unwrap();
    assert_eq!(r.poll(T0 + 9), Action::Done(t.outcome.unwrap()));
}

#[test]
fn bad_snapshots_are_refused() {
    let good = flow().snapshot();
    let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
    let mut cases = vec![
        String::new(),
        "null".into(),
        "{}".into(),
        good.replace(r#""kind":"barcodePay""#, r#""kind":"refund""#),
        good.replace(r#""version":1"#, r#""version":99"#),
        good[..good.len() / 2].to_string(),
    ];
    v["state"]["order"]["totalAmount"] = "1.234".into();
    cases.push(v.to_string());
    let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
    v["state"]["policy"]["maxWaitMs"] = 600_000.into();
    cases.push(v.to_string());
    let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
    v["state"]["next"] = serde_json::Value::Null;
    cases.push(v.to_string());
    let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
    v["state"]["surprise"] = 1.into();
    cases.push(v.to_string());
    for c in cases {
        let e = BarcodePay::resume(&c, verifier(), T0).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Snapshot, "{c}");
    }
    assert!(alipay_f2f_core::Refund::resume(&good, verifier(), T0).is_err());
}

#[test]
fn orders_and_policies_are_validated_up_front() {
    let bad = |o: PayOrder, field: &str| {
        let e = BarcodePay::new(o, Policy::default(), verifier(), T0).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        assert_eq!(e.field(), Some(field));
    };
    bad(
        PayOrder {
            total_amount: "1.234".into(),
            ..order()
        },
        "total_amount",
    );
    bad(
        PayOrder {
            total_amount: "0".into(),
            ..order()
        },
        "total_amount",
    );
    bad(
        PayOrder {
            out_trade_no: "a-b".into(),
            ..order()
        },
        "out_trade_no",
    );
    bad(
        PayOrder {
            subject: String::new(),
            ..order()
        },
        "subject",
    );
    bad(
        PayOrder {
            auth_code: " ".into(),
            ..order()
        },
        "auth_code",
    );
    bad(
        PayOrder {
            timeout_express: Some("1.5h".into()),
            ..order()
        },
        "timeout_express",
    );
    bad(
        PayOrder {
            goods_detail: Some(serde_json::json!({"a":1})),
            ..order()
        },
        "goods_detail",
    );
    bad(
        PayOrder {
            extra: Some(serde_json::from_str(r#"{"total_amount":"0.01"}"#).unwrap()),
            ..order()
        },
        "extra.total_amount",
    );
    let e = BarcodePay::new(
        order(),
        Policy {
            max_wait_ms: 120_000,
            ..Policy::default()
        },
        verifier(),
        T0,
    )
    .unwrap_err();
    assert_eq!(e.field(), Some("maxWaitMs"));
    // an odd payment code is only a warning
    let mut f = BarcodePay::new(
        PayOrder {
            auth_code: "12345".into(),
            ..order()
        },
        Policy::default(),
        verifier(),
        T0,
    )
    .unwrap();
    assert!(
        matches!(f.poll(T0), Action::Event(Event::Warning { ref code, .. }) if code == "AUTH_CODE_FORMAT")
    );
    // PayOrder and Policy from camelCase JSON
    let o: PayOrder = serde_json::from_str(
        r#"{"outTradeNo":"T1","authCode":"281234567890123456","totalAmount":"1.00","subject":"x","queryOptions":["fund_bill_list"]}"#,
    )
    .unwrap();
    assert_eq!(
        o.query_options.as_deref(),
        Some(&["fund_bill_list".to_string()][..])
    );
}

#[test]
fn stale_and_foreign_call_ids_are_refused_without_effect() {
    let mut f = flow();
    let c = loop {
        if let Action::Call(c) = f.poll(T0) {
            break c;
        }
    };
    let before = f.snapshot();
    for id in [0, c.id + 1, 77] {
        assert_eq!(
            f.handle_response(id, &signed(METHOD_PAY, PAID), T0)
                .unwrap_err()
                .code(),
            ErrorCode::FlowState
        );
        assert_eq!(
            f.handle_transport_error(id, TransportError::Timeout, T0)
                .unwrap_err()
                .code(),
            ErrorCode::FlowState
        );
    }
    assert_eq!(f.snapshot(), before);
    // repeated polls while the call is in flight just wait
    for _ in 0..3 {
        assert_eq!(
            f.poll(T0 + 5),
            Action::Wait {
                until_ms: T0 + 15_000
            }
        );
    }
    f.handle_response(c.id, &signed(METHOD_PAY, PAID), T0 + 6)
        .unwrap();
    assert_eq!(
        f.handle_response(c.id, &signed(METHOD_PAY, PAID), T0 + 7)
            .unwrap_err()
            .code(),
        ErrorCode::FlowState
    );
}

#[test]
fn same_inputs_same_actions() {
    let go = || {
        let mut f = flow();
        run_flow(
            &mut f,
            &mut script(
                vec![s(METHOD_PAY, PAYING)],
                vec![
                    net(),
                    s(METHOD_QUERY, WAIT),
                    body(unsigned(METHOD_QUERY, SUCCESS)),
                ],
                vec![
                    s(METHOD_CANCEL, CANCEL_RETRY),
                    s(METHOD_CANCEL, CANCEL_CLOSE),
                ],
            ),
        )
        .actions
    };
    assert_eq!(go(), go());
}

#[test]
fn gbk_answers_are_verified_from_bytes() {
    use alipay_f2f_core::{Charset, PrivateKey, SignType};
    let key = PrivateKey::parse(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/fixtures/keys/app-private-key.pem"
        ))
        .unwrap(),
    )
    .unwrap();
    let obj = r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.BUYER_BALANCE_NOT_ENOUGH","sub_msg":"买家余额不足"}"#;
    let sign = alipay_f2f_core::sign::sign_content_base64(obj, &key, SignType::Rsa2, Charset::Gbk)
        .unwrap();
    let text = format!(r#"{{"alipay_trade_pay_response":{obj},"sign":"{sign}"}}"#);
    let bytes = Charset::Gbk.encode(&text).unwrap().into_owned();
    let mut f = flow();
    let c = loop {
        if let Action::Call(c) = f.poll(T0) {
            break c;
        }
    };
    f.handle_response_bytes(c.id, &bytes, Charset::Gbk, T0 + 10)
        .unwrap();
    loop {
        match f.poll(T0 + 10) {
            Action::Done(Outcome::Failed { sub_msg, .. }) => {
                assert_eq!(sub_msg.as_deref(), Some("买家余额不足"));
                break;
            }
            Action::Event(_) => {}
            a => panic!("{a:?}"),
        }
    }
}

/// The wire format the bindings and the TypeScript driver rely on.
#[test]
fn action_json_of_a_whole_run_is_stable() {
    let mut f = BarcodePay::new(
        PayOrder {
            auth_code: "12".into(),
            ..order()
        },
        Policy::default(),
        verifier(),
        T0,
    )
    .unwrap();
    let t = run_flow(
        &mut f,
        &mut script(
            vec![s(METHOD_PAY, PAYING)],
            vec![s(METHOD_QUERY, SUCCESS)],
            vec![],
        ),
    );
    let j: Vec<serde_json::Value> = t
        .actions
        .iter()
        .map(|a| serde_json::from_str(a).unwrap())
        .collect();
    let types: Vec<String> = j
        .iter()
        .map(|a| match a["type"].as_str().unwrap() {
            "event" => format!("event:{}", a["event"]["type"].as_str().unwrap()),
            t => t.to_string(),
        })
        .collect();
    assert_eq!(
        types,
        [
            "event:warning",
            "event:paySent",
            "call",
            "event:answer",
            "event:waitingForBuyer",
            "wait",
            "event:query",
            "call",
            "event:answer",
            "done"
        ]
    );
    assert_eq!(j[0]["event"]["code"], "AUTH_CODE_FORMAT");
    assert_eq!(
        j[1],
        serde_json::json!({"type":"event","event":{"type":"paySent","callId":1,
            "outTradeNo":"T20240101_0001","totalAmount":"88.88","authCode":"**"}})
    );
    assert_eq!(j[2]["type"], "call");
    assert_eq!(j[2]["id"], 1);
    assert_eq!(j[2]["method"], "alipay.trade.pay");
    assert_eq!(j[2]["timeoutMs"], 15000);
    assert!(j[2]["bizContent"].as_str().unwrap().starts_with(
        r#"{"out_trade_no":"T20240101_0001","scene":"bar_code","auth_code":"12","product_code":"FACE_TO_FACE_PAYMENT""#
    ));
    assert_eq!(
        j[3],
        serde_json::json!({"type":"event","event":{"type":"answer","callId":1,
            "method":"alipay.trade.pay","code":"10003"}})
    );
    assert_eq!(
        j[4],
        serde_json::json!({"type":"event","event":{"type":"waitingForBuyer","untilMs":T0 + 30_000}})
    );
    assert_eq!(
        j[5],
        serde_json::json!({"type":"wait","untilMs":T0 + 5_100})
    );
    assert_eq!(
        j[6],
        serde_json::json!({"type":"event","event":{"type":"query","callId":2,"attempt":1}})
    );
    assert_eq!(j[7]["bizContent"], r#"{"out_trade_no":"T20240101_0001"}"#);
    assert_eq!(
        j[8]["event"],
        serde_json::json!({"type":"answer","callId":2,"method":"alipay.trade.query",
            "code":"10000","tradeStatus":"TRADE_SUCCESS"})
    );
    assert_eq!(
        j[9],
        serde_json::json!({"type":"done","outcome":{"status":"paid",
            "outTradeNo":"T20240101_0001","tradeNo":"2024010122001400000000000001",
            "buyerLogonId":"159****5620","totalAmount":"88.88","receiptAmount":"88.88",
            "gmtPayment":"2024-01-01 12:00:09",
            "fundBillList":[{"fundChannel":"PCREDIT","amount":"88.88"}],
            "confirmedBy":"alipay.trade.query"}})
    );
}
