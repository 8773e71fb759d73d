/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Adds a product to a cart; adding one already there adds to its quantity. */
export type AddCartItemInput = {
  /** Default: your open cart (addCartItem creates it on first use). */
  cartId?: string | number | null | undefined;
  productId: string | number;
  /** 1 to 99; default 1. */
  quantity?: number | null | undefined;
};

export type AddWalletBalanceInput = {
  /** In paise, within WALLET_MIN_TOPUP and WALLET_MAX_TOPUP. */
  amount: number;
  /** RAZORPAY (the answer has Checkout's options) or PHONEPE (the answer has a redirectUrl); default: the service's DEFAULT_GATEWAY. */
  gateway?: PaymentGateway | null | undefined;
  /** The same key from the same caller returns the original result and moves no money twice. */
  idempotencyKey?: string | null | undefined;
};

export type CartPaymentMethod =
  | 'GATEWAY'
  | 'WALLET';

export type CartStatus =
  | 'ACTIVE'
  | 'BOOKING_FAILED'
  | 'CHECKED_OUT'
  | 'CONVERTED';

export type OutboxDeliveryStatus =
  | 'DEAD'
  | 'DELIVERED'
  | 'PENDING';

export type PaymentAuditEventType =
  | 'ANOMALY'
  | 'CREATED'
  | 'STATUS_CHANGED'
  | 'TRANSITION_IGNORED';

export type PaymentFilter = {
  /** Created at or after this instant. */
  createdFrom?: string | null | undefined;
  /** Created strictly before this instant. */
  createdTo?: string | null | undefined;
  payeeId?: string | number | null | undefined;
  /** Admin and service only; customers always see their own. */
  payerId?: string | number | null | undefined;
  purpose?: Array<PaymentPurpose> | null | undefined;
  reference?: string | null | undefined;
  status?: Array<PaymentStatus> | null | undefined;
};

/** The payment gateway a payment goes through. */
export type PaymentGateway =
  | 'PHONEPE'
  | 'RAZORPAY';

export type PaymentPurpose =
  | 'CART'
  | 'ORDER'
  | 'WALLET_TOPUP';

export type PaymentStatus =
  | 'AUTHORIZED'
  | 'CAPTURED'
  | 'CREATED'
  | 'FAILED'
  | 'PARTIALLY_REFUNDED'
  | 'REFUNDED';

/** Pays for a cart at the catalog prices of this moment. */
export type ProcessCartInput = {
  cartId: string | number;
  /** RAZORPAY (the answer has Checkout's options) or PHONEPE (the answer has a redirectUrl); default: the service's DEFAULT_GATEWAY. */
  gateway?: PaymentGateway | null | undefined;
  /** The same key from the same caller returns the original result and pays nothing twice. */
  idempotencyKey?: string | null | undefined;
  method: CartPaymentMethod;
};

export type RefundDestination =
  | 'SOURCE'
  | 'WALLET';

/** A refund of a captured payment (admin and service only). */
export type RefundInput = {
  /** In the smallest unit (paise); null: everything not yet refunded. */
  amount?: number | null | undefined;
  /** Default SOURCE: back the way the money came (through Razorpay; to the wallet for a payment made from it). WALLET: into the payer’s wallet at once; not for top-ups. */
  destination?: RefundDestination | null | undefined;
  /** The same key from the same caller returns the original refund and refunds nothing twice. */
  idempotencyKey?: string | null | undefined;
  paymentId: string | number;
  /** Shown to the payer; at most 255 characters. */
  reason?: string | null | undefined;
  /** SOURCE refunds through Razorpay only; default NORMAL. */
  speed?: RefundSpeed | null | undefined;
};

export type RefundSpeed =
  | 'NORMAL'
  | 'OPTIMUM';

export type RefundStatus =
  | 'FAILED'
  | 'PENDING'
  | 'PROCESSED';

/** Takes a product out of a cart. */
export type RemoveCartItemInput = {
  /** Default: your open cart (addCartItem creates it on first use). */
  cartId?: string | number | null | undefined;
  productId: string | number;
};

export type TransactionStatus =
  | 'COMPLETED'
  | 'FAILED'
  | 'PENDING';

export type TransactionType =
  | 'CHARGE'
  | 'PAYOUT'
  | 'REFUND'
  | 'WALLET_CREDIT'
  | 'WALLET_DEBIT';

/** Sets the quantity of a product already in a cart (removeCartItem takes it out). */
export type UpdateCartItemInput = {
  /** Default: your open cart (addCartItem creates it on first use). */
  cartId?: string | number | null | undefined;
  productId: string | number;
  /** 1 to 99. */
  quantity: number;
};

