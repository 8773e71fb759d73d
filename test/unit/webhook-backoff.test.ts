import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/webhooks/webhook.processor.js';

describe('webhook retry backoff', () => {
  it('doubles from 5 s with jitter in the upper half, capped at an hour', () => {
    expect(retryDelayMs(1, () => 0)).toBe(2_500);
    expect(retryDelayMs(1, () => 0.999999)).toBeLessThanOrEqual(5_000);
    expect(retryDelayMs(2, () => 0)).toBe(5_000);
    expect(retryDelayMs(5, () => 0)).toBe(40_000);
    expect(retryDelayMs(30, () => 1)).toBe(3_600_000);
  });
});
