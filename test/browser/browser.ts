/**
 * Chromium for the browser tests: Debian's `chromium` (installed by .ci/run when missing)
 * driven through playwright-core, one browser per test file, a fresh context per test (Playwright gives each launch an empty profile). Each
 * page records Content Security Policy violations and page errors, and a failed test leaves a
 * screenshot under test-results/screenshots/ (SCREENSHOTS=all: every test does).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/**
 * A browser test is a whole journey (sign in, several pages, Checkout, webhooks, live updates),
 * each step waiting for a condition, never a fixed time; on two loaded cores the sum of its
 * steps can pass the 30 s that suits one API call, so a journey gets 90 s in all.
 */
export const BROWSER_TEST_TIMEOUT_MS = 90_000;
const SCREENSHOTS = path.resolve('test-results', 'screenshots');

export interface BrowserHarness {
  /** A new page in a fresh context (its own sessionStorage, so its own signed-in user). */
  page(): Promise<Page>;
  /** CSP violations, uncaught errors and requests to other origins seen on every page so far. */
  problems: string[];
  /** The service's origin: pages must load nothing from anywhere else (they work offline). */
  origin: string;
}

/** Launches Chromium for this file; every page is screenshotted when its test fails. */
export function useBrowser(): BrowserHarness {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pages: Page[] = [];
  const harness: BrowserHarness = {
    problems: [],
    origin: '',
    async page() {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'Asia/Kolkata', locale: 'en-IN' });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      page.on('console', (message) => {
        if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) harness.problems.push(message.text());
      });
      page.on('pageerror', (error) => harness.problems.push(`page error: ${error.message}`));
      page.on('request', (request) => {
        const url = request.url();
        if (harness.origin && !url.startsWith(`${harness.origin}/`) && !url.startsWith('data:') && !url.startsWith('ws://127.0.0.1')) harness.problems.push(`request to another origin: ${url}`);
      });
      pages.push(page);
      return page;
    },
  };

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    });
  });

  afterEach(async (context) => {
    // SCREENSHOTS=all keeps a picture of every test's pages, to look at what a person would see.
    if (context.task.result?.state === 'fail' || process.env.SCREENSHOTS === 'all') {
      mkdirSync(SCREENSHOTS, { recursive: true });
      const name = context.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 80);
      await Promise.all(pages.map((page, i) => page.isClosed() ? null : page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${i}.png`), fullPage: true }).catch(() => null)));
    }
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    pages.splice(0);
    expect(harness.problems.splice(0), 'CSP violations or page errors').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
  });
  return harness;
}
