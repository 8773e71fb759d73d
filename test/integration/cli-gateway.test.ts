/**
 * The operator CLI finds the gateway by the service's own rule: in sandbox mode the sandbox
 * inside the running service, through the record the service writes — whatever port it runs
 * on — and says which gateway it talks to; with no running service it says what to do.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliServices } from '../../src/cli/cli.services.js';
import { loadConfig } from '../../src/config.js';
import { GatewayNotFoundError, locateGateway } from '../../src/gateways/gateway.location.js';
import { recordRunningService } from '../../src/service-record.js';
import { Payment } from '../../src/payments/payment.entity.js';
import { pay } from '../helpers/checkout.js';
import { createOrder } from '../helpers/flows.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let dir: string;
// The CLI's own environment: the default PORT (4000), which is not where the service runs.
const cliConfig = (env: Record<string, string> = {}) => loadConfig({ DATABASE_URL: 'postgres://127.0.0.1/x', RECONCILE_AFTER_MS: '0', ...env });

beforeAll(async () => {
  server = await startTestServer({ env: { RECONCILE_ENABLED: 'false' } });
  dir = mkdtempSync(path.join(tmpdir(), 'payments-cli-'));
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the CLI finds the gateway as the service does', () => {
  it('sandbox mode: reaches the sandbox of the running service through its record, says so, and reconciles a payment whose webhooks were lost', async () => {
    const record = path.join(dir, 'service.json');
    const forget = recordRunningService(server.url, record);
    const token = await server.token('cli-gw-user');
    const order = await createOrder(server, token, 12_300);
    await pay(server.url, order.razorpayOrderId, { dropWebhooks: true });

    const printed: string[] = [];
    const { services, close } = await cliServices(server.db.orm, cliConfig(), (line) => printed.push(line), record);
    try {
      // Both sandboxes live in the running service; the CLI reaches each there.
      expect(printed).toEqual([`gateway: Razorpay sandbox at ${server.url}/sandbox/razorpay`, `gateway: PhonePe sandbox at ${server.url}/sandbox/phonepe`]);
      const report = await services.reconciler.runOnce();
      expect(report.errors).toBe(0);
      expect(report.claimed).toEqual([order.payment.id]);
      expect(report.changed).toBe(1);
    } finally {
      await close();
      forget();
    }
    expect((await server.db.orm.em.fork().findOneOrFail(Payment, { id: order.payment.id })).status).toBe('CAPTURED');
  });

  it('sandbox mode with no running service: a sentence saying why and what to do, not ECONNREFUSED', async () => {
    const missing = path.join(dir, 'nobody.json');
    await expect(cliServices(server.db.orm, cliConfig(), () => undefined, missing)).rejects.toThrow(GatewayNotFoundError);
    await expect(cliServices(server.db.orm, cliConfig(), () => undefined, missing)).rejects.toThrow(/no running service was found\. Start it \(npm start\) and retry, or set RAZORPAY_API_URL/);
  });

  it('RAZORPAY_API_URL, and live mode, need no running service', () => {
    expect(locateGateway(cliConfig({ RAZORPAY_API_URL: 'http://sandbox.internal:4000/sandbox/razorpay' }), null)).toEqual({
      apiUrl: 'http://sandbox.internal:4000/sandbox/razorpay', name: 'razorpay-sandbox', description: 'Razorpay sandbox at http://sandbox.internal:4000/sandbox/razorpay (RAZORPAY_API_URL)',
    });
    const live = cliConfig({ RAZORPAY_KEY_ID: 'rzp_test_x', RAZORPAY_KEY_SECRET: 's', RAZORPAY_WEBHOOK_SECRET: 'w' });
    expect(locateGateway(live, null)).toEqual({ apiUrl: undefined, name: 'razorpay', description: 'Razorpay (live API)' });
  });
});
