import express, { type Express, type RequestHandler } from 'express';
import type { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import type { MikroORM } from '@mikro-orm/postgresql';
import { authenticate } from '../auth/auth.js';
import type { Config } from '../config.js';
import { sendErrorAnswer } from '../http/error-answers.js';
import { graphqlCors } from '../http/security.js';
import type { Services } from '../services.js';
import type { OperationBudget } from './budget.js';
import type { Context } from './context.js';
import { findUnstorableText, unstorableTextError } from './limits.js';
import { createLoaders } from './loaders.js';
import { acceptsOnlyLegacyJson } from './status.plugin.js';

/** The largest JSON body /graphql reads; a bigger one is answered 413 before it is parsed. */
const MAX_BODY = '100kb';

/** Counts the request against its IP's budget before its body is even read. */
function ipBudget(budget: OperationBudget): RequestHandler {
  return async (req, res, next) => {
    if (req.method === 'OPTIONS') return next();
    const retryAfter = await budget.forIp(req.ip ?? 'unknown');
    if (retryAfter === null) return next();
    res.setHeader('retry-after', String(retryAfter));
    sendErrorAnswer(req, res, { status: 429, code: 'RATE_LIMITED', message: budget.tooMany(retryAfter).message });
  };
}

/** A request carrying text PostgreSQL cannot store (NUL, lone surrogates) anywhere is refused before Apollo sees it (see limits.ts). */
const refuseNulCharacters: RequestHandler = (req, res, next) => {
  const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as { query?: unknown; variables?: unknown; operationName?: unknown };
  const found = findUnstorableText(body.query, 'query') ?? findUnstorableText(body.operationName, 'operationName') ??
    findUnstorableText(body.variables, '') ?? findUnstorableText(req.query, 'query');
  if (!found) return next();
  const error = unstorableTextError(found);
  res.status(acceptsOnlyLegacyJson(req.get('accept')) ? 200 : 400).json({ errors: [{ message: error.message, extensions: { code: 'BAD_USER_INPUT', field: error.extensions.field } }] });
};

/**
 * POST/GET /graphql over HTTP: CORS from the allow-list, the per-IP budget, a bounded JSON
 * body, then Apollo — whose context counts the signed-in user's budget (429 when spent).
 */
export function mountGraphQLHttp(app: Express, deps: { apollo: ApolloServer<Context>; config: Config; services: Services; orm: MikroORM; budget: OperationBudget }): void {
  const { config, budget } = deps;
  app.use(
    '/graphql',
    graphqlCors(config),
    ipBudget(budget),
    express.json({ limit: MAX_BODY }),
    refuseNulCharacters,
    expressMiddleware(deps.apollo, {
      context: async ({ req, res }) => {
        const auth = await authenticate(req.get('authorization'), config.jwtSecret);
        if (auth.user) {
          const retryAfter = await budget.forUser(auth.user.id);
          if (retryAfter !== null) throw budget.tooMany(retryAfter);
        }
        return { auth, services: deps.services, loaders: createLoaders(deps.orm), requestId: String(res.locals.requestId) };
      },
    }),
  );
}
