import 'reflect-metadata';
import { Command } from 'commander';
import { loadConfig } from '../config.js';
import { openCliDatabase } from './cli.database.js';
import { ledgerBackfill, ledgerCheck } from './ledger.commands.js';

/**
 * Operator commands: `npm run cli -- <command>`. Commander parses the arguments and writes the
 * help (`npm run cli -- --help`); each command is a function tested on its own.
 */
const program = new Command()
  .name('npm run cli --')
  .description('Operator commands for the payment service (uses DATABASE_URL, or the development embedded database).')
  .showHelpAfterError();

const ledger = program.command('ledger').description('the double-entry ledger');

ledger
  .command('check')
  .description('prove the books balance: journals sum to zero, wallet balances match, one capture journal per captured payment')
  .action(async () => {
    const db = await openCliDatabase(loadConfig());
    try {
      console.log(`database: ${db.description}`);
      process.exitCode = (await ledgerCheck(db.orm, console.log)).exitCode;
    } finally {
      await db.close();
    }
  });

ledger
  .command('backfill')
  .description('post the capture journal of captured payments that have none (payments from before the ledger)')
  .action(async () => {
    const db = await openCliDatabase(loadConfig());
    try {
      await ledgerBackfill(db.orm, console.log);
    } finally {
      await db.close();
    }
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
