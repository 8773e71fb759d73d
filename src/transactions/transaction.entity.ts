import { randomUUID } from 'node:crypto';
import { BigIntType, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/postgresql';
import { Payment } from '../payments/payment.entity.js';
import { Wallet } from '../wallet/wallet.entity.js';

export enum TransactionType {
  CHARGE = 'CHARGE',
  REFUND = 'REFUND',
  WALLET_CREDIT = 'WALLET_CREDIT',
  WALLET_DEBIT = 'WALLET_DEBIT',
  PAYOUT = 'PAYOUT',
}

export enum TransactionStatus {
  PENDING = 'PENDING',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
}

/**
 * A money movement as the user sees it. A payment has exactly one CHARGE (enforced by a
 * partial unique index), whose status follows the payment's.
 */
@Entity({ tableName: 'transaction' })
@Index({ name: 'transaction_user_created_idx', properties: ['userId', 'createdAt', 'id'] })
@Index({ name: 'transaction_payment_idx', properties: ['payment'] })
@Index({ name: 'transaction_wallet_created_idx', properties: ['wallet', 'createdAt', 'id'] })
@Unique({ name: 'transaction_user_idempotency_key_unique', properties: ['userId', 'idempotencyKey'] })
@Index({
  name: 'transaction_one_charge_per_payment',
  expression: `create unique index "transaction_one_charge_per_payment" on "transaction" ("payment_id") where "type" = 'CHARGE'`,
})
export class Transaction {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Enum({ items: () => TransactionType, type: 'string', length: 24 })
  type!: TransactionType;

  @Enum({ items: () => TransactionStatus, type: 'string', length: 24 })
  status!: TransactionStatus;

  @Property({ type: new BigIntType('number') })
  amount!: number;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  /** Whose money moved: the payer for a charge, the wallet owner for wallet movements. */
  @Property({ type: 'string', length: 64 })
  userId!: string;

  @ManyToOne(() => Payment, { nullable: true, deleteRule: 'cascade' })
  payment: Payment | null = null;

  /** The wallet whose balance this moved (wallet credits, debits, refunds to the wallet). */
  @ManyToOne(() => Wallet, { nullable: true, deleteRule: 'restrict' })
  wallet: Wallet | null = null;

  /** The caller's key for a money-moving request that created this row; unique per user. */
  @Property({ type: 'string', length: 100, nullable: true })
  idempotencyKey: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  completedAt: Date | null = null;
}
