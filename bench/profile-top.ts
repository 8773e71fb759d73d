import { readFileSync } from 'node:fs';

/**
 * Sums up a V8 CPU profile (`node --cpu-prof`): the share of samples per package (or
 * "project", "node", "(garbage collector)", "(idle)"), the top functions by self time, and the
 * project's functions by total time (themselves and what they call).
 * `node dist/bench/profile-top.js <file.cpuprofile> [top] [--skip <seconds>] [--until <seconds>]`:
 * `--skip` leaves out the first seconds of the profile (start-up: module loading, compiling), so
 * what is left is the load the scenario put on the process; `--until` the samples after that second
 * of the profile (a scenario's closing, the next one). `--timeline` prints how busy each second was
 * (to find a scenario's seconds).
 */
interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
const args = process.argv.slice(2);
const valueOf = (flag: string): number | undefined => (args.includes(flag) ? Number(args[args.indexOf(flag) + 1]) : undefined);
const skipSeconds = valueOf('--skip') ?? 0;
const untilSeconds = valueOf('--until') ?? Infinity;
const timeline = args.includes('--timeline');
const [file, top = '15'] = args.filter((arg, i) => !arg.startsWith('--') && !['--skip', '--until'].includes(args[i - 1] ?? ''));
const profile = JSON.parse(readFileSync(file!, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
const counts = new Map<number, number>();
const idleIds = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
const seconds: { all: number; busy: number }[] = [];
let elapsedUs = 0;
profile.samples.forEach((sample, i) => {
  elapsedUs += profile.timeDeltas[i] ?? 0;
  const second = (seconds[Math.floor(elapsedUs / 1e6)] ??= { all: 0, busy: 0 });
  second.all += 1;
  if (!idleIds.has(sample)) second.busy += 1;
  if (elapsedUs < skipSeconds * 1e6 || elapsedUs >= untilSeconds * 1e6) return;
  counts.set(sample, (counts.get(sample) ?? 0) + 1);
});

function area(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.startsWith('node:')) return 'node';
  return 'project';
}

const label = (node: ProfileNode) => {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/dist\//, '')}:${lineNumber + 1}`;
};

let total = 0;
const areas = new Map<string, number>();
const functions = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const [id, n] of counts) {
  total += n;
  const node = byId.get(id)!;
  areas.set(area(node), (areas.get(area(node)) ?? 0) + n);
  functions.set(label(node), (functions.get(label(node)) ?? 0) + n);
  // Total time of the project's own functions: each counted once per sample however deep it recurs.
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
    const frame = byId.get(at)!;
    if (area(frame) !== 'project') continue;
    const key = label(frame);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + n);
  }
}
const busy = total - (areas.get('(idle)') ?? 0);
areas.delete('(idle)');
for (const key of functions.keys()) if (key.startsWith('(idle) ')) functions.delete(key);
// Shares of the busy samples: what the process spends its CPU time on.
const pct = (n: number) => `${((100 * n) / busy).toFixed(1)} %`;
if (timeline) console.log(`busy % by second: ${Array.from(seconds, (s, i) => `${i}:${s ? Math.round((100 * s.busy) / s.all) : 0}`).join(' ')}`);
console.log(`${total} samples${skipSeconds ? ` after the first ${skipSeconds} s` : ''}${Number.isFinite(untilSeconds) ? ` until ${untilSeconds} s` : ''}, ${((100 * busy) / total).toFixed(1)} % busy; shares below are of the busy samples`);
console.log('by package:');
for (const [name, n] of [...areas].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) console.log(`  ${pct(n).padStart(7)}  ${name}`);
console.log('by function (self time):');
for (const [name, n] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) console.log(`  ${pct(n).padStart(7)}  ${name}`);
console.log('project functions (total time, with what they call):');
for (const [name, n] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) console.log(`  ${pct(n).padStart(7)}  ${name}`);
