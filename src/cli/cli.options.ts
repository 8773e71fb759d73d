/** Option parsing the list and export commands share; each bad value names its option. */
export type CliOptions = Record<string, string | undefined>;

/** `--<name>` as a date (`2026-11-01` or an ISO timestamp), or undefined when not given. */
export function dateOption(options: CliOptions, name: string): Date | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw new Error(`--${name} must be a date (2026-11-01 or an ISO timestamp), got ${value}`);
  return parsed;
}

/** `--status a,b` (any case) as values of `allowed`, or undefined when not given. */
export function statusesOption<S extends string>(options: CliOptions, allowed: Record<string, S>): S[] | undefined {
  const known = Object.values(allowed) as string[];
  const statuses = options.status?.split(',').map((s) => s.trim().toUpperCase());
  const unknown = statuses?.filter((s) => !known.includes(s));
  if (unknown?.length) throw new Error(`--status must be among ${known.join(', ')}; got ${unknown.join(', ')}`);
  return statuses as S[] | undefined;
}
