import type { MikroORM } from '@mikro-orm/postgresql';
import { splitFee } from '../../src/money/money.js';
import { Payment, PaymentPurpose } from '../../src/payments/payment.entity.js';
import { PaymentStatus } from '../../src/payments/payment.state.js';
import { Transaction, TransactionStatus, TransactionType } from '../../src/transactions/transaction.entity.js';

let counter = 0;
const base62 = (n: number) => n.toString(36).toUpperCase().padStart(14, '0').slice(-14);

export interface SeedPayment {
  payerId: string;
  amount?: number;
  status?: PaymentStatus;
  purpose?: PaymentPurpose;
  payeeId?: string | null;
  createdAt?: Date;
}

/**
 * Inserts payments with their CHARGE transaction straight into the database, for list and
 * pagination tests that need many rows; the payment flow itself is tested through the API.
 */
export async function seedPayments(orm: MikroORM, rows: SeedPayment[]): Promise<Payment[]> {
  const em = orm.em.fork();
  const payments = rows.map((row) => {
    counter += 1;
    const amount = row.amount ?? 10_000;
    const split = splitFee(amount, 1500);
    const status = row.status ?? PaymentStatus.CAPTURED;
    const createdAt = row.createdAt ?? new Date(Date.now() - counter * 1000);
    const payment = Object.assign(new Payment(), {
      purpose: row.purpose ?? PaymentPurpose.ORDER,
      status,
      amount,
      currency: 'INR',
      feeBps: 1500,
      platformFee: split.platformFee,
      payeeAmount: split.payeeAmount,
      payerId: row.payerId,
      payeeId: row.payeeId ?? null,
      razorpayOrderId: `order_${base62(counter)}`,
      createdAt,
      updatedAt: createdAt,
    });
    em.persist(payment);
    em.persist(Object.assign(new Transaction(), {
      type: TransactionType.CHARGE,
      status: status === PaymentStatus.CAPTURED ? TransactionStatus.COMPLETED : status === PaymentStatus.FAILED ? TransactionStatus.FAILED : TransactionStatus.PENDING,
      amount,
      currency: 'INR',
      userId: row.payerId,
      payment,
      createdAt,
    }));
    return payment;
  });
  await em.flush();
  return payments;
}
