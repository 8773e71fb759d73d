import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/postgresql';

export enum SavedPaymentMethodType {
  CARD = 'CARD',
  UPI = 'UPI',
  NETBANKING = 'NETBANKING',
  WALLET = 'WALLET',
}

/**
 * A payment method a user saved to pay with again: what the client shows, never what pays.
 * A card is only its network, last 4 digits and expiry (no card number or CVV is ever stored);
 * a wallet is its provider and a masked phone number. Removal is soft (`deletedAt`).
 * At most one live method per user is the default: a partial unique index keeps it so even if
 * the service's per-user lock were bypassed.
 */
@Entity({ tableName: 'saved_payment_method' })
@Index({ name: 'saved_payment_method_user_created_idx', properties: ['userId', 'createdAt', 'id'] })
@Index({
  name: 'saved_payment_method_one_default_per_user',
  expression: `create unique index "saved_payment_method_one_default_per_user" on "saved_payment_method" ("user_id") where "is_default" and "deleted_at" is null`,
})
export class SavedPaymentMethod {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 64 })
  userId!: string;

  @Enum({ items: () => SavedPaymentMethodType, type: 'string', length: 16 })
  type!: SavedPaymentMethodType;

  @Property({ type: 'string', length: 40, nullable: true })
  nickname: string | null = null;

  /** Who the client shows as the provider: card network, UPI app, bank or wallet name. */
  @Property({ type: 'string', length: 100 })
  provider!: string;

  @Property({ type: 'string', length: 16, nullable: true })
  cardNetwork: string | null = null;

  @Property({ type: 'string', length: 4, nullable: true })
  cardLast4: string | null = null;

  @Property({ type: 'smallint', nullable: true })
  expiryMonth: number | null = null;

  @Property({ type: 'smallint', nullable: true })
  expiryYear: number | null = null;

  @Property({ type: 'string', length: 321, nullable: true })
  vpa: string | null = null;

  @Property({ type: 'string', length: 100, nullable: true })
  bankName: string | null = null;

  @Property({ type: 'string', length: 20, nullable: true })
  walletProvider: string | null = null;

  @Property({ type: 'string', length: 10, nullable: true })
  maskedWalletNumber: string | null = null;

  @Property({ type: 'boolean', default: false })
  isDefault: boolean = false;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  deletedAt: Date | null = null;
}
