/**
 * Payee accounts on Razorpay Route, through the API over real HTTP against the sandbox:
 * registration activated by webhook and, with the webhook lost, by the reconciliation check;
 * bad bank details and PAN refused naming the field; the full account number and PAN never
 * in an answer, a log line or the service's tables; concurrent registrations making one
 * account at Razorpay; a registration stopped by the gateway continued by registering again;
 * who may register and read.
 */
import 'reflect-metadata';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { WebhookEvent, WebhookEventStatus } from '../../src/webhooks/webhook-event.entity.js';
import {
  PayeeAccountDocument, PayeeAccountsDocument, RegisterPayeeAccountDocument, type RegisterPayeeAccountInput,
} from '../graphql/generated.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';

const logLines: string[] = [];
let server: TestServer;
let admin: string;

beforeAll(async () => {
  const sink = new Writable({ write(chunk: Buffer, _encoding, done) { logLines.push(chunk.toString('utf8')); done(); } });
  // Everything the service logs, down to debug, is kept for the masking test to search.
  server = await startTestServer({ logger: createLogger('debug', sink), env: { RECONCILE_ENABLED: 'false', RAZORPAY_TIMEOUT_MS: '3000' } });
  admin = await server.token('ops-payees', 'admin');
});
afterEach(() => {
  server.app.sandbox!.resetFaults();
});
afterAll(async () => {
  await server?.close();
});

let counter = 0;
/** A valid registration with a distinct payee, email, account number and PAN. */
function payee(overrides: Partial<RegisterPayeeAccountInput> & { payeeId?: string } = {}): RegisterPayeeAccountInput & { payeeId: string } {
  counter += 1;
  const n = String(counter).padStart(4, '0');
  return {
    payeeId: `payee-${Date.now()}-${n}`,
    email: `payee${Date.now()}${n}@example.com`,
    phone: '9876543210',
    legalName: 'Asha Kumari',
    beneficiaryName: 'Asha Kumari',
    bankAccountNumber: `50100${n}987654`,
    ifsc: 'HDFC0001234',
    pan: `ABCPK${n}Z`,
    street1: '12 MG Road',
    city: 'Bengaluru',
    state: 'Karnataka',
    postalCode: '560001',
    ...overrides,
  };
}

const register = (input: RegisterPayeeAccountInput, token: string | null = admin) => server.gql(RegisterPayeeAccountDocument, { input }, token);
const read = (payeeId: string, token: string | null = admin) => server.gql(PayeeAccountDocument, { payeeId }, token);
const setRoute = (knobs: Record<string, unknown>) => fetch(`${server.url}/sandbox/razorpay/control/route`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(knobs),
}).then((r) => r.json());
const sandboxAccountsWith = async (email: string) => (await server.app.sandbox!.route.accounts()).filter((a) => a.email === email);

