/**
 * The one driver loop that runs a sans-IO flow (barcode payment, refund)
 * over a {@link Transport}: performs calls with per-call timeouts, sleeps
 * between polls, emits events and snapshots, and turns a caller abort into
 * a reversal (`flow.abort`) instead of forgetting the trade.
 *
 * @module
 */

import { AlipayError, fromCore } from './errors.js'
import type { Flow } from './binding.js'
import type { Action, FlowEvent, PayOutcome, RefundOutcome, Transport, TransportCall, TransportFailure } from './types.js'

/** Options of {@link drive}. */
export interface DriveOptions {
  /** Delivers calls (direct signer+fetch, or forwarded). */
  transport: Transport
  /**
   * Caller abort. Aborting means "reverse the trade": the driver calls
   * `flow.abort()` and keeps driving until the reversal is done; the promise
   * then resolves with the outcome (usually `cancelled`).
   */
  signal?: AbortSignal
  /** Progress events (exceptions thrown by the callback are reported, never break the flow). */
  onEvent?: (event: FlowEvent) => void
  /**
   * Called with the flow's JSON snapshot before every call is sent and after
   * every state change. Persist it to resume after a crash
   * (`client.resumeBarcodePay(snapshot)`). A returned promise is awaited
   * before the flow goes on (so a call is never sent before its record is saved).
   */
  onSnapshot?: (snapshot: string) => void | Promise<void>
  /** Clock (epoch ms); default `Date.now`. */
  now?: () => number
}

/** A callback failed; report it without breaking the money flow. */
function reportCallbackError(what: string, e: unknown): void {
  // eslint-disable-next-line no-console
  console.error(`alipay-f2f: ${what} callback threw (ignored, the flow continues):`, e)
}

/**
 * The caller's abort signal is listened to once per flow (not once per call
 * and sleep): the call or sleep in progress puts what an abort does to it in
 * `on`, and clears it when it is over.
 */
interface AbortHook {
  on: (() => void) | undefined
}

/** Sleeps `ms`, waking early when `signal` aborts (through `hook`). Never rejects. */
function sleep(ms: number, signal: AbortSignal | undefined, hook: AbortHook): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0) {
      setTimeout(resolve, 0)
      return
    }
    if (!signal) {
      setTimeout(resolve, ms)
      return
    }
    if (signal.aborted) {
      resolve()
      return
    }
    const t = setTimeout(() => {
      hook.on = undefined
      resolve()
    }, ms)
    hook.on = () => {
      hook.on = undefined
      clearTimeout(t)
      resolve()
    }
  })
}

/**
 * Resolves/rejects like `p`, but rejects with the signal's reason as soon as
 * `signal` aborts, so a `fetch` or transport that ignores its signal cannot
 * hang a call past its timeout (or the flow).
 *
 * @internal
 */
export function settleBefore<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort)
        resolve(v)
      },
      (e) => {
        signal.removeEventListener('abort', onAbort)
        reject(e)
      },
    )
  })
}

/**
 * A one-shot call's own signal: it aborts when `timeoutMs` passes (reason: a
 * `TimeoutError` `DOMException`, like `AbortSignal.timeout`) or when `caller`
 * aborts (its reason). One controller and one unref'd timer; `dispose()`
 * clears the timer and the listener on `caller`, so a settled call leaves
 * nothing behind (unlike `AbortSignal.timeout`, whose timer lives on until it
 * fires, and `AbortSignal.any`, which ties the call to a long-lived caller
 * signal).
 */
export interface CallSignal {
  /** The signal to hand to the transport. */
  readonly signal: AbortSignal
  /** Whether the timeout (rather than the caller) aborted the signal. */
  timedOut(): boolean
  /** Clears the timer and the caller listener; call it once the call settles. */
  dispose(): void
}

