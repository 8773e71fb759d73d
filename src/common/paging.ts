import type { EntityManager, EntityName, FilterQuery, Knex, OrderDefinition } from '@mikro-orm/postgresql';
import { badInput } from './errors.js';

/*
 * Keyset paging, newest first: what every list (payments, transactions, products, outbox, payees)
 * runs. The GraphQL Connection types that show a page are in graphql/connection.ts.
 */

/** One page of nodes, the cursor of each, and the count across all pages. */
export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** A page size within bounds, or a BAD_USER_INPUT naming `first`. */
export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput('first', `must be between 1 and ${MAX_PAGE_SIZE}, got ${first}`);
  }
  return first;
}

/** Position in a list ordered by (createdAt desc, id desc). */
export interface KeysetCursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(cursor: KeysetCursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`, 'utf8').toString('base64url');
}

/** Decodes an `after` argument, or a BAD_USER_INPUT naming it. */
export function decodeCursor(after: string | null | undefined): KeysetCursor | null {
  if (after === null || after === undefined) return null;
  const invalid = () => badInput('after', 'is not a cursor returned by this API (use pageInfo.endCursor)');
  if (after.length > 200) throw invalid();
  const [iso, id, extra] = Buffer.from(after, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  if (extra !== undefined || !id || !/^[0-9a-f-]{36}$/.test(id) || Number.isNaN(createdAt.getTime())) throw invalid();
  return { createdAt, id };
}

/** The same page with each node mapped (a service's entities to the API's types, in a resolver); cursors and counts unchanged. */
export function mapPage<T, N>(page: Page<T>, toNode: (node: T) => N): Page<N> {
  return { ...page, edges: page.edges.map((edge) => ({ cursor: edge.cursor, node: toNode(edge.node) })) };
}

/** Turns rows fetched with `limit + 1` into a page. */
export function toPage<R extends KeysetCursor, T>(rows: R[], limit: number, totalCount: number, toNode: (row: R) => T): Page<T> {
  const pageRows = rows.slice(0, limit);
  const edges = pageRows.map((row) => ({ cursor: encodeCursor(row), node: toNode(row) }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}

/** The MikroORM condition for rows after `cursor` in (createdAt desc, id desc) order. */
export function afterCursorCondition(cursor: KeysetCursor | null): Record<string, unknown> {
  if (!cursor) return {};
  return {
    $or: [{ createdAt: { $lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { $lt: cursor.id } }],
  };
}

/**
 * One page of `entity` rows matching `where`, newest first, after `after`, with the total
 * count: the two queries every connection runs (keyset, so pages stay stable under inserts).
 */
export async function keysetPage<E extends KeysetCursor & object, N>(
  em: EntityManager,
  entity: EntityName<E>,
  where: FilterQuery<E>,
  args: { first?: number | null; after?: string | null },
  toNode: (row: E) => N,
  options: { populate?: readonly string[] } = {},
): Promise<Page<N>> {
  const limit = pageSize(args.first);
  const cursor = decodeCursor(args.after);
  const [rows, totalCount] = await Promise.all([
    em.find(entity, { $and: [where, afterCursorCondition(cursor)] } as FilterQuery<E>, {
      orderBy: { createdAt: 'desc', id: 'desc' } as OrderDefinition<E>,
      limit: limit + 1,
      // Relations the nodes show, loaded in the same query (a join), not one per row.
      populate: (options.populate ?? []) as never,
    }),
    em.count(entity, where),
  ]);
  return toPage(rows as E[], limit, totalCount, toNode);
}

/**
 * The read path's connection page: `base` (a query on one table with the filter applied) run as
 * two plain-row statements — the page, newest first after `after`, and the total — with each row
 * mapped by `toNode` (no managed entities; see payments/payment.rows.ts).
 */
export async function keysetRowsPage<R, N extends KeysetCursor>(
  base: Knex.QueryBuilder,
  columns: readonly string[],
  args: { first?: number | null; after?: string | null },
  toNode: (row: R) => N,
): Promise<Page<N>> {
  const limit = pageSize(args.first);
  const cursor = decodeCursor(args.after);
  const page = base.clone().select(columns).orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit + 1);
  if (cursor) {
    page.andWhere((q) => q.where('created_at', '<', cursor.createdAt).orWhere((same) => same.where('created_at', cursor.createdAt).andWhere('id', '<', cursor.id)));
  }
  const [rows, counted] = await Promise.all([page as Promise<R[]>, base.clone().count({ n: '*' }) as unknown as Promise<{ n: string | number }[]>]);
  return toPage(rows.map(toNode), limit, Number(counted[0]!.n), (node) => node);
}
