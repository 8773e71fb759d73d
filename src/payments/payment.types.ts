import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { GatewayName } from '../gateways/gateway.js';
import type { PaymentCheckout } from './payment.checkout.js';
import { PaymentPurpose, type Payment } from './payment.entity.js';
import { PaymentStatus } from './payment.state.js';
import { Connection } from '../graphql/connection.js';

registerEnumType(PaymentStatus, { name: 'PaymentStatus' });
registerEnumType(PaymentPurpose, { name: 'PaymentPurpose' });

/** The gateway a payment goes through (the API's enum; the database stores the gateway's name). */
export enum PaymentGateway {
  RAZORPAY = 'razorpay',
  PHONEPE = 'phonepe',
}
registerEnumType(PaymentGateway, { name: 'PaymentGateway', description: 'The payment gateway a payment goes through.' });
/** Every gateway name has its API value: a gateway added without one does not compile. */
const API_GATEWAY: Record<GatewayName, PaymentGateway> = { razorpay: PaymentGateway.RAZORPAY, phonepe: PaymentGateway.PHONEPE };

/** A gateway's name as the API shows it. */
export function toPaymentGateway(name: GatewayName): PaymentGateway {
  return API_GATEWAY[name];
}

@ObjectType({ description: 'How the customer paid, as the gateway reported it.', simpleResolvers: true })
export class PaymentMethodDetails {
  @Field(() => String, { description: 'card, upi, netbanking, wallet, emi…' })
  method!: string;

  @Field(() => String, { nullable: true })
  cardNetwork!: string | null;

  @Field(() => String, { nullable: true })
  cardLast4!: string | null;

  @Field(() => String, { nullable: true, description: 'UPI VPA' })
  vpa!: string | null;

  @Field(() => String, { nullable: true })
  bank!: string | null;

  @Field(() => String, { nullable: true })
  wallet!: string | null;
}

// simpleResolvers: plain properties are read by the executor itself, not through type-graphql's
// per-field middleware wrapper (no field here has @Authorized or middleware). Field resolvers
// declared elsewhere (transactions, refunds, auditTrail…) keep theirs.
@ObjectType('Payment', { description: 'A payment. Amounts are integers in the smallest currency unit (paise).', simpleResolvers: true })
export class PaymentType {
  @Field(() => ID)
  id!: string;

  @Field(() => PaymentStatus)
  status!: PaymentStatus;

  @Field(() => PaymentPurpose)
  purpose!: PaymentPurpose;

  @Field(() => Int)
  amount!: number;

  @Field(() => String)
  currency!: string;

  @Field(() => Int, { description: "The platform's share, fixed when the order was created." })
  platformFee!: number;

  @Field(() => Int, { description: 'amount - platformFee' })
  payeeAmount!: number;

  @Field(() => Int)
  amountRefunded!: number;

  @Field(() => ID)
  payerId!: string;

  @Field(() => ID, { nullable: true })
  payeeId!: string | null;

  @Field(() => String, { nullable: true })
  reference!: string | null;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => PaymentGateway, { description: 'The gateway the payment goes through; the razorpay* fields hold its order and attempt ids.' })
  gateway!: PaymentGateway;

  @Field(() => String, { nullable: true })
  razorpayOrderId!: string | null;

  @Field(() => String, { nullable: true })
  razorpayPaymentId!: string | null;

  @Field(() => PaymentMethodDetails, { nullable: true })
  method!: PaymentMethodDetails | null;

  @Field(() => String, { nullable: true })
  failureReason!: string | null;

  @Field(() => Int, { description: 'Grows by one with every applied change; a newer version is a newer state.' })
  version!: number;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  @Field(() => Date, { nullable: true })
  paidAt!: Date | null;
}

export const PaymentConnection = Connection(PaymentType, 'Payment');

@ObjectType({ description: 'Everything a client needs to open Razorpay Checkout.' })
export class CheckoutSession {
  @Field(() => PaymentType)
  payment!: PaymentType;

  @Field(() => String, { description: 'Public key id; the secret never leaves the server.' })
  keyId!: string;

  @Field(() => String, { description: "The gateway's order id (PhonePe: its merchantOrderId)." })
  razorpayOrderId!: string;

  @Field(() => PaymentGateway, { description: 'What to do next. RAZORPAY: open Checkout with keyId and razorpayOrderId, then verifyPayment. PHONEPE: send the browser to redirectUrl, then confirmPayment when it comes back.' })
  gateway!: PaymentGateway;

  @Field(() => String, { nullable: true, description: "PHONEPE: PhonePe's payment page for this order (the return from it proves nothing: call confirmPayment). RAZORPAY: null." })
  redirectUrl!: string | null;

  @Field(() => Int)
  amount!: number;

  @Field(() => String)
  currency!: string;
}

/** The API shape of a payment row: only the fields listed here leave the server. */
export function toPaymentType(payment: Payment): PaymentType {
  return Object.assign(new PaymentType(), {
    id: payment.id,
    status: payment.status,
    purpose: payment.purpose,
    amount: payment.amount,
    currency: payment.currency,
    platformFee: payment.platformFee,
    payeeAmount: payment.payeeAmount,
    amountRefunded: payment.amountRefunded,
    payerId: payment.payerId,
    payeeId: payment.payeeId,
    reference: payment.reference,
    description: payment.description,
    gateway: toPaymentGateway(payment.gateway),
    razorpayOrderId: payment.razorpayOrderId,
    razorpayPaymentId: payment.razorpayPaymentId,
    method: payment.method ? Object.assign(new PaymentMethodDetails(), payment.method) : null,
    failureReason: payment.failureReason,
    version: payment.version,
    createdAt: payment.createdAt,
    updatedAt: payment.updatedAt,
    paidAt: payment.paidAt,
  });
}

/**
 * The API shape of a checkout: the payment, and what the client does next. Razorpay's Checkout
 * options (keyId, the order id) for both kinds; `redirectUrl` only for a redirecting gateway.
 */
export function toCheckoutSession(checkout: PaymentCheckout): CheckoutSession {
  const { payment, instructions } = checkout;
  return Object.assign(new CheckoutSession(), {
    payment: toPaymentType(payment),
    keyId: instructions.keyId,
    razorpayOrderId: instructions.orderId,
    gateway: toPaymentGateway(instructions.gateway),
    redirectUrl: instructions.kind === 'redirect' ? instructions.redirectUrl : null,
    amount: payment.amount,
    currency: payment.currency,
  });
}

/** JSON-safe form of {@link PaymentType} for the pub/sub wire (Redis serialises it). */
export type PaymentMessage = Omit<PaymentType, 'createdAt' | 'updatedAt' | 'paidAt'> & {
  createdAt: string;
  updatedAt: string;
  paidAt: string | null;
};

export function toPaymentMessage(payment: PaymentType): PaymentMessage {
  return {
    ...payment,
    createdAt: payment.createdAt.toISOString(),
    updatedAt: payment.updatedAt.toISOString(),
    paidAt: payment.paidAt?.toISOString() ?? null,
  };
}

export function fromPaymentMessage(message: PaymentMessage): PaymentType {
  return Object.assign(new PaymentType(), {
    ...message,
    method: message.method ? Object.assign(new PaymentMethodDetails(), message.method) : null,
    createdAt: new Date(message.createdAt),
    updatedAt: new Date(message.updatedAt),
    paidAt: message.paidAt ? new Date(message.paidAt) : null,
  });
}
