#!/usr/bin/env node
// The README's quick start, end to end, as a newcomer would run it: `npm start` with no
// DATABASE_URL and no Razorpay keys (embedded PostgreSQL, sandbox gateway), a development
// token, one order paid in the sandbox and verified, then SIGTERM: the service and its
// embedded PostgreSQL must stop cleanly. Used by .ci/run; prints what it checks.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gql } from './graphql-post.mjs';

const dataRoot = mkdtempSync(path.join(tmpdir(), 'payments-smoke-'));
const dataDir = path.join(dataRoot, 'postgres');
const env = { ...process.env, PORT: '0', EMBEDDED_PG_PORT: '0', EMBEDDED_PG_DIR: dataDir, LOG_LEVEL: 'info' };
for (const name of ['DATABASE_URL', 'RAZORPAY_KEY_ID', 'RAZORPAY_MODE', 'REDIS_URL', 'JWT_SECRET', 'NODE_ENV']) delete env[name];

const fail = (message) => {
  console.error(`smoke: FAILED: ${message}`);
  process.exitCode = 1;
};

const child = spawn('npm', ['start'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
let stdout = '';
child.stdout.on('data', (chunk) => {
  output += chunk;
  stdout += chunk;
});
child.stderr.on('data', (chunk) => (output += chunk));
const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

async function waitForUrl(timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = /Payment service on (http:\/\/[\d.]+:\d+)\/graphql/.exec(output);
    if (match) return match[1];
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`npm start printed no URL within ${timeoutMs} ms:\n${output}`);
}

try {
  const started = Date.now();
  const url = await waitForUrl(240_000);
  console.log(`smoke: npm start is serving ${url} after ${Date.now() - started} ms`);
  const token = execFileSync('npm', ['run', '--silent', 'token', '--', '--user', 'smoke-user'], { env, encoding: 'utf8' }).trim().split('\n').at(-1);
  const { createOrder } = await gql(url, token, 'mutation($input: CreateOrderInput!) { createOrder(input: $input) { razorpayOrderId payment { id status } } }', { input: { amount: 50000 } });
  console.log(`smoke: createOrder → ${createOrder.razorpayOrderId} (${createOrder.payment.status})`);
  const checkout = await (await fetch(`${url}/sandbox/razorpay/checkout/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ order_id: createOrder.razorpayOrderId, outcome: 'success', method: 'card' }),
  })).json();
  const { verifyPayment } = await gql(url, token, 'mutation($input: VerifyPaymentInput!) { verifyPayment(input: $input) { status razorpayPaymentId } }', {
    input: { razorpayOrderId: checkout.razorpay_order_id, razorpayPaymentId: checkout.razorpay_payment_id, razorpaySignature: checkout.razorpay_signature },
  });
  console.log(`smoke: verifyPayment → ${verifyPayment.status} (${verifyPayment.razorpayPaymentId})`);
  if (verifyPayment.status !== 'CAPTURED') fail(`expected CAPTURED, got ${verifyPayment.status}`);
  // The pages npm start built (checked last: a keep-alive connection opened before the blocking
  // `npm run token` above could be stale by the time a POST reused it).
  for (const page of ['/shop', '/console', '/sandbox/razorpay/checkout.js']) {
    const response = await fetch(`${url}${page}`);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`GET ${page} answered ${response.status}: the pages were not built by npm start`);
  }
  console.log('smoke: the storefront, the console and the sandbox checkout.js are served');
  // The README's worked example, step by step, against this same service.
  execFileSync(process.execPath, ['scripts/walkthrough.mjs', '--api', url, '--token', token], { env, stdio: 'inherit' });
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
} finally {
  process.kill(-child.pid, 'SIGTERM');
  const timeout = setTimeout(() => {
    fail(`the service did not stop within 20 s of SIGTERM:\n${output}`);
    process.kill(-child.pid, 'SIGKILL');
  }, 20_000);
  const { code, signal } = await exited;
  clearTimeout(timeout);
  console.log(`smoke: after SIGTERM npm start ended with ${code ?? signal}`);
  // npm returns at once; the service itself shuts down its embedded PostgreSQL just after.
  const pidFile = path.join(dataDir, 'postmaster.pid');
  for (let waited = 0; waited < 20_000 && existsSync(pidFile); waited += 200) await new Promise((resolve) => setTimeout(resolve, 200));
  if (existsSync(pidFile)) fail('embedded PostgreSQL is still running 20 s after SIGTERM (postmaster.pid left behind)');
  else console.log('smoke: embedded PostgreSQL stopped cleanly');
  rmSync(dataRoot, { recursive: true, force: true });
  // Logs are JSON lines only (npm's own "> script" lines aside), so a log shipper reads them whole.
  const notJson = stdout.split('\n').filter((line) => line.trim() && !line.startsWith('> ')).filter((line) => {
    try {
      return typeof JSON.parse(line) !== 'object';
    } catch {
      return true;
    }
  });
  if (notJson.length > 0) fail(`standard output has lines that are not JSON:\n${notJson.slice(0, 5).join('\n')}`);
  else console.log('smoke: every line the service wrote to standard output is JSON');
}

// A DATABASE_URL where nothing listens: one JSON line naming DATABASE_URL, exit code 1.
const refused = spawnSync(process.execPath, ['dist/src/main.js'], { env: { ...env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/payments' }, encoding: 'utf8', timeout: 60_000 });
const fatal = refused.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line)).find((line) => line.level === 60);
if (refused.status !== 1 || !fatal?.msg?.includes('DATABASE_URL: nothing accepts connections at 127.0.0.1:1/payments')) {
  fail(`DATABASE_URL on a closed port: expected exit 1 and a line naming DATABASE_URL, got ${refused.status}:\n${refused.stdout}${refused.stderr}`);
} else console.log(`smoke: DATABASE_URL on a closed port → exit 1, "${fatal.msg}"`);
