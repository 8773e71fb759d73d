import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { IsInt, MaxLength, MinLength } from 'class-validator';
import { GatewayChoiceField } from '../payments/payment.inputs.js';
import type { PaymentGateway } from '../payments/payment.types.js';
import { IdempotencyKeyField } from '../common/validation.js';
import { WalletStatus, type Wallet } from './wallet.entity.js';

registerEnumType(WalletStatus, { name: 'WalletStatus' });


@ObjectType('Wallet', { description: 'Money held for you; balance in the smallest unit (paise).' })
export class WalletType {
  @Field(() => ID)
  id!: string;

  @Field(() => Int)
  balance!: number;

  @Field(() => String)
  currency!: string;

  @Field(() => WalletStatus)
  status!: WalletStatus;

  @Field(() => String, { nullable: true, description: 'Why an admin froze it.' })
  frozenReason!: string | null;

  @Field(() => Date)
  updatedAt!: Date;
}

export function toWalletType(wallet: Wallet): WalletType {
  return Object.assign(new WalletType(), {
    id: wallet.id,
    balance: wallet.balance,
    currency: wallet.currency,
    status: wallet.status,
    frozenReason: wallet.frozenReason,
    updatedAt: wallet.updatedAt,
  });
}

@InputType()
export class AddWalletBalanceInput {
  @Field(() => Int, { description: 'In paise, within WALLET_MIN_TOPUP and WALLET_MAX_TOPUP.' })
  @IsInt({ message: 'must be an integer in paise' })
  amount!: number;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;

  @GatewayChoiceField()
  gateway?: PaymentGateway | null;
}

@InputType()
export class PayWithWalletInput {
  @Field(() => ID, { description: 'A CREATED (or FAILED) payment of yours, from createOrder.' })
  @MaxLength(64, { message: 'must be at most 64 characters' })
  paymentId!: string;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType()
export class FreezeWalletInput {
  @Field(() => ID)
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(64, { message: 'must be at most 64 characters' })
  userId!: string;

  @Field(() => String, { description: 'Shown to the wallet owner.' })
  @MinLength(3, { message: 'must say why, in at least 3 characters' })
  @MaxLength(255, { message: 'must be at most 255 characters' })
  reason!: string;
}
