import type { FilterQuery, MikroORM } from '@mikro-orm/postgresql';
import { isStaff, type AuthUser } from '../auth/auth.js';
import { keysetPage, type Page } from '../graphql/connection.js';
import { forbidden } from '../graphql/errors.js';
import { isUuid } from '../common/ids.js';
import { Transaction } from './transaction.entity.js';
import { toTransactionNode, type TransactionFilter, type TransactionNode } from './transaction.types.js';

/** Reads of transaction lists: a customer's own movements, staff anyone's. */
export class TransactionQueries {
  constructor(private readonly orm: MikroORM) {}

  /** One page of transactions, newest first (keyset pagination). */
  async listTransactions(user: AuthUser, filter: TransactionFilter | null | undefined, first?: number | null, after?: string | null): Promise<Page<TransactionNode>> {
    const f = filter ?? {};
    if (f.userId && !isStaff(user) && f.userId !== user.id) {
      throw forbidden('filter.userId: customers can list only their own transactions; leave userId out');
    }
    const where: Record<string, unknown> = {};
    if (!isStaff(user)) where.userId = user.id;
    else if (f.userId) where.userId = f.userId;
    if (f.type?.length) where.type = { $in: f.type };
    if (f.status?.length) where.status = { $in: f.status };
    if (f.paymentId) {
      // An id that cannot exist matches nothing rather than failing in SQL.
      if (!isUuid(f.paymentId)) return keysetPage(this.orm.em.fork(), Transaction, { id: null } as FilterQuery<Transaction>, { first, after }, toTransactionNode);
      where.payment = f.paymentId;
    }
    return keysetPage(this.orm.em.fork(), Transaction, where as FilterQuery<Transaction>, { first, after }, toTransactionNode);
  }

  /** One page of a wallet's movements, newest first. The caller has checked the wallet is the user's. */
  async listWalletTransactions(walletId: string, first?: number | null, after?: string | null): Promise<Page<TransactionNode>> {
    return keysetPage(this.orm.em.fork(), Transaction, { wallet: walletId }, { first, after }, toTransactionNode);
  }
}
