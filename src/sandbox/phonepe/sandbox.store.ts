/**
 * The sandbox's rules over its tables: orders, attempts, refunds and tokens, and the callback
 * each change causes (queued in the same transaction, so a change and its callback are never
 * half-written). Row locks (`for update`) serialise changes to one order.
 */
import { randomBytes } from 'node:crypto';
import type {
  WireOrderStatus,
  WireRefundResponse,
  WireRefundState,
  WireRefundStatus,
  WireToken,
  WireTransaction,
} from '../../gateways/phonepe/phonepe.wire.js';
import { PHONEPE_EVENTS } from '../../gateways/phonepe/phonepe.wire.js';
import { SCHEMA, type Queryable, type SandboxDb } from './sandbox.db.js';
import { PhonePeSandboxError, badRequest } from './sandbox.errors.js';
import type { PayRequest, RefundRequest } from './sandbox.requests.js';

export const MERCHANT_ID = 'SANDBOXMERCHANT';
const DEFAULT_EXPIRE_AFTER_S = 1200;

type State = 'PENDING' | 'COMPLETED' | 'FAILED';
export type RefundOutcome = 'COMPLETED' | 'PENDING' | 'FAILED';

interface OrderRow {
  merchant_order_id: string;
  order_id: string;
  amount: string;
  state: State;
  expire_at: Date;
  meta_info: Record<string, string>;
  redirect_url: string;
  created_at: Date;
}

interface TransactionRow {
  transaction_id: string;
  merchant_order_id: string;
  amount: string;
  state: State;
  payment_mode: string;
  error_code: string | null;
  detailed_error_code: string | null;
  created_at: Date;
}

interface RefundRow {
  merchant_refund_id: string;
  refund_id: string;
  original_merchant_order_id: string;
  amount: string;
  state: WireRefundState;
  error_code: string | null;
  created_at: Date;
}

/** How a change's callbacks are queued: held until released, repeated, or dropped. */
export interface CallbackKnobs {
  hold: boolean;
  copies: number;
  drop: boolean;
}

const id = (prefix: string): string => `${prefix}${Date.now().toString(36).toUpperCase()}${randomBytes(6).toString('hex').toUpperCase()}`;
const amountOf = (text: string): number => {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error('amount out of range');
  return value;
};

function toTransaction(row: TransactionRow): WireTransaction {
  return {
    transactionId: row.transaction_id,
    paymentMode: row.payment_mode,
    timestamp: row.created_at.getTime(),
    amount: amountOf(row.amount),
    state: row.state,
    ...(row.error_code && { errorCode: row.error_code }),
    ...(row.detailed_error_code && { detailedErrorCode: row.detailed_error_code }),
    splitInstruments: [{
      instrument: { type: row.payment_mode.startsWith('UPI') ? 'ACCOUNT' : row.payment_mode },
      rail: { type: row.payment_mode.startsWith('UPI') ? 'UPI' : 'PG', ...(row.payment_mode.startsWith('UPI') && { vpa: 'sandbox@ybl', utr: `UTR${row.transaction_id.slice(-10)}` }) },
      amount: amountOf(row.amount),
    }],
  };
}

function toRefundStatus(row: RefundRow): WireRefundStatus {
  return {
    merchantId: MERCHANT_ID,
    merchantRefundId: row.merchant_refund_id,
    originalMerchantOrderId: row.original_merchant_order_id,
    refundId: row.refund_id,
    amount: amountOf(row.amount),
    state: row.state,
    timestamp: row.created_at.getTime(),
    ...(row.error_code && { errorCode: row.error_code }),
  };
}

export class SandboxStore {
  constructor(private readonly db: SandboxDb) {}

  async issueToken(clientId: string, ttlSeconds: number): Promise<WireToken & Record<string, unknown>> {
    const now = Math.floor(Date.now() / 1000);
    const token = randomBytes(24).toString('base64url');
    await this.db.query(`insert into ${SCHEMA}.tokens (access_token, client_id, issued_at, expires_at) values ($1, $2, to_timestamp($3), to_timestamp($4))`, [
      token, clientId, now, now + ttlSeconds,
    ]);
    return {
      access_token: token,
      encrypted_access_token: token,
      expires_in: null,
      issued_at: now,
      expires_at: now + ttlSeconds,
      session_expires_at: now + ttlSeconds,
      token_type: 'O-Bearer',
    };
  }

