/**
 * The sandbox's refunds: against a COMPLETED order, keyed by the merchant's refund id, each
 * change and its callback in one transaction.
 */
import type { WireRefundResponse, WireRefundState, WireRefundStatus } from '../../gateways/phonepe/phonepe.wire.js';
import { SCHEMA, type SandboxDb } from './sandbox.db.js';
import { PhonePeSandboxError, badRequest } from './sandbox.errors.js';
import type { RefundRequest } from './sandbox.requests.js';
import { amountOf, id, lockOrder, queueCallback, refundEvent, toRefundStatus, type CallbackKnobs, type RefundOutcome, type RefundRow } from './sandbox.rows.js';

export class RefundStore {
  constructor(private readonly db: SandboxDb) {}

  /**
   * `POST /payments/v2/refund`: against a COMPLETED order, at most what is left unrefunded
   * (refunds not FAILED count). A used merchantRefundId is refused (400), as PhonePe does.
   * The answer is always PENDING; the stored state follows `outcome`.
   */
  async refund(request: RefundRequest, outcome: RefundOutcome, knobs: CallbackKnobs): Promise<WireRefundResponse> {
    return this.db.transaction(async (tx) => {
      const order = await lockOrder(tx, request.originalMerchantOrderId);
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
      await queueCallback(tx, refundEvent(state), toRefundStatus(refund), knobs);
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
      await queueCallback(tx, refundEvent(state), status, knobs);
      return status;
    });
  }
}
