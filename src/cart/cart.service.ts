import { LockMode, type EntityManager, type MikroORM } from '@mikro-orm/postgresql';
import { isStaff, type AuthUser } from '../auth/auth.js';
import { Product } from '../catalog/product.entity.js';
import type { Config } from '../config.js';
import { badInput, conflict, notFound } from '../common/errors.js';
import type { Logger } from '../logger.js';
import { formatMoney } from '../money/money.js';
import { isUuid } from '../common/ids.js';
import { Cart, CartLine, CartStatus, OPEN_CART_STATUSES } from './cart.entity.js';
import { readCartView, type CartView } from './cart.view.js';
import { MAX_QUANTITY, type AddCartItemInput, type RemoveCartItemInput, type UpdateCartItemInput } from './cart.inputs.js';

/** The most different products one cart may hold. */
export const MAX_CART_LINES = 50;

/**
 * Carts. Rules kept here: a user has at most one open cart (ACTIVE, or CHECKED_OUT while being
 * paid for), created on first add; only an ACTIVE cart changes, under its row lock, so an
 * edit and a checkout never interleave; quantities are 1 to 99, at most 50 products; only
 * active products are added; one currency per cart; more is not added than one payment can
 * pay for (MAX_ORDER_AMOUNT at current prices). Prices are never stored while ACTIVE:
 * the catalog's current price is shown, and the checkout fixes it.
 */
export class CartService {
  constructor(
    private readonly orm: MikroORM,
    private readonly config: Config,
    private readonly logger: Logger,
  ) {}

  /**
   * Without `id`: the caller's open cart (ACTIVE, or CHECKED_OUT while its payment is pending),
   * or null when there is none; reading never creates one. With `id`: that cart, the caller's
   * own (staff: anyone's), or NOT_FOUND.
   */
  async getCart(user: AuthUser, id?: string | null): Promise<CartView | null> {
    const em = this.orm.em.fork();
    if (id === undefined || id === null) {
      const open = await em.findOne(Cart, { userId: user.id, status: { $in: [...OPEN_CART_STATUSES] } });
      return open ? readCartView(em, open) : null;
    }
    const cart = isUuid(id) ? await em.findOne(Cart, { id }) : null;
    if (!cart || (!isStaff(user) && cart.userId !== user.id)) throw notFound('Cart', id);
    return readCartView(em, cart);
  }

  /** A cart and its lines, read now (the caller has checked who may see it). */
  async view(cartId: string): Promise<CartView> {
    const em = this.orm.em.fork();
    return readCartView(em, await em.findOneOrFail(Cart, { id: cartId }));
  }

  /**
   * Adds `quantity` (default 1) of an active product; a product already in the cart has its
   * quantity increased, to at most 99. Without `cartId` the caller's open cart is used, and
   * created if they have none.
   */
  async addItem(user: AuthUser, input: AddCartItemInput): Promise<CartView> {
    return this.edit(user, input.cartId, true, async (em, cart) => {
      const product = await em.findOne(Product, { id: input.productId });
      if (!product) throw notFound('Product', input.productId);
      if (!product.active) throw badInput('input.productId', `${describe(product)} is no longer offered`);
      if (cart.currency !== null && cart.currency !== product.currency) {
        throw badInput('input.productId', `${describe(product)} is priced in ${product.currency} but this cart is in ${cart.currency}: a cart holds one currency, so check it out or clear it first`);
      }
      const lines = await em.find(CartLine, { cart }, { populate: ['product'] });
      const quantity = input.quantity ?? 1;
      const line = lines.find((candidate) => candidate.product.id === product.id);
      if (line) {
        const wanted = line.quantity + quantity;
        if (wanted > MAX_QUANTITY) {
          throw badInput('input.quantity', `would make ${wanted} of ${describe(product)} (the cart has ${line.quantity}); at most ${MAX_QUANTITY} of one product`);
        }
        line.quantity = wanted;
      } else {
        if (lines.length >= MAX_CART_LINES) {
          throw conflict(`cart ${cart.id} already holds ${MAX_CART_LINES} different products, the most allowed: remove one before adding another`);
        }
        const added = Object.assign(new CartLine(), { cart, product, quantity });
        em.persist(added);
        lines.push(added);
      }
      cart.currency = product.currency;
      this.assertPayable(lines, product.currency);
    });
  }

  /** Sets the quantity (1 to 99) of a product already in the cart; a product no longer offered can only be removed. */
  async updateItem(user: AuthUser, input: UpdateCartItemInput): Promise<CartView> {
    return this.edit(user, input.cartId, false, async (em, cart) => {
      const lines = await em.find(CartLine, { cart }, { populate: ['product'] });
      const line = lines.find((candidate) => candidate.product.id === input.productId);
      if (!line) throw notFound('Product', `${input.productId} in cart ${cart.id}`);
      if (!line.product.active) {
        throw badInput('input.productId', `${describe(line.product)} is no longer offered: remove it from the cart (removeCartItem)`);
      }
      line.quantity = input.quantity;
      this.assertPayable(lines, line.product.currency);
    });
  }

