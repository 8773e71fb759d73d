import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { MikroORM } from '@mikro-orm/postgresql';
import WebSocket from 'ws';
import { startApp } from '../src/app.js';
import { signToken } from '../src/auth/auth.js';
import { loadConfig } from '../src/config.js';
import { ormConfig } from '../src/db/mikro-orm.config.js';
import { adminQuery, databaseUrl, openScratchServer } from '../src/db/scratch.js';
import { createLogger } from '../src/logger.js';

/**
 * `npm run bench:ws-flood`: the attack of issue 9 replayed. Four WebSocket connections each send,
 * as fast as they are answered, one ~50 kB `subscribe` message of 2,500 aliases of
 * `wallet { balance }`, while another user reads `{ wallet { balance } }` over HTTP; then a
 * connection without a token asks for 1,000 aliases of `__schema`. The operation budget is set
 * out of the way (RATE_LIMIT_PER_MINUTE=1000000) so that the document limits alone are measured.
 * Prints the victim's latencies (quiet, under attack), how long a refusal takes, and the bytes
 * the anonymous connection got back.
 */
const ATTACKERS = 4;
const ATTACK_MS = 10_000;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const round = (ms: number) => Math.round(ms * 10) / 10;

async function main(): Promise<void> {
  const server = await openScratchServer(process.env.DATABASE_ADMIN_URL);
  const name = `payments_wsflood_${randomBytes(4).toString('hex')}`;
  await adminQuery(server.adminUrl, `create database "${name}"`);
  const url = databaseUrl(server.adminUrl, name);
  const orm = await MikroORM.init(ormConfig({ clientUrl: url, poolMax: 10 }));
  await orm.getMigrator().up();
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: url, LOG_LEVEL: 'silent', JWT_SECRET: 'bench-secret-bench-secret-bench-secret-42', RATE_LIMIT_PER_MINUTE: '1000000', RECONCILE_ENABLED: 'false' });
  const app = await startApp(config, { orm, logger: createLogger('silent') });
  const victim = await signToken({ id: 'victim', role: 'customer' }, config.jwtSecret);
  const attacker = await signToken({ id: 'attacker', role: 'customer' }, config.jwtSecret);
  const wsUrl = `${app.url.replace('http', 'ws')}/graphql`;

  const readWallet = async () => {
    const started = performance.now();
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${victim}` },
      body: JSON.stringify({ query: '{ wallet { balance } }' }),
    });
    await response.json();
    return performance.now() - started;
  };
  for (let i = 0; i < 5; i += 1) await readWallet();
  const quiet: number[] = [];
  for (let i = 0; i < 30; i += 1) quiet.push(await readWallet());

  const query = `{ ${Array.from({ length: 2_500 }, (_, i) => `a${i}: wallet { balance }`).join(' ')} }`;
  const refusals: number[] = [];
  const codes = new Map<string, number>();
  let stop = false;
  const attack = async () => {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${attacker}` } }));
    let id = 0;
    let sentAt = 0;
    const next = () => {
      if (stop) return socket.close();
      id += 1;
      sentAt = performance.now();
      socket.send(JSON.stringify({ id: String(id), type: 'subscribe', payload: { query } }));
    };
    await new Promise<void>((resolve) => {
      socket.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString()) as { type: string; payload?: { extensions?: { code?: string } }[] };
        if (message.type === 'connection_ack') return next();
        if (message.type === 'error' || message.type === 'next') {
          refusals.push(performance.now() - sentAt);
          const code = message.type === 'error' ? String(message.payload?.[0]?.extensions?.code) : 'EXECUTED';
          codes.set(code, (codes.get(code) ?? 0) + 1);
          next();
        }
      });
      socket.once('close', () => resolve());
    });
  };
  const attackers = Array.from({ length: ATTACKERS }, attack);
  const underAttack: number[] = [];
  const until = performance.now() + ATTACK_MS;
  while (performance.now() < until) underAttack.push(await readWallet());
  stop = true;
  await Promise.all(attackers);

  const anonymous = await new Promise<{ code: number; bytes: number }>((resolve) => {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
    let bytes = 0;
    socket.on('message', (data: Buffer) => void (bytes += data.length));
    socket.once('open', () => {
      socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `{ ${Array.from({ length: 1_000 }, (_, i) => `s${i}: __schema { types { name } }`).join(' ')} }` } }));
    });
    socket.once('close', (code) => resolve({ code, bytes }));
  });

  console.log(JSON.stringify({
    victimQuietMs: { median: round(median(quiet)), max: round(Math.max(...quiet)) },
    victimUnderAttackMs: { requests: underAttack.length, median: round(median(underAttack)), max: round(Math.max(...underAttack)) },
    attackerMessages: refusals.length,
    attackerAnswers: Object.fromEntries(codes),
    refusalMs: { median: round(median(refusals)), max: round(Math.max(...refusals)) },
    anonymousSchemaFlood: anonymous,
  }, null, 2));
  await app.close();
  await orm.close();
  await adminQuery(server.adminUrl, `drop database if exists "${name}" with (force)`);
  await server.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