/** What Razorpay Checkout handed the browser on success. */
export type VerifyPaymentInput = {
  razorpayOrderId: string;
  razorpayPaymentId: string;
  razorpaySignature: string;
};

export type WalletStatus =
  | 'ACTIVE'
  | 'FROZEN';

export type WebhookEventStatus =
  | 'DEAD'
  | 'FAILED'
  | 'IGNORED'
  | 'PENDING'
  | 'PROCESSED'
  | 'QUARANTINED';

export type ConsolePaymentFragment = { id: string, status: PaymentStatus, purpose: PaymentPurpose, amount: number, amountRefunded: number, currency: string, payerId: string, version: number, description: string | null, reference: string | null, razorpayOrderId: string | null, razorpayPaymentId: string | null, failureReason: string | null, createdAt: string, paidAt: string | null, method: { method: string, cardNetwork: string | null, cardLast4: string | null, vpa: string | null, bank: string | null, wallet: string | null } | null };

export type ConsolePaymentsQueryVariables = Exact<{
  filter?: PaymentFilter | null | undefined;
  first?: number | null | undefined;
}>;


export type ConsolePaymentsQuery = { payments: { totalCount: number, edges: Array<{ node: { id: string, status: PaymentStatus, purpose: PaymentPurpose, amount: number, amountRefunded: number, currency: string, payerId: string, version: number, description: string | null, reference: string | null, razorpayOrderId: string | null, razorpayPaymentId: string | null, failureReason: string | null, createdAt: string, paidAt: string | null, method: { method: string, cardNetwork: string | null, cardLast4: string | null, vpa: string | null, bank: string | null, wallet: string | null } | null } }> } };

export type ConsoleStatsQueryVariables = Exact<{
  from: string;
  to: string;
  timeZone?: string | null | undefined;
}>;


export type ConsoleStatsQuery = { paymentStats: Array<{ currency: string, count: number, succeeded: number, failed: number, revenue: number, fees: number, payouts: number, refunds: number }>, paymentVolumeByHour: Array<{ hour: string, currency: string, count: number, succeeded: number, volume: number }> };

export type ConsolePaymentDetailQueryVariables = Exact<{
  id: string | number;
}>;


export type ConsolePaymentDetailQuery = { payment: { id: string, status: PaymentStatus, purpose: PaymentPurpose, amount: number, amountRefunded: number, currency: string, payerId: string, version: number, description: string | null, reference: string | null, razorpayOrderId: string | null, razorpayPaymentId: string | null, failureReason: string | null, createdAt: string, paidAt: string | null, auditTrail: Array<{ id: string, type: PaymentAuditEventType, fromStatus: PaymentStatus | null, toStatus: PaymentStatus | null, source: string, actorId: string | null, createdAt: string }>, transactions: Array<{ id: string, type: TransactionType, status: TransactionStatus, amount: number, currency: string, createdAt: string }>, refunds: Array<{ id: string, amount: number, status: RefundStatus, destination: RefundDestination, reason: string | null, razorpayRefundId: string | null, createdAt: string }>, method: { method: string, cardNetwork: string | null, cardLast4: string | null, vpa: string | null, bank: string | null, wallet: string | null } | null } | null };

export type ConsoleRefundMutationVariables = Exact<{
  input: RefundInput;
}>;


export type ConsoleRefundMutation = { refund: { id: string, amount: number, status: RefundStatus, destination: RefundDestination, payment: { id: string, status: PaymentStatus, purpose: PaymentPurpose, amount: number, amountRefunded: number, currency: string, payerId: string, version: number, description: string | null, reference: string | null, razorpayOrderId: string | null, razorpayPaymentId: string | null, failureReason: string | null, createdAt: string, paidAt: string | null, method: { method: string, cardNetwork: string | null, cardLast4: string | null, vpa: string | null, bank: string | null, wallet: string | null } | null } } };

export type ConsoleWebhookEventsQueryVariables = Exact<{
  statuses?: Array<WebhookEventStatus> | WebhookEventStatus | null | undefined;
  first?: number | null | undefined;
}>;


export type ConsoleWebhookEventsQuery = { webhookEvents: Array<{ id: string, eventId: string, eventType: string, status: WebhookEventStatus, attempts: number, lastError: string | null, receivedAt: string }> };

export type ConsoleReplayWebhookMutationVariables = Exact<{
  eventId: string;
}>;


