//! Scenarios and faults, chosen by the buyer's payment code (`auth_code`) so
//! a cashier can type them, and faults injected through the control endpoint.
//!
//! Sandbox codes are 18 digits starting with `28`; the third digit selects
//! the scenario, the following digits are parameters, the rest is free (use
//! it to make each code unique: every code pays at most once).
//!
//! | code | scenario |
//! |---|---|
//! | `280…` | pays at once (`10000`, `TRADE_SUCCESS`) |
//! | `281SS…` | buyer must enter a password: `10003`, paid after `SS` seconds (`00` = default 8 s), scaled by speed |
//! | `282…` | buyer never confirms: `10003`, stays `WAIT_BUYER_PAY` until cancelled or `timeout_express` |
//! | `283…` | insufficient balance: `40004 ACQ.BUYER_BALANCE_NOT_ENOUGH` (no trade) |
//! | `284…` | invalid code: `40004 ACQ.PAYMENT_AUTH_CODE_INVALID` (no trade) |
//! | `285…` | `20000` (`isp.unknow-error`) although the payment went through |
//! | `286…` | pays, but the answer comes after the slow delay (default 20 s, scaled) |
//! | `287N…` | `10003`, never confirms, and the first `N` cancels (`0` = default 2) answer `ACQ.SYSTEM_ERROR` with `retry_flag=Y` |
//! | `288SS…` | `10003`, then the buyer cancels on the phone after `SS` s (`00` = default 8 s): `TRADE_CLOSED` |
//! | `289FS…` | fault `F` (see [`Fault::from_digit`]) on this pay answer, over scenario `S` (`0`–`8`, params follow) |
//!
//! Any other code that looks like a real payment code (`25`–`30` followed by
//! 14–22 digits, or a 35-character `fp…` face code) pays at once; anything
//! else answers `ACQ.PAYMENT_AUTH_CODE_INVALID`.

use std::fmt;
use std::str::FromStr;

/// What the simulated buyer does with a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// Pays at once.
    PayNow,
    /// Needs the buyer's password: `10003`, then paid after the delay
    /// (`None` = the configured default), scaled by the speed.
    Password {
        /// Delay in milliseconds at speed 1, or `None` for the default.
        delay_ms: Option<u64>,
    },
    /// `10003` and the buyer never confirms.
    NeverConfirms,
    /// `40004 ACQ.BUYER_BALANCE_NOT_ENOUGH`.
    InsufficientBalance,
    /// `40004 ACQ.PAYMENT_AUTH_CODE_INVALID`.
    InvalidCode,
    /// Answers `20000` although the payment went through.
    UnavailableButPaid,
    /// Pays, but answers after the slow delay.
    SlowButPaid,
    /// `10003`, never confirms, and the first cancels must be retried.
    CancelNeedsRetries {
        /// Failing cancels before one succeeds (`None` = configured default).
        failures: Option<u32>,
    },
    /// `10003`, then the buyer cancels on the phone: `TRADE_CLOSED`.
    BuyerCancels {
        /// Delay in milliseconds at speed 1, or `None` for the default.
        delay_ms: Option<u64>,
    },
}

/// A damaged or lost answer. Code-selected faults hit the first answer to a
/// pay; control faults hit the next answers to a method. The request itself
/// is processed normally (state changes happen); only the answer suffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// HTTP 502 with an HTML error page. Name `http_5xx`, digit `0`.
    Http5xx,
    /// The connection is closed without any HTTP response. Name
    /// `drop_connection`, digit `1`.
    DropConnection,
    /// A complete HTTP 200 whose JSON body is cut in half. Name
    /// `truncated_body`, digit `2`.
    TruncatedBody,
    /// HTTP 200 with an HTML page instead of JSON. Name `non_json`, digit `3`.
    NonJson,
    /// The `sign` does not match the content. Name `bad_signature`, digit `4`.
    BadSignature,
    /// A forged second `<method>_response` node (claiming success) after
    /// `sign`. Name `duplicate_node`, digit `5`.
    DuplicateNode,
    /// An unsigned `20000` error instead of the answer. Name
    /// `unsigned_error`, digit `6`.
    UnsignedError,
    /// The answer comes after the slow delay. Name `slow`, digit `7`.
    Slow,
    /// The real answer with its `sign` removed. Name `unsigned`, digit `8`.
    Unsigned,
    /// Headers promise the full body, half of it is sent, then the connection
    /// is closed. Name `close_mid_body`, digit `9`.
    CloseMidBody,
    /// The answer is a signed `40004 ACQ.SYSTEM_ERROR` (with `retry_flag=Y`
    /// for cancel) although the request was processed. Name `system_error`;
    /// control endpoint only.
    SystemError,
    /// The request is lost before the gateway sees it: **not processed**, the
    /// connection is closed without a response. Name `lost_request`; control
    /// endpoint only.
    LostRequest,
}

