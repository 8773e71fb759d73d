import { Field, ID, InputType, Int } from 'type-graphql';
import { IsIn, IsInt, IsObject, IsOptional, Matches, MaxLength, Min, MinLength, NotContains } from 'class-validator';
import { IdempotencyKeyField, NO_NUL_RULE, NUL } from '../common/validation.js';
import { GraphQLJSON } from 'graphql-scalars';
import { PaymentPurpose } from './payment.entity.js';
import { PaymentStatus } from './payment.state.js';
import { CURRENCIES } from '../money/money.js';
import { PaymentGateway } from './payment.types.js';

const CURRENCY_CODES = Object.keys(CURRENCIES);
/** Razorpay's minimum order amount is 100 paise (₹1.00). */
const MIN_AMOUNT = 100;
const ID_PATTERN = /^[A-Za-z0-9_.:@-]+$/;

/** The optional `gateway` of the inputs that open a gateway order; null: the service's DEFAULT_GATEWAY. */
export function GatewayChoiceField(): PropertyDecorator {
  return (target, property) => {
    Field(() => PaymentGateway, {
      nullable: true,
      description: "RAZORPAY (the answer has Checkout's options) or PHONEPE (the answer has a redirectUrl); default: the service's DEFAULT_GATEWAY.",
    })(target, property);
    IsOptional()(target, property);
    IsIn(Object.values(PaymentGateway), { message: `must be one of ${Object.keys(PaymentGateway).join(', ')}` })(target, property);
  };
}

@InputType()
export class CreateOrderInput {
  @Field(() => Int, { description: 'In the smallest unit (paise): 100 is ₹1.00.' })
  @IsInt({ message: 'must be an integer in the smallest currency unit (paise)' })
  @Min(MIN_AMOUNT, { message: `must be at least ${MIN_AMOUNT} (₹1.00, Razorpay's minimum)` })
  amount!: number;

  @Field(() => String, { nullable: true, description: 'ISO-4217 code; default INR.' })
  @IsOptional()
  @IsIn(CURRENCY_CODES, { message: `must be one of ${CURRENCY_CODES.join(', ')}` })
  currency?: string | null;

  @Field(() => ID, { nullable: true, description: 'Who receives the payout (freelancer, cleaner…).' })
  @IsOptional()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(64, { message: 'must be at most 64 characters' })
  @Matches(ID_PATTERN, { message: 'may contain only letters, digits and _ . : @ -' })
  payeeId?: string | null;

  @Field(() => String, { nullable: true, description: "The caller's own reference: job id, application id…" })
  @IsOptional()
  @MaxLength(100, { message: 'must be at most 100 characters' })
  @NotContains(NUL, { message: NO_NUL_RULE })
  reference?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(255, { message: 'must be at most 255 characters' })
  @NotContains(NUL, { message: NO_NUL_RULE })
  description?: string | null;

  @Field(() => GraphQLJSON, { nullable: true, description: 'At most 15 key/value pairs, passed to the gateway order.' })
  @IsOptional()
  @IsObject({ message: 'must be an object of key/value pairs' })
  notes?: Record<string, unknown> | null;

  @IdempotencyKeyField('The same key from the same caller returns the original order.')
  idempotencyKey?: string | null;

  @GatewayChoiceField()
  gateway?: PaymentGateway | null;
}

@InputType({ description: 'What Razorpay Checkout handed the browser on success.' })
export class VerifyPaymentInput {
  @Field(() => String)
  @Matches(/^order_[A-Za-z0-9]{14}$/, { message: 'must be a Razorpay order id (order_ followed by 14 letters or digits)' })
  razorpayOrderId!: string;

  @Field(() => String)
  @Matches(/^pay_[A-Za-z0-9]{14}$/, { message: 'must be a Razorpay payment id (pay_ followed by 14 letters or digits)' })
  razorpayPaymentId!: string;

  @Field(() => String)
  @Matches(/^[0-9a-f]{64}$/, { message: 'must be the 64-character hex signature Checkout returned' })
  razorpaySignature!: string;
}

@InputType()
export class PaymentFilter {
  @Field(() => [PaymentStatus], { nullable: true })
  @IsOptional()
  status?: PaymentStatus[] | null;

  @Field(() => [PaymentPurpose], { nullable: true })
  @IsOptional()
  purpose?: PaymentPurpose[] | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @MaxLength(64, { message: 'must be at most 64 characters' })
  @NotContains(NUL, { message: NO_NUL_RULE })
  payeeId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Admin and service only; customers always see their own.' })
  @IsOptional()
  @MaxLength(64, { message: 'must be at most 64 characters' })
  @NotContains(NUL, { message: NO_NUL_RULE })
  payerId?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100, { message: 'must be at most 100 characters' })
  @NotContains(NUL, { message: NO_NUL_RULE })
  reference?: string | null;

  @Field(() => Date, { nullable: true, description: 'Created at or after this instant.' })
  @IsOptional()
  createdFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Created strictly before this instant.' })
  @IsOptional()
  createdTo?: Date | null;
}