describe('registration and activation', () => {
  it('registers the account, stakeholder and route product, then activates on the product.route.activated webhook', async () => {
    await setRoute({ activation: 'delayed', delayMs: 300 });
    const input = payee();
    const answer = await register(input);
    expect(answer.errors).toBeUndefined();
    const account = answer.data!.registerPayeeAccount;
    expect(account).toMatchObject({ payeeId: input.payeeId, status: 'UNDER_REVIEW', ifsc: 'HDFC0001234', activatedAt: null, lastError: null });
    expect(account.razorpayAccountId).toMatch(/^acc_/);
    expect(account.bankAccountMasked).toBe(`${'X'.repeat(input.bankAccountNumber.length - 4)}${input.bankAccountNumber.slice(-4)}`);
    expect(account.panMasked).toBe(`XXXXXX${input.pan.slice(-4)}`);

    const activated = await eventually(async () => {
      const now = (await read(input.payeeId)).data?.payeeAccount;
      return now?.status === 'ACTIVATED' ? now : null;
    }, 10_000, 'activation by webhook');
    expect(activated.activatedAt).not.toBeNull();
    const events = await server.db.orm.em.fork().find(WebhookEvent, { eventType: 'product.route.activated' });
    expect(events.some((e) => e.status === WebhookEventStatus.PROCESSED)).toBe(true);
    // At Razorpay: one account, its one stakeholder, its product activated with the bank details.
    const [product] = (await server.app.sandbox!.route.products()).filter((p) => p.account_id === account.razorpayAccountId);
    expect(product).toMatchObject({ activation_status: 'activated', active_configuration: { settlements: { account_number: input.bankAccountNumber } } });
  });

  it('is activated by the reconciliation check when the webhook is lost', async () => {
    await setRoute({ activation: 'manual', dropWebhooks: true });
    const input = payee();
    const account = (await register(input)).data!.registerPayeeAccount;
    expect(account.status).toBe('UNDER_REVIEW');
    const [product] = (await server.app.sandbox!.route.products()).filter((p) => p.account_id === account.razorpayAccountId);
    await server.app.sandbox!.route.settleProduct(product!.id, 'activated');
    // The webhook was dropped: nothing changes by itself.
    expect((await read(input.payeeId)).data!.payeeAccount.status).toBe('UNDER_REVIEW');
    const report = await server.app.services.payeeAccounts.checkActivations();
    expect(report.changed).toBeGreaterThanOrEqual(1);
    expect(report.errors).toBe(0);
    expect((await read(input.payeeId)).data!.payeeAccount.status).toBe('ACTIVATED');
    // Checked again: nothing more to do for it.
    await server.app.services.payeeAccounts.checkActivations();
    expect((await read(input.payeeId)).data!.payeeAccount.status).toBe('ACTIVATED');
  });

  it('shows what Razorpay needs when it asks for clarification, and activates later', async () => {
    await setRoute({ activation: 'needs_clarification' });
    const input = payee();
    const account = (await register(input)).data!.registerPayeeAccount;
    expect(account.status).toBe('NEEDS_CLARIFICATION');
    expect(account.requirements).toEqual([expect.objectContaining({ fieldReference: 'settlements.account_number', status: 'required' })]);
    const [product] = (await server.app.sandbox!.route.products()).filter((p) => p.account_id === account.razorpayAccountId);
    await server.app.sandbox!.route.settleProduct(product!.id, 'activated');
    await eventually(async () => (await read(input.payeeId)).data?.payeeAccount.status === 'ACTIVATED', 10_000, 'activation by webhook');
    expect((await read(input.payeeId)).data!.payeeAccount.requirements).toEqual([]);
  });

  it('answers the same payee again with its account, and makes one account at Razorpay for concurrent registrations', async () => {
    const input = payee();
    const answers = await Promise.all(Array.from({ length: 6 }, () => register(input)));
    for (const answer of answers) expect(answer.errors).toBeUndefined();
    const ids = new Set(answers.map((a) => a.data!.registerPayeeAccount.id));
    expect(ids.size).toBe(1);
    await eventually(async () => (await read(input.payeeId)).data?.payeeAccount.status === 'ACTIVATED', 10_000, 'activation');
    expect(await sandboxAccountsWith(input.email)).toHaveLength(1);
    const again = await register(input);
    expect(again.data!.registerPayeeAccount.id).toBe([...ids][0]);
    expect(await sandboxAccountsWith(input.email)).toHaveLength(1);
  });

  it('keeps what a registration stopped by the gateway did, and continues it when registered again', async () => {
    const input = payee();
    // The stakeholder step fails (the account was made): a 500 is not retried for a creation.
    await setRoute({ failStakeholderCreates: 1 });
    const first = await register(input);
    expect(first.errors?.[0]?.extensions?.code).toBe('GATEWAY_ERROR');
    expect(first.errors?.[0]?.message).toMatch(/register it again to continue/);
    const stopped = (await read(input.payeeId)).data!.payeeAccount;
    expect(stopped.status).toBe('REGISTERING');
    expect(stopped.razorpayAccountId).toMatch(/^acc_/);
    expect(stopped.lastError).not.toBeNull();
    const second = await register(input);
    expect(second.errors).toBeUndefined();
    expect(second.data!.registerPayeeAccount).toMatchObject({ id: stopped.id, razorpayAccountId: stopped.razorpayAccountId, lastError: null });
    expect(await sandboxAccountsWith(input.email)).toHaveLength(1);
  });

  it('adopts the account Razorpay made for a creation whose answer was lost (a timeout), and makes no second one', async () => {
    const input = payee();
    // Razorpay answers after the adapter gave up, but makes the account all the same.
    server.app.sandbox!.setFaults({ latencyMs: 3_500 });
    const first = await register(input);
    expect(first.errors?.[0]?.extensions?.code).toBe('GATEWAY_ERROR');
    expect(first.errors?.[0]?.extensions?.retryable).toBe(true);
    server.app.sandbox!.resetFaults();
    await eventually(async () => (await sandboxAccountsWith(input.email)).length === 1, 5_000, 'the late account at Razorpay');
    expect((await read(input.payeeId)).data!.payeeAccount).toMatchObject({ status: 'REGISTERING', razorpayAccountId: null });
    // Again: Razorpay refuses the email as taken by that account, which carries our reference: it is ours.
    const second = await register(input);
    expect(second.errors).toBeUndefined();
    const [made] = await sandboxAccountsWith(input.email);
    expect(second.data!.registerPayeeAccount.razorpayAccountId).toBe(made!.id);
    expect(await sandboxAccountsWith(input.email)).toHaveLength(1);
  });

  it("does not adopt another payee's account that has the same email", async () => {
    const first = payee();
    await register(first);
    const second = payee({ email: first.email });
    const answer = await register(second);
    expect(answer.errors?.[0]?.extensions?.code).toBe('GATEWAY_ERROR');
    expect(answer.errors?.[0]?.message).toMatch(/already exists/);
    expect((await read(second.payeeId)).data!.payeeAccount).toMatchObject({ status: 'REGISTERING', razorpayAccountId: null });
  });
});

