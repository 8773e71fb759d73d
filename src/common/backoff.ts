/**
 * Exponential backoff with jitter in the upper half: attempt 1 waits between base/2 and base,
 * each later attempt doubles it, never above `maxMs`. The jitter keeps many retrying clients
 * from hammering a recovering service at the same instant.
 */
export function backoffWithJitterMs(attempt: number, limits: { baseMs: number; maxMs: number }, random: () => number = Math.random): number {
  const ceiling = Math.min(limits.maxMs, limits.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(ceiling / 2 + (random() * ceiling) / 2);
}
