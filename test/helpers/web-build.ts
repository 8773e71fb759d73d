import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Once per test run: builds the pages (dist/web) when they are missing or older than their
 * sources (scripts/build-web.mjs), so the page and browser tests always see the code under test.
 */
export default function setup(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL('../../scripts/build-web.mjs', import.meta.url))], { stdio: 'inherit' });
}
