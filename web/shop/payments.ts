/** "My payments", kept current by the live feed, and the booking confirmation. */
import { ShopBookingDocument, ShopMyPaymentsDocument, ShopMyPaymentUpdatesDocument, newer, type ShopPaymentFragment } from '../../client/src/index.js';
import { liveUpdates, request } from '../shared/api.js';
import { badge, byId, h, show, table } from '../shared/dom.js';
import { rupees, when } from '../shared/format.js';

const payments = new Map<string, ShopPaymentFragment>();
const watchers = new Set<(payment: ShopPaymentFragment) => void>();

function render(): void {
  const rows = [...payments.values()]
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .map((p) => [
      when(p.createdAt),
      p.purpose === 'WALLET_TOPUP' ? 'Wallet top-up' : p.purpose === 'CART' ? 'Cart' : 'Order',
      rupees(p.amount, p.currency),
      p.amountRefunded > 0 ? rupees(p.amountRefunded, p.currency) : '',
      h('span', { 'data-payment-id': p.id }, badge(p.status)),
      p.failureReason ?? (p.booking ? `Booking ${p.booking.reference}` : ''),
    ]);
  show(byId('payments'), rows.length
    ? table('Newest first', ['When', 'What', 'Amount', 'Refunded', 'Status', 'Note'], rows, { id: 'payments-table' })
    : h('p', { class: 'muted' }, 'No payments yet.'));
}

/** Applies a payment as received (HTTP answer or live update); the newest version wins. */
export function upsertPayment(payment: ShopPaymentFragment): void {
  const kept = newer(payments.get(payment.id), payment);
  payments.set(payment.id, kept);
  render();
  for (const watcher of watchers) watcher(kept);
}

/**
 * Resolves with the payment once `done` holds for it (from the live feed or a resync); after
 * `timeoutMs` with what is known by then (the page then shows the state as it stands).
 */
export function waitForPayment(id: string, done: (payment: ShopPaymentFragment) => boolean, timeoutMs = 60_000): Promise<ShopPaymentFragment> {
  const current = payments.get(id);
  if (current && done(current)) return Promise.resolve(current);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      watchers.delete(watcher);
      const known = payments.get(id);
      if (known) resolve(known);
      else reject(new Error('the payment did not arrive; reload to see its state'));
    }, timeoutMs);
    const watcher = (payment: ShopPaymentFragment) => {
      if (payment.id !== id || !done(payment)) return;
      watchers.delete(watcher);
      clearTimeout(timer);
      resolve(payment);
    };
    watchers.add(watcher);
  });
}

async function resync(): Promise<void> {
  const data = await request(ShopMyPaymentsDocument, { first: 20 });
  for (const { node } of data.payments.edges) upsertPayment(node);
}

/** Starts following the customer's payments: current list first, then every change. */
export function followMyPayments(onStatus: (status: 'connecting' | 'connected' | 'reconnecting') => void, onError: (message: string) => void): () => void {
  payments.clear();
  render();
  return liveUpdates(onStatus).subscribe(ShopMyPaymentUpdatesDocument, {}, {
    next: (data) => upsertPayment(data.myPaymentUpdates),
    resync,
    error: (error) => onError(error.message),
  });
}

/** Shows the booking made for a cart payment. */
export async function showBooking(bookingId: string): Promise<void> {
  const { booking } = await request(ShopBookingDocument, { id: bookingId });
  if (!booking) return;
  const card = byId('booking-card');
  show(byId('booking'),
    h('p', {}, 'Reference ', h('strong', { id: 'booking-reference' }, booking.reference), ' · ', booking.status, ' · ', when(booking.createdAt)),
    table('Booked', ['Item', 'Qty', 'Amount'], booking.items.map((item) => [item.name, String(item.quantity), rupees(item.lineTotal, booking.currency)])),
    h('p', {}, 'Paid: ', h('strong', {}, rupees(booking.totalAmount, booking.currency))),
  );
  card.hidden = false;
  card.focus();
}
