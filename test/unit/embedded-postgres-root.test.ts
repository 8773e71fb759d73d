import { chmod, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstBlockedFolder, relocatedDataDir } from '../../src/db/embedded-postgres.root.js';

// As root the embedded PostgreSQL runs as the `postgres` user; these are the rules that decide
// whether that user can reach a folder (see scripts/private-clone-check.mjs for the whole path).
let root: string;
const stranger = { uid: 64_000, gid: 64_000 };

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'payments-reach-'));
  await chmod(root, 0o755);
  await mkdir(path.join(root, 'open', 'private', 'inner'), { recursive: true });
  await chmod(path.join(root, 'open'), 0o755);
  await chmod(path.join(root, 'open', 'private'), 0o700);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('which folders the postgres user can enter', () => {
  it('names the first folder on the way that others may not enter', () => {
    expect(firstBlockedFolder(path.join(root, 'open', 'private', 'inner', 'postgres'), stranger)).toBe(path.join(root, 'open', 'private'));
    expect(firstBlockedFolder(path.join(root, 'open', 'postgres'), stranger)).toBeNull();
  });

  it('lets the owner of a private folder in, and a member of its group when the group may search it', async () => {
    const { uid, gid } = await stat(path.join(root, 'open', 'private'));
    expect(firstBlockedFolder(path.join(root, 'open', 'private', 'inner', 'postgres'), { uid, gid: 64_000 })).toBeNull();
    await chmod(path.join(root, 'open', 'private'), 0o710);
    expect(firstBlockedFolder(path.join(root, 'open', 'private', 'inner', 'postgres'), { uid: 64_000, gid })).toBeNull();
    expect(firstBlockedFolder(path.join(root, 'open', 'private', 'inner', 'postgres'), stranger)).toBe(path.join(root, 'open', 'private'));
    await chmod(path.join(root, 'open', 'private'), 0o700);
  });

  it('stops at folders that do not exist yet (they will be made open)', () => {
    expect(firstBlockedFolder(path.join(root, 'open', 'later', 'deeper', 'postgres'), stranger)).toBeNull();
  });

  it('gives a clone one stable data folder under the root home, named after the clone', () => {
    const env = { EMBEDDED_PG_ROOT_HOME: '/srv/payments-pg' };
    const first = relocatedDataDir(path.join(root, 'open'), env);
    expect(first).toBe(relocatedDataDir(path.join(root, 'open'), env));
    expect(first).toMatch(/^\/srv\/payments-pg\/clusters\/open-[0-9a-f]{10}\/postgres$/);
    expect(relocatedDataDir(path.join(root, 'open', 'private'), env)).not.toBe(first);
  });
});
