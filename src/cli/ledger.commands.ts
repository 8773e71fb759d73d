import { LockMode, type MikroORM } from '@mikro-orm/postgresql';
import { postCaptureJournal } from '../ledger/ledger.handlers.js';
import { checkLedger, type LedgerReport } from '../ledger/ledger.check.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { Journal, JournalKind } from '../ledger/ledger.entities.js';
import { Payment, PaymentFunding } from '../payments/payment.entity.js';
import { MONEY_RECEIVED_STATUSES } from '../payments/payment.state.js';

export type Print = (line: string) => void;

/** `ledger check`: prints the proof; exit code 0 when the books balance, 1 otherwise. */
export async function ledgerCheck(orm: MikroORM, print: Print): Promise<{ exitCode: number; report: LedgerReport }> {
  const report = await checkLedger(orm.em.fork());
  print(`journals: ${report.journals}, entries: ${report.entries}, wallets: ${report.wallets}, captured payments: ${report.capturedPayments}, payees: ${report.payees}`);
  if (report.problems.length === 0) {
    print('OK: every journal sums to zero, every wallet balance equals its ledger, every captured payment has exactly one capture journal, every processed refund exactly one refund journal, every amountRefunded the sum of its refunds');
    return { exitCode: 0, report };
  }
  for (const problem of report.problems) print(`FAIL ${problem.rule} ${problem.id}: ${problem.detail}`);
  print(`${report.problems.length} problem(s) found`);
  return { exitCode: 1, report };
}

/**
 * `ledger backfill`: posts the capture journal of every payment whose money arrived before
 * the ledger existed (one per payment, never twice: the partial unique index sees to it).
 */
export async function ledgerBackfill(orm: MikroORM, print: Print): Promise<number> {
  const ledger = new LedgerService();
  const em = orm.em.fork();
  const captured = await em.find(Payment, { status: { $in: [...MONEY_RECEIVED_STATUSES] } }, { orderBy: { createdAt: 'asc' } });
  let posted = 0;
  for (const payment of captured) {
    const done = await orm.em.fork().transactional(async (tx) => {
      const locked = await tx.findOneOrFail(Payment, { id: payment.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if ((await tx.count(Journal, { payment: locked, kind: JournalKind.PAYMENT_CAPTURE })) > 0) return false;
      await postCaptureJournal(ledger, tx, locked, locked.funding ?? PaymentFunding.GATEWAY);
      return true;
    });
    if (done) {
      posted += 1;
      print(`posted capture journal for payment ${payment.id} (${payment.amount} ${payment.currency})`);
    }
  }
  print(`${posted} capture journal(s) posted; ${captured.length - posted} payment(s) already had one`);
  return posted;
}
