/**
 * The day a report covers: midnight to midnight in a time zone, as UTC instants. The zone is
 * an IANA name (`Asia/Kolkata`, `UTC`) or a fixed offset (`+05:30`), so a day in a zone with
 * daylight saving has its real 23 or 25 hours.
 */
export interface ReportDay {
  from: Date;
  to: Date;
  /** `UTC+05:30 (Asia/Kolkata)`: printed with the report, so no one guesses the zone. */
  zoneLabel: string;
}

const OFFSET = /^([+-])(\d{2}):(\d{2})$/;

/** Whether `zone` is a fixed offset (±hh:mm) or a time zone this Node knows. */
export function isReportZone(zone: string): boolean {
  if (OFFSET.test(zone)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at `instant`, in minutes east. */
function offsetMinutes(zone: string, instant: number): number {
  const fixed = OFFSET.exec(zone);
  if (fixed) return (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3]));
  const name = new Intl.DateTimeFormat('en', { timeZone: zone, timeZoneName: 'longOffset' })
    .formatToParts(instant).find((part) => part.type === 'timeZoneName')!.value; // "GMT+05:30" or "GMT"
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
}

/** The UTC instant of local midnight starting `y-m-d` in `zone`. */
function localMidnight(zone: string, y: number, m: number, d: number): number {
  const naive = Date.UTC(y, m - 1, d);
  const guess = naive - offsetMinutes(zone, naive) * 60_000;
  // Around a change of offset the guess's own offset is the right one.
  return naive - offsetMinutes(zone, guess) * 60_000;
}

const formatOffset = (minutes: number) => {
  const abs = Math.abs(minutes);
  return `UTC${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
};

/** The day `date` (YYYY-MM-DD) in `zone`; each bad value names its option. */
export function reportDay(date: string, zone: string): ReportDay {
  const parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!parts) throw new Error(`--date must be YYYY-MM-DD, got ${date}`);
  const [y, m, d] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const check = new Date(Date.UTC(y, m - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) throw new Error(`--date is not a real day: ${date}`);
  if (!isReportZone(zone)) throw new Error(`--timezone must be an IANA time zone (Asia/Kolkata, UTC) or an offset like +05:30, got ${zone}`);
  const next = new Date(Date.UTC(y, m - 1, d + 1));
  const from = localMidnight(zone, y, m, d);
  const to = localMidnight(zone, next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate());
  const offset = formatOffset(offsetMinutes(zone, from));
  return { from: new Date(from), to: new Date(to), zoneLabel: OFFSET.test(zone) || zone === 'UTC' ? offset : `${offset} (${zone})` };
}
