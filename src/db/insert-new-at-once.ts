import { helper, Reference, ReferenceKind, wrap, type EntityManager, type EntityMetadata } from '@mikro-orm/postgresql';
import { insertStatement, rowOf, type RowToUpdate } from './insert-at-once.js';

/**
 * Inside `em`'s open transaction: writes the new entities persisted so far with ONE statement
 * (`WITH w0 AS (INSERT … RETURNING id), w1 AS (…) SELECT …`) instead of the flush's INSERT per
 * table, and hands them to the unit of work as written, so the flush that follows (at commit)
 * writes only the changes to what was read (issue 11: a capture's audit event, journal, entries
 * and outbox message were four round trips). Foreign keys between the rows are checked at the
 * end of the statement, so a row may point at another written by it. Rows are written in the
 * order they were persisted. Leaves everything to the flush (returns false) when the entities
 * are not all plain new rows it can write the same way: one pointing at an entity neither
 * written nor being written, a column left to a database default other than an autoincrement id.
 *
 * `changed`: an entity this transaction read and changed (the payment it locked): its changes go
 * out in the same statement (`u AS (UPDATE …)`), its `onUpdate` columns set as the flush sets
 * them, and it is left as the flush leaves it, so the flush compares against what was written
 * (issue 11: the payment's UPDATE was one more round trip). Left to the flush when the flush
 * would do more than a plain UPDATE of its columns (a version column, a changed relation).
 */
export async function insertNewAtOnce(em: EntityManager, changed?: object): Promise<boolean> {
  const transaction = em.getTransactionContext();
  if (!transaction) throw new Error('insertNewAtOnce: call it inside a transaction (a flush writes outside one)');
  const uow = em.getUnitOfWork();
  const entities = [...uow.getPersistStack()].filter((entity) => !helper(entity).__managed) as Record<string, unknown>[];
  const update = changed ? changesOf(em, changed as Record<string, unknown>) : null;
  if (entities.length + (update ? 1 : 0) < 2) return false;
  const writing = new Set<object>(entities);
  const metas = entities.map((entity) => em.getMetadata().get(entity.constructor.name));
  if (!entities.every((entity, i) => writable(metas[i]!, entity, writing))) return false;
  const knex = em.getKnex();
  const { sql, bindings } = insertStatement(knex, entities.map((entity, i) => {
    const meta = metas[i]!;
    return { table: meta.tableName, row: rowOf(em, meta, entity), returning: meta.primaryKeys.map((key) => meta.properties[key]!.fieldNames[0]!) };
  }), update?.row);
  let written: Record<string, Record<string, unknown>>;
  try {
    const result = await knex.raw(sql, bindings).transacting(transaction as never);
    written = (result as { rows: Record<string, Record<string, unknown>>[] }).rows[0]!;
  } catch (error) {
    // The same exception classes a flush raises (a unique violation, say).
    throw em.getDriver().convertException(error as Error);
  }
  const comparator = em.getComparator();
  entities.forEach((entity, i) => {
    const meta = metas[i]!;
    const row = written[`w${i}`]!;
    for (const key of meta.primaryKeys) {
      const prop = meta.properties[key]!;
      if (entity[key] === undefined) entity[key] = prop.customType ? prop.customType.convertToJSValue(row[prop.fieldNames[0]!], em.getPlatform()) : row[prop.fieldNames[0]!];
    }
    // As the flush leaves an entity it inserted: managed, its written state the one to compare with.
    const wrapped = helper(entity);
    uow.getPersistStack().delete(entity);
    uow.register(entity);
    wrapped.__initialized = true;
    wrapped.__originalEntityData = comparator.prepareEntity(entity);
    wrapped.__touched = false;
  });
  if (update) {
    const wrapped = helper(changed!);
    wrapped.__originalEntityData = comparator.prepareEntity(changed!);
    wrapped.__touched = false;
  }
  return true;
}

/**
 * The UPDATE a flush would write for `entity` (managed, read by this transaction), its `onUpdate`
 * columns set first as the flush sets them; null when nothing changed or when the flush would
 * do more than a plain UPDATE of scalar columns by primary key.
 */
function changesOf(em: EntityManager, entity: Record<string, unknown>): RowToUpdate | null {
  const wrapped = helper(entity);
  const meta = em.getMetadata().get(entity.constructor.name);
  const original = wrapped.__originalEntityData;
  if (!wrapped.__managed || !original || meta.versionProperty || meta.concurrencyCheckKeys.size > 0 || meta.primaryKeys.length !== 1) return null;
  const comparator = em.getComparator();
  const diff = comparator.diffEntities<Record<string, unknown>>(meta.className, original, comparator.prepareEntity(entity));
  const names = Object.keys(diff);
  if (names.length === 0) return null;
  for (const prop of meta.props) if (prop.onUpdate) entity[prop.name] = prop.onUpdate(entity, em);
  for (const prop of meta.props) if (prop.onUpdate && !names.includes(prop.name)) names.push(prop.name);
  const row = rowOf(em, meta, entity);
  const set: Record<string, unknown> = {};
  for (const name of names) {
    const prop = meta.properties[name];
    if (!prop || prop.kind !== ReferenceKind.SCALAR || prop.primary || prop.persist === false || prop.fieldNames.length !== 1) return null;
    set[prop.fieldNames[0]!] = row[prop.fieldNames[0]!];
  }
  const key = meta.properties[meta.primaryKeys[0]!]!.fieldNames[0]!;
  return { row: { table: meta.tableName, set, key: { column: key, value: row[key] } } };
}

/** Whether `rowOf` writes this entity as the flush would: every value set but an autoincrement key, every reference known. */
function writable(meta: EntityMetadata, entity: Record<string, unknown>, writing: Set<object>): boolean {
  for (const prop of meta.props) {
    if (prop.persist === false || prop.formula) continue;
    if (prop.kind === ReferenceKind.ONE_TO_MANY || prop.kind === ReferenceKind.MANY_TO_MANY || prop.kind === ReferenceKind.EMBEDDED) return false;
    const value = entity[prop.name];
    if (value === undefined) {
      if (prop.primary && prop.autoincrement) continue;
      if (prop.onCreate) return false;
      if (prop.default !== undefined || prop.defaultRaw !== undefined) return false;
      continue;
    }
    if ((prop.kind === ReferenceKind.MANY_TO_ONE || prop.kind === ReferenceKind.ONE_TO_ONE) && value !== null) {
      const target = Reference.unwrapReference(value as object);
      if (!writing.has(target) && !helper(target).__managed) return false;
      const key: unknown = wrap(target, true).getPrimaryKey();
      if (key === null || key === undefined) return false;
    }
  }
  return true;
}
