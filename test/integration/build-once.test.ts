import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dist = path.join(root, 'dist');

function build(): void {
  const result = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, encoding: 'utf8' });
  expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
}

/** Every compiled file and the build info, with its modification time. */
function compiledFiles(): Map<string, number> {
  const files = new Map<string, number>();
  for (const dir of ['src', 'migrations', 'scripts', 'bench', 'chaos']) {
    const built = path.join(dist, dir);
    if (!existsSync(built)) continue;
    for (const entry of readdirSync(built, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile() || !/\.js(\.map)?$/.test(entry.name)) continue;
      const file = path.join(entry.parentPath, entry.name);
      files.set(path.relative(dist, file), statSync(file).mtimeMs);
    }
  }
  const info = path.join(dist, 'tsconfig.build.tsbuildinfo');
  files.set('tsconfig.build.tsbuildinfo', statSync(info).mtimeMs);
  return files;
}

describe('scripts/build.mjs builds once', () => {
  // The first build compiles what changed (everything on a fresh checkout); the second must find
  // the build current and write nothing. Until this was fixed, a source file excluded from the
  // build (src/**/*.browser.ts) counted as "missing output" and every build was a full one.
  it('a second build with nothing changed recompiles nothing and deletes nothing', { timeout: 300_000 }, () => {
    build();
    const before = compiledFiles();
    expect(before.has(path.join('src', 'main.js'))).toBe(true);
    build();
    expect(compiledFiles()).toEqual(before);
  });
});
