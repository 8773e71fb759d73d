/**
 * Volume and success rate per hour with uPlot (small, canvas, no dependencies). Amounts arrive
 * in paise; the chart's rupee axis divides by 100 for drawing only, never for money shown as
 * text (the figures above it are formatted from integers).
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ConsoleStatsQuery } from '../../client/src/index.js';
import { timeZone } from '../shared/format.js';

type Hour = ConsoleStatsQuery['paymentVolumeByHour'][number];

let plot: uPlot | null = null;

export function renderChart(target: HTMLElement, hours: Hour[], from: Date, to: Date): void {
  // One point per hour of the period, so empty hours show as zero rather than being skipped.
  const buckets = new Map<number, { volume: number; count: number; succeeded: number }>();
  for (const h of hours.filter((x) => x.currency === 'INR')) {
    const t = Math.floor(new Date(h.hour).getTime() / 1000);
    buckets.set(t, { volume: h.volume, count: h.count, succeeded: h.succeeded });
  }
  const start = Math.floor(from.getTime() / 3_600_000) * 3600;
  const xs: number[] = [];
  for (let t = start; t * 1000 < to.getTime() && xs.length < 24 * 7; t += 3600) xs.push(t);
  for (const t of buckets.keys()) if (!xs.includes(t)) xs.push(t);
  xs.sort((a, b) => a - b);
  // Rupees as the chart's y values: display only, no money is computed from them.
  const volume = xs.map((t) => (buckets.get(t)?.volume ?? 0) / 100);
  const rate = xs.map((t) => {
    const b = buckets.get(t);
    return b && b.count > 0 ? Math.round((b.succeeded * 1000) / b.count) / 10 : null;
  });
  plot?.destroy();
  target.replaceChildren();
  plot = new uPlot({
    width: Math.max(320, target.clientWidth || 800),
    height: 240,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), timeZone),
    scales: { rupees: { auto: true }, percent: { range: [0, 100] } },
    axes: [
      {},
      { scale: 'rupees', values: (_u, ticks) => ticks.map((v) => `₹${v.toLocaleString('en-IN')}`), size: 70 },
      { scale: 'percent', side: 1, values: (_u, ticks) => ticks.map((v) => `${v}%`), grid: { show: false } },
    ],
    series: [
      {},
      { label: 'Volume (₹)', scale: 'rupees', stroke: '#1d4ed8', fill: 'rgba(29,78,216,0.25)', paths: uPlot.paths.bars!({ size: [0.7, 40] }) },
      { label: 'Success rate (%)', scale: 'percent', stroke: '#15803d', width: 2, spanGaps: true },
    ],
  }, [xs, volume, rate], target);
}
