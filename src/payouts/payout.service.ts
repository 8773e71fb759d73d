import { LockMode, type EntityManager, type MikroORM } from '@mikro-orm/postgresql';
import type { AuthUser } from '../auth/auth.js';
import { isStaff } from '../auth/auth.js';
import { badInput, conflict, forbidden, gatewayError, notFound } from '../common/errors.js';
import { isUuid } from '../common/ids.js';
import { GatewayError } from '../gateways/gateway.js';
import type { TransferGateway } from '../gateways/payout-gateway.js';
import { refundPayeePart } from '../ledger/ledger.lines.js';
import type { JobRunner } from '../jobs/job-runner.js';
import type { Logger } from '../logger.js';
import { PayeeAccount, PayeeAccountStatus } from '../payees/payee-account.entity.js';
import type { Payment, PaymentFunding } from '../payments/payment.entity.js';
import { Payout, PayoutMethod, PayoutReversal, PayoutStatus } from './payout.entity.js';
import { PAYOUT_REVERSAL_JOB, PAYOUT_TRANSFER_JOB } from './payout.jobs.js';
import { holdFor, payoutMethodFor, type HoldSetting } from './payout.rules.js';

export interface PayoutSettings {
  hold: HoldSetting;
  holdDelaySeconds: number;
}

/**
 * Payouts: a payee's share of each captured payment, owed until its transfer is made. This
 * service owns their creation (with the capture), the effect of refunds, the release of a
 * hold and the reads; the transfer and reversal jobs are in payout.transfers.ts and
 * payout.reversals.ts.
 */
export class PayoutService {
  constructor(
    private readonly orm: MikroORM,
    private readonly gateway: TransferGateway,
    private readonly jobs: JobRunner,
    private readonly settings: PayoutSettings,
    private readonly logger: Logger,
  ) {}

  /**
   * In the capture's transaction (the payment locked): a payment that owes its payee a transfer
   * gets its payout (PENDING when the payee's account is activated, ACCRUED otherwise) and, if
   * it can go now, its transfer job. One per payment (a unique index). Its method: a transfer
   * from the Razorpay payment, or a direct transfer when there is none (wallet, PhonePe).
   * `accountStatus`: the payee account's status when already read in this transaction (with the
   * payment's lock; null: no account), else it is read here.
   */
  async createForCapture(em: EntityManager, payment: Payment, funding: PaymentFunding, accountStatus?: PayeeAccountStatus | null): Promise<Payout | null> {
    const method = payoutMethodFor({ ...payment, funding });
    if (method === null) return null;
    const status = accountStatus !== undefined ? accountStatus : (await em.findOne(PayeeAccount, { payeeId: payment.payeeId! }))?.status;
    const activated = status === PayeeAccountStatus.ACTIVATED;
    const payout = Object.assign(new Payout(), {
      payment,
      payeeId: payment.payeeId!,
      amount: payment.payeeAmount,
      method,
      currency: payment.currency,
      status: activated ? PayoutStatus.PENDING : PayoutStatus.ACCRUED,
      ...holdFor(this.settings.hold, this.settings.holdDelaySeconds, new Date()),
    });
    // Not flushed here: written with the capture's other rows by the core's one statement once every
    // handler ran (or by the commit's flush), in this transaction as its job (issue 11: a flush here
    // wrote the audit event, journal, entries, outbox message, payout and payment as seven statements).
    em.persist(payout);
    if (activated) await this.jobs.enqueue(em, PAYOUT_TRANSFER_JOB, { payoutId: payout.id }, payout.id);
    this.logger.info({ payoutId: payout.id, paymentId: payment.id, payeeId: payout.payeeId, amount: payout.amount, method, status: payout.status }, 'payout created');
    return payout;
  }