describe('input rules', () => {
  const cases: [string, Partial<RegisterPayeeAccountInput> & { payeeId?: string }, string, RegExp][] = [
    ['letters in the account number', { bankAccountNumber: '5010ABC987654' }, 'input.bankAccountNumber', /9 to 18 digits/],
    ['a short account number', { bankAccountNumber: '12345678' }, 'input.bankAccountNumber', /9 to 18 digits/],
    ['a malformed IFSC', { ifsc: 'HDFC1001234' }, 'input.ifsc', /11 characters/],
    ['a malformed PAN', { pan: 'ABCP12345Z' }, 'input.pan', /5 letters, 4 digits, 1 letter/],
    ["a company's PAN", { pan: 'ABCCK1234Z' }, 'input.pan', /4th character is P/],
    ['a bad PIN code', { postalCode: '06001' }, 'input.postalCode', /6 digits/],
  ];
  for (const [what, overrides, field, reason] of cases) {
    it(`refuses ${what}, naming ${field}, without echoing it and without writing anything`, async () => {
      const input = payee(overrides);
      const answer = await register(input);
      const error = answer.errors?.[0];
      expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error?.extensions?.field).toBe(field);
      expect(error?.message).toMatch(reason);
      const sent = String((overrides as Record<string, string>)[field.slice('input.'.length)]);
      expect(JSON.stringify(answer)).not.toContain(sent);
      expect((await read(input.payeeId)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(await sandboxAccountsWith(input.email)).toHaveLength(0);
    });
  }
});

describe('who may', () => {
  it('refuses a customer registering, FORBIDDEN before the input is looked at', async () => {
    const customer = await server.token('cust-payee-1');
    const answer = await register(payee({ payeeId: 'cust-payee-1', pan: 'not a pan' }), customer);
    expect(answer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await server.gql(PayeeAccountsDocument, {}, customer)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await register(payee(), null)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it("lets a payee read its own account and nobody else's", async () => {
    const input = payee({ payeeId: `cust-payee-${Date.now()}` });
    await register(input);
    const own = await read(input.payeeId, await server.token(input.payeeId));
    expect(own.data?.payeeAccount.payeeId).toBe(input.payeeId);
    const other = await read(input.payeeId, await server.token('someone-else'));
    expect(other.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // Ids no payee could have are refused as such (the transport refuses NUL itself), never a database error.
    for (const hostile of ['nul\u0000id', '\ud800', 'x'.repeat(65)]) {
      expect(['NOT_FOUND', 'BAD_USER_INPUT']).toContain((await read(hostile)).errors?.[0]?.extensions?.code);
    }
  });

  it('lists accounts for staff, filtered by status, page by page', async () => {
    const service = await server.token('svc-payees', 'service');
    const first = await server.gql(PayeeAccountsDocument, { first: 2, filter: { statuses: ['ACTIVATED'] } }, service);
    expect(first.errors).toBeUndefined();
    const page = first.data!.payeeAccounts;
    expect(page.totalCount).toBeGreaterThanOrEqual(2);
    expect(page.edges.every((e) => e.node.status === 'ACTIVATED')).toBe(true);
    const next = await server.gql(PayeeAccountsDocument, { first: 2, after: page.pageInfo.endCursor, filter: { statuses: ['ACTIVATED'] } }, service);
    const seen = new Set(page.edges.map((e) => e.node.id));
    expect(next.data!.payeeAccounts.edges.every((e) => !seen.has(e.node.id))).toBe(true);
  });
});

describe('masking', () => {
  it('never shows or logs a full bank account number or PAN, nor stores them', async () => {
    const input = payee();
    const answers = [await register(input), await read(input.payeeId), await server.gql(PayeeAccountsDocument, { first: 100 }, admin)];
    await eventually(async () => (await read(input.payeeId)).data?.payeeAccount.status === 'ACTIVATED', 10_000, 'activation');
    const rows = await server.db.orm.em.fork().getConnection().execute<{ row: string }[]>(`select row_to_json(p)::text as row from payee_account p`);
    const events = await server.db.orm.em.fork().getConnection().execute<{ payload: string }[]>(`select payload::text as payload from webhook_event`);
    const everything = [JSON.stringify(answers), ...logLines, ...rows.map((r) => r.row), ...events.map((e) => e.payload)].join('\n');
    expect(logLines.length).toBeGreaterThan(0);
    expect(everything).toContain(input.bankAccountNumber.slice(-4));
    for (const secret of [input.bankAccountNumber, input.pan]) expect(everything).not.toContain(secret);
    // …including every earlier registration in this file.
    for (let i = 1; i <= counter; i += 1) {
      const n = String(i).padStart(4, '0');
      expect(everything).not.toContain(`50100${n}987654`);
      expect(everything).not.toContain(`ABCPK${n}Z`);
    }
  });
});
