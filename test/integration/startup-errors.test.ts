/**
 * Start-up as an operator meets it: a DATABASE_URL that cannot be reached is one sentence
 * naming DATABASE_URL and what to do (never the password, never a raw error object); a URL
 * naming a database that does not exist creates it and says so; the migrator writes JSON.
 */
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import { StartupError } from '../../src/db/database.errors.js';
import { adminQuery, databaseUrl } from '../../src/db/scratch.js';
import { createLogger } from '../../src/logger.js';
import { startupFailure } from '../../src/startup.js';

/** A logger whose JSON lines land in `lines`, parsed. */
function capturingLogger(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: createLogger(level, stream), lines, raw };
}

const created: string[] = [];
afterAll(async () => {
  for (const name of created) await adminQuery(inject('pgAdminUrl'), `drop database if exists "${name}" with (force)`);
});

describe('start-up errors name the setting at fault', () => {
  it('a closed port: DATABASE_URL, host and port, what to do; no password', async () => {
    const error = await openDatabase('postgres://payments:hunter2-secret@127.0.0.1:1/payments').then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as StartupError).setting).toBe('DATABASE_URL');
    expect((error as StartupError).message).toBe(
      'DATABASE_URL: nothing accepts connections at 127.0.0.1:1/payments (connection refused). Start PostgreSQL there, or correct the host and port in DATABASE_URL; or unset DATABASE_URL to use the embedded PostgreSQL (development only)',
    );
    expect((error as StartupError).message).not.toContain('hunter2');
  });

  it('an unknown host names DATABASE_URL and the host', async () => {
    const error = await openDatabase('postgres://postgres@no-such-host.invalid:5432/payments').then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as StartupError).message).toMatch(/^DATABASE_URL: the host of no-such-host\.invalid:5432\/payments cannot be resolved \((ENOTFOUND|EAI_AGAIN)\)\. Correct the host name in DATABASE_URL/);
  });

  it('the failure is one JSON line with the setting; a bad setting exits 78, anything else 1', () => {
    const { logger, lines, raw } = capturingLogger();
    expect(startupFailure(logger, new StartupError('DATABASE_URL: nothing accepts connections at 127.0.0.1:1/payments', 'DATABASE_URL'))).toBe(1);
    expect(startupFailure(logger, new ConfigError('Invalid environment: PORT: Too big'))).toBe(78);
    expect(raw).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 60, setting: 'DATABASE_URL', msg: 'The payment service could not start: DATABASE_URL: nothing accepts connections at 127.0.0.1:1/payments' });
    expect(lines[1]).toMatchObject({ level: 60, msg: 'The payment service could not start: Invalid environment: PORT: Too big' });
  });
});

describe('a database that does not exist', () => {
  it('is created, the creation is logged, and the migrations are applied with JSON log lines', async () => {
    const name = `payments_created_${randomBytes(5).toString('hex')}`;
    created.push(name);
    const { logger, lines } = capturingLogger();
    const orm = await openDatabase(databaseUrl(inject('pgAdminUrl'), name), { logger, poolMax: 2 });
    try {
      expect(lines[0]).toMatchObject({ level: 40, database: name, setting: 'DATABASE_URL' });
      expect(lines[0]!.msg).toBe(`DATABASE_URL named database "${name}", which did not exist: created it; the migrations follow`);
      const applied = lines.filter((line) => line.component === 'mikro-orm' && String(line.msg).startsWith('Applied '));
      expect(applied.length).toBeGreaterThan(0);
      expect(applied.every((line) => line.namespace === 'migrator' && !String(line.msg).includes('\u001b['))).toBe(true);
      expect(await orm.getMigrator().getPendingMigrations()).toEqual([]);
    } finally {
      await orm.close();
    }
    // Opened again: nothing to create, nothing to apply, nothing said about creating.
    const again = capturingLogger();
    const reopened = await openDatabase(databaseUrl(inject('pgAdminUrl'), name), { logger: again.logger, poolMax: 2 });
    await reopened.close();
    expect(again.lines.filter((line) => String(line.msg).includes('created'))).toEqual([]);
  });
});
