import type { FilterQuery, MikroORM } from '@mikro-orm/postgresql';
import { isStaff, type AuthUser } from '../auth/auth.js';
import type { Config } from '../config.js';
import { keysetPage, type Page } from '../common/paging.js';
import { badInput, notFound } from '../common/errors.js';
import type { Logger } from '../logger.js';
import { formatMoney } from '../money/money.js';
import { isUuid } from '../common/ids.js';
import { Product, ProductKind } from './product.entity.js';
import type { AddProductInput, UpdateProductInput } from './product.inputs.js';

/**
 * The catalog. Rules kept here: a price is a positive integer in the smallest unit, at most
 * the largest order (`MAX_ORDER_AMOUNT`); a product's currency never changes; customers see
 * active products only; a product is deactivated, never deleted.
 */
export class ProductService {
  constructor(
    private readonly orm: MikroORM,
    private readonly config: Config,
    private readonly logger: Logger,
  ) {}

  /** One page of the catalog, newest first; customers see active products only, staff all. */
  listProducts(user: AuthUser, first?: number | null, after?: string | null): Promise<Page<Product>> {
    const where: FilterQuery<Product> = isStaff(user) ? {} : { active: true };
    return keysetPage(this.orm.em.fork(), Product, where, { first, after }, (product) => product);
  }

  /** Adds a product (admin), active at once. */
  async addProduct(user: AuthUser, input: AddProductInput): Promise<Product> {
    const currency = input.currency ?? 'INR';
    this.assertPrice(input.price, currency);
    const product = Object.assign(new Product(), {
      name: input.name.trim(),
      description: input.description?.trim() || null,
      kind: input.kind ?? ProductKind.PRODUCT,
      price: input.price,
      currency,
    });
    if (product.name.length === 0) throw badInput('input.name', 'must not be blank');
    await this.orm.em.fork().persistAndFlush(product);
    this.logger.info({ productId: product.id, price: product.price, currency, by: user.id }, 'product added');
    return product;
  }

  /**
   * Changes a product (admin). A new price applies to carts checked out from now on; carts
   * already checked out keep the price they were charged.
   */
  async updateProduct(user: AuthUser, input: UpdateProductInput): Promise<Product> {
    const product = await this.orm.em.fork().transactional(async (em) => {
      const found = await em.findOne(Product, { id: input.id });
      if (!found) throw notFound('Product', input.id);
      if (input.name !== undefined && input.name !== null) {
        if (input.name.trim().length === 0) throw badInput('input.name', 'must not be blank');
        found.name = input.name.trim();
      }
      if (input.description !== undefined) found.description = input.description?.trim() || null;
      if (input.price !== undefined && input.price !== null) {
        this.assertPrice(input.price, found.currency);
        found.price = input.price;
      }
      if (input.active !== undefined && input.active !== null) found.active = input.active;
      found.updatedAt = new Date();
      return found;
    });
    this.logger.info({ productId: product.id, price: product.price, active: product.active, by: user.id }, 'product updated');
    return product;
  }

  /** Takes a product off sale (admin): carts can no longer add or check it out. Idempotent. */
  async deactivateProduct(user: AuthUser, id: string): Promise<Product> {
    if (!isUuid(id)) throw notFound('Product', id);
    return this.updateProduct(user, { id, active: false });
  }

  private assertPrice(price: number, currency: string): void {
    if (price > this.config.maxOrderAmount) {
      throw badInput('input.price', `must be at most ${this.config.maxOrderAmount} (${formatMoney(this.config.maxOrderAmount, currency)}), the largest order`);
    }
  }
}
