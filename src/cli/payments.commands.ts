import { stringify } from 'csv-stringify/sync';
import Table from 'cli-table3';

/** No colour codes: the output is read by people and by scripts alike. */
const PLAIN = { head: [] as string[], border: [] as string[] };
import type { MikroORM } from '@mikro-orm/postgresql';
import { formatMoney } from '../money/money.js';
import type { Payment } from '../payments/payment.entity.js';
import { PaymentStatus } from '../payments/payment.state.js';
import { ReportService, type PaymentListFilter } from '../reports/report.service.js';
import type { Print } from './ledger.commands.js';

export const CSV_COLUMNS = [
  'id', 'status', 'purpose', 'amount', 'currency', 'platform_fee', 'payee_amount', 'amount_refunded', 'payer_id', 'payee_id',
  'reference', 'description', 'method', 'razorpay_order_id', 'razorpay_payment_id', 'created_at', 'paid_at',
] as const;

/** Parses the command line's filter options; each bad value names its option. */
export function parsePaymentFilter(options: Record<string, string | undefined>): PaymentListFilter {
  const date = (name: string) => {
    const value = options[name];
    if (value === undefined) return undefined;
    const parsed = new Date(value);
    if (Number.isNaN(parsed.getTime())) throw new Error(`--${name} must be a date (2026-11-01 or an ISO timestamp), got ${value}`);
    return parsed;
  };
  const statuses = options.status?.split(',').map((s) => s.trim().toUpperCase());
  const unknown = statuses?.filter((s) => !(Object.values(PaymentStatus) as string[]).includes(s));
  if (unknown?.length) throw new Error(`--status must be among ${Object.values(PaymentStatus).join(', ')}; got ${unknown.join(', ')}`);
  const limit = options.limit === undefined ? undefined : Number(options.limit);
  if (limit !== undefined && !Number.isInteger(limit)) throw new Error(`--limit must be a whole number, got ${options.limit}`);
  return {
    status: statuses as PaymentStatus[] | undefined,
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
  const table = new Table({ head: ['created', 'status', 'amount', 'fee', 'payee share', 'refunded', 'payer', 'payee', 'method', 'order', 'payment', 'paid'], style: PLAIN });
  for (const p of payments) {
    table.push([
      p.createdAt.toISOString(), p.status, formatMoney(p.amount, p.currency), formatMoney(p.platformFee, p.currency),
      formatMoney(p.payeeAmount, p.currency), formatMoney(p.amountRefunded, p.currency), p.payerId, p.payeeId ?? '',
      p.method?.method ?? '', p.razorpayOrderId ?? '', p.razorpayPaymentId ?? '', p.paidAt?.toISOString() ?? '',
    ]);
  }
  print(table.toString());
  print(`${payments.length} payment(s)`);
  return payments.length;
}

/** One CSV row; amounts stay integers in minor units (no rounding, no locale). */
export function toCsvRow(p: Payment): (string | number)[] {
  return [
    p.id, p.status, p.purpose, p.amount, p.currency, p.platformFee, p.payeeAmount, p.amountRefunded, p.payerId, p.payeeId ?? '',
    p.reference ?? '', p.description ?? '', p.method?.method ?? '', p.razorpayOrderId ?? '', p.razorpayPaymentId ?? '',
    p.createdAt.toISOString(), p.paidAt?.toISOString() ?? '',
  ];
}

/** `payments export --format csv`: RFC 4180 CSV (csv-stringify quotes commas, quotes and newlines). */
export async function paymentsExportCsv(orm: MikroORM, filter: PaymentListFilter): Promise<string> {
  const payments = await new ReportService(orm).listPayments({ ...filter, limit: filter.limit ?? 10_000 });
  return stringify([[...CSV_COLUMNS], ...payments.map(toCsvRow)]);
}

/** `report daily --date`: the day's figures per currency, for the day starting at local midnight. */
export async function reportDaily(orm: MikroORM, date: string, utcOffset: string, print: Print): Promise<void> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`--date must be YYYY-MM-DD, got ${date}`);
  if (!/^[+-]\d{2}:\d{2}$/.test(utcOffset)) throw new Error(`--offset must look like +05:30, got ${utcOffset}`);
  const from = new Date(`${date}T00:00:00${utcOffset}`);
  if (Number.isNaN(from.getTime())) throw new Error(`--date is not a real day: ${date}`);
  const to = new Date(from.getTime() + 86_400_000);
  const stats = await new ReportService(orm).paymentStats(from, to);
  print(`payments created ${from.toISOString()} to ${to.toISOString()} (${date}, UTC${utcOffset})`);
  const table = new Table({ head: ['currency', 'count', 'succeeded', 'failed', 'revenue', 'fees', 'payouts', 'refunds'], style: PLAIN });
  for (const s of stats) {
    table.push([s.currency, s.count, s.succeeded, s.failed, formatMoney(s.revenue, s.currency), formatMoney(s.fees, s.currency), formatMoney(s.payouts, s.currency), formatMoney(s.refunds, s.currency)]);
  }
  print(stats.length ? table.toString() : 'no payments');
}
