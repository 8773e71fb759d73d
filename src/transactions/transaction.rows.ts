import type { Knex } from '@mikro-orm/postgresql';
import { parseOptionalTimestamp, parseTimestamp } from '../db/timestamps.js';
import type { TransactionStatus, TransactionType } from './transaction.entity.js';
import { TransactionNode } from './transaction.types.js';

/** The read path's transactions: plain rows into the API type, no managed entities (see payment.rows.ts). */
export const TRANSACTION_COLUMNS = ['id', 'type', 'status', 'amount', 'currency', 'user_id', 'payment_id', 'created_at', 'completed_at'] as const;

export interface TransactionRow {
  id: string;
  type: TransactionType;
  status: TransactionStatus;
  amount: string | number;
  currency: string;
  user_id: string;
  payment_id: string | null;
  created_at: string | Date;
  completed_at: string | Date | null;
}

export function transactionFromRow(row: TransactionRow): TransactionNode {
  const node = new TransactionNode();
  node.id = row.id;
  node.type = row.type;
  node.status = row.status;
  node.amount = Number(row.amount);
  node.currency = row.currency;
  node.userId = row.user_id;
  node.paymentId = row.payment_id;
  node.createdAt = parseTimestamp(row.created_at);
  node.completedAt = parseOptionalTimestamp(row.completed_at);
  return node;
}

/** Batch of the `transactionsByPaymentId` loader: every payment's transactions, oldest first, in one statement. */
export async function loadTransactionsByPaymentIds(knex: Knex, paymentIds: readonly string[]): Promise<TransactionNode[][]> {
  const rows: TransactionRow[] = await knex('transaction').select(TRANSACTION_COLUMNS).whereIn('payment_id', paymentIds).orderBy([
    { column: 'created_at', order: 'asc' },
    { column: 'id', order: 'asc' },
  ]);
  const grouped = new Map<string, TransactionNode[]>(paymentIds.map((id) => [id, []]));
  for (const row of rows) grouped.get(row.payment_id!)?.push(transactionFromRow(row));
  return paymentIds.map((id) => grouped.get(id)!);
}
