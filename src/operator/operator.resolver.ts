import { Arg, Ctx, Field, FieldResolver, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { GraphQLSafeInt } from 'graphql-scalars';
import { requireRole, type Context } from '../graphql/context.js';
import { PaymentType } from '../payments/payment.types.js';
import { WebhookEventStatus } from '../webhooks/webhook-event.entity.js';
import { LedgerCheckType, PaymentAuditEventType, toAuditEventType, toLedgerCheckType, toWebhookEventType, WebhookEventType } from './operator.types.js';

@ObjectType('HourlyPaymentVolume', { description: 'Payments created in one hour of the asked time zone, per currency; amounts in the smallest unit.' })
export class HourlyVolumeType {
  @Field(() => Date, { description: 'The start of the hour.' })
  hour!: Date;

  @Field(() => String)
  currency!: string;

  @Field(() => Int)
  count!: number;

  @Field(() => Int)
  succeeded!: number;

  @Field(() => GraphQLSafeInt, { description: 'Captured amount, gross of refunds.' })
  volume!: number;
}

/** The operator console's reads and actions: staff only, each a call to the operator service. */
@Resolver(() => PaymentType)
export class OperatorResolver {
  @FieldResolver(() => [PaymentAuditEventType], { description: 'Admin/service: every change to this payment and every change refused, oldest first.' })
  async auditTrail(@Root() payment: PaymentType, @Ctx() ctx: Context) {
    requireRole(ctx, ['admin', 'service']);
    return (await ctx.services.operator.auditTrail(payment.id)).map(toAuditEventType);
  }

  @Query(() => [WebhookEventType], { description: 'Admin/service: the webhook inbox, newest first; statuses narrows it (FAILED, DEAD: the ones to replay).' })
  async webhookEvents(
    @Ctx() ctx: Context,
    @Arg('statuses', () => [WebhookEventStatus], { nullable: true }) statuses?: WebhookEventStatus[],
    @Arg('first', () => Int, { nullable: true, description: '1 to 100; default 20' }) first?: number,
  ) {
    requireRole(ctx, ['admin', 'service']);
    return (await ctx.services.operator.webhookEvents(statuses ?? null, first)).map(toWebhookEventType);
  }

  @Mutation(() => WebhookEventType, { description: 'Admin: processes a stored webhook event again now (safe: each change applies at most once).' })
  async replayWebhookEvent(@Arg('eventId', () => String, { description: 'X-Razorpay-Event-Id' }) eventId: string, @Ctx() ctx: Context) {
    requireRole(ctx, ['admin']);
    return toWebhookEventType(await ctx.services.operator.replayWebhookEvent(eventId));
  }

  @Query(() => LedgerCheckType, { description: 'Admin/service: proves the books balance now (what `ledger check` prints).' })
  async ledgerCheck(@Ctx() ctx: Context) {
    requireRole(ctx, ['admin', 'service']);
    const check = await ctx.services.operator.ledgerCheck();
    return toLedgerCheckType(check, check.checkedAt);
  }

  @Query(() => [HourlyVolumeType], { description: 'Admin/service: payments per hour of timeZone in [from, to), at most 7 days: count, successes, captured volume.' })
  paymentVolumeByHour(
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Arg('timeZone', () => String, { description: 'IANA zone, e.g. Asia/Kolkata; default UTC', nullable: true }) timeZone: string | undefined,
    @Ctx() ctx: Context,
  ) {
    requireRole(ctx, ['admin', 'service']);
    return ctx.services.operator.hourlyVolume(from, to, timeZone ?? 'UTC');
  }
}
