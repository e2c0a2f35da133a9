/**
 * Priority scheduling: a layer that limits requests in flight (in total and
 * per origin) and, when requests queue, starts the highest priority first,
 * first come first served within one priority.
 *
 * Without contention a request only bumps two counters.
 *
 * @module
 */

import { NetError } from "./errors.ts";
import type { CoreRequest, CoreResult, Dispatch, Layer, RequestEvents } from "./request.ts";

/** Limits on requests in flight. */
export interface SchedulerLimits {
  /** Requests in flight in total. */
  maxInFlight: number;
  /** Requests in flight to one origin (scheme, host and port). */
  maxInFlightPerOrigin: number;
}

/** Generous defaults: queueing is for real overload, not for normal use. */
export const DEFAULT_LIMITS: Readonly<SchedulerLimits> = {
  maxInFlight: 1024,
  maxInFlightPerOrigin: 256,
};

interface Waiter {
  readonly origin: string;
  readonly priority: number;
  readonly start: () => void;
}

/** Shares its limits between every layer it creates. */
export class Scheduler {
  #limits: SchedulerLimits = { ...DEFAULT_LIMITS };
  #inFlight = 0;
  readonly #perOrigin = new Map<string, number>();
  #queue: Waiter[] = [];

  /** Changes the limits; queued requests start at once if the new limits allow. */
  configure(limits: Partial<SchedulerLimits>): void {
    for (const [name, value] of Object.entries(limits)) {
      if (value === undefined) continue;
      if (!Number.isInteger(value) || value < 1) {
        throw new NetError(
          "INVALID_ARGUMENT",
          `'${name}' must be a positive integer, got ${value}`,
        );
      }
    }
    this.#limits = { ...this.#limits, ...limits };
    this.#drain();
  }

  /** The current limits. */
  get limits(): Readonly<SchedulerLimits> {
    return { ...this.#limits };
  }

  /** The layer that runs every request through this scheduler. */
  readonly layer: Layer = (next: Dispatch): Dispatch => (request, events) => {
    const origin = request.url.origin;
    if (this.#queue.length === 0 && this.#hasRoom(origin)) {
      // No contention: two counters, no extra promise hop.
      this.#take(origin);
      return next(request, events).finally(() => this.#release(origin));
    }
    return this.#queued(next, request, events, origin);
  };

  async #queued(
    next: Dispatch,
    request: CoreRequest,
    events: RequestEvents,
    origin: string,
  ): Promise<CoreResult> {
    await this.#wait(request, origin);
    try {
      return await next(request, events);
    } finally {
      this.#release(origin);
    }
  }

  #hasRoom(origin: string): boolean {
    return this.#inFlight < this.#limits.maxInFlight &&
      (this.#perOrigin.get(origin) ?? 0) < this.#limits.maxInFlightPerOrigin;
  }

  #take(origin: string): void {
    this.#inFlight++;
    this.#perOrigin.set(origin, (this.#perOrigin.get(origin) ?? 0) + 1);
  }

  #release(origin: string): void {
    this.#inFlight--;
    const count = this.#perOrigin.get(origin)! - 1;
    if (count === 0) this.#perOrigin.delete(origin);
    else this.#perOrigin.set(origin, count);
    this.#drain();
  }

  #wait(request: CoreRequest, origin: string): Promise<void> {
    const signal = request.signal;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        origin,
        priority: request.priority,
        start: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#queue = this.#queue.filter((entry) => entry !== waiter);
        const reason = signal!.reason;
        reject(reason instanceof NetError ? reason : new NetError("ABORTED", String(reason)));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#enqueue(waiter);
      this.#drain();
    });
  }

  /** Keeps the queue ordered by priority (high first), then arrival. */
  #enqueue(waiter: Waiter): void {
    let at = this.#queue.length;
    while (at > 0 && this.#queue[at - 1]!.priority < waiter.priority) at--;
    this.#queue.splice(at, 0, waiter);
  }

  #drain(): void {
    for (let i = 0; i < this.#queue.length;) {
      const waiter = this.#queue[i]!;
      if (this.#inFlight >= this.#limits.maxInFlight) return;
      if (this.#hasRoom(waiter.origin)) {
        this.#queue.splice(i, 1);
        this.#take(waiter.origin);
        waiter.start();
      } else {
        i++;
      }
    }
  }
}

/** The scheduler every face shares. */
export const scheduler: Scheduler = new Scheduler();

/**
 * Sets the limits of the request scheduler both faces share. Requests over
 * a limit wait, highest `priority` first.
 *
 * @param limits the limits to change
 * @throws {NetError} when a limit is not a positive integer
 *
 * @example Usage
 * ```ts
 * import { configureScheduler } from "@netstack/http";
 * configureScheduler({ maxInFlightPerOrigin: 8 });
 * configureScheduler({ maxInFlightPerOrigin: 256 }); // back to the default
 * ```
 */
export function configureScheduler(limits: Partial<SchedulerLimits>): void {
  scheduler.configure(limits);
}
