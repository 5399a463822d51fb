//! The sans-IO surface both flows share ([`Flow`]), written once over a
//! state machine and the [`Verifier`] that checks every answer it is fed.

use super::action::{Action, CallId, TransportError};
use super::outcome::{CallRecord, Outcome};
use super::util::Answer;
use crate::charset::Charset;
use crate::error::Result;
use crate::response::Verifier;

/// A payment flow driven from outside: [`super::BarcodePay`] and
/// [`super::Refund`] (the quinn-proto / str0m shape: `handle_*` take input,
/// [`Flow::poll`] gives the next [`Action`], time is an argument).
///
/// Import the trait to call its methods (`use alipay_f2f_core::Flow;`).
/// What each input means for a particular flow (an abort reverses a payment
/// but only stops a refund's retries, for instance) is documented on the
/// flow's type.
pub trait Flow: sealed::Parts + Sized {
    /// The next action: queued events first, then a call, a wait, or `Done`
    /// (repeated forever once finished). A call in flight past its timeout
    /// is treated as timed out.
    fn poll(&mut self, now_ms: u64) -> Action {
        self.parts_mut().0.poll(now_ms)
    }

    /// Feeds the raw response text of call `id`; the flow verifies it.
    /// `ERR_FLOW_STATE` (and no change) if `id` is not the call in flight.
    /// A body that does not verify is not an error here: it counts as an
    /// unknown result (see the `rejected` event).
    fn handle_response(&mut self, id: CallId, body: &str, now_ms: u64) -> Result<()> {
        let (machine, verifier) = self.parts_mut();
        let method = machine.method_in_flight(id)?;
        let answer = match verifier.verify(body, method) {
            Ok(v) => Answer::Verified(v),
            Err(e) => Answer::Rejected(e),
        };
        machine.settle(id, answer, now_ms)
    }

    /// Like [`Flow::handle_response`], for raw response bytes in `charset`
    /// (apps configured for GBK). A body that cannot be decoded counts as an
    /// unknown result, like any body that does not verify.
    fn handle_response_bytes(
        &mut self,
        id: CallId,
        body: &[u8],
        charset: Charset,
        now_ms: u64,
    ) -> Result<()> {
        let (machine, verifier) = self.parts_mut();
        let method = machine.method_in_flight(id)?;
        let answer = match verifier.verify_bytes(body, charset, method) {
            Ok(v) => Answer::Verified(v),
            Err(e) => Answer::Rejected(e),
        };
        machine.settle(id, answer, now_ms)
    }

    /// Reports that call `id` produced no answer. `ERR_FLOW_STATE` (and no
    /// change) if `id` is not the call in flight.
    fn handle_transport_error(
        &mut self,
        id: CallId,
        err: TransportError,
        now_ms: u64,
    ) -> Result<()> {
        self.parts_mut()
            .0
            .settle(id, Answer::Transport(err), now_ms)
    }

    /// The cashier's abort (idempotent; a no-op once finished). What it
    /// does depends on the flow: see its type.
    fn abort(&mut self, now_ms: u64) {
        self.parts_mut().0.abort(now_ms)
    }

    /// The flow state as JSON (`{"version":1,"kind":...,"state":{...}}`); no
    /// keys, no payment code. Persist it after every `poll` and before
    /// performing a returned call.
    fn snapshot(&self) -> String {
        self.machine().snapshot()
    }

    /// Resumes from [`Flow::snapshot`]. `ERR_SNAPSHOT` for a corrupt,
    /// foreign-kind or other-version snapshot. A call in flight at snapshot
    /// time is treated as lost (an unknown result), never sent again.
    fn resume(snapshot: &str, verifier: Verifier, now_ms: u64) -> Result<Self>;

    /// The outcome, once finished.
    fn outcome(&self) -> Option<&Outcome> {
        self.machine().outcome()
    }

    /// Every finished call and its result, in order.
    fn calls(&self) -> &[CallRecord] {
        self.machine().calls()
    }
}

/// What the flows implement for [`Flow`]; not nameable outside the crate,
/// so `Flow` cannot be implemented elsewhere.
pub(crate) mod sealed {
    use super::super::action::{Action, CallId};
    use super::super::outcome::{CallRecord, Outcome};
    use super::super::util::Answer;
    use crate::error::Result;
    use crate::response::Verifier;

    /// A flow's state machine (answers arrive verified or classified).
    pub trait Machine {
        /// The next action.
        fn poll(&mut self, now_ms: u64) -> Action;
        /// The method of call `id`, if it is the call in flight
        /// (`ERR_FLOW_STATE` otherwise).
        fn method_in_flight(&self, id: CallId) -> Result<&'static str>;
        /// The result of call `id`.
        fn settle(&mut self, id: CallId, answer: Answer, now_ms: u64) -> Result<()>;
        /// The cashier's abort.
        fn abort(&mut self, now_ms: u64);
        /// The snapshot JSON.
        fn snapshot(&self) -> String;
        /// The outcome, once finished.
        fn outcome(&self) -> Option<&Outcome>;
        /// The finished calls.
        fn calls(&self) -> &[CallRecord];
    }

    /// Access to a flow's machine and verifier.
    pub trait Parts {
        /// The machine.
        fn machine(&self) -> &dyn Machine;
        /// The machine, mutably, and the verifier.
        fn parts_mut(&mut self) -> (&mut dyn Machine, &Verifier);
    }
}

/// Implements the sealed [`sealed::Machine`] for a machine type by its
/// inherent methods, and [`sealed::Parts`] for its flow type (a struct with
/// `machine` and `verifier` fields).
macro_rules! machine_flow {
    ($machine:ty, $flow:ty) => {
        impl $crate::flow::driven::sealed::Machine for $machine {
            fn poll(&mut self, now_ms: u64) -> $crate::flow::Action {
                <$machine>::poll(self, now_ms)
            }
            fn method_in_flight(
                &self,
                id: $crate::flow::CallId,
            ) -> $crate::error::Result<&'static str> {
                <$machine>::method_in_flight(self, id)
            }
            fn settle(
                &mut self,
                id: $crate::flow::CallId,
                answer: $crate::flow::util::Answer,
                now_ms: u64,
            ) -> $crate::error::Result<()> {
                <$machine>::settle(self, id, answer, now_ms)
            }
            fn abort(&mut self, now_ms: u64) {
                <$machine>::abort(self, now_ms)
            }
            fn snapshot(&self) -> String {
                <$machine>::snapshot(self)
            }
            fn outcome(&self) -> Option<&$crate::flow::Outcome> {
                <$machine>::outcome(self)
            }
            fn calls(&self) -> &[$crate::flow::CallRecord] {
                <$machine>::calls(self)
            }
        }

        impl $crate::flow::driven::sealed::Parts for $flow {
            fn machine(&self) -> &dyn $crate::flow::driven::sealed::Machine {
                &self.machine
            }
            fn parts_mut(
                &mut self,
            ) -> (
                &mut dyn $crate::flow::driven::sealed::Machine,
                &$crate::response::Verifier,
            ) {
                (&mut self.machine, &self.verifier)
            }
        }
    };
}
pub(crate) use machine_flow;
