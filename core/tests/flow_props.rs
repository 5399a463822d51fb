//! Property tests of the flows against simulated gateways that can answer
//! anything (every code, every trade status, delays, transport errors, bad
//! and missing signatures, duplicate nodes, mismatched trades), on virtual
//! time. Signed bodies come from a finite pool signed once, so 10,000+ cases
//! run in seconds.

mod flow_support;

use std::sync::OnceLock;

use alipay_f2f_core::flow::{
    Action, ApiCall, BarcodePay, CancelAction, FailReason, Outcome, PayOrder, Policy, Refund,
    RefundOrder, RefundPolicy, TransportError, METHOD_CANCEL, METHOD_PAY, METHOD_QUERY,
    METHOD_REFUND, METHOD_REFUND_QUERY,
};
use flow_support::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const T0: u64 = 1_700_000_000_000;
const OTN: &str = "T20240101_0001";

fn order() -> PayOrder {
    PayOrder {
        out_trade_no: OTN.into(),
        auth_code: "281234567890123456".into(),
        total_amount: "88.88".into(),
        subject: "Coffee".into(),
        ..PayOrder::default()
    }
}

/// What a pooled answer proves, if it verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Proof {
    /// A verified answer proving our trade paid.
    Paid,
    /// A verified query showing our trade closed.
    Closed,
    /// A verified definitive pay failure (40004 not unknown, or a refusal).
    Refused,
    /// A verified cancel success.
    Cancelled,
    /// A verified refund success (fund_change=Y or REFUND_SUCCESS).
    Refunded,
    /// Nothing.
    None,
}

struct Pools {
    pay: Vec<(Reply, Proof)>,
    query: Vec<(Reply, Proof)>,
    cancel: Vec<(Reply, Proof)>,
    refund: Vec<(Reply, Proof)>,
    refund_query: Vec<(Reply, Proof)>,
}

const PAID: &str = r#"{"code":"10000","msg":"Success","buyer_logon_id":"159****5620","fund_bill_list":[{"amount":"88.88","fund_channel":"ALIPAYACCOUNT"}],"gmt_payment":"2024-01-01 12:00:00","out_trade_no":"T20240101_0001","receipt_amount":"88.88","total_amount":"88.88","trade_no":"2024010122001400000000000001"}"#;
const PAID_BARE: &str =
    r#"{"code":"10000","msg":"Success","trade_no":"2024010122001400000000000001"}"#;
const PAYING: &str =
    r#"{"code":"10003","msg":"order success pay inprocess","out_trade_no":"T20240101_0001"}"#;
const SUCCESS: &str = r#"{"code":"10000","msg":"Success","out_trade_no":"T20240101_0001","trade_no":"2024010122001400000000000001","trade_status":"TRADE_SUCCESS","total_amount":"88.88"}"#;
const FINISHED: &str = r#"{"code":"10000","msg":"Success","out_trade_no":"T20240101_0001","trade_status":"TRADE_FINISHED","total_amount":"88.88"}"#;
const WAIT: &str = r#"{"code":"10000","msg":"Success","out_trade_no":"T20240101_0001","trade_status":"WAIT_BUYER_PAY","total_amount":"88.88"}"#;
const CLOSED: &str = r#"{"code":"10000","msg":"Success","out_trade_no":"T20240101_0001","trade_status":"TRADE_CLOSED","total_amount":"88.88"}"#;
const NOT_EXIST: &str =
    r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"no"}"#;
const UNAVAILABLE: &str =
    r#"{"code":"20000","msg":"Service Currently Unavailable","sub_code":"isp.unknow-error"}"#;
const SYS: &str = r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.SYSTEM_ERROR"}"#;
const DECLINED: &str = r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.BUYER_BALANCE_NOT_ENOUGH","sub_msg":"余额不足"}"#;
const CANCEL_CLOSE: &str = r#"{"code":"10000","msg":"Success","out_trade_no":"T20240101_0001","retry_flag":"N","action":"close"}"#;
const CANCEL_REFUND: &str = r#"{"code":"10000","msg":"Success","out_trade_no":"T20240101_0001","retry_flag":"N","action":"refund"}"#;
const CANCEL_RETRY: &str =
    r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.SYSTEM_ERROR","retry_flag":"Y"}"#;

