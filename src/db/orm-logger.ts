import { DefaultLogger, type LogContext, type LoggerNamespace, type LoggerOptions } from '@mikro-orm/core';
import type { Logger } from '../logger.js';

/**
 * MikroORM's log lines (the migrator's "Processing …"/"Applied …", queries when debugging) as
 * JSON through the service's pino logger, instead of coloured text on standard output that a
 * log shipper would split wrongly. Which namespaces are on is still MikroORM's decision.
 */
class PinoOrmLogger extends DefaultLogger {
  constructor(options: LoggerOptions, private readonly pino: Logger) {
    super(options);
  }

  override log(namespace: LoggerNamespace | string, message: string, context?: LogContext): void {
    if (!this.isEnabled(namespace as LoggerNamespace, context)) return;
    const fields = { component: 'mikro-orm', namespace, ...(context?.label ? { label: context.label } : {}) };
    const text = message.replace(/\n/g, ' ').replace(/ +/g, ' ').trim();
    if (context?.level === 'error') this.pino.error(fields, text);
    else if (context?.level === 'warning') this.pino.warn(fields, text);
    else this.pino.info(fields, text);
  }

  override logQuery(context: LogContext & { query: string }): void {
    if (!this.isEnabled('query', context)) return;
    this.pino.debug({ component: 'mikro-orm', namespace: 'query', took: context.took, results: context.results, affected: context.affected }, context.query);
  }
}

/** A MikroORM `loggerFactory` writing through `pino`. */
export function pinoOrmLogger(pino: Logger): (options: LoggerOptions) => DefaultLogger {
  return (options) => new PinoOrmLogger(options, pino);
}
