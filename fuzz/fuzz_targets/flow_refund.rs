//! `flow::Refund` against an adversarial scripted gateway (see `flow_pay`),
//! with aborts and crashes + resumes. Invariants after every run:
//! - it terminates within bounded polls, calls and virtual time;
//! - every refund call carries the same `out_request_no` and amount, every
//!   refund query the same `out_request_no` (a refund can never be doubled:
//!   Alipay refunds at most once per `out_request_no`), and the trade ids;
//! - `Refunded` only with a signed refund `10000` + `fund_change=Y` or a
//!   signed refund query `10000` + `REFUND_SUCCESS` not naming another
//!   trade, request or amount;
//! - `Failed` only with a signed definitive failure;
//! - every snapshot resumes.
#![no_main]

use alipay_f2f_core::flow::{Outcome, Refund, RefundOrder, RefundPolicy};
use arbitrary::Arbitrary;
use fuzz_support::*;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    call_timeout: u16,
    refund_retries: u8,
    query_delay: u16,
    retry_interval: u16,
    amount_cents: u32,
    given_request_no: bool,
    by_trade_no: bool,
    entropy: [u8; 16],
    abort_first: bool,
    start_ms: u32,
    steps: Vec<Step>,
}

const OUT_TRADE_NO: &str = "FUZZ_T1";

/// A signed answer proving the refund. The trade is named by `trade_no` or
/// `out_trade_no` (whichever the order gave: the other one is unknown to the
/// flow), the request by `out_request_no`; absent fields do not contradict.
fn is_refund_proof(f: &Fact, by_trade_no: bool) -> bool {
    let Some(b) = f.signed_body() else {
        return false;
    };
    let our_trade = if by_trade_no {
        b.trade_no == 0 || b.trade_no % 4 == 1
    } else {
        names_ours_or_nothing(b.out_trade_no)
    };
    let not_foreign = our_trade && names_ours_or_nothing(b.out_request_no);
    not_foreign
        && b.code == Code::C10000
        && match f.method.as_str() {
            "alipay.trade.refund" => b.fund_change == Flag::Y,
            "alipay.trade.fastpay.refund.query" => {
                b.refund_status == Flag::Y && names_ours_or_nothing(b.refund_amount)
            }
            _ => false,
        }
}

fuzz_target!(|input: Input| {
    let policy = RefundPolicy {
        call_timeout_ms: 1_000 + u64::from(input.call_timeout) * 2 % 119_001,
        refund_retries: u32::from(input.refund_retries % 11),
        query_delay_ms: u64::from(input.query_delay) % 60_001,
        retry_interval_ms: u64::from(input.retry_interval) % 60_001,
    };
    let cents = 1 + input.amount_cents % 999_999;
    let amount = format!("{}.{:02}", cents / 100, cents % 100);
    let order = RefundOrder {
        out_trade_no: (!input.by_trade_no).then(|| OUT_TRADE_NO.to_string()),
        trade_no: input.by_trade_no.then(|| trade_no(1)),
        refund_amount: amount.clone(),
        out_request_no: input.given_request_no.then(|| "FUZZ_R1".to_string()),
        ..RefundOrder::default()
    };
    let start = 1_700_000_000_000 + u64::from(input.start_ms);
    let mut flow =
        Refund::new(order, policy.clone(), verifier(), input.entropy, start).expect("valid order");
    let request_no = flow.out_request_no().to_string();
    if input.abort_first {
        flow.abort(start);
    }
    let ctx = Ctx {
        out_trade_no: OUT_TRADE_NO.into(),
        amount: amount.clone(),
        out_request_no: request_no.clone(),
        refund_amount: amount.clone(),
    };
    let run = drive(flow, start, &input.steps, &ctx, 20_000, "");

    let outcome = run.outcome.as_ref().unwrap_or_else(|| {
        panic!(
            "no outcome after {} polls / {} calls",
            run.polls,
            run.calls.len()
        )
    });
    assert!(
        run.unresumable.is_empty(),
        "snapshot does not resume: {}",
        run.unresumable[0]
    );

    for c in &run.calls {
        let biz: serde_json::Value =
            serde_json::from_str(&c.biz_content).expect("biz_content is JSON");
        assert_eq!(
            biz["out_request_no"],
            request_no.as_str(),
            "{}",
            c.biz_content
        );
        if input.by_trade_no {
            assert_eq!(biz["trade_no"], trade_no(1).as_str());
        } else {
            assert_eq!(biz["out_trade_no"], OUT_TRADE_NO);
        }
        match c.method.as_str() {
            "alipay.trade.refund" => assert_eq!(biz["refund_amount"], amount.as_str()),
            "alipay.trade.fastpay.refund.query" => {}
            m => panic!("unexpected call {m}"),
        }
    }

    let refunds = run
        .calls
        .iter()
        .filter(|c| c.method == "alipay.trade.refund")
        .count() as u64;
    let bound = u64::from(policy.refund_retries) + 1 + u64::from(run.crashes);
    assert!(refunds <= bound, "{refunds} refund calls > {bound}");
    let calls_bound = 2 * bound + 1;
    assert!(
        run.calls.len() as u64 <= calls_bound,
        "{} calls > {calls_bound}",
        run.calls.len()
    );
    let per_call = policy.call_timeout_ms + policy.query_delay_ms + policy.retry_interval_ms;
    assert!(run.end_ms - run.start_ms <= calls_bound * per_call + per_call);

    match outcome {
        Outcome::Refunded {
            out_request_no,
            refund_amount,
            ..
        } => {
            assert_eq!(*out_request_no, request_no);
            assert_eq!(*refund_amount, amount);
            assert!(
                run.facts
                    .iter()
                    .any(|f| is_refund_proof(f, input.by_trade_no)),
                "Refunded without proof: {:?}",
                run.facts
            );
        }
        Outcome::Failed { .. } => {
            // nothing sent (aborted first), or a signed definitive failure
            assert!(
                run.calls.is_empty()
                    || run
                        .facts
                        .iter()
                        .any(|f| f.signed_body().is_some_and(|b| matches!(
                            b.code,
                            Code::C40004
                                | Code::C40001
                                | Code::C40002
                                | Code::C40003
                                | Code::C40006
                                | Code::C20001
                        ))),
                "Failed without a signed definitive failure: {:?}",
                run.facts
            );
        }
        Outcome::Unknown { .. } => {}
        o => panic!("a refund flow ended {}", o.status()),
    }
});
