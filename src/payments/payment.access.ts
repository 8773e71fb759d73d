import type { EntityManager } from '@mikro-orm/postgresql';
import { isStaff, type AuthUser } from '../auth/auth.js';
import { notFound } from '../common/errors.js';
import { isUuid } from '../common/ids.js';
import { Payment } from './payment.entity.js';

/** Customers see their own payments; admin and service see all. */
export function canSee(user: AuthUser, payment: Payment): boolean {
  return isStaff(user) || payment.payerId === user.id;
}

/** The payment `id` if the user may see it (their own; staff: any), or NOT_FOUND. */
export async function findVisiblePayment(em: EntityManager, user: AuthUser, id: string): Promise<Payment> {
  const payment = isUuid(id) ? await em.findOne(Payment, { id }) : null;
  if (!payment || !canSee(user, payment)) throw notFound('Payment', id);
  return payment;
}
