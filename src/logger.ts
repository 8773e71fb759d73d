import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { currentRequestId } from './observability/request-context.js';

export type { Logger };

/**
 * Structured JSON logs; secrets, tokens and signatures are redacted wherever they appear.
 * `pretty` (development, LOG_FORMAT=pretty) formats them for people through pino-pretty in a
 * worker thread, so the process's own shutdown lines are never lost to a closed pipe.
 */
export function createLogger(level: string, destination?: DestinationStream, format: 'json' | 'pretty' = 'json'): Logger {
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
  if (format === 'pretty') return pino({ ...options, transport: { target: 'pino-pretty', options: { singleLine: true } } });
  return destination ? pino(options, destination) : pino(options);
}