  async isTokenValid(token: string): Promise<boolean> {
    const { rowCount } = await this.db.query(`select 1 from ${SCHEMA}.tokens where access_token = $1 and expires_at > now()`, [token]);
    return rowCount === 1;
  }

  /** The order's expiry moves to the past (PhonePe's shortest is 300 s; tests do not wait). */
  async expireOrder(merchantOrderId: string): Promise<void> {
    const { rowCount } = await this.db.query(`update ${SCHEMA}.orders set expire_at = now() - interval '1 second' where merchant_order_id = $1`, [merchantOrderId]);
    if (rowCount !== 1) throw orderNotFound();
  }

  /** Every token stops working, as after PhonePe revoked them: the adapter's next call gets a 401. */
  async revokeTokens(): Promise<void> {
    await this.db.query(`update ${SCHEMA}.tokens set expires_at = now() - interval '1 second'`);
  }

  async tokensIssued(): Promise<number> {
    const { rows } = await this.db.query<{ n: string }>(`select count(*)::text as n from ${SCHEMA}.tokens`);
    return Number(rows[0]!.n);
  }

  /** `POST /checkout/v2/pay`: a new PENDING order; a used merchantOrderId is refused. */
  async createOrder(request: PayRequest): Promise<{ orderId: string; expireAt: number }> {
    const orderId = id('OMO');
    const expireAfter = request.expireAfter ?? DEFAULT_EXPIRE_AFTER_S;
    const { rows } = await this.db.query<{ expire_at: Date }>(
      `insert into ${SCHEMA}.orders (merchant_order_id, order_id, amount, state, expire_at, meta_info, redirect_url, created_at)
       values ($1, $2, $3, 'PENDING', now() + make_interval(secs => $4), $5, $6, now())
       on conflict (merchant_order_id) do nothing returning expire_at`,
      [request.merchantOrderId, orderId, request.amount, expireAfter, JSON.stringify(request.metaInfo ?? {}), request.paymentFlow.merchantUrls.redirectUrl],
    );
    if (rows.length === 0) throw badRequest('Duplicate merchantOrderId', 'DUPLICATE_ORDER');
    return { orderId, expireAt: rows[0]!.expire_at.getTime() };
  }

  async order(merchantOrderId: string): Promise<{ redirectUrl: string; state: State; orderId: string; amount: number }> {
    const { rows } = await this.db.query<OrderRow>(`select * from ${SCHEMA}.orders where merchant_order_id = $1`, [merchantOrderId]);
    const row = rows[0];
    if (!row) throw orderNotFound();
    return { redirectUrl: row.redirect_url, state: row.state, orderId: row.order_id, amount: amountOf(row.amount) };
  }

  /**
   * The order-status answer. An order still PENDING after its expiry with no attempt in
   * progress becomes FAILED (PhonePe's state after expiry is unverified; one doc sample says
   * EXPIRED, which the adapter reads the same way) and sends `checkout.order.failed`.
   */
  async orderStatus(merchantOrderId: string, details: boolean, knobs: CallbackKnobs): Promise<WireOrderStatus> {
    return this.db.transaction(async (tx) => {
      const order = await this.#lockOrder(tx, merchantOrderId);
      const attempts = await this.#attempts(tx, merchantOrderId);
      if (order.state === 'PENDING' && order.expire_at.getTime() < Date.now() && !attempts.some((a) => a.state === 'PENDING')) {
        await tx.query(`update ${SCHEMA}.orders set state = 'FAILED' where merchant_order_id = $1`, [merchantOrderId]);
        order.state = 'FAILED';
        await this.#queueCallback(tx, PHONEPE_EVENTS.orderFailed, this.#status(order, attempts, true), knobs);
      }
      return this.#status(order, attempts, details);
    });
  }

