import type pg from 'pg';

/** Columns of `table` in order, for copying rows whatever columns later migrations add. */
async function columnsOf(db: pg.Client, table: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `select column_name as name from information_schema.columns where table_schema = 'public' and table_name = $1 order by ordinal_position`,
    [table],
  );
  return rows.map((row) => `"${row.name}"`);
}

/** `insert into table (cols) select <override or t.col> …`: every column copied but the overridden ones. */
function copyList(columns: string[], alias: string, overrides: Record<string, string>): { names: string; values: string } {
  const kept = columns.filter((c) => !(c.slice(1, -1) in overrides) || overrides[c.slice(1, -1)] !== 'DEFAULT');
  return {
    names: kept.join(', '),
    values: kept.map((c) => overrides[c.slice(1, -1)] ?? `${alias}.${c}`).join(', '),
  };
}

/**
 * `count` copies of one order that `createOrder` wrote (`templateId`: its payment, CHARGE
 * transaction and audit rows), each with a new id, gateway order id `order_<tag><n>` and payer
 * `payerOf(n)` (SQL over the series number `g`). The rows are exactly the shape createOrder
 * writes, in seconds instead of minutes. Returns the new payments' ids in series order.
 */
export async function cloneOrders(db: pg.Client, templateId: string, count: number, tag: string, payerSql: string): Promise<{ id: string; orderId: string; payerId: string }[]> {
  const payment = copyList(await columnsOf(db, 'payment'), 't', {
    id: 'gen_random_uuid()', payer_id: payerSql, razorpay_order_id: `'order_${tag}' || g`, idempotency_key: 'null', created_at: 'now()', updated_at: 'now()',
  });
  const transaction = copyList(await columnsOf(db, 'transaction'), 'tt', { id: 'gen_random_uuid()', user_id: 'p.payer_id', payment_id: 'p.id', idempotency_key: 'null' });
  const event = copyList(await columnsOf(db, 'payment_event'), 'te', { id: 'DEFAULT', payment_id: 'p.id', actor_id: 'p.payer_id' });
  const { rows } = await db.query<{ id: string; orderId: string; payerId: string }>(`
    with made as (
      insert into payment (${payment.names}) select ${payment.values} from payment t, generate_series(1, $2::int) g where t.id = $1
      returning id, razorpay_order_id, payer_id
    ), p as (select made.*, substr(razorpay_order_id, ${7 + tag.length})::int as n from made),
    tx as (insert into transaction (${transaction.names}) select ${transaction.values} from transaction tt, p where tt.payment_id = $1),
    ev as (insert into payment_event (${event.names}) select ${event.values} from payment_event te, p where te.payment_id = $1)
    select id, razorpay_order_id as "orderId", payer_id as "payerId" from p order by n`, [templateId, count]);
  return rows;
}

/** The read benchmark's rows: `total` captured payments with their CHARGE, a quarter of them `userId`'s. */
export async function seedPaymentPages(db: pg.Client, userId: string, total: number): Promise<void> {
  await db.query(`
    with p as (
      insert into payment (id, status, purpose, amount, currency, fee_bps, platform_fee, payee_amount, payer_id, razorpay_order_id,
                           razorpay_payment_id, version, created_at, updated_at, paid_at)
      select gen_random_uuid(), 'CAPTURED', 'ORDER', 10000 + g, 'INR', 1500, (10000 + g) * 15 / 100, (10000 + g) - (10000 + g) * 15 / 100,
             case when g % 4 = 0 then $1 else 'other-' || (g % 3) end, 'order_page' || g, 'pay_page' || g, 3,
             timestamp '2026-01-01' + g * interval '1 minute', timestamp '2026-01-01' + g * interval '1 minute', timestamp '2026-01-01' + g * interval '1 minute'
      from generate_series(1, $2::int) g
      returning id, amount, payer_id, created_at
    )
    insert into transaction (id, type, status, amount, currency, user_id, payment_id, created_at, completed_at)
    select gen_random_uuid(), 'CHARGE', 'COMPLETED', amount, 'INR', payer_id, id, created_at, created_at from p`, [userId, total]);
  await db.query('analyze payment; analyze transaction');
}
