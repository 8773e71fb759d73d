import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from '../logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Context } from './context.js';
import { errorCode } from './errors.js';

const NO_CODES: readonly string[] = [];

/**
 * One log line per GraphQL operation: request id, operation, caller, duration and the error
 * codes returned — what an operator needs to follow a request (variables are never logged);
 * the codes are also counted for /metrics.
 */
export function operationLogging(logger: Logger, metrics: Metrics): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operationName, operation, errors }) {
          const codes = errors?.length ? errors.map(errorCode) : NO_CODES;
          for (const code of codes) metrics.graphqlErrors.inc({ code });
          const level = codes.includes('INTERNAL_SERVER_ERROR') ? 'error' : 'info';
          // At LOG_LEVEL=warn (production) a successful operation's line is never written: skip building it.
          if (!logger.isLevelEnabled(level)) return;
          logger[level]({
            requestId: contextValue.requestId,
            operation: operationName ?? operation?.operation ?? 'unknown',
            userId: contextValue.auth.user?.id ?? null,
            ms: Number((process.hrtime.bigint() - started) / 1_000_000n),
            errors: codes.length ? codes : undefined,
          }, 'graphql operation');
        },
      };
    },
  };
}
