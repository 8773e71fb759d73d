import { Reference, ReferenceKind, wrap, type EntityManager, type EntityMetadata, type EntityProperty, type Knex } from '@mikro-orm/postgresql';
import { rawStatement } from './raw-statement.js';

/**
 * The statement's text per shape (the tables and the columns each row writes, in order): it is
 * built by knex the first time and reused after, with only the values bound anew — knex compiling
 * the three inserts of every order was ~5 % of createOrder's CPU (issue 11). Shapes are few (which
 * nullable columns a feature leaves to their defaults); the bound keeps an odd caller from growing it.
 */
const statements = new Map<string, { sql: string; columns: string[][] }>();
const MAX_STATEMENTS = 100;

/**
 * Writes `built` (new entities made without the unit of work: never persisted, so no change
 * tracking, cascade or identity map to set up; issue 11) and then the new entities persisted in
 * `em` (a fork outside any transaction, which has read nothing) with ONE statement:
 * `WITH w0 AS (INSERT …), w1 AS (INSERT …) INSERT …`. A single statement is atomic on its own, so
 * the rows are all written or none is, without the BEGIN … COMMIT around the flush's one INSERT
 * per table (five round trips become one). Foreign keys between the rows are checked at the end
 * of the statement, so a row may point at another written by the same statement. The entities are
 * written in that order (a persisted one that is also in `built`, reached by cascade, once); a
 * value a column's database default provides (an autoincrement id) is left to it.
 * Refuses anything but plain inserts: a flush would be needed for that.
 */
export async function insertPersistedAtOnce(em: EntityManager, built: readonly object[] = []): Promise<void> {
  const uow = em.getUnitOfWork();
  if (em.getTransactionContext()) throw new Error('insertPersistedAtOnce: the statement is its own transaction; call it outside one');
  const persisted = new Set<object>(uow.getPersistStack());
  // Persisting an entity whose key is set puts it in the identity map too: anything else there was read.
  if (uow.getIdentityMap().values().some((entity) => !persisted.has(entity)) || uow.getRemoveStack().size > 0) {
    throw new Error('insertPersistedAtOnce: the EntityManager holds entities it read or removes; only new entities are written at once');
  }
  const first = new Set<object>(built);
  const entities = [...built, ...[...persisted].filter((entity) => !first.has(entity))];
  if (entities.length === 0) return;
  const metadata = em.getMetadata();
  const rows = entities.map((entity) => {
    const meta = metadata.get(entity.constructor.name);
    return { table: meta.tableName, row: rowOf(em, meta, entity as Record<string, unknown>) };
  });
  const { sql, bindings } = insertStatement(em.getKnex(), rows);
  await rawStatement(em, sql, bindings);
}

export interface RowToInsert {
  table: string;
  row: Record<string, unknown>;
  /** Columns the statement returns for this row (its generated keys), as `w<i>` JSON in one result row. */
  returning?: string[];
}

/**
 * An UPDATE run by the same statement (a data-modifying CTE `u<i>`, before the inserts): its text
 * with `?` placeholders, fixed per shape of change, and its values. The statement returns how
 * many rows it changed (`u<i>` in the result row).
 */
export interface StatementUpdate {
  sql: string;
  bindings: Knex.RawBinding[];
}

/** The UPDATE of one row by its key, setting `set`'s columns. */
export function updateByKey(table: string, set: Record<string, unknown>, key: { column: string; value: unknown }): StatementUpdate {
  const columns = Object.keys(set);
  return {
    sql: `update ${quote(table)} set ${columns.map((column) => `${quote(column)} = ?`).join(', ')} where ${quote(key.column)} = ?`,
    bindings: [...columns.map((column) => set[column] as Knex.RawBinding), key.value as Knex.RawBinding],
  };
}

/**
 * One statement inserting `rows` in order: each insert a data-modifying CTE (`w0`, `w1`…) but the
 * last, or, when rows ask for columns back, every insert a CTE and then one `select` of each
 * row's returned columns as JSON (`w0`, `w1`…). The text is compiled by knex once per shape and
 * reused with only the values bound anew. `updates` run first, in the same statement (they need
 * the result row: only with rows that return their columns, or none at all), each counted as `u<i>`.
 */
