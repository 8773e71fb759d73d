import { LockMode, type EntityManager, type FilterQuery, type MikroORM } from '@mikro-orm/postgresql';
import type { PayoutGateway, RouteProduct, RouteProductEvent } from '../gateways/payout-gateway.js';
import type { Logger } from '../logger.js';
import { PayeeAccount, PayeeAccountStatus, type StoredRequirement } from './payee-account.entity.js';
import { decideActivation } from './payee.rules.js';

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

/**
 * A payee account's activation: every piece of news (a `product.route.*` webhook, the
 * reconciliation check's fetch, the answer to the bank details) applied under the account's
 * row lock by one rule (payee.rules.ts `decideActivation`), and the listeners told of an
 * activation in its transaction.
 */
export class PayeeActivation {
  private readonly listeners: ActivationListener[] = [];

  constructor(
    private readonly orm: MikroORM,
    private readonly gateway: PayoutGateway,
    private readonly logger: Logger,
  ) {}

  /** Registers work to do in the transaction of every activation (the payouts feature, wired in services.ts). */
  onActivated(listener: ActivationListener): void {
    this.listeners.push(listener);
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

  /**
   * Applies news to `account`, locked in `em`'s transaction, if `decideActivation` allows; on an
   * activation the listeners run in the same transaction. True if the status changed.
   */
  async applyLocked(
    em: EntityManager,
    account: PayeeAccount,
    before: PayeeAccountStatus,
    status: RouteProduct['activationStatus'],
    requirements: RouteProduct['requirements'],
    observedAt: Date,
  ): Promise<boolean> {
    const decision = decideActivation(account, { status, observedAt });
    if (decision.kind !== 'apply') return false;
    account.status = decision.status;
    account.statusObservedAt = observedAt;
    account.requirements = toStored(requirements);
    if (decision.status === PayeeAccountStatus.ACTIVATED) account.activatedAt ??= observedAt;
    if (account.status === PayeeAccountStatus.ACTIVATED && before !== PayeeAccountStatus.ACTIVATED) {
      for (const listener of this.listeners) await listener(em, account.payeeId);
    }
    return true;
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
      const applied = await this.applyLocked(em, account, before, status, requirements, observedAt);
      if (!applied) return { kind: 'unchanged', account, reason: null } as const;
      this.logger.info({ payeeId: account.payeeId, from: before, to: account.status, source }, 'payee account activation changed');
      return { kind: 'applied', account } as const;
    });
  }
}

export function toStored(requirements: RouteProduct['requirements'] | StoredRequirement[]): StoredRequirement[] {
  return requirements.map((r) => ({ fieldReference: r.fieldReference, reasonCode: r.reasonCode, status: r.status, resolutionUrl: r.resolutionUrl }));
}
