/**
 * The {@link PayoutGateway} on Razorpay Route, built on the official `razorpay` SDK's v2
 * resources (`accounts`, `stakeholders`, `products`) for linked accounts and its v1 `payments`
 * and `transfers` for transfers and their reversals. razorpay@2.9.8 has no way to list or
 * search linked accounts (no `accounts.all`), so a registration interrupted after Razorpay
 * created the account cannot look it up: the service records each id as soon as it has it.
 *
 * Same rules as the payment adapter (razorpay.failures.ts): a timeout per attempt, retries
 * with full jitter, `retryWhenTransient` for reads and the settlements PATCH (repeatable),
 * `retryWhenNotApplied` for creations (a timed-out create may have been made: a transfer from a
 * payment and a reversal take no idempotency key, so the caller lists before trying again).
 */
import type Razorpay from 'razorpay';
import { GatewayError } from '../../gateway.js';
import type {
  DirectTransferRequest,
  LinkedAccount,
  LinkedAccountRequest,
  PayoutGateway,
  RouteProduct,
  SettlementDetails,
  Stakeholder,
  StakeholderRequest,
  Transfer,
  TransferRequest,
  TransferReversal,
  TransferReversalRequest,
} from '../../payout-gateway.js';
import { RazorpayClient, type RazorpayClientOptions } from '../razorpay.client.js';
import { assertAmount, assertId as assertPaymentId, retryKeyedCreate, retryWhenNotApplied, retryWhenTransient, type RetryRule } from '../razorpay.failures.js';
import {
  parseLinkedAccount,
  parseReversal,
  parseReversals,
  parseRouteProduct,
  parseStakeholder,
  parseStakeholders,
  parseTransfer,
  parseTransfers,
} from './route.mappers.js';
import type {
  WireAccountCreateRequest,
  WireDirectTransferCreate,
  WireProductRequest,
  WireReversalRequest,
  WireSettlementsPatch,
  WireStakeholderCreateRequest,
  WireTransferCreateRequest,
  WireTransferHoldPatch,
} from './route.wire.js';

/** The same settings as the payment adapter's client (base URL, timeout, retries, logger). */
export type RazorpayRouteOptions = RazorpayClientOptions;

const ID_PATTERNS = {
  account: /^acc_[A-Za-z0-9]+$/,
  product: /^acc_prd_[A-Za-z0-9]+$/,
  transfer: /^trf_[A-Za-z0-9]+$/,
  settlement: /^setl_[A-Za-z0-9]+$/,
} as const;

/** Razorpay's settlement list pages (`count` at most 100). */
const PAGE = 100;
/** Notes values: Razorpay keeps at most 256 characters. */
const NOTE_LIMIT = 256;

/** `X-Transfer-Idempotency`: 4 to 36 characters of letters, digits, space, `_` and `-` (Razorpay). */
const TRANSFER_IDEMPOTENCY_KEY = /^[A-Za-z0-9 _-]{4,36}$/;

const unixSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/** Ids are pasted into URL paths by the SDK unescaped: anything else is refused before sending. */
function assertId(kind: keyof typeof ID_PATTERNS, id: string): void {
  if (typeof id !== 'string' || !ID_PATTERNS[kind].test(id)) {
    throw new GatewayError(`No linked ${kind} with id ${JSON.stringify(String(id)).slice(0, 60)}`, 'not_found');
  }
}

export class RazorpayRouteGateway implements PayoutGateway {
  readonly #client: RazorpayClient;

  constructor(options: RazorpayRouteOptions) {
    if (!options.keyId || !options.keySecret) throw new Error('RazorpayRouteGateway needs keyId and keySecret');
    // The client also drops axios's error (its config holds the credentials and the request
    // body, which here carries a bank account number or a PAN).
    this.#client = new RazorpayClient(options);
  }

