import { PubSub, type PubSubEngine } from 'graphql-subscriptions';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { Redis } from 'ioredis';
import type { PubSub as TypeGraphqlPubSub } from 'type-graphql';
import type { MessageBus } from '../common/bus.js';

export type { MessageBus } from '../common/bus.js';
export { AsyncQueue } from '../common/bus.js';

/**
 * The message bus behind subscriptions (the interface is in common/bus.ts, so the payment core
 * depends on it and not on this transport): in-process by default, Redis when several instances
 * serve clients (`REDIS_URL`), so a change committed by one instance reaches subscribers of all.
 */
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
