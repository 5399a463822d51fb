//! `flow::BarcodePay` against an adversarial scripted gateway (signed,
//! unsigned, forged, duplicated, truncated and flipped answers, transport
//! errors, timeouts), with cashier aborts and POS crashes + resumes at any
//! call, on virtual time. Invariants checked after every run:
//! - it terminates (a `Done` within a bounded number of polls, calls and
//!   virtual time);
//! - at most one `alipay.trade.pay` is ever sent (crashes included), and
//!   every call names our `out_trade_no`;
//! - `Paid` only with a correctly signed `10000` pay answer or a signed
//!   query `10000` + `TRADE_SUCCESS`/`TRADE_FINISHED` naming our trade and
//!   amount (or not naming them), and its `trade_no` comes from such a proof;
//! - `Cancelled` only with a signed cancel `10000`; `Failed` only with a
//!   signed definitive failure (or an abort before the pay was sent), and
//!   never after a proof of payment; `Unknown.paid` set after a proof, never
//!   without a signed one (answers with intact signed content in a damaged
//!   envelope may count or not);
//! - every snapshot resumes, and none carries the payment code.
#![no_main]

use alipay_f2f_core::flow::{BarcodePay, Outcome, PayOrder, Policy};
use arbitrary::Arbitrary;
use fuzz_support::*;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    poll_interval: u16,
    max_wait: u16,
    call_timeout: u16,
    cancel_retries: u8,
    cancel_retry_interval: u16,
    query_retries: u8,
    amount_cents: u32,
    abort_first: bool,
    start_ms: u32,
    steps: Vec<Step>,
}

const OUT_TRADE_NO: &str = "FUZZ_T1";
const AUTH_CODE: &str = "280912345678901234";

/// A signed answer proving the payment (`b` is the answer's body).
fn proves_paid(f: &Fact, b: &Body) -> bool {
    let ok_status = match f.method.as_str() {
        "alipay.trade.pay" => true,
        "alipay.trade.query" => {
            matches!(b.trade_status, Status::TradeSuccess | Status::TradeFinished)
        }
        _ => false,
    };
    ok_status
        && b.code == Code::C10000
        && names_ours_or_nothing(b.out_trade_no)
        && names_ours_or_nothing(b.total_amount)
}

fn is_definitive_failure(f: &Fact) -> bool {
    let Some(b) = f.signed_body() else {
        return false;
    };
    matches!(
        b.code,
        Code::C40004 | Code::C40001 | Code::C40002 | Code::C40003 | Code::C40006 | Code::C20001
    ) || (f.method == "alipay.trade.query"
        && b.code == Code::C10000
        && b.trade_status == Status::TradeClosed)
}

