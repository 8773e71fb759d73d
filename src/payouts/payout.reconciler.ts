import type { MikroORM } from '@mikro-orm/postgresql';
import type { TransferGateway } from '../gateways/payout-gateway.js';
import type { JobRunner } from '../jobs/job-runner.js';
import type { Logger } from '../logger.js';
import { Payout, PayoutReversal, PayoutReversalStatus, PayoutStatus } from './payout.entity.js';
import { PAYOUT_REVERSAL_JOB, PAYOUT_TRANSFER_JOB } from './payout.jobs.js';
import { PAID_STATUSES } from './payout.rules.js';
import type { PayoutTransfers } from './payout.transfers.js';

export interface PayoutReconcileReport {
  /** Transfers left pending that were fetched from Razorpay. */
  fetched: number;
  changed: number;
  /** Transfer or reversal jobs started again (their job died, or an activation was missed). */
  restarted: number;
  errors: number;
}

/**
 * The payouts reconciler (a recurring job on the reconciler's schedule): fetches transfers left
 * PENDING for `afterMs` (a lost `transfer.processed|failed` webhook) and applies them; gives a
 * job again to a PENDING payout with no transfer recorded, an ACCRUED payout whose payee is
 * activated, and a PENDING reversal whose transfer is processed, when no job of theirs waits.
 */
export class PayoutReconciler {
  constructor(
    private readonly orm: MikroORM,
    private readonly gateway: TransferGateway,
    private readonly transfers: PayoutTransfers,
    private readonly jobs: JobRunner,
    private readonly settings: { afterMs: number; batch: number },
    private readonly logger: Logger,
  ) {}

  async runOnce(): Promise<PayoutReconcileReport> {
    const report: PayoutReconcileReport = { fetched: 0, changed: 0, restarted: 0, errors: 0 };
    const em = this.orm.em.fork();
    const before = new Date(Date.now() - this.settings.afterMs);
    const stale = await em.find(Payout, { status: PayoutStatus.PENDING, updatedAt: { $lte: before } }, { orderBy: { updatedAt: 'asc' }, limit: this.settings.batch });
    for (const payout of stale) {
      try {
        if (payout.razorpayTransferId) {
          report.fetched += 1;
          const outcome = await this.transfers.applyTransfer(await this.gateway.fetchTransfer(payout.razorpayTransferId), 'reconcile');
          if (outcome.kind === 'applied' && outcome.changed) report.changed += 1;
          else await em.nativeUpdate(Payout, { id: payout.id, updatedAt: payout.updatedAt }, { updatedAt: new Date() });
        } else if (await this.jobs.enqueueUnlessPending(PAYOUT_TRANSFER_JOB, { payoutId: payout.id }, payout.id)) {
          report.restarted += 1;
        } else {
          // Its job waits (e.g. a direct payout held until its hold time): others get the next pass's batch.
          await em.nativeUpdate(Payout, { id: payout.id, updatedAt: payout.updatedAt }, { updatedAt: new Date() });
        }
      } catch (error) {
        report.errors += 1;
        this.logger.warn({ err: error, payoutId: payout.id }, 'payout reconciliation: could not check the transfer');
      }
    }
    // ACCRUED payouts whose payee is activated now (an activation whose own hand-off was lost): one statement.
    const accrued = await em.getConnection().execute<{ id: string }[]>(
      `select p.id from payout p join payee_account a on a.payee_id = p.payee_id where p.status = 'ACCRUED' and a.status = 'ACTIVATED' order by p.created_at limit ?`,
      [this.settings.batch],
    );
    for (const { id } of accrued) {
      await em.nativeUpdate(Payout, { id, status: PayoutStatus.ACCRUED }, { status: PayoutStatus.PENDING, updatedAt: new Date() });
      if (await this.jobs.enqueueUnlessPending(PAYOUT_TRANSFER_JOB, { payoutId: id }, id)) report.restarted += 1;
    }
    const reversals = await em.find(PayoutReversal, { status: PayoutReversalStatus.PENDING, updatedAt: { $lte: before } }, { populate: ['payout'], limit: this.settings.batch });
    for (const reversal of reversals) {
      if (!PAID_STATUSES.includes(reversal.payout.status)) continue;
      if (await this.jobs.enqueueUnlessPending(PAYOUT_REVERSAL_JOB, { reversalId: reversal.id }, reversal.id)) report.restarted += 1;
    }
    if (report.changed + report.restarted + report.errors > 0) this.logger.info(report, 'payout reconciliation pass');
    return report;
  }
}
