import express from 'express';
import { jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import pg from 'pg';

/**
 * The reference of the read figure: a bare Express 5 + pg route serving the same page as
 * `payments(first: 50) { … transactions { … } }` — the same rows, the same three statements
 * (page, count, the page's transactions), the same HS256 JWT check through jose, with verified
 * tokens remembered until their `exp` as the service's `authenticate` does (src/auth/auth.ts) — as JSON.
 * Started by `npm run bench` as its own process (BARE_PORT, DATABASE_URL, JWT_SECRET).
 */
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const secret = new TextEncoder().encode(process.env.JWT_SECRET);
// The service remembers verified tokens (10,000, each until its exp): so does the reference.
const verified = new LRUCache<string, { sub: string; expiresAtMs: number }>({ max: 10_000 });
async function subjectOf(token: string): Promise<string> {
  const known = verified.get(token);
  if (known && Date.now() < known.expiresAtMs) return known.sub;
  const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] });
  const expiresAtMs = payload.exp! * 1000;
  verified.set(token, { sub: String(payload.sub), expiresAtMs }, { ttl: Math.max(1, expiresAtMs - Date.now()) });
  return String(payload.sub);
}
const app = express();
app.disable('x-powered-by');

const toInt = (value: string | number) => Number(value);

app.get('/healthz', (_req, res) => void res.json({ ok: true }));
app.get('/payments', async (req, res) => {
  const header = req.get('authorization') ?? '';
  let userId: string;
  try {
    userId = await subjectOf(header.slice(7));
  } catch {
    res.status(401).json({ error: 'unauthenticated' });
    return;
  }
  const first = Math.min(100, Math.max(1, Number(req.query.first ?? 20)));
  const where = `payer_id = $1 and (razorpay_order_id is not null or status <> 'CREATED')`;
  const [page, count] = await Promise.all([
    pool.query(`select id, status, amount, currency, platform_fee, payee_amount, created_at from payment where ${where} order by created_at desc, id desc limit $2`, [userId, first + 1]),
    pool.query(`select count(*)::int as n from payment where ${where}`, [userId]),
  ]);
  const rows = page.rows.slice(0, first);
  const transactions = await pool.query(
    'select id, type, status, amount, currency, payment_id, created_at from transaction where payment_id = any($1) order by created_at asc, id asc',
    [rows.map((row) => row.id)],
  );
  const byPayment = new Map<string, unknown[]>();
  for (const t of transactions.rows) {
    const list = byPayment.get(t.payment_id) ?? [];
    list.push({ id: t.id, type: t.type, status: t.status, amount: toInt(t.amount), currency: t.currency, createdAt: t.created_at.toISOString() });
    byPayment.set(t.payment_id, list);
  }
  const edges = rows.map((row) => ({
    cursor: Buffer.from(`${row.created_at.toISOString()}|${row.id}`).toString('base64url'),
    node: {
      id: row.id, status: row.status, amount: toInt(row.amount), currency: row.currency, platformFee: toInt(row.platform_fee),
      payeeAmount: toInt(row.payee_amount), createdAt: row.created_at.toISOString(), transactions: byPayment.get(row.id) ?? [],
    },
  }));
  res.json({ data: { payments: { totalCount: count.rows[0].n, edges, pageInfo: { hasNextPage: page.rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } } } });
});

const server = app.listen(Number(process.env.BARE_PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
