/** What a customer does on the storefront, as steps the browser tests share. */
import type { Page } from 'playwright-core';

export async function signInCustomer(page: Page, baseUrl: string, userId: string): Promise<void> {
  await page.goto(`${baseUrl}/shop`);
  const field = page.getByLabel('Demo customer id');
  await field.fill(userId);
  await field.press('Enter');
  await page.locator('#who', { hasText: `Signed in as ${userId}` }).waitFor();
  await page.locator('#live[data-status="connected"]').waitFor();
  await page.getByRole('button', { name: /^Add .* to cart$/ }).first().waitFor();
}

export async function addToCart(page: Page, productName: string, expectedTotal: string): Promise<void> {
  await page.getByRole('button', { name: `Add ${productName} to cart` }).click();
  await page.locator('#cart-total', { hasText: expectedTotal }).waitFor();
}

/** The sandbox's Checkout modal, as Razorpay's would be opened by the page. */
export function checkoutModal(page: Page) {
  return page.getByRole('dialog', { name: 'Razorpay Checkout (sandbox)' });
}

/** Reads the status shown for a payment in "My payments". */
export function paymentStatus(page: Page, status: string) {
  return page.locator(`#payments-table [data-status="${status}"]`);
}
