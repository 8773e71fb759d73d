/**
 * The requests the sandbox accepts, checked with PhonePe's documented rules (PHONEPE-FACTS §2),
 * answering PhonePe's 400 body naming the field on failure.
 */
import { z } from 'zod';
import { badRequest } from './sandbox.errors.js';

const merchantId = z.string().regex(/^[A-Za-z0-9_-]{1,63}$/, 'at most 63 characters of A-Z a-z 0-9 _ -');
const paise = z.number().int().min(100, 'at least 100 paise').max(Number.MAX_SAFE_INTEGER);
const longUdf = z.string().max(256, 'at most 256 characters');
const shortUdf = z.string().regex(/^[A-Za-z0-9_\-+@.]{0,50}$/, 'at most 50 characters of A-Z a-z 0-9 _ - + @ .');

const metaInfo = z.strictObject({
  udf1: longUdf.optional(), udf2: longUdf.optional(), udf3: longUdf.optional(), udf4: longUdf.optional(), udf5: longUdf.optional(),
  udf6: longUdf.optional(), udf7: longUdf.optional(), udf8: longUdf.optional(), udf9: longUdf.optional(), udf10: longUdf.optional(),
  udf11: shortUdf.optional(), udf12: shortUdf.optional(), udf13: shortUdf.optional(), udf14: shortUdf.optional(), udf15: shortUdf.optional(),
});

const payRequest = z.looseObject({
  merchantOrderId: merchantId,
  amount: paise,
  expireAfter: z.number().int().min(300).max(3600).optional(),
  metaInfo: metaInfo.optional(),
  paymentFlow: z.looseObject({
    type: z.literal('PG_CHECKOUT'),
    message: z.string().optional(),
    merchantUrls: z.looseObject({ redirectUrl: z.string().url() }),
  }),
  disablePaymentRetry: z.boolean().optional(),
});

const refundRequest = z.looseObject({
  merchantRefundId: merchantId,
  originalMerchantOrderId: merchantId,
  amount: paise,
});

const tokenForm = z.looseObject({
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  client_version: z.string().regex(/^\d+$/),
  grant_type: z.literal('client_credentials'),
});

export type PayRequest = z.infer<typeof payRequest>;
export type RefundRequest = z.infer<typeof refundRequest>;
export type TokenForm = z.infer<typeof tokenForm>;

function read<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.map(String).join('.') || 'body';
  throw badRequest(`${field}: ${issue.message}`, 'INVALID_REQUEST');
}

export const readPayRequest = (body: unknown): PayRequest => read(payRequest, body);
export const readRefundRequest = (body: unknown): RefundRequest => read(refundRequest, body);
export function readTokenForm(body: unknown): TokenForm {
  const result = tokenForm.safeParse(body ?? {});
  if (!result.success) throw badRequest('client_id, client_secret, client_version and grant_type=client_credentials are required', 'INVALID_CLIENT');
  return result.data;
}

/** The SDK sends `details=false&details=false` (PHONEPE-FACTS §4): any `true` among repeats counts. */
export function queryFlag(value: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  return values.some((v) => v === 'true');
}

export const outcomeSchema = z.strictObject({
  outcome: z.enum(['success', 'failure', 'pending', 'abandon']),
  paymentMode: z.enum(['UPI_INTENT', 'UPI_COLLECT', 'UPI_QR', 'CARD', 'NET_BANKING']).optional(),
});
export type Outcome = z.infer<typeof outcomeSchema>;

export function readOutcome(body: unknown): Outcome {
  return read(outcomeSchema, body);
}
