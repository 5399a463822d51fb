//! Command line of the `alipay-f2f-sandbox` binary (design §5 contract).
//!
//! ```text
//! alipay-f2f-sandbox [--port N] [--app APP_ID=APP_PUBLIC_KEY_FILE]... [--speed F] [--help]
//! ```

use std::path::PathBuf;

use crate::gateway::GatewayConfig;

/// Parsed options.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Port on 127.0.0.1; `0` picks a free one.
    pub port: u16,
    /// Apps to register: app id and the path of its public key (SPKI PEM or
    /// base64, or an X.509 certificate). Empty = the built-in demo app.
    pub apps: Vec<(String, PathBuf)>,
    /// Gateway timings.
    pub config: GatewayConfig,
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Serve.
    Run(Options),
    /// Print the help text and exit 0.
    Help,
}

/// Parses the arguments after the program name. `Err` carries a message for
/// stderr (the caller prints [`usage`] too and exits 2).
pub fn parse_args<I, S>(args: I) -> Result<Command, String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut opts = Options {
        port: 0,
        apps: Vec::new(),
        config: GatewayConfig::default(),
    };
    let mut args = args.into_iter().map(Into::into);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if flag == "--help" || flag == "-h" {
            return Ok(Command::Help);
        }
        let known = [
            "--port",
            "--app",
            "--speed",
            "--password-delay-ms",
            "--slow-delay-ms",
            "--cancel-failures",
            "--timestamp-tolerance-s",
        ];
        if !known.contains(&flag.as_str()) {
            return Err(format!("unknown argument {arg:?}"));
        }
        let value = match inline {
            Some(v) => v,
            None => args.next().ok_or_else(|| format!("{flag} needs a value"))?,
        };
        let number = |what: &str| -> Result<u64, String> {
            value
                .parse::<u64>()
                .map_err(|_| format!("{flag} needs {what}, got {value:?}"))
        };
        match flag.as_str() {
            "--port" => {
                opts.port = value
                    .parse::<u16>()
                    .map_err(|_| format!("--port needs a port number 0-65535, got {value:?}"))?;
            }
            "--app" => {
                let (id, path) = value
                    .split_once('=')
                    .filter(|(id, path)| !id.is_empty() && !path.is_empty())
                    .ok_or_else(|| {
                        format!("--app needs APP_ID=APP_PUBLIC_KEY_FILE, got {value:?}")
                    })?;
                opts.apps.push((id.to_string(), PathBuf::from(path)));
            }
            "--speed" => {
                let speed: f64 = value
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s > 0.0)
                    .ok_or_else(|| format!("--speed needs a positive number, got {value:?}"))?;
                opts.config.speed = speed;
            }
            "--password-delay-ms" => opts.config.password_delay_ms = number("milliseconds")?,
            "--slow-delay-ms" => opts.config.slow_delay_ms = number("milliseconds")?,
            "--cancel-failures" => {
                opts.config.cancel_failures = u32::try_from(number("a count")?)
                    .map_err(|_| "--cancel-failures is too large".to_string())?
            }
            _ => opts.config.timestamp_tolerance_ms = number("seconds")?.saturating_mul(1000),
        }
    }
    Ok(Command::Run(opts))
}

/// The one-line usage (printed on errors).
pub fn usage() -> &'static str {
    "usage: alipay-f2f-sandbox [--port N] [--app APP_ID=APP_PUBLIC_KEY_FILE]... [--speed F] [--help]"
}

