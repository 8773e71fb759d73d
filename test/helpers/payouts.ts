/** Payees and payouts for the transfer tests: a registered payee, a paid order, the payout's rows and the sandbox's transfers. */
import { checkLedger } from '../../src/ledger/ledger.check.js';
import { Journal } from '../../src/ledger/ledger.entities.js';
import { Payout, PayoutReversal } from '../../src/payouts/payout.entity.js';
import { PayWithWalletDocument, RefundDocument, RegisterPayeeAccountDocument, type RefundInput } from '../graphql/generated.js';
import { createOrder, payAndVerify, topUp } from './flows.js';
import { eventually, type ServiceEndpoint, type TestServer } from './server.js';

let counter = 0;

/** Registers a payee (the sandbox activates it at once unless its route knob says otherwise). */
export async function registerPayee(server: ServiceEndpoint, admin: string): Promise<{ payeeId: string; status: string; razorpayAccountId: string | null }> {
  counter += 1;
  const n = `${Date.now()}${String(counter).padStart(4, '0')}`;
  const answer = await server.gql(RegisterPayeeAccountDocument, {
    input: {
      payeeId: `payee-${n}`, email: `po${n}@example.com`, phone: '9876543210', legalName: 'Asha Kumari', beneficiaryName: 'Asha Kumari',
      bankAccountNumber: `50100${String(counter).padStart(4, '0')}987654`, ifsc: 'HDFC0001234', pan: `ABCPK${String(counter).padStart(4, '0')}Z`,
      street1: '12 MG Road', city: 'Bengaluru', state: 'Karnataka', postalCode: '560001',
    },
  }, admin);
  if (answer.errors) throw new Error(`registerPayeeAccount: ${JSON.stringify(answer.errors)}`);
  return answer.data!.registerPayeeAccount;
}

/** An order of `amount` to `payeeId`, paid and verified; returns the payment. */
export async function paidOrder(server: ServiceEndpoint, token: string, payeeId: string, amount: number) {
  const order = await createOrder(server, token, amount, { payeeId });
  const { payment, checkout } = await payAndVerify(server, token, order.razorpayOrderId);
  return { ...order.payment, ...payment, id: order.payment.id, razorpayPaymentId: checkout.razorpay_payment_id };
}

export const payoutOf = (server: TestServer, paymentId: string) => server.db.orm.em.fork().findOne(Payout, { payment: paymentId });

/** Waits until the payment's payout satisfies `ok`, and returns it. */
export function payoutWhen(server: TestServer, paymentId: string, ok: (payout: Payout) => boolean, what: string, timeoutMs = 30_000): Promise<Payout> {
  return eventually(async () => {
    const payout = await payoutOf(server, paymentId);
    return payout && ok(payout) ? payout : null;
  }, timeoutMs, what);
}

export const reversalsOf = (server: TestServer, payoutId: string) => server.db.orm.em.fork().find(PayoutReversal, { payout: payoutId }, { orderBy: { createdAt: 'asc' } });
export const journalsOf = (server: TestServer, payoutId: string) => server.db.orm.em.fork().find(Journal, { payout: payoutId }, { orderBy: { createdAt: 'asc' } });
/** The sandbox's direct transfers (no source payment) made for `payoutId`. */
export const directTransfersOf = async (server: TestServer, payoutId: string) =>
  (await server.app.sandbox!.transfers.all()).filter((t) => !t.source.startsWith('pay_') && (t.notes as Record<string, string>).payout_id === payoutId);

let spenders = 0;
/** An order of `amount` to `payeeId` paid from a fresh customer's wallet (topped up first): its share goes by a direct transfer. */
export async function walletPaidOrder(server: TestServer, payeeId: string, amount: number) {
  spenders += 1;
  const spender = await server.token(`spender-${Date.now()}-${spenders}`);
  await topUp(server, spender, amount);
  const order = await createOrder(server, spender, amount, { payeeId });
  const paid = await server.gql(PayWithWalletDocument, { input: { paymentId: order.payment.id, idempotencyKey: `wallet-${Date.now()}-${spenders}` } }, spender);
  if (paid.errors) throw new Error(`payWithWallet: ${JSON.stringify(paid.errors)}`);
  return order.payment;
}

export const sandboxTransfersOf = async (server: TestServer, razorpayPaymentId: string) => (await server.app.sandbox!.transfers.all()).filter((t) => t.source === razorpayPaymentId);

export async function refund(server: TestServer, admin: string, input: RefundInput) {
  const answer = await server.gql(RefundDocument, { input }, admin);
  if (answer.errors) throw new Error(`refund: ${JSON.stringify(answer.errors)}`);
  return answer.data!.refund;
}

/** POST /sandbox/razorpay/control/<path>. */
export async function control(server: Pick<TestServer, 'url'>, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${server.url}/sandbox/razorpay/control${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`control ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** The ledger check's problems (none when the books balance). */
export async function ledgerProblems(server: TestServer) {
  return (await checkLedger(server.db.orm.em.fork())).problems;
}
