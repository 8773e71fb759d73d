/**
 * The inbox stores deliveries that arrive while every connection is busy together, in one
 * statement (one commit): each delivery still gets its own answer — stored, or a duplicate with
 * the stored row's id — and one row the table refuses fails only its own delivery.
 */
import 'reflect-metadata';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookInbox } from '../../src/webhooks/webhook.inbox.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
}, 60_000);

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const payload = (n: number) => ({ entity: 'event', event: 'test.inbox', contains: [], payload: { n, text: 'quote " backslash \\ é' }, created_at: n });

/** The inbox over `pool`, counting its statements. */
function countingInbox(onStored: () => void, concurrency: number): { inbox: WebhookInbox; statements: () => number } {
  let statements = 0;
  const counted = Object.create(pool) as pg.Pool;
  counted.query = ((...args: Parameters<pg.Pool['query']>) => {
    statements += 1;
    return (pool.query as (...a: unknown[]) => unknown)(...args);
  }) as pg.Pool['query'];
  return { inbox: new WebhookInbox(counted, onStored, { concurrency }), statements: () => statements };
}

// `waiting`: the event's places in the feeder's table (1 until a feeder gives it its job; never more).
const rowsOf = async (prefix: string) => (await pool.query<{ id: string; event_id: string; status: string; waiting: number; payload: unknown }>(
  `select id, event_id, status, (select count(*)::int from webhook_event_unqueued u where u.webhook_event_id = e.id) as waiting, payload
    from webhook_event e where event_id like $1 order by event_id`, [`${prefix}%`])).rows;

describe('the webhook inbox', () => {
  it('stores the deliveries that wait for a connection in one statement, each answered as its own', async () => {
    let woken = 0;
    const { inbox, statements } = countingInbox(() => (woken += 1), 1);
    const prefix = `evt_group_${Date.now()}_`;
    const stored = await Promise.all(Array.from({ length: 60 }, (_, i) => inbox.store({ gateway: 'razorpay', eventId: `${prefix}${String(i).padStart(2, '0')}`, eventType: 'test.inbox', payload: payload(i) })));
    // One connection: the first alone, the other 59 together once it is done.
    expect(statements()).toBe(2);
    expect(stored.every((s) => s.stored)).toBe(true);
    expect(new Set(stored.map((s) => s.id)).size).toBe(60);
    expect(woken).toBe(60);
    const rows = await rowsOf(prefix);
    expect(rows.map((r) => r.id)).toEqual(stored.map((s) => s.id));
    expect(rows.every((r) => r.status === 'PENDING' && r.waiting === 1)).toBe(true);
    expect(rows[7]!.payload).toEqual(payload(7));
  });

  it('answers a repeat in the same statement, or of a stored event, as a duplicate with the stored id; a QUARANTINED event needs no job', async () => {
    let woken = 0;
    const { inbox } = countingInbox(() => (woken += 1), 1);
    const prefix = `evt_repeat_${Date.now()}_`;
    const earlier = await inbox.store({ gateway: 'razorpay', eventId: `${prefix}old`, eventType: 'test.inbox', payload: payload(0) });
    woken = 0;
    const blocker = inbox.store({ gateway: 'razorpay', eventId: `${prefix}first`, eventType: 'test.inbox', payload: payload(1) });
    // These wait for the one connection, so they go out together: a new event twice, the stored one again, one to quarantine.
    const [a, b, old, quarantined] = await Promise.all([
      inbox.store({ gateway: 'razorpay', eventId: `${prefix}new`, eventType: 'test.inbox', payload: payload(2) }),
      inbox.store({ gateway: 'razorpay', eventId: `${prefix}new`, eventType: 'test.inbox', payload: payload(2) }),
      inbox.store({ gateway: 'razorpay', eventId: `${prefix}old`, eventType: 'test.inbox', payload: payload(0) }),
      inbox.store({ gateway: 'razorpay', eventId: `${prefix}q`, eventType: 'test.inbox', payload: payload(3), quarantine: { raw: Buffer.from([0xff, 0x00]), problems: ['test'] } }),
    ]);
    await blocker;
    expect([a.stored, b.stored, b.id]).toEqual([true, false, a.id]);
    expect(old).toEqual({ stored: false, id: earlier.id });
    expect(quarantined.stored).toBe(true);
    // The blocker and the new event: a duplicate or a QUARANTINED event wakes no feeder.
    expect(woken).toBe(2);
    const rows = await rowsOf(prefix);
    // One place each for the feeder, a repeat adding none; none for the QUARANTINED event.
    expect(rows.map((r) => [r.event_id.slice(prefix.length), r.status, r.waiting])).toEqual([
      ['first', 'PENDING', 1], ['new', 'PENDING', 1], ['old', 'PENDING', 1], ['q', 'QUARANTINED', 0],
    ]);
    const [{ raw_body }] = (await pool.query(`select raw_body from webhook_event where event_id = $1`, [`${prefix}q`])).rows;
    expect(Buffer.from(raw_body, 'base64')).toEqual(Buffer.from([0xff, 0x00]));
  });

  it('fails only the delivery the table refuses when the others were in the same statement', async () => {
    const { inbox } = countingInbox(() => undefined, 1);
    const prefix = `evt_refused_${Date.now()}_`;
    const blocker = inbox.store({ gateway: 'razorpay', eventId: `${prefix}0`, eventType: 'test.inbox', payload: payload(0) });
    const outcomes = await Promise.allSettled([
      inbox.store({ gateway: 'razorpay', eventId: `${prefix}1`, eventType: 'test.inbox', payload: payload(1) }),
      // event_id is varchar(100): this row cannot be stored.
      inbox.store({ gateway: 'razorpay', eventId: `${prefix}${'x'.repeat(120)}`, eventType: 'test.inbox', payload: payload(2) }),
      inbox.store({ gateway: 'razorpay', eventId: `${prefix}3`, eventType: 'test.inbox', payload: payload(3) }),
    ]);
    await blocker;
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await rowsOf(prefix)).map((r) => r.event_id.slice(prefix.length))).toEqual(['0', '1', '3']);
  });

  it('stores every delivery exactly once when many race, repeats included, over several connections', async () => {
    const { inbox } = countingInbox(() => undefined, 2);
    const prefix = `evt_race_${Date.now()}_`;
    const ids = Array.from({ length: 300 }, (_, i) => `${prefix}${String(i % 100).padStart(3, '0')}`);
    const answers = await Promise.all(ids.map((eventId, i) => inbox.store({ gateway: 'razorpay', eventId, eventType: 'test.inbox', payload: payload(i % 100) })));
    const rows = await rowsOf(prefix);
    expect(rows).toHaveLength(100);
    const idOf = new Map(rows.map((r) => [r.event_id, r.id]));
    // Each of the three deliveries of an event: the stored row's id; exactly one of them stored it.
    answers.forEach((answer, i) => expect(answer.id).toBe(idOf.get(ids[i]!)));
    for (let n = 0; n < 100; n += 1) expect([answers[n]!, answers[n + 100]!, answers[n + 200]!].filter((a) => a.stored)).toHaveLength(1);
  });
});
