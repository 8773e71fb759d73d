import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { RefundDestination, RefundSpeed, RefundStatus, type Refund } from './refund.entity.js';

registerEnumType(RefundStatus, { name: 'RefundStatus' });
registerEnumType(RefundDestination, { name: 'RefundDestination' });
registerEnumType(RefundSpeed, { name: 'RefundSpeed' });

@ObjectType('Refund', { description: 'A refund of (part of) a payment; amount in the smallest unit (paise).' })
export class RefundType {
  @Field(() => ID)
  id!: string;

  /** Resolved through a loader (see refund.resolver.ts); not exposed as a column. */
  paymentId!: string;

  @Field(() => Int)
  amount!: number;

  @Field(() => String)
  currency!: string;

  @Field(() => RefundStatus, { description: 'PENDING until the gateway says PROCESSED or FAILED; a FAILED refund gives its amount back to what may be refunded.' })
  status!: RefundStatus;

  @Field(() => RefundDestination, { description: 'Where the money went: a SOURCE refund of a payment made from the wallet goes back to the wallet.' })
  destination!: RefundDestination;

  @Field(() => RefundSpeed, { nullable: true, description: 'Refunds through the gateway only.' })
  speed!: RefundSpeed | null;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => String, { nullable: true, description: "Razorpay's rfnd_… once it has answered." })
  razorpayRefundId!: string | null;

  @Field(() => ID, { description: 'The admin or service that asked for it.' })
  requestedBy!: string;

  @Field(() => String, { nullable: true, description: 'Why a FAILED refund failed.' })
  failureReason!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Set while a PENDING refund’s outcome is unknown (the gateway timed out or erred): a webhook or reconciliation settles it; retrying with the same idempotencyKey re-sends it safely.',
  })
  lastGatewayError!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  processedAt!: Date | null;
}

/** The API shape of a refund row: only the fields listed here leave the server. */
export function toRefundType(refund: Refund): RefundType {
  return Object.assign(new RefundType(), {
    id: refund.id,
    paymentId: refund.payment.id,
    amount: refund.amount,
    currency: refund.currency,
    status: refund.status,
    destination: refund.destination,
    speed: refund.speed,
    reason: refund.reason,
    razorpayRefundId: refund.razorpayRefundId,
    requestedBy: refund.requestedBy,
    failureReason: refund.failureReason,
    lastGatewayError: refund.lastGatewayError,
    createdAt: refund.createdAt,
    processedAt: refund.processedAt,
  });
}
