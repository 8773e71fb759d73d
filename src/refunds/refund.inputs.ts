import { Field, ID, InputType, Int } from 'type-graphql';
import { IsInt, IsOptional, MaxLength, Min, MinLength, NotContains } from 'class-validator';
import { IdempotencyKeyField, NO_NUL_RULE, NUL } from '../common/validation.js';
import { RefundDestination, RefundSpeed } from './refund.entity.js';

export const MAX_REFUND_REASON = 255;

@InputType({ description: 'A refund of a captured payment (admin and service only).' })
export class RefundInput {
  @Field(() => ID)
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(64, { message: 'must be at most 64 characters' })
  paymentId!: string;

  @Field(() => Int, { nullable: true, description: 'In the smallest unit (paise); null: everything not yet refunded.' })
  @IsOptional()
  @IsInt({ message: 'must be an integer in the smallest currency unit (paise)' })
  @Min(1, { message: 'must be a positive amount in the smallest currency unit (paise); leave it out to refund everything not yet refunded' })
  amount?: number | null;

  @Field(() => String, { nullable: true, description: `Shown to the payer; at most ${MAX_REFUND_REASON} characters.` })
  @IsOptional()
  @MaxLength(MAX_REFUND_REASON, { message: `must be at most ${MAX_REFUND_REASON} characters` })
  @NotContains(NUL, { message: NO_NUL_RULE })
  reason?: string | null;

  @Field(() => RefundDestination, {
    nullable: true,
    description: 'Default SOURCE: back the way the money came (through Razorpay; to the wallet for a payment made from it). WALLET: into the payer’s wallet at once; not for top-ups.',
  })
  @IsOptional()
  destination?: RefundDestination | null;

  @Field(() => RefundSpeed, { nullable: true, description: 'SOURCE refunds through Razorpay only; default NORMAL.' })
  @IsOptional()
  speed?: RefundSpeed | null;

  @IdempotencyKeyField('The same key from the same caller returns the original refund and refunds nothing twice.')
  idempotencyKey?: string | null;
}