impl Fault {
    /// Every fault: the ten with a code digit, in digit order, then the
    /// control-only ones.
    pub const ALL: [Fault; 12] = [
        Fault::Http5xx,
        Fault::DropConnection,
        Fault::TruncatedBody,
        Fault::NonJson,
        Fault::BadSignature,
        Fault::DuplicateNode,
        Fault::UnsignedError,
        Fault::Slow,
        Fault::Unsigned,
        Fault::CloseMidBody,
        Fault::SystemError,
        Fault::LostRequest,
    ];

    /// The fault selected by a code digit (`289F…`, `F` in `0..=9`).
    pub fn from_digit(d: u8) -> Option<Fault> {
        Fault::ALL[..10].get(usize::from(d)).copied()
    }

    /// The stable snake_case name used by the control endpoint.
    pub fn name(self) -> &'static str {
        match self {
            Fault::Http5xx => "http_5xx",
            Fault::DropConnection => "drop_connection",
            Fault::TruncatedBody => "truncated_body",
            Fault::NonJson => "non_json",
            Fault::BadSignature => "bad_signature",
            Fault::DuplicateNode => "duplicate_node",
            Fault::UnsignedError => "unsigned_error",
            Fault::Slow => "slow",
            Fault::Unsigned => "unsigned",
            Fault::CloseMidBody => "close_mid_body",
            Fault::SystemError => "system_error",
            Fault::LostRequest => "lost_request",
        }
    }

    /// Whether the HTTP layer must act (the body alone cannot express it).
    pub fn is_transport(self) -> bool {
        matches!(
            self,
            Fault::DropConnection | Fault::CloseMidBody | Fault::LostRequest
        )
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Fault::ALL
            .iter()
            .copied()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Fault::ALL.iter().map(|f| f.name()).collect();
                format!("unknown fault {s:?}; known: {}", names.join(", "))
            })
    }
}

/// What a payment code asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodePlan {
    /// The buyer's behaviour.
    pub scenario: Scenario,
    /// A fault on the first pay answer.
    pub fault: Option<Fault>,
}

/// The plan for a payment code, or `None` if the code is not a valid
/// payment code at all (answered with `ACQ.PAYMENT_AUTH_CODE_INVALID`).
pub fn plan_for_auth_code(code: &str) -> Option<CodePlan> {
    let bytes = code.as_bytes();
    let all_digits = !bytes.is_empty() && bytes.iter().all(u8::is_ascii_digit);
    if all_digits && bytes.len() == 18 && bytes.starts_with(b"28") {
        let digits: Vec<u8> = bytes[2..].iter().map(|b| b - b'0').collect();
        if digits[0] == 9 {
            let fault = Fault::from_digit(digits[1]);
            let scenario = scenario_from_digits(&digits[2..]);
            return Some(CodePlan { scenario, fault });
        }
        return Some(CodePlan {
            scenario: scenario_from_digits(&digits),
            fault: None,
        });
    }
    let real_code = all_digits
        && (16..=24).contains(&bytes.len())
        && matches!(&code[..2], "25" | "26" | "27" | "28" | "29" | "30");
    let face_code = code.len() == 35 && code.starts_with("fp") && code.is_ascii();
    if real_code || face_code {
        Some(CodePlan {
            scenario: Scenario::PayNow,
            fault: None,
        })
    } else {
        None
    }
}

