import { LockMode, type EntityManager, type MikroORM } from '@mikro-orm/postgresql';
import { isUuid } from '../common/ids.js';
import { GatewayError } from '../gateways/gateway.js';
import type { Transfer, TransferGateway } from '../gateways/payout-gateway.js';
import type { JobAttempt, JobRunner } from '../jobs/job-runner.js';
import { Journal, JournalKind } from '../ledger/ledger.entities.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { Logger } from '../logger.js';
import type { OutboxService } from '../outbox/outbox.service.js';
import type { PaymentCore } from '../payments/payment.core.js';
import { Payout, PayoutMethod, PayoutReversal, PayoutReversalStatus, PayoutStatus } from './payout.entity.js';
import { writeTransferIntent } from './payout.intent.js';
import { PAYOUT_REVERSAL_JOB, PAYOUT_TRANSFER_JOB, queueOptions, type PayoutJobSettings } from './payout.jobs.js';
import { payoutPayload, postPayoutJournal } from './payout.journals.js';
import { decideTransfer, sentAmount } from './payout.rules.js';

/** What applying news of a transfer did. */
export type TransferOutcome =
  | { kind: 'unknown'; reason: string }
  | { kind: 'applied'; payout: Payout; changed: boolean; reason?: string };

const MAX_ERROR = 500;

/**
 * The transfer of each payout to its payee's linked account, never made twice: write the
 * intent (PENDING, attempt counted, method and amount fixed: payout.intent.ts) and commit; call
 * Razorpay; record its answer. Razorpay takes no idempotency key for payment transfers, so every
 * attempt after the first lists the payment's transfers and adopts the one whose
 * `notes.payout_id` is this payout before making any; a direct transfer carries an idempotency
 * key (the same key answers the same transfer), so it is simply asked again. Every path that learns of a transfer (the job, webhooks, the reconciler) goes through
 * {@link applyTransfer}, under the payout's row lock, so each step is booked once.
 */
export class PayoutTransfers {
  constructor(
    private readonly orm: MikroORM,
    private readonly core: PaymentCore,
    private readonly gateway: TransferGateway,
    private readonly ledger: LedgerService,
    private readonly outbox: OutboxService,
    private readonly jobs: JobRunner,
    private readonly settings: PayoutJobSettings,
    private readonly logger: Logger,
  ) {
    jobs.define<{ payoutId: string }>(PAYOUT_TRANSFER_JOB, queueOptions(settings), (data, attempt) => this.transfer(data.payoutId, attempt));
  }

