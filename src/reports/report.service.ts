import type { FilterQuery, MikroORM } from '@mikro-orm/postgresql';
import { badInput } from '../common/errors.js';
import { Payment } from '../payments/payment.entity.js';
import { PAID_STATUSES } from '../payouts/payout.rules.js';
import { MONEY_RECEIVED_STATUSES, type PaymentStatus } from '../payments/payment.state.js';

/**
 * One currency's figures over a period; amounts in minor units. Every captured payment is
 * counted once on each side: money in (`collected` through the gateway, or `walletSpends`
 * from wallets funded earlier) equals what it became (`topUps` owed to wallet holders,
 * `revenue` the platform earned, `payouts` owed to payees).
 */
export interface CurrencyStats {
  currency: string;
  /** Payments created in the period (orders still waiting for the gateway excluded). */
  count: number;
  succeeded: number;
  failed: number;
  /** Captured through the gateway: new money in (orders, carts and top-ups). */
  collected: number;
  /** Captured wallet top-ups: owed to the wallets' holders, neither revenue nor payouts. */
  topUps: number;
  /** Orders and carts paid from a wallet: money collected earlier as top-ups, not new money. */
  walletSpends: number;
  /** The platform's fees on captured orders and carts. */
  fees: number;
  /** The platform's own sales: captured orders and carts with no payee, net of the fee. */
  sales: number;
  /** What the platform earned: fees + sales (gross of refunds). */
  revenue: number;
  /** Payees' shares of captured orders and carts: owed to them or paid (gross of refunds). */
  payouts: number;
  /**
   * What actually reached payees for the period's payments: their payouts' processed transfers
   * (PROCESSED, ON_HOLD, PARTIALLY_REVERSED, REVERSED) less what reversals took back. Not part of
   * the identity above: a share is owed before and whether or not it is transferred.
   */
  payoutsTransferred: number;
  /** Refunded so far on the period's payments. */
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
/** Payout statuses whose transfer Razorpay processed (its reversals are subtracted separately). */
const TRANSFERRED = PAID_STATUSES.map((s) => `'${s}'`).join(', ');
export const MAX_LIST_LIMIT = 10_000;

/** Reads for operators and finance: payment lists and period figures. */
export class ReportService {
  constructor(private readonly orm: MikroORM) {}

  /**
   * Figures per currency for payments created in [from, to): counts by outcome, and each
   * captured payment's money on its own line — a top-up is a wallet liability, a wallet spend
   * is not new money, revenue is fees plus the platform's own sales, payouts are payee shares.
   * Sums are taken in SQL over bigint, never floats.
   */
  async paymentStats(from: Date, to: Date): Promise<CurrencyStats[]> {
    if (!(from < to)) throw badInput('to', 'must be later than from');
    if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * 86_400_000) throw badInput('to', `the period may span at most ${MAX_PERIOD_DAYS} days`);
    const received = MONEY_RECEIVED_STATUSES.map((s) => `'${s}'`).join(', ');
    const rows: Record<string, string>[] = await this.orm.em.fork().getConnection().execute(
      `with period as (
         select p.currency, p.status, p.amount, p.platform_fee, p.payee_amount, p.payee_id, p.amount_refunded,
                p.status in (${received}) as received,
                coalesce((select sum(po.amount - po.amount_netted - po.amount_reversed) from payout po
                           where po.payment_id = p.id and po.status in (${TRANSFERRED})), 0) as transferred,
                p.purpose = 'WALLET_TOPUP' as top_up,
                -- paid from a wallet: its capture debited the wallet (a top-up's WALLET_DEBIT is a refund hold)
                p.purpose <> 'WALLET_TOPUP' and exists (
                  select 1 from "transaction" t where t.payment_id = p.id and t.type = 'WALLET_DEBIT') as from_wallet
           from payment p
          where p.created_at >= ? and p.created_at < ?
            -- an order whose gateway call is still in flight is not a payment yet
            and (p.razorpay_order_id is not null or p.status <> 'CREATED'))
       select currency,
              count(*)::text as count,
              count(*) filter (where received)::text as succeeded,
              count(*) filter (where status = 'FAILED')::text as failed,
              coalesce(sum(amount) filter (where received and not from_wallet), 0)::text as collected,
              coalesce(sum(amount) filter (where received and top_up), 0)::text as top_ups,
              coalesce(sum(amount) filter (where received and from_wallet), 0)::text as wallet_spends,
              coalesce(sum(platform_fee) filter (where received and not top_up), 0)::text as fees,
              coalesce(sum(payee_amount) filter (where received and not top_up and payee_id is null), 0)::text as sales,
              coalesce(sum(payee_amount) filter (where received and not top_up and payee_id is not null), 0)::text as payouts,
              coalesce(sum(amount_refunded), 0)::text as refunds,
              coalesce(sum(transferred), 0)::text as payouts_transferred
         from period
        group by currency order by currency`,
      [from, to],
    );
    return rows.map((row) => {
      const fees = Number(row.fees);
      const sales = Number(row.sales);
      return {
        currency: row.currency!,
        count: Number(row.count),
        succeeded: Number(row.succeeded),
        failed: Number(row.failed),
        collected: Number(row.collected),
        topUps: Number(row.top_ups),
        walletSpends: Number(row.wallet_spends),
        fees,
        sales,
        revenue: fees + sales,
        payouts: Number(row.payouts),
        payoutsTransferred: Number(row.payouts_transferred),
        refunds: Number(row.refunds),
      };
    });
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
