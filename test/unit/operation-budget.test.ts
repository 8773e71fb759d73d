import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { OperationBudget } from '../../src/graphql/budget.js';

describe('OperationBudget (in memory)', () => {
  it('counts per IP and per user separately: a user hopping IPs still runs out', async () => {
    const budget = new OperationBudget(3, null);
    for (let i = 0; i < 3; i += 1) expect(await budget.forIp('10.0.0.1')).toBeNull();
    const retryAfter = await budget.forIp('10.0.0.1');
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await budget.forIp('10.0.0.2')).toBeNull();

    for (const ip of ['10.0.1.1', '10.0.1.2', '10.0.1.3']) {
      expect(await budget.forIp(ip)).toBeNull();
      expect(await budget.forUser('mallory')).toBeNull();
    }
    expect(await budget.forUser('mallory')).toBeGreaterThan(0);
    expect(await budget.forUser('alice')).toBeNull();
    expect(budget.tooMany(12).extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 12 });
    await budget.close();
  });
});

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function redisReachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) });
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// As in redis-pubsub.test.ts: CI has Redis and must run this.
const available = await redisReachable(REDIS_URL);
if (!available && process.env.CI) throw new Error(`Redis is not reachable at ${REDIS_URL}, and CI must test the Redis budget`);

describe.runIf(available)('OperationBudget in Redis', () => {
  it('two instances draw on one budget', async () => {
    const a = new OperationBudget(4, REDIS_URL);
    const b = new OperationBudget(4, REDIS_URL);
    await Promise.all([a.connected(), b.connected()]);
    const ip = `198.51.100.${Math.floor(Math.random() * 250)}-${Date.now()}`;
    for (const budget of [a, b, a, b]) expect(await budget.forIp(ip)).toBeNull();
    expect(await a.forIp(ip)).toBeGreaterThan(0);
    expect(await b.forIp(ip)).toBeGreaterThan(0);
    await Promise.all([a.close(), b.close()]);
  });
});
