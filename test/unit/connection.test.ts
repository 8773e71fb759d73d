import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, pageSize, toPage } from '../../src/graphql/connection.js';

describe('keyset cursors', () => {
  it('round-trip', () => {
    const cursor = { createdAt: new Date('2026-11-22T01:02:03.456Z'), id: '0b0e3c8e-5f5e-4b8a-9a61-0d6f0b7a2c11' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it('refuse anything this API did not issue, naming `after`', () => {
    for (const bad of ['', 'abc', Buffer.from('not-a-date|0b0e3c8e-5f5e-4b8a-9a61-0d6f0b7a2c11').toString('base64url'), 'a'.repeat(201)]) {
      expect(() => decodeCursor(bad)).toThrow(/after/);
    }
    expect(decodeCursor(null)).toBeNull();
  });

  it('bound page sizes', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(100)).toBe(100);
    expect(() => pageSize(0)).toThrow(/first/);
    expect(() => pageSize(101)).toThrow(/first/);
  });

  it('tell whether another page follows from the extra row', () => {
    const rows = Array.from({ length: 3 }, (_, i) => ({ createdAt: new Date(1000 - i), id: `0b0e3c8e-5f5e-4b8a-9a61-0d6f0b7a2c1${i}` }));
    const page = toPage(rows, 2, 3, (r) => r.id);
    expect(page.edges.map((e) => e.node)).toEqual([rows[0]!.id, rows[1]!.id]);
    expect(page.pageInfo).toEqual({ hasNextPage: true, endCursor: page.edges[1]!.cursor });
    expect(toPage(rows.slice(0, 2), 2, 2, (r) => r.id).pageInfo.hasNextPage).toBe(false);
  });
});
