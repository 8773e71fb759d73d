/**
 * The {@link PayoutGateway} on Razorpay Route, built on the official `razorpay` SDK's v2
 * resources (`accounts`, `stakeholders`, `products`). razorpay@2.9.8 has no way to list or
 * search linked accounts (no `accounts.all`), so a registration interrupted after Razorpay
 * created the account cannot look it up: the service records each id as soon as it has it.
 *
 * Same rules as the payment adapter (razorpay.failures.ts): a timeout per attempt, retries
 * with full jitter, `retryWhenTransient` for reads and the settlements PATCH (repeatable),
 * `retryWhenNotApplied` for creations (a timed-out create may have been made).
 */
import type Razorpay from 'razorpay';
import { GatewayError } from '../../gateway.js';
import type {
  LinkedAccount,
  LinkedAccountRequest,
  PayoutGateway,
  RouteProduct,
  SettlementDetails,
  Stakeholder,
  StakeholderRequest,
} from '../../payout-gateway.js';
import { RazorpayClient, type RazorpayClientOptions } from '../razorpay.client.js';
import { retryWhenNotApplied, retryWhenTransient, type RetryRule } from '../razorpay.failures.js';
import { parseLinkedAccount, parseRouteProduct, parseStakeholder, parseStakeholders } from './route.mappers.js';
import type { WireAccountCreateRequest, WireProductRequest, WireSettlementsPatch, WireStakeholderCreateRequest } from './route.wire.js';

/** The same settings as the payment adapter's client (base URL, timeout, retries, logger). */
export type RazorpayRouteOptions = RazorpayClientOptions;

const ID_PATTERNS = {
  account: /^acc_[A-Za-z0-9]+$/,
  product: /^acc_prd_[A-Za-z0-9]+$/,
} as const;

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

  #call<T>(operation: string, send: () => Promise<unknown>, parse: (body: unknown) => T, retryable: RetryRule): Promise<T> {
    return this.#client.call(operation, send, parse, retryable);
  }
}
