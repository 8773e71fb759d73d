import 'reflect-metadata';
import type { MikroORM } from '@mikro-orm/postgresql';
import { describe, expect, it } from 'vitest';
import { createInProcessBus } from '../../src/graphql/pubsub.js';
import { PaymentFeed } from '../../src/payments/payment.feed.js';
import { PAYMENT_UPDATED_TOPIC, PaymentPublisher } from '../../src/payments/payment.publisher.js';
import { Payment } from '../../src/payments/payment.entity.js';
import { PaymentStatus } from '../../src/payments/payment.state.js';
import { createLogger } from '../../src/logger.js';
import type { PaymentMessage, PaymentType } from '../../src/payments/payment.types.js';

const message = (id: string, version: number, status = 'AUTHORIZED') => ({
  id, version, status, payerId: 'payer-1', createdAt: '2026-11-30T00:00:00.000Z', updatedAt: '2026-11-30T00:00:01.000Z', paidAt: null, method: null,
}) as unknown as PaymentMessage;

describe('a payment feed handing changes over directly (shared subscriptions)', () => {
  it('hands over each newer change once, never an older one, and one it refuses is what the waiting next() gets', async () => {
    const bus = createInProcessBus();
    // followAll reads nothing from the database.
    const feed = new PaymentFeed(null as unknown as MikroORM, bus);
    const stream = (await feed.followAll({ id: 'staff-1', role: 'admin' })) as AsyncIterableIterator<PaymentType> & { direct(take: ((value: PaymentType) => boolean) | null): void };
    const taken: [string, number][] = [];
    let refuse = false;
    stream.direct((payment) => !refuse && (taken.push([payment.id, payment.version]), true));
    const waiting = stream.next();
    await bus.publish(PAYMENT_UPDATED_TOPIC, message('p1', 2));
    await bus.publish(PAYMENT_UPDATED_TOPIC, message('p1', 1));
    await bus.publish(PAYMENT_UPDATED_TOPIC, message('p1', 2));
    await bus.publish(PAYMENT_UPDATED_TOPIC, message('p2', 1));
    await bus.publish(PAYMENT_UPDATED_TOPIC, message('p1', 3));
    expect(taken).toEqual([['p1', 2], ['p2', 1], ['p1', 3]]);
    // Refused (a slow socket): the waiting next() gets it, and it is not counted as seen twice.
    refuse = true;
    await bus.publish(PAYMENT_UPDATED_TOPIC, message('p1', 4, 'CAPTURED'));
    const result = await waiting;
    expect(result.done).toBe(false);
    expect([result.value!.id, result.value!.version, result.value!.status]).toEqual(['p1', 4, 'CAPTURED']);
    refuse = false;
    const next = stream.next();
    await bus.publish(PAYMENT_UPDATED_TOPIC, message('p1', 4));
    await bus.publish(PAYMENT_UPDATED_TOPIC, message('p1', 5));
    expect(taken.at(-1)).toEqual(['p1', 5]);
    await stream.return!();
    expect(await next).toEqual({ value: undefined, done: true });
    expect(bus.listenerCount(PAYMENT_UPDATED_TOPIC)).toBe(0);
  });
});

describe('PaymentPublisher.onPublished', () => {
  it('reports the time from the change (updatedAt) to its publish, taken before the subscribers are written to', async () => {
    const bus = createInProcessBus();
    const publisher = new PaymentPublisher(bus, createLogger('silent'));
    const delays: number[] = [];
    let heardAfterDelay = false;
    publisher.onPublished((ms) => delays.push(ms));
    await bus.listen(PAYMENT_UPDATED_TOPIC, () => void (heardAfterDelay = delays.length === 1));
    const payment = Object.assign(new Payment(), {
      id: '00000000-0000-4000-8000-000000000001', payerId: 'payer-1', payeeId: 'payee-1', amount: 100, currency: 'INR', status: PaymentStatus.AUTHORIZED,
      version: 2, amountRefunded: 0, createdAt: new Date(), updatedAt: new Date(Date.now() - 40), paidAt: null,
    });
    await publisher.publish(payment);
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(40);
    expect(heardAfterDelay).toBe(true);
  });
});
