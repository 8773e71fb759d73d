/**
 * MikroORM's `propagationOnPrototype` is off (issue 11: building an order's three entities cost
 * ~60 µs of property redefinitions with it on). What that changes, and what it must not: a new
 * entity is a plain object until it is persisted, read or assigned through the EntityManager; a
 * ManyToOne set on it reaches the inverse collection (a cart's lines, a booking's items) when it
 * is persisted, not before; everything the EntityManager holds is tracked as before.
 */
import 'reflect-metadata';
import { wrap } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Booking, BookingItem } from '../../src/bookings/booking.entity.js';
import { Cart, CartLine } from '../../src/cart/cart.entity.js';
import { Product } from '../../src/catalog/product.entity.js';
import { Payment, PaymentPurpose } from '../../src/payments/payment.entity.js';
import { PaymentStatus } from '../../src/payments/payment.state.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 4 });
});
afterAll(async () => {
  await db?.drop();
});

const product = (name: string) => Object.assign(new Product(), { name, price: 10_000, currency: 'INR' });
const newPayment = (payerId: string) => Object.assign(new Payment(), {
  purpose: PaymentPurpose.CART, amount: 20_000, currency: 'INR', feeBps: 0, platformFee: 0, payeeAmount: 20_000, payerId,
});

describe('a new entity, before the EntityManager sees it', () => {
  it('holds its fields as plain values (no setters defined by its constructor); persisting gives it MikroORM\'s tracking', () => {
    const payment = Object.assign(new Payment(), { amount: 5_000 });
    expect(Object.getOwnPropertyDescriptor(payment, 'status')).toMatchObject({ value: PaymentStatus.CREATED, writable: true });
    expect(Object.getOwnPropertyDescriptor(payment, 'amount')).toMatchObject({ value: 5_000 });
    expect(wrap(payment, true).isTouched()).toBe(false);

    db.orm.em.fork().persist(payment);
    expect(Object.getOwnPropertyDescriptor(payment, 'amount')?.get).toBeTypeOf('function');
    expect(payment).toMatchObject({ status: PaymentStatus.CREATED, amount: 5_000 });
    payment.amount = 6_000;
    expect(wrap(payment, true).isTouched()).toBe(true);
    expect(payment.amount).toBe(6_000);
  });

  it('a ManyToOne set on a new line or item reaches the inverse collection when it is persisted, not before', () => {
    const em = db.orm.em.fork();
    const cart = Object.assign(new Cart(), { userId: 'u-prop-1' });
    const line = Object.assign(new CartLine(), { cart, product: product('p1'), quantity: 1 });
    expect(cart.lines.isInitialized()).toBe(true);
    expect(cart.lines.contains(line, false)).toBe(false);
    em.persist(line);
    expect(cart.lines.getItems()).toEqual([line]);

    const booking = Object.assign(new Booking(), { userId: 'u-prop-1', cart, payment: newPayment('u-prop-1'), totalAmount: 10_000, currency: 'INR' });
    const item = Object.assign(new BookingItem(), { booking, position: 0, product: line.product, name: 'p1', quantity: 1, unitPrice: 10_000, lineTotal: 10_000 });
    expect(booking.items.contains(item, false)).toBe(false);
    em.persist(item);
    expect(booking.items.getItems()).toEqual([item]);
  });

  it('added through the collection, it is on both sides at once, and the flush writes it', async () => {
    const em = db.orm.em.fork();
    const cart = Object.assign(new Cart(), { userId: 'u-prop-2' });
    const line = Object.assign(new CartLine(), { product: product('p2'), quantity: 2 });
    cart.lines.add(line);
    expect(line.cart).toBe(cart);
    em.persist(cart);
    await em.flush();
    const read = await db.orm.em.fork().findOneOrFail(CartLine, { id: line.id });
    expect(read).toMatchObject({ cart: { id: cart.id }, quantity: 2 });
  });
});

describe('what the EntityManager holds is tracked as before', () => {
  it('a read line moved to another cart leaves the old cart\'s loaded lines, joins the new one\'s, and the flush writes it', async () => {
    const seed = db.orm.em.fork();
    const shared = product('p3');
    const from = Object.assign(new Cart(), { userId: 'u-prop-3' });
    const to = Object.assign(new Cart(), { userId: 'u-prop-4' });
    seed.persist([from, to, Object.assign(new CartLine(), { cart: from, product: shared, quantity: 3 })]);
    await seed.flush();

    const em = db.orm.em.fork();
    const [source, target] = await Promise.all([
      em.findOneOrFail(Cart, { id: from.id }, { populate: ['lines'] }),
      em.findOneOrFail(Cart, { id: to.id }, { populate: ['lines'] }),
    ]);
    const line = source.lines.getItems()[0]!;
    line.cart = target;
    expect(source.lines.getItems()).toEqual([]);
    expect(target.lines.getItems()).toEqual([line]);
    // The change is seen by the auto-flush before a query, as before.
    expect(await em.count(CartLine, { cart: target })).toBe(1);
    const fresh = db.orm.em.fork();
    expect(await fresh.count(CartLine, { cart: from.id })).toBe(0);
    expect(await fresh.count(CartLine, { cart: to.id })).toBe(1);
  });

  it('a field changed on a reference (em.getReference) is written by the flush', async () => {
    const seed = db.orm.em.fork();
    const payment = newPayment('u-prop-5');
    seed.persist(payment);
    await seed.flush();

    const em = db.orm.em.fork();
    const ref = em.getReference(Payment, payment.id);
    ref.description = 'changed on a reference';
    await em.flush();
    expect((await db.orm.em.fork().findOneOrFail(Payment, { id: payment.id })).description).toBe('changed on a reference');
  });
});
