/**
 * Razorpay Route's onboarding in the sandbox: linked accounts (`/v2/accounts`), their one
 * stakeholder, the `route` product and its activation, with `product.route.*` webhooks signed
 * and delivered like every other sandbox webhook (sealed in the outbox with the change).
 * State lives in the sandbox's schema; the activation knob says what happens once the bank
 * details arrive: activated at once, after a delay, needs clarification, or left for a
 * control call. Like Razorpay it echoes the stakeholder's PAN and the settlement account
 * number in its answers: the service's adapter must drop them.
 */
import { z } from 'zod';
import type { WireMerchantProduct, WireRequirement } from '../../gateways/razorpay/route/route.wire.js';
import { SCHEMA, type SandboxDb, type Statement, type Tx } from './sandbox.db.js';
import { SandboxApiError, notFound } from './sandbox.errors.js';
import { newId, nowSeconds } from './sandbox.ids.js';
import type { QueuedBatch, RouteSandboxEvent, WebhookOutbox } from './sandbox.outbox.js';
import { isUniqueViolation } from './sandbox.repo.js';


export const ROUTE_ACTIVATIONS = ['instant', 'delayed', 'needs_clarification', 'manual'] as const;

export const routeKnobsSchema = z.strictObject({
  /** What the bank details lead to: `instant` activated; `delayed` under_review, then activated after `delayMs`; `needs_clarification`; `manual` under_review until a control call. */
  activation: z.enum(ROUTE_ACTIVATIONS).optional(),
  delayMs: z.number().int().min(0).max(600_000).optional(),
  /** Route webhooks are stored but never delivered, as when Razorpay's webhook is missed. */
  dropWebhooks: z.boolean().optional(),
  /** The next this many stakeholder creations answer 500 without creating anything (a registration stopped half-way). */
  failStakeholderCreates: z.number().int().min(0).max(100).optional(),
});
export type RouteKnobs = Required<z.infer<typeof routeKnobsSchema>>;
const DEFAULT_KNOBS: RouteKnobs = { activation: 'instant', delayMs: 1_000, dropWebhooks: false, failStakeholderCreates: 0 };

export const ROUTE_DDL = `
create table if not exists ${SCHEMA}.route_accounts (
  id text primary key,
  seq bigserial not null unique,
  email text not null unique,
  body json not null
);
create table if not exists ${SCHEMA}.route_stakeholders (
  id text primary key,
  account_id text not null unique references ${SCHEMA}.route_accounts (id),
  body json not null
);
create table if not exists ${SCHEMA}.route_products (
  id text primary key,
  account_id text not null unique references ${SCHEMA}.route_accounts (id),
  activate_at timestamptz,
  body json not null
);
`;

export interface SandboxProduct {
  id: string;
  account_id: string;
  activation_status: 'requested' | 'needs_clarification' | 'under_review' | 'activated' | 'suspended';
  requirements: WireRequirement[];
  requested_configuration: Record<string, unknown>;
  active_configuration: { settlements?: { account_number: string; ifsc_code: string; beneficiary_name: string } };
  tnc: { accepted: boolean; accepted_at: number | null };
  requested_at: number;
}

type Json = Record<string, unknown>;

const SETTLEMENT_FIELDS = ['settlements.account_number', 'settlements.ifsc_code', 'settlements.beneficiary_name'];

function missingSettlements(accountId: string, productId: string): WireRequirement[] {
  return SETTLEMENT_FIELDS.map((field) => ({
    field_reference: field,
    resolution_url: `/accounts/${accountId}/products/${productId}`,
    reason_code: 'field_missing',
    status: 'required',
  }));
}

/** The product as its webhook carries it: `merchant_id` is the account id without `acc_` (unverified). */
function merchantProduct(product: SandboxProduct): WireMerchantProduct {
  return {
    id: product.id,
    merchant_id: product.account_id.replace(/^acc_/, ''),
    activation_status: product.activation_status,
    data: { requirements: product.requirements },
  };
}

