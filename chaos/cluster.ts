import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Random } from './prng.js';

/** The built service entry (`npm run chaos` builds first). */
const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/main.js');
const READY_LINE = /Payment service on http:\/\/[\d.]+:\d+\/graphql/;

type Waiter = () => void;

/**
 * One service instance as a real child process on a fixed port, so clients and the sandbox's
 * webhook URL survive its restarts. Ready once main.ts prints its URL (after migrations).
 */
class Instance {
  #child: ChildProcess | null = null;
  #ready = false;
  #waiters: Waiter[] = [];
  #output = '';
  #stopping = false;
  /** Kills and restarts of this instance run one after the other, never two at once. */
  #cycle: Promise<void> = Promise.resolve();
  starts = 0;
  /** Exits nobody asked for (not a planned SIGKILL nor the final stop). */
  unexpectedExits: string[] = [];

  constructor(
    readonly index: number,
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: WriteStream,
    private readonly onReady: (url: string) => void,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get ready(): boolean {
    return this.#ready;
  }

  start(): void {
    this.starts += 1;
    this.#output = '';
    this.log.write(`\n--- instance ${this.index} start #${this.starts} at ${new Date().toISOString()}\n`);
    const child = spawn(process.execPath, [MAIN], { env: { ...this.env, PORT: String(this.port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    const onData = (chunk: Buffer) => {
      this.log.write(chunk);
      if (this.#ready || this.#child !== child) return;
      this.#output += chunk.toString('utf8');
      if (READY_LINE.test(this.#output)) {
        this.#ready = true;
        this.#output = '';
        this.onReady(this.url);
        for (const wake of this.#waiters.splice(0)) wake();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code, signal) => {
      this.log.write(`--- instance ${this.index} exited (${code ?? signal}) at ${new Date().toISOString()}\n`);
      if (this.#child !== child) return;
      this.#child = null;
      this.#ready = false;
      if (signal !== 'SIGKILL' && signal !== 'SIGTERM' && !this.#stopping) {
        // Nobody asked for this exit: it is a finding, and the run goes on with a new process.
        this.unexpectedExits.push(`instance ${this.index} exited with ${code ?? signal} (start #${this.starts})`);
        if (this.unexpectedExits.length <= 3) this.start();
      }
    });
  }

  /** SIGKILL: no shutdown hook runs, in-flight requests and timers die with it. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#ready = false;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /**
   * SIGKILL (whatever it is doing, starting up included), `downMs` down, then a new process.
   * Queued behind any kill-and-restart of this instance still under way.
   */
  killAndRestart(downMs: number): Promise<void> {
    this.#cycle = this.#cycle.then(async () => {
      if (this.#stopping) return;
      await this.kill();
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      if (!this.#stopping) this.start();
    });
    return this.#cycle;
  }

  /** Resolves once no kill-and-restart is under way. */
  settled(): Promise<void> {
    return this.#cycle;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#cycle;
    const child = this.#child;
    if (!child) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  get running(): boolean {
    return this.#child !== null;
  }

  whenReady(): Promise<void> {
    if (this.#ready) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

/** The instances of one run, their kills and restarts, and a way to reach a live one. */
export class Cluster {
  readonly instances: Instance[];
  readonly #log: WriteStream;
  kills = 0;

  /** `onReady`: called each time an instance is ready (first start and every restart), e.g. to set its sandbox's knobs again. */
  constructor(options: { count: number; basePort: number; env: NodeJS.ProcessEnv; logFile: string; onReady?: (url: string) => void }) {
    this.#log = createWriteStream(options.logFile, { flags: 'a' });
    const onReady = options.onReady ?? (() => undefined);
    this.instances = Array.from({ length: options.count }, (_, i) => new Instance(i, options.basePort + i, options.env, this.#log, onReady));
  }

  /** Starts the instances one after the other (the first applies the migrations alone). */
  async start(timeoutMs: number): Promise<void> {
    for (const instance of this.instances) {
      instance.start();
      await withTimeout(instance.whenReady(), timeoutMs, `instance ${instance.index} did not start within ${timeoutMs} ms (log: ${this.#log.path})`);
    }
  }

  /** SIGKILLs an instance, then starts it again after `downMs`. */
  killAndRestart(index: number, downMs: number): void {
    this.kills += 1;
    void this.instances[index]!.killAndRestart(downMs);
  }

  /** Resolves when every restart begun so far is done and every instance is ready. */
  async whenAllReady(timeoutMs: number): Promise<void> {
    const all = (async () => {
      await Promise.all(this.instances.map((i) => i.settled()));
      await Promise.all(this.instances.map((i) => i.whenReady()));
    })();
    await withTimeout(all, timeoutMs, `instances not ready again within ${timeoutMs} ms (log: ${this.#log.path})`);
  }

  /** A ready instance (the random one among several), waiting for a restart if none is. */
  async live(random: Random): Promise<Instance> {
    for (;;) {
      const ready = this.instances.filter((i) => i.ready);
      if (ready.length > 0) return ready.length === 1 ? ready[0]! : random.pick(ready);
      await Promise.race(this.instances.map((i) => i.whenReady()));
    }
  }

  readyUrls(): string[] {
    return this.instances.filter((i) => i.ready).map((i) => i.url);
  }

  unexpectedExits(): string[] {
    return this.instances.flatMap((i) => i.unexpectedExits);
  }

  get logFile(): string {
    return String(this.#log.path);
  }

  async stop(): Promise<void> {
    await Promise.all(this.instances.map((i) => i.stop()));
    await new Promise((resolve) => this.#log.end(resolve));
  }
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
