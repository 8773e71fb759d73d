import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { MessageBus } from '../common/bus.js';
import type { Logger } from '../logger.js';
import type { FromThread, ThreadData, ToThread } from './thread.protocol.js';
import type { ThreadPriority } from './thread-priority.js';

/** How long a crashed thread waits before it is started again, at first (doubling up to `MAX_RESTART_MS`). */
const FIRST_RESTART_MS = 500;
const MAX_RESTART_MS = 30_000;
/** A thread that ran this long before it crashed restarts after the first delay again. */
const STABLE_MS = 60_000;
/** How long `stop` waits for the thread's running jobs before it terminates it (they are retried after the lease). */
const STOP_TIMEOUT_MS = 15_000;

export interface ProcessingThreadOptions extends ThreadData {
  /** The main thread's bus: the thread's messages are published on it (without `REDIS_URL`). */
  bus: MessageBus;
  logger: Logger;
  /** An event's processing ended (metrics: lag and outcome). */
  onSettled?: (status: string, lagSeconds: number) => void;
  /** A payment's message was published, `delayMs` after its change (metrics). */
  onPublished?: (delayMs: number) => void;
}

/**
 * The worker thread that processes webhook events (processing.worker.ts), seen from the main
 * thread: started with the app, relays its messages to the bus and the metrics, restarted
 * (and logged) when it crashes, stopped after its running jobs are done. Whatever it was doing
 * when it died is in the database: its jobs are retried after their lease, as a killed process's.
 */
export class ProcessingThread {
  #worker: Worker | null = null;
  #stopping = false;
  #restartDelayMs = FIRST_RESTART_MS;
  #restartTimer: NodeJS.Timeout | null = null;
  #restarts = 0;
  #priority: ThreadPriority | null = null;

  constructor(private readonly options: ProcessingThreadOptions) {}

  /** Times it was started again after a crash. */
  get restarts(): number {
    return this.#restarts;
  }

  /** The running thread's OS priority as it set it (WEBHOOK_PROCESSING_THREAD_NICE), or why it could not; null before it is ready. */
  get priority(): ThreadPriority | null {
    return this.#priority;
  }

  /** The running thread (tests, operators' tools); null between a crash and its restart. */
  get worker(): Worker | null {
    return this.#worker;
  }

  /** Starts the thread; resolves once its workers run, rejects if it fails to boot. */
  start(): Promise<void> {
    const { bus: _bus, logger: _logger, onSettled: _settled, onPublished: _published, ...data } = this.options;
    const worker = new Worker(workerEntry(), { workerData: data satisfies ThreadData, name: 'webhook-processing' });
    this.#worker = worker;
    const started = Date.now();
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      worker.on('message', (message: FromThread) => {
        if (message.kind === 'ready') {
          ready = true;
          this.#priority = message.priority;
          resolve();
        } else this.#relay(message);
      });
      worker.on('error', (error) => this.options.logger.error({ err: error }, 'webhook processing thread failed'));
      worker.once('exit', (code) => {
        if (this.#worker === worker) this.#worker = null;
        if (!ready) {
          reject(new Error(`the webhook processing thread exited (${code}) before it was ready`));
          return;
        }
        if (this.#stopping) return;
        this.#restartDelayMs = Date.now() - started >= STABLE_MS ? FIRST_RESTART_MS : this.#restartDelayMs;
        this.options.logger.error({ code, restartInMs: this.#restartDelayMs }, 'webhook processing thread exited; restarting it');
        this.#scheduleRestart();
      });
    });
  }

  /** Stops it: no new event is taken, the running ones finish, its pools close; then it ends. */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    const worker = this.#worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ kind: 'stop' } satisfies ToThread);
    const timer = setTimeout(() => {
      this.options.logger.warn({ timeoutMs: STOP_TIMEOUT_MS }, 'webhook processing thread did not stop in time; terminated (its jobs are retried after their lease)');
      void worker.terminate();
    }, STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  #scheduleRestart(): void {
    const delay = this.#restartDelayMs;
    this.#restartDelayMs = Math.min(MAX_RESTART_MS, delay * 2);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = null;
      if (this.#stopping) return;
      this.#restarts += 1;
      this.start().then(
        () => this.options.logger.info({ restarts: this.#restarts }, 'webhook processing thread restarted'),
        (error: unknown) => {
          this.options.logger.error({ err: error }, 'webhook processing thread could not restart; trying again');
          if (!this.#stopping) this.#scheduleRestart();
        },
      );
    }, delay);
  }

  #relay(message: FromThread): void {
    if (message.kind === 'publish') {
      this.options.bus.publish(message.topic, message.payload).catch((error: unknown) => this.options.logger.warn({ err: error, topic: message.topic }, 'could not publish a message of the webhook processing thread'));
    } else if (message.kind === 'settled') this.options.onSettled?.(message.status, message.lagSeconds);
    else if (message.kind === 'published') this.options.onPublished?.(message.delayMs);
  }
}

/**
 * The thread's compiled entry: next to this file in the build; from the TypeScript sources
 * (vitest), the build's copy (`npm run build` first), since a worker thread runs JavaScript.
 */
function workerEntry(): URL {
  const beside = new URL('./processing.worker.js', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return beside;
  const built = new URL('../../dist/src/processing-thread/processing.worker.js', import.meta.url);
  if (!existsSync(fileURLToPath(built))) throw new Error('WEBHOOK_PROCESSING_THREAD=true from the sources runs the built thread: npm run build first');
  return built;
}
