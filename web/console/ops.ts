/** The operator's housekeeping: webhook inbox with replay, outbox deliveries with redelivery, the ledger check. */
import {
  ConsoleLedgerCheckDocument,
  ConsoleOutboxDocument,
  ConsoleRedeliverDocument,
  ConsoleReplayWebhookDocument,
  ConsoleWebhookEventsDocument,
  type OutboxDeliveryStatus,
  type WebhookEventStatus,
} from '../../client/src/index.js';
import { describeError, request } from '../shared/api.js';
import { announce, badge, byId, h, show, table } from '../shared/dom.js';
import { when } from '../shared/format.js';

export async function loadWebhooks(): Promise<void> {
  const filter = byId<HTMLSelectElement>('webhook-filter').value;
  const statuses = filter ? (filter.split(',') as WebhookEventStatus[]) : null;
  const { webhookEvents } = await request(ConsoleWebhookEventsDocument, { statuses, first: 20 });
  show(byId('webhooks'), webhookEvents.length === 0
    ? h('p', { class: 'muted' }, filter ? 'No failed events.' : 'No events yet.')
    : table('Newest first', ['Received', 'Event', 'Status', 'Tries', 'Last error', ''], webhookEvents.map((e) => [
      when(e.receivedAt), h('span', { title: e.eventId }, e.eventType), badge(e.status), String(e.attempts), e.lastError ?? '',
      e.status === 'FAILED' || e.status === 'DEAD'
        ? h('button', { type: 'button', class: 'secondary', 'aria-label': `Replay event ${e.eventId}`, onclick: () => void replay(e.eventId) }, 'Replay')
        : '',
    ])));
}

async function replay(eventId: string): Promise<void> {
  try {
    const { replayWebhookEvent } = await request(ConsoleReplayWebhookDocument, { eventId });
    announce(`Event ${eventId} replayed: ${replayWebhookEvent.status.toLowerCase()}${replayWebhookEvent.lastError ? ` (${replayWebhookEvent.lastError})` : ''}.`);
  } catch (error) {
    announce(`Replay failed: ${describeError(error)}`, 'error');
  }
  await loadWebhooks();
}

export async function loadOutbox(): Promise<void> {
  const status = (byId<HTMLSelectElement>('outbox-filter').value || null) as OutboxDeliveryStatus | null;
  const { outboxDeliveries } = await request(ConsoleOutboxDocument, { status, first: 20 });
  show(byId('outbox'), outboxDeliveries.edges.length === 0
    ? h('p', { class: 'muted' }, 'No deliveries (set OUTBOX_SUBSCRIBER_URLS to tell other services).')
    : table(`${outboxDeliveries.totalCount} in all, newest first`, ['Created', 'Event', 'To', 'Status', 'Tries', 'Last answer', ''], outboxDeliveries.edges.map(({ node: d }) => [
      when(d.createdAt), d.eventType, d.subscriberUrl, badge(d.status), String(d.attempts),
      d.lastError ?? (d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : ''),
      h('button', { type: 'button', class: 'secondary', 'aria-label': `Redeliver ${d.eventType} to ${d.subscriberUrl}`, onclick: () => void redeliver(d.id) }, 'Redeliver'),
    ])));
}

async function redeliver(id: string): Promise<void> {
  try {
    await request(ConsoleRedeliverDocument, { id });
    announce('Delivery queued again.');
  } catch (error) {
    announce(`Redelivery failed: ${describeError(error)}`, 'error');
  }
  await loadOutbox();
}

export async function runLedgerCheck(): Promise<void> {
  const { ledgerCheck: r } = await request(ConsoleLedgerCheckDocument);
  show(byId('ledger'),
    h('p', { id: 'ledger-result', 'data-ok': String(r.ok) }, h('span', { class: `badge ${r.ok ? 'badge-captured' : 'badge-failed'}` }, r.ok ? 'OK' : 'PROBLEMS'), ' ',
      r.ok ? 'The books balance.' : `${r.problems.length} problem(s) found.`),
    h('p', { class: 'muted' }, `${r.journals} journals, ${r.entries} entries, ${r.wallets} wallets, ${r.capturedPayments} captured payments · checked ${when(r.checkedAt)}`),
    r.problems.length ? table('Problems', ['Rule', 'Id', 'Detail'], r.problems.map((p) => [p.rule, p.id, p.detail])) : null,
  );
}
