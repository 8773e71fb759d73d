import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PayoutHold, PayoutMethod, PayoutStatus, type Payout } from './payout.entity.js';

registerEnumType(PayoutStatus, {
  name: 'PayoutStatus',
  description: 'ACCRUED (payee not activated yet), PENDING (transfer under way), ON_HOLD (held until released), PROCESSED, FAILED, PARTIALLY_REVERSED / REVERSED (refunds took it back).',
});
registerEnumType(PayoutMethod, {
  name: 'PayoutMethod',
  description: 'How the share is sent: PAYMENT (a Route transfer from the Razorpay payment) or DIRECT (a direct transfer from the platform balance: wallet- or PhonePe-paid orders, or a payment refunded before its transfer).',
});
registerEnumType(PayoutHold, { name: 'PayoutHold', description: 'How the transfer is held at Razorpay: NONE, DELAY (on_hold_until), RELEASED (until releasePayout).' });

@ObjectType('Payout', { description: "A payee's share of one captured payment, sent to its Razorpay Route linked account by a transfer." })
export class PayoutType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  paymentId!: string;

  @Field(() => ID)
  payeeId!: string;

  @Field(() => PayoutStatus)
  status!: PayoutStatus;

  @Field(() => PayoutMethod)
  method!: PayoutMethod;

  @Field(() => Int, { description: 'The payee share in paise, less refunds processed before the transfer; the transfer sends amount − amountNetted.' })
  amount!: number;

  @Field(() => Int, { description: 'Kept back from this share to settle what the payee owed (receivables of its earlier payouts).' })
  amountNetted!: number;

  @Field(() => Int, { description: 'Taken back by transfer reversals (refunds after the transfer).' })
  amountReversed!: number;

  @Field(() => Int, { description: 'Reversals Razorpay refused for the linked account\'s balance: what the payee owes.' })
  amountReceivable!: number;

  @Field(() => String)
  currency!: string;

  @Field(() => String, { nullable: true, description: 'trf_…' })
  razorpayTransferId!: string | null;

  @Field(() => PayoutHold)
  hold!: PayoutHold;

  @Field(() => Boolean)
  onHold!: boolean;

  @Field(() => Date, { nullable: true })
  onHoldUntil!: Date | null;

  @Field(() => Date, { nullable: true })
  releasedAt!: Date | null;

  @Field(() => Int)
  attempts!: number;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => Date, { nullable: true })
  processedAt!: Date | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;
}

export function toPayoutType(payout: Payout): PayoutType {
  return Object.assign(new PayoutType(), {
    id: payout.id,
    paymentId: payout.payment.id,
    payeeId: payout.payeeId,
    status: payout.status,
    method: payout.method,
    amount: payout.amount,
    amountNetted: payout.amountNetted,
    amountReversed: payout.amountReversed,
    amountReceivable: payout.amountReceivable,
    currency: payout.currency,
    razorpayTransferId: payout.razorpayTransferId,
    hold: payout.hold,
    onHold: payout.onHold,
    onHoldUntil: payout.onHoldUntil,
    releasedAt: payout.releasedAt,
    attempts: payout.attempts,
    lastError: payout.lastError,
    processedAt: payout.processedAt,
    createdAt: payout.createdAt,
    updatedAt: payout.updatedAt,
  });
}
