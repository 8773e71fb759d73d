/**
 * The {@link Gateway} on PhonePe PG v2 (Standard Checkout), on the official `pg-sdk-node`
 * through phonepe.client.ts (per-adapter client, host, timeout, token cache, retries).
 *
 * What this file adds: the interface's operations in PhonePe's terms (ids: phonepe.ids.ts),
 * idempotent refunds keyed by `merchantRefundId`, constant-time callback checks and decoding
 * (phonepe.callbacks.ts), and INR only.
 */
import { randomBytes } from 'node:crypto';
import { MetaInfo, RefundRequest as SdkRefundRequest, StandardCheckoutPayRequest } from 'pg-sdk-node';
import {
  GatewayError,
  type CreateOrderRequest,
  type Gateway,
  type GatewayEvent,
  type GatewayOrder,
  type GatewayPayment,
  type GatewayRefund,
  type RefundRequest,
  type WebhookReceipt,
  type WebhookRequest,
} from '../gateway.js';
import { callbackAuthorization, isOrderEvent, isRefundEvent, receiveCallback } from './phonepe.callbacks.js';
import { PhonePeClient, type PhonePeClientOptions } from './phonepe.client.js';
import { assertAmount, assertInr, retryWhenTransient } from './phonepe.failures.js';
import { assertMerchantId, isMerchantId, newMerchantOrderId, parsePaymentId } from './phonepe.ids.js';
import {
  parseWireOrderStatus,
  parseWirePayResponse,
  parseWireRefundResponse,
  parseWireRefundStatus,
  PHONEPE_CURRENCY,
  toGatewayOrder,
  toGatewayPayment,
  toGatewayPayments,
  toGatewayRefund,
  toMetaInfo,
} from './phonepe.mappers.js';
import type { WireOrderStatus } from './phonepe.wire.js';

export type { GatewayLogger } from './phonepe.client.js';

export interface PhonePeGatewayOptions extends PhonePeClientOptions {
  /** The callback credentials set on PhonePe's dashboard. */
  webhookUsername: string;
  webhookPassword: string;
  /** Where PhonePe sends the customer back; `merchantOrderId=<order id>` is appended. Proves nothing. */
  redirectUrl: string;
  /** Order lifetime at PhonePe, 300–3600 s (PhonePe's range); default 1800. */
  orderExpirySeconds?: number;
}

export class PhonePeGateway implements Gateway {
  readonly name = 'phonepe' as const;
  /** PhonePe's client id: an identifier, not a secret (nothing is handed to a browser). */
  readonly keyId: string;
  readonly #client: PhonePeClient;
  readonly #callbackAuthorization: string;
  readonly #redirectUrl: string;
  readonly #expirySeconds: number;

  constructor(options: PhonePeGatewayOptions) {
    const { webhookUsername, webhookPassword } = options;
    if (!webhookUsername || !webhookPassword) throw new Error('PhonePeGateway needs the callback username and password');
    if (!URL.canParse(options.redirectUrl)) throw new Error('PhonePeGateway needs an absolute redirectUrl');
    const expiry = options.orderExpirySeconds ?? 1800;
    if (!Number.isSafeInteger(expiry) || expiry < 300 || expiry > 3600) throw new Error('orderExpirySeconds must be 300–3600 (PhonePe\'s range)');
    this.#client = new PhonePeClient(options);
    this.keyId = options.clientId;
    this.#callbackAuthorization = callbackAuthorization(webhookUsername, webhookPassword);
    this.#redirectUrl = options.redirectUrl;
    this.#expirySeconds = expiry;
  }

