import { helper, type EntityManager, type EntityMetadata } from '@mikro-orm/postgresql';

/** Statement texts per entity and column, built once (issue 11). */
const texts = new Map<string, string>();

/**
 * `em.findOne(entity, { [property]: value }, { lockMode: PESSIMISTIC_WRITE, refresh: true })` as
 * the first read of a transaction whose EntityManager holds nothing yet: the same statement, its
 * text built once instead of by a query builder per call (~0.1 ms of CPU an event), and the row
 * hydrated, registered and its load hooks run as findOne does. Returns `undefined` (the caller
 * uses findOne) when `em` holds anything: findOne's auto-flush of pending changes and its
 * refresh of an entity already held must then run as they always did. Null: no such row.
 * For an entity with no MikroORM filters and in the default schema (the statement has neither).
 */
export async function lockFirstRead<T extends object>(
  em: EntityManager,
  entity: new () => T,
  property: keyof T & string,
  value: string,
): Promise<T | null | undefined> {
  const transaction = em.getTransactionContext();
  const uow = em.getUnitOfWork();
  if (!transaction || uow.getPersistStack().size > 0 || uow.getRemoveStack().size > 0 || !uow.getIdentityMap()[Symbol.iterator]().next().done) return undefined;
  const meta = em.getMetadata().get<T>(entity.name);
  const sql = texts.get(`${meta.className}.${property}`) ?? textOf(meta, property);
  const rows: Record<string, unknown>[] = await em.getConnection().execute(sql, [value], 'all', transaction);
  const row = rows[0];
  if (!row) return null;
  const data = em.getDriver().mapResult(row as never, meta)!;
  const found = em.getEntityFactory().create<T>(meta.className, data as never, { merge: true, refresh: true, convertCustomTypes: true });
  await uow.dispatchOnLoadEvent();
  if (!helper(found).__managed) throw new Error(`lockFirstRead: ${meta.className} was not registered`);
  return found;
}

/** findOne's statement for a lock on one row by one column (`select "p0".* … limit 1 for update`). */
function textOf<T>(meta: EntityMetadata<T>, property: string): string {
  const prop = (meta.properties as Record<string, EntityMetadata['props'][number] | undefined>)[property];
  if (!prop || prop.fieldNames.length !== 1) throw new Error(`lockFirstRead: ${meta.className}.${property} is not one column`);
  const sql = `select "p0".* from "${meta.tableName}" as "p0" where "p0"."${prop.fieldNames[0]!}" = ? limit 1 for update`;
  texts.set(`${meta.className}.${property}`, sql);
  return sql;
}
