import type { EntityManager, MikroORM, TransactionEventArgs } from '@mikro-orm/postgresql';
import type { HandlerResult } from './webhook.dispatch.js';
import { WebhookEventStatus } from './webhook-event.entity.js';

/**
 * A first attempt's outcome when it succeeded, without a claim before it: counts the attempt and
 * records the outcome in one statement, unless someone else settled the event meanwhile (no row).
 */
const SETTLE_FIRST = `update "webhook_event" set "attempts" = "attempts" + 1, "status" = ?, "last_error" = ?, "processed_at" = ?
  where "id" = ? and "status" in ('PENDING', 'FAILED')
  returning "attempts", "next_attempt_at", "received_at"`;

/** What a settled first attempt's row tells (the ORM's connection leaves timestamps as text). */
export interface SettledRow {
  attempts: number;
  next_attempt_at: string;
  received_at: string;
}

/** A first attempt's outcome found its event settled by someone else: the handler's transaction rolls back. */
export class SettledElsewhere extends Error {}

/**
 * The outcome of one first attempt (see WebhookProcessor.processCarried): written as the last
 * statement of the handler's transaction when the handler calls `settleWith` in it (a
 * `beforeTransactionCommit` subscriber of that transaction: after its flush, just before its
 * COMMIT), else by `record` alone once the handler returned.
 */
export class FirstAttemptOutcome {
  #inside: { row: SettledRow; result: HandlerResult } | null = null;
  #over = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly id: string,
  ) {}

  /** The handler's offer (EventOrigin.settleWith): the outcome in `em`'s transaction, just before it commits. */
  readonly settleWith = (em: EntityManager, result: HandlerResult): void => {
    em.getEventManager().registerSubscriber({
      beforeTransactionCommit: async ({ transaction }: TransactionEventArgs) => {
        // A transaction that commits after its handler returned: `record` wrote the outcome alone.
        if (this.#over) return;
        const [row] = await em.getConnection().execute<SettledRow[]>(SETTLE_FIRST, values(this.id, result), 'all', transaction);
        if (!row) throw new SettledElsewhere(`webhook event ${this.id} was settled by another attempt`);
        this.#inside = { row, result };
      },
    });
  };

  /** The handler is over (returned or threw): a transaction of it committing later writes nothing more. */
  close(): void {
    this.#over = true;
  }

  /**
   * Once the handler returned `result`: the outcome its transaction committed, or the same written
   * now by one statement. Null when someone else settled the event.
   */
  async record(result: HandlerResult): Promise<{ row: SettledRow; result: HandlerResult } | null> {
    if (this.#inside) return this.#inside;
    const [row] = await this.orm.em.getConnection().execute<SettledRow[]>(SETTLE_FIRST, values(this.id, result), 'all');
    return row ? { row, result } : null;
  }
}

export function statusOf(result: HandlerResult): WebhookEventStatus {
  return result.outcome === 'processed' ? WebhookEventStatus.PROCESSED : WebhookEventStatus.IGNORED;
}

export function noteOf(result: HandlerResult): string | null {
  return result.outcome === 'ignored' ? result.reason : null;
}

function values(id: string, result: HandlerResult): unknown[] {
  return [statusOf(result), noteOf(result), new Date(), id];
}
