/** Razorpay's error bodies, so the adapter meets the same shapes it meets in production. */
import type { WireErrorBody } from '../../gateways/razorpay/razorpay.wire.js';

/** A request the sandbox refuses; rendered as Razorpay's `{error:{…}}` body with `status`. */
export class SandboxApiError extends Error {
  constructor(
    readonly status: number,
    description: string,
    readonly field: string | null = null,
    readonly code: string = status >= 500 ? 'SERVER_ERROR' : 'BAD_REQUEST_ERROR',
  ) {
    super(description);
    this.name = 'SandboxApiError';
  }

  /** Razorpay's body: validation failures name the field and say `input_validation_failed`. */
  toBody(): WireErrorBody {
    const validation = this.field !== null;
    return {
      error: {
        code: this.code,
        description: this.message,
        source: validation ? 'business' : 'NA',
        step: validation ? 'payment_initiation' : 'NA',
        reason: validation ? 'input_validation_failed' : 'NA',
        metadata: {},
        ...(validation && { field: this.field }),
      },
    };
  }
}

/** Razorpay answers an unknown id with this exact description. */
export function notFound(): SandboxApiError {
  return new SandboxApiError(404, 'The id provided does not exist');
}

/** A 400 that names the offending field, like Razorpay's input validation. */
export function invalid(field: string, description: string): SandboxApiError {
  return new SandboxApiError(400, description, field);
}

const SAFE_FIELD = /^[A-Za-z0-9_.-]{1,64}$/;

/** A field name the client sent, echoed only when it looks like one (errors never reflect input). */
export function fieldName(name: string): string {
  return SAFE_FIELD.test(name) ? name : '(a field)';
}

/** The first problem zod found in a sandbox body, as Razorpay's 400 naming the field. */
export function invalidBody(issue: { code: string; path: PropertyKey[]; message: string; keys?: string[] }): SandboxApiError {
  if (issue.code === 'unrecognized_keys' && issue.keys?.length) {
    const keys = issue.keys.map(fieldName);
    return invalid(keys[0]!, `${keys.join(', ')} is/are not required and should not be sent`);
  }
  const field = fieldName(issue.path.map(String).join('.') || 'body');
  return invalid(field, `${field}: ${issue.message}`);
}
