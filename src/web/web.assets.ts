import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where `npm run build` puts the pages (vite, web/vite.config.ts): `<project>/dist/web`. Found
 * from this file's place, whether it runs compiled (dist/src/web) or from source (src/web).
 */
export function webDistDir(from: string = fileURLToPath(import.meta.url)): string {
  let dir = path.dirname(from);
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return path.join(dir, 'dist', 'web');
}
