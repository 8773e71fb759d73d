import { randomUUID } from 'node:crypto';
import { BigIntType, Check, Entity, Enum, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/postgresql';
import { LedgerAccount } from '../ledger/ledger.entities.js';

export enum WalletStatus {
  ACTIVE = 'ACTIVE',
  /** An admin froze it: no new top-ups, no spending. */
  FROZEN = 'FROZEN',
}

/**
 * Money the service holds for a user, one wallet per user and currency. `balance` is a cache
 * of the ledger (minus the sum of its account's entries), updated in the same transaction as
 * every entry and proven equal by `ledger check`; the database refuses a negative balance.
 */
@Entity({ tableName: 'wallet' })
@Unique({ name: 'wallet_user_currency_unique', properties: ['userId', 'currency'] })
@Check({ name: 'wallet_balance_not_negative', expression: 'balance >= 0' })
export class Wallet {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 64 })
  userId!: string;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  @Property({ type: new BigIntType('number'), default: 0 })
  balance: number = 0;

  @Enum({ items: () => WalletStatus, type: 'string', length: 16 })
  status: WalletStatus = WalletStatus.ACTIVE;

  @Property({ type: 'string', length: 255, nullable: true })
  frozenReason: string | null = null;

  @ManyToOne(() => LedgerAccount, { deleteRule: 'restrict' })
  account!: LedgerAccount;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  updatedAt: Date = new Date();
}
