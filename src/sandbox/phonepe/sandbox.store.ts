/**
 * The sandbox's orders and their attempts (the hosted page's choices, late bank answers,
 * expiry), and the callback each change causes, queued in the same transaction. Row locks
 * (`for update`) serialise changes to one order. Tokens: sandbox.tokens.ts; refunds:
 * sandbox.refunds.ts; rows and shared queries: sandbox.rows.ts.
 */
import type { WireOrderStatus, WireTransaction } from '../../gateways/phonepe/phonepe.wire.js';
import { PHONEPE_EVENTS } from '../../gateways/phonepe/phonepe.wire.js';
import { SCHEMA, type Queryable, type SandboxDb } from './sandbox.db.js';
import { PhonePeSandboxError, badRequest } from './sandbox.errors.js';
import type { PayRequest } from './sandbox.requests.js';
import {
  MERCHANT_ID,
  amountOf,
  attemptsOf,
  id,
  lockOrder,
  orderNotFound,
  queueCallback,
  toTransaction,
  type CallbackKnobs,
  type OrderRow,
  type State,
  type TransactionRow,
} from './sandbox.rows.js';

export { MERCHANT_ID, type CallbackKnobs, type RefundOutcome } from './sandbox.rows.js';

const DEFAULT_EXPIRE_AFTER_S = 1200;

export class SandboxStore {
  constructor(private readonly db: SandboxDb) {}

  /** The order's expiry moves to the past (PhonePe's shortest is 300 s; tests do not wait). */
  async expireOrder(merchantOrderId: string): Promise<void> {
    const { rowCount } = await this.db.query(`update ${SCHEMA}.orders set expire_at = now() - interval '1 second' where merchant_order_id = $1`, [merchantOrderId]);
    if (rowCount !== 1) throw orderNotFound();
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
      const order = await lockOrder(tx, merchantOrderId);
      const attempts = await attemptsOf(tx, merchantOrderId);
      if (order.state === 'PENDING' && order.expire_at.getTime() < Date.now() && !attempts.some((a) => a.state === 'PENDING')) {
        await tx.query(`update ${SCHEMA}.orders set state = 'FAILED' where merchant_order_id = $1`, [merchantOrderId]);
        order.state = 'FAILED';
        await queueCallback(tx, PHONEPE_EVENTS.orderFailed, this.#status(order, attempts, true), knobs);
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
      const order = await lockOrder(tx, merchantOrderId);
      if (order.state !== 'PENDING') throw badRequest(`Order is ${order.state}; no further attempts`, 'ORDER_NOT_PENDING');
      if (order.expire_at.getTime() < Date.now()) throw badRequest('Order has expired', 'ORDER_EXPIRED');
      const attempts = await attemptsOf(tx, merchantOrderId);
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
      const order = await lockOrder(tx, found.merchant_order_id);
      const { rows: updated } = await tx.query<TransactionRow>(
        `update ${SCHEMA}.transactions set state = $2, error_code = $3, detailed_error_code = $4 where transaction_id = $1 and state = 'PENDING' returning *`,
        [transactionId, outcome === 'success' ? 'COMPLETED' : 'FAILED', outcome === 'success' ? null : 'TXN_NOT_COMPLETED', outcome === 'success' ? null : 'TXN_AUTO_FAILED'],
      );
      if (updated.length === 0) throw badRequest(`Transaction is ${found.state}, not PENDING`, 'NOT_PENDING');
      await this.#settleOrder(tx, order, await attemptsOf(tx, order.merchant_order_id), outcome === 'success' ? 'COMPLETED' : 'FAILED', knobs);
      return toTransaction(updated[0]!);
    });
  }

  async #settleOrder(tx: Queryable, order: OrderRow, attempts: TransactionRow[], state: 'COMPLETED' | 'FAILED', knobs: CallbackKnobs): Promise<void> {
    await tx.query(`update ${SCHEMA}.orders set state = $2 where merchant_order_id = $1`, [order.merchant_order_id, state]);
    const settled = { ...order, state };
    const event = state === 'COMPLETED' ? PHONEPE_EVENTS.orderCompleted : PHONEPE_EVENTS.orderFailed;
    await queueCallback(tx, event, this.#status(settled, attempts, true), knobs);
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
}
