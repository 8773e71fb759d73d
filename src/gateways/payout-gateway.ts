/**
 * What the payouts side of the service asks of a gateway: linked accounts for payees (the
 * account, its one stakeholder, the `route` product with the payee's bank details) and the
 * state of their activation. Kept apart from the payment {@link Gateway} interface: payments
 * and payouts change for different reasons, and a payment gateway need not pay anyone out.
 *
 * Every method returns validated data or throws a GatewayError (gateway.ts). Bank account
 * numbers and PANs go out in requests and are never part of an answer.
 */

/** A linked account's postal address (`profile.addresses.registered`). */
export interface PayeeAddress {
  street1: string;
  street2: string;
  city: string;
  state: string;
  postalCode: string;
  /** ISO 3166 alpha-2; Route is for Indian accounts, so `IN`. */
  country: string;
}

export interface LinkedAccountRequest {
  /** The service's own id for the payee's account, so Razorpay's record points back at ours. */
  referenceId: string;
  email: string;
  phone: string;
  legalBusinessName: string;
  /** This service registers individuals only (see docs/payouts.md). */
  businessType: 'individual';
  contactName: string;
  category: string;
  subcategory: string;
  address: PayeeAddress;
}

export interface LinkedAccount {
  /** `acc_…` */
  id: string;
  /** `created`, `suspended`, … as Razorpay says it. */
  status: string;
  referenceId: string | null;
}

export interface StakeholderRequest {
  name: string;
  email: string;
  /** The full PAN: sent, never stored or logged by the service. */
  pan: string;
}

/** A stakeholder, without its KYC (Razorpay echoes the PAN; the adapter drops it). */
export interface Stakeholder {
  /** `sth_…` */
  id: string;
}

export const ROUTE_ACTIVATION_STATUSES = ['requested', 'needs_clarification', 'under_review', 'activated', 'suspended'] as const;
export type RouteActivationStatus = (typeof ROUTE_ACTIVATION_STATUSES)[number];

/** Something Razorpay still needs before it activates the product. */
export interface RouteRequirement {
  /** The request field it is about, e.g. `settlements.account_number`. */
  fieldReference: string;
  reasonCode: string;
  status: string;
  resolutionUrl: string | null;
}

/** The `route` product configuration of one linked account (`acc_prd_…`). */
export interface RouteProduct {
  id: string;
  accountId: string;
  activationStatus: RouteActivationStatus;
  requirements: RouteRequirement[];
}

/** Where the linked account's money settles; sent in full, answered never. */
export interface SettlementDetails {
  accountNumber: string;
  ifscCode: string;
  beneficiaryName: string;
}

/** A `product.route.*` webhook, decoded: a snapshot of the product at event time. */
export interface RouteProductEvent {
  productId: string;
  /** Razorpay's `merchant_id` (the linked account, with or without its `acc_` prefix: unverified). */
  accountId: string | null;
  activationStatus: RouteActivationStatus;
  requirements: RouteRequirement[];
  /** The event's `created_at`. */
  occurredAt: Date;
}

/** A transfer's state at Razorpay (read from `status`, or `transfer_status` on older objects). */
export const TRANSFER_STATUSES = ['created', 'pending', 'processed', 'failed', 'reversed', 'partially_reversed'] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];

/** Moves part of a captured payment to a linked account (`POST /v1/payments/:id/transfers`). */
export interface TransferRequest {
  /** The linked account, `acc_…`. */
  accountId: string;
  /** Paise. */
  amount: number;
  currency: 'INR';
  /** The service's own payout id: how a retry finds a transfer an earlier attempt made. */
  payoutId: string;
  /** Held at Razorpay until released (`on_hold`), or until this time (`on_hold_until`). */
  onHold: boolean;
  onHoldUntil: Date | null;
}

/**
 * A direct transfer from the platform's balance to a linked account (`POST /v1/transfers`): for a
 * share with no Razorpay payment to transfer from (an order paid from the wallet or through
 * PhonePe, or a payment refunded before its transfer). No hold: Route's direct transfers take
 * no `on_hold` (the payouts feature holds such a payout itself).
 */
export interface DirectTransferRequest {
  /** The linked account, `acc_…`. */
  accountId: string;
  /** Paise. */
  amount: number;
  currency: 'INR';
  /** The service's own payout id, in `notes.payout_id`: how webhooks find the payout. */
  payoutId: string;
  /**
   * Sent as `X-Transfer-Idempotency` (4–36 characters of `[A-Za-z0-9 _-]`): the same key answers
   * the same transfer, so a retry after a timeout never makes a second one.
   */
  idempotencyKey: string;
}

