//! Snapshots: tampered or corrupt snapshots never panic; they are refused
//! with `ERR_SNAPSHOT`, or resume into a flow that still finishes, within
//! bounds, without ever sending a pay.

mod flow_support;

use alipay_f2f_core::flow::{
    Action, ApiCall, BarcodePay, PayOrder, Policy, Refund, RefundOrder, RefundPolicy,
    METHOD_CANCEL, METHOD_PAY, METHOD_QUERY, METHOD_REFUND, METHOD_REFUND_QUERY,
};
use alipay_f2f_core::ErrorCode;
use flow_support::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;

const T0: u64 = 1_700_000_000_000;

const PAYING: &str = r#"{"code":"10003","msg":"order success pay inprocess","out_trade_no":"T1"}"#;
const WAIT: &str =
    r#"{"code":"10000","msg":"Success","out_trade_no":"T1","trade_status":"WAIT_BUYER_PAY"}"#;
const RETRY: &str = r#"{"code":"40004","msg":"x","sub_code":"ACQ.SYSTEM_ERROR","retry_flag":"Y"}"#;
const CLOSE: &str = r#"{"code":"10000","msg":"Success","out_trade_no":"T1","action":"close"}"#;
const N: &str = r#"{"code":"10000","msg":"Success","fund_change":"N"}"#;
const NONE: &str = r#"{"code":"10000","msg":"Success"}"#;

/// A gateway that keeps every flow going for a while: buyer confirming,
/// cancels retried twice, refunds never confirmed.
fn gateway() -> impl FnMut(&ApiCall, u64) -> Reply {
    let mut cancels = 0;
    move |c, _| match c.method.as_str() {
        METHOD_PAY => body(signed(METHOD_PAY, PAYING)),
        METHOD_QUERY => body(signed(METHOD_QUERY, WAIT)),
        METHOD_CANCEL => {
            cancels += 1;
            body(signed(
                METHOD_CANCEL,
                if cancels > 2 { CLOSE } else { RETRY },
            ))
        }
        METHOD_REFUND => body(signed(METHOD_REFUND, N)),
        METHOD_REFUND_QUERY => body(signed(METHOD_REFUND_QUERY, NONE)),
        m => panic!("{m}"),
    }
}

/// Snapshots after every poll of a pay run and a refund run.
fn snapshots() -> Vec<(bool, String)> {
    let mut out = Vec::new();
    let order = PayOrder {
        out_trade_no: "T1".into(),
        auth_code: "281234567890123456".into(),
        total_amount: "1.00".into(),
        subject: "s".into(),
        ..PayOrder::default()
    };
    let mut f = BarcodePay::new(order, Policy::default(), verifier(), T0).unwrap();
    let mut gw = gateway();
    let mut now = T0;
    loop {
        out.push((true, f.snapshot()));
        match f.poll(now) {
            Action::Done(_) => break,
            Action::Event(_) => {}
            Action::Wait { until_ms } => now = until_ms,
            Action::Call(c) => {
                out.push((true, f.snapshot()));
                if let Reply::Body { text, .. } = gw(&c, now) {
                    f.handle_response(c.id, &text, now).unwrap();
                }
            }
        }
    }
    let order = RefundOrder {
        out_trade_no: Some("T1".into()),
        refund_amount: "1.00".into(),
        ..RefundOrder::default()
    };
    let mut f = Refund::new(order, RefundPolicy::default(), verifier(), [9; 16], T0).unwrap();
    loop {
        out.push((false, f.snapshot()));
        match f.poll(now) {
            Action::Done(_) => break,
            Action::Event(_) => {}
            Action::Wait { until_ms } => now = until_ms,
            Action::Call(c) => {
                if let Reply::Body { text, .. } = gw(&c, now) {
                    f.handle_response(c.id, &text, now).unwrap();
                }
            }
        }
    }
    out
}

fn leaf(choice: u8) -> Value {
    match choice % 12 {
        0 => Value::Null,
        1 => true.into(),
        2 => false.into(),
        3 => 0.into(),
        4 => u64::MAX.into(),
        5 => (-1).into(),
        6 => "x".into(),
        7 => "".into(),
        8 => Value::Array(vec![]),
        9 => Value::Object(Default::default()),
        10 => 1e30.into(),
        _ => u32::MAX.into(),
    }
}

/// Replaces (or deletes) the node reached by following `path` choices.
fn mutate(v: &mut Value, path: &[u8], choice: u8, delete: bool) {
    let Some((p, rest)) = path.split_first() else {
        *v = leaf(choice);
        return;
    };
    match v {
        Value::Object(m) if !m.is_empty() => {
            let key = m.keys().nth(*p as usize % m.len()).unwrap().clone();
            if rest.is_empty() && delete {
                m.remove(&key);
            } else {
                mutate(m.get_mut(&key).unwrap(), rest, choice, delete);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            let i = *p as usize % a.len();
            if rest.is_empty() && delete {
                a.remove(i);
            } else {
                mutate(&mut a[i], rest, choice, delete);
            }
        }
        _ => *v = leaf(choice),
    }
}

fn drive<F: Flow>(f: &mut F, now: u64) {
    let mut gw = gateway();
    let t = run(f, now, &mut gw, None, None, 3_000);
    assert!(
        t.calls.iter().all(|(_, c, _)| c.method != METHOD_PAY),
        "a resumed flow sent a pay"
    );
    // 1 lost call asked again + queries within maxWaitMs (30 s / 5 s) + 4 cancels
    assert!(t.calls.len() <= 16, "{} calls", t.calls.len());
}

#[test]
fn every_snapshot_resumes_and_finishes_without_a_pay() {
    for (pay, s) in snapshots() {
        if pay {
            drive(
                &mut BarcodePay::resume(&s, verifier(), T0 + 1).unwrap(),
                T0 + 1,
            );
        } else {
            drive(&mut Refund::resume(&s, verifier(), T0 + 1).unwrap(), T0 + 1);
        }
    }
}

#[test]
fn tampered_snapshots_never_panic() {
    let snaps = snapshots();
    let strategy = (
        any::<prop::sample::Index>(),
        prop::collection::vec(any::<u8>(), 1..6),
        any::<u8>(),
        any::<bool>(),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..3),
    );
    let mut runner = TestRunner::new(Config {
        cases: 3_000,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&strategy, |(i, path, choice, delete, cuts)| {
            let (pay, s) = &snaps[i.index(snaps.len())];
            let mut v: Value = serde_json::from_str(s).unwrap();
            mutate(&mut v, &path, choice, delete);
            let mut text = v.to_string();
            // and sometimes corrupt the text itself
            for (at, byte) in cuts {
                if !text.is_empty() {
                    let k = at.index(text.len());
                    if text.is_char_boundary(k) && text.is_char_boundary(k + 1) {
                        text.replace_range(k..k + 1, &char::from(byte % 128).to_string());
                    }
                }
            }
            if *pay {
                match BarcodePay::resume(&text, verifier(), T0 + 1) {
                    Ok(mut f) => drive(&mut f, T0 + 1),
                    Err(e) => prop_assert_eq!(e.code(), ErrorCode::Snapshot),
                }
            } else {
                match Refund::resume(&text, verifier(), T0 + 1) {
                    Ok(mut f) => drive(&mut f, T0 + 1),
                    Err(e) => prop_assert_eq!(e.code(), ErrorCode::Snapshot),
                }
            }
            Ok(())
        })
        .unwrap();
}