/// Scenario from its digit and parameter digits (at least 3 digits given
/// except in degenerate cases, where defaults apply).
fn scenario_from_digits(d: &[u8]) -> Scenario {
    let seconds = |d: &[u8]| -> Option<u64> {
        match (d.get(1), d.get(2)) {
            (Some(a), Some(b)) if (a, b) != (&0, &0) => Some(u64::from(a * 10 + b) * 1000),
            _ => None,
        }
    };
    match d.first().copied().unwrap_or(0) {
        1 => Scenario::Password {
            delay_ms: seconds(d),
        },
        2 => Scenario::NeverConfirms,
        3 => Scenario::InsufficientBalance,
        4 => Scenario::InvalidCode,
        5 => Scenario::UnavailableButPaid,
        6 => Scenario::SlowButPaid,
        7 => Scenario::CancelNeedsRetries {
            failures: d.get(1).copied().filter(|n| *n != 0).map(u32::from),
        },
        8 => Scenario::BuyerCancels {
            delay_ms: seconds(d),
        },
        _ => Scenario::PayNow,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(code: &str) -> CodePlan {
        plan_for_auth_code(code).expect(code)
    }

    #[test]
    fn digit_blocks_select_scenarios() {
        assert_eq!(plan("280000000000000001").scenario, Scenario::PayNow);
        assert_eq!(
            plan("281000000000000001").scenario,
            Scenario::Password { delay_ms: None }
        );
        assert_eq!(
            plan("281030000000000001").scenario,
            Scenario::Password {
                delay_ms: Some(3000)
            }
        );
        assert_eq!(plan("282000000000000001").scenario, Scenario::NeverConfirms);
        assert_eq!(
            plan("283000000000000001").scenario,
            Scenario::InsufficientBalance
        );
        assert_eq!(plan("284000000000000001").scenario, Scenario::InvalidCode);
        assert_eq!(
            plan("285000000000000001").scenario,
            Scenario::UnavailableButPaid
        );
        assert_eq!(plan("286000000000000001").scenario, Scenario::SlowButPaid);
        assert_eq!(
            plan("287300000000000001").scenario,
            Scenario::CancelNeedsRetries { failures: Some(3) }
        );
        assert_eq!(
            plan("287000000000000001").scenario,
            Scenario::CancelNeedsRetries { failures: None }
        );
        assert_eq!(
            plan("288120000000000001").scenario,
            Scenario::BuyerCancels {
                delay_ms: Some(12_000)
            }
        );
        assert_eq!(plan("280000000000000001").fault, None);
    }

    #[test]
    fn fault_codes_combine_fault_and_scenario() {
        let p = plan("289120000000000001");
        assert_eq!(p.fault, Some(Fault::DropConnection));
        assert_eq!(p.scenario, Scenario::NeverConfirms);
        let p = plan("289510500000000001");
        assert_eq!(p.fault, Some(Fault::DuplicateNode));
        assert_eq!(
            p.scenario,
            Scenario::Password {
                delay_ms: Some(5000)
            }
        );
        for d in 0..10u8 {
            let code = format!("289{d}00000000000001");
            assert_eq!(code.len(), 18);
            assert_eq!(plan(&code).fault, Fault::from_digit(d));
        }
    }

    #[test]
    fn other_real_looking_codes_pay_and_garbage_is_invalid() {
        assert_eq!(plan("254567890123456789").scenario, Scenario::PayNow);
        assert_eq!(plan("2876344382566439").scenario, Scenario::PayNow);
        assert_eq!(plan("301234567890123456789012").scenario, Scenario::PayNow);
        assert_eq!(
            plan(&format!("fp{}", "a".repeat(33))).scenario,
            Scenario::PayNow
        );
        for bad in [
            "",
            "12345678901234567",
            "2812345678",
            "28abc0000000000000",
            "3112345678901234567",
            "2501234567890123456789012",
            "２８0000000000000000",
        ] {
            assert_eq!(plan_for_auth_code(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn fault_names_round_trip() {
        for f in Fault::ALL {
            assert_eq!(f.name().parse::<Fault>(), Ok(f));
        }
        assert!("nope".parse::<Fault>().is_err());
        assert!(Fault::DropConnection.is_transport());
        assert!(!Fault::BadSignature.is_transport());
        assert_eq!(Fault::from_digit(10), None);
        assert_eq!(Fault::from_digit(9), Some(Fault::CloseMidBody));
    }
}
