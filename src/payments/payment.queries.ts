import type { FilterQuery, MikroORM } from '@mikro-orm/postgresql';
import { isStaff, type AuthUser } from '../auth/auth.js';
import { keysetPage, type Page } from '../graphql/connection.js';
import { badInput, forbidden } from '../graphql/errors.js';
import { Payment } from './payment.entity.js';
import { PaymentStatus } from './payment.state.js';
import type { PaymentFilter } from './payment.inputs.js';
import { toPaymentType, type PaymentType } from './payment.types.js';

/** Reads of payment lists. Customers see only their own payments, whatever filter they send. */
export class PaymentQueries {
  constructor(private readonly orm: MikroORM) {}

  /**
   * One page of payments, newest first, with keyset pagination (stable under inserts).
   * A customer filtering by another payer gets FORBIDDEN rather than a silently empty page.
   */
  async listPayments(user: AuthUser, filter: PaymentFilter | null | undefined, first?: number | null, after?: string | null): Promise<Page<PaymentType>> {
    const where = this.filterCondition(user, filter ?? {});
    return keysetPage(this.orm.em.fork(), Payment, where, { first, after }, toPaymentType);
  }

  private filterCondition(user: AuthUser, filter: PaymentFilter): FilterQuery<Payment> {
    if (filter.payerId && !isStaff(user) && filter.payerId !== user.id) {
      throw forbidden('filter.payerId: customers can list only their own payments; leave payerId out');
    }
    if (filter.createdFrom && filter.createdTo && filter.createdFrom >= filter.createdTo) {
      throw badInput('filter.createdTo', 'must be later than filter.createdFrom');
    }
    const where: Record<string, unknown> = {
      // An order whose gateway call is still in flight (CREATED, no gateway order yet) has no
      // checkout to show; payments funded without the gateway (wallet) are captured at once.
      $or: [{ razorpayOrderId: { $ne: null } }, { status: { $ne: PaymentStatus.CREATED } }],
    };
    if (!isStaff(user)) where.payerId = user.id;
    else if (filter.payerId) where.payerId = filter.payerId;
    if (filter.status?.length) where.status = { $in: filter.status };
    if (filter.purpose?.length) where.purpose = { $in: filter.purpose };
    if (filter.payeeId) where.payeeId = filter.payeeId;
    if (filter.reference) where.reference = filter.reference;
    if (filter.createdFrom || filter.createdTo) {
      where.createdAt = {
        ...(filter.createdFrom ? { $gte: filter.createdFrom } : {}),
        ...(filter.createdTo ? { $lt: filter.createdTo } : {}),
      };
    }
    return where as FilterQuery<Payment>;
  }
}
