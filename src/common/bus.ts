/*
 * What the features need of the message bus, without its transport (graphql/pubsub.ts implements
 * it in process or over Redis): the payment core publishes and listens through this interface.
 */

/**
 * The message bus behind subscriptions: in-process by default, Redis when several instances
 * serve clients (`REDIS_URL`), so a change committed by one instance reaches subscribers of all.
 *
 * Messages are routed by topic (one topic per payment, per payer, and one for staff following
 * everything): a message reaches only the listeners of its topic, so a change costs the same
 * whatever the number of unrelated subscribers, and a stopped listener leaves the map at once.
 */
export interface MessageBus {
  publish(topic: string, payload: unknown): Promise<void>;
  /**
   * Starts listening before it resolves (so nothing published after it resolves is missed)
   * and returns the function that stops listening.
   */
  listen(topic: string, onMessage: (payload: unknown) => void): Promise<() => void>;
  /** Listeners of `topic` on this instance (0 once the last one stopped). */
  listenerCount(topic: string): number;
  /** Topics with at least one listener on this instance. */
  topicCount(): number;
  close(): Promise<void>;
  readonly kind: 'in-process' | 'redis';
}

/**
 * An async iterator that can also hand its values over synchronously while its consumer waits:
 * `direct(take)` makes every value that would resolve a waiting `next()` go to `take` instead (no
 * promise, no microtask per value); `take` answers false when it cannot take this one now, and the
 * value then resolves the waiting `next()` as usual. `direct(null)` stops it.
 */
export interface DirectSource<T> {
  direct(take: ((value: T) => boolean) | null): void;
}

/**
 * A queue that turns pushed messages into an async iterator, for feeds that must start
 * listening before they read the current state.
 */
export class AsyncQueue<T> implements AsyncIterableIterator<T>, DirectSource<T> {
  private readonly buffered: T[] = [];
  private readonly waiting: ((result: IteratorResult<T>) => void)[] = [];
  private closed = false;
  private take: ((value: T) => boolean) | null = null;

  constructor(
    private readonly limit = 1000,
    private readonly onReturn: () => void = () => undefined,
  ) {}

  /**
   * See DirectSource. Values are handed over only while a `next()` waits, that is while nothing
   * is buffered, so their order is kept.
   */
  direct(take: ((value: T) => boolean) | null): void {
    this.take = take;
  }

  push(value: T): void {
    if (this.closed) return;
    if (this.take !== null && this.waiting.length > 0 && this.take(value)) return;
    const waiter = this.waiting.shift();
    if (waiter) waiter({ value, done: false });
    else if (this.buffered.length < this.limit) this.buffered.push(value);
  }

  next(): Promise<IteratorResult<T>> {
    const value = this.buffered.shift();
    if (value !== undefined) return Promise.resolve({ value, done: false });
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.closed) {
      this.closed = true;
      this.onReturn();
      for (const waiter of this.waiting.splice(0)) waiter({ value: undefined, done: true });
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
