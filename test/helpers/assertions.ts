import { expect } from 'vitest';
import { ledgerCheck } from '../../src/cli/ledger.commands.js';
import { WebhookEvent, WebhookEventStatus } from '../../src/webhooks/webhook-event.entity.js';
import { eventually, type TestServer } from './server.js';

/** Runs `ledger check` on the server's database and fails the test on any problem; returns its output. */
export async function expectBooksBalanced(server: TestServer): Promise<string[]> {
  const lines: string[] = [];
  const { exitCode } = await ledgerCheck(server.db.orm, (line) => lines.push(line));
  expect(lines.filter((line) => line.startsWith('FAIL'))).toEqual([]);
  expect(exitCode).toBe(0);
  return lines;
}

/** Waits until the sandbox has delivered every webhook and the inbox has handled each; none may be DEAD. */
export async function webhooksDone(server: TestServer): Promise<void> {
  await server.app.sandbox!.whenWebhooksSettled();
  const em = () => server.db.orm.em.fork();
  await eventually(
    async () => (await em().count(WebhookEvent, { status: { $in: [WebhookEventStatus.PENDING, WebhookEventStatus.FAILED] } })) === 0,
    10_000,
    'every stored webhook handled',
  );
  expect(await em().find(WebhookEvent, { status: WebhookEventStatus.DEAD })).toEqual([]);
}
