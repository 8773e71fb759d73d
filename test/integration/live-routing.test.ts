/**
 * Live status routed by topic (issue 11): a change reaches the followers of that payment and of
 * that payer, nobody else; subscribers sharing one execution still get exactly their own
 * selection; a subscription that stops — unsubscribed or its socket gone — leaves the routing
 * map, so nothing leaks however many come and go.
 */
import 'reflect-metadata';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAYMENT_UPDATED_TOPIC, payerTopic, paymentTopic } from '../../src/payments/payment.publisher.js';
import { pay } from '../helpers/checkout.js';
import { createOrder } from '../helpers/flows.js';
import { collect, eventually, resultsBeforeMarker, sendMarker, startTestServer, type TestServer } from '../helpers/server.js';
import { MyPaymentUpdatesDocument, PaymentStatusChangedDocument, PaymentsWithTransactionsDocument } from '../graphql/generated.js';

/** A selection with a field resolver (transactions): run per subscriber, never shared. */
const WithTransactions = parse(`subscription WithTransactions($paymentId: ID!) {
  paymentStatusChanged(paymentId: $paymentId) { id status transactions { type status } } }`) as TypedDocumentNode<
  { paymentStatusChanged: { id: string; status: string; transactions: { type: string; status: string }[] } },
  { paymentId: string }
>;

let server: TestServer;
let alice: string;
let bob: string;
let admin: string;

beforeAll(async () => {
  server = await startTestServer();
  [alice, bob, admin] = await Promise.all([server.token('alice'), server.token('bob'), server.token('ops', 'admin')]);
});

afterAll(async () => {
  await server?.close();
});

describe('live status routing', () => {
  it('a change reaches only the followers of that payment and that payer; stopped subscriptions leave the map', async () => {
    const { bus } = server.app;
    const topicsBefore = bus.topicCount();
    const [a1, a2, b] = await Promise.all([createOrder(server, alice, 10_100), createOrder(server, alice, 10_200), createOrder(server, bob, 10_300)]);
    const aliceClient = server.ws(alice);
    const bobClient = server.ws(bob);
    const adminClient = server.ws(admin);
    // Two identical subscriptions (they share one execution per message), another payment of
    // the same payer, the payer's feed, and the other customer's.
    const a1First = collect(aliceClient, PaymentStatusChangedDocument, { paymentId: a1.payment.id });
    const a1Second = collect(aliceClient, PaymentStatusChangedDocument, { paymentId: a1.payment.id });
    const a1Staff = collect(adminClient, WithTransactions, { paymentId: a1.payment.id });
    const a2Only = collect(aliceClient, PaymentStatusChangedDocument, { paymentId: a2.payment.id });
    const aliceMine = collect(aliceClient, MyPaymentUpdatesDocument);
    const bFollow = collect(bobClient, PaymentStatusChangedDocument, { paymentId: b.payment.id });
    const bobMine = collect(bobClient, MyPaymentUpdatesDocument);
    const feeds = [a1First, a1Second, a1Staff, a2Only, aliceMine, bFollow, bobMine];
    await eventually(() => bus.listenerCount(paymentTopic(a1.payment.id)) === 3 && bus.listenerCount(payerTopic('alice')) === 1 &&
      bus.listenerCount(payerTopic('bob')) === 1 && bus.listenerCount(paymentTopic(b.payment.id)) === 1, 5_000, 'every subscription routed');
    expect(bus.listenerCount(paymentTopic(a2.payment.id))).toBe(1);
    expect(bus.listenerCount(PAYMENT_UPDATED_TOPIC)).toBe(0);

    await pay(server.url, a1.razorpayOrderId, { awaitWebhooks: true });
    const captured = (feed: typeof a1First) => feed.results.some((r) => r.data?.paymentStatusChanged.status === 'CAPTURED');
    await eventually(() => captured(a1First) && captured(a1Second) && aliceMine.results.some((r) => r.data?.myPaymentUpdates.status === 'CAPTURED') &&
      a1Staff.results.some((r) => r.data?.paymentStatusChanged.status === 'CAPTURED'), 10_000, "a1's followers told of the capture");

    // The shared execution answered both identical subscriptions alike, each change once.
    const statuses = (feed: typeof a1First) => feed.results.map((r) => r.data?.paymentStatusChanged.status);
    expect(statuses(a1First)).toEqual(statuses(a1Second));
    expect(new Set(a1First.results.map((r) => r.data?.paymentStatusChanged.version)).size).toBe(a1First.results.length);
    expect(a1First.results.every((r) => r.data?.paymentStatusChanged.id === a1.payment.id && !r.errors)).toBe(true);
    // The staff selection with a resolver ran for itself: its transactions are there.
    const staffCaptured = a1Staff.results.find((r) => r.data?.paymentStatusChanged.status === 'CAPTURED')!;
    expect(staffCaptured.data!.paymentStatusChanged.transactions).toEqual([{ type: 'CHARGE', status: 'COMPLETED' }]);
    expect(aliceMine.results.every((r) => r.data?.myPaymentUpdates.id === a1.payment.id)).toBe(true);

    // A read right after the commit sees it: plain rows, no cache in between.
    const page = await server.gql(PaymentsWithTransactionsDocument, { first: 10 }, alice);
    expect(page.data!.payments.edges.find((e) => e.node.id === a1.payment.id)!.node).toMatchObject({ status: 'CAPTURED', transactions: [{ type: 'CHARGE', status: 'COMPLETED' }] });

    // Markers on a2 and on bob's payment: a message about a1 wrongly routed to their followers
    // was published before them, so it would be among the results before each marker.
    await Promise.all([sendMarker(server, a2.payment.id), sendMarker(server, b.payment.id)]);
    const followed = (data: { paymentStatusChanged: { version: number } }) => data.paymentStatusChanged.version;
    expect((await resultsBeforeMarker(a2Only, followed)).map((r) => r.data?.paymentStatusChanged.status)).toEqual(['CREATED']);
    expect((await resultsBeforeMarker(bFollow, followed)).map((r) => r.data?.paymentStatusChanged.status)).toEqual(['CREATED']);
    expect(await resultsBeforeMarker(bobMine, (data) => data.myPaymentUpdates.version)).toEqual([]);

    // Unsubscribed: gone from the map at once. A socket that dies: gone once the server sees it close.
    a1First.stop();
    await eventually(() => bus.listenerCount(paymentTopic(a1.payment.id)) === 2, 5_000, 'the unsubscribed listener removed');
    await bobClient.dispose();
    await eventually(() => bus.listenerCount(payerTopic('bob')) === 0 && bus.listenerCount(paymentTopic(b.payment.id)) === 0, 5_000, "bob's closed socket removed");
    for (const feed of feeds) feed.stop();
    await Promise.all([aliceClient.dispose(), adminClient.dispose()]);
    await eventually(() => bus.topicCount() === topicsBefore, 5_000, 'every topic left once its last listener stopped');
  });
});
