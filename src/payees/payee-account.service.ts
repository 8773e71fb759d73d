import { LockMode, type EntityManager, type FilterQuery, type MikroORM } from '@mikro-orm/postgresql';
import type { AuthUser } from '../auth/auth.js';
import { isStaff } from '../auth/auth.js';
import { forbidden, gatewayError, notFound } from '../common/errors.js';
import { isKeyTaken } from '../common/idempotency.js';
import { GatewayError } from '../gateways/gateway.js';
import type { PayoutGateway, RouteProduct, RouteProductEvent } from '../gateways/payout-gateway.js';
import type { Logger } from '../logger.js';
import { PayeeAccount, PayeeAccountStatus, type StoredRequirement } from './payee-account.entity.js';
import { decideActivation, mask, PAYEE_ID, validateRegistration, type PayeeRegistration, type ValidRegistration } from './payee.rules.js';

/** Longer than the gateway's worst case for the four calls (timeouts × retries), so a lease never runs out mid-call. */
const REGISTRATION_LEASE_MS = 5 * 60_000;
const PAYEE_UNIQUE = 'payee_account_payee_id_unique';
/** Razorpay's refusal of a second account with one email names the account that has it (format unverified). */
const EMAIL_TAKEN = /already exists for account\s*-?\s*(acc_)?([A-Za-z0-9]+)/i;
/** Statuses the reconciliation check asks Razorpay about. */
const AWAITING_ACTIVATION = [PayeeAccountStatus.REQUESTED, PayeeAccountStatus.UNDER_REVIEW, PayeeAccountStatus.NEEDS_CLARIFICATION];

export interface ActivationCheckReport {
  checked: number;
  changed: number;
  errors: number;
}

export type ActivationOutcome =
  | { kind: 'applied'; account: PayeeAccount }
  | { kind: 'unchanged'; account: PayeeAccount; reason: string | null }
  | { kind: 'unknown_product'; reason: string };

/**
 * Told, in the transaction that activates a payee's account (under its row lock), so its work
 * commits with the activation: the payouts feature sends what accrued.
 */
export type ActivationListener = (em: EntityManager, payeeId: string) => Promise<unknown>;

export interface PayeeAccountFilter {
  statuses?: PayeeAccountStatus[] | null;
}

/**
 * Payees' Razorpay linked accounts: registration (idempotent per payee, resumable step by
 * step), activation followed by webhooks and a reconciliation check, and reads.
 */
export class PayeeAccountService {
  private readonly activationListeners: ActivationListener[] = [];

  constructor(
    private readonly orm: MikroORM,
    private readonly gateway: PayoutGateway,
    private readonly logger: Logger,
  ) {}

  /**
   * Registers `input.payeeId` as a linked account (staff only). The same payee again returns
   * its account; while its registration is unfinished (a gateway step failed: the error says
   * so), registering it again continues from the step that failed. Of concurrent
   * registrations one works at Razorpay and the others answer the account as it stands.
   * The bank account number and PAN are validated, sent to Razorpay, and stored masked only.
   */
  async register(actor: AuthUser, input: PayeeRegistration): Promise<PayeeAccount> {
    if (!isStaff(actor)) throw forbidden('registering a payee account needs the role admin or service');
    const valid = validateRegistration(input);
    const account = await this.findOrInsert(actor, valid);
    if (account.status !== PayeeAccountStatus.REGISTERING) return account;
    if (!(await this.claim(account.id))) return this.reload(account.id);
    const log = this.logger.child({ payeeId: valid.payeeId, payeeAccountId: account.id });
    try {
      // Read again under the lease: an earlier holder may have finished steps since the first read.
      await this.onboard(await this.reload(account.id), valid, log);
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      await this.save(account.id, { lastError: error.message, claimedUntil: null });
      log.warn({ gatewayError: error.message, kind: error.kind }, 'payee account registration stopped at the gateway; registering again continues it');
      throw gatewayError(`${error.message} (the payee account is saved; register it again to continue)`, error.kind !== 'rejected');
    }
    await this.save(account.id, { claimedUntil: null, lastError: null });
    return this.reload(account.id);
  }