  /** One attempt of the transfer job. Throws (to be retried) when the outcome is unknown. */
  async transfer(payoutId: string, attempt: JobAttempt): Promise<void> {
    const log = this.logger.child({ payoutId, job: PAYOUT_TRANSFER_JOB, attempt: attempt.attempt });
    const deps = { core: this.core, ledger: this.ledger, outbox: this.outbox, jobs: this.jobs };
    const intent = await this.orm.em.fork().transactional((em) => writeTransferIntent(em, deps, payoutId));
    if (intent.kind === 'netted') {
      log.info({ netted: intent.netted }, 'payout transfer: the payee\'s debt took the whole share; completed without a transfer');
      return;
    }
    if (intent.kind !== 'call') {
      log.debug({ outcome: intent.kind }, 'payout transfer: nothing to do now');
      return;
    }
    try {
      let transfer: Transfer | undefined;
      if (intent.method === PayoutMethod.DIRECT) {
        // The idempotency key makes a repeat after a lost answer return the transfer already made.
        transfer = await this.gateway.directTransfer(intent.request);
      } else {
        if (intent.asked) {
          // An earlier attempt may have made it and lost the answer: never transfer twice.
          // (A transfer of ours that failed is not it: a failed transfer is made again.)
          transfer = (await this.gateway.listPaymentTransfers(intent.gatewayPaymentId)).find((t) => t.payoutId === payoutId && t.status !== 'failed');
          if (transfer) log.info({ transferId: transfer.id }, 'payout transfer: found the transfer an earlier attempt made');
        }
        transfer ??= await this.gateway.transferFromPayment(intent.gatewayPaymentId, intent.request);
      }
      await this.applyTransfer(transfer, `job:${attempt.jobId}`, payoutId);
      log.info({ transferId: transfer.id, status: transfer.status, amount: transfer.amount, method: intent.method }, 'payout transfer made');
    } catch (error) {
      // A 409 is Razorpay still making the first request with this idempotency key: not a refusal.
      if (error instanceof GatewayError && error.kind === 'rejected' && error.httpStatus !== 409) {
        if (intent.method === PayoutMethod.PAYMENT && (await this.switchToDirect(payoutId, error.message))) {
          log.warn({ gatewayError: error.message }, 'payout transfer from the payment refused after a refund started: the rest goes by a direct transfer');
          return;
        }
        await this.fail(payoutId, error.message);
        log.warn({ gatewayError: error.message, method: intent.method }, 'payout transfer refused by Razorpay: FAILED');
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      await this.orm.em.fork().nativeUpdate(Payout, { id: payoutId, razorpayTransferId: null }, { lastError: message.slice(0, MAX_ERROR), updatedAt: new Date() });
      log.warn({ err: error, lastAttempt: attempt.lastAttempt }, attempt.lastAttempt
        ? 'payout transfer: outcome unknown after the last attempt; the reconciler will look again'
        : 'payout transfer: outcome unknown; retried (listing the payment\'s transfers, or with the same idempotency key)');
      throw error;
    }
  }

  /**
   * Applies a snapshot of a transfer (the job's answer, a webhook, a fetch) to the payout it
   * belongs to, found by transfer id or by the `payout_id` note, under its row lock: the
   * transfer id recorded once with its PAYOUT_TRANSFER journal, then processed or failed by
   * {@link decideTransfer}, each with its journal and outbox event.
   */
  async applyTransfer(transfer: Transfer, source: string, expectedPayoutId?: string): Promise<TransferOutcome> {
    const outcome = await this.orm.em.fork().transactional(async (em): Promise<TransferOutcome> => {
      const ourId = expectedPayoutId ?? transfer.payoutId;
      const found = (await em.findOne(Payout, { razorpayTransferId: transfer.id })) ?? (ourId && isUuid(ourId) ? await em.findOne(Payout, { id: ourId }) : null);
      if (!found) return { kind: 'unknown', reason: `no payout here for transfer ${transfer.id}` };
      const payout = await this.lockPayout(em, found);
      const byTransfer = payout.razorpayTransferId === transfer.id;
      if (!byTransfer && (await this.failedBefore(em, payout, transfer.id))) {
        return { kind: 'applied', payout, changed: false, reason: `transfer ${transfer.id} of payout ${payout.id} failed before; another was made` };
      }
      if (payout.razorpayTransferId && payout.razorpayTransferId !== transfer.id) {
        this.logger.error({ payoutId: payout.id, stored: payout.razorpayTransferId, reported: transfer.id, source }, 'a second transfer reported for one payout');
        return { kind: 'applied', payout, changed: false, reason: `payout ${payout.id} has transfer ${payout.razorpayTransferId}, not ${transfer.id}` };
      }
      let changed = false;
      if (!payout.razorpayTransferId) {
        if (payout.status !== PayoutStatus.PENDING) {
          return { kind: 'applied', payout, changed: false, reason: `payout ${payout.id} is ${payout.status}; transfer ${transfer.id} not recorded` };
        }
        if (transfer.amount !== sentAmount(payout)) {
          this.logger.error({ payoutId: payout.id, transferId: transfer.id, transferAmount: transfer.amount, toSend: sentAmount(payout) }, 'transfer amount differs from the payout');
        }
        payout.razorpayTransferId = transfer.id;
        payout.amount = transfer.amount + payout.amountNetted;
        payout.lastError = null;
        await postPayoutJournal(this.ledger, em, payout, 'transfer', JournalKind.PAYOUT_TRANSFER, sentAmount(payout), { reference: transfer.id });
        changed = true;
      }
      payout.onHold = transfer.onHold;
      // A direct transfer has no hold at Razorpay: the service's hold time stays on record.
      if (payout.method === PayoutMethod.PAYMENT) payout.onHoldUntil = transfer.onHoldUntil;
      if (transfer.recipientSettlementId) payout.recipientSettlementId = transfer.recipientSettlementId;
      const decision = decideTransfer(payout, transfer);
      if (decision.kind === 'processed') {
        payout.status = decision.status;
        payout.processedAt = new Date();
        await postPayoutJournal(this.ledger, em, payout, 'processed', JournalKind.PAYOUT_PROCESSED, sentAmount(payout), { reference: transfer.id });
        await this.outbox.enqueue(em, 'payout.processed', payout.id, payoutPayload(payout));
        // Reversals that waited for the transfer to be processed go now.
        for (const reversal of await em.find(PayoutReversal, { payout: payout.id, status: PayoutReversalStatus.PENDING })) {
          await this.jobs.enqueueAgain(em, PAYOUT_REVERSAL_JOB, { reversalId: reversal.id }, reversal.id);
        }
        changed = true;
      } else if (decision.kind === 'failed') {
        await this.transferFailed(em, payout, transfer, transfer.failureReason ?? `Razorpay failed transfer ${transfer.id}`);
        changed = true;
      } else if (decision.kind === 'contradiction') {
        this.logger.error({ payoutId: payout.id, transferId: transfer.id, source, reason: decision.reason }, 'Razorpay contradicts a settled payout');
        return { kind: 'applied', payout, changed, reason: decision.reason };
      }
      payout.updatedAt = new Date();
      return { kind: 'applied', payout, changed };
    });
    if (outcome.kind === 'applied' && outcome.changed) {
      this.logger.info({ payoutId: outcome.payout.id, transferId: transfer.id, status: outcome.payout.status, source }, 'payout transfer news applied');
    }
    return outcome;
  }

  /** A payout whose transfer Razorpay refused (no transfer made) or failed. */
  private async fail(payoutId: string, reason: string): Promise<void> {
    await this.orm.em.fork().transactional(async (em) => {
      const payout = await this.lockPayout(em, await em.findOneOrFail(Payout, { id: payoutId }));
      if (payout.status !== PayoutStatus.PENDING || payout.razorpayTransferId) return;
      await this.markFailed(em, payout, reason);
    });
  }

  /**
   * A transfer from the payment refused (no transfer of ours exists: the listing found none)
   * while the payment has a refund started, which Razorpay never allows a transfer from: the
   * refund came after the transfer was asked for, so its payee part waits as a reversal. The
   * payout switches to a direct transfer of the rest: those reversals are cancelled and taken
   * off its share, and the job goes again. False (the payout FAILS as before) when there is no
   * refund or nothing would be left to send.
   */
  private async switchToDirect(payoutId: string, reason: string): Promise<boolean> {
    return this.orm.em.fork().transactional(async (em) => {
      const unlocked = await em.findOneOrFail(Payout, { id: payoutId });
      const payment = await this.core.lock(em, { id: unlocked.payment.id });
      const payout = await em.findOneOrFail(Payout, { id: payoutId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      if (payout.status !== PayoutStatus.PENDING || payout.razorpayTransferId || payout.method !== PayoutMethod.PAYMENT || !(payment && payment.amountRefunded > 0)) return false;
      const waiting = await em.find(PayoutReversal, { payout: payout.id, status: PayoutReversalStatus.PENDING });
      const taken = waiting.reduce((sum, reversal) => sum + reversal.amount, 0);
      if (payout.amount - taken - payout.amountNetted <= 0) return false;
      for (const reversal of waiting) {
        reversal.status = PayoutReversalStatus.CANCELLED;
        reversal.lastError = 'taken off the share before its direct transfer (the refund came before the transfer was made)';
      }
      payout.amount -= taken;
      payout.method = PayoutMethod.DIRECT;
      payout.lastError = `transfer from the payment refused (${reason}); the rest goes by a direct transfer`.slice(0, MAX_ERROR);
      await this.jobs.enqueue(em, PAYOUT_TRANSFER_JOB, { payoutId }, payoutId);
      return true;
    });
  }

  /**
   * Locks the payout's payment, then the payout, read again: the order every writer takes (a
   * refund locks the payment, then the payout; a journal's foreign key to the payment needs its
   * row too), so two never wait on each other.
   */
  private async lockPayout(em: EntityManager, payout: Payout): Promise<Payout> {
    await this.core.lock(em, { id: payout.payment.id });
    return em.findOneOrFail(Payout, { id: payout.id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  }

  /** Whether `transferId` is a transfer of this payout that failed (its PAYOUT_FAILED journal names it). */
  private async failedBefore(em: EntityManager, payout: Payout, transferId: string): Promise<boolean> {
    return (await em.count(Journal, { payout: payout.id, kind: JournalKind.PAYOUT_FAILED, reference: transferId })) > 0;
  }

  /**
   * Razorpay made the transfer and then failed it (`transfer.failed`), in `em`'s transaction
   * (payout locked): what was in transit is payable again (PAYOUT_FAILED); the payout forgets
   * that transfer and its job makes another after a backoff, until PAYOUT_MAX_ATTEMPTS
   * failures make it FAILED.
   */
  private async transferFailed(em: EntityManager, payout: Payout, transfer: Transfer, reason: string): Promise<void> {
    await postPayoutJournal(this.ledger, em, payout, 'failed', JournalKind.PAYOUT_FAILED, sentAmount(payout), { reference: transfer.id });
    payout.razorpayTransferId = null;
    payout.onHold = false;
    payout.failedTransfers += 1;
    payout.lastError = `transfer ${transfer.id} failed: ${reason}`.slice(0, MAX_ERROR);
    if (payout.failedTransfers >= this.settings.maxAttempts) {
      await this.markFailed(em, payout, payout.lastError);
      return;
    }
    const delaySeconds = Math.min(60 * 60, Math.round((this.settings.retryBaseMs * 2 ** (payout.failedTransfers - 1)) / 1000));
    await this.jobs.enqueue(em, PAYOUT_TRANSFER_JOB, { payoutId: payout.id }, payout.id, delaySeconds);
    this.logger.warn({ payoutId: payout.id, transferId: transfer.id, reason, failedTransfers: payout.failedTransfers, retryInSeconds: delaySeconds },
      'payout transfer failed at Razorpay; another transfer will be made');
  }

  /** FAILED in `em`'s transaction (payout locked, no transfer in transit): the share stays payable; outbox payout.failed. */
  private async markFailed(em: EntityManager, payout: Payout, reason: string): Promise<void> {
    payout.status = PayoutStatus.FAILED;
    payout.failedAt = new Date();
    payout.lastError = reason.slice(0, MAX_ERROR);
    await this.outbox.enqueue(em, 'payout.failed', payout.id, payoutPayload(payout));
    for (const reversal of await em.find(PayoutReversal, { payout: payout.id, status: PayoutReversalStatus.PENDING })) {
      reversal.status = PayoutReversalStatus.CANCELLED;
      reversal.lastError = 'the transfer failed: nothing to take back';
    }
  }

  /** A settlement of payees' balances to their banks: the payouts whose transfers it paid are marked settled. */
  async applySettlement(settlementId: string, transferIds: string[], at: Date): Promise<number> {
    if (transferIds.length === 0) return 0;
    return this.orm.em.fork().nativeUpdate(Payout, { razorpayTransferId: { $in: transferIds }, settledAt: null }, { recipientSettlementId: settlementId, settledAt: at, updatedAt: new Date() });
  }
}
