/**
 * Serves the sandbox's stand-in for Razorpay's checkout.js at `/sandbox/razorpay/checkout.js`:
 * the same `new Razorpay(options).open()`, `handler`, `modal.ondismiss` and `payment.failed`,
 * paying through this sandbox's `/checkout/pay`, so a page runs unchanged against both.
 * Its source is checkout.browser.ts, built with the pages (`npm run build`, web/vite.config.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';
import { webDistDir } from '../../../web/web.assets.js';

export function createCheckoutJsRouter(distDir: string = webDistDir()): Router {
  const router = express.Router();
  const file = path.join(distDir, 'sandbox', 'checkout.js');
  router.get('/checkout.js', (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    if (!existsSync(file)) {
      res.status(503).type('text/plain').send('The sandbox checkout.js is not built: run `npm run build`.');
      return;
    }
    res.type('text/javascript').sendFile(file);
  });
  return router;
}
