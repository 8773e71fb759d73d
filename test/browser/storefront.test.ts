/**
 * The storefront in Chromium against the real service (its own database, the sandbox over
 * HTTP): a two-product cart through the sandbox's Checkout, a wallet top-up then a wallet
 * checkout, and a failed payment leaving the cart payable. The Checkout modal is driven with
 * the keyboard where a person could. And a cart paid with PhonePe: to the sandbox's hosted
 * page and back, where confirmPayment (not the return) decides.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCatalog } from '../../src/catalog/catalog.seed.js';
import { createLogger } from '../../src/logger.js';
import { PaymentEvent, PaymentEventType } from '../../src/payments/payment-event.entity.js';
import { PaymentsDocument } from '../graphql/generated.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';
import { BROWSER_TEST_TIMEOUT_MS, useBrowser } from './browser.js';
import { addToCart, checkoutModal, paymentStatus, signInCustomer } from './shop.js';

let server: TestServer;
const browser = useBrowser();

beforeAll(async () => {
  server = await startTestServer();
  browser.origin = server.url;
  await seedCatalog(server.db.orm, createLogger('silent'));
});

afterAll(async () => {
  await server?.close();
});

async function paymentsOf(userId: string) {
  const response = await server.gql(PaymentsDocument, { first: 10 }, await server.token(userId));
  return response.data?.payments.edges.map((e) => e.node) ?? [];
}

describe('storefront', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  it('buys a two-product cart through the sandbox Checkout (keyboard) and shows the booking', async () => {
    const page = await browser.page();
    await signInCustomer(page, server.url, 'buyer-1');
    await addToCart(page, 'Bathroom cleaning', '₹599.00');
    await addToCart(page, 'Microfibre cloth pack', '₹948.00');

    await page.getByRole('button', { name: 'Pay with Razorpay' }).click();
    const modal = checkoutModal(page);
    await expect.poll(() => modal.getByTestId('rzp-amount').textContent()).toBe('₹948.00');
    // Focus starts on "Pay with UPI": Enter pays, as with Razorpay's own modal.
    await expect.poll(() => page.evaluate('document.activeElement?.textContent')).toBe('Pay with UPI');
    await page.keyboard.press('Enter');

    await page.locator('#booking-reference').waitFor();
    const booking = await page.locator('#booking').textContent();
    expect(booking).toContain('Bathroom cleaning');
    expect(booking).toContain('Microfibre cloth pack');
    expect(booking).toContain('₹948.00');
    await paymentStatus(page, 'CAPTURED').waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Pay with Razorpay' }).isDisabled()).toBe(true);

    const [payment] = await paymentsOf('buyer-1');
    expect(payment).toMatchObject({ status: 'CAPTURED', amount: 94_800, purpose: 'CART' });
  });

  it('tops up the wallet through Checkout, then pays a cart from the wallet', async () => {
    const page = await browser.page();
    await signInCustomer(page, server.url, 'wallet-1');
    await page.getByLabel('Top-up amount (₹)').fill('1,500');
    await page.getByRole('button', { name: 'Top up' }).click();
    await checkoutModal(page).getByRole('button', { name: 'Pay with card' }).click();
    await page.locator('#wallet-balance', { hasText: '₹1,500.00' }).waitFor();

    await addToCart(page, 'Maths tutoring (1 hour)', '₹800.00');
    await page.getByRole('button', { name: 'Pay from wallet' }).click();
    await page.locator('#booking-reference').waitFor();
    await page.locator('#wallet-balance', { hasText: '₹700.00' }).waitFor();

    const payments = await paymentsOf('wallet-1');
    expect(payments.map((p) => [p.purpose, p.status, p.amount])).toEqual([
      ['CART', 'CAPTURED', 80_000],
      ['WALLET_TOPUP', 'CAPTURED', 150_000],
    ]);
  });

  it('a failed payment leaves the cart payable again, and paying again books it', async () => {
    const page = await browser.page();
    await signInCustomer(page, server.url, 'fail-1');
    await addToCart(page, 'Bathroom cleaning', '₹599.00');
    await page.getByRole('button', { name: 'Pay with Razorpay' }).click();
    const modal = checkoutModal(page);
    await modal.getByRole('button', { name: 'Fail payment' }).click();
    await modal.getByText(/Payment failed/).waitFor();
    await page.keyboard.press('Escape');
    await expect(modal.count()).resolves.toBe(0);

    await page.locator('#announcer', { hasText: 'Payment failed' }).waitFor();
    await paymentStatus(page, 'FAILED').waitFor();
    await page.locator('#cart-status[data-cart-status="ACTIVE"]').waitFor({ state: 'attached' });
    await expect.poll(() => page.getByRole('button', { name: 'Pay with Razorpay' }).isEnabled()).toBe(true);

    await page.getByRole('button', { name: 'Pay with Razorpay' }).click();
    await checkoutModal(page).getByRole('button', { name: 'Pay with UPI' }).click();
    await page.locator('#booking-reference').waitFor();
    const statuses = await eventually(async () => {
      const list = (await paymentsOf('fail-1')).map((p) => p.status);
      return list.length === 2 ? list : null;
    }, 10_000, 'both payments listed');
    expect(statuses).toEqual(['CAPTURED', 'FAILED']);
  });

  it('pays a cart with PhonePe: the sandbox page, back to the shop, confirmPayment decides (gone back unpaid first)', async () => {
    const page = await browser.page();
    await signInCustomer(page, server.url, 'phonepe-1');
    await addToCart(page, 'Bathroom cleaning', '₹599.00');
    await page.getByLabel('PhonePe').check();
    const payButton = page.getByRole('button', { name: 'Pay with PhonePe' });

    // To PhonePe's page and straight back: the return alone pays nothing.
    await payButton.click();
    await page.waitForURL(/\/sandbox\/phonepe\/pay\/mo_[0-9a-f]{24}$/);
    await page.getByRole('button', { name: 'Go back without paying' }).click();
    await page.waitForURL(`${server.url}/shop/`);
    await page.locator('#announcer', { hasText: 'Not paid yet' }).waitFor();
    expect((await paymentsOf('phonepe-1')).map((p) => p.status)).toEqual(['CREATED']);

    // Again (the same order, resumed), and paid; PhonePe's callback is lost on the way, so
    // only the shop's confirmPayment can tell the service.
    await expect.poll(() => payButton.isEnabled()).toBe(true);
    server.app.phonepeSandbox!.setFaults({ callbacks: { dropNext: 1 } });
    await payButton.click();
    await page.getByRole('button', { name: 'Pay (success)' }).click();
    await page.locator('#booking-reference').waitFor();
    expect(await page.locator('#booking').textContent()).toContain('₹599.00');
    await paymentStatus(page, 'CAPTURED').waitFor();
    server.app.phonepeSandbox!.resetFaults();

    const payments = await paymentsOf('phonepe-1');
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ status: 'CAPTURED', amount: 59_900, purpose: 'CART' });
    const changes = await server.db.orm.em.fork().find(PaymentEvent, { payment: payments[0]!.id, type: PaymentEventType.STATUS_CHANGED });
    expect(changes.map((c) => [c.toStatus, c.source])).toEqual([['CAPTURED', 'api:confirmPayment']]);
  });
});
