/** The operator console: figures and chart for a period, today's payments live, detail and refunds, housekeeping. */
import { ConsolePaymentUpdatesDocument, ConsolePaymentsDocument, ConsoleStatsDocument, newer, type ConsolePaymentFragment } from '../../client/src/index.js';
import { closeLive, describeError, liveUpdates, request, session } from '../shared/api.js';
import { announce, badge, byId, h, show, table } from '../shared/dom.js';
import { clock, rupees, timeZone } from '../shared/format.js';
import { renderChart } from './chart.js';
import { showPayment } from './detail.js';
import { loadOutbox, loadWebhooks, runLedgerCheck } from './ops.js';

const today = new Map<string, ConsolePaymentFragment>();
let stopFeed: (() => void) | null = null;
let openPaymentId: string | null = null;

function startOfToday(): Date {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d;
}

/** `datetime-local` values are in the browser's zone: the operator's. */
function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function renderToday(): void {
  const rows = [...today.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map((p) => [
    clock(p.createdAt),
    h('button', { type: 'button', class: 'secondary', 'data-payment-id': p.id, 'aria-label': `Open payment ${p.id}`, onclick: () => void openPayment(p.id) }, p.id.slice(0, 8)),
    p.purpose.replace(/_/g, ' ').toLowerCase(),
    p.payerId,
    rupees(p.amount, p.currency),
    p.amountRefunded ? rupees(p.amountRefunded, p.currency) : '',
    badge(p.status),
  ]);
  show(byId('today'), rows.length
    ? table(`${rows.length} payment(s) since ${clock(startOfToday().toISOString())}`, ['Time', 'Payment', 'Purpose', 'Payer', 'Amount', 'Refunded', 'Status'], rows, { id: 'today-table' })
    : h('p', { class: 'muted' }, 'No payments yet today.'));
}

function upsert(payment: ConsolePaymentFragment): void {
  if (new Date(payment.createdAt) < startOfToday()) return;
  today.set(payment.id, newer(today.get(payment.id), payment));
  renderToday();
}

async function openPayment(id: string): Promise<void> {
  openPaymentId = id;
  try {
    await showPayment(id);
  } catch (error) {
    announce(describeError(error), 'error');
  }
}

async function loadToday(): Promise<void> {
  const { payments } = await request(ConsolePaymentsDocument, { filter: { createdFrom: startOfToday().toISOString() }, first: 100 });
  for (const { node } of payments.edges) upsert(node);
  renderToday();
}

async function loadStats(): Promise<void> {
  const from = new Date(byId<HTMLInputElement>('period-from').value);
  const to = new Date(byId<HTMLInputElement>('period-to').value);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || !(from < to)) return announce('Period: "to" must be later than "from"', 'error');
  const data = await request(ConsoleStatsDocument, { from: from.toISOString(), to: to.toISOString(), timeZone });
  const inr = data.paymentStats.find((s) => s.currency === 'INR');
  const figures: [string, string][] = inr
    ? [
      ['Payments', String(inr.count)],
      ['Succeeded', String(inr.succeeded)],
      ['Failed', String(inr.failed)],
      ['Success rate', inr.count ? `${Math.round((inr.succeeded * 1000) / inr.count) / 10}%` : '—'],
      ['Revenue', rupees(inr.revenue)],
      ['Platform fees', rupees(inr.fees)],
      ['Payee shares', rupees(inr.payouts)],
      ['Refunded', rupees(inr.refunds)],
    ]
    : [['Payments', '0']];
  show(byId('stats'), h('dl', { class: 'figures', id: 'figures' }, ...figures.map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', {}, value)))));
  if (data.paymentVolumeByHour.length > 24 * 7) return;
  renderChart(byId('chart'), data.paymentVolumeByHour, from, to);
}

let statsTimer: ReturnType<typeof setTimeout> | null = null;
/** Live updates move the figures too: reloaded at most every two seconds while payments change. */
function refreshStatsSoon(): void {
  statsTimer ??= setTimeout(() => {
    statsTimer = null;
    void loadStats().catch((error: unknown) => announce(describeError(error), 'error'));
  }, 2_000);
}

async function signedIn(): Promise<void> {
  stopFeed?.();
  await closeLive();
  today.clear();
  const live = byId('live');
  stopFeed = liveUpdates((status) => {
    live.dataset.status = status;
    live.textContent = status === 'connected' ? 'live' : status;
  }).subscribe(ConsolePaymentUpdatesDocument, {}, {
    next: (data) => {
      upsert(data.paymentUpdates);
      refreshStatsSoon();
      if (openPaymentId === data.paymentUpdates.id) void openPayment(openPaymentId);
    },
    resync: loadToday,
    error: (error) => announce(`Live updates refused: ${error.message}`, 'error'),
  });
  await Promise.all([loadToday(), loadStats(), loadWebhooks(), loadOutbox()]);
  announce('Signed in.');
}

function guarded(action: () => Promise<void>): () => void {
  return () => void action().catch((error: unknown) => announce(describeError(error), 'error'));
}

byId('zone').textContent = timeZone;
byId<HTMLInputElement>('period-from').value = toLocalInput(startOfToday());
byId<HTMLInputElement>('period-to').value = toLocalInput(new Date(startOfToday().getTime() + 86_400_000));
byId<HTMLFormElement>('sign-in').addEventListener('submit', (event) => {
  event.preventDefault();
  session.token = byId<HTMLInputElement>('token').value.trim();
  guarded(signedIn)();
});
byId<HTMLFormElement>('period').addEventListener('submit', (event) => {
  event.preventDefault();
  guarded(loadStats)();
});
byId('webhook-filter').addEventListener('change', guarded(loadWebhooks));
byId('outbox-filter').addEventListener('change', guarded(loadOutbox));
byId('ledger-run').addEventListener('click', guarded(runLedgerCheck));
if (session.token) guarded(signedIn)();
