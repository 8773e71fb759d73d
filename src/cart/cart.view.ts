import type { EntityManager } from '@mikro-orm/postgresql';
import { CartLine, type Cart } from './cart.entity.js';

/** A cart with its lines (each with its product loaded), in the order they were added: what the cart services answer. */
export interface CartView {
  cart: Cart;
  lines: CartLine[];
}

/** Reads a cart's lines with their products (the caller has checked who may see the cart). */
export async function readCartView(em: EntityManager, cart: Cart): Promise<CartView> {
  const lines = await em.find(CartLine, { cart }, { populate: ['product'], orderBy: { createdAt: 'asc', id: 'asc' } });
  return { cart, lines };
}
