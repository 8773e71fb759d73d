/**
 * The browser pages, served by the same Express app: the storefront (/shop), the operator
 * console (/console) and GraphiQL (GET /graphql from a browser), each with its own Content
 * Security Policy; their hashed assets under /static/ are cached for a year, the pages
 * themselves are revalidated on every visit. Which pages are on is configuration (off in
 * production unless enabled).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { signToken } from '../auth/auth.js';
import type { Config } from '../config.js';
import { contentSecurityPolicy, type Page } from './web.csp.js';
import { webDistDir } from './web.assets.js';

const DEMO_TOKEN_TTL = '8h';
const demoSessionSchema = z.strictObject({
  userId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1 to 64 letters, digits, dots, dashes or underscores'),
});

export interface WebRouterOptions {
  config: Config;
  /** Defaults to dist/web; tests may point elsewhere. */
  distDir?: string;
}

/** What the storefront needs to know before it can open Checkout. */
export interface ShopSettings {
  mode: 'sandbox' | 'live';
  /** Razorpay's checkout.js, or the sandbox's stand-in with the same options and callbacks. */
  checkoutScript: string;
  /** Sandbox only: the page may sign in a demo customer by id. */
  demoSignIn: boolean;
  /** The gateways the shopper may choose at checkout, the default first. */
  gateways: ('RAZORPAY' | 'PHONEPE')[];
}

export function createWebRouter({ config, distDir = webDistDir() }: WebRouterOptions): Router {
  const router = express.Router();
  const sandbox = config.razorpay.mode === 'sandbox';
  const built = existsSync(path.join(distDir, 'shop', 'index.html'));

  const sendPage = (page: Page) => (req: Request, res: Response) => {
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(page, { host: req.get('host'), liveCheckout: !sandbox }));
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (!built) {
      res.status(503).type('text/plain').send('The pages are not built: run `npm run build` (npm start does it).');
      return;
    }
    res.sendFile(path.join(distDir, page, 'index.html'));
  };

  if (config.web.shop || config.web.console || config.web.graphiql) {
    // Vite names every asset by its content hash: a changed file is a new URL.
    router.use('/static', express.static(path.join(distDir, 'static'), {
      immutable: true,
      maxAge: '365d',
      index: false,
      fallthrough: false,
    }));
  }

  if (config.web.shop) {
    router.get(['/shop', '/shop/'], sendPage('shop'));
    router.get('/shop/settings.json', (_req, res) => {
      const settings: ShopSettings = {
        mode: sandbox ? 'sandbox' : 'live',
        checkoutScript: sandbox ? '/sandbox/razorpay/checkout.js' : 'https://checkout.razorpay.com/v1/checkout.js',
        demoSignIn: sandbox,
        gateways: shopGateways(config),
      };
      res.setHeader('Cache-Control', 'no-cache');
      res.json(settings);
    });
    if (sandbox) {
      // The sandbox's demo sign-in: a customer token for any id, so anyone can try a checkout.
      // Never in live mode (and production refuses the sandbox).
      router.post('/shop/demo-session', express.json({ limit: '1kb' }), async (req, res) => {
        const parsed = demoSessionSchema.safeParse(req.body ?? {});
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          const field = issue.path.map(String).join('.') || 'body';
          res.status(400).json({ error: { field, message: `${field}: ${issue.message}` } });
          return;
        }
        const token = await signToken({ id: parsed.data.userId, role: 'customer' }, config.jwtSecret, DEMO_TOKEN_TTL);
        res.setHeader('Cache-Control', 'no-store');
        res.json({ token, userId: parsed.data.userId, role: 'customer' });
      });
    }
  }

  if (config.web.console) router.get(['/console', '/console/'], sendPage('console'));

  if (config.web.graphiql) {
    // A browser asking for /graphql gets GraphiQL; every GraphQL request (POST, or GET with a
    // query, or asking for JSON) goes on to the API.
    // Middleware rather than a GET route: Express answers OPTIONS itself for a path that has
    // routes, which would swallow the CORS preflight of /graphql before the API's CORS sees it.
    router.use('/graphql', (req, res, next) => {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || req.path !== '/') return next();
      const preferred = req.accepts(['application/json', 'application/graphql-response+json', 'text/html']);
      if (req.query.query !== undefined || preferred !== 'text/html') return next();
      sendPage('graphiql')(req, res);
    });
  }
  return router;
}

/** The gateways on offer, the configured default first (PhonePe only when it is enabled). */
function shopGateways(config: Config): ShopSettings['gateways'] {
  const offered: ShopSettings['gateways'] = config.phonepe.enabled ? ['RAZORPAY', 'PHONEPE'] : ['RAZORPAY'];
  const first = config.defaultGateway === 'phonepe' && config.phonepe.enabled ? 'PHONEPE' : 'RAZORPAY';
  return [first, ...offered.filter((g) => g !== first)];
}
