/**
 * lowerThisThreadPriority's refusals and its no-op. That it lowers the calling thread only is
 * checked on the real processing thread, by the kernel's figures (webhook-thread.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { lowerThisThreadPriority } from '../../src/processing-thread/thread-priority.js';

describe('lowerThisThreadPriority', () => {
  it('refuses a nice value outside 0..19', () => {
    expect(() => lowerThisThreadPriority(20)).toThrow(/0 to 19, got 20/);
    expect(() => lowerThisThreadPriority(-1)).toThrow(/0 to 19, got -1/);
    expect(() => lowerThisThreadPriority(2.5)).toThrow(RangeError);
  });

  it('nice 0 leaves the thread as it is', () => {
    expect(lowerThisThreadPriority(0)).toEqual({ threadId: null, reason: 'nice 0: the process priority' });
  });
});
