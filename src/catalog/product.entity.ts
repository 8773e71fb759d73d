import { randomUUID } from 'node:crypto';
import { BigIntType, Check, Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/postgresql';

export enum ProductKind {
  /** Something delivered: a cleaning kit, a gift card. */
  PRODUCT = 'PRODUCT',
  /** Work booked: a cleaning visit, an hour of tutoring. */
  SERVICE = 'SERVICE',
}

/**
 * An item of the catalog. Its price, in the smallest unit of its currency, is the only price
 * a cart is ever charged (read at checkout, never taken from a client). A product is never
 * deleted, only deactivated: carts and bookings keep pointing at it.
 */
@Entity({ tableName: 'product' })
@Index({ name: 'product_active_created_idx', properties: ['active', 'createdAt', 'id'] })
@Index({ name: 'product_created_idx', properties: ['createdAt', 'id'] })
@Check({ name: 'product_price_positive', expression: 'price > 0' })
export class Product {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Enum({ items: () => ProductKind, type: 'string', length: 16 })
  kind: ProductKind = ProductKind.PRODUCT;

  @Property({ type: 'string', length: 120 })
  name!: string;

  @Property({ type: 'string', length: 500, nullable: true })
  description: string | null = null;

  @Property({ type: new BigIntType('number') })
  price!: number;

  /** Fixed at creation: carts are single-currency and hold products of this currency. */
  @Property({ type: 'string', length: 3 })
  currency!: string;

  @Property({ type: 'boolean', default: true })
  active: boolean = true;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  updatedAt: Date = new Date();
}
