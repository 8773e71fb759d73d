/**
 * A `timestamptz` as read through MikroORM's connection, which leaves timestamps as PostgreSQL's
 * text (`2026-01-01 09:30:00.123+05:30`, or `+00` without minutes) for its own hydration. Plain-row
 * reads turn them into Dates here: ISO 8601 once the space is a `T` and the offset has minutes.
 */
export function parseTimestamp(value: string | Date): Date {
  if (value instanceof Date) return value;
  const iso = value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new Error(`not a PostgreSQL timestamptz: ${value}`);
  return date;
}

export function parseOptionalTimestamp(value: string | Date | null): Date | null {
  return value === null ? null : parseTimestamp(value);
}