export function insertStatement(knex: Knex, rows: RowToInsert[], updates: StatementUpdate[] = []): { sql: string; bindings: Knex.RawBinding[] } {
  const returns = updates.length > 0 || rows.some((row) => row.returning?.length);
  if (updates.length > 0 && rows.some((row) => !row.returning?.length)) throw new Error('insertStatement: with updates, every insert returns its keys');
  const shape = updates.map((update) => `${update.sql};`).join('')
    + rows.map(({ table, row, returning }) => `${table}(${Object.keys(row).join(',')})${returning?.length ? `>${returning.join(',')}` : ''}`).join(' ');
  let statement = statements.get(shape);
  if (!statement) {
    const parts = rows.map(({ table, row, returning }) => {
      const insert = knex(table).insert(row);
      return (returning?.length ? insert.returning(returning) : insert).toSQL();
    });
    const ctes = (list: { sql: string }[]) => list.map((part, i) => `w${i} as (${part.sql})`);
    let sql: string;
    if (returns) {
      // A data-modifying CTE runs once whether or not the rest reads it; `returning 1` to count its rows.
      const changes = updates.map((update, i) => `u${i} as (${update.sql} returning 1)`);
      const results = [
        ...updates.map((_, i) => `(select count(*)::int from u${i}) as u${i}`),
        ...parts.map((_, i) => `(select row_to_json(w${i}) from w${i}) as w${i}`),
      ];
      sql = `with ${[...changes, ...ctes(parts)].join(', ')} select ${results.join(', ')}`;
    } else {
      const last = parts.pop()!;
      sql = `${parts.length ? `with ${ctes(parts).join(', ')} ` : ''}${last.sql}`;
    }
    // knex lists an insert's columns sorted by name, and its bindings in that order.
    statement = { sql, columns: rows.map(({ row }) => Object.keys(row).sort()) };
    if (statements.size < MAX_STATEMENTS) statements.set(shape, statement);
  }
  const columns = statement.columns;
  return {
    sql: statement.sql,
    bindings: [...updates.flatMap((update) => update.bindings), ...rows.flatMap(({ row }, i) => columns[i]!.map((column) => row[column] as Knex.RawBinding))],
  };
}

/** A table's or column's name as PostgreSQL takes it quoted. */
const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The entity's columns as the database takes them (custom types converted, references as their key). */
export function rowOf(em: EntityManager, meta: EntityMetadata, entity: Record<string, unknown>): Record<string, unknown> {
  const platform = em.getPlatform();
  const row: Record<string, unknown> = {};
  for (const prop of meta.props as EntityProperty[]) {
    if (prop.persist === false || prop.formula || prop.kind === ReferenceKind.ONE_TO_MANY || prop.kind === ReferenceKind.MANY_TO_MANY) continue;
    if (prop.kind === ReferenceKind.EMBEDDED || (prop.kind === ReferenceKind.ONE_TO_ONE && !prop.owner)) {
      throw new Error(`insertPersistedAtOnce: ${meta.className}.${prop.name} (${prop.kind}) is not supported`);
    }
    let value = entity[prop.name];
    if (value === undefined && prop.onCreate) value = prop.onCreate(entity, em);
    if (value === undefined) {
      if (prop.autoincrement || prop.default !== undefined || prop.defaultRaw !== undefined) continue;
      value = null;
    }
    if (prop.kind === ReferenceKind.MANY_TO_ONE || prop.kind === ReferenceKind.ONE_TO_ONE) {
      if (value !== null) value = wrap(Reference.unwrapReference(value as object), true).getPrimaryKey();
    } else if (prop.customType && value !== null) {
      value = prop.customType.convertToDatabaseValue(value, platform, { mode: 'query', key: prop.name });
    }
    row[prop.fieldNames[0]!] = value;
  }
  return row;
}
