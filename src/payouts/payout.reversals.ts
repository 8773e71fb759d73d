import { LockMode, type MikroORM } from '@mikro-orm/postgresql';
import { GatewayError } from '../gateways/gateway.js';
import type { TransferGateway, TransferReversal } from '../gateways/payout-gateway.js';
import type { JobAttempt, JobRunner } from '../jobs/job-runner.js';
import { JournalKind } from '../ledger/ledger.entities.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { Logger } from '../logger.js';
import type { OutboxService } from '../outbox/outbox.service.js';
import type { PaymentCore } from '../payments/payment.core.js';
import { Payout, PayoutReversal, PayoutReversalStatus, PayoutStatus } from './payout.entity.js';
import { PAYOUT_REVERSAL_JOB, queueOptions, type PayoutJobSettings } from './payout.jobs.js';
import { PAID_STATUSES, sentAmount, statusAfterReversal } from './payout.rules.js';
import { payoutPayload, postPayoutJournal } from './payout.journals.js';

const MAX_ERROR = 500;

/**
 * Takes a refund's payee part back from a transfer already made (a reversal job per refund,
 * enqueued in the refund's transaction): by amount, never `reverse_all`. Like the transfer,
 * intent first (an attempt counted and committed), then the call; an attempt after the first
 * lists the transfer's reversals and adopts the one whose `notes.reversal_id` is ours. A
 * reversal Razorpay refuses (the linked account's balance does not cover it) is the payee's
 * debt: REFUSED, booked to payee_receivable, shown on the payout (`amountReceivable`).
 */
export class PayoutReversals {
  constructor(
    private readonly orm: MikroORM,
    private readonly core: PaymentCore,
    private readonly gateway: TransferGateway,
    private readonly ledger: LedgerService,
    private readonly outbox: OutboxService,
    jobs: JobRunner,
    settings: PayoutJobSettings,
    private readonly logger: Logger,
  ) {
    jobs.define<{ reversalId: string }>(PAYOUT_REVERSAL_JOB, queueOptions(settings), (data, attempt) => this.reverse(data.reversalId, attempt));
  }

  async reverse(reversalId: string, attempt: JobAttempt): Promise<void> {
    const log = this.logger.child({ reversalId, job: PAYOUT_REVERSAL_JOB, attempt: attempt.attempt });
    const intent = await this.orm.em.fork().transactional(async (em) => {
      const reversal = await em.findOne(PayoutReversal, { id: reversalId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!reversal || reversal.status !== PayoutReversalStatus.PENDING) return { kind: 'done' } as const;
      const payout = await em.findOneOrFail(Payout, { id: reversal.payout.id });
      if (payout.status === PayoutStatus.FAILED) {
        reversal.status = PayoutReversalStatus.CANCELLED;
        reversal.lastError = 'the transfer failed: nothing to take back';
        return { kind: 'done' } as const;
      }
      if (!payout.razorpayTransferId && payout.status === PayoutStatus.PROCESSED && payout.amountNetted > 0) {
        // The whole share settled the payee's debt (netted): nothing was transferred to take back.
        return { kind: 'nothing_sent' } as const;
      }
      // The transfer must be processed first; its processing enqueues this job again.
      if (!payout.razorpayTransferId || !PAID_STATUSES.includes(payout.status)) return { kind: 'waiting' } as const;
      const asked = reversal.attempts > 0;
      reversal.attempts += 1;
      return { kind: 'call', asked, transferId: payout.razorpayTransferId, amount: reversal.amount } as const;
    });
    if (intent.kind === 'nothing_sent') {
      await this.settle(reversalId, { kind: 'refused', reason: 'nothing was transferred (the share settled the payee\'s debt): the payee owes it again' });
      log.info('payout reversal: the payout was netted in full; the refund\'s payee part is the payee\'s debt again');
      return;
    }
    if (intent.kind !== 'call') {
      log.debug({ outcome: intent.kind }, 'payout reversal: nothing to do now');
      return;
    }
    try {
      let made: TransferReversal | undefined;
      if (intent.asked) made = (await this.gateway.listTransferReversals(intent.transferId)).find((r) => r.reversalId === reversalId);
      made ??= await this.gateway.reverseTransfer(intent.transferId, { amount: intent.amount, reversalId });
      await this.settle(reversalId, { kind: 'processed', razorpayReversalId: made.id });
      log.info({ razorpayReversalId: made.id, amount: intent.amount }, 'payout reversal made');
    } catch (error) {
      if (error instanceof GatewayError && error.kind === 'rejected') {
        await this.settle(reversalId, { kind: 'refused', reason: error.message });
        log.warn({ gatewayError: error.message, amount: intent.amount }, 'payout reversal refused by Razorpay: recorded as the payee\'s debt (payee_receivable)');
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      await this.orm.em.fork().nativeUpdate(PayoutReversal, { id: reversalId, status: PayoutReversalStatus.PENDING }, { lastError: message.slice(0, MAX_ERROR), updatedAt: new Date() });
      log.warn({ err: error, lastAttempt: attempt.lastAttempt }, 'payout reversal: outcome unknown; retried after listing the transfer\'s reversals');
      throw error;
    }
  }

  /** Records a reversal's outcome under the payout's and the reversal's row locks, once. */
  private async settle(reversalId: string, outcome: { kind: 'processed'; razorpayReversalId: string } | { kind: 'refused'; reason: string }): Promise<void> {
    await this.orm.em.fork().transactional(async (em) => {
      const unlocked = await em.findOneOrFail(PayoutReversal, { id: reversalId }, { populate: ['payout'] });
      // The payment first, then the payout: the order every writer takes (see PayoutTransfers.lockPayout).
      await this.core.lock(em, { id: unlocked.payout.payment.id });
      const payout = await em.findOneOrFail(Payout, { id: unlocked.payout.id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      const reversal = await em.findOneOrFail(PayoutReversal, { id: reversalId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      if (reversal.status !== PayoutReversalStatus.PENDING) return;
      if (outcome.kind === 'processed') {
        reversal.status = PayoutReversalStatus.PROCESSED;
        reversal.razorpayReversalId = outcome.razorpayReversalId;
        reversal.lastError = null;
        payout.amountReversed += reversal.amount;
        payout.status = statusAfterReversal(sentAmount(payout), payout.amountReversed);
        await postPayoutJournal(this.ledger, em, payout, 'reversed', JournalKind.PAYOUT_REVERSAL, reversal.amount, { reversal });
        await this.outbox.enqueue(em, 'payout.reversed', reversal.id, { ...payoutPayload(payout), reversalId: reversal.id, refundId: reversal.refundId, reversed: reversal.amount });
      } else {
        reversal.status = PayoutReversalStatus.REFUSED;
        reversal.lastError = outcome.reason.slice(0, MAX_ERROR);
        payout.amountReceivable += reversal.amount;
        payout.lastError = `reversal of ${reversal.amount} refused: ${outcome.reason}`.slice(0, MAX_ERROR);
        await postPayoutJournal(this.ledger, em, payout, 'receivable', JournalKind.PAYOUT_RECEIVABLE, reversal.amount, { reversal });
      }
      payout.updatedAt = new Date();
    });
  }
}
