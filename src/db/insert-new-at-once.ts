import { helper, Reference, ReferenceKind, wrap, type EntityManager, type EntityMetadata } from '@mikro-orm/postgresql';
import { insertStatement, rowOf, updateByKey, type StatementUpdate } from './insert-at-once.js';
import { rawStatement } from './raw-statement.js';

/** An UPDATE left to the next {@link insertNewAtOnce} of its transaction, with the check of what it changed. */
export interface DeferredUpdate extends StatementUpdate {
  /** Throws when the rows it changed are not what was meant (the transaction then rolls back). */
  check(rows: number): void;
}

/** Updates left to the change's one statement, per open transaction (its knex transaction object). */
const deferred = new WeakMap<object, DeferredUpdate[]>();

/**
 * Leaves `update` to the next {@link insertNewAtOnce} in `em`'s transaction, which runs it in its
 * statement (one round trip fewer), or alone when it writes no statement of its own; either way
 * before it returns. For the payment core's handlers: `PaymentCore.apply` calls insertNewAtOnce
 * once every handler ran, and a transaction that would commit with an update left over is refused.
 */
export function updateWithNewRows(em: EntityManager, update: DeferredUpdate): void {
  const transaction = em.getTransactionContext();
  if (!transaction) throw new Error('updateWithNewRows: call it inside a transaction');
  const list = deferred.get(transaction) ?? [];
  list.push(update);
  deferred.set(transaction, list);
}

/** Whether an update was left to an insertNewAtOnce that never ran in `em`'s transaction (a caller's bug). */
export function updatesLeftOver(transaction: object): boolean {
  return (deferred.get(transaction)?.length ?? 0) > 0;
}

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
  const knex = em.getKnex();
  const left = deferred.get(transaction) ?? [];
  deferred.delete(transaction);
  const uow = em.getUnitOfWork();
  const entities = [...uow.getPersistStack()].filter((entity) => !helper(entity).__managed) as Record<string, unknown>[];
  const writing = new Set<object>(entities);
  const metas = entities.map((entity) => em.getMetadata().get(entity.constructor.name));
  const update = changed ? changesOf(em, changed as Record<string, unknown>) : null;
  const updates: DeferredUpdate[] = [...(update ? [update] : []), ...left];
  // A lone new row too: the same one statement as the flush's INSERT, without the flush's change set for it (issue 11).
  if ((entities.length === 0 && updates.length < 2) || !entities.every((entity, i) => writable(metas[i]!, entity, writing))) {
    // No new row and at most one update (nothing to gain), or rows the flush must write: the left updates alone, the rest to the flush.
    for (const one of left) one.check((await rawStatement<{ rowCount: number }>(em, one.sql, one.bindings, transaction)).rowCount);
    return false;
  }
  const { sql, bindings } = insertStatement(knex, entities.map((entity, i) => {
    const meta = metas[i]!;
    return { table: meta.tableName, row: rowOf(em, meta, entity), returning: meta.primaryKeys.map((key) => meta.properties[key]!.fieldNames[0]!) };
  }), updates);
  const written = (await rawStatement<{ rows: Record<string, unknown>[] }>(em, sql, bindings, transaction)).rows[0]!;
  updates.forEach((one, i) => one.check(written[`u${i}`] as number));
  const comparator = em.getComparator();
  entities.forEach((entity, i) => {
    const meta = metas[i]!;
    const row = written[`w${i}`] as Record<string, unknown>;
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
    // As the flush leaves an entity it updated.
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
function changesOf(em: EntityManager, entity: Record<string, unknown>): DeferredUpdate | null {
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
  return {
    ...updateByKey(meta.tableName, set, { column: key, value: row[key] }),
    check(rows) {
      if (rows !== 1) throw new Error(`${meta.className} ${String(row[key])}: its UPDATE changed ${rows} rows`);
    },
  };
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
