import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { ledgerCheck } from '../src/cli/ledger.commands.js';
import { ormConfig } from '../src/db/mikro-orm.config.js';
import { adminQuery, databaseUrl } from '../src/db/scratch.js';

/**
 * Databases for the runs: one migrated template per invocation, copied for each seed (a fresh
 * database per run without paying for the migrations every time).
 */
export class RunDatabases {
  private constructor(
    readonly adminUrl: string,
    private readonly template: string,
  ) {}

  static async open(adminUrl: string): Promise<RunDatabases> {
    const template = `chaos_template_${randomBytes(4).toString('hex')}`;
    await adminQuery(adminUrl, `create database "${template}"`);
    const config = ormConfig({ clientUrl: databaseUrl(adminUrl, template), poolMax: 1, preparedStatements: { enabled: false } });
    const orm = await MikroORM.init({ ...config, migrations: { ...config.migrations, silent: true } });
    try {
      await orm.getMigrator().up();
    } finally {
      await orm.close();
    }
    return new RunDatabases(adminUrl, template);
  }

  /** A fresh, migrated database for one seed; returns its name and URL. */
  async create(seed: number): Promise<{ name: string; url: string }> {
    const name = `chaos_s${seed}_${randomBytes(3).toString('hex')}`;
    await adminQuery(this.adminUrl, `create database "${name}" template "${this.template}"`);
    return { name, url: databaseUrl(this.adminUrl, name) };
  }

  async drop(name: string): Promise<void> {
    await adminQuery(this.adminUrl, `drop database if exists "${name}" with (force)`);
  }

  async close(): Promise<void> {
    await this.drop(this.template);
  }
}

/** `ledger check` (the function `npm run cli -- ledger check` runs) on a run's database. */
export async function runLedgerCheck(url: string): Promise<{ ok: boolean; lines: string[] }> {
  const orm = await MikroORM.init(ormConfig({ clientUrl: url, poolMax: 2 }));
  try {
    const lines: string[] = [];
    const { exitCode } = await ledgerCheck(orm, (line) => lines.push(line));
    return { ok: exitCode === 0, lines };
  } finally {
    await orm.close();
  }
}
