/** PhonePe's error answer: HTTP status and `{code, message, data}` (PHONEPE-FACTS §2). */
export class PhonePeSandboxError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PhonePeSandboxError';
  }

  toBody(): { code: string; message: string; data: Record<string, unknown> } {
    return { code: this.code, message: this.message, data: {} };
  }
}

export const badRequest = (message: string, code = 'BAD_REQUEST'): PhonePeSandboxError => new PhonePeSandboxError(400, code, message);
