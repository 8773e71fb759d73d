import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/postgresql';

/**
 * Where a payee's linked account stands. REGISTERING until every onboarding step at Razorpay
 * is done (account, stakeholder, route product, bank details); then Razorpay's own activation
 * status of the `route` product.
 */
export enum PayeeAccountStatus {
  REGISTERING = 'REGISTERING',
  REQUESTED = 'REQUESTED',
  NEEDS_CLARIFICATION = 'NEEDS_CLARIFICATION',
  UNDER_REVIEW = 'UNDER_REVIEW',
  ACTIVATED = 'ACTIVATED',
  SUSPENDED = 'SUSPENDED',
}

/** What Razorpay still asks for before it activates the account (stored as given, no bank data). */
export interface StoredRequirement {
  fieldReference: string;
  reasonCode: string;
  status: string;
  resolutionUrl: string | null;
}

/**
 * A payee's Razorpay linked account: one per payee (the `payeeId` orders carry). Bank account
 * number and PAN are kept masked only (last four characters): the full values go to Razorpay
 * in the registration request and are never written here or logged.
 */
@Entity({ tableName: 'payee_account' })
@Index({ name: 'payee_account_created_idx', properties: ['createdAt', 'id'] })
@Index({ name: 'payee_account_status_idx', properties: ['status', 'updatedAt'] })
export class PayeeAccount {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** The unique constraint is what makes registration idempotent: the second insert loses. */
  @Property({ type: 'string', length: 64, unique: 'payee_account_payee_id_unique' })
  payeeId!: string;

  @Enum({ items: () => PayeeAccountStatus, type: 'string', length: 24 })
  status: PayeeAccountStatus = PayeeAccountStatus.REGISTERING;

  @Property({ type: 'string', length: 254 })
  email!: string;

  @Property({ type: 'string', length: 20 })
  phone!: string;

  @Property({ type: 'string', length: 200 })
  legalName!: string;

  @Property({ type: 'string', length: 120 })
  beneficiaryName!: string;

  /** `XXXXXXXX1234`: never the full number. */
  @Property({ type: 'string', length: 24 })
  bankAccountMasked!: string;

  /** A branch code, public by nature: kept whole so an operator can tell which bank. */
  @Property({ type: 'string', length: 11 })
  ifsc!: string;

  /** `XXXXXX234F`: never the full PAN. */
  @Property({ type: 'string', length: 10 })
  panMasked!: string;

  @Property({ type: 'string', length: 40, nullable: true, unique: 'payee_account_razorpay_account_unique' })
  razorpayAccountId: string | null = null;

  @Property({ type: 'string', length: 40, nullable: true })
  razorpayStakeholderId: string | null = null;

  @Property({ type: 'string', length: 48, nullable: true, unique: 'payee_account_razorpay_product_unique' })
  razorpayProductId: string | null = null;

  /** Set once Razorpay accepted the bank details: registration is then complete. */
  @Property({ type: 'timestamptz', nullable: true })
  settlementsSubmittedAt: Date | null = null;

  @Property({ type: 'json', nullable: true })
  requirements: StoredRequirement[] | null = null;

  /** When the status last changed by what Razorpay said (webhook time or fetch time): older news is ignored. */
  @Property({ type: 'timestamptz', nullable: true })
  statusObservedAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  activatedAt: Date | null = null;

  /** Why the last registration step failed (a GatewayError's safe message), until one succeeds. */
  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;

  /** A registration at work holds this lease, so two concurrent ones never both call Razorpay. */
  @Property({ type: 'timestamptz', nullable: true })
  claimedUntil: Date | null = null;

  @Property({ type: 'string', length: 64 })
  registeredBy!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
