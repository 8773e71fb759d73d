import { readFileSync } from 'node:fs';

/**
 * Sums up a V8 CPU profile (`node --cpu-prof`): the share of samples per package (or
 * "project", "node", "(garbage collector)", "(idle)") and the top functions by self time.
 * `node dist/bench/profile-top.js <file.cpuprofile> [top]`.
 */
interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; }
const [file, top = '15'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file!, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const counts = new Map<number, number>();
for (const sample of profile.samples) counts.set(sample, (counts.get(sample) ?? 0) + 1);

function area(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.startsWith('node:')) return 'node';
  return 'project';
}

const total = profile.samples.length;
const areas = new Map<string, number>();
const functions = new Map<string, number>();
for (const [id, n] of counts) {
  const node = byId.get(id)!;
  areas.set(area(node), (areas.get(area(node)) ?? 0) + n);
  const { functionName, url, lineNumber } = node.callFrame;
  const key = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/dist\//, '')}:${lineNumber + 1}`;
  functions.set(key, (functions.get(key) ?? 0) + n);
}
const busy = total - (areas.get('(idle)') ?? 0);
areas.delete('(idle)');
for (const key of functions.keys()) if (key.startsWith('(idle) ')) functions.delete(key);
// Shares of the busy samples: what the process spends its CPU time on.
const pct = (n: number) => `${((100 * n) / busy).toFixed(1)} %`;
console.log(`${total} samples, ${((100 * busy) / total).toFixed(1)} % busy; shares below are of the busy samples`);
console.log('by package:');
for (const [name, n] of [...areas].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) console.log(`  ${pct(n).padStart(7)}  ${name}`);
console.log('by function (self time):');
for (const [name, n] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) console.log(`  ${pct(n).padStart(7)}  ${name}`);
