/**
 * Runs work for one key one at a time in this process, before it takes a database connection:
 * requests racing on one payment queue here instead of each holding a pooled connection while
 * it waits for the row lock (which starved the pool's other queries under load). The row
 * locks stay, for other processes on the same database. A promise chain per key, dropped when
 * idle: small enough not to warrant a dependency (async-mutex has no keyed locks).
 */
export class KeyedSerial {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
