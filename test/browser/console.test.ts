/**
 * The operator console beside a customer's storefront, both in Chromium against one service:
 * the operator sees the customer's payment arrive live, refunds part of it (the confirmation
 * shows what remains refundable), and the customer's page shows PARTIALLY_REFUNDED without
 * reloading. Then the housekeeping panels, and GraphiQL served offline.
 */
import 'reflect-metadata';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCatalog } from '../../src/catalog/catalog.seed.js';
import { createLogger } from '../../src/logger.js';
import { PaymentDocument } from '../graphql/generated.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
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

async function openConsole(): Promise<Page> {
  const page = await browser.page();
  await page.goto(`${server.url}/console`);
  await page.getByLabel('Admin bearer token').fill(await server.token('ops-1', 'admin'));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#live[data-status="connected"]').waitFor();
  await page.locator('#announcer', { hasText: 'Signed in.' }).waitFor();
  return page;
}

/** Marks a page so a reload (which would clear the mark) is detected. */
async function markNoReload(page: Page): Promise<() => Promise<boolean>> {
  await page.evaluate('window.stillHere = true');
  return async () => (await page.evaluate('window.stillHere === true')) === true;
}

describe('operator console', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  it('sees a payment arrive live, refunds part of it, and the customer sees PARTIALLY_REFUNDED without reloading', async () => {
    const operator = await openConsole();
    const operatorStillHere = await markNoReload(operator);
    await operator.getByText('No payments yet today.').waitFor();

    const customer = await browser.page();
    await signInCustomer(customer, server.url, 'live-1');
    const customerStillHere = await markNoReload(customer);
    await addToCart(customer, 'Home deep cleaning (3 hours)', '₹2,499.00');
    await addToCart(customer, 'Bathroom cleaning', '₹3,098.00');
    await customer.getByRole('button', { name: 'Pay with Razorpay' }).click();
    await checkoutModal(customer).getByRole('button', { name: 'Pay with UPI' }).click();
    await customer.locator('#booking-reference').waitFor();

    // Live on the console: the payment's row, captured, with Indian grouping.
    const row = operator.locator('#today-table tr', { hasText: 'live-1' });
    await row.locator('[data-status="CAPTURED"]').waitFor();
    expect(await row.textContent()).toContain('₹3,098.00');

    await row.getByRole('button', { name: /^Open payment/ }).click();
    await operator.locator('#audit-trail').waitFor();
    expect(await operator.locator('#audit-trail').textContent()).toContain('CAPTURED');
    await operator.getByLabel(/^Amount \(₹, up to ₹3,098\.00\)/).fill('1,000.50');
    await operator.getByLabel('Destination').selectOption('SOURCE');
    await operator.getByLabel('Reason').fill('one cleaner came late');
    await operator.getByRole('button', { name: 'Refund…' }).click();
    const confirm = operator.getByRole('dialog', { name: 'Confirm the refund' });
    await confirm.waitFor();
    const text = await confirm.textContent();
    expect(text).toContain('Refund ₹1,000.50');
    expect(text).toContain('₹3,098.00 is refundable now; ₹2,097.50 will remain refundable after this.');
    await confirm.getByRole('button', { name: 'Refund', exact: true }).click();
    await operator.locator('#announcer', { hasText: 'Refund of ₹1,000.50' }).waitFor();
    await operator.locator('#refunds', { hasText: 'one cleaner came late' }).waitFor();

    // The customer's page follows over the subscription.
    await paymentStatus(customer, 'PARTIALLY_REFUNDED').waitFor();
    expect(await customer.locator('#payments-table').textContent()).toContain('₹1,000.50');
    expect(await customerStillHere()).toBe(true);
    expect(await operatorStillHere()).toBe(true);
    await row.locator('[data-status="PARTIALLY_REFUNDED"]').waitFor();

    const paymentId = await row.getByRole('button', { name: /^Open payment/ }).getAttribute('data-payment-id');
    const { data } = await server.gql(PaymentDocument, { id: paymentId! }, await server.token('ops-1', 'admin'));
    expect(data?.payment).toMatchObject({ status: 'PARTIALLY_REFUNDED', amount: 309_800, amountRefunded: 100_050 });
  });

  it('shows the figures and chart, the webhook inbox, outbox and a passing ledger check', async () => {
    const operator = await openConsole();
    await operator.getByRole('button', { name: 'Show' }).click();
    const figures = operator.locator('#figures');
    await figures.waitFor();
    expect(await figures.textContent()).toMatch(/Revenue₹3,098\.00/);
    await operator.locator('#chart canvas').waitFor();

    await operator.getByLabel('Show').first().selectOption({ label: 'all' });
    await operator.locator('#webhooks table', { hasText: 'payment.captured' }).waitFor();

    await operator.getByRole('button', { name: 'Run the ledger check' }).click();
    await operator.locator('#ledger-result[data-ok="true"]').waitFor();
  });

  it('serves GraphiQL at GET /graphql from its own files (no CDN) and it answers a query', async () => {
    const page = await browser.page();
    await page.goto(`${server.url}/graphql`);
    await page.locator('.graphiql-container').waitFor();
    // No token: the API's own answer, shown in the result pane. GraphiQL ignores a click on
    // Execute while its editors are still starting (seen under load), so click until it answers.
    const answer = page.locator('.result-window', { hasText: 'UNAUTHENTICATED' });
    const deadline = Date.now() + 20_000;
    for (;;) {
      await page.getByRole('button', { name: /Execute query/i }).click();
      try {
        await answer.waitFor({ timeout: 2_000 });
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
    }
  }, 45_000);
});
