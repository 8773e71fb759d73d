import { Field, ID, InputType, Int } from 'type-graphql';
import { SavedPaymentMethodType } from './payment-method.entity.js';

/*
 * No class-validator decorators here on purpose: every rule lives in payment-method.rules.ts,
 * checked in one fixed order, so that a full card number is recognised (and refused with its
 * own message) before any format rule could answer, and the rules are unit-tested as plain
 * functions. There is no CVV or card-number field: sending one is a GraphQL validation error.
 */

@InputType({ description: 'A payment method to save. Send only the fields of its type; full card numbers and CVVs are never accepted.' })
export class AddSavedPaymentMethodInput {
  @Field(() => SavedPaymentMethodType)
  type!: SavedPaymentMethodType;

  @Field(() => String, { nullable: true, description: 'At most 40 characters.' })
  nickname?: string | null;

  @Field(() => String, { nullable: true, description: 'CARD: Visa, Mastercard, RuPay, Amex, Diners, Maestro, Discover or JCB.' })
  cardNetwork?: string | null;

  @Field(() => String, { nullable: true, description: 'CARD: the last 4 digits of the card, exactly 4 digits.' })
  last4?: string | null;

  @Field(() => Int, { nullable: true, description: 'CARD: 1 to 12.' })
  expiryMonth?: number | null;

  @Field(() => Int, { nullable: true, description: 'CARD: 4 digits, not in the past, at most 20 years ahead.' })
  expiryYear?: number | null;

  @Field(() => String, { nullable: true, description: 'UPI: the UPI id (VPA), like name@okaxis.' })
  vpa?: string | null;

  @Field(() => String, { nullable: true, description: 'NETBANKING: the bank’s name.' })
  bankName?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'WALLET: paytm, phonepe, amazonpay, mobikwik, freecharge, airtelmoney, jiomoney, olamoney or payzapp.',
  })
  walletProvider?: string | null;

  @Field(() => String, { nullable: true, description: 'WALLET: the wallet’s phone number masked like XXXXXX1234; never the full number.' })
  maskedWalletNumber?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Make it the default. The first method saved is the default anyway.' })
  isDefault?: boolean | null;
}

@InputType({ description: 'Changes to a saved payment method; fields left out stay as they are.' })
export class UpdateSavedPaymentMethodInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true, description: 'At most 40 characters; null or empty removes it.' })
  nickname?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'true makes it the default; the default cannot be unset, only replaced.' })
  isDefault?: boolean | null;
}