fn transport() -> Vec<(Reply, Proof)> {
    vec![
        (
            Reply::Fail {
                error: TransportError::Network {
                    message: "reset".into(),
                },
                latency_ms: 30,
            },
            Proof::None,
        ),
        (
            Reply::Fail {
                error: TransportError::Http { status: 502 },
                latency_ms: 200,
            },
            Proof::None,
        ),
        (
            Reply::Fail {
                error: TransportError::Timeout,
                latency_ms: 60_000,
            },
            Proof::None,
        ),
        (
            Reply::Fail {
                error: TransportError::Aborted,
                latency_ms: 5,
            },
            Proof::None,
        ),
        (Reply::Silent, Proof::None),
        (body("<html>bad gateway</html>".into()), Proof::None),
        (body(String::new()), Proof::None),
    ]
}

fn pools() -> &'static Pools {
    static P: OnceLock<Pools> = OnceLock::new();
    P.get_or_init(|| {
        let sg = |m: &str, o: &str, p: Proof| (body(signed(m, o)), p);
        let other_trade = |s: &str| s.replace(OTN, "T20240101_0002");
        let other_amount = |s: &str| s.replace(r#""total_amount":"88.88""#, r#""total_amount":"8.88""#);
        let mut pay = vec![
            sg(METHOD_PAY, PAID, Proof::Paid),
            sg(METHOD_PAY, PAID_BARE, Proof::Paid),
            sg(METHOD_PAY, &other_trade(PAID), Proof::None),
            sg(METHOD_PAY, &other_amount(PAID), Proof::None),
            sg(METHOD_PAY, PAYING, Proof::None),
            sg(METHOD_PAY, UNAVAILABLE, Proof::None),
            sg(METHOD_PAY, SYS, Proof::None),
            sg(
                METHOD_PAY,
                r#"{"code":"40004","msg":"x","sub_code":"ACQ.TRADE_HAS_SUCCESS"}"#,
                Proof::None,
            ),
            sg(METHOD_PAY, DECLINED, Proof::Refused),
            sg(
                METHOD_PAY,
                r#"{"code":"40004","msg":"x","sub_code":"ACQ.PAYMENT_AUTH_CODE_INVALID"}"#,
                Proof::Refused,
            ),
            sg(METHOD_PAY, r#"{"code":"10001","msg":"?"}"#, Proof::None),
            (body(unsigned(METHOD_PAY, PAID)), Proof::None),
            (body(forged(METHOD_PAY, PAID, PAYING)), Proof::None),
            (body(duplicated(METHOD_PAY, PAYING, PAID)), Proof::None),
            (body(duplicated(METHOD_PAY, PAID, PAYING)), Proof::None),
        ];
        for code in ["40001", "40002", "40003", "40006", "20001"] {
            pay.push(sg(
                METHOD_PAY,
                &format!(r#"{{"code":"{code}","msg":"x","sub_code":"isv.x"}}"#),
                Proof::Refused,
            ));
        }
        pay.extend(transport());
        let mut query = vec![
            sg(METHOD_QUERY, SUCCESS, Proof::Paid),
            sg(METHOD_QUERY, FINISHED, Proof::Paid),
            sg(METHOD_QUERY, &other_trade(SUCCESS), Proof::None),
            sg(METHOD_QUERY, &other_amount(SUCCESS), Proof::None),
            sg(METHOD_QUERY, WAIT, Proof::None),
            sg(METHOD_QUERY, WAIT, Proof::None),
            sg(METHOD_QUERY, CLOSED, Proof::Closed),
            sg(METHOD_QUERY, &other_trade(CLOSED), Proof::None),
            sg(METHOD_QUERY, NOT_EXIST, Proof::None),
            sg(METHOD_QUERY, UNAVAILABLE, Proof::None),
            sg(METHOD_QUERY, SYS, Proof::None),
            sg(
                METHOD_QUERY,
                r#"{"code":"10000","msg":"Success","out_trade_no":"T20240101_0001","trade_status":"SOMETHING_NEW"}"#,
                Proof::None,
            ),
            (body(unsigned(METHOD_QUERY, SUCCESS)), Proof::None),
            (body(forged(METHOD_QUERY, SUCCESS, WAIT)), Proof::None),
            (body(duplicated(METHOD_QUERY, WAIT, SUCCESS)), Proof::None),
            (body(signed(METHOD_PAY, PAID)), Proof::None), // a pay answer where a query's belongs
        ];
        query.extend(transport());
        let mut cancel = vec![
            sg(METHOD_CANCEL, CANCEL_CLOSE, Proof::Cancelled),
            sg(METHOD_CANCEL, CANCEL_REFUND, Proof::Cancelled),
            sg(
                METHOD_CANCEL,
                r#"{"code":"10000","msg":"Success","retry_flag":"N"}"#,
                Proof::Cancelled,
            ),
            sg(METHOD_CANCEL, &other_trade(CANCEL_CLOSE), Proof::None),
            sg(METHOD_CANCEL, CANCEL_RETRY, Proof::None),
            sg(METHOD_CANCEL, CANCEL_RETRY, Proof::None),
            sg(
                METHOD_CANCEL,
                r#"{"code":"40004","msg":"x","sub_code":"ACQ.TRADE_CANCEL_TIME_OUT","retry_flag":"N"}"#,
                Proof::None,
            ),
            sg(METHOD_CANCEL, UNAVAILABLE, Proof::None),
            (body(unsigned(METHOD_CANCEL, CANCEL_CLOSE)), Proof::None),
            (body(forged(METHOD_CANCEL, CANCEL_CLOSE, CANCEL_RETRY)), Proof::None),
        ];
        cancel.extend(transport());
        let rq = "R0123456789abcdef0123456789abcdef";
        let refund_y = format!(
            r#"{{"code":"10000","msg":"Success","fund_change":"Y","refund_fee":"10.00","out_trade_no":"{OTN}"}}"#
        );
        let refund_n = r#"{"code":"10000","msg":"Success","fund_change":"N","refund_fee":"10.00"}"#;
        let mut refund = vec![
            sg(METHOD_REFUND, &refund_y, Proof::Refunded),
            sg(METHOD_REFUND, refund_n, Proof::None),
            sg(METHOD_REFUND, &other_trade(&refund_y), Proof::None),
            sg(METHOD_REFUND, UNAVAILABLE, Proof::None),
            sg(METHOD_REFUND, SYS, Proof::None),
            sg(
                METHOD_REFUND,
                r#"{"code":"40004","msg":"x","sub_code":"ACQ.REASON_TRADE_REFUND_FEE_ERR"}"#,
                Proof::Refused,
            ),
            sg(METHOD_REFUND, NOT_EXIST, Proof::Refused),
            sg(METHOD_REFUND, r#"{"code":"40002","msg":"x"}"#, Proof::Refused),
            (body(unsigned(METHOD_REFUND, &refund_y)), Proof::None),
            (body(forged(METHOD_REFUND, &refund_y, refund_n)), Proof::None),
        ];
        refund.extend(transport());
        let rs = format!(
            r#"{{"code":"10000","msg":"Success","out_request_no":"{rq}","refund_status":"REFUND_SUCCESS","refund_amount":"10.00"}}"#
        );
        let mut refund_query = vec![
            sg(METHOD_REFUND_QUERY, &rs, Proof::Refunded),
            sg(METHOD_REFUND_QUERY, &rs.replace(rq, "Rother"), Proof::None),
            sg(METHOD_REFUND_QUERY, &rs.replace("10.00", "1.00"), Proof::None),
            sg(METHOD_REFUND_QUERY, r#"{"code":"10000","msg":"Success"}"#, Proof::None),
            sg(METHOD_REFUND_QUERY, UNAVAILABLE, Proof::None),
            (body(unsigned(METHOD_REFUND_QUERY, &rs)), Proof::None),
            (body(forged(METHOD_REFUND_QUERY, &rs, UNAVAILABLE)), Proof::None),
        ];
        refund_query.extend(transport());
        Pools {
            pay,
            query,
            cancel,
            refund,
            refund_query,
        }
    })
}

#[derive(Debug, Clone)]
struct PayCase {
    picks: Vec<(u8, u16)>,
    abort_at: Option<u64>,
    policy: Policy,
    /// Poll step at which the POS crashes and resumes from its snapshot.
    crash_at: Option<usize>,
}

fn policy_strategy() -> impl Strategy<Value = Policy> {
    (
        prop_oneof![Just(1_000u64), Just(3_000), Just(5_000)],
        prop_oneof![Just(0u64), Just(10_000), Just(30_000), Just(60_000)],
        prop_oneof![Just(1_000u64), Just(15_000)],
        0u32..=3,
        1u32..=3,
    )
        .prop_map(
            |(poll, wait, timeout, cancel_retries, query_retries)| Policy {
                poll_interval_ms: poll,
                max_wait_ms: wait,
                call_timeout_ms: timeout,
                cancel_retries,
                cancel_retry_interval_ms: 2_000,
                query_retries,
            },
        )
}

fn pay_case() -> impl Strategy<Value = PayCase> {
    (
        prop::collection::vec((any::<u8>(), any::<u16>()), 1..24),
        prop_oneof![3 => Just(None), 1 => (0u64..80_000).prop_map(Some)],
        prop_oneof![3 => Just(Policy::default()), 2 => policy_strategy()],
        prop_oneof![1 => Just(None), 1 => (0usize..40).prop_map(Some)],
    )
        .prop_map(|(picks, abort_at, policy, crash_at)| PayCase {
            picks,
            abort_at,
            policy,
            crash_at,
        })
}

/// A gateway answering from the pools; records what each answer proves.
fn pool_gateway<'a>(
    picks: &'a [(u8, u16)],
    proofs: &'a mut Vec<Proof>,
) -> impl FnMut(&ApiCall, u64) -> Reply + 'a {
    let p = pools();
    let mut i = 0usize;
    move |c, _now| {
        let pool = match c.method.as_str() {
            METHOD_PAY => &p.pay,
            METHOD_QUERY => &p.query,
            METHOD_CANCEL => &p.cancel,
            METHOD_REFUND => &p.refund,
            METHOD_REFUND_QUERY => &p.refund_query,
            m => panic!("unexpected method {m}"),
        };
        let (pick, lat) = picks[i % picks.len()];
        i += 1;
        let (reply, proof) = pool[pick as usize % pool.len()].clone();
        proofs.push(proof);
        match reply {
            Reply::Body { text, .. } => Reply::Body {
                text,
                latency_ms: u64::from(lat) % 4_000,
            },
            other => other,
        }
    }
}

fn run_pay(case: &PayCase) -> (Trace, Vec<Proof>) {
    let mut proofs = Vec::new();
    let mut f = BarcodePay::new(order(), case.policy.clone(), verifier(), T0).unwrap();
    let t = {
        let mut gw = pool_gateway(&case.picks, &mut proofs);
        run(
            &mut f,
            T0,
            &mut gw,
            case.abort_at.map(|a| T0 + a),
            case.crash_at,
            2_000,
        )
    };
    (t, proofs)
}

fn check_pay_invariants(case: &PayCase, t: &Trace, proofs: &[Proof]) -> Result<(), TestCaseError> {
    let p = &case.policy;
    let outcome = t.outcome.as_ref().unwrap();
    let methods: Vec<&str> = t.calls.iter().map(|(_, c, _)| c.method.as_str()).collect();
    // one out_trade_no throughout
    for (_, c, _) in &t.calls {
        let biz: serde_json::Value = serde_json::from_str(&c.biz_content).unwrap();
        prop_assert_eq!(biz["out_trade_no"].as_str(), Some(OTN));
    }
    // never two pays; the pay comes first
    let pays = methods.iter().filter(|m| **m == METHOD_PAY).count();
    prop_assert!(pays <= 1);
    if pays == 1 {
        prop_assert_eq!(methods[0], METHOD_PAY);
    }
    let last = t.calls.last().map(|(_, c, _)| c.method.as_str());
    let last_proof = proofs.last().copied();
    match outcome {
        // never Paid without a verified answer proving it, nor after an abort
        Outcome::Paid { confirmed_by, .. } => {
            prop_assert_eq!(last_proof, Some(Proof::Paid));
            prop_assert_eq!(last, Some(confirmed_by.as_str()));
            prop_assert!(t.aborted_at.is_none(), "paid after an abort");
        }
        // a definitive failure only from a verified refusal / closed trade,
        // or an abort before anything was sent
        Outcome::Failed { reason, .. } => match reason {
            FailReason::Aborted => prop_assert!(t.calls.is_empty()),
            FailReason::TradeClosed => {
                prop_assert_eq!(last, Some(METHOD_QUERY));
                prop_assert_eq!(last_proof, Some(Proof::Closed));
            }
            FailReason::BusinessFailed | FailReason::Refused => {
                prop_assert_eq!(methods.clone(), vec![METHOD_PAY]);
                prop_assert_eq!(last_proof, Some(Proof::Refused));
            }
        },
        // everything else comes after a cancel attempt
        Outcome::Cancelled { .. } => {
            prop_assert_eq!(last, Some(METHOD_CANCEL));
            prop_assert_eq!(last_proof, Some(Proof::Cancelled));
        }
        Outcome::Unknown { paid, .. } => {
            prop_assert_eq!(last, Some(METHOD_CANCEL));
            if *paid {
                prop_assert!(proofs.contains(&Proof::Paid));
            }
        }
        Outcome::Refunded { .. } => prop_assert!(false, "refund outcome from a pay"),
    }
    if t.aborted_at.is_some() {
        let paid = matches!(outcome, Outcome::Paid { .. });
        prop_assert!(!paid, "paid after an abort");
    }
    // bounded calls and bounded virtual time
    let max_queries = p.max_wait_ms / p.poll_interval_ms + 2 + u64::from(p.query_retries);
    let max_cancels = u64::from(p.cancel_retries) + 1;
    // a resume may add one query or cancel (the lost call is asked again)
    let resumed = u64::from(t.resumed_at.is_some());
    let max_calls = 1 + max_queries + max_cancels + resumed;
    prop_assert!(
        t.calls.len() as u64 <= max_calls,
        "{} calls > {max_calls}",
        t.calls.len()
    );
    let max_time = max_calls * p.call_timeout_ms
        + p.max_wait_ms
        + p.poll_interval_ms
        + max_cancels * p.cancel_retry_interval_ms
        + resumed * 100;
    prop_assert!(
        t.end_ms - T0 <= max_time,
        "{} ms > {max_time}",
        t.end_ms - T0
    );
    Ok(())
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

/// 10,000 generated gateways (half of the runs crash and resume from a
/// snapshot at a random step, some are aborted): the safety invariants and
/// determinism.
#[test]
fn barcode_pay_invariants_hold_for_any_gateway() {
    let seen = std::cell::RefCell::new(std::collections::BTreeMap::<&'static str, u32>::new());
    let mut r = runner(10_000);
    r.run(&pay_case(), |case| {
        let (t, proofs) = run_pay(&case);
        check_pay_invariants(&case, &t, &proofs)?;
        // same inputs, same actions
        let (t2, _) = run_pay(&case);
        prop_assert_eq!(&t.actions, &t2.actions);
        *seen
            .borrow_mut()
            .entry(t.outcome.as_ref().unwrap().status())
            .or_default() += 1;
        Ok(())
    })
    .unwrap();
    // the generator reaches every outcome
    let seen = seen.into_inner();
    for s in ["paid", "failed", "cancelled", "unknown"] {
        assert!(seen.get(s).copied().unwrap_or(0) > 50, "{s}: {seen:?}");
    }
}

// ---------------------------------------------------------------------------
// A stateful gateway (a model of Alipay's trade) for snapshot/resume.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trade {
    None,
    Waiting,
    Paid,
    Closed,
    Refunded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Buyer {
    PaysNow,
    PaysAfter(u64),
    Never,
    Declines,
}

#[derive(Debug, Clone)]
struct Sim {
    trade: Trade,
    pay_at: Option<u64>,
    buyer: Buyer,
    /// Per-call noise, by gateway call index: 0 clean; 1 lost before the
    /// gateway; 2 processed, answer lost; 3 processed, answered 20000;
    /// 4 processed, forged signature; 5 processed, silent.
    noise: Vec<u8>,
    n: usize,
    pays: usize,
}

impl Sim {
    fn call(&mut self, c: &ApiCall, now: u64) -> Reply {
        if self.trade == Trade::Waiting && self.pay_at.is_some_and(|t| now >= t) {
            self.trade = Trade::Paid;
        }
        let noise = if self.noise.is_empty() {
            0
        } else {
            self.noise[self.n % self.noise.len()]
        };
        self.n += 1;
        if noise == 1 {
            return Reply::Fail {
                error: TransportError::Network {
                    message: "refused".into(),
                },
                latency_ms: 20,
            };
        }
        let obj: &str = match c.method.as_str() {
            METHOD_PAY => {
                self.pays += 1;
                match self.buyer {
                    Buyer::PaysNow => {
                        self.trade = Trade::Paid;
                        PAID
                    }
                    Buyer::PaysAfter(d) => {
                        self.trade = Trade::Waiting;
                        self.pay_at = Some(now + d);
                        PAYING
                    }
                    Buyer::Never => {
                        self.trade = Trade::Waiting;
                        PAYING
                    }
                    Buyer::Declines => DECLINED,
                }
            }
            METHOD_QUERY => match self.trade {
                Trade::None => NOT_EXIST,
                Trade::Waiting => WAIT,
                Trade::Paid => SUCCESS,
                Trade::Closed | Trade::Refunded => CLOSED,
            },
            METHOD_CANCEL => match self.trade {
                Trade::None | Trade::Waiting | Trade::Closed => {
                    self.trade = Trade::Closed;
                    CANCEL_CLOSE
                }
                Trade::Paid | Trade::Refunded => {
                    self.trade = Trade::Refunded;
                    CANCEL_REFUND
                }
            },
            m => panic!("unexpected {m}"),
        };
        match noise {
            2 => Reply::Fail {
                error: TransportError::Timeout,
                latency_ms: 15_000,
            },
            3 => body(signed(&c.method, UNAVAILABLE)),
            4 => body(forged(&c.method, obj, UNAVAILABLE)),
            5 => Reply::Silent,
            _ => body(signed(&c.method, obj)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Charged,
    NotCharged,
    Unknown,
}

fn class(o: &Outcome) -> Class {
    match o {
        Outcome::Paid { .. } => Class::Charged,
        Outcome::Failed { .. } | Outcome::Cancelled { .. } => Class::NotCharged,
        _ => Class::Unknown,
    }
}

/// The outcome agrees with the gateway's trade.
fn truthful(o: &Outcome, trade: Trade) -> Result<(), TestCaseError> {
    match o {
        Outcome::Paid { .. } => prop_assert_eq!(trade, Trade::Paid),
        Outcome::Failed { .. } => {
            prop_assert!(
                matches!(trade, Trade::None | Trade::Closed | Trade::Refunded),
                "{trade:?}"
            )
        }
        Outcome::Cancelled { action, .. } => match action {
            CancelAction::Close => prop_assert_eq!(trade, Trade::Closed),
            CancelAction::Refund => prop_assert_eq!(trade, Trade::Refunded),
        },
        _ => {}
    }
    Ok(())
}

/// Drives a flow against the sim; at poll step `crash` (if any) the POS
/// snapshots, performs the returned call (the gateway processes it), dies
/// before the answer, and resumes from the snapshot.
fn run_sim(sim: &mut Sim, crash: Option<usize>) -> (Outcome, bool) {
    let mut f = BarcodePay::new(order(), Policy::default(), verifier(), T0).unwrap();
    let mut now = T0;
    let mut pay_seen_before_crash = false;
    for step in 0..1_000 {
        let a = f.poll(now);
        if crash == Some(step) {
            let snap = f.snapshot();
            if let Action::Call(c) = &a {
                sim.call(c, now);
                now += 100;
            }
            pay_seen_before_crash = sim.pays > 0;
            f = BarcodePay::resume(&snap, verifier(), now).unwrap();
            continue;
        }
        match a {
            Action::Event(_) => {}
            Action::Done(o) => return (o, pay_seen_before_crash),
            Action::Wait { until_ms } => now = until_ms,
            Action::Call(c) => {
                let reply = sim.call(&c, now);
                match reply {
                    Reply::Body { text, latency_ms } => {
                        now += latency_ms;
                        f.handle_response(c.id, &text, now).unwrap();
                    }
                    Reply::Fail { error, latency_ms } => {
                        now += latency_ms.min(c.timeout_ms);
                        f.handle_transport_error(c.id, error, now).unwrap();
                    }
                    Reply::Silent => now += c.timeout_ms,
                }
            }
        }
    }
    panic!("flow did not finish");
}

fn sim_strategy() -> impl Strategy<Value = Sim> {
    (
        prop_oneof![
            Just(Buyer::PaysNow),
            (0u64..20_000).prop_map(Buyer::PaysAfter),
            Just(Buyer::Never),
            Just(Buyer::Declines),
        ],
        prop_oneof![
            1 => Just(Vec::new()),
            1 => prop::collection::vec(prop_oneof![6 => Just(0u8), 1 => 1u8..=5], 1..12),
        ],
    )
        .prop_map(|(buyer, noise)| Sim {
            trade: Trade::None,
            pay_at: None,
            buyer,
            noise,
            n: 0,
            pays: 0,
        })
}

/// Snapshot/resume at every step of generated runs: the outcome stays
/// truthful, the pay is never sent twice, and a clean gateway gives the same
/// class of outcome as the uninterrupted run once the pay reached it.
#[test]
fn resume_at_every_step_stays_truthful_and_same_class() {
    let mut r = runner(300);
    r.run(&sim_strategy(), |sim0| {
        let mut sim = sim0.clone();
        let (o, _) = run_sim(&mut sim, None);
        truthful(&o, sim.trade)?;
        prop_assert!(sim.pays <= 1);
        // number of poll steps of the uninterrupted run
        let steps = {
            let mut f = BarcodePay::new(order(), Policy::default(), verifier(), T0).unwrap();
            let mut s2 = sim0.clone();
            let mut now = T0;
            let mut n = 0;
            loop {
                n += 1;
                match f.poll(now) {
                    Action::Done(_) => break n,
                    Action::Event(_) => {}
                    Action::Wait { until_ms } => now = until_ms,
                    Action::Call(c) => match s2.call(&c, now) {
                        Reply::Body { text, latency_ms } => {
                            now += latency_ms;
                            f.handle_response(c.id, &text, now).unwrap();
                        }
                        Reply::Fail { error, latency_ms } => {
                            now += latency_ms.min(c.timeout_ms);
                            f.handle_transport_error(c.id, error, now).unwrap();
                        }
                        Reply::Silent => now += c.timeout_ms,
                    },
                }
            }
        };
        for crash in 0..steps {
            let mut s = sim0.clone();
            let (ro, pay_reached) = run_sim(&mut s, Some(crash));
            truthful(&ro, s.trade)?;
            prop_assert!(s.pays <= 1, "pay sent twice (crash at {crash})");
            if sim0.noise.is_empty() && pay_reached {
                prop_assert_eq!(
                    class(&ro),
                    class(&o),
                    "crash at {}: {:?} vs {:?}",
                    crash,
                    ro,
                    o
                );
            }
        }
        Ok(())
    })
    .unwrap();
}

// ---------------------------------------------------------------------------
// Refund

#[derive(Debug, Clone)]
struct RefundCase {
    picks: Vec<(u8, u16)>,
    retries: u32,
    crash_at: Option<usize>,
}

/// Refund invariants for any gateway (half of the runs crash and resume at a
/// random step): success only from a verified proof, one out_request_no and
/// amount throughout, bounded calls, determinism.
#[test]
fn refund_invariants_hold_for_any_gateway() {
    let strategy = (
        prop::collection::vec((any::<u8>(), any::<u16>()), 1..16),
        0u32..=3,
        prop_oneof![Just(None), (0usize..20).prop_map(Some)],
    )
        .prop_map(|(picks, retries, crash_at)| RefundCase {
            picks,
            retries,
            crash_at,
        });
    let go = |case: &RefundCase| {
        let order = RefundOrder {
            out_trade_no: Some(OTN.into()),
            refund_amount: "10.00".into(),
            ..RefundOrder::default()
        };
        let policy = RefundPolicy {
            refund_retries: case.retries,
            ..RefundPolicy::default()
        };
        let entropy = [
            0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
            0xcd, 0xef,
        ];
        let mut f = Refund::new(order, policy, verifier(), entropy, T0).unwrap();
        let mut proofs = Vec::new();
        let t = {
            let mut gw = pool_gateway(&case.picks, &mut proofs);
            run(&mut f, T0, &mut gw, None, case.crash_at, 1_000)
        };
        (t, proofs)
    };
    let mut r = runner(2_000);
    r.run(&strategy, |case| {
        let (t, proofs) = go(&case);
        let o = t.outcome.as_ref().unwrap();
        let mut refund_bodies = std::collections::BTreeSet::new();
        for (_, c, _) in &t.calls {
            let biz: serde_json::Value = serde_json::from_str(&c.biz_content).unwrap();
            prop_assert_eq!(
                biz["out_request_no"].as_str(),
                Some("R0123456789abcdef0123456789abcdef")
            );
            if c.method == METHOD_REFUND {
                refund_bodies.insert(c.biz_content.clone());
            }
        }
        prop_assert!(
            refund_bodies.len() <= 1,
            "refund retried with other parameters"
        );
        let refunds = t
            .calls
            .iter()
            .filter(|(_, c, _)| c.method == METHOD_REFUND)
            .count() as u32;
        let resumed = u32::from(t.resumed_at.is_some());
        prop_assert!(refunds <= case.retries + 1 + resumed);
        prop_assert!(t.calls.len() as u32 <= 2 * (case.retries + 1) + resumed);
        match o {
            Outcome::Refunded { confirmed_by, .. } => {
                prop_assert_eq!(proofs.last(), Some(&Proof::Refunded));
                prop_assert_eq!(
                    Some(confirmed_by.as_str()),
                    t.calls.last().map(|(_, c, _)| c.method.as_str())
                );
            }
            Outcome::Failed { .. } => prop_assert_eq!(proofs.last(), Some(&Proof::Refused)),
            Outcome::Unknown { .. } => {}
            other => prop_assert!(false, "unexpected {other:?}"),
        }
        let (t2, _) = go(&case);
        prop_assert_eq!(&t.actions, &t2.actions);
        Ok(())
    })
    .unwrap();
}