  /** Takes a product out of the cart. */
  async removeItem(user: AuthUser, input: RemoveCartItemInput): Promise<CartView> {
    return this.edit(user, input.cartId, false, async (em, cart) => {
      const line = await lineOf(em, cart, input.productId);
      em.remove(line);
      if ((await em.count(CartLine, { cart, id: { $ne: line.id } })) === 0) cart.currency = null;
    });
  }

  /** Empties the cart (it stays the caller's open cart). */
  async clear(user: AuthUser, cartId: string | null | undefined): Promise<CartView> {
    return this.edit(user, cartId, false, async (em, cart) => {
      for (const line of await em.find(CartLine, { cart })) em.remove(line);
      cart.currency = null;
    });
  }

  /** A cart no single payment could pay for is not let grow (its total would not fit an order). */
  private assertPayable(lines: CartLine[], currency: string): void {
    const total = lines.reduce((sum, line) => sum + line.product.price * line.quantity, 0);
    const max = this.config.maxOrderAmount;
    if (total > max) {
      throw badInput('input.quantity', `the cart would total ${formatMoney(total, currency)} (${total}), more than the largest payment of ${formatMoney(max, currency)} (${max}): check out what you have first`);
    }
  }

  /** Runs `change` on the caller's ACTIVE cart under its row lock; any other status is a CONFLICT. */
  private async edit(
    user: AuthUser,
    cartId: string | null | undefined,
    createIfNone: boolean,
    change: (em: EntityManager, cart: Cart) => Promise<void>,
  ): Promise<CartView> {
    return this.orm.em.fork().transactional(async (em) => {
      const cart = cartId ? await lockOwnCart(em, user, cartId) : await this.lockOpenCart(em, user, createIfNone);
      if (cart.status !== CartStatus.ACTIVE) throw conflict(notEditable(cart));
      await change(em, cart);
      cart.updatedAt = new Date();
      await em.flush();
      return readCartView(em, cart);
    });
  }

  /** The caller's open cart, locked; created (once, whatever the concurrency) when asked. */
  private async lockOpenCart(em: EntityManager, user: AuthUser, createIfNone: boolean): Promise<Cart> {
    const where = { userId: user.id, status: { $in: [...OPEN_CART_STATUSES] } };
    const lock = { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true } as const;
    const open = await em.findOne(Cart, where, lock);
    if (open) return open;
    if (!createIfNone) throw badInput('input.cartId', 'you have no open cart: add an item first (addCartItem creates the cart)');
    const fresh = new Cart();
    // Two first adds at once: the one-open-cart index lets one insert win, the other uses it.
    await em.createQueryBuilder(Cart)
      .insert({ id: fresh.id, userId: user.id, status: CartStatus.ACTIVE, createdAt: fresh.createdAt, updatedAt: fresh.updatedAt })
      .onConflict()
      .ignore()
      .execute();
    const created = await em.findOneOrFail(Cart, where, lock);
    if (created.id === fresh.id) this.logger.info({ cartId: created.id, userId: user.id }, 'cart created');
    return created;
  }
}

/** The caller's own cart (even staff edit only their own), locked; NOT_FOUND otherwise. */
async function lockOwnCart(em: EntityManager, user: AuthUser, cartId: string): Promise<Cart> {
  const cart = isUuid(cartId) ? await em.findOne(Cart, { id: cartId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true }) : null;
  if (!cart || cart.userId !== user.id) throw notFound('Cart', cartId);
  return cart;
}

async function lineOf(em: EntityManager, cart: Cart, productId: string): Promise<CartLine> {
  const line = await em.findOne(CartLine, { cart, product: productId }, { populate: ['product'] });
  if (!line) throw notFound('Product', `${productId} in cart ${cart.id}`);
  return line;
}

/** Why a cart that is not ACTIVE cannot change, and what to do instead. */
export function notEditable(cart: Cart): string {
  switch (cart.status) {
    case CartStatus.CHECKED_OUT:
      return `cart ${cart.id} is CHECKED_OUT: its payment is pending, so it cannot change; it returns to ACTIVE if the payment fails or expires`;
    case CartStatus.CONVERTED:
      return `cart ${cart.id} is CONVERTED (paid and booked): add items without cartId to start a new cart`;
    default:
      return `cart ${cart.id} is ${cart.status}${cart.failureReason ? ` (${cart.failureReason})` : ''}: add items without cartId to start a new cart`;
  }
}

function describe(product: Product): string {
  return `product "${product.name}" (${product.id})`;
}
