/**
 * The timers of one exchange over one `AbortController`: a total limit, a
 * limit on reaching the response head, an idle limit (no progress), and the
 * caller's own signal. The
 * reason the exchange was cut is kept, so failures are classified once.
 *
 * A timer per request costs real throughput (a `setTimeout` plus a
 * `clearTimeout` for every request), so all deadlines share one clock that
 * ticks only while some deadline is pending. A limit fires at most
 * {@linkcode TICK_MS} late.
 *
 * @module
 */

import { NetError } from "./errors.ts";

/** The clock's resolution in ms. */
export const TICK_MS = 10;

/** What a {@linkcode Deadline} enforces: the fields of a core request it reads. */
export interface DeadlineLimits {
  readonly totalTimeout: number;
  readonly connectTimeout: number;
  readonly idleTimeout?: number;
  readonly signal: AbortSignal | null;
  readonly startTime: number;
}

/** Aborts an exchange when a limit passes or the caller cancels it. */
export class Deadline {
  readonly #controller = new AbortController();
  readonly #signal: AbortSignal | null;
  readonly #totalMs: number;
  readonly #connectMs: number;
  readonly #idleMs: number;
  /** `performance.now()` when the whole exchange must be over (Infinity: never). */
  totalAt: number;
  /** `performance.now()` when the response head must be in (Infinity: never). */
  connectAt: number;
  /** `performance.now()` of the last sign of progress (for the idle limit). */
  #lastActivity: number;
  /** Why the exchange was cut, once it was. */
  reason: NetError | null = null;

  /** @param limits the request's limits, its cancellation and its start time */
  constructor(limits: DeadlineLimits) {
    const { totalTimeout, connectTimeout, idleTimeout, signal, startTime } = limits;
    this.#signal = signal;
    this.#totalMs = totalTimeout;
    this.#connectMs = connectTimeout;
    this.#idleMs = idleTimeout ?? 0;
    this.#lastActivity = startTime;
    this.totalAt = totalTimeout > 0 ? startTime + totalTimeout : Infinity;
    this.connectAt = connectTimeout > 0 && connectTimeout < (totalTimeout || Infinity)
      ? startTime + connectTimeout
      : Infinity;
    if (this.totalAt !== Infinity || this.connectAt !== Infinity || this.#idleMs > 0) {
      clock.add(this);
    }
    if (signal) {
      if (signal.aborted) this.cutBy(signal);
      else watch(signal, this);
    }
  }

  /** A sign of progress (response head, body chunk, body bytes sent): restarts the idle limit. */
  touch(): void {
    if (this.#idleMs > 0) this.#lastActivity = performance.now();
  }

  /** The signal to hand `fetch`. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The response head arrived: the connect limit no longer applies. */
  headersArrived(): void {
    this.connectAt = Infinity;
  }

  /**
   * The transport enforces the connect limit on each new connection (the
   * loopback relay), so the response-head stand-in for it no longer applies.
   */
  releaseConnect(): void {
    this.connectAt = Infinity;
  }

  /** Stops the limits and the listener; call once the exchange is over. */
  clear(): void {
    clock.delete(this);
    if (this.#signal) watched.get(this.#signal)?.delete(this);
  }

  /** Called by the clock: cuts the exchange when a limit has passed. */
  check(now: number): void {
    if (now >= this.totalAt) {
      this.#cut(new NetError("TIMEOUT", `no complete response within ${this.#totalMs} ms`));
    } else if (now >= this.connectAt) {
      this.#cut(new NetError("TIMEOUT", `no response head within ${this.#connectMs} ms`));
    } else if (this.#idleMs > 0 && now - this.#lastActivity >= this.#idleMs) {
      this.#cut(new NetError("TIMEOUT", `no progress for ${this.#idleMs} ms`));
    }
  }

  /** Cuts the exchange because the caller's `signal` was aborted. */
  cutBy(signal: AbortSignal): void {
    const reason = signal.reason;
    this.#cut(reason instanceof NetError ? reason : new NetError("ABORTED", String(reason)));
  }

  #cut(reason: NetError): void {
    if (this.reason) return;
    this.reason = reason;
    this.clear();
    this.#controller.abort(reason);
  }
}

/**
 * The deadlines that follow each caller signal. A face's signal usually lives
 * as long as the face object and serves many requests: one listener on it,
 * added once, is much cheaper than a listener added and removed per request.
 */
const watched = new WeakMap<AbortSignal, Set<Deadline>>();

function watch(signal: AbortSignal, deadline: Deadline): void {
  let deadlines = watched.get(signal);
  if (!deadlines) {
    const followers = deadlines = new Set();
    watched.set(signal, followers);
    signal.addEventListener("abort", () => {
      for (const follower of [...followers]) follower.cutBy(signal);
    }, { once: true });
  }
  deadlines.add(deadline);
}

/** One timer for every pending deadline; it stops when none is pending. */
class Clock {
  readonly #pending = new Set<Deadline>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  add(deadline: Deadline): void {
    this.#pending.add(deadline);
    this.#timer ??= setTimeout(this.#tick, TICK_MS);
  }

  delete(deadline: Deadline): void {
    this.#pending.delete(deadline);
    if (this.#pending.size === 0 && this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  readonly #tick = (): void => {
    this.#timer = undefined;
    const now = performance.now();
    for (const deadline of this.#pending) deadline.check(now);
    if (this.#pending.size > 0) this.#timer = setTimeout(this.#tick, TICK_MS);
  };
}

const clock = new Clock();
