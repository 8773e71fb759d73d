import type { MikroORM } from '@mikro-orm/postgresql';
import { checkLedger, type LedgerReport } from '../ledger/ledger.check.js';
import { badInput, notFound } from '../common/errors.js';
import { PaymentEvent } from '../payments/payment-event.entity.js';
import { MONEY_RECEIVED_STATUSES } from '../payments/payment.state.js';
import { WebhookEvent, type WebhookEventStatus } from '../webhooks/webhook-event.entity.js';
import type { WebhookProcessor } from '../webhooks/webhook.processor.js';

/** One hour of payment traffic in a currency: how many, how many succeeded, what they brought. */
export interface HourlyVolume {
  hour: Date;
  currency: string;
  count: number;
  succeeded: number;
  /** Captured amount in minor units (gross of refunds). */
  volume: number;
}

/** The ledger proof's report, and when it was taken. */
export interface LedgerCheckResult extends LedgerReport {
  checkedAt: Date;
}

const MAX_HOURLY_SPAN_MS = 7 * 86_400_000;
export const MAX_WEBHOOK_EVENTS = 100;

/** Validates an IANA time zone name (BAD_USER_INPUT naming `timeZone` otherwise). */
export function checkTimeZone(timeZone: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return timeZone;
  } catch {
    throw badInput('timeZone', `${JSON.stringify(timeZone.slice(0, 60))} is not an IANA time zone (e.g. Asia/Kolkata)`);
  }
}

/** What the operator console reads and does beyond the customer API; staff only (checked by the resolver). */
export class OperatorService {
  constructor(
    private readonly orm: MikroORM,
    private readonly webhooks: WebhookProcessor,
  ) {}

  /** A payment's audit trail, oldest first: every change, and every change refused. */
  async auditTrail(paymentId: string): Promise<PaymentEvent[]> {
    return this.orm.em.fork().find(PaymentEvent, { payment: paymentId }, { orderBy: { id: 'asc' } });
  }

  /** The webhook inbox, newest first; `status` narrows it (FAILED and DEAD are the ones to replay). */
  async webhookEvents(statuses: WebhookEventStatus[] | null, first: number | null | undefined): Promise<WebhookEvent[]> {
    const limit = first ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_WEBHOOK_EVENTS) throw badInput('first', `must be between 1 and ${MAX_WEBHOOK_EVENTS}, got ${limit}`);
    const where = statuses && statuses.length > 0 ? { status: { $in: statuses } } : {};
    return this.orm.em.fork().find(WebhookEvent, where, { orderBy: { receivedAt: 'desc', id: 'desc' }, limit });
  }

  /**
   * Processes a stored event again now (a fresh job, through the same handlers: each applies a
   * change at most once) and answers its outcome. An event whose job is queued or running is
   * left to it and answered as it stands.
   */
  async replayWebhookEvent(eventId: string): Promise<WebhookEvent> {
    const em = this.orm.em.fork();
    const event = await em.findOne(WebhookEvent, { eventId });
    if (!event) throw notFound('Webhook event', eventId);
    return (await this.webhooks.replayAndWait(eventId)) ?? (await this.orm.em.fork().findOneOrFail(WebhookEvent, { id: event.id }));
  }

  /** Runs the ledger proof (read-only, one snapshot). */
  async ledgerCheck(): Promise<LedgerCheckResult> {
    const report = await checkLedger(this.orm.em.fork());
    return { ...report, checkedAt: new Date() };
  }

  /**
   * Payments created per hour of `timeZone` in [from, to): count, successes and captured
   * volume, summed in SQL over bigint. Hours with no payment are absent.
   */
  async hourlyVolume(from: Date, to: Date, timeZone: string): Promise<HourlyVolume[]> {
    if (!(from < to)) throw badInput('to', 'must be later than from');
    if (to.getTime() - from.getTime() > MAX_HOURLY_SPAN_MS) throw badInput('to', 'the period may span at most 7 days');
    const zone = checkTimeZone(timeZone);
    const received = MONEY_RECEIVED_STATUSES.map((s) => `'${s}'`).join(', ');
    const rows: Record<string, string | Date>[] = await this.orm.em.fork().getConnection().execute(
      `select date_trunc('hour', created_at at time zone ?) at time zone ? as hour, currency,
              count(*)::text as count,
              count(*) filter (where status in (${received}))::text as succeeded,
              coalesce(sum(amount) filter (where status in (${received})), 0)::text as volume
         from payment
        where created_at >= ? and created_at < ? and (razorpay_order_id is not null or status <> 'CREATED')
        group by 1, 2 order by 1, 2`,
      [zone, zone, from, to],
    );
    return rows.map((row) => ({
      hour: new Date(row.hour as Date),
      currency: String(row.currency),
      count: Number(row.count),
      succeeded: Number(row.succeeded),
      volume: Number(row.volume),
    }));
  }
}

