//! Scenario tests of `Refund` against a scripted gateway with really signed answers.

mod flow_support;

use alipay_f2f_core::flow::{
    Action, ApiCall, Event, FailReason, Outcome, Refund, RefundOrder, RefundPolicy, TransportError,
    UnknownReason, METHOD_REFUND, METHOD_REFUND_QUERY,
};
use alipay_f2f_core::ErrorCode;
use flow_support::*;

const T0: u64 = 1_700_000_000_000;
const ENTROPY: [u8; 16] = [0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const REQ: &str = "Rdeadbeef000102030405060708090a0b";

fn order() -> RefundOrder {
    RefundOrder {
        out_trade_no: Some("T20240101_0001".into()),
        refund_amount: "10.00".into(),
        refund_reason: Some("退货".into()),
        ..RefundOrder::default()
    }
}

fn refund() -> Refund {
    Refund::new(order(), RefundPolicy::default(), verifier(), ENTROPY, T0).unwrap()
}

const Y: &str = r#"{"code":"10000","msg":"Success","buyer_logon_id":"159****5620","fund_change":"Y","gmt_refund_pay":"2024-01-02 10:00:00","out_trade_no":"T20240101_0001","refund_fee":"10.00","trade_no":"2024010122001400000000000001"}"#;
const N: &str = r#"{"code":"10000","msg":"Success","fund_change":"N","out_trade_no":"T20240101_0001","refund_fee":"10.00"}"#;
const SYS: &str = r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.SYSTEM_ERROR","sub_msg":"系统错误"}"#;
const QUERY_OK: &str = r#"{"code":"10000","msg":"Success","out_request_no":"Rdeadbeef000102030405060708090a0b","out_trade_no":"T20240101_0001","refund_amount":"10.00","refund_status":"REFUND_SUCCESS","total_amount":"88.88"}"#;
const QUERY_NONE: &str = r#"{"code":"10000","msg":"Success","out_request_no":"Rdeadbeef000102030405060708090a0b","out_trade_no":"T20240101_0001"}"#;

fn script(refunds: Vec<Reply>, queries: Vec<Reply>) -> impl FnMut(&ApiCall, u64) -> Reply {
    let mut n = [0usize; 2];
    move |c, _| {
        let (list, i) = if c.method == METHOD_REFUND {
            (&refunds, 0)
        } else {
            (&queries, 1)
        };
        let r = list.get(n[i]).or(list.last()).cloned().unwrap();
        n[i] += 1;
        r
    }
}

fn s(m: &str, o: &str) -> Reply {
    body(signed(m, o))
}

fn go(f: &mut Refund, gw: &mut dyn FnMut(&ApiCall, u64) -> Reply) -> Trace {
    run(f, T0, gw, None, None, 500)
}

#[test]
fn fund_change_y_is_refunded() {
    let mut f = refund();
    assert_eq!(f.out_request_no(), REQ);
    let t = go(&mut f, &mut script(vec![s(METHOD_REFUND, Y)], vec![]));
    assert_eq!(t.calls.len(), 1);
    let biz: serde_json::Value = serde_json::from_str(&t.calls[0].1.biz_content).unwrap();
    assert_eq!(biz["out_request_no"], REQ);
    assert_eq!(biz["refund_amount"], "10.00");
    assert_eq!(biz["refund_reason"], "退货");
    assert_eq!(
        t.outcome.unwrap(),
        Outcome::Refunded {
            out_trade_no: Some("T20240101_0001".into()),
            trade_no: Some("2024010122001400000000000001".into()),
            out_request_no: REQ.into(),
            refund_amount: "10.00".into(),
            refund_fee: Some("10.00".into()),
            gmt_refund_pay: Some("2024-01-02 10:00:00".into()),
            confirmed_by: METHOD_REFUND.into(),
        }
    );
    assert!(
        matches!(&t.events[0], Event::Refund { out_request_no, attempt: 1, .. } if out_request_no == REQ)
    );
}

#[test]
fn fund_change_n_needs_a_refund_query() {
    let mut f = refund();
    let t = go(
        &mut f,
        &mut script(
            vec![s(METHOD_REFUND, N)],
            vec![s(METHOD_REFUND_QUERY, QUERY_OK)],
        ),
    );
    assert_eq!(t.calls.len(), 2);
    assert_eq!(t.calls[1].1.method, METHOD_REFUND_QUERY);
    assert_eq!(
        t.calls[1].0 - t.calls[0].0,
        10_100,
        "query 10 s after the refund answer"
    );
    assert!(
        matches!(t.outcome.unwrap(), Outcome::Refunded { ref confirmed_by, .. } if confirmed_by == METHOD_REFUND_QUERY)
    );
}

#[test]
fn unknown_results_query_then_retry_with_the_same_request_no() {
    for first in [
        s(METHOD_REFUND, SYS),
        s(
            METHOD_REFUND,
            r#"{"code":"20000","msg":"Service Currently Unavailable"}"#,
        ),
        Reply::Fail {
            error: TransportError::Network {
                message: "reset".into(),
            },
            latency_ms: 10,
        },
        Reply::Silent,
        body(unsigned(METHOD_REFUND, Y)),
        body(forged(METHOD_REFUND, Y, N)),
        body(duplicated(METHOD_REFUND, N, Y)),
        s(
            METHOD_REFUND,
            &Y.replace("T20240101_0001", "T20240101_0002"),
        ),
    ] {
        let mut f = refund();
        let t = go(
            &mut f,
            &mut script(
                vec![first.clone(), s(METHOD_REFUND, Y)],
                vec![s(METHOD_REFUND_QUERY, QUERY_NONE)],
            ),
        );
        let methods: Vec<&str> = t.calls.iter().map(|(_, c, _)| c.method.as_str()).collect();
        assert_eq!(
            methods,
            [METHOD_REFUND, METHOD_REFUND_QUERY, METHOD_REFUND],
            "{first:?}"
        );
        assert_eq!(
            t.calls[0].1.biz_content, t.calls[2].1.biz_content,
            "same out_request_no and amount"
        );
        assert!(
            matches!(t.outcome.unwrap(), Outcome::Refunded { .. }),
            "{first:?}"
        );
    }
}

#[test]
fn never_confirmed_is_unknown_after_bounded_retries() {
    let mut f = refund();
    let t = go(
        &mut f,
        &mut script(
            vec![s(METHOD_REFUND, N)],
            vec![s(METHOD_REFUND_QUERY, QUERY_NONE)],
        ),
    );
    assert_eq!(t.calls.len(), 6, "3 refunds, 3 queries");
    match t.outcome.unwrap() {
        Outcome::Unknown {
            reason,
            out_request_no,
            calls,
            ..
        } => {
            assert_eq!(reason, UnknownReason::RefundNotConfirmed);
            assert_eq!(out_request_no.as_deref(), Some(REQ));
            assert_eq!(calls.len(), 6);
        }
        o => panic!("{o:?}"),
    }
}

#[test]
fn typed_failures_are_final() {
    for (code, sub, reason) in [
        (
            "40004",
            "ACQ.REASON_TRADE_REFUND_FEE_ERR",
            FailReason::BusinessFailed,
        ),
        ("40004", "ACQ.TRADE_NOT_EXIST", FailReason::BusinessFailed),
        (
            "40004",
            "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
            FailReason::BusinessFailed,
        ),
        ("40002", "isv.invalid-signature", FailReason::Refused),
    ] {
        let mut f = refund();
        let obj = format!(
            r#"{{"code":"{code}","msg":"x","sub_code":"{sub}","sub_msg":"y","refund_fee":"0.00"}}"#
        );
        let t = go(&mut f, &mut script(vec![s(METHOD_REFUND, &obj)], vec![]));
        assert_eq!(t.calls.len(), 1);
        match t.outcome.unwrap() {
            Outcome::Failed {
                reason: r,
                sub_code,
                out_request_no,
                ..
            } => {
                assert_eq!(r, reason);
                assert_eq!(sub_code.as_deref(), Some(sub));
                assert_eq!(out_request_no.as_deref(), Some(REQ));
            }
            o => panic!("{o:?}"),
        }
    }
}

#[test]
fn given_request_no_is_used_and_validated() {
    let o = RefundOrder {
        out_request_no: Some("RF_1".into()),
        ..order()
    };
    let f = Refund::new(o, RefundPolicy::default(), verifier(), ENTROPY, T0).unwrap();
    assert_eq!(f.out_request_no(), "RF_1");
    let bad = |o: RefundOrder, field: &str| {
        let e = Refund::new(o, RefundPolicy::default(), verifier(), ENTROPY, T0).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        assert_eq!(e.field(), Some(field));
    };
    bad(
        RefundOrder {
            out_request_no: Some("a b".into()),
            ..order()
        },
        "out_request_no",
    );
    bad(
        RefundOrder {
            refund_amount: "1.001".into(),
            ..order()
        },
        "refund_amount",
    );
    bad(
        RefundOrder {
            out_trade_no: None,
            ..order()
        },
        "out_trade_no",
    );
    let e = Refund::new(
        order(),
        RefundPolicy {
            refund_retries: 99,
            ..RefundPolicy::default()
        },
        verifier(),
        ENTROPY,
        T0,
    )
    .unwrap_err();
    assert_eq!(e.field(), Some("refundRetries"));
    // trade_no alone is enough
    let o = RefundOrder {
        out_trade_no: None,
        trade_no: Some("2024010122001400000000000001".into()),
        ..order()
    };
    let mut f = Refund::new(o, RefundPolicy::default(), verifier(), ENTROPY, T0).unwrap();
    let t = go(&mut f, &mut script(vec![s(METHOD_REFUND, Y)], vec![]));
    let biz: serde_json::Value = serde_json::from_str(&t.calls[0].1.biz_content).unwrap();
    assert_eq!(biz["trade_no"], "2024010122001400000000000001");
    assert!(biz.get("out_trade_no").is_none());
}

#[test]
fn resume_keeps_the_request_no_and_queries_a_lost_refund() {
    let mut f = refund();
    let c = loop {
        if let Action::Call(c) = f.poll(T0) {
            break c;
        }
    };
    let snap = f.snapshot();
    assert!(snap.contains(REQ));
    let mut r = Refund::resume(&snap, verifier(), T0 + 1_000).unwrap();
    let t = run(
        &mut r,
        T0 + 1_000,
        &mut script(
            vec![s(METHOD_REFUND, N)],
            vec![
                s(METHOD_REFUND_QUERY, QUERY_NONE),
                s(METHOD_REFUND_QUERY, QUERY_OK),
            ],
        ),
        None,
        None,
        500,
    );
    let methods: Vec<&str> = t.calls.iter().map(|(_, c, _)| c.method.as_str()).collect();
    assert_eq!(
        methods,
        [METHOD_REFUND_QUERY, METHOD_REFUND, METHOD_REFUND_QUERY]
    );
    assert_eq!(t.calls[1].1.biz_content, c.biz_content);
    assert!(matches!(t.outcome.unwrap(), Outcome::Refunded { .. }));
    // wrong kind / garbage
    for bad in ["{", r#"{"version":1,"kind":"barcodePay","state":{}}"#] {
        assert_eq!(
            Refund::resume(bad, verifier(), T0).unwrap_err().code(),
            ErrorCode::Snapshot
        );
    }
}

#[test]
fn abort_before_sending_fails_and_stale_ids_are_refused() {
    let mut f = refund();
    assert_eq!(
        f.handle_transport_error(1, TransportError::Timeout, T0)
            .unwrap_err()
            .code(),
        ErrorCode::FlowState
    );
    f.abort(T0);
    assert!(matches!(f.poll(T0), Action::Event(Event::Aborted)));
    assert!(matches!(
        f.poll(T0),
        Action::Done(Outcome::Failed {
            reason: FailReason::Aborted,
            ..
        })
    ));
}
