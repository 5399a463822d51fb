//! Unit tests of the refund machine on verified answers built in memory.

use super::*;

fn order() -> RefundOrder {
    RefundOrder {
        out_trade_no: Some("T1".into()),
        refund_amount: "1.00".into(),
        out_request_no: Some(request_no_from_entropy([7; 16])),
        ..RefundOrder::default()
    }
}

fn policy() -> RefundPolicy {
    RefundPolicy::default()
}

fn verified(method: &str, json: &str) -> Answer {
    Answer::Verified(VerifiedResponse {
        method: method.into(),
        object: serde_json::from_str(json).unwrap(),
        cert_sn: None,
    })
}

fn step(m: &mut RefundMachine, now: u64) -> Action {
    loop {
        match m.poll(now) {
            Action::Event(_) => {}
            a => return a,
        }
    }
}

fn call(m: &mut RefundMachine, now: u64, method: &str) -> ApiCall {
    match step(m, now) {
        Action::Call(c) if c.method == method => c,
        a => panic!("expected {method}, got {a:?}"),
    }
}

#[test]
fn entropy_gives_a_valid_stable_request_no() {
    let r = request_no_from_entropy([0xab; 16]);
    assert_eq!(r.len(), 33);
    assert!(r.starts_with('R'));
    assert!(r[1..].bytes().all(|b| b.is_ascii_hexdigit()));
}

#[test]
fn fund_change_y_is_refunded() {
    let mut m = RefundMachine::new(order(), policy(), 0);
    let c = call(&mut m, 0, METHOD_REFUND);
    let biz: Value = serde_json::from_str(&c.biz_content).unwrap();
    assert_eq!(biz["out_request_no"], request_no_from_entropy([7; 16]));
    assert_eq!(biz["refund_amount"], "1.00");
    m.settle(
        c.id,
        verified(
            METHOD_REFUND,
            r#"{"code":"10000","msg":"Success","fund_change":"Y","refund_fee":"1.00","out_trade_no":"T1"}"#,
        ),
        10,
    )
    .unwrap();
    match step(&mut m, 10) {
        Action::Done(Outcome::Refunded {
            refund_fee,
            confirmed_by,
            ..
        }) => {
            assert_eq!(refund_fee.as_deref(), Some("1.00"));
            assert_eq!(confirmed_by, METHOD_REFUND);
        }
        a => panic!("{a:?}"),
    }
}

#[test]
fn fund_change_n_is_confirmed_by_query() {
    let mut m = RefundMachine::new(order(), policy(), 0);
    let c = call(&mut m, 0, METHOD_REFUND);
    m.settle(
        c.id,
        verified(
            METHOD_REFUND,
            r#"{"code":"10000","msg":"Success","fund_change":"N"}"#,
        ),
        10,
    )
    .unwrap();
    assert_eq!(step(&mut m, 10), Action::Wait { until_ms: 10_010 });
    let q = call(&mut m, 10_010, METHOD_REFUND_QUERY);
    m.settle(
        q.id,
        verified(
            METHOD_REFUND_QUERY,
            r#"{"code":"10000","msg":"Success","refund_status":"REFUND_SUCCESS","refund_amount":"1.00"}"#,
        ),
        10_020,
    )
    .unwrap();
    assert!(matches!(
        step(&mut m, 10_020),
        Action::Done(Outcome::Refunded { .. })
    ));
}

#[test]
fn unconfirmed_refund_is_retried_with_the_same_request_no_then_unknown() {
    let mut m = RefundMachine::new(order(), policy(), 0);
    let mut now = 0;
    let mut bodies = Vec::new();
    loop {
        match step(&mut m, now) {
            Action::Wait { until_ms } => now = until_ms,
            Action::Call(c) => {
                if c.method == METHOD_REFUND {
                    bodies.push(c.biz_content.clone());
                }
                m.settle(c.id, Answer::Transport(TransportError::Timeout), now)
                    .unwrap();
            }
            Action::Done(o) => {
                assert!(matches!(
                    o,
                    Outcome::Unknown {
                        reason: UnknownReason::RefundNotConfirmed,
                        ..
                    }
                ));
                break;
            }
            Action::Event(_) => unreachable!(),
        }
    }
    assert_eq!(bodies.len(), 3);
    assert!(bodies.iter().all(|b| b == &bodies[0]));
}

#[test]
fn typed_business_failures_are_final() {
    for sub in ["ACQ.REASON_TRADE_REFUND_FEE_ERR", "ACQ.TRADE_NOT_EXIST"] {
        let mut m = RefundMachine::new(order(), policy(), 0);
        let c = call(&mut m, 0, METHOD_REFUND);
        let body = format!(r#"{{"code":"40004","msg":"Business Failed","sub_code":"{sub}"}}"#);
        m.settle(c.id, verified(METHOD_REFUND, &body), 1).unwrap();
        match step(&mut m, 1) {
            Action::Done(Outcome::Failed {
                reason, sub_code, ..
            }) => {
                assert_eq!(reason, FailReason::BusinessFailed);
                assert_eq!(sub_code.as_deref(), Some(sub));
            }
            a => panic!("{a:?}"),
        }
    }
}

#[test]
fn system_error_and_mismatch_are_unknown() {
    let mut m = RefundMachine::new(order(), policy(), 0);
    let c = call(&mut m, 0, METHOD_REFUND);
    m.settle(
        c.id,
        verified(
            METHOD_REFUND,
            r#"{"code":"40004","sub_code":"ACQ.SYSTEM_ERROR"}"#,
        ),
        0,
    )
    .unwrap();
    let q = call(&mut m, 10_000, METHOD_REFUND_QUERY);
    m.settle(
        q.id,
        verified(
            METHOD_REFUND_QUERY,
            r#"{"code":"10000","refund_status":"REFUND_SUCCESS","out_request_no":"other"}"#,
        ),
        10_000,
    )
    .unwrap();
    // not our refund: retry the refund
    call(&mut m, 12_000, METHOD_REFUND);
}

#[test]
fn abort_before_send_fails_and_after_send_is_unknown() {
    let mut m = RefundMachine::new(order(), policy(), 0);
    m.abort(0);
    assert!(matches!(
        step(&mut m, 0),
        Action::Done(Outcome::Failed {
            reason: FailReason::Aborted,
            ..
        })
    ));
    let mut m = RefundMachine::new(order(), policy(), 0);
    let c = call(&mut m, 0, METHOD_REFUND);
    m.abort(1);
    m.settle(c.id, Answer::Transport(TransportError::Aborted), 2)
        .unwrap();
    assert!(matches!(
        step(&mut m, 2),
        Action::Done(Outcome::Unknown {
            reason: UnknownReason::Aborted,
            ..
        })
    ));
}

#[test]
fn resume_of_a_lost_refund_queries_with_the_same_request_no() {
    let mut m = RefundMachine::new(order(), policy(), 0);
    call(&mut m, 0, METHOD_REFUND);
    let text = m.snapshot();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["kind"], "refund");
    let mut r: RefundMachine = serde_json::from_value(v["state"].clone()).unwrap();
    r.on_resume(100);
    let q = call(&mut r, 10_100, METHOD_REFUND_QUERY);
    let biz: Value = serde_json::from_str(&q.biz_content).unwrap();
    assert_eq!(biz["out_request_no"], request_no_from_entropy([7; 16]));
}
