import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { SavedPaymentMethodType, type SavedPaymentMethod } from './payment-method.entity.js';
import { isCardExpired } from './payment-method.rules.js';

registerEnumType(SavedPaymentMethodType, { name: 'SavedPaymentMethodType' });

@ObjectType('SavedPaymentMethod', { description: 'A payment method the caller saved. Cards are only network, last 4 digits and expiry.' })
export class SavedPaymentMethodNode {
  @Field(() => ID)
  id!: string;

  @Field(() => SavedPaymentMethodType)
  type!: SavedPaymentMethodType;

  @Field(() => String, { nullable: true })
  nickname!: string | null;

  @Field(() => String, { description: 'What to show as the provider: card network, UPI app (from the handle), bank or wallet name.' })
  provider!: string;

  @Field(() => String, { nullable: true, description: 'CARD: Visa, Mastercard, RuPay, Amex, Diners, Maestro, Discover, JCB.' })
  cardNetwork!: string | null;

  @Field(() => String, { nullable: true, description: 'CARD: the last 4 digits.' })
  last4!: string | null;

  @Field(() => Int, { nullable: true })
  expiryMonth!: number | null;

  @Field(() => Int, { nullable: true })
  expiryYear!: number | null;

  @Field(() => Boolean, { description: 'CARD: its expiry month is over (always false for other types).' })
  expired!: boolean;

  @Field(() => String, { nullable: true, description: 'UPI: the UPI id.' })
  vpa!: string | null;

  @Field(() => String, { nullable: true })
  bankName!: string | null;

  @Field(() => String, { nullable: true, description: 'WALLET: Razorpay’s wallet code (paytm, phonepe…).' })
  walletProvider!: string | null;

  @Field(() => String, { nullable: true, description: 'WALLET: the phone number, masked like XXXXXX1234.' })
  maskedWalletNumber!: string | null;

  @Field(() => Boolean, { description: 'Exactly one of a user’s methods is the default.' })
  isDefault!: boolean;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'Set when removed; removed methods are not listed.' })
  deletedAt!: Date | null;
}

/** The API shape of a saved method row: only the fields listed here leave the server. */
export function toSavedPaymentMethodNode(method: SavedPaymentMethod, now = new Date()): SavedPaymentMethodNode {
  return Object.assign(new SavedPaymentMethodNode(), {
    id: method.id,
    type: method.type,
    nickname: method.nickname,
    provider: method.provider,
    cardNetwork: method.cardNetwork,
    last4: method.cardLast4,
    expiryMonth: method.expiryMonth,
    expiryYear: method.expiryYear,
    expired: method.expiryMonth !== null && method.expiryYear !== null && isCardExpired(method.expiryMonth, method.expiryYear, now),
    vpa: method.vpa,
    bankName: method.bankName,
    walletProvider: method.walletProvider,
    maskedWalletNumber: method.maskedWalletNumber,
    isDefault: method.isDefault,
    createdAt: method.createdAt,
    updatedAt: method.updatedAt,
    deletedAt: method.deletedAt,
  });
}
