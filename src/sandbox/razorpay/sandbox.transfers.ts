/**
 * Razorpay Route transfers in the sandbox: transfers from a captured payment to activated
 * linked accounts (`pending`, then `processed` or `failed` with a signed `transfer.*` webhook
 * sealed in the outbox with the change), their hold, reversals (synchronous, no webhook, as
 * documented), and settlements to the payees' banks (`settlement.processed`). State in the
 * sandbox's schema; the knobs (sandbox.transfers.model.ts) make transfers fail, reversals be
 * refused for balance and answers come after the adapter gave up.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { WirePayment } from '../../gateways/razorpay/razorpay.wire.js';
import type { WireReversal, WireSettlement, WireTransfer } from '../../gateways/razorpay/route/route.wire.js';
import { SCHEMA, type SandboxDb, type Statement, type Tx } from './sandbox.db.js';
import { SandboxApiError, notFound } from './sandbox.errors.js';
import type { QueuedBatch, TransferSandboxEvent, WebhookOutbox } from './sandbox.outbox.js';
import { find } from './sandbox.repo.js';
import { KeyedSerial } from './sandbox.serial.js';
import {
  DEFAULT_TRANSFER_KNOBS,
  heldNow,
  newReversal,
  newSettlement,
  newTransfer,
  processTransfer,
  transferKnobsSchema,
  webhookTransfer,
  type TransferInput,
  type TransferKnobs,
} from './sandbox.transfers.model.js';

export interface Collection<T> {
  entity: 'collection';
  count: number;
  items: T[];
}

const collection = <T>(items: T[]): Collection<T> => ({ entity: 'collection', count: items.length, items });
const MIN_TRANSFER = 100;

export class SandboxTransfers {
  #knobs: TransferKnobs = structuredClone(DEFAULT_TRANSFER_KNOBS);
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #serial = new KeyedSerial();

  constructor(
    private readonly db: SandboxDb,
    private readonly outbox: WebhookOutbox,
    private readonly deliver: (batch: QueuedBatch) => Promise<void>,
  ) {}

  setKnobs(update: unknown): TransferKnobs {
    this.#knobs = { ...this.#knobs, ...transferKnobsSchema.parse(update) };
    return this.knobs();
  }

  resetKnobs(): void {
    this.#knobs = structuredClone(DEFAULT_TRANSFER_KNOBS);
  }

  knobs(): TransferKnobs {
    return structuredClone(this.#knobs);
  }

  stop(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  /**
   * Transfers from a payment: only a captured INR payment not refunded, to activated linked
   * accounts, at least ₹1 each, all of them together at most the captured amount.
   */
  async create(paymentId: string, inputs: TransferInput[]): Promise<Collection<WireTransfer>> {
    const made = await this.#serial.run(`payment:${paymentId}`, () => this.db.transaction(async (tx) => {
      const payment = await find(tx, 'payments', paymentId, true);
      await this.#checkPayment(tx, payment, inputs);
      const transfers = inputs.map((input) => newTransfer(paymentId, input));
      await tx.commitWith(transfers.map((transfer) => this.insertStatement(transfer, paymentId)));
      return transfers;
    }));
    await this.afterCreate(made);
    return collection(made);
  }

  /**
   * The insert of a transfer made now (`paymentId` null for a direct transfer), its outcome and
   * processing time fixed by the knobs as they are (`failTransfers` counted down).
   */
  insertStatement(transfer: WireTransfer, paymentId: string | null): Statement {
    const knobs = this.#knobs;
    const outcome = knobs.failTransfers > 0 ? 'failed' : 'processed';
    if (outcome === 'failed') knobs.failTransfers -= 1;
    const processAt = knobs.processing === 'manual' ? null : new Date(Date.now() + (knobs.processing === 'delayed' ? knobs.delayMs : 0));
    return {
      text: `insert into ${SCHEMA}.route_transfers (id, payment_id, account_id, outcome, process_at, body) values ($1, $2, $3, $4, $5, $6)`,
      values: [transfer.id, paymentId, transfer.recipient, outcome, processAt, JSON.stringify(transfer)],
    };
  }

  /** Once transfers are committed: their processing scheduled, and the answer held back while `lateAnswers` lasts. */
  async afterCreate(made: WireTransfer[]): Promise<void> {
    const knobs = this.#knobs;
    if (knobs.processing !== 'manual') {
      for (const transfer of made) this.#later(transfer.id, knobs.processing === 'delayed' ? knobs.delayMs : 0);
    }
    if (knobs.lateAnswers.count > 0) {
      knobs.lateAnswers.count -= 1;
      await sleep(knobs.lateAnswers.delayMs);
    }
  }

  /** The payment's transfers, newest first (a pending one that is due is processed first). */
  async ofPayment(paymentId: string): Promise<Collection<WireTransfer>> {
    await find(this.db.pool, 'payments', paymentId);
    await this.#processDue('payment_id = $1', [paymentId]);
    const { rows } = await this.db.query<{ body: WireTransfer }>(
      `select body from ${SCHEMA}.route_transfers where payment_id = $1 order by seq desc`, [paymentId]);
    return collection(rows.map((row) => row.body));
  }

  async transfer(transferId: string): Promise<WireTransfer> {
    await this.#processDue('id = $1', [transferId]);
    const { rows } = await this.db.query<{ body: WireTransfer }>(`select body from ${SCHEMA}.route_transfers where id = $1`, [transferId]);
    if (!rows[0]) throw notFound();
    return rows[0].body;
  }

  /** `GET /v1/transfers`: by `recipient_settlement_id` when given, newest first, `count` from `skip`. */
  async list(query: { settlementId: string | null; count: number; skip: number }): Promise<Collection<WireTransfer>> {
    const { rows } = await this.db.query<{ body: WireTransfer }>(
      `select body from ${SCHEMA}.route_transfers where ($1::text is null or settlement_id = $1)
        order by seq desc limit $2 offset $3`,
      [query.settlementId, query.count, query.skip],
    );
    return collection(rows.map((row) => row.body));
  }

  /** `PATCH /v1/transfers/:id`: the hold; a settled transfer cannot be held any more. */
  async editHold(transferId: string, hold: { on_hold: boolean; on_hold_until?: number | undefined }): Promise<WireTransfer> {
    return this.#serial.run(`transfer:${transferId}`, () => this.db.transaction(async (tx) => {
      const transfer = await this.#lock(tx, transferId);
      if (transfer.settlement_status === 'settled') throw new SandboxApiError(400, 'Transfer has already been settled', 'on_hold');
      transfer.on_hold = hold.on_hold;
      transfer.on_hold_until = hold.on_hold_until ?? null;
      if (transfer.settlement_status !== null) transfer.settlement_status = heldNow(transfer) ? 'on_hold' : 'pending';
      await tx.commitWith([this.#save(transfer)]);
      return transfer;
    }));
  }

  /**
   * `POST /v1/transfers/:id/reversals`: synchronous; only a processed transfer, at most what is
   * not reversed yet (all of it without `amount`); refused for balance while `refuseReversals` lasts.
   */
  async reverse(transferId: string, input: { amount?: number | undefined; notes?: Record<string, string> | undefined }): Promise<WireReversal> {
    return this.#serial.run(`transfer:${transferId}`, () => this.db.transaction(async (tx) => {
      const transfer = await this.#lock(tx, transferId);
      if (transfer.status !== 'processed' && transfer.status !== 'partially_reversed') {
        throw new SandboxApiError(400, `Reversal is not allowed for a transfer in ${transfer.status} state`);
      }
      const left = transfer.amount - (transfer.amount_reversed ?? 0);
      const amount = input.amount ?? left;
      if (amount <= 0 || amount > left) throw new SandboxApiError(400, 'The reversal amount is greater than the amount that can be reversed', 'amount');
      if (this.#knobs.refuseReversals > 0) {
        this.#knobs.refuseReversals -= 1;
        throw new SandboxApiError(400, 'The linked account does not have sufficient balance to process reversal.');
      }
      const reversal = newReversal(transfer, amount, input.notes);
      transfer.amount_reversed = (transfer.amount_reversed ?? 0) + amount;
      transfer.status = transfer.amount_reversed === transfer.amount ? 'reversed' : 'partially_reversed';
      await tx.commitWith([
        this.#save(transfer),
        { text: `insert into ${SCHEMA}.route_reversals (id, transfer_id, body) values ($1, $2, $3)`, values: [reversal.id, transferId, JSON.stringify(reversal)] },
      ]);
      return reversal;
    }));
  }

  async reversals(transferId: string): Promise<Collection<WireReversal>> {
    await this.transfer(transferId);
    const { rows } = await this.db.query<{ body: WireReversal }>(
      `select body from ${SCHEMA}.route_reversals where transfer_id = $1 order by seq desc`, [transferId]);
    return collection(rows.map((row) => row.body));
  }

  /** Control: processes a pending transfer now (`processed`) or makes it fail (`failed`). */
  async settle(transferId: string, status: 'processed' | 'failed'): Promise<WireTransfer> {
    await this.transfer(transferId);
    return this.#process(transferId, status);
  }

  /**
   * Control: pays every processed, unheld, unsettled transfer out to its linked account's bank,
   * one settlement per account, each with its `settlement.processed` webhook.
   */
  async settlePayees(): Promise<WireSettlement[]> {
    const { settlements, batch } = await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ body: WireTransfer }>(
        `select body from ${SCHEMA}.route_transfers where settlement_id is null order by seq for update`);
      const byAccount = new Map<string, WireTransfer[]>();
      for (const { body } of rows) {
        if ((body.status !== 'processed' && body.status !== 'partially_reversed') || heldNow(body)) continue;
        byAccount.set(body.recipient, [...(byAccount.get(body.recipient) ?? []), body]);
      }
      const writes: Statement[] = [];
      const made: WireSettlement[] = [];
      for (const [accountId, transfers] of byAccount) {
        const settlement = newSettlement(transfers.reduce((sum, t) => sum + t.amount - (t.amount_reversed ?? 0), 0));
        made.push(settlement);
        writes.push({ text: `insert into ${SCHEMA}.route_settlements (id, account_id, body) values ($1, $2, $3)`, values: [settlement.id, accountId, JSON.stringify(settlement)] });
        for (const transfer of transfers) {
          transfer.recipient_settlement_id = settlement.id;
          transfer.settlement_status = 'settled';
          writes.push(this.#save(transfer));
        }
      }
      const events: TransferSandboxEvent[] = made.map((settlement) => ({ event: 'settlement.processed', payload: { settlement: { entity: settlement } } }));
      const { batch, statement } = this.outbox.enqueue(events, { drop: this.#knobs.dropWebhooks, hold: this.#knobs.holdWebhooks });
      await tx.commitWith(statement ? [...writes, statement] : writes);
      return { settlements: made, batch };
    });
    void this.deliver(batch);
    return settlements;
  }

  async all(): Promise<WireTransfer[]> {
    const { rows } = await this.db.query<{ body: WireTransfer }>(`select body from ${SCHEMA}.route_transfers order by seq`);
    return rows.map((row) => row.body);
  }

  async #checkPayment(tx: Tx, payment: WirePayment, inputs: TransferInput[]): Promise<void> {
    if (!payment.captured || payment.status !== 'captured') {
      throw new SandboxApiError(400, 'Transfers can be made only for captured payments', 'payment_id');
    }
    if (payment.currency !== 'INR') throw new SandboxApiError(400, 'The currency should be INR for transfers', 'currency');
    if (payment.amount_refunded > 0) throw new SandboxApiError(400, 'Transfer cannot be made as a refund has been initiated for the payment');
    for (const [i, input] of inputs.entries()) {
      if (input.amount < MIN_TRANSFER) throw new SandboxApiError(400, `The transfers.${i}.amount must be at least ${MIN_TRANSFER}.`, `transfers.${i}.amount`);
      const { rows } = await tx.query<{ activated: boolean }>(
        `select body->>'activation_status' = 'activated' as activated from ${SCHEMA}.route_products where account_id = $1`, [input.account]);
      if (!rows[0]) throw new SandboxApiError(400, `The transfers.${i}.account is invalid`, `transfers.${i}.account`);
      // Razorpay's answer to a transfer to an account not activated is undocumented (docs/payouts.md).
      if (!rows[0].activated) throw new SandboxApiError(400, 'Linked account is not activated for transfers', `transfers.${i}.account`);
    }
    const { rows } = await tx.query<{ total: string }>(
      `select coalesce(sum((body->>'amount')::bigint), 0) as total from ${SCHEMA}.route_transfers
        where payment_id = $1 and body->>'status' <> 'failed'`, [payment.id]);
    const requested = inputs.reduce((sum, input) => sum + input.amount, 0);
    if (Number(rows[0]!.total) + requested > payment.amount) {
      throw new SandboxApiError(400, 'The sum of amount requested for transfer is greater than the captured amount');
    }
  }

  /** Processes the pending transfers matching `where` that are due (a timer lost to a restart). */
  async #processDue(where: string, values: unknown[]): Promise<void> {
    const { rows } = await this.db.query<{ id: string }>(
      `select id from ${SCHEMA}.route_transfers where ${where} and process_at <= now() and body->>'status' = 'pending'`, values);
    for (const { id } of rows) await this.#process(id, null);
  }

  /** A pending transfer processed (as its outcome says, or as `status` forces), with its webhook. */
  #process(transferId: string, status: 'processed' | 'failed' | null): Promise<WireTransfer> {
    return this.#serial.run(`transfer:${transferId}`, async () => {
      const { transfer, batch } = await this.db.transaction(async (tx) => {
        const { rows } = await tx.query<{ body: WireTransfer; outcome: 'processed' | 'failed' }>(
          `select body, outcome from ${SCHEMA}.route_transfers where id = $1 for update`, [transferId]);
        if (!rows[0]) throw notFound();
        const current = rows[0].body;
        if (current.status !== 'pending') return { transfer: current, batch: null };
        processTransfer(current, status ?? rows[0].outcome);
        const event: TransferSandboxEvent = { event: `transfer.${current.status as 'processed' | 'failed'}`, payload: { transfer: { entity: webhookTransfer(current) } } };
        const { batch, statement } = this.outbox.enqueue([event], { drop: this.#knobs.dropWebhooks, hold: this.#knobs.holdWebhooks });
        await tx.commitWith([this.#save(current, true), ...(statement ? [statement] : [])]);
        return { transfer: current, batch };
      });
      if (batch) void this.deliver(batch);
      return transfer;
    });
  }

  #later(transferId: string, delayMs: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void this.#process(transferId, null).catch(() => undefined);
    }, delayMs);
    this.#timers.add(timer);
  }

  async #lock(tx: Tx, transferId: string): Promise<WireTransfer> {
    const { rows } = await tx.query<{ body: WireTransfer }>(`select body from ${SCHEMA}.route_transfers where id = $1 for update`, [transferId]);
    if (!rows[0]) throw notFound();
    return rows[0].body;
  }

  #save(transfer: WireTransfer, processed = false): Statement {
    return {
      text: `update ${SCHEMA}.route_transfers set body = $2, settlement_id = $3${processed ? ', process_at = null' : ''} where id = $1`,
      values: [transfer.id, JSON.stringify(transfer), transfer.recipient_settlement_id],
    };
  }
}