fuzz_target!(|input: Input| {
    let policy = Policy {
        poll_interval_ms: 100 + u64::from(input.poll_interval) % 29_901,
        max_wait_ms: u64::from(input.max_wait) % 60_001,
        call_timeout_ms: 1_000 + u64::from(input.call_timeout) * 2 % 119_001,
        cancel_retries: u32::from(input.cancel_retries % 11),
        cancel_retry_interval_ms: u64::from(input.cancel_retry_interval) % 60_001,
        query_retries: 1 + u32::from(input.query_retries % 10),
    };
    let cents = 1 + input.amount_cents % 999_999;
    let amount = format!("{}.{:02}", cents / 100, cents % 100);
    let ctx = Ctx {
        out_trade_no: OUT_TRADE_NO.into(),
        amount: amount.clone(),
        out_request_no: String::new(),
        refund_amount: amount.clone(),
    };
    let order = PayOrder {
        out_trade_no: OUT_TRADE_NO.into(),
        auth_code: AUTH_CODE.into(),
        total_amount: amount.clone(),
        subject: "fuzz".into(),
        ..PayOrder::default()
    };
    let start = 1_700_000_000_000 + u64::from(input.start_ms);
    let mut flow = BarcodePay::new(order, policy.clone(), verifier(), start).expect("valid order");
    if input.abort_first {
        flow.abort(start);
    }
    let run = drive(flow, start, &input.steps, &ctx, 60_000, AUTH_CODE);

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

    // One pay at most; every call about our trade.
    let pays = run
        .calls
        .iter()
        .filter(|c| c.method == "alipay.trade.pay")
        .count();
    assert!(pays <= 1, "{pays} pay calls");
    for c in &run.calls {
        let biz: serde_json::Value =
            serde_json::from_str(&c.biz_content).expect("biz_content is JSON");
        assert_eq!(
            biz["out_trade_no"], OUT_TRADE_NO,
            "call about another trade: {}",
            c.biz_content
        );
        assert!(!c.biz_content.contains(AUTH_CODE) || c.method == "alipay.trade.pay");
    }
    if pays == 0 {
        assert!(run.calls.is_empty(), "query/cancel without a pay");
    }

    // Bounded: calls, time.
    let queries_bound =
        u64::from(policy.query_retries) + policy.max_wait_ms / policy.poll_interval_ms + 2;
    let cancels_bound = u64::from(policy.cancel_retries) + 1;
    let calls_bound = 1 + queries_bound + cancels_bound + 2 * u64::from(run.crashes) + 1;
    assert!(
        run.calls.len() as u64 <= calls_bound,
        "{} calls > bound {calls_bound} ({policy:?})",
        run.calls.len()
    );
    let per_call =
        policy.call_timeout_ms + policy.poll_interval_ms.max(policy.cancel_retry_interval_ms);
    let time_bound = policy.max_wait_ms + calls_bound * per_call;
    assert!(
        run.end_ms - run.start_ms <= time_bound,
        "took {} ms > bound {time_bound}",
        run.end_ms - run.start_ms
    );

    // Proofs in answers that certainly verify, and in answers whose signed
    // content is intact but whose envelope was damaged (may verify or not).
    let proofs = run
        .facts
        .iter()
        .filter(|f| f.verified_body().is_some_and(|b| proves_paid(f, b)))
        .count();
    let possible_proofs = run
        .facts
        .iter()
        .filter(|f| f.signed_body().is_some_and(|b| proves_paid(f, b)))
        .count();
    match outcome {
        Outcome::Paid {
            trade_no,
            out_trade_no,
            total_amount,
            ..
        } => {
            assert_eq!(out_trade_no, OUT_TRADE_NO);
            assert!(
                same_amount(total_amount, &amount),
                "paid {total_amount} for {amount}"
            );
            assert!(
                possible_proofs > 0,
                "Paid without a verified proof: {:?}",
                run.facts
            );
            if let Some(t) = trade_no {
                assert!(
                    run.facts.iter().any(|f| f
                        .signed_body()
                        .is_some_and(|b| b.trade_no != 0 && trade_no_of(b) == *t)),
                    "paid trade_no {t} never seen in a verified answer"
                );
            }
        }
        Outcome::Cancelled { .. } => {
            assert!(
                run.facts.iter().any(|f| f.method == "alipay.trade.cancel"
                    && f.signed_body().is_some_and(|b| b.code == Code::C10000)),
                "Cancelled without a verified cancel 10000"
            );
        }
        Outcome::Failed { code, .. } => {
            assert!(
                proofs == 0,
                "Failed after a proof of payment: {:?}",
                run.facts
            );
            assert!(
                pays == 0 || run.facts.iter().any(is_definitive_failure),
                "Failed ({code}) without a signed definitive failure: {:?}",
                run.facts
            );
        }
        Outcome::Unknown { paid, .. } => {
            // paid ⇒ some signed proof; a certain proof ⇒ paid
            assert!(
                !*paid || possible_proofs > 0,
                "Unknown.paid without a proof"
            );
            assert!(*paid || proofs == 0, "Unknown.paid false after a proof");
        }
        Outcome::Refunded { .. } => panic!("a payment flow ended Refunded"),
    }
});

fn trade_no_of(b: &Body) -> String {
    trade_no(b.trade_no % 4)
}
