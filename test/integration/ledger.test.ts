import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerBackfill, ledgerCheck } from '../../src/cli/ledger.commands.js';
import { Journal, JournalEntry, JournalKind } from '../../src/ledger/ledger.entities.js';
import { accounts } from '../../src/ledger/ledger.lines.js';
import { LedgerService } from '../../src/ledger/ledger.service.js';
import { PaymentStatus } from '../../src/payments/payment.state.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { seedPayments } from '../helpers/seed.js';
import { statementsDuring } from '../helpers/statements.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

async function check() {
  const lines: string[] = [];
  const result = await ledgerCheck(db.orm, (line) => lines.push(line));
  return { ...result, lines };
}

describe('the ledger in the database', () => {
  it('refuses to commit a journal that does not balance (deferred trigger), whatever the code does', async () => {
    const ledger = new LedgerService();
    const attempt = db.orm.em.fork().transactional(async (em) => {
      const accountsByCode = await ledger.accountsFor(em, [accounts.gatewayClearing('INR'), accounts.platformFees('INR')], 'INR');
      const journal = Object.assign(new Journal(), { kind: JournalKind.ADJUSTMENT, description: 'unbalanced on purpose' });
      em.persist(journal);
      em.persist(Object.assign(new JournalEntry(), { journal, account: accountsByCode.get('gateway_clearing:INR')!, amount: 100 }));
      em.persist(Object.assign(new JournalEntry(), { journal, account: accountsByCode.get('platform_fees:INR')!, amount: -99 }));
    });
    await expect(attempt).rejects.toThrow(/does not balance: its entries sum to 1/);
    expect(await db.orm.em.fork().count(Journal, { description: 'unbalanced on purpose' })).toBe(0);
  });

  it('remembers only committed accounts: one its own rolled-back transaction inserted is looked up again', async () => {
    const ledger = new LedgerService();
    const code = accounts.platformSales('XTS');
    const lines = [{ account: accounts.gatewayClearing('XTS'), amount: 700 }, { account: code, amount: -700 }];
    // Inserted, then read again (another id than tried: it exists), in a transaction that rolls back.
    const rolledBack = db.orm.em.fork().transactional(async (em) => {
      await ledger.accountsFor(em, [code], 'XTS');
      await ledger.accountsFor(em, [code], 'XTS');
      throw new Error('rolled back on purpose');
    });
    await expect(rolledBack).rejects.toThrow('rolled back on purpose');
    const [{ n }] = await db.orm.em.fork().getConnection().execute(`select count(*)::int as n from ledger_account where code = ?`, [code]);
    expect(n).toBe(0);
    // Had it remembered the rolled-back id, this journal would point at no account (a foreign key error).
    const post = () => db.orm.em.fork().transactional((em) => ledger.post(em, { kind: JournalKind.ADJUSTMENT, description: 'after a rollback', currency: 'XTS', lines }));
    await post();
    // Committed now: read once more and remembered, then not read at all.
    await post();
    const seen = await statementsDuring(db.orm, post);
    expect(seen.filter((sql) => sql.includes('ledger_account'))).toEqual([]);
    expect(await db.orm.em.fork().count(Journal, { description: 'after a rollback' })).toBe(3);
    expect((await check()).exitCode).toBe(0);
  });

  it('is append-only: entries and journals cannot be updated or deleted', async () => {
    const ledger = new LedgerService();
    const journal = await db.orm.em.fork().transactional((em) => ledger.post(em, {
      kind: JournalKind.ADJUSTMENT,
      description: 'balanced',
      currency: 'INR',
      lines: [{ account: accounts.gatewayClearing('INR'), amount: 500 }, { account: accounts.platformFees('INR'), amount: -500 }],
    }));
    const sql = db.orm.em.fork().getConnection();
    await expect(sql.execute(`update journal_entry set amount = amount * 2 where journal_id = ?`, [journal.id])).rejects.toThrow(/append-only: UPDATE on journal_entry/);
    await expect(sql.execute(`delete from journal_entry where journal_id = ?`, [journal.id])).rejects.toThrow(/append-only: DELETE on journal_entry/);
    await expect(sql.execute(`delete from journal where id = ?`, [journal.id])).rejects.toThrow(/append-only/);
    expect((await check()).exitCode).toBe(0);
  });

  it('`ledger check` names captured payments without a capture journal and wallets whose cache drifted; backfill repairs the first', async () => {
    const [old] = await seedPayments(db.orm, [{ payerId: 'legacy', amount: 77_700, status: PaymentStatus.CAPTURED, payeeId: 'p-1' }]);
    await seedPayments(db.orm, [{ payerId: 'legacy', status: PaymentStatus.FAILED }]);
    let result = await check();
    expect(result.exitCode).toBe(1);
    expect(result.lines).toContain(`FAIL capture_journal_missing ${old!.id}: payment is CAPTURED with no capture journal`);

    const posted: string[] = [];
    expect(await ledgerBackfill(db.orm, (line) => posted.push(line))).toBe(1);
    expect(await ledgerBackfill(db.orm, () => undefined)).toBe(0); // never twice
    result = await check();
    expect(result.exitCode).toBe(0);
    expect(result.lines.at(-1)).toMatch(/^OK/);

    // A wallet cache that drifted from its ledger is reported with both figures.
    const em = db.orm.em.fork();
    const ledger = new LedgerService();
    const code = accounts.wallet('drifter', 'INR');
    const account = (await ledger.accountsFor(em, [code], 'INR')).get(code)!;
    await em.getConnection().execute(`insert into wallet (id, user_id, currency, balance, status, account_id, created_at, updated_at)
      values (gen_random_uuid(), 'drifter', 'INR', 4200, 'ACTIVE', ?, now(), now())`, [account.id]);
    result = await check();
    expect(result.exitCode).toBe(1);
    expect(result.lines.some((l) => l.startsWith('FAIL wallet_balance_mismatch') && l.includes('cached balance 4200, ledger 0'))).toBe(true);
  });
});
