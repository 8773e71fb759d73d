#!/usr/bin/env node
// Builds the browser pages (web/ → dist/web, Vite) when they are missing or older than their
// sources (web/, client/, the sandbox's checkout.js stand-in); answers at once when they are
// current. Used by scripts/build.mjs (so `npm start` serves current pages) and by the tests'
// global setup.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist', 'web', '.built');
const SOURCES = ['web', 'client', 'src/sandbox/razorpay/checkout-js'];

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

export function buildWebIfStale() {
  const newest = Math.max(...SOURCES.map((dir) => newestSource(path.join(root, dir))));
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newest) return false;
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '-c', 'web/vite.config.ts'], { cwd: root, stdio: 'inherit' });
  writeFileSync(stamp, new Date().toISOString());
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) buildWebIfStale();
