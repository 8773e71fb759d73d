/**
 * Razorpay Route's direct transfers in the sandbox: `POST /v1/transfers {account, amount,
 * currency, notes?}` from the platform's balance (no payment), with `X-Transfer-Idempotency`.
 * The transfer is an ordinary row of `route_transfers` (no `payment_id`), so it is fetched,
 * processed (with its `transfer.*` webhook and the same knobs: `failTransfers`, `lateAnswers`,
 * `processing`), reversed and settled exactly like a transfer from a payment
 * (sandbox.transfers.ts).
 *
 * Idempotency as the facts describe it: the same key with the same body answers the same
 * transfer (never a second one), as it is now (assumed: whether Razorpay replays its first
 * answer or the transfer's current state is undocumented); the same key with another body is a
 * 400; a repeat while the first is still being made is a 409. Keys are kept for ever (Razorpay's
 * retention is undocumented). Without the header, every request makes a transfer.
 */
import type { Router } from 'express';
import { z } from 'zod';
import type { WireTransfer } from '../../gateways/razorpay/route/route.wire.js';
import { SCHEMA, type SandboxDb } from './sandbox.db.js';
import { invalidBody, SandboxApiError } from './sandbox.errors.js';
import { newTransfer } from './sandbox.transfers.model.js';
import type { SandboxTransfers } from './sandbox.transfers.js';

/** The platform's own account: the `source` of a direct transfer. */
export const SANDBOX_PLATFORM_ACCOUNT = 'acc_SandboxPlatform01';
export const IDEMPOTENCY_HEADER = 'X-Transfer-Idempotency';
const KEY = /^[A-Za-z0-9 _-]{4,36}$/;
const MIN_TRANSFER = 100;

/** `payment_id` is null for a direct transfer; each idempotency key remembers its request and transfer. */
export const DIRECT_TRANSFER_DDL = `
-- Checked first, so a sandbox that has it takes no table lock here.
do $$ begin
  if exists (select 1 from information_schema.columns where table_schema = '${SCHEMA}' and table_name = 'route_transfers'
              and column_name = 'payment_id' and is_nullable = 'NO') then
    alter table ${SCHEMA}.route_transfers alter column payment_id drop not null;
  end if;
end $$;
create table if not exists ${SCHEMA}.route_transfer_keys (
  key text primary key,
  request text not null,
  transfer_id text not null references ${SCHEMA}.route_transfers (id)
);
`;

const notes = z.record(z.string().max(256), z.string().max(256)).refine((n) => Object.keys(n).length <= 15, 'must have at most 15 keys');
const directCreate = z.strictObject({
  account: z.string().regex(/^acc_[A-Za-z0-9]+$/, 'must be a linked account id'),
  amount: z.number().int().positive(),
  currency: z.literal('INR', 'The currency should be INR for transfers'),
  notes: notes.optional(),
});
export type DirectTransferInput = z.infer<typeof directCreate>;

const knobsSchema = z.strictObject({
  /** The platform balance direct transfers draw on (amount + fees each), in paise; null: unlimited. */
  platformBalance: z.number().int().min(0).nullable(),
});

export class SandboxDirectTransfers {
  readonly #inFlight = new Set<string>();
  #platformBalance: number | null = null;

  constructor(
    private readonly db: SandboxDb,
    private readonly transfers: SandboxTransfers,
  ) {}

  setKnobs(update: unknown): { platformBalance: number | null } {
    this.#platformBalance = knobsSchema.parse(update).platformBalance;
    return { platformBalance: this.#platformBalance };
  }

  resetKnobs(): void {
    this.#platformBalance = null;
  }

  /** A direct transfer, or the same transfer again (as it is now) for a key already used with the same body. */
  async create(input: DirectTransferInput, key: string | null): Promise<WireTransfer> {
    if (key !== null && !KEY.test(key)) {
      throw new SandboxApiError(400, `${IDEMPOTENCY_HEADER} must be 4 to 36 characters of letters, digits, spaces, _ or -`, IDEMPOTENCY_HEADER);
    }
    if (key !== null && this.#inFlight.has(key)) {
      throw new SandboxApiError(409, 'A request with the same idempotency key is being processed', null, 'BAD_REQUEST_ERROR');
    }
    if (key !== null) this.#inFlight.add(key);
    let made: WireTransfer;
    try {
      const request = JSON.stringify([input.account, input.amount, input.currency, input.notes ?? {}]);
      const outcome = await this.db.transaction(async (tx) => {
        if (key !== null) {
          const { rows } = await tx.query<{ request: string; transfer_id: string }>(
            `select request, transfer_id from ${SCHEMA}.route_transfer_keys where key = $1`, [key]);
          const used = rows[0];
          if (used) {
            if (used.request !== request) {
              throw new SandboxApiError(400, 'Different request body sent for the same idempotency key', IDEMPOTENCY_HEADER);
            }
            return { replay: used.transfer_id, made: null };
          }
        }
        const { rows } = await tx.query<{ activated: boolean }>(
          `select body->>'activation_status' = 'activated' as activated from ${SCHEMA}.route_products where account_id = $1`, [input.account]);
        if (!rows[0]) throw new SandboxApiError(400, 'The account is invalid', 'account');
        if (!rows[0].activated) throw new SandboxApiError(400, 'Linked account is not activated for transfers', 'account');
        if (input.amount < MIN_TRANSFER) throw new SandboxApiError(400, `The amount must be at least ${MIN_TRANSFER}.`, 'amount');
        const transfer = newTransfer(SANDBOX_PLATFORM_ACCOUNT, { ...input, on_hold: false });
        if (this.#platformBalance !== null) {
          const cost = transfer.amount + (transfer.fees ?? 0);
          if (cost > this.#platformBalance) throw new SandboxApiError(400, 'Transfer cannot be made due to insufficient balance', null, 'BAD_REQUEST_ERROR');
          this.#platformBalance -= cost;
        }
        const writes = [this.transfers.insertStatement(transfer, null)];
        if (key !== null) {
          writes.push({
            text: `insert into ${SCHEMA}.route_transfer_keys (key, request, transfer_id) values ($1, $2, $3)`,
            values: [key, request, transfer.id],
          });
        }
        await tx.commitWith(writes);
        return { replay: null, made: transfer };
      });
      if (outcome.replay) return await this.transfers.transfer(outcome.replay);
      made = outcome.made!;
    } finally {
      if (key !== null) this.#inFlight.delete(key);
    }
    await this.transfers.afterCreate([made]);
    return made;
  }
}

/** `POST /v1/transfers` (under `/v1`'s auth and faults) and its knob, `POST /control/transfers/direct {platformBalance}`. */
export function mountDirectTransferRoutes(router: Router, direct: SandboxDirectTransfers): void {
  router.post('/v1/transfers', async (req, res) => {
    const parsed = directCreate.safeParse(req.body ?? {});
    if (!parsed.success) throw invalidBody(parsed.error.issues[0]!);
    res.json(await direct.create(parsed.data, req.get(IDEMPOTENCY_HEADER) ?? null));
  });
  router.post('/control/transfers/direct', (req, res) => {
    const parsed = knobsSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw invalidBody(parsed.error.issues[0]!);
    res.json(direct.setKnobs(parsed.data));
  });
}