export class SandboxRoute {
  #knobs: RouteKnobs = { ...DEFAULT_KNOBS };
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly db: SandboxDb,
    private readonly outbox: WebhookOutbox,
    private readonly deliver: (batch: QueuedBatch) => Promise<void>,
  ) {}

  setKnobs(update: z.infer<typeof routeKnobsSchema>): RouteKnobs {
    this.#knobs = { ...this.#knobs, ...routeKnobsSchema.parse(update) };
    return this.knobs();
  }

  resetKnobs(): void {
    this.#knobs = { ...DEFAULT_KNOBS };
  }

  knobs(): RouteKnobs {
    return { ...this.#knobs };
  }

  /** Stops pending delayed activations (a later fetch still sees them, from `activate_at`). */
  stop(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  /** A `route` linked account, `created`. Razorpay refuses a second account with the same email. */
  async createAccount(body: Json): Promise<Json> {
    const account = { id: newId('acc'), type: 'route', status: 'created', ...body, notes: body.notes ?? [], created_at: nowSeconds() };
    try {
      await this.db.query(`insert into ${SCHEMA}.route_accounts (id, email, body) values ($1, $2, $3)`, [account.id, body.email, JSON.stringify(account)]);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const { rows } = await this.db.query<{ id: string }>(`select id from ${SCHEMA}.route_accounts where email = $1`, [body.email]);
      throw new SandboxApiError(400, `Merchant email already exists for account - ${(rows[0]?.id ?? '').replace(/^acc_/, '')}`, 'email');
    }
    return account;
  }

  async account(id: string): Promise<Json> {
    const { rows } = await this.db.query<{ body: Json }>(`select body from ${SCHEMA}.route_accounts where id = $1`, [id]);
    if (!rows[0]) throw notFound();
    return rows[0].body;
  }

  /** The account's stakeholder (one at most, as Razorpay allows). */
  async createStakeholder(accountId: string, body: Json): Promise<Json> {
    await this.account(accountId);
    if (this.#knobs.failStakeholderCreates > 0) {
      this.#knobs.failStakeholderCreates -= 1;
      throw new SandboxApiError(500, 'The server encountered an error.');
    }
    const stakeholder = { entity: 'stakeholder', id: newId('sth'), ...body, notes: body.notes ?? [] };
    try {
      await this.db.query(`insert into ${SCHEMA}.route_stakeholders (id, account_id, body) values ($1, $2, $3)`, [stakeholder.id, accountId, JSON.stringify(stakeholder)]);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new SandboxApiError(400, 'Only one stakeholder is allowed for this account');
    }
    return stakeholder;
  }

  async stakeholders(accountId: string): Promise<Json> {
    await this.account(accountId);
    const { rows } = await this.db.query<{ body: Json }>(`select body from ${SCHEMA}.route_stakeholders where account_id = $1`, [accountId]);
    return { entity: 'collection', count: rows.length, items: rows.map((row) => row.body) };
  }

  /** Requests the `route` product; asked again, answers the one already requested (unverified at Razorpay). */
  async requestProduct(accountId: string): Promise<SandboxProduct> {
    await this.account(accountId);
    const id = newId('acc_prd');
    const product: SandboxProduct = {
      id,
      account_id: accountId,
      activation_status: 'requested',
      requirements: missingSettlements(accountId, id),
      requested_configuration: { payment_methods: [] },
      active_configuration: {},
      tnc: { accepted: true, accepted_at: nowSeconds() },
      requested_at: nowSeconds(),
    };
    await this.db.query(
      `insert into ${SCHEMA}.route_products (id, account_id, body) values ($1, $2, $3) on conflict (account_id) do nothing`,
      [id, accountId, JSON.stringify(product)],
    );
    const { rows } = await this.db.query<{ body: SandboxProduct }>(`select body from ${SCHEMA}.route_products where account_id = $1`, [accountId]);
    return rows[0]!.body;
  }

  /** The product now; a delayed activation that is due happens here if its timer did not (a restart). */
  async product(accountId: string, productId: string): Promise<SandboxProduct> {
    const { rows } = await this.db.query<{ body: SandboxProduct; due: boolean }>(
      `select body, activate_at <= now() as due from ${SCHEMA}.route_products where id = $1 and account_id = $2`,
      [productId, accountId],
    );
    if (!rows[0]) throw notFound();
    if (rows[0].due) return this.settleProduct(productId, 'activated');
    return rows[0].body;
  }

  /** Takes the bank details; what follows is the activation knob's. */
  async submitSettlements(accountId: string, productId: string, settlements: SandboxProduct['active_configuration']['settlements']): Promise<SandboxProduct> {
    const { activation, delayMs } = this.#knobs;
    const { product, batch } = await this.db.transaction(async (tx) => {
      const current = await this.#lock(tx, productId, accountId);
      current.active_configuration = { settlements };
      let activateAt: Date | null = null;
      if (activation === 'instant') {
        current.activation_status = 'activated';
        current.requirements = [];
      } else if (activation === 'needs_clarification') {
        current.activation_status = 'needs_clarification';
        current.requirements = [{ field_reference: 'settlements.account_number', resolution_url: `/accounts/${accountId}/products/${productId}`, reason_code: 'penny_testing_failed', status: 'required' }];
      } else {
        current.activation_status = 'under_review';
        current.requirements = [];
        if (activation === 'delayed') activateAt = new Date(Date.now() + delayMs);
      }
      return this.#write(tx, current, activateAt);
    });
    void this.deliver(batch);
    if (activation === 'delayed') this.#later(productId, delayMs);
    return product;
  }

  /** Control: moves the product to `status` (once due, a delayed activation does this itself). */
  async settleProduct(productId: string, status: 'activated' | 'needs_clarification' | 'suspended'): Promise<SandboxProduct> {
    const { product, batch } = await this.db.transaction(async (tx) => {
      const current = await this.#lock(tx, productId, null);
      if (current.activation_status === status) return { product: current, batch: null };
      current.activation_status = status;
      current.requirements = status === 'needs_clarification'
        ? [{ field_reference: 'settlements.account_number', resolution_url: `/accounts/${current.account_id}/products/${productId}`, reason_code: 'penny_testing_failed', status: 'required' }]
        : [];
      return this.#write(tx, current, null);
    });
    if (batch) await this.deliver(batch);
    return product;
  }

  async products(): Promise<SandboxProduct[]> {
    const { rows } = await this.db.query<{ body: SandboxProduct }>(`select body from ${SCHEMA}.route_products order by account_id`);
    return rows.map((row) => row.body);
  }

  async accounts(): Promise<Json[]> {
    const { rows } = await this.db.query<{ body: Json }>(`select body from ${SCHEMA}.route_accounts order by seq`);
    return rows.map((row) => row.body);
  }

  #later(productId: string, delayMs: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void this.settleProduct(productId, 'activated').catch(() => undefined);
    }, delayMs);
    this.#timers.add(timer);
  }

  async #lock(tx: Tx, productId: string, accountId: string | null): Promise<SandboxProduct> {
    const { rows } = await tx.query<{ body: SandboxProduct }>(`select body from ${SCHEMA}.route_products where id = $1 for update`, [productId]);
    const product = rows[0]?.body;
    if (!product || (accountId !== null && product.account_id !== accountId)) throw notFound();
    return product;
  }

  /** Saves the product with its webhook in one commit (nothing for `requested`, which has no event). */
  async #write(tx: Tx, product: SandboxProduct, activateAt: Date | null): Promise<{ product: SandboxProduct; batch: QueuedBatch }> {
    const event = `product.route.${product.activation_status}`;
    const events: RouteSandboxEvent[] = (['product.route.under_review', 'product.route.needs_clarification', 'product.route.activated'] as const)
      .filter((name) => name === event)
      .map((name) => ({ event: name, payload: { merchant_product: { entity: merchantProduct(product) } } }));
    const { batch, statement } = this.outbox.enqueue(events, { drop: this.#knobs.dropWebhooks });
    const write: Statement = {
      text: `update ${SCHEMA}.route_products set body = $2, activate_at = $3 where id = $1`,
      values: [product.id, JSON.stringify(product), activateAt],
    };
    await tx.commitWith(statement ? [write, statement] : [write]);
    return { product, batch };
  }
}
