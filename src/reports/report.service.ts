import type { FilterQuery, MikroORM } from '@mikro-orm/postgresql';
import { badInput } from '../graphql/errors.js';
import { Payment } from '../payments/payment.entity.js';
import { MONEY_RECEIVED_STATUSES, type PaymentStatus } from '../payments/payment.state.js';

/** One currency's figures over a period; amounts in minor units. */
export interface CurrencyStats {
  currency: string;
  /** Payments created in the period. */
  count: number;
  succeeded: number;
  failed: number;
  /** Captured amount (gross, before refunds). */
  revenue: number;
  /** The platform's fees on captured payments. */
  fees: number;
  /** What captured payments owe payees (their share). */
  payouts: number;
  /** Refunded so far on those payments. */
  refunds: number;
}

export interface PaymentListFilter {
  status?: PaymentStatus[];
  payerId?: string;
  payeeId?: string;
  reference?: string;
  from?: Date;
  to?: Date;
  limit?: number;
}

const MAX_PERIOD_DAYS = 366;
export const MAX_LIST_LIMIT = 10_000;

/** Reads for operators and finance: payment lists and period figures. */
export class ReportService {
  constructor(private readonly orm: MikroORM) {}

  /**
   * Figures per currency for payments created in [from, to): counts by outcome, captured
   * revenue, fees, payee shares and refunds — sums taken in SQL over bigint, never floats.
   */
  async paymentStats(from: Date, to: Date): Promise<CurrencyStats[]> {
    if (!(from < to)) throw badInput('to', 'must be later than from');
    if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * 86_400_000) throw badInput('to', `the period may span at most ${MAX_PERIOD_DAYS} days`);
    const received = MONEY_RECEIVED_STATUSES.map((s) => `'${s}'`).join(', ');
    const rows: Record<string, string>[] = await this.orm.em.fork().getConnection().execute(
      `select currency,
              count(*)::text as count,
              count(*) filter (where status in (${received}))::text as succeeded,
              count(*) filter (where status = 'FAILED')::text as failed,
              coalesce(sum(amount) filter (where status in (${received})), 0)::text as revenue,
              coalesce(sum(platform_fee) filter (where status in (${received})), 0)::text as fees,
              coalesce(sum(payee_amount) filter (where status in (${received})), 0)::text as payouts,
              coalesce(sum(amount_refunded), 0)::text as refunds
         from payment
        where created_at >= ? and created_at < ?
          -- an order whose gateway call is still in flight is not a payment yet
          and (razorpay_order_id is not null or status <> 'CREATED')
        group by currency order by currency`,
      [from, to],
    );
    return rows.map((row) => ({
      currency: row.currency!,
      count: Number(row.count),
      succeeded: Number(row.succeeded),
      failed: Number(row.failed),
      revenue: Number(row.revenue),
      fees: Number(row.fees),
      payouts: Number(row.payouts),
      refunds: Number(row.refunds),
    }));
  }

  /** Payments matching an operator's filter, newest first, at most `limit` (≤ 10,000). */
  async listPayments(filter: PaymentListFilter): Promise<Payment[]> {
    const limit = filter.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) throw badInput('limit', `must be between 1 and ${MAX_LIST_LIMIT}`);
    const where: Record<string, unknown> = {};
    if (filter.status?.length) where.status = { $in: filter.status };
    if (filter.payerId) where.payerId = filter.payerId;
    if (filter.payeeId) where.payeeId = filter.payeeId;
    if (filter.reference) where.reference = filter.reference;
    if (filter.from || filter.to) {
      where.createdAt = { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lt: filter.to } : {}) };
    }
    return this.orm.em.fork().find(Payment, where as FilterQuery<Payment>, { orderBy: { createdAt: 'desc', id: 'desc' }, limit });
  }
}