export type ConsoleReplayWebhookMutation = { replayWebhookEvent: { id: string, eventId: string, status: WebhookEventStatus, attempts: number, lastError: string | null } };

export type ConsoleOutboxQueryVariables = Exact<{
  status?: OutboxDeliveryStatus | null | undefined;
  first?: number | null | undefined;
}>;


export type ConsoleOutboxQuery = { outboxDeliveries: { totalCount: number, edges: Array<{ node: { id: string, eventId: string, eventType: string, subscriberUrl: string, status: OutboxDeliveryStatus, attempts: number, lastStatusCode: number | null, lastError: string | null, createdAt: string } }> } };

export type ConsoleRedeliverMutationVariables = Exact<{
  id: string | number;
}>;


export type ConsoleRedeliverMutation = { redeliverOutboxDelivery: { id: string, status: OutboxDeliveryStatus } };

export type ConsoleLedgerCheckQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleLedgerCheckQuery = { ledgerCheck: { ok: boolean, journals: number, entries: number, wallets: number, capturedPayments: number, checkedAt: string, problems: Array<{ rule: string, id: string, detail: string }> } };

export type ConsolePaymentUpdatesSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type ConsolePaymentUpdatesSubscription = { paymentUpdates: { id: string, status: PaymentStatus, purpose: PaymentPurpose, amount: number, amountRefunded: number, currency: string, payerId: string, version: number, description: string | null, reference: string | null, razorpayOrderId: string | null, razorpayPaymentId: string | null, failureReason: string | null, createdAt: string, paidAt: string | null, method: { method: string, cardNetwork: string | null, cardLast4: string | null, vpa: string | null, bank: string | null, wallet: string | null } | null } };

export type ShopPaymentFragment = { id: string, status: PaymentStatus, purpose: PaymentPurpose, amount: number, amountRefunded: number, currency: string, version: number, description: string | null, failureReason: string | null, razorpayOrderId: string | null, createdAt: string, paidAt: string | null, booking: { id: string, reference: string, status: string } | null };

export type ShopBookingFragment = { id: string, reference: string, status: string, totalAmount: number, currency: string, createdAt: string, items: Array<{ productId: string, name: string, quantity: number, unitPrice: number, lineTotal: number }> };

export type ShopCartFragment = { id: string, status: CartStatus, currency: string | null, itemCount: number, total: number, failureReason: string | null, lines: Array<{ quantity: number, unitPrice: number, lineTotal: number, product: { id: string, name: string } }>, payment: { id: string, status: PaymentStatus } | null };

export type ShopCheckoutFragment = { keyId: string, razorpayOrderId: string, gateway: PaymentGateway, redirectUrl: string | null, amount: number, currency: string, payment: { id: string, status: PaymentStatus, purpose: PaymentPurpose, amount: number, amountRefunded: number, currency: string, version: number, description: string | null, failureReason: string | null, razorpayOrderId: string | null, createdAt: string, paidAt: string | null, booking: { id: string, reference: string, status: string } | null } };

export type ShopProductsQueryVariables = Exact<{
  first?: number | null | undefined;
}>;


export type ShopProductsQuery = { products: { edges: Array<{ node: { id: string, name: string, description: string | null, price: number, currency: string } }> } };

export type ShopCartQueryVariables = Exact<{ [key: string]: never; }>;


export type ShopCartQuery = { cart: { id: string, status: CartStatus, currency: string | null, itemCount: number, total: number, failureReason: string | null, lines: Array<{ quantity: number, unitPrice: number, lineTotal: number, product: { id: string, name: string } }>, payment: { id: string, status: PaymentStatus } | null } | null };

export type ShopAddToCartMutationVariables = Exact<{
  input: AddCartItemInput;
}>;


export type ShopAddToCartMutation = { addCartItem: { id: string, status: CartStatus, currency: string | null, itemCount: number, total: number, failureReason: string | null, lines: Array<{ quantity: number, unitPrice: number, lineTotal: number, product: { id: string, name: string } }>, payment: { id: string, status: PaymentStatus } | null } };

export type ShopUpdateCartItemMutationVariables = Exact<{
  input: UpdateCartItemInput;
}>;


export type ShopUpdateCartItemMutation = { updateCartItem: { id: string, status: CartStatus, currency: string | null, itemCount: number, total: number, failureReason: string | null, lines: Array<{ quantity: number, unitPrice: number, lineTotal: number, product: { id: string, name: string } }>, payment: { id: string, status: PaymentStatus } | null } };

export type ShopRemoveCartItemMutationVariables = Exact<{
  input: RemoveCartItemInput;
}>;


