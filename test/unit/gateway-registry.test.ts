import { describe, expect, it } from 'vitest';
import { GatewayRegistry, UnknownGatewayError } from '../../src/gateways/gateway.registry.js';
import { RazorpayGateway } from '../../src/gateways/razorpay/razorpay.gateway.js';

const razorpay = () => new RazorpayGateway({ keyId: 'rzp_test_registry', keySecret: 'key-secret', webhookSecrets: ['webhook-secret'], apiUrl: 'http://127.0.0.1:9' });

describe('GatewayRegistry', () => {
  it('finds a configured gateway by name and gives the default for new payments', () => {
    const gateway = razorpay();
    const registry = new GatewayRegistry([gateway], 'razorpay');
    expect(registry.get('razorpay')).toBe(gateway);
    expect(registry.default).toBe(gateway);
    expect(registry.all()).toEqual([gateway]);
    expect(registry.find('razorpay')).toBe(gateway);
  });

  it('refuses an unknown gateway, naming the known and the configured ones', () => {
    const registry = new GatewayRegistry([razorpay()], 'razorpay');
    expect(() => registry.get('stripe')).toThrow(UnknownGatewayError);
    expect(() => registry.get('stripe')).toThrow('unknown gateway "stripe": the gateways are razorpay, phonepe (configured: razorpay)');
    expect(registry.find('stripe')).toBeUndefined();
    // Not a prototype property, not another spelling.
    expect(registry.find('constructor')).toBeUndefined();
    expect(registry.find('Razorpay')).toBeUndefined();
  });

  it('refuses a known gateway that is not configured here', () => {
    const registry = new GatewayRegistry([razorpay()], 'razorpay');
    expect(() => registry.get('phonepe')).toThrow('gateway phonepe is not configured here (configured: razorpay)');
  });

  it('refuses a default that is not configured, and a gateway registered twice', () => {
    expect(() => new GatewayRegistry([razorpay()], 'phonepe')).toThrow('the default gateway phonepe is not among the configured ones (razorpay)');
    expect(() => new GatewayRegistry([razorpay(), razorpay()], 'razorpay')).toThrow('gateway razorpay is registered twice');
  });
});
