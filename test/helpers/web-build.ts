import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const stamp = path.join(root, 'dist', 'web', '.built');
const SOURCES = ['web', 'client', 'src/sandbox/razorpay/checkout-js'];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Once per test run: builds the pages (dist/web) when they are missing or older than their
 * sources, so the page and browser tests always see the code under test. Fresh builds cost nothing.
 */
export default function setup(): void {
  const newest = Math.max(...SOURCES.map((dir) => newestSource(path.join(root, dir))));
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newest) return;
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '-c', 'web/vite.config.ts'], { cwd: root, stdio: 'inherit' });
  writeFileSync(stamp, new Date().toISOString());
}
