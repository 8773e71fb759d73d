import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../logger.js';
import { Product, ProductKind } from './product.entity.js';

/** What a fresh development database offers, so the cart can be tried at once. */
const DEMO_PRODUCTS: Pick<Product, 'kind' | 'name' | 'description' | 'price' | 'currency'>[] = [
  { kind: ProductKind.SERVICE, name: 'Home deep cleaning (3 hours)', description: 'Two cleaners, supplies included', price: 249_900, currency: 'INR' },
  { kind: ProductKind.SERVICE, name: 'Bathroom cleaning', description: 'One bathroom, about 1 hour', price: 59_900, currency: 'INR' },
  { kind: ProductKind.SERVICE, name: 'Maths tutoring (1 hour)', description: 'Classes 6 to 10, online', price: 80_000, currency: 'INR' },
  { kind: ProductKind.PRODUCT, name: 'Microfibre cloth pack', description: 'Six cloths', price: 34_900, currency: 'INR' },
];

/**
 * Development only (main.ts calls it when NODE_ENV=development): fills an empty catalog with
 * demo products. Idempotent: a catalog with any product, active or not, is left alone, and
 * two instances starting at once seed it once (they queue on an advisory lock).
 */
export async function seedCatalog(orm: MikroORM, logger: Logger): Promise<number> {
  return orm.em.fork().transactional(async (em) => {
    await em.execute(`select pg_advisory_xact_lock(hashtext('catalog:seed'))`);
    if ((await em.count(Product, {})) > 0) return 0;
    for (const item of DEMO_PRODUCTS) em.persist(Object.assign(new Product(), item));
    logger.info({ products: DEMO_PRODUCTS.length }, 'empty catalog seeded with demo products');
    return DEMO_PRODUCTS.length;
  });
}
