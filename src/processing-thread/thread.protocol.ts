import type { MessagePort } from 'node:worker_threads';
import type { MessageBus } from '../common/bus.js';
import type { Config } from '../config.js';
import type { ThreadPriority } from './thread-priority.js';

/**
 * What the main thread and the webhook processing thread say to each other (processing.thread.ts,
 * processing.worker.ts). The thread shares nothing with the main thread but the database and
 * these messages: its own event loop, MikroORM and pool, job runner, gateways and services.
 */

/** What the thread is started with. */
export interface ThreadData {
  config: Config;
  /** The service's own URL: where the sandboxes are, in sandbox mode. */
  selfUrl: string;
  /** The database the main thread opened (the embedded one's URL is known only once it runs). */
  databaseUrl: string;
}

/**
 * From the thread: ready (its workers run; its OS thread id and nice value when its priority was
 * lowered, or why not), a bus message, a processing outcome, a publish's delay.
 */
export type FromThread =
  | { kind: 'ready'; priority: ThreadPriority }
  | { kind: 'publish'; topic: string; payload: unknown }
  | { kind: 'settled'; status: string; lagSeconds: number }
  | { kind: 'published'; delayMs: number };

/** To the thread: stop taking events, finish the running ones, close. */
export type ToThread = { kind: 'stop' };

/**
 * The thread's message bus without `REDIS_URL`: every publish goes to the main thread, whose bus
 * (the subscribers' sockets are there) publishes it. Nothing listens in the thread.
 */
export function createParentBus(port: MessagePort): MessageBus {
  return {
    kind: 'in-process',
    publish(topic, payload) {
      port.postMessage({ kind: 'publish', topic, payload } satisfies FromThread);
      return Promise.resolve();
    },
    listen() {
      return Promise.reject(new Error('nothing listens in the webhook processing thread: subscribers are on the main thread'));
    },
    listenerCount: () => 0,
    topicCount: () => 0,
    close: () => Promise.resolve(),
  };
}
