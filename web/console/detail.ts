/** One payment: its fields, audit trail, transactions and refunds, and the refund action. */
import { ConsolePaymentDetailDocument, ConsoleRefundDocument, type ConsolePaymentFragment } from '../../client/src/index.js';
import { describeError, idempotencyKey, request } from '../shared/api.js';
import { announce, badge, byId, h, show, table } from '../shared/dom.js';
import { parseRupees, rupees, when } from '../shared/format.js';

const REFUNDABLE = new Set(['CAPTURED', 'PARTIALLY_REFUNDED']);

function methodText(p: ConsolePaymentFragment): string {
  const m = p.method;
  if (!m) return '—';
  return [m.method, m.cardNetwork, m.cardLast4 ? `•••• ${m.cardLast4}` : null, m.vpa, m.bank, m.wallet].filter(Boolean).join(' ');
}

/** Asks the operator to confirm, showing what remains refundable before and after. */
function confirmRefund(payment: ConsolePaymentFragment, amount: number, destination: string): Promise<boolean> {
  const dialog = byId<HTMLDialogElement>('refund-confirm');
  const remaining = payment.amount - payment.amountRefunded;
  byId('refund-confirm-text').textContent = `Refund ${rupees(amount, payment.currency)} of payment ${payment.id} to ${destination === 'WALLET' ? 'the payer’s wallet' : 'the original method'}? `
    + `${rupees(remaining, payment.currency)} is refundable now; ${rupees(remaining - amount, payment.currency)} will remain refundable after this.`;
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true });
    dialog.returnValue = '';
    dialog.showModal();
  });
}

function refundForm(payment: ConsolePaymentFragment, reload: () => Promise<void>): HTMLElement {
  const remaining = payment.amount - payment.amountRefunded;
  const amountInput = h('input', { id: 'refund-amount', name: 'amount', inputmode: 'decimal', required: true, placeholder: plainRupees(remaining) });
  const destination = h('select', { id: 'refund-destination', name: 'destination' },
    h('option', { value: 'SOURCE' }, 'original method'),
    payment.purpose === 'WALLET_TOPUP' ? null : h('option', { value: 'WALLET' }, 'payer’s wallet'));
  const reason = h('input', { id: 'refund-reason', name: 'reason', maxlength: 200 });
  const form = h('form', { class: 'inline', 'aria-label': 'Refund this payment' },
    h('label', {}, `Amount (₹, up to ${rupees(remaining, payment.currency)})`, amountInput),
    h('label', {}, 'Destination', destination),
    h('label', {}, 'Reason', reason),
    h('button', { type: 'submit', id: 'refund-submit' }, 'Refund…'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const amount = parseRupees(amountInput.value);
    if (amount === null || amount <= 0 || amount > remaining) {
      announce(`Refund amount: enter rupees between ₹0.01 and ${rupees(remaining, payment.currency)}`, 'error');
      amountInput.focus();
      return;
    }
    void (async () => {
      if (!(await confirmRefund(payment, amount, destination.value))) return announce('Refund cancelled.');
      try {
        const { refund } = await request(ConsoleRefundDocument, {
          input: { paymentId: payment.id, amount, destination: destination.value as 'SOURCE' | 'WALLET', reason: reason.value || null, idempotencyKey: idempotencyKey() },
        });
        announce(`Refund of ${rupees(refund.amount, payment.currency)} ${refund.status.toLowerCase()}; payment is now ${refund.payment.status.replace(/_/g, ' ').toLowerCase()}.`);
        await reload();
      } catch (error) {
        announce(`Refund failed: ${describeError(error)}`, 'error');
      }
    })();
  });
  return form;
}

/** Opens a payment's detail. */
export async function showPayment(id: string): Promise<void> {
  const { payment } = await request(ConsolePaymentDetailDocument, { id });
  const card = byId('detail-card');
  if (!payment) return announce(`Payment ${id} was not found`, 'error');
  const reload = () => showPayment(id);
  show(byId('detail'),
    h('dl', { class: 'figures' },
      ...([
        ['Status', badge(payment.status)],
        ['Amount', rupees(payment.amount, payment.currency)],
        ['Refunded', rupees(payment.amountRefunded, payment.currency)],
        ['Purpose', payment.purpose],
        ['Payer', payment.payerId],
        ['Method', methodText(payment)],
        ['Created', when(payment.createdAt)],
        ['Paid', when(payment.paidAt)],
      ] as const).map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', {}, value)))),
    h('p', { class: 'muted' }, `id ${payment.id} · order ${payment.razorpayOrderId ?? '—'} · gateway payment ${payment.razorpayPaymentId ?? '—'}`,
      payment.failureReason ? ` · failure: ${payment.failureReason}` : ''),
    REFUNDABLE.has(payment.status) ? refundForm(payment, reload) : null,
    table('Audit trail', ['When', 'Event', 'From', 'To', 'Source', 'Actor'], payment.auditTrail.map((e) => [
      when(e.createdAt), e.type.replace(/_/g, ' '), e.fromStatus ?? '', e.toStatus ?? '', e.source, e.actorId ?? '',
    ]), { id: 'audit-trail' }),
    table('Transactions', ['When', 'Type', 'Status', 'Amount'], payment.transactions.map((t) => [when(t.createdAt), t.type.replace(/_/g, ' '), t.status, rupees(t.amount, t.currency)])),
    table('Refunds', ['When', 'Amount', 'Status', 'Destination', 'Reason', 'Razorpay id'], payment.refunds.map((r) => [
      when(r.createdAt), rupees(r.amount, payment.currency), badge(r.status), r.destination, r.reason ?? '', r.razorpayRefundId ?? '',
    ]), { id: 'refunds' }),
  );
  byId('detail-title').textContent = `Payment ${payment.id.slice(0, 8)}…`;
  card.hidden = false;
  card.focus();
}

/** Paise as a plain rupee amount the refund field accepts back ("1234.50"), in integers only. */
function plainRupees(paise: number): string {
  const cents = paise % 100;
  return `${(paise - cents) / 100}.${String(cents).padStart(2, '0')}`;
}