  /**
   * In a refund's transaction (the payment locked, the refund applied): the payee's part of it
   * (the same cumulative rounding as the REFUND journal) comes off a payout whose transfer was
   * not asked for yet; once asked for, the transfer is reversed by that much (a reversal job).
   */
  async onRefund(em: EntityManager, payment: Payment, refundId: string, amount: number): Promise<void> {
    if (!payment.payeeId) return;
    const payout = await em.findOne(Payout, { payment: payment.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!payout) return;
    const part = refundPayeePart(payment, payment.amountRefunded - amount, amount);
    if (part <= 0) return;
    if (payout.transferRequestedAt === null) {
      payout.amount -= part;
      this.logger.info({ payoutId: payout.id, refundId, part, amount: payout.amount }, 'refund before the transfer: the payout is smaller');
      return;
    }
    if (payout.status === PayoutStatus.FAILED) return;
    const reversal = Object.assign(new PayoutReversal(), { payout, refundId, amount: part });
    em.persist(reversal);
    await em.flush();
    await this.jobs.enqueue(em, PAYOUT_REVERSAL_JOB, { reversalId: reversal.id }, reversal.id);
    this.logger.info({ payoutId: payout.id, refundId, reversalId: reversal.id, part }, 'refund after the transfer: its payee part will be reversed');
  }

  /**
   * In an activation's transaction: the payee's ACCRUED payouts become PENDING and their
   * transfer jobs are enqueued (they commit with the activation).
   */
  async onPayeeActivated(em: EntityManager, payeeId: string): Promise<number> {
    const accrued = await em.find(Payout, { payeeId, status: PayoutStatus.ACCRUED }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    for (const payout of accrued) {
      payout.status = PayoutStatus.PENDING;
      await this.jobs.enqueue(em, PAYOUT_TRANSFER_JOB, { payoutId: payout.id }, payout.id);
    }
    if (accrued.length > 0) this.logger.info({ payeeId, payouts: accrued.length }, 'payee activated: its accrued payouts go out');
    return accrued.length;
  }

  /**
   * Admin: releases a payout held until released (PAYOUT_HOLD=released). A transfer already
   * made is PATCHed `on_hold: false` at Razorpay; one not made yet goes out unheld. Releasing a
   * released or unheld payout answers it as it is.
   */
  async release(actor: AuthUser, payoutId: string): Promise<Payout> {
    if (!isStaff(actor) || actor.role !== 'admin') throw forbidden('releasing a payout needs the role admin');
    if (!isUuid(payoutId)) throw badInput('id', 'must be a payout id (a UUID)');
    const marked = await this.orm.em.fork().transactional(async (em) => {
      const payout = await em.findOne(Payout, { id: payoutId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!payout) throw notFound('Payout', payoutId);
      if (payout.status === PayoutStatus.FAILED) throw conflict(`payout ${payoutId} FAILED: there is nothing to release`);
      if (payout.releasedAt === null) {
        payout.releasedAt = new Date();
        payout.releasedBy = actor.id;
        if (payout.method === PayoutMethod.DIRECT && payout.status === PayoutStatus.PENDING && payout.razorpayTransferId === null) {
          // Held by the service (a direct transfer takes no hold at Razorpay): it goes now.
          payout.onHold = false;
          await this.jobs.enqueueAgain(em, PAYOUT_TRANSFER_JOB, { payoutId }, payoutId);
        }
      }
      return { transferId: payout.razorpayTransferId, held: payout.onHold };
    });
    if (marked.transferId && marked.held) {
      try {
        const transfer = await this.gateway.editTransferHold(marked.transferId, { onHold: false, onHoldUntil: null });
        await this.orm.em.fork().transactional(async (em) => {
          const payout = await em.findOneOrFail(Payout, { id: payoutId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
          payout.onHold = transfer.onHold;
          payout.onHoldUntil = transfer.onHoldUntil;
          if (payout.status === PayoutStatus.ON_HOLD && !transfer.onHold) payout.status = PayoutStatus.PROCESSED;
        });
      } catch (error) {
        if (!(error instanceof GatewayError)) throw error;
        this.logger.warn({ payoutId, transferId: marked.transferId, gatewayError: error.message }, 'releasing the payout at Razorpay failed; release it again');
        throw gatewayError(`${error.message} (release the payout again)`, error.kind !== 'rejected');
      }
    }
    this.logger.info({ payoutId, by: actor.id }, 'payout released');
    return this.orm.em.fork().findOneOrFail(Payout, { id: payoutId });
  }
}
