import { PubSub, type PubSubEngine } from 'graphql-subscriptions';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { Redis } from 'ioredis';
import type { PubSub as TypeGraphqlPubSub } from 'type-graphql';

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

interface Route {
  listeners: Set<(payload: unknown) => void>;
  /** The engine's subscription for this topic: one per topic, however many listeners. */
  subscription: Promise<number>;
}

class EngineBus implements MessageBus {
  private readonly routes = new Map<string, Route>();

  constructor(
    private readonly engine: PubSubEngine,
    readonly kind: 'in-process' | 'redis',
    private readonly onClose: () => Promise<void>,
  ) {}

  publish(topic: string, payload: unknown): Promise<void> {
    return this.engine.publish(topic, payload);
  }

  async listen(topic: string, onMessage: (payload: unknown) => void): Promise<() => void> {
    let route = this.routes.get(topic);
    if (!route) {
      const listeners = new Set<(payload: unknown) => void>();
      // One message object (parsed once, for Redis) handed to every listener of the topic.
      const dispatch = (payload: unknown) => {
        for (const listener of listeners) listener(payload);
      };
      route = { listeners, subscription: this.engine.subscribe(topic, dispatch, {}) };
      this.routes.set(topic, route);
    }
    const joined = route;
    joined.listeners.add(onMessage);
    const leave = () => {
      if (!joined.listeners.delete(onMessage) || joined.listeners.size > 0) return;
      if (this.routes.get(topic) === joined) this.routes.delete(topic);
      void joined.subscription.then((id) => this.engine.unsubscribe(id)).catch(() => undefined);
    };
    try {
      await joined.subscription;
    } catch (error) {
      leave();
      throw error;
    }
    return leave;
  }

  listenerCount(topic: string): number {
    return this.routes.get(topic)?.listeners.size ?? 0;
  }

  topicCount(): number {
    return this.routes.size;
  }

  close(): Promise<void> {
    return this.onClose();
  }
}

export function createInProcessBus(): MessageBus {
  return new EngineBus(new PubSub(), 'in-process', async () => undefined);
}

/** A bus on Redis pub/sub; two connections, as Redis requires for a subscriber. */
export function createRedisBus(url: string): MessageBus {
  const options = { maxRetriesPerRequest: 3, lazyConnect: false };
  const engine = new RedisPubSub({ publisher: new Redis(url, options), subscriber: new Redis(url, options) });
  return new EngineBus(engine, 'redis', async () => {
    await engine.close();
  });
}

/** type-graphql insists on a pub/sub even when every subscription brings its own `subscribe`. */
export function typeGraphqlPubSub(bus: MessageBus): TypeGraphqlPubSub {
  return {
    publish: (routingKey: string, ...args: unknown[]) => void bus.publish(routingKey, args[0]),
    subscribe: () => {
      throw new Error('subscriptions here use their own subscribe functions');
    },
  };
}

/**
 * A queue that turns pushed messages into an async iterator, for feeds that must start
 * listening before they read the current state.
 */
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private readonly buffered: T[] = [];
  private readonly waiting: ((result: IteratorResult<T>) => void)[] = [];
  private closed = false;

  constructor(
    private readonly limit = 1000,
    private readonly onReturn: () => void = () => undefined,
  ) {}

  push(value: T): void {
    if (this.closed) return;
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
