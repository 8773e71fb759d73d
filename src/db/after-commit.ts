import type { EntityManager, EventSubscriber, MikroORM, TransactionEventArgs } from '@mikro-orm/postgresql';

/**
 * Work to start once a transaction has committed, and never if it rolls back: a call to the
 * gateway, for one, must not run inside the transaction that decides it is needed (DESIGN.md).
 * Tasks are started, not awaited, so the committing caller does not wait for them; each task
 * records its own outcome. A process that dies between commit and task loses the task, so
 * whatever schedules one also leaves a durable mark that a sweeper retries.
 */
export class AfterCommit implements EventSubscriber {
  private readonly tasks = new WeakMap<object, (() => void)[]>();

  constructor(orm: MikroORM) {
    // Transactions fork the EntityManager with a clone of this event manager, subscribers included.
    orm.em.getEventManager().registerSubscriber(this);
  }

  /** Runs `task` after the top-level transaction `em` is in commits. */
  schedule(em: EntityManager, task: () => void): void {
    const transaction = em.getTransactionContext<object>();
    if (!transaction) throw new Error('AfterCommit.schedule needs an open transaction');
    const list = this.tasks.get(transaction) ?? [];
    list.push(task);
    this.tasks.set(transaction, list);
  }

  async afterTransactionCommit({ transaction }: TransactionEventArgs): Promise<void> {
    const list = transaction ? this.tasks.get(transaction) : undefined;
    if (!list) return;
    this.tasks.delete(transaction!);
    for (const task of list) task();
  }
}
