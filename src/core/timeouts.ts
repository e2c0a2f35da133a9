/**
 * The timers of one exchange over one `AbortController`: a total limit, a
 * limit on reaching the response head, an idle limit (no progress), and the
 * caller's own signal. The reason the exchange was cut is kept, so failures
 * are classified once.
 *
 * A timer per request costs real throughput (a `setTimeout` plus a
 * `clearTimeout` for every request, and a short timer slows Deno's event
 * loop on every turn), so all deadlines share one clock whose single timer
 * is set for the earliest moment any pending deadline can expire, and only
 * while some deadline is pending.
 *
 * @module
 */

import { NetError } from "./errors.ts";
import { LinkedList, ListNode } from "./linked_list.ts";

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
  /** The deadlines following the caller's signal, this one among them; `null` without a signal. */
  #followers: LinkedList<Deadline> | null = null;
  /** Its place among them. */
  #following: ListNode<Deadline> | null = null;
  /** Its place on the clock; `null` when no limit can expire. */
  #timed: ListNode<Deadline> | null = null;
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
    this.#totalMs = totalTimeout;
    this.#connectMs = connectTimeout;
    this.#idleMs = idleTimeout ?? 0;
    this.#lastActivity = startTime;
    this.totalAt = totalTimeout > 0 ? startTime + totalTimeout : Infinity;
    this.connectAt = connectTimeout > 0 && connectTimeout < (totalTimeout || Infinity)
      ? startTime + connectTimeout
      : Infinity;
    if (this.nextCheck() !== Infinity) clock.add(this.#timed = new ListNode(this));
    if (signal) {
      if (signal.aborted) this.cutBy(signal);
      else {
        this.#followers = followersOf(signal);
        this.#followers.add(this.#following = new ListNode(this));
      }
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
    if (this.#timed?.listed) clock.delete(this.#timed);
    if (this.#following) this.#followers!.delete(this.#following);
  }

  /** The earliest `performance.now()` at which a limit can have passed (Infinity: never). */
  nextCheck(): number {
    const idleAt = this.#idleMs > 0 ? this.#lastActivity + this.#idleMs : Infinity;
    return Math.min(this.totalAt, this.connectAt, idleAt);
  }

  /** Called by the clock: cuts the exchange when a limit has passed. */
  check(now: number): void {
    if (now >= this.totalAt) {
      this.#cut(
        new NetError("TIMEOUT", `no complete response within ${this.#totalMs} ms`, {
          details: { limit: "total-time", max: this.#totalMs },
        }),
      );
    } else if (now >= this.connectAt) {
      this.#cut(
        new NetError("TIMEOUT", `no response head within ${this.#connectMs} ms`, {
          details: { limit: "connect-time", max: this.#connectMs, phase: "headers" },
        }),
      );
    } else if (this.#idleMs > 0 && now - this.#lastActivity >= this.#idleMs) {
      this.#cut(
        new NetError("TIMEOUT", `no progress for ${this.#idleMs} ms`, {
          details: { limit: "idle-time", max: this.#idleMs },
        }),
      );
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
const watched = new WeakMap<AbortSignal, LinkedList<Deadline>>();

/** The followers of `signal`, which the signal's abort cuts. */
function followersOf(signal: AbortSignal): LinkedList<Deadline> {
  let followers = watched.get(signal);
  if (!followers) {
    const list = followers = new LinkedList<Deadline>();
    watched.set(signal, list);
    signal.addEventListener("abort", () => list.forEach((node) => node.item.cutBy(signal)), {
      once: true,
    });
  }
  return followers;
}

/**
 * One timer for every pending deadline, set for the earliest one. It is an
 * `AbortSignal.timeout()`, not a `setTimeout()`: Deno 2.9.6's global
 * `setTimeout` is Node's, and its first use loads the Node compatibility
 * layer (about 4 MiB and 10–20 ms, on the first request of every process).
 * Such a timer cannot be cleared, but it holds the process open only while
 * it has a listener: the listener is there only while a deadline is pending,
 * and a timer that fires before any deadline is due just sets the next one.
 */
class Clock {
  readonly #pending = new LinkedList<Deadline>();
  #timer: AbortSignal | null = null;
  /** When the timer fires (Infinity: no timer). */
  #at = Infinity;

  add(node: ListNode<Deadline>): void {
    if (this.#pending.empty && this.#timer) {
      if (this.#timer.aborted) this.#drop();
      else this.#timer.addEventListener("abort", this.#tick);
    }
    this.#pending.add(node);
    // Requests with the same limits expire in the order they start: usually no new timer.
    this.#schedule(node.item.nextCheck());
  }

  delete(node: ListNode<Deadline>): void {
    this.#pending.delete(node);
    if (this.#pending.empty) this.#timer?.removeEventListener("abort", this.#tick);
  }

  #schedule(at: number): void {
    if (at >= this.#at) return;
    this.#drop();
    this.#at = at;
    this.#timer = AbortSignal.timeout(Math.max(0, Math.ceil(at - performance.now())));
    this.#timer.addEventListener("abort", this.#tick);
  }

  /** Forgets the timer: without a listener it fires unheard and holds nothing open. */
  #drop(): void {
    this.#timer?.removeEventListener("abort", this.#tick);
    this.#timer = null;
    this.#at = Infinity;
  }

  readonly #tick = (): void => {
    this.#drop();
    const now = performance.now();
    let next = Infinity;
    this.#pending.forEach((node) => {
      node.item.check(now);
      // A deadline that was cut left the list; the others may have moved (progress, head).
      if (node.listed) next = Math.min(next, node.item.nextCheck());
    });
    // At least 1 ms on: a timer that fires a little early must not spin.
    if (next !== Infinity) this.#schedule(Math.max(next, now + 1));
  };
}

const clock = new Clock();