  /** Registers work to do in the transaction of every activation (the payouts feature, wired in services.ts). */
  onActivated(listener: ActivationListener): void {
    this.activationListeners.push(listener);
  }

  private async activated(em: EntityManager, account: PayeeAccount, before: PayeeAccountStatus): Promise<void> {
    if (account.status !== PayeeAccountStatus.ACTIVATED || before === PayeeAccountStatus.ACTIVATED) return;
    for (const listener of this.activationListeners) await listener(em, account.payeeId);
  }

  /** Staff read any payee's account; a customer reads only its own (its user id is the payeeId). */
  async payeeAccount(actor: AuthUser, payeeId: string): Promise<PayeeAccount> {
    // An id that could never have been registered (NUL, a lone surrogate…) is not looked up: PostgreSQL would refuse it.
    if (!PAYEE_ID.test(payeeId) || (!isStaff(actor) && actor.id !== payeeId)) throw notFound('Payee account', payeeId);
    const account = await this.orm.em.fork().findOne(PayeeAccount, { payeeId });
    if (!account) throw notFound('Payee account', payeeId);
    return account;
  }

  /**
   * Staff: up to `limit` payee accounts, newest first (by createdAt, then id), after `cursor`,
   * optionally of some statuses, and how many match in all.
   */
  async listAccounts(
    actor: AuthUser,
    filter: PayeeAccountFilter | null,
    cursor: { createdAt: Date; id: string } | null,
    limit: number,
  ): Promise<{ rows: PayeeAccount[]; totalCount: number }> {
    if (!isStaff(actor)) throw forbidden('listing payee accounts needs the role admin or service');
    const where: FilterQuery<PayeeAccount> = filter?.statuses?.length ? { status: { $in: filter.statuses } } : {};
    const after: FilterQuery<PayeeAccount> = cursor
      ? { $or: [{ createdAt: { $lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { $lt: cursor.id } }] }
      : {};
    const em = this.orm.em.fork();
    const [rows, totalCount] = await Promise.all([
      em.find(PayeeAccount, { $and: [where, after] }, { orderBy: { createdAt: 'desc', id: 'desc' }, limit }),
      em.count(PayeeAccount, where),
    ]);
    return { rows, totalCount };
  }

  /**
   * Applies what a `product.route.*` webhook says, under the account's row lock, by the same
   * rule as every other activation news (payee.rules.ts `decideActivation`).
   */
  applyProductEvent(event: RouteProductEvent, source: string): Promise<ActivationOutcome> {
    return this.applyActivation({ razorpayProductId: event.productId }, event.activationStatus, event.requirements, event.occurredAt, source);
  }

  /** For an event whose body was not verified: applies what the payout gateway says of the product now. */
  async confirmProductEvent(event: RouteProductEvent, source: string): Promise<ActivationOutcome> {
    const account = await this.orm.em.fork().findOne(PayeeAccount, { razorpayProductId: event.productId });
    if (!account?.razorpayAccountId) return { kind: 'unknown_product', reason: 'no payee account has this Route product' };
    const observedAt = new Date();
    const product = await this.gateway.fetchRouteProduct(account.razorpayAccountId, event.productId);
    return this.applyActivation({ id: account.id }, product.activationStatus, product.requirements, observedAt, source);
  }

  /**
   * The reconciliation check: asks Razorpay for the product state of every account waiting
   * for activation (up to `limit`, least recently updated first), for when a webhook was lost.
   */
  async checkActivations(limit = 50): Promise<ActivationCheckReport> {
    const waiting = await this.orm.em.fork().find(
      PayeeAccount,
      { status: { $in: AWAITING_ACTIVATION }, razorpayProductId: { $ne: null }, razorpayAccountId: { $ne: null } },
      { orderBy: { updatedAt: 'asc' }, limit },
    );
    const report: ActivationCheckReport = { checked: 0, changed: 0, errors: 0 };
    for (const account of waiting) {
      report.checked += 1;
      try {
        const observedAt = new Date();
        const product = await this.gateway.fetchRouteProduct(account.razorpayAccountId!, account.razorpayProductId!);
        const outcome = await this.applyActivation({ id: account.id }, product.activationStatus, product.requirements, observedAt, 'reconcile');
        if (outcome.kind === 'applied') report.changed += 1;
      } catch (error) {
        report.errors += 1;
        this.logger.warn({ payeeId: account.payeeId, problem: error instanceof Error ? error.message : String(error) }, 'payee activation check failed');
      }
    }
    if (report.checked > 0) this.logger.info({ ...report }, 'payee activation check');
    return report;
  }

  private async findOrInsert(actor: AuthUser, valid: ValidRegistration): Promise<PayeeAccount> {
    const existing = await this.orm.em.fork().findOne(PayeeAccount, { payeeId: valid.payeeId });
    if (existing) return existing;
    const account = Object.assign(new PayeeAccount(), {
      payeeId: valid.payeeId,
      email: valid.email,
      phone: valid.phone,
      legalName: valid.legalName,
      beneficiaryName: valid.beneficiaryName,
      bankAccountMasked: mask(valid.bankAccountNumber),
      ifsc: valid.ifsc,
      panMasked: mask(valid.pan),
      registeredBy: actor.id,
    });
    try {
      await this.orm.em.fork().persistAndFlush(account);
      this.logger.info({ payeeId: valid.payeeId, payeeAccountId: account.id, by: actor.id, bankAccount: account.bankAccountMasked }, 'payee account registration started');
      return account;
    } catch (error) {
      // A concurrent registration of the same payee inserted first: answer with its account.
      if (!isKeyTaken(error, PAYEE_UNIQUE)) throw error;
      return (await this.orm.em.fork().findOne(PayeeAccount, { payeeId: valid.payeeId }))!;
    }
  }

  /** Takes the registration lease (a conditional UPDATE): false when another registration holds it or it is done. */
  private async claim(id: string): Promise<boolean> {
    const now = new Date();
    const updated = await this.orm.em.fork().nativeUpdate(
      PayeeAccount,
      { id, status: PayeeAccountStatus.REGISTERING, $or: [{ claimedUntil: null }, { claimedUntil: { $lt: now } }] },
      { claimedUntil: new Date(now.getTime() + REGISTRATION_LEASE_MS) },
    );
    return updated === 1;
  }

  /**
   * The four onboarding steps, each skipped when an earlier attempt finished it, each
   * recorded as soon as Razorpay answers (so a crash or a failure loses nothing done).
   */
  private async onboard(account: PayeeAccount, valid: ValidRegistration, log: Logger): Promise<void> {
    let accountId = account.razorpayAccountId;
    if (!accountId) {
      accountId = await this.createLinkedAccount(account, valid);
      await this.save(account.id, { razorpayAccountId: accountId });
      log.info({ razorpayAccountId: accountId }, 'linked account created');
    }
    if (!account.razorpayStakeholderId) {
      // Razorpay allows one stakeholder: one made by an interrupted attempt is the one.
      const [earlier] = await this.gateway.listStakeholders(accountId);
      const stakeholder = earlier ?? (await this.gateway.createStakeholder(accountId, { name: valid.beneficiaryName, email: valid.email, pan: valid.pan }));
      await this.save(account.id, { razorpayStakeholderId: stakeholder.id });
      log.info({ razorpayAccountId: accountId, stakeholderId: stakeholder.id }, 'stakeholder added');
    }
    let productId = account.razorpayProductId;
    if (!productId) {
      const product = await this.gateway.requestRouteProduct(accountId);
      productId = product.id;
      await this.save(account.id, { razorpayProductId: productId, requirements: toStored(product) });
      log.info({ razorpayAccountId: accountId, productId, activation: product.activationStatus }, 'route product requested');
    }
    if (!account.settlementsSubmittedAt) {
      const observedAt = new Date();
      const product = await this.gateway.submitSettlementDetails(accountId, productId, {
        accountNumber: valid.bankAccountNumber,
        ifscCode: valid.ifsc,
        beneficiaryName: valid.beneficiaryName,
      });
      // Leaves REGISTERING here, under the row lock, unless a webhook already moved it on.
      await this.orm.em.fork().transactional(async (em) => {
        const locked = await em.findOneOrFail(PayeeAccount, { id: account.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        locked.settlementsSubmittedAt = observedAt;
        const before = locked.status;
        if (locked.status === PayeeAccountStatus.REGISTERING) {
          locked.status = PayeeAccountStatus.REQUESTED;
          locked.statusObservedAt = null;
        }
        if (applyNews(locked, product.activationStatus, toStored(product), observedAt)) await this.activated(em, locked, before);
      });
      log.info({ razorpayAccountId: accountId, productId, activation: product.activationStatus, bankAccount: account.bankAccountMasked }, 'bank details submitted');
    }
  }

  /**
   * Creates the linked account. If Razorpay refuses because an account already has this
   * email, and that account carries our reference id, it is the one an interrupted attempt
   * made: adopt it rather than fail forever.
   */
  private async createLinkedAccount(account: PayeeAccount, valid: ValidRegistration): Promise<string> {
    const referenceId = referenceIdOf(account);
    try {
      const created = await this.gateway.createLinkedAccount({
        referenceId,
        email: valid.email,
        phone: valid.phone,
        legalBusinessName: valid.legalName,
        businessType: 'individual',
        contactName: valid.beneficiaryName,
        category: valid.category,
        subcategory: valid.subcategory,
        address: { street1: valid.street1, street2: valid.street2, city: valid.city, state: valid.state, postalCode: valid.postalCode, country: 'IN' },
      });
      return created.id;
    } catch (error) {
      const match = error instanceof GatewayError && error.kind === 'rejected' ? EMAIL_TAKEN.exec(error.message) : null;
      if (!match) throw error;
      const existing = await this.gateway.fetchLinkedAccount(`acc_${match[2]}`);
      if (existing.referenceId !== referenceId) throw error;
      return existing.id;
    }
  }

  private async applyActivation(
    where: FilterQuery<PayeeAccount>,
    status: RouteProduct['activationStatus'],
    requirements: RouteProduct['requirements'],
    observedAt: Date,
    source: string,
  ): Promise<ActivationOutcome> {
    return this.orm.em.fork().transactional(async (em) => {
      const account = await em.findOne(PayeeAccount, where, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!account) return { kind: 'unknown_product', reason: 'no payee account has this Route product' } as const;
      // Its registration is still at work (the answer to the bank details not yet recorded):
      // that step sets the status; news meanwhile is retried later (a throw), never dropped.
      if (account.status === PayeeAccountStatus.REGISTERING) {
        throw new Error(`payee account ${account.payeeId} is still being registered; ${status} will be applied once it is`);
      }
      const before = account.status;
      const applied = applyNews(account, status, requirements, observedAt);
      if (!applied) return { kind: 'unchanged', account, reason: null } as const;
      await this.activated(em, account, before);
      this.logger.info({ payeeId: account.payeeId, from: before, to: account.status, source }, 'payee account activation changed');
      return { kind: 'applied', account } as const;
    });
  }

  private async save(id: string, changes: Partial<PayeeAccount>): Promise<void> {
    await this.orm.em.fork().nativeUpdate(PayeeAccount, { id }, { ...changes, updatedAt: new Date() });
  }

  private async reload(id: string): Promise<PayeeAccount> {
    return this.orm.em.fork().findOneOrFail(PayeeAccount, { id });
  }
}

/** Razorpay's `reference_id`: our account id in 20 characters (the field's limit is unverified; 20 is safe). */
function referenceIdOf(account: PayeeAccount): string {
  return account.id.replaceAll('-', '').slice(0, 20);
}

function toStored(product: Pick<RouteProduct, 'requirements'>): StoredRequirement[] {
  return product.requirements.map((r) => ({ fieldReference: r.fieldReference, reasonCode: r.reasonCode, status: r.status, resolutionUrl: r.resolutionUrl }));
}

/** Applies news to a locked account if `decideActivation` allows; true if the status changed. */
function applyNews(account: PayeeAccount, status: RouteProduct['activationStatus'], requirements: StoredRequirement[] | RouteProduct['requirements'], observedAt: Date): boolean {
  const decision = decideActivation(account, { status, observedAt });
  if (decision.kind !== 'apply') return false;
  account.status = decision.status;
  account.statusObservedAt = observedAt;
  account.requirements = toStored({ requirements });
  if (decision.status === PayeeAccountStatus.ACTIVATED) account.activatedAt ??= observedAt;
  return true;
}
