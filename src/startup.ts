import { ConfigError } from './config.js';
import { StartupError } from './db/database.errors.js';
import { createLogger, type Logger } from './logger.js';

/**
 * What the process says while starting and when it cannot: one JSON line each (the same
 * logger as everything else, so a log shipper sees only JSON), plus the plain sentence on a
 * terminal, where a person is reading.
 */

/** The logger before the configuration is read: LOG_LEVEL if it is a level, else info. */
export function startupLogger(): Logger {
  const level = process.env.LOG_LEVEL;
  return createLogger(level && ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level) ? level : 'info');
}

export interface StartedFacts {
  url: string;
  database: string;
  gateway: string;
  subscriptions: string;
}

/**
 * The "serving" line, JSON through the logger at info whatever LOG_LEVEL says (short of
 * silent: it is the one line every operator looks for); the same sentence as plain text too
 * when standard output is a terminal.
 */
export function announceStart(logger: Logger, facts: StartedFacts): void {
  const hint = 'Get a development token: npm run token -- --user alice [--role admin]';
  const sentence = `Payment service on ${facts.url}/graphql — database: ${facts.database}; gateway: ${facts.gateway}; subscriptions: ${facts.subscriptions}.`;
  const announcer = logger.level === 'silent' ? logger : logger.child({}, { level: 'info' });
  announcer.info({ ...facts, graphql: `${facts.url}/graphql` }, sentence);
  if (process.stdout.isTTY) {
    // eslint-disable-next-line no-console -- the banner is for the person at the terminal
    console.log(`${sentence} ${hint}`);
  }
}

/**
 * Logs why the service could not start and returns the exit code: 78 (EX_CONFIG) for a bad
 * setting, 1 otherwise. A known failure (a bad setting, a StartupError, or one of the
 * `explained` classes, whose messages say why and what to do) is one sentence naming the
 * setting; anything else keeps its stack for whoever has to fix it.
 */
export function startupFailure(logger: Logger, error: unknown, explained: (abstract new (...args: never[]) => Error)[] = []): number {
  if (error instanceof ConfigError || error instanceof StartupError || explained.some((kind) => error instanceof kind)) {
    const setting = error instanceof StartupError ? error.setting : undefined;
    const { message } = error as Error;
    logger.fatal({ ...(setting ? { setting } : {}) }, `The payment service could not start: ${message}`);
    if (process.stderr.isTTY) console.error(`The payment service could not start: ${message}`);
    return error instanceof ConfigError ? 78 : 1;
  }
  logger.fatal({ err: error }, 'The payment service could not start');
  if (process.stderr.isTTY) console.error('The payment service could not start:', error);
  return 1;
}
