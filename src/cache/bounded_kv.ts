/**
 * Store operations with a deadline: {@linkcode BoundedKv} runs every call of
 * the cache on a {@linkcode KvBackend} and gives up after `deadlineMs`, so a
 * store that stops answering (a dead KV Connect server, a database locked by
 * another process) costs a request at most one deadline: the request then
 * goes to the origin as if nothing were cached.
 *
 * The first call that misses its deadline marks the store **degraded**
 * (reason and time kept for `info()`): the backend is cut off (a worker is
 * terminated, so an abandoned remote call cannot keep retrying or keep the
 * process alive), every later call fails at once, and a probe on an unref'd
 * timer reopens the store and writes one key, backing off from 1 s to 30 s,
 * until the store answers again. Late writes are harmless by design: every
 * entry becomes visible in one atomic, under version checks, and its
 * freshness comes from its own stored response time.
 *
 * @module
 */

import {
  type KvCall,
  RecordedAtomic,
  runCall,
  type StoreAtomic,
  type StoreKv,
} from "./store_kv.ts";
import { isLocked } from "./atomic_retry.ts";
import { keys } from "./store_layout.ts";

/** Where the calls run: in this process, or cut off in a worker. */
export interface KvBackend {
  /**
   * Runs one call; may never settle when the store is gone. `background`
   * calls (the probe) must not keep the process alive.
   */
  call(call: KvCall, background?: boolean): Promise<unknown>;
  /** Abandons every call in flight for good (their promises reject). */
  cut(): void;
  /** Opens the store again after a cut; rejects while it is out of reach. */
  reopen(): Promise<void>;
  /** Closes the database. */
  close(): void;
}

/** The store did not answer in time, or is known to be down: the request goes on without it. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StoreUnavailableError";
  }
}

/** Why and since when the store is not used. */
export interface Degraded {
  readonly reason: string;
  /** `Date.now()` when it started. */
  readonly since: number;
}

/** First and longest pause between probes of a degraded store. */
const PROBE_FIRST_MS = 1_000;
const PROBE_MAX_MS = 30_000;

/** A `StoreKv` whose every call ends within the deadline. */
export class BoundedKv implements StoreKv {
  readonly #backend: KvBackend;
  readonly #deadlineMs: number;
  readonly #probeFirstMs: number;
  #degraded: Degraded | null = null;
  /** When writes started failing with "database is locked", with no write done since. */
  #lockedSince = 0;
  #probeDelay: number;
  #probeTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  /**
   * @param backend where the calls run
   * @param deadlineMs the longest a call may take
   * @param probeFirstMs the first pause before probing a degraded store
   */
  constructor(backend: KvBackend, deadlineMs: number, probeFirstMs: number = PROBE_FIRST_MS) {
    this.#backend = backend;
    this.#deadlineMs = deadlineMs;
    this.#probeFirstMs = probeFirstMs;
    this.#probeDelay = probeFirstMs;
  }

  /** Why the store is not used now, or `null` when it answers. */
  get degraded(): Degraded | null {
    return this.#degraded;
  }

  get<T = unknown>(key: Deno.KvKey): Promise<Deno.KvEntryMaybe<T>> {
    return this.#call({ op: "get", key }) as Promise<Deno.KvEntryMaybe<T>>;
  }

  getMany<T extends readonly unknown[]>(
    keys: readonly [...{ [K in keyof T]: Deno.KvKey }],
  ): Promise<{ [K in keyof T]: Deno.KvEntryMaybe<T[K]> }> {
    return this.#call({ op: "getMany", keys: [...keys] }) as Promise<
      { [K in keyof T]: Deno.KvEntryMaybe<T[K]> }
    >;
  }

  async *list<T = unknown>(
    selector: Deno.KvListSelector,
    options?: Deno.KvListOptions,
  ): AsyncIterable<Deno.KvEntry<T>> {
    const call: KvCall = options ? { op: "list", selector, options } : { op: "list", selector };
    yield* await this.#call(call) as Deno.KvEntry<T>[];
  }

  atomic(): StoreAtomic {
    return new RecordedAtomic((call) => this.#call(call));
  }

  async delete(key: Deno.KvKey): Promise<void> {
    await this.#call({ op: "delete", key });
  }

  /** Stops probing and closes the database. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#probeTimer);
    this.#backend.close();
  }

  #call(call: KvCall): Promise<unknown> {
    if (this.#closed) return Promise.reject(new StoreUnavailableError("the cache store is closed"));
    const degraded = this.#degraded;
    if (degraded) return Promise.reject(new StoreUnavailableError(degraded.reason));
    return this.#bounded(this.#backend.call(call), false).then((value) => {
      // Reads go on while another process holds the write lock: only a write clears it.
      if (call.op === "commit" || call.op === "delete") this.#lockedSince = 0;
      return value;
    }, (error) => {
      if (error instanceof StoreUnavailableError) this.#fail(error.message);
      else if (isLocked(error)) {
        // Retried above us; but a lock held longer than the deadline is an outage.
        const now = Date.now();
        if (this.#lockedSince === 0) this.#lockedSince = now;
        else if (now - this.#lockedSince > this.#deadlineMs) {
          const reason = `the cache store stayed locked for more than ${this.#deadlineMs} ms`;
          this.#fail(reason);
          throw new StoreUnavailableError(reason, { cause: error });
        }
      }
      throw error;
    });
  }

  /** `promise`, or a `StoreUnavailableError` once the deadline passed. */
  #bounded<T>(promise: Promise<T>, background: boolean): Promise<T> {
    return withDeadline(promise, this.#deadlineMs, background);
  }

  #fail(reason: string): void {
    if (this.#degraded || this.#closed) return;
    this.#degraded = { reason, since: Date.now() };
    this.#lockedSince = 0;
    this.#backend.cut();
    this.#probeDelay = this.#probeFirstMs;
    this.#scheduleProbe();
  }

  #scheduleProbe(): void {
    if (this.#closed) return;
    const timer = setTimeout(() => this.#probe(), this.#probeDelay);
    Deno.unrefTimer(timer);
    this.#probeTimer = timer;
  }

  async #probe(): Promise<void> {
    try {
      await this.#bounded(this.#backend.reopen(), true);
      // A write, since a locked database may still serve reads.
      const probe: KvCall = {
        op: "commit",
        checks: [],
        mutations: [{ type: "set", key: keys.probe, value: Date.now() }],
      };
      await this.#bounded(this.#backend.call(probe, true), true);
      if (this.#closed) return;
      this.#degraded = null;
    } catch (error) {
      if (this.#closed) return;
      this.#backend.cut();
      const reason = (error as Error)?.message ?? String(error);
      this.#degraded = { reason, since: this.#degraded?.since ?? Date.now() };
      this.#probeDelay = Math.min(this.#probeDelay * 2, PROBE_MAX_MS);
      this.#scheduleProbe();
    }
  }
}

/**
 * `promise`, or a {@linkcode StoreUnavailableError} once `ms` passed. A
 * `background` wait does not keep the process alive.
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, background = false): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new StoreUnavailableError(`the cache store gave no answer within ${ms} ms`));
    }, ms);
    if (background) Deno.unrefTimer(timer);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Runs calls on a database in this process; a call cannot be cut, it ends by itself. */
export class LocalBackend implements KvBackend {
  readonly #kv: Deno.Kv;

  /** @param kv an open database, closed by {@linkcode LocalBackend.close} */
  constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  call(call: KvCall): Promise<unknown> {
    return runCall(this.#kv, call);
  }

  cut(): void {}

  reopen(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    this.#kv.close();
  }
}
