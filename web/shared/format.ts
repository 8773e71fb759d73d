/** Money and time as people read them: rupees with the Indian grouping, times in the viewer's zone. */
export { formatRupees as rupees, parseRupees } from '../../client/src/money.js';

/** The viewer's time zone (the operator's, on the console). */
export const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

const dateTime = new Intl.DateTimeFormat('en-IN', { timeZone, dateStyle: 'medium', timeStyle: 'medium' });
const timeOnly = new Intl.DateTimeFormat('en-IN', { timeZone, timeStyle: 'medium' });

export function when(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : '—';
}

export function clock(iso: string | null | undefined): string {
  return iso ? timeOnly.format(new Date(iso)) : '—';
}
