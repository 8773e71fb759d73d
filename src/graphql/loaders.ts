import DataLoader from 'dataloader';
import type { MikroORM } from '@mikro-orm/postgresql';
import { loadBookingFailuresByPaymentIds, loadBookingsByPaymentIds } from '../bookings/booking.queries.js';
import type { BookingType } from '../bookings/booking.types.js';
import { loadPaymentsByIds } from '../payments/payment.rows.js';
import type { Payout } from '../payouts/payout.entity.js';
import { loadPayoutsByPaymentIds } from '../payouts/payout.queries.js';
import type { PaymentType } from '../payments/payment.types.js';
import { Refund } from '../refunds/refund.entity.js';
import { toRefundType, type RefundType } from '../refunds/refund.types.js';
import { loadTransactionsByPaymentIds } from '../transactions/transaction.rows.js';
import type { TransactionNode } from '../transactions/transaction.types.js';

export interface Loaders {
  paymentById: DataLoader<string, PaymentType | null>;
  transactionsByPaymentId: DataLoader<string, TransactionNode[]>;
  refundsByPaymentId: DataLoader<string, RefundType[]>;
  bookingByPaymentId: DataLoader<string, BookingType | null>;
  bookingFailureByPaymentId: DataLoader<string, string | null>;
  payoutsByPaymentId: DataLoader<string, Payout[]>;
}

/**
 * Per-request loaders: every field that reaches another table goes through one, so the number
 * of SQL queries for a page does not depend on its size. The hot ones (a payments page's
 * transactions, a transaction's payment) read plain rows; the others read through a fresh
 * EntityManager. Subscriptions pass `cache: false` so a long-lived operation never sees stale rows.
 */
export function createLoaders(orm: MikroORM, options: { cache: boolean } = { cache: true }): Loaders {
  const knex = orm.em.getConnection().getKnex();
  return {
    paymentById: new DataLoader((ids) => loadPaymentsByIds(knex, ids), { cache: options.cache }),
    transactionsByPaymentId: new DataLoader((paymentIds) => loadTransactionsByPaymentIds(knex, paymentIds), { cache: options.cache }),
    refundsByPaymentId: new DataLoader(
      async (paymentIds) => {
        const rows = await orm.em.fork().find(Refund, { payment: { $in: [...paymentIds] } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
        const grouped = new Map<string, RefundType[]>(paymentIds.map((id) => [id, []]));
        for (const row of rows) grouped.get(row.payment.id)?.push(toRefundType(row));
        return paymentIds.map((id) => grouped.get(id) ?? []);
      },
      { cache: options.cache },
    ),
    bookingByPaymentId: new DataLoader((paymentIds) => loadBookingsByPaymentIds(orm, paymentIds), { cache: options.cache }),
    bookingFailureByPaymentId: new DataLoader((paymentIds) => loadBookingFailuresByPaymentIds(orm, paymentIds), { cache: options.cache }),
    payoutsByPaymentId: new DataLoader((paymentIds) => loadPayoutsByPaymentIds(orm, paymentIds), { cache: options.cache }),
  };
}
