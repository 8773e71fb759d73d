/**
 * Reads of payouts: the `payouts` list (staff any, a payee its own), a payment's payouts for
 * `Payment.payouts` (batched by a DataLoader), and the operator's list and export. Nothing here
 * changes a payout: PayoutService and the transfer and reversal jobs do.
 */
import type { FilterQuery, MikroORM } from '@mikro-orm/postgresql';
import { isStaff, type AuthUser } from '../auth/auth.js';
import { badInput } from '../common/errors.js';
import { isUuid } from '../common/ids.js';
import type { KeysetCursor } from '../common/paging.js';
import { PAYEE_ID } from '../payees/payee.rules.js';
import { Payout, PayoutStatus } from './payout.entity.js';

export interface PayoutFilter {
  statuses?: PayoutStatus[] | null;
  payeeId?: string | null;
  paymentId?: string | null;
  /** Created at or after. */
  from?: Date | null;
  /** Created before. */
  to?: Date | null;
}

export const MAX_EXPORT_ROWS = 10_000;

/** The filter as a MikroORM condition; each bad value a BAD_USER_INPUT naming `field` (`filter.payeeId`…). */
export function payoutWhere(filter: PayoutFilter | null, prefix = 'filter.'): FilterQuery<Payout> {
  const where: Record<string, unknown> = {};
  if (!filter) return where;
  if (filter.statuses?.length) {
    const unknown = filter.statuses.filter((s) => !(Object.values(PayoutStatus) as string[]).includes(s));
    if (unknown.length) throw badInput(`${prefix}statuses`, `must be among ${Object.values(PayoutStatus).join(', ')}`);
    where.status = { $in: filter.statuses };
  }
  if (filter.payeeId !== undefined && filter.payeeId !== null) {
    if (!PAYEE_ID.test(filter.payeeId)) throw badInput(`${prefix}payeeId`, 'must be 1 to 64 letters, digits or _ . : @ -');
    where.payeeId = filter.payeeId;
  }
  if (filter.paymentId !== undefined && filter.paymentId !== null) {
    if (!isUuid(filter.paymentId)) throw badInput(`${prefix}paymentId`, 'must be a payment id (a UUID)');
    where.payment = filter.paymentId;
  }
  if (filter.from && filter.to && !(filter.from < filter.to)) throw badInput(`${prefix}to`, 'must be later than from');
  if (filter.from || filter.to) where.createdAt = { ...(filter.from && { $gte: filter.from }), ...(filter.to && { $lt: filter.to }) };
  return where as FilterQuery<Payout>;
}

const NEWEST_FIRST = { createdAt: 'desc', id: 'desc' } as const;

export class PayoutQueries {
  constructor(private readonly orm: MikroORM) {}

  /**
   * Up to `limit` payouts newest first after `cursor`, and how many match in all. Staff read
   * any; anyone else only payouts whose payee it is (its user id is the payeeId): its filter is
   * narrowed to itself, and a filter naming another payee matches nothing.
   */
  async list(actor: AuthUser, filter: PayoutFilter | null, cursor: KeysetCursor | null, limit: number): Promise<{ rows: Payout[]; totalCount: number }> {
    const where = payoutWhere(filter);
    const scoped: FilterQuery<Payout> = isStaff(actor) ? where : { $and: [where, { payeeId: actor.id }] };
    const after: FilterQuery<Payout> = cursor
      ? { $or: [{ createdAt: { $lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { $lt: cursor.id } }] }
      : {};
    const em = this.orm.em.fork();
    const [rows, totalCount] = await Promise.all([
      em.find(Payout, { $and: [scoped, after] }, { orderBy: NEWEST_FIRST, limit }),
      em.count(Payout, scoped),
    ]);
    return { rows, totalCount };
  }

  /** Operators (CLI): payouts matching `filter`, newest first, at most `limit` (1 to 10,000). */
  async forOperator(filter: PayoutFilter, limit: number): Promise<Payout[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EXPORT_ROWS) throw badInput('limit', `must be between 1 and ${MAX_EXPORT_ROWS}`);
    return this.orm.em.fork().find(Payout, payoutWhere(filter, ''), { orderBy: NEWEST_FIRST, limit });
  }
}

/** For a DataLoader: each payment's payouts (none, or one), oldest first, in the order of `paymentIds`. */
export async function loadPayoutsByPaymentIds(orm: MikroORM, paymentIds: readonly string[]): Promise<Payout[][]> {
  const rows = await orm.em.fork().find(Payout, { payment: { $in: [...paymentIds] } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  const grouped = new Map<string, Payout[]>(paymentIds.map((id) => [id, []]));
  for (const row of rows) grouped.get(row.payment.id)?.push(row);
  return paymentIds.map((id) => grouped.get(id) ?? []);
}
