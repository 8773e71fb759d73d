import { stringify } from 'csv-stringify/sync';
import Table from 'cli-table3';

/** No colour codes: the output is read by people and by scripts alike. */
const PLAIN = { head: [] as string[], border: [] as string[] };
import type { MikroORM } from '@mikro-orm/postgresql';
import { formatMoney } from '../money/money.js';
import { PaymentPurpose, type Payment } from '../payments/payment.entity.js';
import { PaymentStatus } from '../payments/payment.state.js';
import { reportDay } from '../reports/report.period.js';
import { ReportService, type CurrencyStats, type PaymentListFilter } from '../reports/report.service.js';
import { dateOption, statusesOption } from './cli.options.js';
import type { Print } from './ledger.commands.js';

export const CSV_COLUMNS = [
  'id', 'status', 'purpose', 'amount', 'currency', 'platform_fee', 'payee_amount', 'amount_refunded', 'payer_id', 'payee_id',
  'reference', 'description', 'method', 'razorpay_order_id', 'razorpay_payment_id', 'created_at', 'paid_at',
] as const;

/** Parses the command line's filter options; each bad value names its option. */
export function parsePaymentFilter(options: Record<string, string | undefined>): PaymentListFilter {
  const date = (name: string) => dateOption(options, name);
  const statuses = statusesOption(options, PaymentStatus);
  const limit = options.limit === undefined ? undefined : Number(options.limit);
  if (limit !== undefined && !Number.isInteger(limit)) throw new Error(`--limit must be a whole number, got ${options.limit}`);
  return {
    status: statuses,
    payerId: options.user,
    payeeId: options.payee,
    reference: options.reference,
    from: date('from'),
    to: date('to'),
    limit,
  };
}

/** `payments list`: a table of payments with amounts, split, status, method, gateway ids and times. */
export async function paymentsList(orm: MikroORM, filter: PaymentListFilter, print: Print): Promise<number> {
  const payments = await new ReportService(orm).listPayments(filter);
  const table = new Table({ head: ['created', 'status', 'purpose', 'amount', 'fee', 'payee share', 'refunded', 'payer', 'payee', 'method', 'order', 'payment', 'paid'], style: PLAIN });
  for (const p of payments) {
    table.push([
      p.createdAt.toISOString(), p.status, p.purpose, formatMoney(p.amount, p.currency), formatMoney(p.platformFee, p.currency),
      payeeShare(p) === '' ? '' : formatMoney(p.payeeAmount, p.currency), formatMoney(p.amountRefunded, p.currency), p.payerId, p.payeeId ?? '',
      p.method?.method ?? '', p.razorpayOrderId ?? '', p.razorpayPaymentId ?? '', p.paidAt?.toISOString() ?? '',
    ]);
  }
  print(table.toString());
  print(`${payments.length} payment(s)`);
  return payments.length;
}

/**
 * A payment's payee share as reported: none for a wallet top-up (the money is the payer's own,
 * owed back to them through the wallet; `payee_amount` only balances its split).
 */
function payeeShare(p: Payment): number | '' {
  return p.purpose === PaymentPurpose.WALLET_TOPUP ? '' : p.payeeAmount;
}

/** One CSV row; amounts stay integers in minor units (no rounding, no locale). */
export function toCsvRow(p: Payment): (string | number)[] {
  return [
    p.id, p.status, p.purpose, p.amount, p.currency, p.platformFee, payeeShare(p), p.amountRefunded, p.payerId, p.payeeId ?? '',
    p.reference ?? '', p.description ?? '', p.method?.method ?? '', p.razorpayOrderId ?? '', p.razorpayPaymentId ?? '',
    p.createdAt.toISOString(), p.paidAt?.toISOString() ?? '',
  ];
}

/** `payments export --format csv`: RFC 4180 CSV (csv-stringify quotes commas, quotes and newlines). */
export async function paymentsExportCsv(orm: MikroORM, filter: PaymentListFilter): Promise<string> {
  const payments = await new ReportService(orm).listPayments({ ...filter, limit: filter.limit ?? 10_000 });
  return stringify([[...CSV_COLUMNS], ...payments.map(toCsvRow)]);
}

/** The report's lines, in the order an accountant reads them: money in, then what it became. */
const REPORT_LINES: [label: string, key: keyof CurrencyStats, money: boolean][] = [
  ['payments created', 'count', false],
  ['succeeded', 'succeeded', false],
  ['failed', 'failed', false],
  ['collected through the gateway', 'collected', true],
  ['paid from wallets', 'walletSpends', true],
  ['wallet top-ups (owed to wallet holders)', 'topUps', true],
  ['platform fees', 'fees', true],
  ["platform's own sales", 'sales', true],
  ['revenue (fees + own sales)', 'revenue', true],
  ['payouts (owed to payees)', 'payouts', true],
  ['payouts transferred (processed transfers − reversals)', 'payoutsTransferred', true],
  ['refunded', 'refunds', true],
];

/**
 * `report daily --date`: the day's figures per currency, for the day from midnight to midnight
 * in `zone` (REPORT_TIMEZONE, default UTC), which it prints. Collected plus paid from wallets
 * equals top-ups plus revenue plus payouts: each payment is counted once.
 */
export async function reportDaily(orm: MikroORM, date: string, zone: string, print: Print): Promise<CurrencyStats[]> {
  const day = reportDay(date, zone);
  const stats = await new ReportService(orm).paymentStats(day.from, day.to);
  print(`payments created ${day.from.toISOString()} to ${day.to.toISOString()} (${date}, ${day.zoneLabel})`);
  if (stats.length === 0) {
    print('no payments');
    return stats;
  }
  const table = new Table({ head: ['', ...stats.map((s) => s.currency)], style: PLAIN });
  for (const [label, key, money] of REPORT_LINES) {
    table.push([label, ...stats.map((s) => (money ? formatMoney(s[key] as number, s.currency) : String(s[key])))]);
  }
  print(table.toString());
  return stats;
}
