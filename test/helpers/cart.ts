import type { CartPaymentMethod } from '../graphql/generated.js';
import { AddCartItemDocument, AddProductDocument, ProcessCartDocument } from '../graphql/generated.js';
import type { TestServer } from './server.js';

let productCounter = 0;

/** Adds a product to the catalog as `admin`, failing the test on any error. */
export async function addProduct(server: TestServer, admin: string, price: number, extra: { name?: string; currency?: string } = {}) {
  productCounter += 1;
  const response = await server.gql(AddProductDocument, { input: { name: extra.name ?? `Test product ${productCounter}`, price, currency: extra.currency } }, admin);
  if (response.errors) throw new Error(`addProduct: ${JSON.stringify(response.errors)}`);
  return response.data!.addProduct;
}

/** Puts `items` in the caller's open cart (created on first use) and returns the cart. */
export async function fillCart(server: TestServer, token: string, items: { productId: string; quantity: number }[]) {
  let cart = null;
  for (const item of items) {
    const response = await server.gql(AddCartItemDocument, { input: item }, token);
    if (response.errors) throw new Error(`addCartItem: ${JSON.stringify(response.errors)}`);
    cart = response.data!.addCartItem;
  }
  if (!cart) throw new Error('fillCart needs at least one item');
  return cart;
}

/** processCart, failing the test on any error. */
export async function checkOut(server: TestServer, token: string, cartId: string, method: CartPaymentMethod = 'GATEWAY', idempotencyKey?: string) {
  const response = await server.gql(ProcessCartDocument, { input: { cartId, method, idempotencyKey } }, token);
  if (response.errors) throw new Error(`processCart: ${JSON.stringify(response.errors)}`);
  return response.data!.processCart;
}
