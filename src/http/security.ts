import cors from 'cors';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { Config } from '../config.js';

/**
 * Security headers for every answer (helmet): a CSP that allows nothing (this API serves JSON;
 * a page of our own sets its own CSP on its route), no framing, no MIME sniffing, HSTS.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
    },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    frameguard: { action: 'deny' },
  });
}

/** CORS for /graphql from `CORS_ORIGINS` (any origin only outside production; see config.ts). */
export function graphqlCors(config: Pick<Config, 'corsOrigins'>): RequestHandler {
  return cors({
    origin: config.corsOrigins === '*' ? '*' : config.corsOrigins,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['content-type', 'authorization', 'x-request-id', 'apollo-require-preflight'],
    maxAge: 600,
  });
}
