import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs; secrets, tokens and signatures are redacted wherever they appear. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'payments' },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-razorpay-signature"]',
        '*.authorization',
        '*.razorpaySignature',
        '*.razorpay_signature',
        '*.keySecret',
        '*.webhookSecret',
        '*.password',
        '*.token',
      ],
      censor: '[redacted]',
    },
  });
}
