import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Payment, PaymentFunding } from '../../src/payments/payment.entity.js';
import { PaymentDocument, PayWithWalletDocument, RefundDocument } from '../graphql/generated.js';
import { pay } from '../helpers/checkout.js';
import { createOrder, payAndVerify, topUp } from '../helpers/flows.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';

/** The migration that added `payment.funding`, and the one before it. */
const FUNDING_MIGRATION = 'Migration20261130004523';
const BEFORE_FUNDING = 'Migration20261122031311';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ env: { WALLET_MIN_TOPUP: '1000', WALLET_MAX_TOPUP: '5000000', WALLET_MAX_BALANCE: '6000000' } });
});

afterAll(async () => {
  await server?.close();
});

describe('the funding migration', () => {
  it('backfills how every paid payment was funded, from what the rows already say', async () => {
    const token = await server.token('backfill-1');
    const admin = await server.token('backfill-ops', 'admin');
    const fromGateway = await createOrder(server, token, 7_000);
    await payAndVerify(server, token, fromGateway.razorpayOrderId, { dropWebhooks: true });
    // A top-up refunded to its source: its refund hold is a WALLET_DEBIT, yet Razorpay funded it.
    const topUpSession = await topUp(server, token, 40_000);
    const topUpRefund = await server.gql(RefundDocument, { input: { paymentId: topUpSession.payment.id, amount: 1_000 } }, admin);
    expect(topUpRefund.errors).toBeUndefined();
    // Paid from the wallet after its Razorpay attempt failed (so it carries that attempt's id).
    const afterFailure = await createOrder(server, token, 9_000);
    await pay(server.url, afterFailure.razorpayOrderId, { outcome: 'failure', awaitWebhooks: true });
    await eventually(async () => (await server.gql(PaymentDocument, { id: afterFailure.payment.id }, token)).data?.payment?.status === 'FAILED');
    expect((await server.gql(PayWithWalletDocument, { input: { paymentId: afterFailure.payment.id } }, token)).errors).toBeUndefined();
    const fromWallet = await createOrder(server, token, 3_000);
    expect((await server.gql(PayWithWalletDocument, { input: { paymentId: fromWallet.payment.id } }, token)).errors).toBeUndefined();
    const unpaid = await createOrder(server, token, 2_000);

    const expected = {
      [fromGateway.payment.id]: PaymentFunding.GATEWAY,
      [topUpSession.payment.id]: PaymentFunding.GATEWAY,
      [afterFailure.payment.id]: PaymentFunding.WALLET,
      [fromWallet.payment.id]: PaymentFunding.WALLET,
      [unpaid.payment.id]: null,
    };
    const fundings = async () => Object.fromEntries(
      (await server.db.orm.em.fork().find(Payment, { id: { $in: Object.keys(expected) } })).map((p) => [p.id, p.funding]),
    );
    expect(await fundings()).toEqual(expected);

    // Back to the schema before the column, then forward again: the backfill must find the same answers.
    const migrator = server.db.orm.getMigrator();
    await migrator.down({ to: BEFORE_FUNDING });
    const columns = await server.db.orm.em.fork().getConnection().execute(`select column_name from information_schema.columns where table_name = 'payment' and column_name = 'funding'`);
    expect(columns).toEqual([]);
    await migrator.up({ to: FUNDING_MIGRATION });
    expect(await fundings()).toEqual(expected);
  });
});
