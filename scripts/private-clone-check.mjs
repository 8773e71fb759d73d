#!/usr/bin/env node
// The quick start as root from a clone in a folder only its owner may enter (mode 700, like
// /root/… or any `mktemp -d` folder), where PostgreSQL's own user cannot reach the clone's data
// folder or its node_modules. Checks, from such a clone:
//   1. `npm start` with nothing configured starts, serves an order, stops on SIGTERM;
//   2. a second `npm start` finds the same data (the order is still there);
//   3. an embedded data folder set inside the private folder fails with one clear line, no stack;
//   4. the embedded-database tests pass (`TEST_POSTGRES=embedded`, health.test.ts).
// Used by .ci/run (CI runs as root). As another user the problem cannot arise: it says so and
// exits 0. Waits on conditions, never on fixed pauses.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gql } from './graphql-post.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (process.getuid?.() !== 0) {
  console.log('private-clone check: not running as root, where the embedded PostgreSQL runs as the current user; nothing to check');
  process.exit(0);
}

const privateRoot = mkdtempSync(path.join(tmpdir(), 'payments-private-'));
if ((statSync(privateRoot).mode & 0o777) !== 0o700) throw new Error(`${privateRoot} is not mode 700`);
const clone = path.join(privateRoot, 'clone');
const step = (message) => console.log(`private-clone check: ${message}`);
let relocated = null;

function copyWorkingTree() {
  // The files git knows (committed or not) and the installed node_modules (hard links: fast,
  // and the folders that matter are the clone's own).
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repo, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    const target = path.join(clone, file);
    mkdirSync(path.dirname(target), { recursive: true });
    try {
      cpSync(path.join(repo, file), target, { verbatimSymlinks: true });
    } catch (error) {
      if (error.code !== 'ENOENT') throw error; // deleted but not yet committed
    }
  }
  execFileSync('cp', ['-al', path.join(repo, 'node_modules'), path.join(clone, 'node_modules')]);
}

const baseEnv = { ...process.env, PORT: '0', EMBEDDED_PG_PORT: '0', LOG_LEVEL: 'warn' };
for (const name of ['DATABASE_URL', 'EMBEDDED_PG_DIR', 'RAZORPAY_KEY_ID', 'RAZORPAY_MODE', 'REDIS_URL', 'JWT_SECRET', 'NODE_ENV']) delete baseEnv[name];

function startService(command, args, env = baseEnv) {
  const child = spawn(command, args, { cwd: clone, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const service = { child, output: '', exited: null };
  child.stdout.on('data', (chunk) => (service.output += chunk));
  child.stderr.on('data', (chunk) => (service.output += chunk));
  service.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return service;
}

async function until(what, probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function waitForBanner(service) {
  return until(
    'the start banner',
    () => {
      if (service.child.exitCode !== null) throw new Error(`the service exited with ${service.child.exitCode}:\n${service.output}`);
      const match = /Payment service on (http:\/\/[\d.]+:\d+)\/graphql — database: embedded PostgreSQL \(data in ([^)]+)\)/.exec(service.output);
      return match ? { url: match[1], dataDir: match[2] } : null;
    },
    120_000,
  );
}

async function stop(service, dataDir) {
  process.kill(-service.child.pid, 'SIGTERM');
  const { code, signal } = await service.exited;
  // `npm start` ends with the signal at once; the service itself must end with 0.
  if (code !== 0 && signal !== 'SIGTERM') throw new Error(`the service did not stop cleanly (${code ?? signal}):\n${service.output}`);
  await until('the embedded PostgreSQL to stop', () => !existsSync(path.join(dataDir, 'postmaster.pid')), 30_000);
}

try {
  copyWorkingTree();
  step(`clone copied to ${clone} (folder ${privateRoot}, mode 700)`);

  const first = startService('npm', ['start']);
  const started = await waitForBanner(first);
  relocated = started.dataDir;
  if (relocated.startsWith(privateRoot)) throw new Error(`the data folder ${relocated} is inside the private folder`);
  step(`npm start is up at ${started.url}, data in ${relocated}`);
  const token = execFileSync('node', ['dist/scripts/token.js', '--user', 'alice'], { cwd: clone, encoding: 'utf8' }).trim();
  const created = await gql(started.url, token, 'mutation($input: CreateOrderInput!) { createOrder(input: $input) { payment { id status } } }', {
    input: { amount: 49_900, payeeId: 'freelancer-7', reference: 'private-clone', idempotencyKey: 'private-clone-1' },
  });
  const paymentId = created.createOrder.payment.id;
  await stop(first, relocated);
  step(`order ${paymentId} created; the service stopped cleanly`);

  const second = startService('node', ['dist/src/main.js']);
  const restarted = await waitForBanner(second);
  if (restarted.dataDir !== relocated) throw new Error(`the second start used ${restarted.dataDir}, not ${relocated}`);
  const again = await gql(restarted.url, token, 'query($id: ID!) { payment(id: $id) { id status } }', { id: paymentId });
  if (again.payment?.id !== paymentId) throw new Error(`the second start lost order ${paymentId}: ${JSON.stringify(again)}`);
  await stop(second, relocated);
  step('a second start reused the same data folder and found the order');

  const blockedDir = path.join(privateRoot, 'elsewhere', 'postgres');
  const refused = startService('node', ['dist/src/main.js'], { ...baseEnv, EMBEDDED_PG_DIR: blockedDir });
  const { code } = await refused.exited;
  const lines = refused.output.trim().split('\n');
  const last = lines.at(-1) ?? '';
  if (code !== 1 || !last.includes(`cannot enter ${privateRoot}`) || !last.includes('EMBEDDED_PG_DIR') || /\n\s+at /.test(refused.output)) {
    throw new Error(`an unreachable EMBEDDED_PG_DIR did not end with one clear line (exit ${code}):\n${refused.output}`);
  }
  step(`an unreachable data folder is refused in one line: ${last}`);

  execFileSync('npx', ['vitest', 'run', 'test/integration/health.test.ts'], {
    cwd: clone,
    env: { ...process.env, TEST_POSTGRES: 'embedded' },
    stdio: 'inherit',
  });
  step('the embedded-database tests pass from the private clone');
} catch (error) {
  console.error(`private-clone check: FAILED: ${error.message}`);
  process.exitCode = 1;
} finally {
  rmSync(privateRoot, { recursive: true, force: true });
  if (relocated && !relocated.startsWith(privateRoot)) rmSync(path.dirname(relocated), { recursive: true, force: true });
}