export interface Transfer {
  /** `trf_…` */
  id: string;
  /** The payment it came from, `pay_…`. */
  sourcePaymentId: string | null;
  accountId: string;
  amount: number;
  /** Amount reversed so far, paise. */
  amountReversed: number;
  status: TransferStatus;
  onHold: boolean;
  onHoldUntil: Date | null;
  /** `notes.payout_id` as we sent it; null for a transfer not made by this service. */
  payoutId: string | null;
  /** Set once Razorpay settled it to the linked account's bank. */
  recipientSettlementId: string | null;
  /** Razorpay's error (`error.description` or `error.reason`) when it failed. */
  failureReason: string | null;
}

export interface TransferReversalRequest {
  /** Paise; never `reverse_all` (see docs/payouts.md). */
  amount: number;
  /** The service's own reversal id, in `notes.reversal_id`. */
  reversalId: string;
}

export interface TransferReversal {
  /** `rvrsl_…` */
  id: string;
  transferId: string;
  amount: number;
  reversalId: string | null;
}

/** A `transfer.*` or `settlement.processed` webhook, decoded. */
export type TransferEvent =
  | { type: 'transfer.processed' | 'transfer.failed'; transfer: Transfer; occurredAt: Date }
  | { type: 'settlement.processed'; settlementId: string; occurredAt: Date };

/** Linked accounts and, through {@link TransferGateway}, transfers to them: one interface, one adapter. */
export interface PayoutGateway extends TransferGateway {
  /** Creates a `route` linked account. Not idempotent at Razorpay except that `email` is unique per platform. */
  createLinkedAccount(request: LinkedAccountRequest): Promise<LinkedAccount>;
  /** One linked account: how a retried registration checks that an account it is told of is its own. */
  fetchLinkedAccount(accountId: string): Promise<LinkedAccount>;
  /** Adds the account's stakeholder (Razorpay allows one). */
  createStakeholder(accountId: string, request: StakeholderRequest): Promise<Stakeholder>;
  /** The account's stakeholders: how a retried registration finds the one it made before. */
  listStakeholders(accountId: string): Promise<Stakeholder[]>;
  /** Requests the `route` product with the terms accepted. */
  requestRouteProduct(accountId: string): Promise<RouteProduct>;
  /** Sends the bank details (settlements) with the terms accepted; idempotent (a PATCH). */
  submitSettlementDetails(accountId: string, productId: string, details: SettlementDetails): Promise<RouteProduct>;
  /** The product's activation state now: what the reconciliation check asks. */
  fetchRouteProduct(accountId: string, productId: string): Promise<RouteProduct>;
}

/**
 * Transfers to linked accounts and their reversals (Razorpay Route's payment transfers).
 * Part of {@link PayoutGateway}; the Razorpay Route adapter implements both.
 */
export interface TransferGateway {
  /**
   * Transfers from a captured payment. Razorpay takes no idempotency key here: retried only
   * when the request surely did not arrive; after a timeout the caller lists the payment's
   * transfers and matches `payoutId` before trying again.
   */
  transferFromPayment(gatewayPaymentId: string, request: TransferRequest): Promise<Transfer>;
  /**
   * A direct transfer from the platform's balance (`POST /v1/transfers` with
   * `X-Transfer-Idempotency`): retried on timeouts, 5xx, 429 and 409 (the same key still in
   * flight), each retry answering the same transfer. GatewayError `rejected` on a 4xx.
   */
  directTransfer(request: DirectTransferRequest): Promise<Transfer>;
  /** Every transfer made from a payment (`GET /v1/payments/:id/transfers`). */
  listPaymentTransfers(gatewayPaymentId: string): Promise<Transfer[]>;
  fetchTransfer(transferId: string): Promise<Transfer>;
  /** Changes a transfer's hold (`PATCH /v1/transfers/:id`); idempotent. */
  editTransferHold(transferId: string, hold: { onHold: boolean; onHoldUntil: Date | null }): Promise<Transfer>;
  /**
   * Takes `amount` back from the linked account. GatewayError `rejected` when the account's
   * balance does not cover it (the caller records the payee's debt).
   */
  reverseTransfer(transferId: string, request: TransferReversalRequest): Promise<TransferReversal>;
  /** The transfer's reversals: how a retried reversal finds one an earlier attempt made. */
  listTransferReversals(transferId: string): Promise<TransferReversal[]>;
  /**
   * The transfers a settlement paid to a linked account's bank (`GET /v1/transfers?recipient_settlement_id=`):
   * how a `settlement.processed` webhook, which carries only the settlement, is matched to transfers.
   */
  listSettlementTransfers(settlementId: string): Promise<Transfer[]>;
}
