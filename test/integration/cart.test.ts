import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cart, CartLine } from '../../src/cart/cart.entity.js';
import { seedCatalog } from '../../src/catalog/catalog.seed.js';
import { Product } from '../../src/catalog/product.entity.js';
import { createLogger } from '../../src/logger.js';
import {
  AddCartItemDocument, AddProductDocument, CartDocument, ClearCartDocument, DeactivateProductDocument, ProductsDocument, RemoveCartItemDocument,
  UpdateCartItemDocument, UpdateProductDocument,
} from '../graphql/generated.js';
import { createTestDatabase } from '../helpers/database.js';
import { addProduct, fillCart } from '../helpers/cart.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let admin: string;

beforeAll(async () => {
  server = await startTestServer();
  admin = await server.token('catalog-admin', 'admin');
});
afterAll(async () => {
  await server?.close();
});

const em = () => server.db.orm.em.fork();
const add = (token: string, input: { productId: string; quantity?: number | null; cartId?: string }) => server.gql(AddCartItemDocument, { input }, token);
const readCart = async (token: string, id?: string) => (await server.gql(CartDocument, { id }, token)).data!.cart;

describe('the catalog', () => {
  it('only admins add, change and deactivate products; prices are positive integers up to the largest order', async () => {
    const customer = await server.token('catalog-customer');
    const denied = await server.gql(AddProductDocument, { input: { name: 'Nope', price: 1000 } }, customer);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const zero = await server.gql(AddProductDocument, { input: { name: 'Free', price: 0 } }, admin);
    expect(zero.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.price' });
    const huge = await server.gql(AddProductDocument, { input: { name: 'Palace', price: server.config.maxOrderAmount + 1 } }, admin);
    expect(huge.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.price' });
    const blank = await server.gql(AddProductDocument, { input: { name: '   ', price: 100 } }, admin);
    expect(blank.errors?.[0]?.extensions?.field).toBe('input.name');
    const currency = await server.gql(AddProductDocument, { input: { name: 'Yen', price: 100, currency: 'JPY' } }, admin);
    expect(currency.errors?.[0]?.extensions?.field).toBe('input.currency');

    const created = (await server.gql(AddProductDocument, { input: { name: ' Window cleaning ', description: 'All windows', kind: 'SERVICE', price: 49_900 } }, admin)).data!.addProduct;
    expect(created).toMatchObject({ name: 'Window cleaning', kind: 'SERVICE', price: 49_900, currency: 'INR', active: true });
    const repriced = await server.gql(UpdateProductDocument, { input: { id: created.id, price: 54_900, description: '' } }, admin);
    expect(repriced.data!.updateProduct).toMatchObject({ price: 54_900, description: null, name: 'Window cleaning' });
    expect((await server.gql(UpdateProductDocument, { input: { id: created.id, price: 1 } }, customer)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await server.gql(DeactivateProductDocument, { id: created.id }, customer)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const gone = await server.gql(DeactivateProductDocument, { id: created.id }, admin);
    expect(gone.data!.deactivateProduct.active).toBe(false);
    expect((await server.gql(DeactivateProductDocument, { id: '00000000-0000-4000-8000-000000000000' }, admin)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await server.gql(DeactivateProductDocument, { id: 'x' }, admin)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('products(first, after): customers page through active products only, newest first; admins see all', async () => {
    const customer = await server.token('catalog-reader');
    const made = [];
    for (let i = 0; i < 5; i += 1) made.push(await addProduct(server, admin, 1_000 + i));
    await server.gql(DeactivateProductDocument, { id: made[2]!.id }, admin);
    const activeCount = await em().count(Product, { active: true });
    const first = (await server.gql(ProductsDocument, { first: 2 }, customer)).data!.products;
    expect(first.totalCount).toBe(activeCount);
    expect(first.edges.map((e) => e.node.id)).toEqual([made[4]!.id, made[3]!.id]);
    const second = (await server.gql(ProductsDocument, { first: 2, after: first.pageInfo.endCursor }, customer)).data!.products;
    expect(second.edges.map((e) => e.node.id)).toEqual([made[1]!.id, made[0]!.id]);
    expect((await server.gql(ProductsDocument, { first: 100 }, admin)).data!.products.totalCount).toBe(await em().count(Product, {}));
    expect((await server.gql(ProductsDocument, { first: 0 }, customer)).errors?.[0]?.extensions?.field).toBe('first');
    expect((await server.gql(ProductsDocument, {}, null)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('the development seed fills an empty catalog once, also when two instances start together', async () => {
    const db = await createTestDatabase();
    try {
      const logger = createLogger('silent');
      const seeded = await Promise.all([seedCatalog(db.orm, logger), seedCatalog(db.orm, logger)]);
      expect(seeded.sort()).toEqual([0, 4]);
      expect(await seedCatalog(db.orm, logger)).toBe(0);
      expect(await db.orm.em.fork().count(Product, { active: true })).toBe(4);
    } finally {
      await db.drop();
    }
  });
});

describe('the cart', () => {
  it('is created on the first add (not by reading), shows current prices, and adds up quantities', async () => {
    const token = await server.token('cart-1');
    const tea = await addProduct(server, admin, 2_500);
    const soap = await addProduct(server, admin, 1_200);
    expect(await readCart(token)).toBeNull();
    const first = (await add(token, { productId: tea.id })).data!.addCartItem;
    expect(first).toMatchObject({ status: 'ACTIVE', currency: 'INR', itemCount: 1, total: 2_500, payment: null, booking: null, checkedOutAt: null });
    await add(token, { productId: soap.id, quantity: 3 });
    const more = (await add(token, { productId: tea.id, quantity: 2 })).data!.addCartItem;
    expect(more.id).toBe(first.id);
    expect(more.lines.map((l) => [l.product.id, l.quantity, l.unitPrice, l.lineTotal])).toEqual([[tea.id, 3, 2_500, 7_500], [soap.id, 3, 1_200, 3_600]]);
    expect(more).toMatchObject({ itemCount: 6, total: 11_100 });
    await server.gql(UpdateProductDocument, { input: { id: tea.id, price: 3_000 } }, admin);
    expect((await readCart(token))!).toMatchObject({ id: first.id, total: 12_600 });
    expect((await readCart(token, first.id))!.id).toBe(first.id);
  });

  it('sets, removes and clears; an emptied cart has no currency again', async () => {
    const token = await server.token('cart-2');
    const a = await addProduct(server, admin, 1_000);
    const b = await addProduct(server, admin, 2_000);
    const usd = await addProduct(server, admin, 500, { currency: 'USD' });
    const cart = await fillCart(server, token, [{ productId: a.id, quantity: 1 }, { productId: b.id, quantity: 1 }]);
    const set = (await server.gql(UpdateCartItemDocument, { input: { productId: a.id, quantity: 99 } }, token)).data!.updateCartItem;
    expect(set.lines[0]).toMatchObject({ quantity: 99, lineTotal: 99_000 });
    const removed = (await server.gql(RemoveCartItemDocument, { input: { cartId: cart.id, productId: b.id } }, token)).data!.removeCartItem;
    expect(removed.lines.map((l) => l.product.id)).toEqual([a.id]);
    const missing = await server.gql(RemoveCartItemDocument, { input: { productId: b.id } }, token);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await server.gql(RemoveCartItemDocument, { input: { productId: a.id } }, token);
    expect(await readCart(token)).toMatchObject({ id: cart.id, currency: null, lines: [], total: 0 });
    // Empty again, so another currency is now fine.
    expect((await add(token, { productId: usd.id })).data!.addCartItem).toMatchObject({ currency: 'USD', total: 500 });
    const cleared = (await server.gql(ClearCartDocument, { cartId: cart.id }, token)).data!.clearCart;
    expect(cleared).toMatchObject({ id: cart.id, status: 'ACTIVE', currency: null, lines: [], itemCount: 0 });
  });

  it('refuses bad input, each naming the field: quantity 0 and 100, over 99 in total, unknown, malformed and inactive products, a second currency', async () => {
    const token = await server.token('cart-3');
    const product = await addProduct(server, admin, 1_000);
    const dollars = await addProduct(server, admin, 1_000, { currency: 'USD' });
    for (const quantity of [0, 100, -1]) {
      const response = await add(token, { productId: product.id, quantity });
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.quantity' });
      expect(response.errors?.[0]?.message).toBe('input.quantity: must be a whole number from 1 to 99');
    }
    expect(await readCart(token)).toBeNull();
    await add(token, { productId: product.id, quantity: 60 });
    const over = await add(token, { productId: product.id, quantity: 40 });
    expect(over.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.quantity' });
    expect(over.errors?.[0]?.message).toMatch(/would make 100 of product .* \(the cart has 60\); at most 99/);
    expect((await server.gql(UpdateCartItemDocument, { input: { productId: product.id, quantity: 0 } }, token)).errors?.[0]?.extensions?.field).toBe('input.quantity');

    const unknown = await add(token, { productId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const malformed = await add(token, { productId: 'latte' });
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.productId' });
    const otherCurrency = await add(token, { productId: dollars.id });
    expect(otherCurrency.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.productId' });
    expect(otherCurrency.errors?.[0]?.message).toMatch(/priced in USD but this cart is in INR/);

    const withdrawn = await addProduct(server, admin, 1_000);
    await server.gql(DeactivateProductDocument, { id: withdrawn.id }, admin);
    const inactive = await add(token, { productId: withdrawn.id });
    expect(inactive.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.productId' });
    expect(inactive.errors?.[0]?.message).toMatch(/is no longer offered$/);
    // A product withdrawn after it was added can be removed, not increased.
    await server.gql(DeactivateProductDocument, { id: product.id }, admin);
    expect((await server.gql(UpdateCartItemDocument, { input: { productId: product.id, quantity: 2 } }, token)).errors?.[0]?.message).toMatch(/remove it from the cart/);
    expect((await server.gql(RemoveCartItemDocument, { input: { productId: product.id } }, token)).errors).toBeUndefined();
  });

  it('does not grow beyond what one payment can pay for', async () => {
    const token = await server.token('cart-5');
    const max = server.config.maxOrderAmount;
    const big = await addProduct(server, admin, max - 100);
    const small = await addProduct(server, admin, 100);
    await fillCart(server, token, [{ productId: big.id, quantity: 1 }, { productId: small.id, quantity: 1 }]);
    const more = await add(token, { productId: small.id });
    expect(more.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.quantity' });
    expect(more.errors?.[0]?.message).toContain(`(${max + 100}), more than the largest payment`);
    expect((await server.gql(UpdateCartItemDocument, { input: { productId: big.id, quantity: 2 } }, token)).errors?.[0]?.extensions?.field).toBe('input.quantity');
    expect((await readCart(token))!.total).toBe(max);
  });

  it('holds at most 50 different products', async () => {
    const token = await server.token('cart-4');
    const products = await em().insertMany(Product, Array.from({ length: 51 }, (_, i) => Object.assign(new Product(), { name: `Bulk ${i}`, price: 100, currency: 'INR' })));
    for (const id of products.slice(0, 50)) expect((await add(token, { productId: id })).errors).toBeUndefined();
    const full = await add(token, { productId: products[50]! });
    expect(full.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(full.errors?.[0]?.message).toMatch(/already holds 50 different products, the most allowed/);
    expect((await add(token, { productId: products[0]!, quantity: 1 })).errors).toBeUndefined();
    // 52 requests one after another: on a loaded machine more than the default 30 s.
  }, 90_000);

  it("another user's cart is NOT_FOUND to read and to change; staff may read it", async () => {
    const owner = await server.token('cart-owner');
    const intruder = await server.token('cart-intruder');
    const product = await addProduct(server, admin, 1_000);
    const cart = await fillCart(server, owner, [{ productId: product.id, quantity: 1 }]);
    expect((await server.gql(CartDocument, { id: cart.id }, intruder)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await add(intruder, { cartId: cart.id, productId: product.id })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await server.gql(ClearCartDocument, { cartId: cart.id }, intruder)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await server.gql(ClearCartDocument, { cartId: 'not-a-cart' }, intruder)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await server.gql(CartDocument, { id: 'not-a-cart' }, owner)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await server.gql(CartDocument, { id: cart.id }, admin)).data!.cart!.id).toBe(cart.id);
    expect((await add(admin, { cartId: cart.id, productId: product.id })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await readCart(owner, cart.id))!.itemCount).toBe(1);
  });

  it('twenty first adds at once make one cart holding them all', async () => {
    const token = await server.token('cart-rush');
    const product = await addProduct(server, admin, 1_000);
    const results = await Promise.all(Array.from({ length: 20 }, () => add(token, { productId: product.id, quantity: 2 })));
    expect(results.map((r) => r.errors)).toEqual(Array(20).fill(undefined));
    expect(await em().count(Cart, { userId: 'cart-rush' })).toBe(1);
    const lines = await em().find(CartLine, { cart: { userId: 'cart-rush' } });
    expect(lines.map((l) => l.quantity)).toEqual([40]);
  });
});
