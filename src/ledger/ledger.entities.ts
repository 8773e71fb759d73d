import { randomUUID } from 'node:crypto';
import { BigIntType, Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/postgresql';
import { Payment } from '../payments/payment.entity.js';

/**
 * The refund a journal belongs to, as the ledger sees it: the refund entity, named by string in
 * the mapping. The ledger does not import the refunds feature (refunds → transactions → wallet →
 * ledger already runs the other way: importing it back made a cycle).
 */
export interface JournalRefund {
  readonly id: string;
}

/** The payout (or payout reversal) a payout journal belongs to, named by string for the same reason. */
export interface JournalPayout {
  readonly id: string;
}

export enum AccountKind {
  /** Money we hold or are owed: Razorpay's clearing balance. Debit-normal. */
  ASSET = 'ASSET',
  /** Money we owe: wallets, payees. Credit-normal. */
  LIABILITY = 'LIABILITY',
  /** What the platform earns: fees, its own sales. Credit-normal. */
  REVENUE = 'REVENUE',
}

/** A ledger account, identified by a stable code such as `wallet:alice:INR`. */
@Entity({ tableName: 'ledger_account' })
export class LedgerAccount {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 160, unique: 'ledger_account_code_unique' })
  code!: string;

  @Enum({ items: () => AccountKind, type: 'string', length: 16 })
  kind!: AccountKind;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  createdAt: Date = new Date();
}

export enum JournalKind {
  /** The one journal that records a payment's money arriving (by gateway or from a wallet). */
  PAYMENT_CAPTURE = 'PAYMENT_CAPTURE',
  /** One per processed refund (a partial unique index refuses a second): reverses its share of the capture. */
  REFUND = 'REFUND',
  /** A top-up refund takes its amount out of the wallet while the gateway refunds it. */
  REFUND_HOLD = 'REFUND_HOLD',
  /** A failed top-up refund puts its held amount back in the wallet. */
  REFUND_RELEASE = 'REFUND_RELEASE',
  ADJUSTMENT = 'ADJUSTMENT',
  /** A payee's transfer was made: its share leaves payee_payable for payee_in_transit. One per payout. */
  PAYOUT_TRANSFER = 'PAYOUT_TRANSFER',
  /** Razorpay processed the transfer: payee_in_transit to payee_paid. One per payout. */
  PAYOUT_PROCESSED = 'PAYOUT_PROCESSED',
  /** Razorpay failed the transfer: payee_in_transit back to payee_payable. One per payout. */
  PAYOUT_FAILED = 'PAYOUT_FAILED',
  /** A refund's payee part taken back from the payee: payee_paid to payee_payable. One per payout reversal. */
  PAYOUT_REVERSAL = 'PAYOUT_REVERSAL',
  /** A reversal refused for the payee's balance: the payee owes it (payee_receivable). One per payout reversal. */
  PAYOUT_RECEIVABLE = 'PAYOUT_RECEIVABLE',
  /** The payee's debt settled from a later payout's share: payee_payable to payee_receivable. One per payout. */
  PAYOUT_NETTED = 'PAYOUT_NETTED',
}

/**
 * A balanced set of entries: one money movement. Append-only (a trigger refuses UPDATE and
 * DELETE; corrections are new journals) and balanced (a deferred trigger refuses to commit a
 * journal whose entries do not sum to zero).
 */
@Entity({ tableName: 'journal' })
@Index({ name: 'journal_payment_idx', properties: ['payment'] })
@Index({
  name: 'journal_one_capture_per_payment',
  expression: `create unique index "journal_one_capture_per_payment" on "journal" ("payment_id") where "kind" = 'PAYMENT_CAPTURE'`,
})
@Index({
  name: 'journal_one_per_refund_and_kind',
  expression: `create unique index "journal_one_per_refund_and_kind" on "journal" ("refund_id", "kind") where "refund_id" is not null`,
})
@Index({
  name: 'journal_one_per_payout_transfer_and_kind',
  expression: `create unique index "journal_one_per_payout_transfer_and_kind" on "journal" ("payout_id", "kind", "reference") where "payout_id" is not null and "payout_reversal_id" is null`,
})
@Index({
  name: 'journal_one_per_payout_reversal',
  expression: `create unique index "journal_one_per_payout_reversal" on "journal" ("payout_reversal_id") where "payout_reversal_id" is not null`,
})
export class Journal {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Enum({ items: () => JournalKind, type: 'string', length: 32 })
  kind!: JournalKind;

  @ManyToOne(() => Payment, { nullable: true, deleteRule: 'restrict' })
  payment: Payment | null = null;

  /** The refund a REFUND, REFUND_HOLD or REFUND_RELEASE journal belongs to: at most one of each kind per refund. */
  @ManyToOne('Refund', { nullable: true, deleteRule: 'restrict' })
  refund: JournalRefund | null = null;

  /** The payout a PAYOUT_* journal belongs to. */
  @ManyToOne('Payout', { nullable: true, deleteRule: 'restrict' })
  payout: JournalPayout | null = null;

  /** The payout reversal a PAYOUT_REVERSAL or PAYOUT_RECEIVABLE journal belongs to (one journal per reversal). */
  @ManyToOne('PayoutReversal', { nullable: true, deleteRule: 'restrict' })
  payoutReversal: JournalPayout | null = null;

  /** The gateway object a payout journal books (the transfer's `trf_…`): a payout whose transfer failed may make another. */
  @Property({ type: 'string', length: 64, nullable: true })
  reference: string | null = null;

  @Property({ type: 'string', length: 255 })
  description!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  createdAt: Date = new Date();
}

/** One line of a journal: a debit (positive) or credit (negative) to one account. */
@Entity({ tableName: 'journal_entry' })
@Index({ name: 'journal_entry_account_idx', properties: ['account'] })
@Index({ name: 'journal_entry_journal_idx', properties: ['journal'] })
export class JournalEntry {
  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => Journal, { deleteRule: 'restrict' })
  journal!: Journal;

  @ManyToOne(() => LedgerAccount, { deleteRule: 'restrict' })
  account!: LedgerAccount;

  /** Signed minor units: debit positive, credit negative. */
  @Property({ type: new BigIntType('number') })
  amount!: number;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  createdAt: Date = new Date();
}
