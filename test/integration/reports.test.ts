import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_COLUMNS, parsePaymentFilter, paymentsExportCsv, paymentsList, reportDaily } from '../../src/cli/payments.commands.js';
import { webhooksList, webhooksReplay } from '../../src/cli/webhooks.commands.js';
import { Payment } from '../../src/payments/payment.entity.js';
import { PaymentStatus } from '../../src/payments/payment.state.js';
import { WebhookEvent, WebhookEventStatus } from '../../src/webhooks/webhook-event.entity.js';
import { PaymentStatsDocument } from '../graphql/generated.js';
import { paymentEvent, postWebhook, wirePayment } from '../helpers/checkout.js';
import { createOrder } from '../helpers/flows.js';
import { seedPayments } from '../helpers/seed.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';
import { handleEventType } from '../helpers/webhooks.js';

let server: TestServer;
const day = Date.UTC(2026, 9, 15); // 2026-10-15T00:00Z
const ist = (hours: number) => new Date(day - 5.5 * 3_600_000 + hours * 3_600_000);

beforeAll(async () => {
  server = await startTestServer();
  const seeded = await seedPayments(server.db.orm, [
    { payerId: 'fin-1', amount: 10_000, createdAt: ist(1), payeeId: 'tutor-1' },
    { payerId: 'fin-2', amount: 2_000_000_000, createdAt: ist(2) },
    { payerId: 'fin-2', amount: 2_000_000_000, createdAt: ist(3) },
    { payerId: 'fin-1', amount: 5_000, status: PaymentStatus.FAILED, createdAt: ist(4) },
    { payerId: 'fin-1', amount: 7_000, createdAt: ist(25) }, // the next day
  ]);
  const em = server.db.orm.em.fork();
  const first = await em.findOneOrFail(Payment, { id: seeded[0]!.id });
  first.description = 'Deep clean, 2 rooms, "balcony"\nand kitchen';
  first.reference = 'job,42';
  first.amountRefunded = 1_000;
  await em.flush();
});
afterAll(async () => {
  await server?.close();
});

describe('finance and operator reports', () => {
  it('report daily: counts, revenue, fees, payouts and refunds per currency, for the local day, beyond 32-bit sums', async () => {
    const lines: string[] = [];
    await reportDaily(server.db.orm, '2026-10-15', '+05:30', (line) => lines.push(line));
    const text = lines.join('\n');
    expect(text).toContain('2026-10-14T18:30:00.000Z to 2026-10-15T18:30:00.000Z');
    // Two ₹2 crore platform sales and a ₹100 order to tutor-1: revenue is fees + own sales.
    expect(text).toMatch(/payments created\s*│ 4\s*│/);
    expect(text).toMatch(/revenue \(fees \+ own sales\)\s*│ ₹40,000,015\.00\s*│/);
    expect(text).toMatch(/payouts \(owed to payees\)\s*│ ₹85\.00\s*│/);
    expect(text).toMatch(/refunded\s*│ ₹10\.00\s*│/);
    await expect(reportDaily(server.db.orm, '15/10/2026', '+05:30', () => undefined)).rejects.toThrow(/--date must be YYYY-MM-DD/);
  });

  it('paymentStats answers admins the same figures as integers (SafeInt), and refuses customers', async () => {
    const admin = await server.token('fin-ops', 'admin');
    const response = await server.gql(PaymentStatsDocument, { from: ist(0).toISOString(), to: ist(24).toISOString() }, admin);
    expect(response.errors).toBeUndefined();
    expect(response.data!.paymentStats).toEqual([
      {
        currency: 'INR', count: 4, succeeded: 3, failed: 1, collected: 4_000_010_000, topUps: 0, walletSpends: 0,
        fees: 600_001_500, sales: 3_400_000_000, revenue: 4_000_001_500, payouts: 8_500, payoutsTransferred: 0, refunds: 1_000,
      },
    ]);
    const customer = await server.token('fin-1');
    expect((await server.gql(PaymentStatsDocument, { from: ist(0).toISOString(), to: ist(24).toISOString() }, customer)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const backwards = await server.gql(PaymentStatsDocument, { from: ist(24).toISOString(), to: ist(0).toISOString() }, admin);
    expect(backwards.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
  });

  it('payments export round-trips descriptions with commas, quotes and newlines through a CSV parser', async () => {
    const csv = await paymentsExportCsv(server.db.orm, parsePaymentFilter({ user: 'fin-1' }));
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(3);
    const cleaned = rows.find((r) => r.reference === 'job,42')!;
    expect(cleaned.description).toBe('Deep clean, 2 rooms, "balcony"\nand kitchen');
    expect(cleaned).toMatchObject({ amount: '10000', platform_fee: '1500', payee_amount: '8500', amount_refunded: '1000', payee_id: 'tutor-1' });
  });

  it('payments list filters by status, user, payee and dates, and names bad options', async () => {
    const lines: string[] = [];
    expect(await paymentsList(server.db.orm, parsePaymentFilter({ status: 'captured', user: 'fin-1', from: '2026-10-14', to: '2026-10-16' }), (l) => lines.push(l))).toBe(2);
    expect(lines.join('\n')).toContain('₹100.00');
    expect(() => parsePaymentFilter({ status: 'PAID' })).toThrow(/--status must be among/);
    expect(() => parsePaymentFilter({ from: 'yesterday' })).toThrow(/--from must be a date/);
    await expect(paymentsList(server.db.orm, parsePaymentFilter({ limit: '0' }), () => undefined)).rejects.toThrow(/limit/);
  });

  it('webhooks list --failed shows failing events; replay processes one again', async () => {
    const token = await server.token('fin-hooks');
    const order = await createOrder(server, token, 3_000);
    const flaky = { calls: 0 };
    handleEventType(server.app.services, 'payment.dispute.created', async () => {
      flaky.calls += 1;
      if (flaky.calls === 1) throw new Error('dispute service unavailable');
      return { outcome: 'processed' };
    });
    const { body, eventId } = paymentEvent('payment.dispute.created', wirePayment(order.razorpayOrderId, 'pay_DISPUTE0000001', 'captured', 3_000));
    expect((await postWebhook(server.url, body, { eventId })).status).toBe(200);
    await eventually(async () => (await server.db.orm.em.fork().findOne(WebhookEvent, { eventId }))?.status === WebhookEventStatus.FAILED);
    const listed: string[] = [];
    expect(await webhooksList(server.db.orm, { failed: true, limit: 50 }, (l) => listed.push(l))).toBe(1);
    expect(listed.join('\n')).toContain('dispute service unavailable');
    const replayed: string[] = [];
    expect(await webhooksReplay(server.db.orm, server.app.services.webhookProcessor, eventId, (l) => replayed.push(l))).toBe(true);
    expect(replayed.join('\n')).toContain('PROCESSED');
    expect(await webhooksReplay(server.db.orm, server.app.services.webhookProcessor, 'evt_missing', () => undefined)).toBe(false);
  });
});
