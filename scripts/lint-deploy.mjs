#!/usr/bin/env node
// Checks the deployment files where no container engine runs (CI, this machine):
//  - Dockerfile: dockerfile-utils (the validator behind VS Code's Docker language server:
//    syntax, instructions and their arguments), then this project's rules: several stages,
//    pinned base images, production dependencies only in the final stage, a non-root USER,
//    a HEALTHCHECK on /readyz, and every COPY source present and not excluded by .dockerignore;
//  - compose.yaml: dclint (the Compose specification's JSON schema plus best-practice rules),
//    warnings included, and every file it mounts present.
// `npm run lint:deploy`; .ci/run runs it. With Docker available, `docker build .` and
// `docker compose config` say more; see README "Deployment".
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const problems = [];
const problem = (file, line, message) => problems.push(`${file}:${line}: ${message}`);

// --- Dockerfile ---
const dockerfileText = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
for (const d of validate(dockerfileText)) problem('Dockerfile', d.range.start.line + 1, `${d.message} (dockerfile-utils ${d.code})`);

const dockerfile = DockerfileParser.parse(dockerfileText);
const args = Object.fromEntries(dockerfile.getInitialARGs().map((i) => i.getArgumentsContent().split('=')));
const froms = dockerfile.getFROMs();
if (froms.length < 2) problem('Dockerfile', 1, 'must be multi-stage (build, then a runtime stage)');
for (const from of froms) {
  const image = from.getArgumentsContent().split(/\s+/)[0].replace(/^\$\{(\w+)\}$/, (_, name) => args[name] ?? '');
  if (!/^[\w./-]+:[\w.-]+$/.test(image) || /:latest$/.test(image)) problem('Dockerfile', from.getRange().start.line + 1, `base image "${image}" must be pinned to a version`);
}
const lastStage = dockerfile.getInstructions().filter((i) => i.getRange().start.line >= froms.at(-1).getRange().start.line);
const keyword = (k) => lastStage.filter((i) => i.getKeyword() === k);
const user = keyword('USER').at(-1)?.getArgumentsContent();
if (!user || ['root', '0'].includes(user.split(':')[0])) problem('Dockerfile', froms.at(-1).getRange().start.line + 1, 'the final stage must switch to a non-root USER');
if (!keyword('HEALTHCHECK').some((i) => i.getArgumentsContent().includes('/readyz'))) problem('Dockerfile', 1, 'the final stage needs a HEALTHCHECK on /readyz');
if (keyword('RUN').some((i) => /npm (ci|install)(?![^&]*--omit=dev)/.test(i.getArgumentsContent()))) problem('Dockerfile', 1, 'the final stage may install production dependencies only (--omit=dev)');
const copiedModules = keyword('COPY').find((i) => /node_modules/.test(i.getTextContent()));
const fromStage = copiedModules?.getTextContent().match(/--from=([\w-]+)/)?.[1];
const stageInstall = dockerfileText.split(/^FROM /m).find((stage) => new RegExp(`AS ${fromStage}\\s`).test(stage));
if (!stageInstall || !/npm ci --omit=dev/.test(stageInstall)) problem('Dockerfile', 1, 'node_modules of the final stage must come from a stage that ran npm ci --omit=dev');
const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
for (const copy of dockerfile.getCOPYs().filter((c) => !/--from=/.test(c.getTextContent()))) {
  const sources = copy.getArguments().map((a) => a.getValue()).filter((a) => !a.startsWith('--')).slice(0, -1);
  for (const source of sources) {
    if (!existsSync(path.join(root, source))) problem('Dockerfile', copy.getRange().start.line + 1, `COPY source ${source} does not exist`);
    if (ignored.includes(source)) problem('Dockerfile', copy.getRange().start.line + 1, `COPY source ${source} is excluded by .dockerignore`);
  }
}

// --- compose.yaml ---
const dclint = spawnSync(process.execPath, [path.join(root, 'node_modules/dclint/bin/dclint.cjs'), 'compose.yaml', '--max-warnings', '0', '--color', 'false'], { cwd: root, encoding: 'utf8' });
if (dclint.status !== 0) problems.push(`compose.yaml: dclint:\n${dclint.stdout}${dclint.stderr}`);
for (const [, mount] of readFileSync(path.join(root, 'compose.yaml'), 'utf8').matchAll(/^\s+- (\.\/[^:]+):/gm)) {
  if (!existsSync(path.join(root, mount))) problem('compose.yaml', 1, `mounted file ${mount} does not exist`);
}

if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(`lint-deploy: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`lint-deploy: Dockerfile (${froms.length} stages, USER ${user}, HEALTHCHECK /readyz) and compose.yaml are clean`);
