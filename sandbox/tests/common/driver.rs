//! A real-time driver for the core flows ([`BarcodePay`], [`Refund`]): it
//! loops `poll(now)`, signs each `Call` with the core `Signer`, POSTs it over
//! real HTTP to an in-process sandbox (per-call timeout), feeds the raw body
//! (or the transport error / HTTP status) back, sleeps on `Wait` against the
//! real clock, collects events and returns the outcome.
//!
//! Options simulate a cashier abort and POS crashes (snapshot, drop the
//! flow, resume a fresh one from the snapshot).

#![allow(dead_code)]

use std::time::Duration;

use alipay_f2f_core::charset::Charset;
use alipay_f2f_core::flow::{Action, ApiCall, Event, Outcome, TransportError};
use alipay_f2f_core::response::Verifier;
use alipay_f2f_sandbox::server::now_ms;

use super::{App, Exchange};

pub use alipay_f2f_core::Flow;

/// How to drive.
#[derive(Debug, Clone, Default)]
pub struct DriveOptions {
    /// Call `abort` this long after the start: while waiting, or during a
    /// call (whose exchange is then dropped and reported `Aborted`).
    pub abort_after: Option<Duration>,
    /// Crash and resume at every quiescent step (after each event, each
    /// handled answer and each wait): nothing is in flight then.
    pub crash_when_idle: bool,
    /// Crash after performing each call, before its answer is fed back
    /// (the answer is lost), at most this many times.
    pub crash_with_call_in_flight: u32,
    /// For apps in another charset than UTF-8: decode the answer and feed
    /// text (the flow's verifier must know the charset) instead of bytes.
    pub decode_text: bool,
    /// Stop with a panic after this many loop iterations (a hung flow).
    pub max_steps: Option<usize>,
}

/// What a driven flow produced.
#[derive(Debug, Clone)]
pub struct Run {
    /// Set when the flow is done (always, for a `Run` that `drive` returns).
    pub outcome: Option<Outcome>,
    pub events: Vec<Event>,
    /// `(method, what the transport produced)` for each call performed.
    pub calls: Vec<(String, String)>,
    /// Every snapshot taken (crash simulations).
    pub snapshots: Vec<String>,
    pub resumes: u32,
    pub elapsed: Duration,
}

impl Run {
    pub fn outcome(&self) -> &Outcome {
        self.outcome.as_ref().expect("driven to the end")
    }

    pub fn status(&self) -> &'static str {
        self.outcome().status()
    }

    pub fn methods(&self) -> Vec<&str> {
        self.calls.iter().map(|(m, _)| m.as_str()).collect()
    }

    pub fn count(&self, method: &str) -> usize {
        self.calls.iter().filter(|(m, _)| m == method).count()
    }
}

/// The result of one exchange, as a flow must hear it.
pub enum Delivery {
    /// The raw body, in the app's charset.
    Body(Vec<u8>),
    Failed(TransportError),
}

impl Delivery {
    fn describe(&self) -> String {
        match self {
            Delivery::Body(b) => format!("body {} bytes", b.len()),
            Delivery::Failed(e) => format!("{e:?}"),
        }
    }
}

/// Signs and POSTs `call` with a timeout of `call.timeout_ms`.
pub async fn perform(app: &App, call: &ApiCall) -> Delivery {
    let req = match app
        .signer
        .build_request(&call.method, &call.biz_content, now_ms())
    {
        Ok(r) => r,
        Err(e) => {
            return Delivery::Failed(TransportError::Network {
                message: format!("could not build the request: {e}"),
            })
        }
    };
    let limit = Duration::from_millis(call.timeout_ms);
    match tokio::time::timeout(limit, app.send_request(&req)).await {
        Err(_) => Delivery::Failed(TransportError::Timeout),
        Ok(Exchange::Dropped) => Delivery::Failed(TransportError::Network {
            message: "connection closed without a response".into(),
        }),
        Ok(Exchange::Answered(raw)) if raw.status != 200 => {
            Delivery::Failed(TransportError::Http { status: raw.status })
        }
        Ok(Exchange::Answered(raw)) if !raw.complete() => {
            Delivery::Failed(TransportError::Network {
                message: "connection closed mid-body".into(),
            })
        }
        Ok(Exchange::Answered(raw)) => Delivery::Body(raw.body),
    }
}

async fn sleep_until_ms(until_ms: u64) {
    let now = now_ms();
    if until_ms > now {
        tokio::time::sleep(Duration::from_millis(until_ms - now)).await;
    }
}

