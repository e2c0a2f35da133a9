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
  #followers: Followers | null = null;
  /** Its neighbours in that list. */
  earlierFollower: Deadline | null = null;
  laterFollower: Deadline | null = null;
  /** Whether the clock holds this deadline. */
  timed = false;
  /** The clock's neighbours while it holds this deadline (its list, see `Clock`). */
  earlier: Deadline | null = null;
  later: Deadline | null = null;
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
    if (this.nextCheck() !== Infinity) {
      this.timed = true;
      clock.add(this);
    }
    if (signal) {
      if (signal.aborted) this.cutBy(signal);
      else this.#followers = watch(signal, this);
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
    if (this.timed) {
      this.timed = false;
      clock.delete(this);
    }
    if (this.#followers) {
      unfollow(this.#followers, this);
      this.#followers = null;
    }
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
 * They are a list linked through the deadlines, as the clock's (a `Set`
 * would rebuild its table every few requests).
 */
interface Followers {
  latest: Deadline | null;
}

const watched = new WeakMap<AbortSignal, Followers>();

/** Makes `deadline` follow `signal`; returns the list it joined. */
function watch(signal: AbortSignal, deadline: Deadline): Followers {
  let followers = watched.get(signal);
  if (!followers) {
    const list: Followers = followers = { latest: null };
    watched.set(signal, list);
    signal.addEventListener("abort", () => {
      let follower = list.latest;
      while (follower) {
        const earlier = follower.earlierFollower; // a cut follower leaves the list
        follower.cutBy(signal);
        follower = earlier;
      }
    }, { once: true });
  }
  deadline.earlierFollower = followers.latest;
  deadline.laterFollower = null;
  if (followers.latest) followers.latest.laterFollower = deadline;
  followers.latest = deadline;
  return followers;
}

/** Takes `deadline` off the list of a signal's followers. */
function unfollow(followers: Followers, deadline: Deadline): void {
  const { earlierFollower: earlier, laterFollower: later } = deadline;
  if (earlier) earlier.laterFollower = later;
  if (later) later.earlierFollower = earlier;
  else followers.latest = earlier;
  deadline.earlierFollower = deadline.laterFollower = null;
}

/**
 * One timer for every pending deadline, set for the earliest one. It is an
 * `AbortSignal.timeout()`, not a `setTimeout()`: Deno 2.9.6's global
 * `setTimeout` is Node's, and its first use loads the Node compatibility
 * layer (about 4 MiB and 10–20 ms, on the first request of every process).
 * Such a timer cannot be cleared, but it holds the process open only while
 * it has a listener: the listener is there only while a deadline is pending,
 * and a timer that fires before any deadline is due just sets the next one.
 *
 * The pending deadlines form a list linked through the deadlines themselves:
 * a `Set` of them, with requests coming and going, rebuilt its table every
 * few additions (an insertion-ordered table does not reuse deleted slots),
 * which cost 33k instructions per request (bench:instructions, 13 B).
 */
class Clock {
  /** The most recently added pending deadline; the list runs on through `earlier`. */
  #latest: Deadline | null = null;
  #timer: AbortSignal | null = null;
  /** When the timer fires (Infinity: no timer). */
  #at = Infinity;

  add(deadline: Deadline): void {
    if (this.#latest === null && this.#timer) {
      if (this.#timer.aborted) this.#drop();
      else this.#timer.addEventListener("abort", this.#tick);
    }
    deadline.earlier = this.#latest;
    deadline.later = null;
    if (this.#latest) this.#latest.later = deadline;
    this.#latest = deadline;
    // Requests with the same limits expire in the order they start: usually no new timer.
    this.#schedule(deadline.nextCheck());
  }

  /** Takes a pending `deadline` off the list (the caller knows it is on it). */
  delete(deadline: Deadline): void {
    const { earlier, later } = deadline;
    if (earlier) earlier.later = later;
    if (later) later.earlier = earlier;
    else this.#latest = earlier;
    deadline.earlier = deadline.later = null;
    if (this.#latest === null) this.#timer?.removeEventListener("abort", this.#tick);
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
    let deadline = this.#latest;
    while (deadline) {
      // A deadline that is cut leaves the list: note the next one first.
      const earlier = deadline.earlier;
      deadline.check(now);
      // The others may have moved (progress, head).
      if (deadline.timed) next = Math.min(next, deadline.nextCheck());
      deadline = earlier;
    }
    // At least 1 ms on: a timer that fires a little early must not spin.
    if (next !== Infinity) this.#schedule(Math.max(next, now + 1));
  };
}

const clock = new Clock();
