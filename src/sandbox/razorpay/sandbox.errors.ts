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