/** See {@link CallSignal}. `timeoutMs` undefined: no timeout of its own. */
export function callSignal(caller: AbortSignal | undefined, timeoutMs: number | undefined): CallSignal {
  const ctl = new AbortController()
  let timedOut = false
  let timer: ReturnType<typeof setTimeout> | undefined
  if (timeoutMs !== undefined) {
    timer = setTimeout(() => {
      timedOut = true
      ctl.abort(timeoutReason())
    }, timeoutMs)
    // unref'd like AbortSignal.timeout's timer: a pending call's timeout alone does not keep the process up
    ;(timer as { unref?: () => void }).unref?.()
  }
  const onAbort = () => ctl.abort((caller as AbortSignal).reason)
  if (caller) {
    if (caller.aborted) ctl.abort(caller.reason)
    else caller.addEventListener('abort', onAbort, { once: true })
  }
  return {
    signal: ctl.signal,
    timedOut: () => timedOut,
    dispose() {
      if (timer !== undefined) clearTimeout(timer)
      caller?.removeEventListener('abort', onAbort)
    },
  }
}

/** The reason of a timed-out call's signal: what `AbortSignal.timeout` aborts with. */
function timeoutReason(): DOMException {
  return new DOMException('The operation was aborted due to timeout', 'TimeoutError')
}

/** Maps a failed call to the flow's transport-error input. */
function classify(e: unknown, timedOut: boolean, caller: AbortSignal | undefined): TransportFailure {
  if (timedOut) return { type: 'timeout' }
  if (caller?.aborted) return { type: 'aborted' }
  if (e instanceof AlipayError) {
    if (e.code === 'ERR_HTTP' && typeof e.httpStatus === 'number') return { type: 'http', status: e.httpStatus }
    if (e.code === 'ERR_TIMEOUT') return { type: 'timeout' }
    if (e.code === 'ERR_ABORTED') return { type: 'aborted' }
  }
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e)
  return { type: 'network', message }
}

/**
 * Performs one call through `transport` with its own signal, which aborts
 * when `timeoutMs` passes (reason: a `TimeoutError` `DOMException`, like
 * `AbortSignal.timeout`) or when `caller` aborts (its reason). Resolves,
 * never rejects, with the raw response text or the failure to feed the flow,
 * as soon as the transport settles or the signal aborts, whichever comes
 * first (a transport that ignores its signal cannot hang the flow).
 *
 * One controller and one timer per call (cleared when the call settles, so
 * finished calls leave no pending timers behind); the caller's signal reaches
 * the call through `hook` (see {@link AbortHook}).
 */
function perform(
  transport: Transport,
  call: TransportCall,
  timeoutMs: number,
  caller: AbortSignal | undefined,
  hook: AbortHook,
): Promise<string | TransportFailure> {
  return new Promise((resolve) => {
    const ctl = new AbortController()
    let timedOut = false
    let settled = false
    const finish = (r: string | TransportFailure) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (caller) hook.on = undefined
      resolve(r)
    }
    const onTimeout = () => {
      if (settled) return
      timedOut = true
      ctl.abort(timeoutReason())
      finish({ type: 'timeout' })
    }
    const onCallerAbort = () => {
      if (settled) return
      ctl.abort((caller as AbortSignal).reason)
      finish({ type: 'aborted' })
    }
    // unref'd like AbortSignal.timeout's timer: a pending call's timeout alone does not keep the process up
    const timer = setTimeout(onTimeout, timeoutMs)
    timer.unref?.()
    if (caller) {
      if (caller.aborted) ctl.abort(caller.reason)
      else hook.on = onCallerAbort
    }
    try {
      const p = transport(call, ctl.signal)
      if (ctl.signal.aborted) {
        // the caller had aborted already: the transport got an aborted signal, its result does not count
        finish({ type: 'aborted' })
        return
      }
      p.then(
        (text) =>
          finish(
            typeof text === 'string'
              ? text
              : { type: 'network', message: `transport resolved to ${typeof text}, expected the raw response text` },
          ),
        (e) => finish(classify(e, timedOut, caller)),
      )
    } catch (e) {
      // the transport threw instead of returning a promise (or returned something that is none)
      finish(classify(e, timedOut, caller))
    }
  })
}