  /**
   * One attempt on the hosted page: success completes the order, failure fails it, pending
   * leaves both PENDING until `completeLate`, abandon makes no attempt at all.
   */
  async attempt(merchantOrderId: string, outcome: 'success' | 'failure' | 'pending', paymentMode: string, knobs: CallbackKnobs): Promise<WireTransaction> {
    return this.db.transaction(async (tx) => {
      const order = await this.#lockOrder(tx, merchantOrderId);
      if (order.state !== 'PENDING') throw badRequest(`Order is ${order.state}; no further attempts`, 'ORDER_NOT_PENDING');
      if (order.expire_at.getTime() < Date.now()) throw badRequest('Order has expired', 'ORDER_EXPIRED');
      const attempts = await this.#attempts(tx, merchantOrderId);
      if (attempts.some((a) => a.state === 'PENDING')) throw badRequest('An attempt is still in progress', 'ATTEMPT_PENDING');
      const state: State = outcome === 'success' ? 'COMPLETED' : outcome === 'failure' ? 'FAILED' : 'PENDING';
      const { rows } = await tx.query<TransactionRow>(
        `insert into ${SCHEMA}.transactions (transaction_id, merchant_order_id, amount, state, payment_mode, error_code, detailed_error_code, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, clock_timestamp()) returning *`,
        [id('OM'), merchantOrderId, order.amount, state, paymentMode, state === 'FAILED' ? 'PAYMENT_ERROR' : null, state === 'FAILED' ? 'ZM' : null],
      );
      const attempt = rows[0]!;
      if (state !== 'PENDING') await this.#settleOrder(tx, order, [...attempts, attempt], state, knobs);
      return toTransaction(attempt);
    });
  }