/// The full `--help` text, with the scenario table and control endpoints.
pub fn help() -> String {
    format!(
        "{usage}

Offline Alipay OpenAPI v2 gateway for alipay-f2f (face-to-face barcode payments).
Binds 127.0.0.1 only. When ready, prints one line of JSON to stdout:
  {{\"url\":\"http://127.0.0.1:PORT/gateway.do\",\"alipayPublicKey\":\"-----BEGIN PUBLIC KEY-----\\n...\"}}
and serves until SIGTERM/SIGINT (exit 0).

Options:
  --port N                     port on 127.0.0.1 (default 0 = a free port)
  --app APP_ID=FILE            register an app and its public key (SPKI PEM/base64 or
                               X.509 certificate); repeatable. Without any --app, the
                               demo app {demo} is accepted (keys: sandbox/keys/demo-app-*.pem,
                               public test keys)
  --speed F                    divide every scenario delay by F (default 1; 100 = fast tests)
  --password-delay-ms MS       buyer confirm/cancel delay at speed 1 (default 8000)
  --slow-delay-ms MS           slow answer delay at speed 1 (default 20000)
  --cancel-failures N          failing cancels of 287 codes without a count (default 2)
  --timestamp-tolerance-s S    accepted timestamp skew (default 900)
  -h, --help                   this text

Scenarios, chosen by the payment code (auth_code): 18 digits starting with 28.
Every code pays at most once (a used code answers ACQ.PAYMENT_AUTH_CODE_INVALID).
  280...        pays at once: 10000, TRADE_SUCCESS
  281SS...      password: 10003, paid after SS seconds (00 = default 8 s), scaled by --speed
  282...        never confirms: 10003, WAIT_BUYER_PAY until cancelled/closed/timeout_express
  283...        insufficient balance: 40004 ACQ.BUYER_BALANCE_NOT_ENOUGH (no trade created)
  284...        invalid code: 40004 ACQ.PAYMENT_AUTH_CODE_INVALID (no trade created)
  285...        20000 isp.unknow-error although the payment went through
  286...        paid, but the answer comes after the slow delay (default 20 s, scaled)
  287N...       10003, never confirms; the first N cancels (0 = default 2) answer
                40004 ACQ.SYSTEM_ERROR retry_flag=Y
  288SS...      10003, then the buyer cancels on the phone after SS s: TRADE_CLOSED
  289FS...      fault F on the pay answer, over scenario S (0-8, its params follow)
  other codes   25-30 + 14..22 digits (or fp + 33 chars) pay at once; anything else is invalid

Faults (digit F in 289FS..., or name in POST /__sandbox/faults). Except lost_request,
the request is processed normally; only the answer is damaged:
  0 http_5xx        HTTP 502 with an HTML page
  1 drop_connection connection closed without any response
  2 truncated_body  HTTP 200, JSON cut in half
  3 non_json        HTTP 200, HTML page instead of JSON
  4 bad_signature   sign does not match the content
  5 duplicate_node  a forged second <method>_response node (claiming success) after sign
  6 unsigned_error  unsigned 20000 error instead of the answer
  7 slow            answer after the slow delay (scaled), or exactly delay_ms
  8 unsigned        the real answer without sign
  9 close_mid_body  headers promise the full body; half is sent, then the connection closes
    system_error    (control only) signed 40004 ACQ.SYSTEM_ERROR (retry_flag=Y for cancel)
    lost_request    (control only) the request is NOT processed; connection closed, no response

Control endpoints (same server, JSON):
  GET    /__sandbox                      info: public key, apps, faults, speed
  POST   /__sandbox/faults               {{\"method\":\"alipay.trade.query\"|\"*\",\"fault\":\"drop_connection\",
                                        \"times\":1,\"delay_ms\":null}} -> next N answers to method
  GET    /__sandbox/faults               pending faults;  DELETE clears them
  GET    /__sandbox/trades               every trade
  GET    /__sandbox/trades/OUT_TRADE_NO  one trade (?app_id=... when several apps)
  POST   /__sandbox/clock                {{\"advance_ms\":N}} moves the business clock (cancel window)
  POST   /__sandbox/reset                forget trades, used codes, faults, clock offset

Every response carries access-control-allow-origin: *; OPTIONS preflights answer 204.
",
        usage = usage(),
        demo = crate::DEMO_APP_ID
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Options {
        match parse_args(args.iter().copied()) {
            Ok(Command::Run(o)) => o,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn defaults() {
        let o = run(&[]);
        assert_eq!(o.port, 0);
        assert!(o.apps.is_empty());
        assert_eq!(o.config, GatewayConfig::default());
    }

    #[test]
    fn flags_with_spaces_and_equals() {
        let o = run(&[
            "--port",
            "8080",
            "--app",
            "2021=/tmp/a.pem",
            "--app=2022=/tmp/b=c.pem",
            "--speed=10",
            "--password-delay-ms",
            "100",
            "--slow-delay-ms=200",
            "--cancel-failures",
            "3",
            "--timestamp-tolerance-s",
            "60",
        ]);
        assert_eq!(o.port, 8080);
        assert_eq!(
            o.apps,
            vec![
                ("2021".to_string(), PathBuf::from("/tmp/a.pem")),
                ("2022".to_string(), PathBuf::from("/tmp/b=c.pem")),
            ]
        );
        assert_eq!(o.config.speed, 10.0);
        assert_eq!(o.config.password_delay_ms, 100);
        assert_eq!(o.config.slow_delay_ms, 200);
        assert_eq!(o.config.cancel_failures, 3);
        assert_eq!(o.config.timestamp_tolerance_ms, 60_000);
    }

    #[test]
    fn help_and_errors() {
        assert_eq!(parse_args(["--help"]), Ok(Command::Help));
        assert_eq!(parse_args(["--port", "1", "-h"]), Ok(Command::Help));
        for bad in [
            vec!["--port"],
            vec!["--port", "70000"],
            vec!["--port", "x"],
            vec!["--app", "noequals"],
            vec!["--app", "=file"],
            vec!["--app", "id="],
            vec!["--speed", "0"],
            vec!["--speed", "-1"],
            vec!["--speed", "NaN"],
            vec!["--bogus"],
            vec!["positional"],
        ] {
            assert!(parse_args(bad.clone()).is_err(), "{bad:?}");
        }
        assert!(help().contains("289FS"));
        assert!(help().contains(crate::DEMO_APP_ID));
    }
}
