import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { contentSecurityPolicy } from '../../src/web/web.csp.js';

const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://db/payments',
  JWT_SECRET: 'x'.repeat(40),
  RAZORPAY_KEY_ID: 'rzp_live_abc',
  RAZORPAY_KEY_SECRET: 'secret',
  RAZORPAY_WEBHOOK_SECRET: 'whsecret',
};

describe('which pages are served', () => {
  it('all of them in development and test', () => {
    expect(loadConfig({}).web).toEqual({ shop: true, console: true, graphiql: true });
    expect(loadConfig({ NODE_ENV: 'test' }).web).toEqual({ shop: true, console: true, graphiql: true });
  });

  it('none in production unless enabled one by one', () => {
    expect(loadConfig(production).web).toEqual({ shop: false, console: false, graphiql: false });
    expect(loadConfig({ ...production, SHOP_ENABLED: 'true', CONSOLE_ENABLED: 'true' }).web).toEqual({ shop: true, console: true, graphiql: false });
    expect(() => loadConfig({ ...production, SHOP_ENABLED: 'yes' })).toThrow(/SHOP_ENABLED/);
  });
});

describe('contentSecurityPolicy', () => {
  it('lets the storefront load Razorpay Checkout only with live keys', () => {
    const live = contentSecurityPolicy('shop', { host: 'pay.example.com', liveCheckout: true });
    expect(live).toContain("script-src 'self' https://checkout.razorpay.com");
    expect(live).toContain('frame-src https://api.razorpay.com https://checkout.razorpay.com');
    expect(live).toContain("connect-src 'self' ws://pay.example.com wss://pay.example.com https://api.razorpay.com");
    expect(contentSecurityPolicy('shop', { host: 'pay.example.com', liveCheckout: false })).not.toContain('razorpay.com');
    expect(contentSecurityPolicy('console', { host: 'pay.example.com', liveCheckout: true })).not.toContain('razorpay.com');
  });

  it('adds no socket origin for a Host that is not a plain host[:port]', () => {
    expect(contentSecurityPolicy('console', { host: "evil.com 'unsafe-inline'", liveCheckout: false })).toContain("connect-src 'self';");
    expect(contentSecurityPolicy('console', { host: '127.0.0.1:4000', liveCheckout: false })).toContain("connect-src 'self' ws://127.0.0.1:4000 wss://127.0.0.1:4000;");
  });
});