  /** The bank answers late: a PENDING attempt completes or fails, and its order with it. */
  async completeLate(transactionId: string, outcome: 'success' | 'failure', knobs: CallbackKnobs): Promise<WireTransaction> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<TransactionRow>(`select * from ${SCHEMA}.transactions where transaction_id = $1`, [transactionId]);
      const found = rows[0];
      if (!found) throw new PhonePeSandboxError(404, 'NOT_FOUND', 'No such transaction');
      const order = await this.#lockOrder(tx, found.merchant_order_id);
      const { rows: updated } = await tx.query<TransactionRow>(
        `update ${SCHEMA}.transactions set state = $2, error_code = $3, detailed_error_code = $4 where transaction_id = $1 and state = 'PENDING' returning *`,
        [transactionId, outcome === 'success' ? 'COMPLETED' : 'FAILED', outcome === 'success' ? null : 'TXN_NOT_COMPLETED', outcome === 'success' ? null : 'TXN_AUTO_FAILED'],
      );
      if (updated.length === 0) throw badRequest(`Transaction is ${found.state}, not PENDING`, 'NOT_PENDING');
      await this.#settleOrder(tx, order, await this.#attempts(tx, order.merchant_order_id), outcome === 'success' ? 'COMPLETED' : 'FAILED', knobs);
      return toTransaction(updated[0]!);
    });
  }

  /**
   * `POST /payments/v2/refund`: against a COMPLETED order, at most what is left unrefunded
   * (refunds not FAILED count). A used merchantRefundId is refused (400), as PhonePe does.
   * The answer is always PENDING; the stored state follows `outcome`.
   */
  async refund(request: RefundRequest, outcome: RefundOutcome, knobs: CallbackKnobs): Promise<WireRefundResponse> {
    return this.db.transaction(async (tx) => {
      const order = await this.#lockOrder(tx, request.originalMerchantOrderId);
      const { rows: existing } = await tx.query(`select 1 from ${SCHEMA}.refunds where merchant_refund_id = $1`, [request.merchantRefundId]);
      if (existing.length > 0) throw badRequest('Duplicate merchantRefundId', 'DUPLICATE_REFUND');
      if (order.state !== 'COMPLETED') throw badRequest('Refund allowed only on a COMPLETED order', 'ORDER_NOT_COMPLETED');
      const { rows: sums } = await tx.query<{ total: string }>(
        `select coalesce(sum(amount), 0)::text as total from ${SCHEMA}.refunds where original_merchant_order_id = $1 and state <> 'FAILED'`,
        [order.merchant_order_id],
      );
      if (amountOf(sums[0]!.total) + request.amount > amountOf(order.amount)) {
        throw badRequest('Refund amount exceeds the amount left to refund', 'EXCESS_REFUND_AMOUNT');
      }
      const state: WireRefundState = outcome === 'PENDING' ? 'PENDING' : outcome;
      const { rows } = await tx.query<RefundRow>(
        `insert into ${SCHEMA}.refunds (merchant_refund_id, refund_id, original_merchant_order_id, amount, state, error_code, created_at)
         values ($1, $2, $3, $4, $5, $6, now()) returning *`,
        [request.merchantRefundId, id('OMR'), order.merchant_order_id, request.amount, state, state === 'FAILED' ? 'REFUND_FAILED' : null],
      );
      const refund = rows[0]!;
      await this.#queueCallback(tx, refundEvent(state), toRefundStatus(refund), knobs);
      return { refundId: refund.refund_id, amount: request.amount, state: 'PENDING' };
    });
  }

  async refundStatus(merchantRefundId: string): Promise<WireRefundStatus> {
    const { rows } = await this.db.query<RefundRow>(`select * from ${SCHEMA}.refunds where merchant_refund_id = $1`, [merchantRefundId]);
    if (!rows[0]) throw new PhonePeSandboxError(404, 'NOT_FOUND', 'No refund with that merchantRefundId');
    return toRefundStatus(rows[0]);
  }

  /** Settles a PENDING refund and sends `pg.refund.completed` or `pg.refund.failed`. */
  async settleRefund(merchantRefundId: string, state: 'COMPLETED' | 'FAILED', knobs: CallbackKnobs): Promise<WireRefundStatus> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<RefundRow>(
        `update ${SCHEMA}.refunds set state = $2, error_code = $3 where merchant_refund_id = $1 and state in ('PENDING', 'CONFIRMED') returning *`,
        [merchantRefundId, state, state === 'FAILED' ? 'REFUND_FAILED' : null],
      );
      if (!rows[0]) throw badRequest('No PENDING refund with that merchantRefundId', 'NOT_PENDING');
      const status = toRefundStatus(rows[0]);
      await this.#queueCallback(tx, refundEvent(state), status, knobs);
      return status;
    });
  }

  async #lockOrder(tx: Queryable, merchantOrderId: string): Promise<OrderRow> {
    const { rows } = await tx.query<OrderRow>(`select * from ${SCHEMA}.orders where merchant_order_id = $1 for update`, [merchantOrderId]);
    if (!rows[0]) throw orderNotFound();
    return rows[0];
  }

  async #attempts(tx: Queryable, merchantOrderId: string): Promise<TransactionRow[]> {
    const { rows } = await tx.query<TransactionRow>(`select * from ${SCHEMA}.transactions where merchant_order_id = $1 order by seq`, [merchantOrderId]);
    return rows;
  }

  async #settleOrder(tx: Queryable, order: OrderRow, attempts: TransactionRow[], state: 'COMPLETED' | 'FAILED', knobs: CallbackKnobs): Promise<void> {
    await tx.query(`update ${SCHEMA}.orders set state = $2 where merchant_order_id = $1`, [order.merchant_order_id, state]);
    const settled = { ...order, state };
    const event = state === 'COMPLETED' ? PHONEPE_EVENTS.orderCompleted : PHONEPE_EVENTS.orderFailed;
    await this.#queueCallback(tx, event, this.#status(settled, attempts, true), knobs);
  }

  #status(order: OrderRow, attempts: TransactionRow[], details: boolean): WireOrderStatus {
    const shown = details ? attempts : attempts.slice(-1);
    const last = attempts.at(-1);
    return {
      merchantId: MERCHANT_ID,
      merchantOrderId: order.merchant_order_id,
      orderId: order.order_id,
      state: order.state,
      amount: amountOf(order.amount),
      payableAmount: amountOf(order.amount),
      feeAmount: 0,
      expireAt: order.expire_at.getTime(),
      metaInfo: order.meta_info,
      ...(order.state === 'FAILED' && last?.error_code && { errorCode: last.error_code, detailedErrorCode: last.detailed_error_code ?? undefined }),
      paymentDetails: shown.map(toTransaction),
    };
  }

  async #queueCallback(tx: Queryable, event: string, payload: object, knobs: CallbackKnobs): Promise<void> {
    const body = JSON.stringify({ type: event.toUpperCase().replace(/\./g, '_'), event, payload });
    const status = knobs.drop ? 'dropped' : knobs.hold ? 'held' : 'pending';
    await tx.query(`insert into ${SCHEMA}.callbacks (event, body, status, copies) values ($1, $2, $3, $4)`, [event, body, status, knobs.copies]);
  }
}

function refundEvent(state: WireRefundState): string {
  if (state === 'COMPLETED') return PHONEPE_EVENTS.refundCompleted;
  if (state === 'FAILED') return PHONEPE_EVENTS.refundFailed;
  return PHONEPE_EVENTS.refundAccepted;
}

function orderNotFound(): PhonePeSandboxError {
  return new PhonePeSandboxError(400, 'MERCHANT_ORDER_MAPPING_NOT_FOUND', 'No order found for the merchantOrderId');
}
