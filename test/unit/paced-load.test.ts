/**
 * The bench's paced load generator (bench/paced-load.ts) resends a request that met the
 * keep-alive race (the server closed the kept-alive socket it was written on) on a connection of
 * its own. It resent only requests flagged `reusedSocket` (a request that waited for a socket is
 * handed a freed one without the flag), and through the agent, where the resend could land on
 * another socket being closed: either way it was lost, and a webhook run stored two deliveries
 * fewer than it sent and reported their payment as not captured (sixteenth round).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pacedLoad } from '../../bench/paced-load.js';

let server: http.Server;
let url: string;
const received: string[] = [];

beforeAll(async () => {
  // Every request written on a socket that already served one is dropped unanswered (the socket
  // destroyed): the client sees the reset of a kept-alive socket, whichever socket it reuses.
  const served = new WeakMap<object, number>();
  server = http.createServer((req, res) => {
    const count = (served.get(req.socket) ?? 0) + 1;
    served.set(req.socket, count);
    if (count > 1) {
      req.socket.destroy();
      return;
    }
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push(body);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

it('a request reset on a reused keep-alive socket is sent again on a new connection and answered; none is lost', async () => {
  const count = 40;
  const figures = await pacedLoad({
    url, path: '/deliver', rate: 200, count, connections: 2, timeoutMs: 5_000,
    request: (i) => ({ headers: { 'content-type': 'text/plain' }, body: `delivery ${i}` }),
  });
  expect(figures.errorCodes ?? {}).toEqual({});
  expect(figures.errors).toBe(0);
  expect(figures.non2xx).toBe(0);
  // Every request written on a reused socket was reset and resent (how many of them went on a reused socket is the agent's choice).
  expect(figures.resentAfterKeepAliveReset).toBeGreaterThan(0);
  expect([...received].sort()).toEqual(Array.from({ length: count }, (_, i) => `delivery ${i}`).sort());
});
