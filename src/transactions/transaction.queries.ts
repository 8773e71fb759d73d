import type { MikroORM } from '@mikro-orm/postgresql';
import { isStaff, type AuthUser } from '../auth/auth.js';
import { keysetRowsPage, type Page } from '../common/paging.js';
import { forbidden } from '../common/errors.js';
import { isUuid } from '../common/ids.js';
import { TRANSACTION_COLUMNS, transactionFromRow } from './transaction.rows.js';
import type { TransactionFilter, TransactionNode } from './transaction.types.js';

/** Reads of transaction lists: a customer's own movements, staff anyone's. Plain rows (transaction.rows.ts). */
export class TransactionQueries {
  constructor(private readonly orm: MikroORM) {}

  private table() {
    return this.orm.em.getConnection().getKnex()('transaction');
  }

  /** One page of transactions, newest first (keyset pagination). */
  async listTransactions(user: AuthUser, filter: TransactionFilter | null | undefined, first?: number | null, after?: string | null): Promise<Page<TransactionNode>> {
    const f = filter ?? {};
    if (f.userId && !isStaff(user) && f.userId !== user.id) {
      throw forbidden('filter.userId: customers can list only their own transactions; leave userId out');
    }
    const query = this.table();
    if (!isStaff(user)) query.where('user_id', user.id);
    else if (f.userId) query.where('user_id', f.userId);
    if (f.type?.length) query.whereIn('type', f.type);
    if (f.status?.length) query.whereIn('status', f.status);
    if (f.paymentId) {
      // An id that cannot exist matches nothing rather than failing in SQL.
      if (isUuid(f.paymentId)) query.where('payment_id', f.paymentId);
      else query.whereRaw('false');
    }
    return keysetRowsPage(query, TRANSACTION_COLUMNS, { first, after }, transactionFromRow);
  }

  /** One page of a wallet's movements, newest first. The caller has checked the wallet is the user's. */
  async listWalletTransactions(walletId: string, first?: number | null, after?: string | null): Promise<Page<TransactionNode>> {
    return keysetRowsPage(this.table().where('wallet_id', walletId), TRANSACTION_COLUMNS, { first, after }, transactionFromRow);
  }
}
