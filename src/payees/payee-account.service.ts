import type { FilterQuery, MikroORM } from '@mikro-orm/postgresql';
import type { AuthUser } from '../auth/auth.js';
import { isStaff } from '../auth/auth.js';
import { forbidden, gatewayError, notFound } from '../common/errors.js';
import { isKeyTaken } from '../common/idempotency.js';
import { GatewayError } from '../gateways/gateway.js';
import type { PayoutGateway, RouteProductEvent } from '../gateways/payout-gateway.js';
import type { Logger } from '../logger.js';
import { PayeeAccount, PayeeAccountStatus } from './payee-account.entity.js';
import { PayeeActivation, type ActivationCheckReport, type ActivationListener, type ActivationOutcome } from './payee.activation.js';
import { PayeeOnboarding } from './payee.onboarding.js';
import { mask, PAYEE_ID, validateRegistration, type PayeeRegistration, type ValidRegistration } from './payee.rules.js';

export type { ActivationCheckReport, ActivationListener, ActivationOutcome } from './payee.activation.js';

/** Longer than the gateway's worst case for the four calls (timeouts × retries), so a lease never runs out mid-call. */
const REGISTRATION_LEASE_MS = 5 * 60_000;
const PAYEE_UNIQUE = 'payee_account_payee_id_unique';

export interface PayeeAccountFilter {
  statuses?: PayeeAccountStatus[] | null;
}

/**
 * Payees' Razorpay linked accounts: registration (idempotent per payee, resumable step by
 * step), activation followed by webhooks and a reconciliation check, and reads.
 */
export class PayeeAccountService {
  /** Activation news and who is told of an activation. */
  readonly activation: PayeeActivation;
  private readonly onboarding: PayeeOnboarding;

  constructor(
    private readonly orm: MikroORM,
    gateway: PayoutGateway,
    private readonly logger: Logger,
  ) {
    this.activation = new PayeeActivation(orm, gateway, logger);
    this.onboarding = new PayeeOnboarding(orm, gateway, this.activation);
  }

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
      await this.onboarding.onboard(await this.reload(account.id), valid, log);
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      await this.save(account.id, { lastError: error.message, claimedUntil: null });
      log.warn({ gatewayError: error.message, kind: error.kind }, 'payee account registration stopped at the gateway; registering again continues it');
      throw gatewayError(`${error.message} (the payee account is saved; register it again to continue)`, error.kind !== 'rejected');
    }
    await this.save(account.id, { claimedUntil: null, lastError: null });
    return this.reload(account.id);
  }

  /** Work to do in the transaction of every activation (see PayeeActivation). */
  onActivated(listener: ActivationListener): void {
    this.activation.onActivated(listener);
  }

  applyProductEvent(event: RouteProductEvent, source: string): Promise<ActivationOutcome> {
    return this.activation.applyProductEvent(event, source);
  }

  confirmProductEvent(event: RouteProductEvent, source: string): Promise<ActivationOutcome> {
    return this.activation.confirmProductEvent(event, source);
  }

  /** The reconciliation check of accounts waiting for activation (see PayeeActivation). */
  checkActivations(limit?: number): Promise<ActivationCheckReport> {
    return this.activation.checkActivations(limit);
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

  private async save(id: string, changes: Partial<PayeeAccount>): Promise<void> {
    await this.orm.em.fork().nativeUpdate(PayeeAccount, { id }, { ...changes, updatedAt: new Date() });
  }

  private async reload(id: string): Promise<PayeeAccount> {
    return this.orm.em.fork().findOneOrFail(PayeeAccount, { id });
  }
}

