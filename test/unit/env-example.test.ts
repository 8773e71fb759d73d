import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_SCHEMA } from '../../src/config.js';

/** `.env.example` must list exactly the variables config.ts reads, each with config.ts's default. */
const lines = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8').split('\n');
const set = new Map(lines.flatMap((line) => {
  const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
  return match ? [[match[1]!, match[2]!] as const] : [];
}));
const unset = lines.flatMap((line) => /^# ([A-Z][A-Z0-9_]*)=$/.exec(line)?.[1] ?? []);
/** Variables read outside config.ts (`env.NAME` / `process.env.NAME` in src/), with the default each file states. */
const srcDir = new URL('../../src/', import.meta.url);
const readElsewhere = new Set(readdirSync(srcDir, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts') && file !== 'config.ts')
  .flatMap((file) => [...readFileSync(new URL(file, srcDir), 'utf8').matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]!)));
const schemaKeys = Object.keys(ENV_SCHEMA.shape);
const defaultOf = (name: string) => (ENV_SCHEMA.shape[name as keyof typeof ENV_SCHEMA.shape] as { parse(value: unknown): unknown }).parse(undefined);

describe('.env.example', () => {
  it('lists every variable the service reads (config.ts and the few read elsewhere) once, and nothing else', () => {
    const listed = [...set.keys(), ...unset];
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed.sort()).toEqual([...new Set([...schemaKeys, ...readElsewhere])].sort());
  });

  it('shows each default as config.ts has it; variables without a default are commented out', () => {
    for (const [name, value] of set) {
      if (schemaKeys.includes(name)) expect({ name, value }).toEqual({ name, value: String(defaultOf(name)) });
    }
    for (const name of unset.filter((n) => schemaKeys.includes(n))) expect({ name, value: defaultOf(name) }).toEqual({ name, value: undefined });
  });
});
