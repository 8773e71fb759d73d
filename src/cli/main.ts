import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { loadConfig } from '../config.js';
import type { CliDatabase } from './cli.database.js';
import { openCliDatabase } from './cli.database.js';
import { ledgerBackfill, ledgerCheck } from './ledger.commands.js';
import { parsePaymentFilter, paymentsExportCsv, paymentsList, reportDaily } from './payments.commands.js';
import { parsePayoutFilter, payoutsExportCsv, payoutsList } from './payouts.commands.js';
import { webhooksList, webhooksReplay } from './webhooks.commands.js';

/**
 * Operator commands: `npm run cli -- <command>`. Commander parses the arguments and writes the
 * help (`npm run cli -- --help`); each command is a function tested on its own.
 */
const program = new Command()
  .name('npm run cli --')
  .description('Operator commands for the payment service (uses DATABASE_URL, or the development embedded database).')
  .showHelpAfterError();

/** Opens the database, runs `work`, closes it; the work's number becomes the exit code. */
async function withDatabase(work: (db: CliDatabase) => Promise<number | void>): Promise<void> {
  const db = await openCliDatabase(loadConfig());
  try {
    const code = await work(db);
    if (typeof code === 'number') process.exitCode = code;
  } finally {
    await db.close();
  }
}

const filterOptions = (command: Command) => command
  .option('--status <list>', 'comma-separated statuses (CAPTURED,FAILED…)')
  .option('--user <id>', 'payer id')
  .option('--payee <id>', 'payee id')
  .option('--reference <text>', "the client's reference")
  .option('--from <date>', 'created at or after (2026-11-01 or ISO timestamp)')
  .option('--to <date>', 'created before')
  .option('--limit <n>', 'at most this many rows');

const payments = program.command('payments').description('payments');
filterOptions(payments.command('list').description('a table of payments: amount, fee, payee share, status, method, gateway ids, times'))
  .action((options: Record<string, string>) => withDatabase(async (db) => {
    await paymentsList(db.orm, parsePaymentFilter(options), console.log);
  }));
filterOptions(payments.command('export').description('export payments (newest first, at most 10,000)'))
  .addOption(new Option('--format <format>', 'output format').choices(['csv']).default('csv'))
  .option('--out <file>', 'write to this file instead of standard output')
  .action((options: Record<string, string>) => withDatabase(async (db) => {
    const csv = await paymentsExportCsv(db.orm, parsePaymentFilter(options));
    if (options.out) await writeFile(options.out, csv);
    else process.stdout.write(csv);
  }));

const payoutFilterOptions = (command: Command) => command
  .option('--status <list>', 'comma-separated statuses (ACCRUED,PENDING,ON_HOLD,PROCESSED,FAILED,PARTIALLY_REVERSED,REVERSED)')
  .option('--payee <id>', 'payee id')
  .option('--payment <id>', 'payment id')
  .option('--from <date>', 'created at or after (2026-11-01 or ISO timestamp)')
  .option('--to <date>', 'created before');

const payouts = program.command('payouts').description("payouts: payees' shares sent by Razorpay Route transfers");
payoutFilterOptions(payouts.command('list').description('a table of payouts, newest first: status, payee, amount, reversed, owed back, transfer, hold'))
  .option('--limit <n>', 'at most this many rows (default 50)')
  .action((options: Record<string, string>) => withDatabase(async (db) => {
    await payoutsList(db.orm, parsePayoutFilter(options, 50), console.log);
  }));
payoutFilterOptions(payouts.command('export').description('export payouts (newest first, at most 10,000)'))
  .option('--limit <n>', 'at most this many rows (default 10,000)')
  .addOption(new Option('--format <format>', 'output format').choices(['csv']).default('csv'))
  .option('--out <file>', 'write to this file instead of standard output')
  .action((options: Record<string, string>) => withDatabase(async (db) => {
    const csv = await payoutsExportCsv(db.orm, parsePayoutFilter(options, 10_000));
    if (options.out) await writeFile(options.out, csv);
    else process.stdout.write(csv);
  }));

program.command('report').description('reports').command('daily')
  .description("one day's figures per currency: collected, paid from wallets, top-ups, fees, own sales, revenue, payouts, refunds")
  .requiredOption('--date <YYYY-MM-DD>', 'the day')
  .option('--timezone <zone>', 'the day runs midnight to midnight in this IANA zone or ±hh:mm offset (default: REPORT_TIMEZONE, else UTC)')
  .option('--offset <±hh:mm>', 'the same as --timezone with a fixed offset')
  .action((options: { date: string; timezone?: string; offset?: string }) => withDatabase(async (db) => {
    await reportDaily(db.orm, options.date, options.timezone ?? options.offset ?? loadConfig().reportTimezone, console.log);
  }));

const webhooks = program.command('webhooks').description('the webhook inbox');
webhooks.command('list').description('stored webhook events, newest first')
  .option('--failed', 'only FAILED and DEAD events', false)
  .option('--limit <n>', 'at most this many', '50')
  .action((options: { failed: boolean; limit: string }) => withDatabase((db) => webhooksList(db.orm, { failed: options.failed, limit: Math.min(1000, Number(options.limit) || 50) }, console.log).then(() => undefined)));
webhooks.command('replay').description('process a stored event again now').argument('<eventId>', 'X-Razorpay-Event-Id')
  .action((eventId: string) => withDatabase(async (db) => {
    const { cliServices } = await import('./cli.services.js'); // the whole service layer: loaded only by the commands that need it
    const { services, close } = await cliServices(db.orm, loadConfig(), console.log);
    try {
      return (await webhooksReplay(db.orm, services.webhookProcessor, eventId, console.log)) ? 0 : 1;
    } finally {
      await close();
    }
  }));

program.command('reconcile')
  .description('one reconciliation pass now: ask Razorpay about payments left CREATED/AUTHORIZED/FAILED and refunds left PENDING')
  .action(() => withDatabase(async (db) => {
    const { cliServices } = await import('./cli.services.js'); // the whole service layer: loaded only by the commands that need it
    const { services, close } = await cliServices(db.orm, loadConfig(), console.log);
    try {
      const report = await services.reconciler.runOnce();
      console.log(`examined ${report.claimed.length} payment(s): ${report.changed} changed (${report.captured} captured), ${report.errors} error(s); ` +
        `refunds: ${report.refundsChecked} checked, ${report.refundsSettled} settled`);
      return report.errors > 0 ? 1 : 0;
    } finally {
      await close();
    }
  }));

const ledger = program.command('ledger').description('the double-entry ledger');
ledger.command('check')
  .description('prove the books balance: journals sum to zero, wallet balances match, one capture journal per captured payment')
  .action(() => withDatabase(async (db) => {
    console.log(`database: ${db.description}`);
    return (await ledgerCheck(db.orm, console.log)).exitCode;
  }));
ledger.command('backfill')
  .description('post the capture journal of captured payments that have none (payments from before the ledger)')
  .action(() => withDatabase(async (db) => {
    await ledgerBackfill(db.orm, console.log);
  }));

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
