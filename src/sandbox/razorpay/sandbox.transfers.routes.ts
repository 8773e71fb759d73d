/**
 * HTTP for the sandbox's Route transfers: the `/v1` paths the adapter uses (behind the same
 * basic auth and fault knobs as the rest of `/v1`), each body checked the way Razorpay
 * documents it, and the control endpoints for the transfer knobs.
 */
import type { Router } from 'express';
import { z } from 'zod';
import { invalidBody, SandboxApiError } from './sandbox.errors.js';
import { transferKnobsSchema } from './sandbox.transfers.model.js';
import type { SandboxTransfers } from './sandbox.transfers.js';

const notes = z.record(z.string().max(256), z.string().max(256)).refine((n) => Object.keys(n).length <= 15, 'must have at most 15 keys');
const unixSeconds = z.number().int().positive();

const transferItem = z.strictObject({
  account: z.string().regex(/^acc_[A-Za-z0-9]+$/, 'must be a linked account id'),
  amount: z.number().int().positive(),
  currency: z.literal('INR', 'The currency should be INR for transfers'),
  notes: notes.optional(),
  linked_account_notes: z.array(z.string()).optional(),
  on_hold: z.boolean().optional(),
  on_hold_until: unixSeconds.optional(),
});
const transferCreate = z.strictObject({ transfers: z.array(transferItem).min(1).max(20) });
const holdPatch = z.strictObject({ on_hold: z.boolean(), on_hold_until: unixSeconds.optional() });
const reversalCreate = z.strictObject({ amount: z.number().int().positive().optional(), notes: notes.optional() });
const listQuery = z.looseObject({
  recipient_settlement_id: z.string().optional(),
  count: z.coerce.number().int().min(1).max(100).default(10),
  skip: z.coerce.number().int().min(0).default(0),
});
const settleTransfer = z.strictObject({ status: z.enum(['processed', 'failed']) });

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  throw invalidBody(result.error.issues[0]!);
}

/** Razorpay's rule: every key of `linked_account_notes` must be a key of `notes`. */
function checkLinkedNotes(items: z.infer<typeof transferItem>[]): void {
  for (const item of items) {
    if (item.on_hold_until !== undefined && item.on_hold_until <= Math.floor(Date.now() / 1000)) {
      throw new SandboxApiError(400, 'on_hold_until must be a time in the future', 'on_hold_until');
    }
    for (const key of item.linked_account_notes ?? []) {
      if (!item.notes || !(key in item.notes)) throw new SandboxApiError(400, 'Keys sent in linked_account_notes must exist in notes', 'linked_account_notes');
    }
  }
}

/** Mounts the transfer paths under `/v1` (auth and faults already applied there) and `/control/transfers…`. */
export function mountTransferRoutes(router: Router, transfers: SandboxTransfers): void {
  router.post('/v1/payments/:pay/transfers', async (req, res) => {
    const { transfers: items } = parse(transferCreate, req.body);
    checkLinkedNotes(items);
    res.json(await transfers.create(req.params.pay, items));
  });
  router.get('/v1/payments/:pay/transfers', async (req, res) => {
    res.json(await transfers.ofPayment(req.params.pay));
  });
  router.get('/v1/transfers', async (req, res) => {
    const query = parse(listQuery, req.query);
    res.json(await transfers.list({ settlementId: query.recipient_settlement_id ?? null, count: query.count, skip: query.skip }));
  });
  router.get('/v1/transfers/:id', async (req, res) => {
    res.json(await transfers.transfer(req.params.id));
  });
  router.patch('/v1/transfers/:id', async (req, res) => {
    res.json(await transfers.editHold(req.params.id, parse(holdPatch, req.body)));
  });
  router.post('/v1/transfers/:id/reversals', async (req, res) => {
    res.json(await transfers.reverse(req.params.id, parse(reversalCreate, req.body)));
  });
  router.get('/v1/transfers/:id/reversals', async (req, res) => {
    res.json(await transfers.reversals(req.params.id));
  });

  router.post('/control/transfers', (req, res) => {
    res.json(transfers.setKnobs(parse(transferKnobsSchema, req.body)));
  });
  router.post('/control/transfers/settle-payees', async (_req, res) => {
    res.json({ settlements: await transfers.settlePayees() });
  });
  router.post('/control/transfers/:id/settle', async (req, res) => {
    res.json(await transfers.settle(req.params.id, parse(settleTransfer, req.body).status));
  });
}
