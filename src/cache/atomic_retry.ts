/**
 * Retrying Deno KV atomics under contention from other processes.
 *
 * Two processes on one SQLite-backed KV file serialise their writes. An
 * atomic with a `check` either fails its check (`{ ok: false }`: someone
 * changed a key first) or, while the other process holds the write lock,
 * throws `TypeError: database is locked`. Neither is retried by Deno, so
 * every read-check-write here goes through {@linkcode commitWithRetry}.
 *
 * @module
 */

import type { StoreAtomic } from "./store_kv.ts";

/** How often a check-and-set is tried before giving up. */
const ATTEMPTS = 40;
/** Upper bound of one backoff pause in ms. */
const MAX_PAUSE_MS = 64;

/**
 * Builds one attempt: reads what it needs and returns the atomic to commit,
 * or `null` when there is nothing (left) to do. (The atomic is wrapped: an
 * `AtomicOperation` refuses to be awaited, so an async function cannot return it.)
 */
export type AtomicBuilder = () => Promise<{ op: StoreAtomic } | null>;

/** `true` for the error SQLite reports while another process holds the write lock. */
export function isLocked(error: unknown): boolean {
  return error instanceof Error && /database is locked|database table is locked|SQLITE_BUSY/i.test(
    error.message,
  );
}

/**
 * Reads, checks and commits until the commit succeeds. Retries a failed
 * check and a locked database with a short randomised backoff; rethrows any
 * other error.
 *
 * @returns `true` when committed, `false` when the builder returned `null`
 *   or the attempts ran out
 */
export async function commitWithRetry(build: AtomicBuilder): Promise<boolean> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    try {
      const built = await build();
      if (built === null) return false;
      const result = await built.op.commit();
      if (result.ok) return true;
    } catch (error) {
      if (!isLocked(error)) throw error;
    }
    await pause(attempt);
  }
  return false;
}

/**
 * Runs a blind write (no checks), an open or a read, retrying only while the
 * database is locked (opening a database writes its schema, so it can meet
 * the lock too).
 */
export async function retryLocked<T>(action: () => Promise<T>): Promise<T> {
  for (let attempt = 0;; attempt++) {
    try {
      return await action();
    } catch (error) {
      if (!isLocked(error) || attempt + 1 >= ATTEMPTS) throw error;
    }
    await pause(attempt);
  }
}

function pause(attempt: number): Promise<void> {
  const ceiling = Math.min(MAX_PAUSE_MS, 2 ** Math.min(attempt, 6));
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