  get #sdk(): Razorpay {
    return this.#client.sdk;
  }

  createLinkedAccount(request: LinkedAccountRequest): Promise<LinkedAccount> {
    const body: WireAccountCreateRequest = {
      email: request.email,
      phone: request.phone,
      type: 'route',
      reference_id: request.referenceId,
      legal_business_name: request.legalBusinessName,
      business_type: request.businessType,
      contact_name: request.contactName,
      profile: {
        category: request.category,
        subcategory: request.subcategory,
        addresses: {
          registered: {
            street1: request.address.street1,
            street2: request.address.street2,
            city: request.address.city,
            state: request.address.state,
            postal_code: request.address.postalCode,
            country: request.address.country,
          },
        },
      },
    };
    // The SDK types `accounts.create` with fields Route does not take; its generic post sends the same request.
    return this.#call('createLinkedAccount', () => this.#sdk.accounts.create(body as never), parseLinkedAccount, retryWhenNotApplied);
  }

  fetchLinkedAccount(accountId: string): Promise<LinkedAccount> {
    assertId('account', accountId);
    return this.#call('fetchLinkedAccount', () => this.#sdk.accounts.fetch(accountId), parseLinkedAccount, retryWhenTransient);
  }

  createStakeholder(accountId: string, request: StakeholderRequest): Promise<Stakeholder> {
    assertId('account', accountId);
    const body: WireStakeholderCreateRequest = { name: request.name, email: request.email, kyc: { pan: request.pan } };
    return this.#call('createStakeholder', () => this.#sdk.stakeholders.create(accountId, body as never), parseStakeholder, retryWhenNotApplied);
  }

  listStakeholders(accountId: string): Promise<Stakeholder[]> {
    assertId('account', accountId);
    return this.#call('listStakeholders', () => this.#sdk.stakeholders.all(accountId), parseStakeholders, retryWhenTransient);
  }

  requestRouteProduct(accountId: string): Promise<RouteProduct> {
    assertId('account', accountId);
    const body: WireProductRequest = { product_name: 'route', tnc_accepted: true };
    return this.#call(
      'requestRouteProduct',
      () => this.#sdk.products.requestProductConfiguration(accountId, body as never),
      parseRouteProduct,
      retryWhenNotApplied,
    );
  }

  submitSettlementDetails(accountId: string, productId: string, details: SettlementDetails): Promise<RouteProduct> {
    assertId('account', accountId);
    assertId('product', productId);
    const body: WireSettlementsPatch = {
      settlements: { account_number: details.accountNumber, ifsc_code: details.ifscCode, beneficiary_name: details.beneficiaryName },
      tnc_accepted: true,
    };
    return this.#call('submitSettlementDetails', () => this.#sdk.products.edit(accountId, productId, body as never), parseRouteProduct, retryWhenTransient);
  }

  fetchRouteProduct(accountId: string, productId: string): Promise<RouteProduct> {
    assertId('account', accountId);
    assertId('product', productId);
    return this.#call('fetchRouteProduct', () => this.#sdk.products.fetch(accountId, productId), parseRouteProduct, retryWhenTransient);
  }

  async transferFromPayment(gatewayPaymentId: string, request: TransferRequest): Promise<Transfer> {
    assertPaymentId('payment', gatewayPaymentId);
    assertId('account', request.accountId);
    assertAmount(request.amount, 'Transfer amount');
    if (!request.payoutId || request.payoutId.length > NOTE_LIMIT) throw new GatewayError('Transfer needs a payout id of at most 256 characters', 'rejected');
    const body: WireTransferCreateRequest = {
      transfers: [{
        account: request.accountId,
        amount: request.amount,
        currency: request.currency,
        notes: { payout_id: request.payoutId },
        on_hold: request.onHold,
        ...(request.onHoldUntil && { on_hold_until: unixSeconds(request.onHoldUntil) }),
      }],
    };
    // The answer is the collection of the transfers this request made: one, ours.
    const ours = (json: unknown): Transfer => {
      const made = parseTransfers(json);
      const transfer = made.find((t) => t.payoutId === request.payoutId) ?? (made.length === 1 ? made[0] : undefined);
      if (!transfer) throw new Error(`Razorpay transfer answer holds ${made.length} transfers, none with our payout id`);
      return transfer;
    };
    return this.#call('transferFromPayment', () => this.#sdk.payments.transfer(gatewayPaymentId, body as never), ours, retryWhenNotApplied);
  }

  /**
   * razorpay@2.9.8's `transfers.create` is `api.post({url: '/transfers', data})`, and its
   * `api.post` takes no headers (the constructor's whitelist keeps only `X-Razorpay-Account`
   * and `Content-Type`), so it cannot send `X-Transfer-Idempotency`: the request goes through
   * the SDK's own axios instance instead (`postWithHeaders`: same host, auth, timeout and error
   * handling). With the key, a retry after a timeout or a 409 answers the same transfer.
   */
  async directTransfer(request: DirectTransferRequest): Promise<Transfer> {
    assertId('account', request.accountId);
    assertAmount(request.amount, 'Transfer amount');
    if (!request.payoutId || request.payoutId.length > NOTE_LIMIT) throw new GatewayError('Transfer needs a payout id of at most 256 characters', 'rejected');
    if (!TRANSFER_IDEMPOTENCY_KEY.test(request.idempotencyKey)) {
      throw new GatewayError('Transfer idempotency key must be 4 to 36 letters, digits, spaces, _ or -', 'rejected');
    }
    const body: WireDirectTransferCreate = { account: request.accountId, amount: request.amount, currency: request.currency, notes: { payout_id: request.payoutId } };
    return this.#call(
      'directTransfer',
      () => this.#client.postWithHeaders('/v1/transfers', body, { 'X-Transfer-Idempotency': request.idempotencyKey }),
      parseTransfer,
      retryKeyedCreate,
    );
  }

  async listPaymentTransfers(gatewayPaymentId: string): Promise<Transfer[]> {
    assertPaymentId('payment', gatewayPaymentId);
    return this.#call('listPaymentTransfers', () => this.#sdk.payments.fetchTransfer(gatewayPaymentId), parseTransfers, retryWhenTransient);
  }

  async fetchTransfer(transferId: string): Promise<Transfer> {
    assertId('transfer', transferId);
    return this.#call('fetchTransfer', () => this.#sdk.transfers.fetch(transferId), parseTransfer, retryWhenTransient);
  }

  async editTransferHold(transferId: string, hold: { onHold: boolean; onHoldUntil: Date | null }): Promise<Transfer> {
    assertId('transfer', transferId);
    const body: WireTransferHoldPatch = { on_hold: hold.onHold, ...(hold.onHoldUntil && { on_hold_until: unixSeconds(hold.onHoldUntil) }) };
    // A PATCH to a state: repeating it changes nothing more.
    return this.#call('editTransferHold', () => this.#sdk.transfers.edit(transferId, body as never), parseTransfer, retryWhenTransient);
  }

  async reverseTransfer(transferId: string, request: TransferReversalRequest): Promise<TransferReversal> {
    assertId('transfer', transferId);
    assertAmount(request.amount, 'Reversal amount');
    if (!request.reversalId || request.reversalId.length > NOTE_LIMIT) throw new GatewayError('Reversal needs a reversal id of at most 256 characters', 'rejected');
    const body: WireReversalRequest = { amount: request.amount, notes: { reversal_id: request.reversalId } };
    return this.#call('reverseTransfer', () => this.#sdk.transfers.reverse(transferId, body as never), parseReversal, retryWhenNotApplied);
  }

  async listTransferReversals(transferId: string): Promise<TransferReversal[]> {
    assertId('transfer', transferId);
    // razorpay@2.9.8 has no method for `GET /v1/transfers/:id/reversals`: its generic GET sends it with the same auth.
    return this.#call('listTransferReversals', () => this.#sdk.api.get({ url: `/transfers/${transferId}/reversals` }), parseReversals, retryWhenTransient);
  }

  async listSettlementTransfers(settlementId: string): Promise<Transfer[]> {
    assertId('settlement', settlementId);
    const all: Transfer[] = [];
    for (let skip = 0; ; skip += PAGE) {
      const page = await this.#call(
        'listSettlementTransfers',
        () => this.#sdk.transfers.all({ recipient_settlement_id: settlementId, count: PAGE, skip } as never),
        parseTransfers,
        retryWhenTransient,
      );
      all.push(...page);
      if (page.length < PAGE) return all;
    }
  }

  #call<T>(operation: string, send: () => Promise<unknown>, parse: (body: unknown) => T, retryable: RetryRule): Promise<T> {
    return this.#client.call(operation, send, parse, retryable);
  }
}
