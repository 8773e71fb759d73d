#!/usr/bin/env node
// The README's "A payment, start to finish", as a script: the same requests against a started
// service, each answer printed, each checked. CI runs it against the service the quick-start
// check starts (scripts/smoke-start.mjs), so the README's example cannot drift from the code.
//
//   node scripts/walkthrough.mjs [--api http://127.0.0.1:4000] [--token <bearer token>]
//
// Without --token it asks `npm run token` for one (user alice), as the README does.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const { values } = parseArgs({ options: { api: { type: 'string', default: process.env.API ?? 'http://127.0.0.1:4000' }, token: { type: 'string', default: process.env.TOKEN } } });
const API = values.api.replace(/\/$/, '');
const TOKEN = values.token ?? execFileSync('npm', ['run', '--silent', 'token', '--', '--user', 'alice'], { encoding: 'utf8' }).trim().split('\n').at(-1);
const run = randomUUID().slice(0, 8); // a fresh idempotency key per run, like "job-42-attempt-1" in the README

const show = (step, answer) => console.log(`\n# ${step}\n${JSON.stringify(answer)}`);
function check(condition, message) {
  if (!condition) throw new Error(`walkthrough: ${message}`);
}

async function graphql(query, variables) {
  const response = await fetch(`${API}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  check(!body.errors, `GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

async function sandboxPay(orderId) {
  const response = await fetch(`${API}/sandbox/razorpay/checkout/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ order_id: orderId, outcome: 'success', method: 'upi' }),
  });
  const body = await response.json();
  check(response.ok && body.razorpay_payment_id, `checkout/pay answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

const CREATE_ORDER = 'mutation($input: CreateOrderInput!) { createOrder(input: $input) { keyId razorpayOrderId amount currency payment { id status platformFee payeeAmount } } }';
const VERIFY = 'mutation($input: VerifyPaymentInput!) { verifyPayment(input: $input) { status paidAt method { method vpa } transactions { type status amount } } }';

// 1. Create an order: ₹499.00 to freelancer-7, 15% platform fee.
const { createOrder } = await graphql(CREATE_ORDER, { input: { amount: 49900, payeeId: 'freelancer-7', reference: 'job-42', idempotencyKey: `job-42-${run}` } });
show('1. createOrder', { data: { createOrder } });
check(createOrder.payment.status === 'CREATED' && createOrder.payment.platformFee + createOrder.payment.payeeAmount === 49900, 'the order is CREATED and its split adds up');
const ORDER = createOrder.razorpayOrderId;

// 2. The customer pays in Checkout (the sandbox stands in for the browser).
const checkout = await sandboxPay(ORDER);
show('2. sandbox checkout/pay', checkout);
check(checkout.razorpay_order_id === ORDER, 'Checkout paid the order just created');

// 3. verifyPayment with Checkout's three values.
const { verifyPayment } = await graphql(VERIFY, {
  input: { razorpayOrderId: checkout.razorpay_order_id, razorpayPaymentId: checkout.razorpay_payment_id, razorpaySignature: checkout.razorpay_signature },
});
show('3. verifyPayment', { data: { verifyPayment } });
check(verifyPayment.status === 'CAPTURED', `expected CAPTURED, got ${verifyPayment.status}`);
check(verifyPayment.transactions.some((t) => t.type === 'CHARGE' && t.status === 'COMPLETED' && t.amount === 49900), 'one completed CHARGE of the whole amount');

// 4. Live status: subscribe to a second order, pay it, and print every message until CAPTURED.
const second = (await graphql(CREATE_ORDER, { input: { amount: 49900, payeeId: 'freelancer-7', reference: 'job-43', idempotencyKey: `job-43-${run}` } })).createOrder;
const client = createClient({ url: `${API.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${TOKEN}` }, retryAttempts: 0 });
const statuses = [];
try {
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`walkthrough: no CAPTURED message within 30 s (got ${statuses.join(', ') || 'nothing'})`)), 30_000);
    let paid = false;
    client.subscribe(
      { query: 'subscription($id: ID!) { paymentStatusChanged(paymentId: $id) { id status version } }', variables: { id: second.payment.id } },
      {
        next: (message) => {
          const payment = message.data?.paymentStatusChanged;
          show(`4. paymentStatusChanged message ${statuses.length + 1}`, message);
          if (!payment) return reject(new Error(`walkthrough: ${JSON.stringify(message)}`));
          statuses.push(payment.status);
          // The current state comes first; then the customer pays.
          if (!paid) {
            paid = true;
            sandboxPay(second.razorpayOrderId).catch(reject);
          }
          if (payment.status === 'CAPTURED') {
            clearTimeout(timer);
            resolve();
          }
        },
        error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
        complete: () => undefined,
      },
    );
  });
} finally {
  await client.dispose();
}
check(statuses[0] === 'CREATED', 'the current state (CREATED) comes first');

// 5. The same payment through PhonePe (README "The same payment through PhonePe").
// 5a. Create the order with gateway PHONEPE: the answer is a redirect URL, nothing to sign.
const PHONEPE_ORDER = 'mutation($input: CreateOrderInput!) { createOrder(input: $input) { gateway redirectUrl razorpayOrderId payment { id status } } }';
const phonepe = (await graphql(PHONEPE_ORDER, { input: { amount: 49900, payeeId: 'freelancer-7', gateway: 'PHONEPE', idempotencyKey: `job-44-${run}` } })).createOrder;
show('5a. createOrder (gateway PHONEPE)', { data: { createOrder: phonepe } });
check(phonepe.gateway === 'PHONEPE' && phonepe.redirectUrl && phonepe.payment.status === 'CREATED', 'a PhonePe session with a redirect URL');

// 5b. The browser follows redirectUrl to PhonePe's page (the sandbox's) and the customer chooses
// success there; the page sends the browser back to the shop, with nothing that proves anything.
const page = await fetch(phonepe.redirectUrl);
const html = await page.text();
check(page.ok && html.includes('Pay (success)'), `the PhonePe sandbox page answered ${page.status}`);
const chosen = await fetch(phonepe.redirectUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'outcome=success', redirect: 'manual' });
await chosen.arrayBuffer();
const back = chosen.headers.get('location');
show('5b. the PhonePe page: Pay (success)', { status: chosen.status, location: back });
check(chosen.status === 303 && back?.includes(`merchantOrderId=${phonepe.razorpayOrderId}`), 'the page sends the browser back to the shop');

// 5c. Back on the shop, confirmPayment: the service asks PhonePe's order status.
const CONFIRM = 'mutation($id: ID!) { confirmPayment(paymentId: $id) { status gateway razorpayPaymentId } }';
const { confirmPayment } = await graphql(CONFIRM, { id: phonepe.payment.id });
show('5c. confirmPayment', { data: { confirmPayment } });
check(confirmPayment.status === 'CAPTURED' && confirmPayment.gateway === 'PHONEPE', `expected a CAPTURED PhonePe payment, got ${JSON.stringify(confirmPayment)}`);
check(confirmPayment.razorpayPaymentId?.startsWith(`${phonepe.razorpayOrderId}:`), 'the attempt id is <merchantOrderId>:<transactionId>');

console.log(`\nwalkthrough: OK (order ${ORDER} captured; live status ${statuses.join(' → ')}; PhonePe order ${phonepe.razorpayOrderId} captured by confirmPayment)`);
