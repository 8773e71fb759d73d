import { stringify } from 'csv-stringify/sync';
import Table from 'cli-table3';
import type { MikroORM } from '@mikro-orm/postgresql';
import { DomainError } from '../common/errors.js';
import { formatMoney } from '../money/money.js';
import { PayoutStatus, type Payout } from '../payouts/payout.entity.js';
import { MAX_EXPORT_ROWS, PayoutQueries, type PayoutFilter } from '../payouts/payout.queries.js';
import { dateOption, statusesOption } from './cli.options.js';
import type { Print } from './ledger.commands.js';

/** No colour codes: the output is read by people and by scripts alike. */
const PLAIN = { head: [] as string[], border: [] as string[] };

export const PAYOUT_CSV_COLUMNS = [
  'id', 'status', 'payment_id', 'payee_id', 'amount', 'amount_reversed', 'amount_receivable', 'amount_netted', 'currency', 'method', 'razorpay_transfer_id',
  'razorpay_account_id', 'hold', 'on_hold', 'on_hold_until', 'attempts', 'last_error', 'processed_at', 'recipient_settlement_id',
  'created_at', 'updated_at',
] as const;

export interface PayoutCommandFilter extends PayoutFilter {
  limit: number;
}

/** Parses the command line's options (`--status`, `--payee`, `--payment`, `--from`, `--to`, `--limit`); each bad value names its option. */
export function parsePayoutFilter(options: Record<string, string | undefined>, defaultLimit: number): PayoutCommandFilter {
  const date = (name: string) => dateOption(options, name);
  const statuses = statusesOption(options, PayoutStatus);
  const limit = options.limit === undefined ? defaultLimit : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EXPORT_ROWS) throw new Error(`--limit must be a whole number from 1 to ${MAX_EXPORT_ROWS}, got ${options.limit}`);
  return { statuses: statuses, payeeId: options.payee, paymentId: options.payment, from: date('from'), to: date('to'), limit };
}

/** The service's refusal of a filter value (`payeeId: must be…`) in the CLI's words (`--payee: …`). */
async function read(orm: MikroORM, filter: PayoutCommandFilter): Promise<Payout[]> {
  try {
    return await new PayoutQueries(orm).forOperator(filter, filter.limit);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const option = { payeeId: '--payee', paymentId: '--payment', to: '--to', statuses: '--status', limit: '--limit' }[error.field ?? ''];
    throw new Error(option ? `${option} ${error.reason}` : error.message);
  }
}

/** `payouts list`: a table of payouts, newest first. Answers how many it printed. */
export async function payoutsList(orm: MikroORM, filter: PayoutCommandFilter, print: Print): Promise<number> {
  const payouts = await read(orm, filter);
  const table = new Table({ head: ['created', 'status', 'payee', 'amount', 'reversed', 'owed back', 'payment', 'transfer', 'hold', 'processed', 'last error'], style: PLAIN });
  for (const p of payouts) {
    table.push([
      p.createdAt.toISOString(), p.status, p.payeeId, formatMoney(p.amount, p.currency), formatMoney(p.amountReversed, p.currency),
      formatMoney(p.amountReceivable, p.currency), p.payment.id, p.razorpayTransferId ?? '',
      p.onHold ? 'on hold' : p.onHoldUntil ? `until ${p.onHoldUntil.toISOString()}` : '', p.processedAt?.toISOString() ?? '', p.lastError ?? '',
    ]);
  }
  print(table.toString());
  print(`${payouts.length} payout(s)`);
  return payouts.length;
}

/** One CSV row; amounts stay integers in minor units (no rounding, no locale). */
export function toPayoutCsvRow(p: Payout): (string | number)[] {
  return [
    p.id, p.status, p.payment.id, p.payeeId, p.amount, p.amountReversed, p.amountReceivable, p.amountNetted, p.currency, p.method, p.razorpayTransferId ?? '',
    p.razorpayAccountId ?? '', p.hold, p.onHold ? 'true' : 'false', p.onHoldUntil?.toISOString() ?? '', p.attempts, p.lastError ?? '',
    p.processedAt?.toISOString() ?? '', p.recipientSettlementId ?? '', p.createdAt.toISOString(), p.updatedAt.toISOString(),
  ];
}

/** `payouts export --format csv`: RFC 4180 CSV (csv-stringify quotes commas, quotes and newlines), newest first. */
export async function payoutsExportCsv(orm: MikroORM, filter: PayoutCommandFilter): Promise<string> {
  const payouts = await read(orm, filter);
  return stringify([[...PAYOUT_CSV_COLUMNS], ...payouts.map(toPayoutCsvRow)]);
}
