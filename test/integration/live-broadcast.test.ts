/**
 * Broadcast (issue 11): subscribers of one payment running the same operation share one
 * execution, one serialization and one frame per subscription id, written straight to their
 * sockets. Over real sockets: each subscription gets its own id on the same payload, a
 * subscriber who may not see the payment gets nothing of it however many share the result, a
 * completed subscription and a closed socket stop receiving and leave the routing map.
 */
import 'reflect-metadata';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Payment } from '../../src/payments/payment.entity.js';
import { paymentTopic, publishPaymentMessage } from '../../src/payments/payment.publisher.js';
import { toPaymentMessage, toPaymentType } from '../../src/payments/payment.types.js';
import { pay } from '../helpers/checkout.js';
import { createOrder } from '../helpers/flows.js';
import { eventually, MARKER_VERSION, sendMarker, startTestServer, type TestServer } from '../helpers/server.js';

const FOLLOW = 'subscription Follow($id: ID!) { paymentStatusChanged(paymentId: $id) { id status version amount } }';

interface Frame {
  id?: string;
  type: string;
  payload?: { data?: { paymentStatusChanged: { id: string; status: string; version: number } }; errors?: { message: string; extensions?: { code?: string } }[] };
}

/** A raw graphql-transport-ws socket (ids of our choosing), every frame kept as received. */
async function connect(server: TestServer, token: string) {
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
  const frames: Frame[] = [];
  const raw: string[] = [];
  socket.on('message', (data: Buffer) => {
    raw.push(data.toString());
    frames.push(JSON.parse(data.toString()) as Frame);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  await eventually(() => frames.some((f) => f.type === 'connection_ack'), 5_000, 'connection_ack');
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    socket,
    frames,
    raw,
    closed,
    follow: (id: string, paymentId: string) => socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: FOLLOW, variables: { id: paymentId } } })),
    of: (id: string) => frames.filter((f) => f.id === id),
  };
}

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
});

describe('broadcast: one shared result, many sockets', () => {
  it('each subscription gets the same payload under its own id; a subscriber who may not see the payment gets nothing; leaving releases the listeners', async () => {
    const { bus } = server.app;
    const alice = await server.token('alice');
    const bob = await server.token('bob');
    const [order, bobs] = await Promise.all([createOrder(server, alice, 12_300), createOrder(server, bob, 4_500)]);
    const paymentId = order.payment.id;

    // Staff and the payer on the same payment with the same operation (one shared key), each
    // under an id of its own, odd ones included; ids repeat across sockets, as real clients' do.
    const ids = ['1', '1', 'a"quoted\\id', 'ü-7', '9f0c1e2a-0000-4000-8000-000000000001', '1'];
    const watchers = await Promise.all(ids.map(async (id, i) => ({ id, client: await connect(server, i === 5 ? alice : await server.token(`ops-${i}`, 'admin')) })));
    // Bob, a customer, asks for alice's payment with the very same text (and his own payment too).
    const intruder = await connect(server, bob);
    intruder.follow('steal', paymentId);
    intruder.follow('own', bobs.payment.id);
    for (const { id, client } of watchers) client.follow(id, paymentId);

    await eventually(() => watchers.every(({ id, client }) => client.of(id).some((f) => f.type === 'next')), 5_000, 'every watcher has the current state');
    await eventually(() => intruder.of('steal').some((f) => f.type === 'complete') && intruder.of('own').some((f) => f.type === 'next'), 5_000, "bob's answers").catch((error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(intruder.frames)}`);
    });
    // Refused as graphql-ws answers a failed subscribe: one result with the error, no data, then complete.
    expect(intruder.of('steal')).toEqual([
      { id: 'steal', type: 'next', payload: { errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_FOUND' }) })] } },
      { id: 'steal', type: 'complete' },
    ]);
    expect(bus.listenerCount(paymentTopic(paymentId))).toBe(ids.length);

    await pay(server.url, order.razorpayOrderId, { awaitWebhooks: true });
    const statuses = (frames: Frame[]) => frames.filter((f) => f.type === 'next').map((f) => f.payload!.data!.paymentStatusChanged.status);
    await eventually(() => watchers.every(({ id, client }) => statuses(client.of(id)).includes('CAPTURED')), 10_000, 'the capture everywhere');
    // The marker comes after every real change: once a watcher has it, it has all of them.
    await sendMarker(server, paymentId);
    await eventually(() => watchers.every(({ id, client }) => client.of(id).some((f) => f.payload?.data?.paymentStatusChanged.version === MARKER_VERSION)), 10_000, 'the marker everywhere');

    const reference = watchers[0]!.client.of('1').filter((f) => f.type === 'next');
    expect(statuses(reference)[0]).toBe('CREATED');
    expect(statuses(reference).at(-2)).toBe('CAPTURED');
    for (const { id, client } of watchers) {
      const mine = client.frames.filter((f) => f.type === 'next');
      // Only its own id, the same payloads as everyone's.
      expect(mine.every((f) => f.id === id)).toBe(true);
      expect(mine.map((f) => f.payload)).toEqual(reference.map((f) => f.payload));
      expect(mine.find((f) => f.payload!.data!.paymentStatusChanged.status === 'CAPTURED')!.payload)
        .toEqual({ data: { paymentStatusChanged: { id: paymentId, status: 'CAPTURED', version: expect.any(Number), amount: 12_300 } } });
    }
    // The bytes on the wire are graphql-ws's own `next` message.
    const capturedRaw = watchers[2]!.client.raw.find((text) => text.includes('"CAPTURED"'))!;
    expect(capturedRaw.startsWith(`{"id":${JSON.stringify(ids[2])},"type":"next","payload":{"data":{"paymentStatusChanged":`)).toBe(true);
    // Bob heard nothing of alice's payment, on either subscription.
    expect(intruder.frames.some((f) => f.payload?.data?.paymentStatusChanged.id === paymentId)).toBe(false);
    expect(statuses(intruder.of('own'))).toEqual(['CREATED']);

    // A completed subscription stops at once; its socket's other watchers are unaffected.
    const [first] = watchers;
    first!.client.socket.send(JSON.stringify({ id: '1', type: 'complete' }));
    await eventually(() => bus.listenerCount(paymentTopic(paymentId)) === ids.length - 1, 5_000, 'the completed subscription released');
    const before = first!.client.frames.length;
    const payment = await server.db.orm.em.fork().findOneOrFail(Payment, { id: paymentId });
    await publishPaymentMessage(bus, { ...toPaymentMessage(toPaymentType(payment)), version: MARKER_VERSION + 1 });
    await eventually(() => watchers.slice(1).every(({ id, client }) => client.of(id).some((f) => f.payload?.data?.paymentStatusChanged.version === MARKER_VERSION + 1)), 5_000, 'the next change');
    expect(first!.client.frames.length).toBe(before);

    // Closed sockets (one abruptly): every listener released, the topic gone.
    watchers[1]!.client.socket.terminate();
    for (const { client } of watchers.slice(2)) client.socket.close();
    await eventually(() => bus.listenerCount(paymentTopic(paymentId)) === 0, 5_000, 'closed sockets released');
    intruder.socket.close();
    first!.client.socket.close();
    await Promise.all([intruder.closed, first!.client.closed]);
    await eventually(() => bus.listenerCount(paymentTopic(bobs.payment.id)) === 0, 5_000, "bob's listener released");
  });
});
