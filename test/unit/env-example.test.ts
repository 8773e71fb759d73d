import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_SCHEMA } from '../../src/config.js';

/** `.env.example` must list exactly the variables config.ts reads, each with config.ts's default. */
const lines = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8').split('\n');
const set = new Map(lines.flatMap((line) => {
  const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
  return match ? [[match[1]!, match[2]!] as const] : [];
}));
const unset = lines.flatMap((line) => /^# ([A-Z][A-Z0-9_]*)=$/.exec(line)?.[1] ?? []);
const defaultOf = (name: string) => (ENV_SCHEMA.shape[name as keyof typeof ENV_SCHEMA.shape] as { parse(value: unknown): unknown }).parse(undefined);

describe('.env.example', () => {
  it('lists every variable of config.ts once, and nothing else', () => {
    expect([...set.keys(), ...unset].sort()).toEqual(Object.keys(ENV_SCHEMA.shape).sort());
  });

  it('shows each default as config.ts has it; variables without a default are commented out', () => {
    for (const [name, value] of set) expect({ name, value }).toEqual({ name, value: String(defaultOf(name)) });
    for (const name of unset) expect({ name, value: defaultOf(name) }).toEqual({ name, value: undefined });
  });
});