/**
 * Runs `flow` to completion and returns its outcome.
 *
 * Loop: `a = flow.poll(now)`; `call` → perform through the transport with
 * `a.timeoutMs` (combined with the caller's signal until it aborts) and feed
 * the raw text or the failure back; `wait` → abortable sleep; `event` →
 * `onEvent`; `done` → return. Calls are sequential.
 *
 * Rejects only when the flow itself reports an error (`ERR_FLOW_STATE`,
 * `ERR_INTERNAL`: a bug). The last snapshot was handed to `onSnapshot`
 * before, so the payment can still be resumed or reconciled.
 */
export async function drive(flow: Flow, opts: DriveOptions): Promise<PayOutcome | RefundOutcome> {
  const now = opts.now ?? Date.now
  const { transport, signal, onEvent, onSnapshot } = opts
  let aborted = false
  /** Whether a call has been handed to the transport (from then on the flow must finish). */
  let sent = false

  // An async onSnapshot (e.g. a database write) is awaited: the call is not sent before
  // the state that records it is persisted. Without onSnapshot nothing is serialized.
  const snapshot = async (save: (snapshot: string) => void | Promise<void>): Promise<void> => {
    let s: string
    try {
      s = flow.snapshot()
    } catch (e) {
      throw fromCore(e)
    }
    try {
      await save(s)
    } catch (e) {
      // Before the first call nothing has been sent: refuse to start a payment
      // that could not be resumed after a crash. Once a call is out, stopping
      // would leave the trade open, so the flow goes on (reported, not dropped).
      if (!sent) {
        throw new AlipayError(
          'ERR_SNAPSHOT',
          `onSnapshot failed before the first call, so nothing was sent: ${e instanceof Error ? e.message : String(e)}`,
          { cause: e },
        )
      }
      reportCallbackError('onSnapshot', e)
    }
  }

  const hook: AbortHook = { on: undefined }
  const onCallerAbort = () => hook.on?.()
  if (signal && !signal.aborted) signal.addEventListener('abort', onCallerAbort, { once: true })
  try {
    // the first poll happens after a tick, as before: an abort right after the call is seen before anything is sent
    if (onSnapshot) await snapshot(onSnapshot)
    else await undefined
    for (;;) {
      if (!aborted && signal?.aborted) {
        aborted = true
        try {
          flow.abort(now())
        } catch (e) {
          throw fromCore(e)
        }
        if (onSnapshot) await snapshot(onSnapshot)
      }
      let a: Action
      try {
        a = flow.poll(now())
      } catch (e) {
        throw fromCore(e)
      }
      switch (a.type) {
        case 'event':
          if (onEvent) {
            try {
              onEvent(a.event)
            } catch (e) {
              reportCallbackError('onEvent', e)
            }
            // a tick after the callback, as before: what it started (e.g. an abort in a microtask) is seen next
            await undefined
          }
          break
        case 'wait':
          await sleep(a.untilMs - now(), aborted ? undefined : signal, hook)
          break
        case 'done':
          if (onSnapshot) await snapshot(onSnapshot)
          return a.outcome
        case 'call': {
          if (onSnapshot) await snapshot(onSnapshot) // persisted with the call in flight: a crash from here on resumes as "unknown"
          sent = true
          const r = await perform(
            transport,
            { method: a.method, bizContent: a.bizContent },
            Math.max(1, a.timeoutMs),
            aborted ? undefined : signal,
            hook,
          )
          try {
            if (typeof r === 'string') flow.handleResponse(a.id, r, now())
            else flow.handleTransportError(a.id, r, now())
          } catch (e) {
            const err = fromCore(e)
            // ERR_FLOW_STATE: the flow had already given up on this call (its deadline
            // passed); it left its state unchanged and will report the timeout itself.
            if (!(err instanceof AlipayError && err.code === 'ERR_FLOW_STATE')) throw err
          }
          if (onSnapshot) await snapshot(onSnapshot)
          break
        }
        default: {
          const unknown: never = a
          throw new AlipayError('ERR_INTERNAL', `unknown flow action ${JSON.stringify(unknown)}`)
        }
      }
    }
  } finally {
    signal?.removeEventListener('abort', onCallerAbort)
  }
}