export type ShopRemoveCartItemMutation = { removeCartItem: { id: string, status: CartStatus, currency: string | null, itemCount: number, total: number, failureReason: string | null, lines: Array<{ quantity: number, unitPrice: number, lineTotal: number, product: { id: string, name: string } }>, payment: { id: string, status: PaymentStatus } | null } };

export type ShopProcessCartMutationVariables = Exact<{
  input: ProcessCartInput;
}>;


export type ShopProcessCartMutation = { processCart: { payment: { id: string, status: PaymentStatus, purpose: PaymentPurpose, amount: number, amountRefunded: number, currency: string, version: number, description: string | null, failureReason: string | null, razorpayOrderId: string | null, createdAt: string, paidAt: string | null, booking: { id: string, reference: string, status: string } | null }, checkout: { keyId: string, razorpayOrderId: string, gateway: PaymentGateway, redirectUrl: string | null, amount: number, currency: string, payment: { id: string, status: PaymentStatus, purpose: PaymentPurpose, amount: number, amountRefunded: number, currency: string, version: number, description: string | null, failureReason: string | null, razorpayOrderId: string | null, createdAt: string, paidAt: string | null, booking: { id: string, reference: string, status: string } | null } } | null, booking: { id: string, reference: string, status: string, totalAmount: number, currency: string, createdAt: string, items: Array<{ productId: string, name: string, quantity: number, unitPrice: number, lineTotal: number }> } | null, cart: { id: string, status: CartStatus, currency: string | null, itemCount: number, total: number, failureReason: string | null, lines: Array<{ quantity: number, unitPrice: number, lineTotal: number, product: { id: string, name: string } }>, payment: { id: string, status: PaymentStatus } | null } } };

export type ShopVerifyPaymentMutationVariables = Exact<{
  input: VerifyPaymentInput;
}>;


export type ShopVerifyPaymentMutation = { verifyPayment: { id: string, status: PaymentStatus, purpose: PaymentPurpose, amount: number, amountRefunded: number, currency: string, version: number, description: string | null, failureReason: string | null, razorpayOrderId: string | null, createdAt: string, paidAt: string | null, booking: { id: string, reference: string, status: string } | null } };

export type ShopConfirmPaymentMutationVariables = Exact<{
  paymentId: string | number;
}>;


export type ShopConfirmPaymentMutation = { confirmPayment: { id: string, status: PaymentStatus, purpose: PaymentPurpose, amount: number, amountRefunded: number, currency: string, version: number, description: string | null, failureReason: string | null, razorpayOrderId: string | null, createdAt: string, paidAt: string | null, booking: { id: string, reference: string, status: string } | null } };

export type ShopWalletQueryVariables = Exact<{
  first?: number | null | undefined;
}>;


export type ShopWalletQuery = { wallet: { id: string, balance: number, currency: string, status: WalletStatus, transactions: { edges: Array<{ node: { id: string, type: TransactionType, status: TransactionStatus, amount: number, currency: string, createdAt: string } }> } } };

export type ShopTopUpMutationVariables = Exact<{
  input: AddWalletBalanceInput;
}>;


export type ShopTopUpMutation = { addWalletBalance: { keyId: string, razorpayOrderId: string, gateway: PaymentGateway, redirectUrl: string | null, amount: number, currency: string, payment: { id: string, status: PaymentStatus, purpose: PaymentPurpose, amount: number, amountRefunded: number, currency: string, version: number, description: string | null, failureReason: string | null, razorpayOrderId: string | null, createdAt: string, paidAt: string | null, booking: { id: string, reference: string, status: string } | null } } };

export type ShopMyPaymentsQueryVariables = Exact<{
  first?: number | null | undefined;
}>;


export type ShopMyPaymentsQuery = { payments: { edges: Array<{ node: { id: string, status: PaymentStatus, purpose: PaymentPurpose, amount: number, amountRefunded: number, currency: string, version: number, description: string | null, failureReason: string | null, razorpayOrderId: string | null, createdAt: string, paidAt: string | null, booking: { id: string, reference: string, status: string } | null } }> } };

export type ShopBookingQueryVariables = Exact<{
  id: string | number;
}>;


export type ShopBookingQuery = { booking: { id: string, reference: string, status: string, totalAmount: number, currency: string, createdAt: string, items: Array<{ productId: string, name: string, quantity: number, unitPrice: number, lineTotal: number }> } | null };

export type ShopPaymentQueryVariables = Exact<{
  id: string | number;
}>;


