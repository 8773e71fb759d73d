/**
 * HTTP for the sandbox's Route onboarding: the `/v2/accounts…` paths the adapter uses (basic
 * auth and fault knobs like `/v1`), each body checked the way Razorpay documents it, and the
 * control endpoints for the activation knob.
 */
import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import { invalidBody } from './sandbox.errors.js';
import { routeKnobsSchema, type SandboxRoute } from './sandbox.route.js';

const address = z.strictObject({
  street1: z.string().min(1).max(100),
  street2: z.string().min(1).max(100),
  city: z.string().min(1).max(100),
  state: z.string().min(2).max(100),
  postal_code: z.string().regex(/^[0-9]{6}$/, 'must be 6 digits'),
  country: z.string().regex(/^[A-Za-z]{2}$/, 'must be a 2-letter country code'),
});

const accountCreate = z.strictObject({
  email: z.email(),
  phone: z.string().regex(/^\+?[0-9]{8,15}$/, 'must be 8 to 15 digits'),
  type: z.literal('route'),
  reference_id: z.string().max(512).optional(),
  legal_business_name: z.string().min(4).max(200),
  business_type: z.string().min(1),
  contact_name: z.string().min(1).max(255),
  customer_facing_business_name: z.string().optional(),
  profile: z.strictObject({ category: z.string().min(1), subcategory: z.string().min(1), addresses: z.strictObject({ registered: address }) }),
  legal_info: z.record(z.string(), z.string()).optional(),
  notes: z.record(z.string(), z.string()).optional(),
});

const stakeholderCreate = z.strictObject({
  name: z.string().min(1).max(255),
  email: z.email(),
  kyc: z.strictObject({ pan: z.string().regex(/^[A-Z]{3}P[A-Z][0-9]{4}[A-Z]$/, "must be a person's PAN") }),
  phone: z.record(z.string(), z.string()).optional(),
  notes: z.record(z.string(), z.string()).optional(),
});

const productRequest = z.strictObject({ product_name: z.literal('route'), tnc_accepted: z.literal(true) });

const productPatch = z.strictObject({
  settlements: z.strictObject({
    account_number: z.string().regex(/^[0-9]{5,20}$/, 'must be 5 to 20 digits'),
    ifsc_code: z.string().regex(/^[A-Z]{4}0[A-Z0-9]{6}$/, 'must be a valid IFSC'),
    beneficiary_name: z.string().min(1).max(120),
  }),
  tnc_accepted: z.literal(true),
});

const settleProduct = z.strictObject({ status: z.enum(['activated', 'needs_clarification', 'suspended']) });

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  throw invalidBody(result.error.issues[0]!);
}

/** Mounts `/v2/accounts…` behind `authorize` and `faults`, and `/control/route…`. */
export function mountRouteRoutes(router: Router, route: SandboxRoute, authorize: RequestHandler, faults: RequestHandler): void {
  router.use('/v2', authorize, faults);
  router.post('/v2/accounts', async (req, res) => {
    res.json(await route.createAccount(parse(accountCreate, req.body)));
  });
  router.get('/v2/accounts/:acc', async (req, res) => {
    res.json(await route.account(req.params.acc));
  });
  router.post('/v2/accounts/:acc/stakeholders', async (req, res) => {
    res.json(await route.createStakeholder(req.params.acc, parse(stakeholderCreate, req.body)));
  });
  router.get('/v2/accounts/:acc/stakeholders', async (req, res) => {
    res.json(await route.stakeholders(req.params.acc));
  });
  router.post('/v2/accounts/:acc/products', async (req, res) => {
    parse(productRequest, req.body);
    res.json(await route.requestProduct(req.params.acc));
  });
  router.get('/v2/accounts/:acc/products/:prd', async (req, res) => {
    res.json(await route.product(req.params.acc, req.params.prd));
  });
  router.patch('/v2/accounts/:acc/products/:prd', async (req, res) => {
    const { settlements } = parse(productPatch, req.body);
    res.json(await route.submitSettlements(req.params.acc, req.params.prd, settlements));
  });

  router.post('/control/route', (req, res) => {
    res.json(route.setKnobs(parse(routeKnobsSchema, req.body)));
  });
  router.post('/control/route/products/:prd/settle', async (req, res) => {
    res.json(await route.settleProduct(req.params.prd, parse(settleProduct, req.body).status));
  });
}
