/**
 * mulberry32 (Tommy Ettinger's 32-bit generator, public domain): tiny, fast and good enough
 * to turn a seed into a workload. Each actor draws from its own stream (`derive`), so its
 * choices do not depend on how the others interleave with it.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
}

export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (probability) => next() < probability,
    pick: (items) => items[Math.floor(next() * items.length)]!,
  };
}

/** A stream of its own for one actor of one seed (FNV-1a over the label, mixed with the seed). */
export function derive(seed: number, label: string): Random {
  let hash = 0x811c9dc5 ^ seed;
  for (const char of label) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return mulberry32(hash >>> 0);
}