export type ShopPaymentQuery = { payment: { id: string, status: PaymentStatus, purpose: PaymentPurpose, amount: number, amountRefunded: number, currency: string, version: number, description: string | null, failureReason: string | null, razorpayOrderId: string | null, createdAt: string, paidAt: string | null, booking: { id: string, reference: string, status: string } | null } | null };

export type ShopMyPaymentUpdatesSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type ShopMyPaymentUpdatesSubscription = { myPaymentUpdates: { id: string, status: PaymentStatus, purpose: PaymentPurpose, amount: number, amountRefunded: number, currency: string, version: number, description: string | null, failureReason: string | null, razorpayOrderId: string | null, createdAt: string, paidAt: string | null, booking: { id: string, reference: string, status: string } | null } };

export type ShopPaymentStatusSubscriptionVariables = Exact<{
  paymentId: string | number;
}>;


export type ShopPaymentStatusSubscription = { paymentStatusChanged: { id: string, status: PaymentStatus, purpose: PaymentPurpose, amount: number, amountRefunded: number, currency: string, version: number, description: string | null, failureReason: string | null, razorpayOrderId: string | null, createdAt: string, paidAt: string | null, booking: { id: string, reference: string, status: string } | null } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const ConsolePaymentFragmentDoc = new TypedDocumentString(`
    fragment ConsolePayment on Payment {
  id
  status
  purpose
  amount
  amountRefunded
  currency
  payerId
  version
  description
  reference
  razorpayOrderId
  razorpayPaymentId
  failureReason
  createdAt
  paidAt
  method {
    method
    cardNetwork
    cardLast4
    vpa
    bank
    wallet
  }
}
    `, {"fragmentName":"ConsolePayment"}) as unknown as TypedDocumentString<ConsolePaymentFragment, unknown>;
export const ShopBookingFragmentDoc = new TypedDocumentString(`
    fragment ShopBooking on Booking {
  id
  reference
  status
  totalAmount
  currency
  createdAt
  items {
    productId
    name
    quantity
    unitPrice
    lineTotal
  }
}
    `, {"fragmentName":"ShopBooking"}) as unknown as TypedDocumentString<ShopBookingFragment, unknown>;
export const ShopCartFragmentDoc = new TypedDocumentString(`
    fragment ShopCart on Cart {
  id
  status
  currency
  itemCount
  total
  failureReason
  lines {
    quantity
    unitPrice
    lineTotal
    product {
      id
      name
    }
  }
  payment {
    id
    status
  }
}
    `, {"fragmentName":"ShopCart"}) as unknown as TypedDocumentString<ShopCartFragment, unknown>;
export const ShopPaymentFragmentDoc = new TypedDocumentString(`
    fragment ShopPayment on Payment {
  id
  status
  purpose
  amount
  amountRefunded
  currency
  version
  description
  failureReason
  razorpayOrderId
  createdAt
  paidAt
  booking {
    id
    reference
    status
  }
}
    `, {"fragmentName":"ShopPayment"}) as unknown as TypedDocumentString<ShopPaymentFragment, unknown>;
export const ShopCheckoutFragmentDoc = new TypedDocumentString(`
    fragment ShopCheckout on CheckoutSession {
  keyId
  razorpayOrderId
  gateway
  redirectUrl
  amount
  currency
  payment {
    ...ShopPayment
  }
}
    fragment ShopPayment on Payment {
  id
  status
  purpose
  amount
  amountRefunded
  currency
  version
  description
  failureReason
  razorpayOrderId
  createdAt
  paidAt
  booking {
    id
    reference
    status
  }
}`, {"fragmentName":"ShopCheckout"}) as unknown as TypedDocumentString<ShopCheckoutFragment, unknown>;
export const ConsolePaymentsDocument = new TypedDocumentString(`
    query ConsolePayments($filter: PaymentFilter, $first: Int) {
  payments(filter: $filter, first: $first) {
    totalCount
    edges {
      node {
        ...ConsolePayment
      }
    }
  }
}
    fragment ConsolePayment on Payment {
  id
  status
  purpose
  amount
  amountRefunded
  currency
  payerId
  version
  description
  reference
  razorpayOrderId
  razorpayPaymentId
  failureReason
  createdAt
  paidAt
  method {
    method
    cardNetwork
    cardLast4
    vpa
    bank
    wallet
  }
}`) as unknown as TypedDocumentString<ConsolePaymentsQuery, ConsolePaymentsQueryVariables>;
export const ConsoleStatsDocument = new TypedDocumentString(`
    query ConsoleStats($from: DateTime!, $to: DateTime!, $timeZone: String) {
  paymentStats(from: $from, to: $to) {
    currency
    count
    succeeded
    failed
    revenue
    fees
    payouts
    refunds
  }
  paymentVolumeByHour(from: $from, to: $to, timeZone: $timeZone) {
    hour
    currency
    count
    succeeded
    volume
  }
}
    `) as unknown as TypedDocumentString<ConsoleStatsQuery, ConsoleStatsQueryVariables>;
export const ConsolePaymentDetailDocument = new TypedDocumentString(`
    query ConsolePaymentDetail($id: ID!) {
  payment(id: $id) {
    ...ConsolePayment
    auditTrail {
      id
      type
      fromStatus
      toStatus
      source
      actorId
      createdAt
    }
    transactions {
      id
      type
      status
      amount
      currency
      createdAt
    }
    refunds {
      id
      amount
      status
      destination
      reason
      razorpayRefundId
      createdAt
    }
  }
}
    fragment ConsolePayment on Payment {
  id
  status
  purpose
  amount
  amountRefunded
  currency
  payerId
  version
  description
  reference
  razorpayOrderId
  razorpayPaymentId
  failureReason
  createdAt
  paidAt
  method {
    method
    cardNetwork
    cardLast4
    vpa
    bank
    wallet
  }
}`) as unknown as TypedDocumentString<ConsolePaymentDetailQuery, ConsolePaymentDetailQueryVariables>;
export const ConsoleRefundDocument = new TypedDocumentString(`
    mutation ConsoleRefund($input: RefundInput!) {
  refund(input: $input) {
    id
    amount
    status
    destination
    payment {
      ...ConsolePayment
    }
  }
}
    fragment ConsolePayment on Payment {
  id
  status
  purpose
  amount
  amountRefunded
  currency
  payerId
  version
  description
  reference
  razorpayOrderId
  razorpayPaymentId
  failureReason
  createdAt
  paidAt
  method {
    method
    cardNetwork
    cardLast4
    vpa
    bank
    wallet
  }
}`) as unknown as TypedDocumentString<ConsoleRefundMutation, ConsoleRefundMutationVariables>;
export const ConsoleWebhookEventsDocument = new TypedDocumentString(`
    query ConsoleWebhookEvents($statuses: [WebhookEventStatus!], $first: Int) {
  webhookEvents(statuses: $statuses, first: $first) {
    id
    eventId
    eventType
    status
    attempts
    lastError
    receivedAt
  }
}
    `) as unknown as TypedDocumentString<ConsoleWebhookEventsQuery, ConsoleWebhookEventsQueryVariables>;
export const ConsoleReplayWebhookDocument = new TypedDocumentString(`
    mutation ConsoleReplayWebhook($eventId: String!) {
  replayWebhookEvent(eventId: $eventId) {
    id
    eventId
    status
    attempts
    lastError
  }
}
    `) as unknown as TypedDocumentString<ConsoleReplayWebhookMutation, ConsoleReplayWebhookMutationVariables>;
export const ConsoleOutboxDocument = new TypedDocumentString(`
    query ConsoleOutbox($status: OutboxDeliveryStatus, $first: Int) {
  outboxDeliveries(status: $status, first: $first) {
    totalCount
    edges {
      node {
        id
        eventId
        eventType
        subscriberUrl
        status
        attempts
        lastStatusCode
        lastError
        createdAt
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleOutboxQuery, ConsoleOutboxQueryVariables>;
export const ConsoleRedeliverDocument = new TypedDocumentString(`
    mutation ConsoleRedeliver($id: ID!) {
  redeliverOutboxDelivery(id: $id) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<ConsoleRedeliverMutation, ConsoleRedeliverMutationVariables>;
export const ConsoleLedgerCheckDocument = new TypedDocumentString(`
    query ConsoleLedgerCheck {
  ledgerCheck {
    ok
    journals
    entries
    wallets
    capturedPayments
    checkedAt
    problems {
      rule
      id
      detail
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleLedgerCheckQuery, ConsoleLedgerCheckQueryVariables>;
export const ConsolePaymentUpdatesDocument = new TypedDocumentString(`
    subscription ConsolePaymentUpdates {
  paymentUpdates {
    ...ConsolePayment
  }
}
    fragment ConsolePayment on Payment {
  id
  status
  purpose
  amount
  amountRefunded
  currency
  payerId
  version
  description
  reference
  razorpayOrderId
  razorpayPaymentId
  failureReason
  createdAt
  paidAt
  method {
    method
    cardNetwork
    cardLast4
    vpa
    bank
    wallet
  }
}`) as unknown as TypedDocumentString<ConsolePaymentUpdatesSubscription, ConsolePaymentUpdatesSubscriptionVariables>;
export const ShopProductsDocument = new TypedDocumentString(`
    query ShopProducts($first: Int) {
  products(first: $first) {
    edges {
      node {
        id
        name
        description
        price
        currency
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ShopProductsQuery, ShopProductsQueryVariables>;
export const ShopCartDocument = new TypedDocumentString(`
    query ShopCart {
  cart {
    ...ShopCart
  }
}
    fragment ShopCart on Cart {
  id
  status
  currency
  itemCount
  total
  failureReason
  lines {
    quantity
    unitPrice
    lineTotal
    product {
      id
      name
    }
  }
  payment {
    id
    status
  }
}`) as unknown as TypedDocumentString<ShopCartQuery, ShopCartQueryVariables>;
export const ShopAddToCartDocument = new TypedDocumentString(`
    mutation ShopAddToCart($input: AddCartItemInput!) {
  addCartItem(input: $input) {
    ...ShopCart
  }
}
    fragment ShopCart on Cart {
  id
  status
  currency
  itemCount
  total
  failureReason
  lines {
    quantity
    unitPrice
    lineTotal
    product {
      id
      name
    }
  }
  payment {
    id
    status
  }
}`) as unknown as TypedDocumentString<ShopAddToCartMutation, ShopAddToCartMutationVariables>;
export const ShopUpdateCartItemDocument = new TypedDocumentString(`
    mutation ShopUpdateCartItem($input: UpdateCartItemInput!) {
  updateCartItem(input: $input) {
    ...ShopCart
  }
}
    fragment ShopCart on Cart {
  id
  status
  currency
  itemCount
  total
  failureReason
  lines {
    quantity
    unitPrice
    lineTotal
    product {
      id
      name
    }
  }
  payment {
    id
    status
  }
}`) as unknown as TypedDocumentString<ShopUpdateCartItemMutation, ShopUpdateCartItemMutationVariables>;
export const ShopRemoveCartItemDocument = new TypedDocumentString(`
    mutation ShopRemoveCartItem($input: RemoveCartItemInput!) {
  removeCartItem(input: $input) {
    ...ShopCart
  }
}
    fragment ShopCart on Cart {
  id
  status
  currency
  itemCount
  total
  failureReason
  lines {
    quantity
    unitPrice
    lineTotal
    product {
      id
      name
    }
  }
  payment {
    id
    status
  }
}`) as unknown as TypedDocumentString<ShopRemoveCartItemMutation, ShopRemoveCartItemMutationVariables>;
export const ShopProcessCartDocument = new TypedDocumentString(`
    mutation ShopProcessCart($input: ProcessCartInput!) {
  processCart(input: $input) {
    payment {
      ...ShopPayment
    }
    checkout {
      ...ShopCheckout
    }
    booking {
      ...ShopBooking
    }
    cart {
      ...ShopCart
    }
  }
}
    fragment ShopPayment on Payment {
  id
  status
  purpose
  amount
  amountRefunded
  currency
  version
  description
  failureReason
  razorpayOrderId
  createdAt
  paidAt
  booking {
    id
    reference
    status
  }
}
fragment ShopBooking on Booking {
  id
  reference
  status
  totalAmount
  currency
  createdAt
  items {
    productId
    name
    quantity
    unitPrice
    lineTotal
  }
}
fragment ShopCart on Cart {
  id
  status
  currency
  itemCount
  total
  failureReason
  lines {
    quantity
    unitPrice
    lineTotal
    product {
      id
      name
    }
  }
  payment {
    id
    status
  }
}
fragment ShopCheckout on CheckoutSession {
  keyId
  razorpayOrderId
  gateway
  redirectUrl
  amount
  currency
  payment {
    ...ShopPayment
  }
}`) as unknown as TypedDocumentString<ShopProcessCartMutation, ShopProcessCartMutationVariables>;
export const ShopVerifyPaymentDocument = new TypedDocumentString(`
    mutation ShopVerifyPayment($input: VerifyPaymentInput!) {
  verifyPayment(input: $input) {
    ...ShopPayment
  }
}
    fragment ShopPayment on Payment {
  id
  status
  purpose
  amount
  amountRefunded
  currency
  version
  description
  failureReason
  razorpayOrderId
  createdAt
  paidAt
  booking {
    id
    reference
    status
  }
}`) as unknown as TypedDocumentString<ShopVerifyPaymentMutation, ShopVerifyPaymentMutationVariables>;
export const ShopConfirmPaymentDocument = new TypedDocumentString(`
    mutation ShopConfirmPayment($paymentId: ID!) {
  confirmPayment(paymentId: $paymentId) {
    ...ShopPayment
  }
}
    fragment ShopPayment on Payment {
  id
  status
  purpose
  amount
  amountRefunded
  currency
  version
  description
  failureReason
  razorpayOrderId
  createdAt
  paidAt
  booking {
    id
    reference
    status
  }
}`) as unknown as TypedDocumentString<ShopConfirmPaymentMutation, ShopConfirmPaymentMutationVariables>;
export const ShopWalletDocument = new TypedDocumentString(`
    query ShopWallet($first: Int) {
  wallet {
    id
    balance
    currency
    status
    transactions(first: $first) {
      edges {
        node {
          id
          type
          status
          amount
          currency
          createdAt
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ShopWalletQuery, ShopWalletQueryVariables>;
export const ShopTopUpDocument = new TypedDocumentString(`
    mutation ShopTopUp($input: AddWalletBalanceInput!) {
  addWalletBalance(input: $input) {
    ...ShopCheckout
  }
}
    fragment ShopPayment on Payment {
  id
  status
  purpose
  amount
  amountRefunded
  currency
  version
  description
  failureReason
  razorpayOrderId
  createdAt
  paidAt
  booking {
    id
    reference
    status
  }
}
fragment ShopCheckout on CheckoutSession {
  keyId
  razorpayOrderId
  gateway
  redirectUrl
  amount
  currency
  payment {
    ...ShopPayment
  }
}`) as unknown as TypedDocumentString<ShopTopUpMutation, ShopTopUpMutationVariables>;
export const ShopMyPaymentsDocument = new TypedDocumentString(`
    query ShopMyPayments($first: Int) {
  payments(first: $first) {
    edges {
      node {
        ...ShopPayment
      }
    }
  }
}
    fragment ShopPayment on Payment {
  id
  status
  purpose
  amount
  amountRefunded
  currency
  version
  description
  failureReason
  razorpayOrderId
  createdAt
  paidAt
  booking {
    id
    reference
    status
  }
}`) as unknown as TypedDocumentString<ShopMyPaymentsQuery, ShopMyPaymentsQueryVariables>;
export const ShopBookingDocument = new TypedDocumentString(`
    query ShopBooking($id: ID!) {
  booking(id: $id) {
    ...ShopBooking
  }
}
    fragment ShopBooking on Booking {
  id
  reference
  status
  totalAmount
  currency
  createdAt
  items {
    productId
    name
    quantity
    unitPrice
    lineTotal
  }
}`) as unknown as TypedDocumentString<ShopBookingQuery, ShopBookingQueryVariables>;
export const ShopPaymentDocument = new TypedDocumentString(`
    query ShopPayment($id: ID!) {
  payment(id: $id) {
    ...ShopPayment
  }
}
    fragment ShopPayment on Payment {
  id
  status
  purpose
  amount
  amountRefunded
  currency
  version
  description
  failureReason
  razorpayOrderId
  createdAt
  paidAt
  booking {
    id
    reference
    status
  }
}`) as unknown as TypedDocumentString<ShopPaymentQuery, ShopPaymentQueryVariables>;
export const ShopMyPaymentUpdatesDocument = new TypedDocumentString(`
    subscription ShopMyPaymentUpdates {
  myPaymentUpdates {
    ...ShopPayment
  }
}
    fragment ShopPayment on Payment {
  id
  status
  purpose
  amount
  amountRefunded
  currency
  version
  description
  failureReason
  razorpayOrderId
  createdAt
  paidAt
  booking {
    id
    reference
    status
  }
}`) as unknown as TypedDocumentString<ShopMyPaymentUpdatesSubscription, ShopMyPaymentUpdatesSubscriptionVariables>;
export const ShopPaymentStatusDocument = new TypedDocumentString(`
    subscription ShopPaymentStatus($paymentId: ID!) {
  paymentStatusChanged(paymentId: $paymentId) {
    ...ShopPayment
  }
}
    fragment ShopPayment on Payment {
  id
  status
  purpose
  amount
  amountRefunded
  currency
  version
  description
  failureReason
  razorpayOrderId
  createdAt
  paidAt
  booking {
    id
    reference
    status
  }
}`) as unknown as TypedDocumentString<ShopPaymentStatusSubscription, ShopPaymentStatusSubscriptionVariables>;