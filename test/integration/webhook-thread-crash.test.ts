/**
 * A real SIGKILL of the service (the build, as `npm start` runs it) while its worker thread is
 * processing webhook events (WEBHOOK_PROCESSING_THREAD=true): after a restart every event is
 * settled, every payment is CAPTURED once with its one CHARGE, and the books balance.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../src/auth/auth.js';
import { ledgerCheck } from '../../src/cli/ledger.commands.js';
import { Payment } from '../../src/payments/payment.entity.js';
import { PaymentStatus } from '../../src/payments/payment.state.js';
import { newId } from '../../src/sandbox/razorpay/sandbox.ids.js';
import { Transaction, TransactionStatus, TransactionType } from '../../src/transactions/transaction.entity.js';
import { WebhookEvent, WebhookEventStatus } from '../../src/webhooks/webhook-event.entity.js';
import { paymentEvent, postWebhook, wirePayment } from '../helpers/checkout.js';
import { buildService, startChildService, type ChildService } from '../helpers/child-service.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { createOrder } from '../helpers/flows.js';
import { eventually, TEST_JWT_SECRET } from '../helpers/server.js';

const ENV = { WEBHOOK_PROCESSING_THREAD: 'true', WORKER_LEASE_SECONDS: '3', RAZORPAY_TIMEOUT_MS: '2000', PHONEPE_TIMEOUT_MS: '2000', OUTBOX_TIMEOUT_MS: '2000', WEBHOOK_RETRY_BASE_MS: '100', RECONCILE_ENABLED: 'false' };
const PAYMENTS = 80;

let db: TestDatabase;
let child: ChildService | null = null;

beforeAll(async () => {
  buildService();
  db = await createTestDatabase();
}, 300_000);
afterAll(async () => {
  await child?.kill();
  await db?.drop();
});

const count = (statuses: WebhookEventStatus[]) => db.orm.em.fork().count(WebhookEvent, { status: { $in: statuses } });

describe('the process killed while its thread processes webhooks', () => {
  it('loses and doubles nothing: after a restart every event is settled and each payment has one completed CHARGE', async () => {
    child = await startChildService(db.url, ENV);
    const token = await signToken({ id: 'thread-crash-payer', role: 'customer' }, TEST_JWT_SECRET);
    const orders = await Promise.all(Array.from({ length: PAYMENTS }, () => createOrder(child!, token, 30_000)));
    const deliveries = orders.flatMap((order) => {
      const attempt = newId('pay');
      const captured = paymentEvent('payment.captured', wirePayment(order.razorpayOrderId, attempt, 'captured', 30_000));
      const authorized = paymentEvent('payment.authorized', wirePayment(order.razorpayOrderId, attempt, 'authorized', 30_000));
      // Out of order, and the capture delivered twice.
      return [captured, authorized, captured];
    });
    const url = child.url;
    for (let i = 0; i < deliveries.length; i += 20) {
      const answers = await Promise.all(deliveries.slice(i, i + 20).map((d) => postWebhook(url, d.body, { eventId: d.eventId })));
      expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
    }
    const events = PAYMENTS * 2;
    await eventually(async () => (await count([WebhookEventStatus.PROCESSED])) > 0, 20_000, 'the thread processing');
    await child.kill();
    child = null;
    const settledAtKill = await count([WebhookEventStatus.PROCESSED, WebhookEventStatus.IGNORED]);
    expect(settledAtKill).toBeLessThan(events);

    child = await startChildService(db.url, ENV);
    await eventually(async () => (await count([WebhookEventStatus.PROCESSED])) === events, 60_000, 'every event processed after the restart');
    expect(await count([WebhookEventStatus.PENDING, WebhookEventStatus.FAILED, WebhookEventStatus.DEAD, WebhookEventStatus.IGNORED])).toBe(0);

    const em = db.orm.em.fork();
    const payments = await em.find(Payment, { id: { $in: orders.map((order) => order.payment.id) } });
    expect(payments.map((payment) => payment.status)).toEqual(payments.map(() => PaymentStatus.CAPTURED));
    const charges = await em.find(Transaction, { payment: { $in: payments.map((payment) => payment.id) }, type: TransactionType.CHARGE });
    expect(charges).toHaveLength(PAYMENTS);
    expect(charges.map((charge) => charge.status)).toEqual(charges.map(() => TransactionStatus.COMPLETED));
    const lines: string[] = [];
    const { exitCode } = await ledgerCheck(db.orm, (line) => lines.push(line));
    expect(lines.filter((line) => line.startsWith('FAIL'))).toEqual([]);
    expect(exitCode).toBe(0);
  }, 180_000);
});
