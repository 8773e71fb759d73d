import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { LedgerReport } from '../ledger/ledger.check.js';
import { PaymentEventType, type PaymentEvent } from '../payments/payment-event.entity.js';
import { PaymentStatus } from '../payments/payment.state.js';
import { PaymentGateway, toPaymentGateway } from '../payments/payment.types.js';
import { WebhookEventStatus, type WebhookEvent } from '../webhooks/webhook-event.entity.js';

registerEnumType(PaymentEventType, { name: 'PaymentAuditEventType' });
registerEnumType(WebhookEventStatus, { name: 'WebhookEventStatus' });

@ObjectType('PaymentAuditEvent', { description: 'One entry of a payment’s audit trail: a change, or a change refused, and what caused it.' })
export class PaymentAuditEventType {
  @Field(() => ID)
  id!: string;

  @Field(() => PaymentEventType)
  type!: PaymentEventType;

  @Field(() => PaymentStatus, { nullable: true })
  fromStatus!: PaymentStatus | null;

  @Field(() => PaymentStatus, { nullable: true })
  toStatus!: PaymentStatus | null;

  @Field(() => String, { description: 'What caused it: api:verifyPayment, webhook:<event id>, reconciliation…' })
  source!: string;

  @Field(() => String, { nullable: true })
  actorId!: string | null;

  @Field(() => String, { nullable: true, description: 'The X-Request-Id that caused it, to find it in the logs.' })
  requestId!: string | null;

  @Field(() => Date)
  createdAt!: Date;
}

@ObjectType('WebhookEvent', { description: 'One signed webhook delivery in the inbox, and how processing it went.' })
export class WebhookEventType {
  @Field(() => ID)
  id!: string;

  @Field(() => PaymentGateway, { description: 'The gateway that sent it.' })
  gateway!: PaymentGateway;

  @Field(() => String, { description: "The gateway's event id (Razorpay: X-Razorpay-Event-Id): replay takes this." })
  eventId!: string;

  @Field(() => String)
  eventType!: string;

  @Field(() => WebhookEventStatus)
  status!: WebhookEventStatus;

  @Field(() => Int)
  attempts!: number;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => Date)
  receivedAt!: Date;

  @Field(() => Date, { nullable: true })
  processedAt!: Date | null;
}

@ObjectType('LedgerProblem')
export class LedgerProblemType {
  @Field(() => String, { description: 'The rule broken: journal_unbalanced, wallet_balance_mismatch…' })
  rule!: string;

  @Field(() => String, { description: 'The journal, wallet, payment or refund concerned.' })
  id!: string;

  @Field(() => String)
  detail!: string;
}

@ObjectType('LedgerCheck', { description: 'The proof that the books balance (the CLI’s `ledger check`), as of checkedAt.' })
export class LedgerCheckType {
  @Field(() => Boolean, { description: 'True when no rule is broken.' })
  ok!: boolean;

  @Field(() => Int)
  journals!: number;

  @Field(() => Int)
  entries!: number;

  @Field(() => Int)
  wallets!: number;

  @Field(() => Int)
  capturedPayments!: number;

  @Field(() => [LedgerProblemType])
  problems!: LedgerProblemType[];

  @Field(() => Date)
  checkedAt!: Date;
}

export function toAuditEventType(event: PaymentEvent): PaymentAuditEventType {
  return Object.assign(new PaymentAuditEventType(), {
    id: String(event.id),
    type: event.type,
    fromStatus: event.fromStatus,
    toStatus: event.toStatus,
    source: event.source,
    actorId: event.actorId,
    requestId: event.requestId,
    createdAt: event.createdAt,
  });
}

export function toWebhookEventType(event: WebhookEvent): WebhookEventType {
  return Object.assign(new WebhookEventType(), {
    id: event.id,
    gateway: toPaymentGateway(event.gateway),
    eventId: event.eventId,
    eventType: event.eventType,
    status: event.status,
    attempts: event.attempts,
    lastError: event.lastError,
    receivedAt: event.receivedAt,
    processedAt: event.processedAt,
  });
}

export function toLedgerCheckType(report: LedgerReport, checkedAt: Date): LedgerCheckType {
  return Object.assign(new LedgerCheckType(), {
    ok: report.problems.length === 0,
    journals: report.journals,
    entries: report.entries,
    wallets: report.wallets,
    capturedPayments: report.capturedPayments,
    problems: report.problems.map((p) => Object.assign(new LedgerProblemType(), p)),
    checkedAt,
  });
}
