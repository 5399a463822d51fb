/**
 * Shapes shared by the flows, the driver and the transports. They are the
 * JSON produced by the Rust core (camelCase), identical from the addon and
 * from WebAssembly.
 *
 * @module
 */

/** A gateway call the driver must perform for a flow. */
export interface ApiCall {
  /** Call id: feed the answer back with this id. */
  id: number
  /** API method, e.g. `alipay.trade.query`. */
  method: string
  /** `biz_content` JSON object text. */
  bizContent: string
  /** Per-call timeout chosen by the flow. */
  timeoutMs: number
}

/**
 * A progress event of a flow (for the cashier's screen and logs; never
 * carries secrets, the payment code is masked).
 */
export interface FlowEvent {
  /**
   * `paySent`, `waitingForBuyer`, `query`, `cancel`, `refund`, `refundQuery`,
   * `answer`, `rejected`, `transportFailed`, `retry`, `aborted`, `resumed`, `warning`.
   */
  type: string
  [key: string]: unknown
}

/** One funding channel of a payment. */
export interface FundBill {
  /** Channel (`ALIPAYACCOUNT`, `PCREDIT`, ...). */
  fundChannel: string
  /** Amount through this channel. */
  amount: string
  /** Real amount, when reported. */
  realAmount?: string
}

/** One call a flow made and what it produced (carried by `unknown` outcomes). */
export interface CallRecord {
  id: number
  method: string
  sentMs: number
  answeredMs: number
  /** `{ type: 'verified', code, msg?, subCode?, subMsg?, fields }` | `{ type: 'rejected', errorCode, message }` | `{ type: 'transport', error }` | `{ type: 'lost' }` */
  result: { type: 'verified' | 'rejected' | 'transport' | 'lost'; [k: string]: unknown }
}

/** Paid: proven by a verified pay `10000` or query `TRADE_SUCCESS`/`TRADE_FINISHED`. */
export interface PaidOutcome {
  status: 'paid'
  outTradeNo: string
  /** Alipay trade number. */
  tradeNo?: string
  /** Masked buyer account. */
  buyerLogonId?: string
  buyerUserId?: string
  /** Order amount (yuan). */
  totalAmount: string
  /** Amount the merchant receives. */
  receiptAmount?: string
  /** Amount the buyer paid. */
  buyerPayAmount?: string
  /** Payment time (`yyyy-MM-dd HH:mm:ss`, UTC+8). */
  gmtPayment?: string
  fundBillList?: FundBill[]
  /** `alipay.trade.pay` or `alipay.trade.query`. */
  confirmedBy: string
}

/** Failed: definitely not charged (or, for a refund, not refunded). Show `subMsg` to the cashier. */
export interface FailedOutcome {
  status: 'failed'
  /** `businessFailed` (40004), `refused` (config/request error), `tradeClosed`, `aborted` (nothing was sent). */
  reason: 'businessFailed' | 'refused' | 'tradeClosed' | 'aborted'
  /** Gateway code (`40004`, ...; `ERR_ABORTED` for an abort before sending). */
  code: string
  msg?: string
  subCode?: string
  subMsg?: string
  tradeStatus?: string
  outTradeNo?: string
  outRequestNo?: string
}

/** Cancelled: reversed by a verified `alipay.trade.cancel` (`close`: was unpaid; `refund`: was paid, refunded). */
export interface CancelledOutcome {
  status: 'cancelled'
  action: 'close' | 'refund'
  /** `timeout` (buyer did not confirm in time), `unknown` (result could not be established), `aborted` (cashier). */
  reason: 'timeout' | 'unknown' | 'aborted'
  outTradeNo: string
  tradeNo?: string
}

/** Refunded: proven by `fund_change=Y` or a refund query showing `REFUND_SUCCESS`. */
export interface RefundedOutcome {
  status: 'refunded'
  outTradeNo?: string
  tradeNo?: string
  /** The refund's idempotency key. */
  outRequestNo: string
  refundAmount: string
  /** Cumulative refunded amount of the trade. */
  refundFee?: string
  gmtRefundPay?: string
  confirmedBy: string
}

/** Unknown: not established — reconcile manually. Carries every call made. */
export interface UnknownOutcome {
  status: 'unknown'
  reason: 'cancelNotConfirmed' | 'cancelRefused' | 'refundNotConfirmed' | 'aborted'
  message: string
  outTradeNo?: string
  tradeNo?: string
  outRequestNo?: string
  /** A verified answer proved the trade paid (the reversal then failed: the buyer was charged). */
  paid: boolean
  calls: CallRecord[]
}

/** Outcome of a barcode payment: `paid`, `failed`, `cancelled` or `unknown`. */
export type PayOutcome = PaidOutcome | FailedOutcome | CancelledOutcome | UnknownOutcome

/** Outcome of a refund flow: `refunded`, `failed` or `unknown`. */
export type RefundOutcome = RefundedOutcome | FailedOutcome | UnknownOutcome

/** The next thing the driver must do (from `flow.poll(now)`). */
export type Action =
  | ({ type: 'call' } & ApiCall)
  | { type: 'wait'; untilMs: number }
  | { type: 'event'; event: FlowEvent }
  | { type: 'done'; outcome: PayOutcome | RefundOutcome }

/** How a call failed, as fed to `flow.handleTransportError`. */
export type TransportFailure =
  | { type: 'timeout' }
  | { type: 'network'; message: string }
  | { type: 'http'; status: number }
  | { type: 'aborted' }

/** One gateway call as a transport sees it. */
export interface TransportCall {
  /** API method. */
  method: string
  /** `biz_content` JSON object text. */
  bizContent: string
}

/**
 * Delivers one gateway call and resolves to Alipay's raw response text
 * (unverified: the caller verifies it).
 *
 * - direct deployment: sign with the app private key and `fetch` the gateway
 *   ({@link AlipayClient} does this when it has a `privateKey`);
 * - forwarded deployment: post the call to the merchant backend, which signs,
 *   forwards and returns the raw text.
 *
 * Must reject with an `AlipayError` whose code is `ERR_HTTP` (with
 * `httpStatus`) for a non-200 answer; any other rejection counts as a network
 * failure, unless `signal` was aborted (timeout or caller abort), which the
 * driver classifies itself. Must honour `signal`.
 */
export type Transport = (call: TransportCall, signal: AbortSignal) => Promise<string>
