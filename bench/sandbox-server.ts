import 'reflect-metadata';
import express from 'express';
import { createLogger } from '../src/logger.js';
import { createSandboxRouter } from '../src/sandbox/razorpay/index.js';

/**
 * The Razorpay sandbox as its own process, so that `npm run bench` measures the service the way
 * production runs it: its gateway remote, reached over HTTP (RAZORPAY_MODE=live,
 * RAZORPAY_API_URL=<this>/sandbox/razorpay), not a test double sharing its CPU time.
 * Env: SANDBOX_PORT, DATABASE_URL, SERVICE_WEBHOOK_URL, RAZORPAY_KEY_ID/SECRET, RAZORPAY_WEBHOOK_SECRET.
 */
const logger = createLogger('warn');
const router = await createSandboxRouter({
  keyId: process.env.RAZORPAY_KEY_ID!,
  keySecret: process.env.RAZORPAY_KEY_SECRET!,
  webhookSecret: process.env.RAZORPAY_WEBHOOK_SECRET!,
  webhookUrl: () => process.env.SERVICE_WEBHOOK_URL!,
  databaseUrl: process.env.DATABASE_URL!,
  logger,
});
const app = express();
app.get('/healthz', (_req, res) => void res.json({ ok: true }));
app.use('/sandbox/razorpay', router);
const server = app.listen(Number(process.env.SANDBOX_PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  void router.sandbox.close().finally(() => server.close(() => process.exit(0)));
});
