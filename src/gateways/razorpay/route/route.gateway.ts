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
import { setTimeout as sleep } from 'node:timers/promises';
import Razorpay from 'razorpay';
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
import {
  classifyFailure,
  describeForLog,
  MAX_BACKOFF_MS,
  retryWhenNotApplied,
  retryWhenTransient,
  toGatewayError,
  toReadableAxiosFailure,
  type RetryRule,
} from '../razorpay.failures.js';
import type { GatewayLogger } from '../razorpay.gateway.js';
import { parseLinkedAccount, parseRouteProduct, parseStakeholder, parseStakeholders } from './route.mappers.js';
import type { WireAccountCreateRequest, WireProductRequest, WireSettlementsPatch, WireStakeholderCreateRequest } from './route.wire.js';

export interface RazorpayRouteOptions {
  keyId: string;
  keySecret: string;
  /** Base URL without `/v1` or `/v2`, e.g. the sandbox's `http://127.0.0.1:4000/sandbox/razorpay`. */
  apiUrl?: string;
  timeoutMs?: number;
  maxRetries?: number;
  retryBaseMs?: number;
  logger?: GatewayLogger;
  name?: string;
}

interface SdkHttpClient {
  defaults: { baseURL?: string; timeout?: number };
  interceptors: { response: { use(onFulfilled: null, onRejected: (error: unknown) => unknown): number } };
}

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
  readonly #sdk: Razorpay;
  readonly #maxRetries: number;
  readonly #retryBaseMs: number;
  readonly #logger: GatewayLogger | undefined;
  readonly #name: string;

  constructor(options: RazorpayRouteOptions) {
    if (!options.keyId || !options.keySecret) throw new Error('RazorpayRouteGateway needs keyId and keySecret');
    this.#maxRetries = options.maxRetries ?? 3;
    this.#retryBaseMs = options.retryBaseMs ?? 200;
    this.#logger = options.logger;
    this.#name = options.name ?? 'razorpay';
    this.#sdk = new Razorpay({ key_id: options.keyId, key_secret: options.keySecret });
    const http = (this.#sdk.api as unknown as { rq?: SdkHttpClient }).rq;
    if (!http?.defaults || !http.interceptors) {
      throw new Error('razorpay SDK no longer exposes api.rq; RazorpayRouteGateway needs updating');
    }
    if (options.apiUrl) http.defaults.baseURL = options.apiUrl.replace(/\/+$/, '');
    http.defaults.timeout = options.timeoutMs ?? 10_000;
    // Also drops axios's error (its config holds the credentials and the request body, which
    // here carries a bank account number or a PAN).
    http.interceptors.response.use(null, (error) => Promise.reject(toReadableAxiosFailure(error)));
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

  /** One call: attempts, backoff with full jitter, validation, error mapping (as RazorpayGateway's). */
  async #call<T>(operation: string, send: () => Promise<unknown>, parse: (body: unknown) => T, retryable: RetryRule): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      let body: unknown;
      try {
        body = await send();
      } catch (error) {
        const failure = classifyFailure(error);
        if (attempt >= this.#maxRetries || !retryable(failure)) throw toGatewayError(failure);
        const delayMs = Math.round(Math.random() * Math.min(MAX_BACKOFF_MS, this.#retryBaseMs * 2 ** attempt));
        this.#logger?.warn({ gateway: this.#name, operation, attempt: attempt + 1, delayMs, ...describeForLog(failure) }, 'Razorpay Route call failed; retrying');
        await sleep(delayMs);
        continue;
      }
      try {
        return parse(body);
      } catch (error) {
        this.#logger?.warn(
          { gateway: this.#name, operation, problem: error instanceof Error ? error.message : String(error) },
          'Razorpay Route answered with an unexpected shape',
        );
        throw new GatewayError('Payment gateway returned an unexpected response', 'unavailable');
      }
    }
  }
}
