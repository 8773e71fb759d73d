import { UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { conflict } from './errors.js';

/** How long a request waits for a concurrent request with the same idempotency key. */
export const IDEMPOTENCY_WAIT_MS = 15_000;
const POLL_MS = 50;

/** What `perform` returns when it found, under its own lock, that this request was already made. */
export const ALREADY_MADE: unique symbol = Symbol('already made');

/** What a stored request answers when it is asked again. */
export type Replay<T> =
  | { kind: 'answer'; answer: T }
  /** Its first request is still at work (waiting for the gateway): ask again shortly. */
  | { kind: 'pending' };

/**
 * One money mutation made idempotent by a key the caller chose. The feature keeps its own
 * table, with a unique constraint on (caller, key): the row it writes is the record of the
 * request, and the insert that loses a race on that constraint means "someone else got here
 * first", never an error for the caller.
 */
export interface IdempotentMutation<R, T> {
  /** The caller's key; without one (null or empty) the mutation is simply performed. */
  key: string | null;
  /** The name of the unique constraint on (caller, key) in the feature's table. */
  constraint: string;
  /**
   * The record stored under this caller's key, if any, read fresh on every call: a record
   * that is gone (its gateway call failed and it was undone) lets this request start afresh.
   */
  find(): Promise<R | null>;
  /** Null when `record` was made by a request like this one; otherwise the CONFLICT message (naming the key). */
  mismatch(record: R): string | null;
  /** The stored request's answer now; `expired` once this request has waited long enough (decide, do not wait). */
  replay(record: R, expired: boolean): Promise<Replay<T>>;
  /** Performs the mutation the first time; ALREADY_MADE when it found the same request's record under its lock. */
  perform(): Promise<T | typeof ALREADY_MADE>;
  /**
   * True when `perform`'s first write is the keyed insert, before any side effect (a gateway
   * call): then a new key — the common case — is tried at once, and the stored record looked for
   * only once the constraint refuses the insert: one statement fewer per request (createOrder).
   */
  writesKeyFirst?: boolean;
}

/**
 * The one idempotent-replay rule every money mutation keeps. The same key with the same
 * request returns the stored result (waiting, up to {@link IDEMPOTENCY_WAIT_MS}, while the
 * first request is still at work); the same key with a different request is a CONFLICT; of
 * concurrent requests with one key, one performs and the others get its result.
 */
export async function performOnce<R, T>(mutation: IdempotentMutation<R, T>, waitMs = IDEMPOTENCY_WAIT_MS): Promise<T> {
  const deadline = Date.now() + waitMs;
  let lookFirst = !mutation.writesKeyFirst;
  for (;;) {
    if (mutation.key && lookFirst) {
      const replayed = await replayStored(mutation, deadline);
      if (replayed) return replayed.answer;
    }
    try {
      const result = await mutation.perform();
      if (result !== ALREADY_MADE) return result;
    } catch (error) {
      // Lost the race for the key: go back and answer with the winner's result.
      if (!mutation.key || !isKeyTaken(error, mutation.constraint) || Date.now() > deadline) throw error;
      lookFirst = true;
    }
  }
}

/** The stored request's answer, or null when there is none (any more). */
async function replayStored<R, T>(mutation: IdempotentMutation<R, T>, deadline: number): Promise<{ answer: T } | null> {
  for (let record = await mutation.find(); record; record = await mutation.find()) {
    const mismatch = mutation.mismatch(record);
    if (mismatch !== null) throw conflict(mismatch);
    const replay = await mutation.replay(record, Date.now() > deadline);
    if (replay.kind === 'answer') return replay;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return null;
}

/** A unique violation of exactly this constraint (another unique violation is a real error). */
export function isKeyTaken(error: unknown, constraint: string): boolean {
  return error instanceof UniqueConstraintViolationException && error.message.includes(constraint);
}
