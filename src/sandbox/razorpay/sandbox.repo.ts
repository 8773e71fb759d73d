/**
 * Rows of the sandbox's orders, payments and refunds. Each entity is kept as the wire object
 * Razorpay answers (a `json` column keeps its key order), with the keys the sandbox looks up by.
 * `lock` reads take the row lock for the rest of the transaction; changes always lock in the
 * order order → payment → refund, so concurrent changes never deadlock.
 */
import type { WireOrder, WirePayment, WireRefund } from '../../gateways/razorpay/razorpay.wire.js';
import { SCHEMA, type Queryable, type Statement } from './sandbox.db.js';
import { notFound } from './sandbox.errors.js';

export interface OrderRecord {
  order: WireOrder;
  autoCapture: boolean;
}

interface Tables {
  orders: WireOrder;
  payments: WirePayment;
  refunds: WireRefund;
}

/** The entity `id` in `table`, or Razorpay's 404. */
export async function find<T extends keyof Tables>(db: Queryable, table: T, id: string, lock = false): Promise<Tables[T]> {
  const { rows } = await db.query<{ body: Tables[T] }>(
    `select body from ${SCHEMA}.${table} where id = $1${lock ? ' for update' : ''}`,
    [id],
  );
  if (rows.length === 0) throw notFound();
  return rows[0]!.body;
}

export async function findOrderRecord(db: Queryable, orderId: string, lock = false): Promise<OrderRecord> {
  const { rows } = await db.query<{ body: WireOrder; auto_capture: boolean }>(
    `select body, auto_capture from ${SCHEMA}.orders where id = $1${lock ? ' for update' : ''}`,
    [orderId],
  );
  if (rows.length === 0) throw notFound();
  return { order: rows[0]!.body, autoCapture: rows[0]!.auto_capture };
}

export function save<T extends keyof Tables>(table: T, entity: Tables[T]): Statement {
  return { text: `update ${SCHEMA}.${table} set body = $2 where id = $1`, values: [entity.id, JSON.stringify(entity)] };
}

export async function insertOrder(db: Queryable, record: OrderRecord): Promise<void> {
  await db.query(`insert into ${SCHEMA}.orders (id, auto_capture, body) values ($1, $2, $3)`, [
    record.order.id,
    record.autoCapture,
    JSON.stringify(record.order),
  ]);
}

export function insertPayment(payment: WirePayment): Statement {
  return {
    text: `insert into ${SCHEMA}.payments (id, order_id, body) values ($1, $2, $3)`,
    values: [payment.id, payment.order_id, JSON.stringify(payment)],
  };
}

export function insertRefund(refund: WireRefund): Statement {
  return {
    text: `insert into ${SCHEMA}.refunds (id, payment_id, body) values ($1, $2, $3)`,
    values: [refund.id, refund.payment_id, JSON.stringify(refund)],
  };
}

/** The order's attempts newest first, as Razorpay lists collections; a 404 for an unknown order. */
export async function paymentsOfOrder(db: Queryable, orderId: string): Promise<WirePayment[]> {
  const { rows } = await db.query<{ body: WirePayment | null }>(
    `select p.body from ${SCHEMA}.orders o left join ${SCHEMA}.payments p on p.order_id = o.id
      where o.id = $1 order by p.seq desc`,
    [orderId],
  );
  if (rows.length === 0) throw notFound();
  return rows.flatMap((row) => (row.body ? [row.body] : []));
}

/**
 * The payment, locked, with what an earlier request with `key` recorded (if any), in one round
 * trip. Two requests with one key on different payments can both find nothing: the key's
 * primary key then refuses the second insert (see `isUniqueViolation`) and it is retried.
 */
export async function lockPaymentWithKey(
  db: Queryable,
  paymentId: string,
  key: string | null,
): Promise<{ payment: WirePayment; earlier: { fingerprint: string; refundId: string } | null }> {
  const { rows } = await db.query<{ body: WirePayment; fingerprint: string | null; refund_id: string | null }>(
    `select p.body, k.fingerprint, k.refund_id from ${SCHEMA}.payments p
       left join ${SCHEMA}.refund_keys k on k.idempotency_key = $2
      where p.id = $1 for update of p`,
    [paymentId, key],
  );
  if (rows.length === 0) throw notFound();
  const row = rows[0]!;
  return { payment: row.body, earlier: row.fingerprint ? { fingerprint: row.fingerprint, refundId: row.refund_id! } : null };
}

/** PostgreSQL's unique_violation, as raised when two requests race to record one key. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23505';
}

export function insertRefundKey(key: string, fingerprint: string, refundId: string): Statement {
  return {
    text: `insert into ${SCHEMA}.refund_keys (idempotency_key, fingerprint, refund_id) values ($1, $2, $3)`,
    values: [key, fingerprint, refundId],
  };
}

/** Every entity, oldest first, for debugging. */
export async function everything(db: Queryable): Promise<{ orders: WireOrder[]; payments: WirePayment[]; refunds: WireRefund[] }> {
  const all = async <T extends keyof Tables>(table: T): Promise<Tables[T][]> =>
    (await db.query<{ body: Tables[T] }>(`select body from ${SCHEMA}.${table} order by seq`)).rows.map((row) => row.body);
  const [orders, payments, refunds] = await Promise.all([all('orders'), all('payments'), all('refunds')]);
  return { orders, payments, refunds };
}
