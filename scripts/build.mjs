#!/usr/bin/env node
// Builds once: `tsc -b` compiles into dist/ only what changed since the last build (its
// build info lives in dist/, so deleting dist/ means a full build) and answers in about a
// second when nothing did. dist/ is never wiped, so a running server keeps its files; a
// compiled file whose source was deleted is removed, so a deleted migration cannot linger.
// Used by `npm run build` and before every start, token, cli, migration and bench script.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

// Whether some file the build compiles has no compiled output (tsc -b trusts its build info and
// would not notice a deleted dist file). The list comes from tsconfig.build.json itself, through
// TypeScript's own parser, so its `exclude` is honoured: checking every .ts under the folders
// counted src/**/*.browser.ts (excluded, compiled by Vite) as missing, dropped the build info
// and made every build a full one (~10 s instead of ~1 s).
const ts = createRequire(import.meta.url)('typescript');
const parsed = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.build.json'), {}, {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
    throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
  },
});
const missingOutput = parsed.fileNames
  .filter((file) => !file.endsWith('.d.ts'))
  .some((file) => ts.getOutputFileNames(parsed, file, false).some((output) => output.endsWith('.js') && !existsSync(output)));
if (missingOutput) rmSync(path.join(dist, 'tsconfig.build.tsbuildinfo'), { force: true });

// `tsc -b` in this process (TypeScript is loaded already): the same incremental build, without a
// second Node process loading the compiler again.
const reportDiagnostic = ts.createDiagnosticReporter(ts.sys, Boolean(process.stdout.isTTY));
const host = ts.createSolutionBuilderHost(ts.sys, undefined, reportDiagnostic, reportDiagnostic);
const status = ts.createSolutionBuilder(host, [path.join(root, 'tsconfig.build.json')], {}).build();
if (status !== ts.ExitStatus.Success) process.exit(1);

/** Removes dist/<dir>/**.js(.map) whose <dir>/**.ts no longer exists. */
function pruneOrphans(dir) {
  const built = path.join(dist, dir);
  if (!existsSync(built)) return;
  for (const entry of readdirSync(built, { withFileTypes: true })) {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      pruneOrphans(relative);
      continue;
    }
    const match = /^(.*)\.js(\.map)?$/.exec(entry.name);
    if (match && !existsSync(path.join(root, dir, `${match[1]}.ts`))) rmSync(path.join(dist, relative));
  }
}
for (const dir of ['src', 'migrations', 'scripts', 'bench', 'chaos']) pruneOrphans(dir);

// The browser pages, when their sources changed (Vite).
const { buildWebIfStale } = await import('./build-web.mjs');
buildWebIfStale();
