import { helper, type EntityManager, type EntityMetadata } from '@mikro-orm/postgresql';
import { rawStatement } from './raw-statement.js';

/**
 * Scalar subqueries read by the lock's own statement, by name (one round trip instead of a read
 * each afterwards: issue 11). Each is a `select` of one value that may refer to the locked row as
 * `"p0"`; its value is read with the statement's snapshot, as a plain read (nothing it reads is
 * locked). Built once (the object's identity keys the statement's text).
 */
export type LockReads = Readonly<Record<string, string>>;

/** Statement texts per set of reads, then per entity and column, built once (issue 11). */
const texts = new WeakMap<LockReads, Map<string, string>>();
const NO_READS: LockReads = Object.freeze({});

/** The locked entity and the values of `reads`, by name. */
export interface LockedFirstRead<T> {
  found: T;
  reads: Record<string, unknown>;
}

/**
 * `em.findOne(entity, { [property]: value }, { lockMode: PESSIMISTIC_WRITE, refresh: true })` as
 * the first read of a transaction whose EntityManager holds nothing yet: the same statement, its
 * text built once instead of by a query builder per call (~0.1 ms of CPU an event), and the row
 * hydrated, registered and its load hooks run as findOne does. Returns `undefined` (the caller
 * uses findOne) when `em` holds anything: findOne's auto-flush of pending changes and its
 * refresh of an entity already held must then run as they always did. Null: no such row.
 * For an entity with no MikroORM filters and in the default schema (the statement has neither).
 * `reads` are read by the same statement (see {@link LockReads}); their values come back by name.
 */
export async function lockFirstRead<T extends object>(
  em: EntityManager,
  entity: new () => T,
  property: keyof T & string,
  value: string,
  reads: LockReads = NO_READS,
): Promise<LockedFirstRead<T> | null | undefined> {
  const transaction = em.getTransactionContext();
  const uow = em.getUnitOfWork();
  if (!transaction || uow.getPersistStack().size > 0 || uow.getRemoveStack().size > 0 || !uow.getIdentityMap()[Symbol.iterator]().next().done) return undefined;
  const meta = em.getMetadata().get<T>(entity.name);
  const sql = textFor(meta, property, reads);
  // Its value bound, not written into the text (MikroORM's `execute` would): one text, prepared once per connection.
  const { rows } = await rawStatement<{ rows: Record<string, unknown>[] }>(em, sql, [value], transaction);
  const row = rows[0];
  if (!row) return null;
  const values: Record<string, unknown> = {};
  Object.keys(reads).forEach((name, i) => {
    values[name] = row[`lock_read_${i}`];
    delete row[`lock_read_${i}`];
  });
  const data = em.getDriver().mapResult(row as never, meta)!;
  const found = em.getEntityFactory().create<T>(meta.className, data as never, { merge: true, refresh: true, convertCustomTypes: true });
  await uow.dispatchOnLoadEvent();
  if (!helper(found).__managed) throw new Error(`lockFirstRead: ${meta.className} was not registered`);
  return { found, reads: values };
}

function textFor<T>(meta: EntityMetadata<T>, property: string, reads: LockReads): string {
  const key = `${meta.className}.${property}`;
  const cache = texts.get(reads) ?? new Map<string, string>();
  texts.set(reads, cache);
  const known = cache.get(key);
  if (known) return known;
  const sql = textOf(meta, property, Object.values(reads));
  cache.set(key, sql);
  return sql;
}

/** findOne's statement for a lock on one row by one column (`select "p0".* … limit 1 for update`), with the reads' columns. */
function textOf<T>(meta: EntityMetadata<T>, property: string, reads: string[]): string {
  const prop = (meta.properties as Record<string, EntityMetadata['props'][number] | undefined>)[property];
  if (!prop || prop.fieldNames.length !== 1) throw new Error(`lockFirstRead: ${meta.className}.${property} is not one column`);
  const columns = ['"p0".*', ...reads.map((sql, i) => `(${sql}) as "lock_read_${i}"`)].join(', ');
  return `select ${columns} from "${meta.tableName}" as "p0" where "p0"."${prop.fieldNames[0]!}" = ? limit 1 for update`;
}
