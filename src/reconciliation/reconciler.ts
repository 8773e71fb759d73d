import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config.js';
import { GatewayError, type Gateway, type GatewayName, type GatewayPayment } from '../gateways/gateway.js';
import type { GatewayRegistry } from '../gateways/gateway.registry.js';
import type { Logger } from '../logger.js';
import type { PaymentSettlement } from '../payments/payment.settlement.js';
import type { RefundService } from '../refunds/refund.service.js';
import { backoffWithJitterMs } from '../common/backoff.js';

/** What one pass did; `claimed` lists the payments this pass (and no other) examined. */
export interface ReconcileReport {
  claimed: string[];
  changed: number;
  captured: number;
  errors: number;
  refundsChecked: number;
  refundsSettled: number;
}

export type ReconcileOutcome = 'changed' | 'unchanged' | 'captured' | 'error';

/** A payment claimed for a check: where to ask, and about which order. */
interface DuePayment {
  id: string;
  gateway: GatewayName;
  orderId: string;
}

/** Stop asking about a payment this old: Razorpay auto-refunds uncaptured payments within days. */
const GIVE_UP_AFTER_MS = 7 * 86_400_000;
const MAX_BACKOFF_MS = 6 * 60 * 60_000;

/**
 * The janitor. Finds payments left CREATED, AUTHORIZED or FAILED (a later attempt or a late
 * authorisation may still come) longer than `RECONCILE_AFTER_MS`, asks the gateway for every
 * attempt on their order, and applies what it learns through the same settlement as
 * verifyPayment and webhooks — so a capture whose webhook never came ends CAPTURED with its
 * booking or wallet credit, exactly once. Authorised payments are captured when configured.
 *
 * Safe on several instances at once: a pass claims its batch with `FOR UPDATE SKIP LOCKED` and
 * pushes each claimed payment's next check into the future (its backoff) before calling the
 * gateway, so another pass skips it. Work per pass is bounded by `RECONCILE_BATCH`.
 */
export class Reconciler {
  constructor(
    private readonly orm: MikroORM,
    /** Each payment is asked about at the gateway it went through. */
    private readonly gateways: GatewayRegistry,
    private readonly settlement: PaymentSettlement,
    private readonly refunds: RefundService,
    private readonly config: Config['reconcile'],
    private readonly logger: Logger,
  ) {}

  private readonly listeners: ((outcome: ReconcileOutcome) => void)[] = [];

  /** Observes each payment's outcome (metrics). */
  onOutcome(listener: (outcome: ReconcileOutcome) => void): void {
    this.listeners.push(listener);
  }

  /** One pass: a bounded batch of payments, then PENDING refunds. */
  async runOnce(): Promise<ReconcileReport> {
    const claimed = await this.claimDuePayments();
    const report: ReconcileReport = { claimed: claimed.map((c) => c.id), changed: 0, captured: 0, errors: 0, refundsChecked: 0, refundsSettled: 0 };
    for (const payment of claimed) {
      const outcome = await this.reconcilePayment(payment);
      for (const listener of this.listeners) listener(outcome);
      if (outcome === 'error') report.errors += 1;
      if (outcome === 'changed' || outcome === 'captured') report.changed += 1;
      if (outcome === 'captured') report.captured += 1;
    }
    const refunds = await this.refunds.reconcilePending(this.config.afterMs);
    report.refundsChecked = refunds.checked;
    report.refundsSettled = refunds.settled;
    if (claimed.length > 0 || refunds.checked > 0) this.logger.info({ ...report, claimed: claimed.length }, 'reconciliation pass');
    return report;
  }

  /** Claims up to a batch of due payments and schedules their next check, in one transaction. */
  private async claimDuePayments(): Promise<DuePayment[]> {
    return this.orm.em.fork().transactional(async (em) => {
      const connection = em.getConnection();
      const now = Date.now();
      const rows: { id: string; gateway: GatewayName; razorpay_order_id: string; reconcile_attempts: number }[] = await connection.execute(
        `select "id", "gateway", "razorpay_order_id", "reconcile_attempts" from "payment"
          where "status" in ('CREATED', 'AUTHORIZED', 'FAILED') and "razorpay_order_id" is not null
            and "updated_at" <= ? and "created_at" > ?
            and ("next_reconcile_at" is null or "next_reconcile_at" <= ?)
          order by "next_reconcile_at" asc nulls first, "created_at" asc
          limit ? for update skip locked`,
        [new Date(now - this.config.afterMs), new Date(now - GIVE_UP_AFTER_MS), new Date(now), this.config.batch],
        'all',
        em.getTransactionContext(),
      );
      for (const row of rows) {
        const delay = backoffWithJitterMs(row.reconcile_attempts + 1, { baseMs: Math.max(1_000, this.config.intervalMs), maxMs: MAX_BACKOFF_MS });
        await connection.execute(
          `update "payment" set "reconcile_attempts" = "reconcile_attempts" + 1, "next_reconcile_at" = ? where "id" = ?`,
          [new Date(now + delay), row.id],
          'run',
          em.getTransactionContext(),
        );
      }
      return rows.map((row) => ({ id: row.id, gateway: row.gateway, orderId: row.razorpay_order_id }));
    });
  }

  /** Asks the gateway about every attempt on the order and applies each, oldest first. */
  private async reconcilePayment({ id: paymentId, gateway: gatewayName, orderId }: DuePayment): Promise<ReconcileOutcome> {
    let attempts: GatewayPayment[];
    // Resolved inside the try: a payment of a gateway not configured here is an error to retry, not a crash of the pass.
    let gateway: Gateway;
    try {
      gateway = this.gateways.get(gatewayName);
      attempts = await gateway.listOrderPayments(orderId);
    } catch (error) {
      this.logger.warn({ paymentId, orderId, err: error instanceof GatewayError ? error.message : error }, 'reconciliation could not ask the gateway; will retry');
      return 'error';
    }
    let outcome: ReconcileOutcome = 'unchanged';
    for (let snapshot of attempts) {
      try {
        if (snapshot.status === 'authorized' && this.config.captureAuthorized) {
          snapshot = await gateway.capturePayment(snapshot.id, snapshot.amount, snapshot.currency);
          outcome = 'captured';
        }
        const result = await this.settlement.applyGatewayPayment(snapshot, { source: 'reconciliation' });
        if (result.kind === 'settled' && result.decision.action === 'apply' && outcome === 'unchanged') outcome = 'changed';
      } catch (error) {
        this.logger.warn({ paymentId, attempt: snapshot.id, err: error instanceof Error ? error.message : error }, 'reconciliation could not settle an attempt; will retry');
        return 'error';
      }
    }
    return outcome;
  }
}