  /**
   * Starts a Standard Checkout payment: a fresh `merchantOrderId` (the order's id), amount in
   * paise, expiry, our redirect URL, the receipt and notes in `metaInfo`. The answer's
   * `redirectUrl` is PhonePe's page for the customer. INR only.
   */
  async createOrder(request: CreateOrderRequest): Promise<GatewayOrder> {
    assertInr(request.currency);
    assertAmount(request.amount, 'amount');
    const metaInfo = toMetaInfo(request.receipt, request.notes);
    const meta = MetaInfo.builder();
    if (metaInfo.udf1 !== undefined) meta.udf1(metaInfo.udf1);
    if (metaInfo.udf2 !== undefined) meta.udf2(metaInfo.udf2);
    if (metaInfo.udf3 !== undefined) meta.udf3(metaInfo.udf3);
    if (metaInfo.udf4 !== undefined) meta.udf4(metaInfo.udf4);
    if (metaInfo.udf5 !== undefined) meta.udf5(metaInfo.udf5);
    const builtMeta = meta.build();
    let merchantOrderId = '';
    // A fresh id per attempt, so a retry never collides with an order the lost answer made;
    // that stray order is never paid and expires, while failing the checkout would cost.
    const answer = await this.#client.call('createOrder', (sdk) => {
      merchantOrderId = newMerchantOrderId();
      const pay = StandardCheckoutPayRequest.builder()
        .merchantOrderId(merchantOrderId)
        .amount(request.amount)
        .expireAfter(this.#expirySeconds)
        .redirectUrl(this.#returnUrl(merchantOrderId))
        .metaInfo(builtMeta)
        .build();
      return sdk.pay(pay);
    }, parseWirePayResponse, retryWhenTransient);
    return {
      id: merchantOrderId,
      amount: request.amount,
      amountPaid: 0,
      amountDue: request.amount,
      currency: PHONEPE_CURRENCY,
      receipt: request.receipt,
      status: 'created',
      attempts: 0,
      notes: { ...request.notes, phonepe_order_id: answer.orderId },
      createdAt: new Date(),
      redirectUrl: answer.redirectUrl,
    };
  }