fn crash<F: Flow>(flow: &mut F, verifier: &Verifier, run: &mut Run) {
    let snap = flow.snapshot();
    *flow = F::resume(&snap, verifier.clone(), now_ms()).expect("resume from own snapshot");
    run.snapshots.push(snap);
    run.resumes += 1;
}

/// Drives `flow` to its outcome against the sandbox `app` talks to.
pub async fn drive<F: Flow>(app: &App, mut flow: F, opts: &DriveOptions) -> Run {
    let started = std::time::Instant::now();
    let abort_at = opts.abort_after.map(|d| now_ms() + d.as_millis() as u64);
    let mut aborted = false;
    let mut in_flight_crashes = 0;
    let mut run = Run {
        outcome: None,
        events: Vec::new(),
        calls: Vec::new(),
        snapshots: Vec::new(),
        resumes: 0,
        elapsed: Duration::ZERO,
    };
    let max_steps = opts.max_steps.unwrap_or(10_000);
    for _ in 0..max_steps {
        match flow.poll(now_ms()) {
            Action::Done(o) => {
                run.outcome = Some(o);
                run.elapsed = started.elapsed();
                return run;
            }
            Action::Event(e) => {
                run.events.push(e);
                let idle = !run.calls.is_empty() && !is_call_or_resume_event(run.events.last());
                if opts.crash_when_idle && idle {
                    crash(&mut flow, &app.verifier, &mut run);
                }
            }
            Action::Wait { until_ms } => {
                match abort_at.filter(|_| !aborted) {
                    Some(at) if at <= until_ms => {
                        sleep_until_ms(at).await;
                        aborted = true;
                        flow.abort(now_ms());
                    }
                    _ => sleep_until_ms(until_ms).await,
                }
                if opts.crash_when_idle && !run.calls.is_empty() {
                    crash(&mut flow, &app.verifier, &mut run);
                }
            }
            Action::Call(call) => {
                let delivery = match abort_at.filter(|_| !aborted) {
                    // The cashier may abort while the call is in flight: the
                    // driver then drops the exchange and reports `Aborted`.
                    Some(at) => {
                        tokio::select! {
                            d = perform(app, &call) => d,
                            _ = sleep_until_ms(at) => {
                                aborted = true;
                                flow.abort(now_ms());
                                Delivery::Failed(TransportError::Aborted)
                            }
                        }
                    }
                    None => perform(app, &call).await,
                };
                run.calls.push((call.method.clone(), delivery.describe()));
                if in_flight_crashes < opts.crash_with_call_in_flight {
                    // The POS dies before it hears the answer.
                    in_flight_crashes += 1;
                    crash(&mut flow, &app.verifier, &mut run);
                    continue;
                }
                let now = now_ms();
                match delivery {
                    // UTF-8 apps: text. Other charsets: the raw bytes, or the
                    // decoded text (the flow's verifier then knows the charset).
                    Delivery::Body(bytes) if app.charset == Charset::Utf8 => {
                        match String::from_utf8(bytes) {
                            Ok(text) => flow.handle_response(call.id, &text, now),
                            Err(_) => flow.handle_transport_error(
                                call.id,
                                TransportError::Network {
                                    message: "body is not UTF-8".into(),
                                },
                                now,
                            ),
                        }
                    }
                    Delivery::Body(bytes) if opts.decode_text => {
                        let text = app.charset.decode(&bytes).expect("decodable answer");
                        flow.handle_response(call.id, &text, now)
                    }
                    Delivery::Body(bytes) => {
                        flow.handle_response_bytes(call.id, &bytes, app.charset, now)
                    }
                    Delivery::Failed(err) => flow.handle_transport_error(call.id, err, now),
                }
                .expect("the call is in flight");
                if opts.crash_when_idle {
                    crash(&mut flow, &app.verifier, &mut run);
                }
            }
        }
    }
    panic!(
        "flow did not finish in {max_steps} steps; events: {:?}",
        run.events
    );
}

/// Events announcing a call (`paySent`, `query`, ...) come right before the
/// `Call` action: the call is created then, so a crash there loses it. A
/// `resumed` event follows each resume (crashing on it would never end).
fn is_call_or_resume_event(e: Option<&Event>) -> bool {
    matches!(
        e,
        Some(
            Event::PaySent { .. }
                | Event::Query { .. }
                | Event::Cancel { .. }
                | Event::Refund { .. }
                | Event::RefundQuery { .. }
                | Event::Resumed { .. }
        )
    )
}