  /** The order's state at PhonePe, with every attempt. */
  async fetchOrder(orderId: string): Promise<GatewayOrder> {
    return toGatewayOrder(orderId, await this.#orderStatus(orderId));
  }

  /** One attempt, read through its order's status (PhonePe has no documented per-attempt read of ours). */
  async fetchPayment(paymentId: string): Promise<GatewayPayment> {
    const { merchantOrderId, transactionId } = parsePaymentId(paymentId);
    if (transactionId === null) throw new GatewayError(`No payment with id ${JSON.stringify(paymentId)} at PhonePe`, 'not_found');
    const status = await this.#orderStatus(merchantOrderId);
    const attempt = status.paymentDetails.find((a) => a.transactionId === transactionId);
    if (!attempt) throw new GatewayError(`No payment with id ${JSON.stringify(paymentId)} at PhonePe`, 'not_found');
    return toGatewayPayment(merchantOrderId, attempt);
  }

  /** Every attempt on the order, oldest first (order status with `details=true`). */
  async listOrderPayments(orderId: string): Promise<GatewayPayment[]> {
    return toGatewayPayments(orderId, await this.#orderStatus(orderId));
  }

  /**
   * PhonePe has no capture step: a COMPLETED attempt is already captured. So this confirms
   * it: the attempt for exactly `amount` is returned, anything else is refused.
   */
  async capturePayment(paymentId: string, amount: number, currency: string): Promise<GatewayPayment> {
    assertInr(currency);
    const payment = await this.fetchPayment(paymentId);
    if (payment.captured && payment.amount === amount) return payment;
    const why = payment.captured ? `its amount is ${payment.amount}, not ${amount}` : `it is ${payment.status === 'failed' ? 'FAILED' : 'still PENDING'} at PhonePe`;
    throw new GatewayError(`PhonePe payment cannot be captured: ${why} (PhonePe has no separate capture)`, 'rejected');
  }

  /**
   * Refunds `amount` of the payment's order. `merchantRefundId` is the idempotency key (or a
   * fresh id), so the call is retried like a read: a repeat PhonePe refuses as a duplicate is
   * answered with the refund the first one made, when it is the same refund.
   */
  async refundPayment(request: RefundRequest): Promise<GatewayRefund> {
    const { merchantOrderId } = parsePaymentId(request.paymentId);
    if (request.amount === undefined) throw new GatewayError('PhonePe needs the refund amount (it has no "refund the rest")', 'rejected');
    assertAmount(request.amount, 'amount');
    const merchantRefundId = request.idempotencyKey ?? `rf_${randomBytes(16).toString('hex')}`;
    if (!isMerchantId(merchantRefundId)) {
      throw new GatewayError('idempotencyKey must be 1–63 characters of A-Z a-z 0-9 _ - (it is PhonePe\'s merchantRefundId)', 'rejected');
    }
    const amount = request.amount;
    const sdkRequest = SdkRefundRequest.builder().merchantRefundId(merchantRefundId).originalMerchantOrderId(merchantOrderId).amount(amount).build();
    try {
      const answer = await this.#client.call('refundPayment', (sdk) => sdk.refund(sdkRequest), parseWireRefundResponse, retryWhenTransient);
      return toGatewayRefund(request.paymentId, merchantRefundId, answer, new Date());
    } catch (error) {
      if (!(error instanceof GatewayError) || error.kind !== 'rejected') throw error;
      const earlier = await this.#earlierRefund(request.paymentId, merchantRefundId);
      if (!earlier) throw error;
      if (earlier.amount !== amount || parsePaymentId(earlier.paymentId).merchantOrderId !== merchantOrderId) {
        throw new GatewayError(`merchantRefundId ${merchantRefundId} was already used for a different refund at PhonePe`, 'rejected', error.httpStatus, error.gatewayCode);
      }
      return earlier;
    }
  }

  /**
   * A refund by its `merchantRefundId`, only if it belongs to the payment's order (a refund of
   * another order is not found). `paymentId` may be a bare order id (refund callbacks name no
   * attempt): the answer then names the order's completed attempt.
   */
  async fetchRefund(paymentId: string, refundId: string): Promise<GatewayRefund> {
    const { merchantOrderId, transactionId } = parsePaymentId(paymentId);
    assertMerchantId('refund', refundId);
    const wire = await this.#client.call('fetchRefund', (sdk) => sdk.getRefundStatus(refundId), parseWireRefundStatus, retryWhenTransient);
    if (wire.originalMerchantOrderId !== merchantOrderId) throw new GatewayError(`No refund ${refundId} of payment ${paymentId} at PhonePe`, 'not_found');
    // Named by its order only (a refund callback): the payment is the order's completed attempt
    // (an order completes once), so the answer names the payment the service recorded.
    const owner = transactionId === null ? ((await this.listOrderPayments(merchantOrderId)).find((p) => p.captured)?.id ?? paymentId) : paymentId;
    return toGatewayRefund(owner, wire.merchantRefundId, wire, new Date());
  }

  /** PhonePe gives the browser nothing signed: confirmation is the order status, never the redirect. */
  verifyCheckoutSignature(): boolean {
    return false;
  }

  receiveWebhook(request: WebhookRequest): WebhookReceipt {
    return receiveCallback(this.#callbackAuthorization, request);
  }

  /**
   * Order callbacks become the latest attempt as a payment, refund callbacks a refund (whose
   * `paymentId` is the bare order id: the callback names no attempt). Always `trusted: false`.
   * An order callback with no attempt (an order that expired unpaid) is `other`: nothing to act
   * on. Throws, naming the fields, on a payload that does not read.
   */
  decodeWebhook(eventType: string, payload: Record<string, unknown>): GatewayEvent {
    if (isOrderEvent(eventType)) {
      const order = parseWireOrderStatus(payload);
      if (order.merchantOrderId === undefined) throw new Error('Invalid PhonePe order callback: merchantOrderId: missing');
      const latest = toGatewayPayments(order.merchantOrderId, order).at(-1);
      if (!latest) return { kind: 'other', type: eventType };
      return { kind: 'payment', type: eventType, payment: latest, trusted: false };
    }
    if (isRefundEvent(eventType)) {
      const refund = parseWireRefundStatus(payload);
      return {
        kind: 'refund',
        type: eventType,
        refund: toGatewayRefund(refund.originalMerchantOrderId, refund.merchantRefundId, refund, new Date()),
        trusted: false,
      };
    }
    return { kind: 'other', type: eventType };
  }

  #returnUrl(merchantOrderId: string): string {
    const url = new URL(this.#redirectUrl);
    url.searchParams.set('merchantOrderId', merchantOrderId);
    return url.toString();
  }

  async #orderStatus(merchantOrderId: string): Promise<WireOrderStatus> {
    assertMerchantId('order', merchantOrderId);
    return this.#client.call('orderStatus', (sdk) => sdk.getOrderStatus(merchantOrderId, true), parseWireOrderStatus, retryWhenTransient);
  }

  /** The refund a duplicate `merchantRefundId` refers to, or null when there is none. */
  async #earlierRefund(paymentId: string, merchantRefundId: string): Promise<GatewayRefund | null> {
    try {
      const wire = await this.#client.call('fetchRefund', (sdk) => sdk.getRefundStatus(merchantRefundId), parseWireRefundStatus, retryWhenTransient);
      const { merchantOrderId } = parsePaymentId(paymentId);
      const owner = wire.originalMerchantOrderId === merchantOrderId ? paymentId : wire.originalMerchantOrderId;
      return toGatewayRefund(owner, wire.merchantRefundId, wire, new Date());
    } catch (error) {
      if (error instanceof GatewayError && error.kind === 'not_found') return null;
      throw error;
    }
  }
}
