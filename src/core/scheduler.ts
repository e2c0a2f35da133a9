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
  readonly start: (slot: Slot) => void;
}

/** The count of one origin's requests in flight, held by each of them. */
interface Slot {
  count: number;
}

/** Shares its limits between every layer it creates. */
export class Scheduler {
  #limits: SchedulerLimits = { ...DEFAULT_LIMITS };
  #inFlight = 0;
  /** Requests in flight per origin; an origin leaves the map when its count drops to 0. */
  readonly #perOrigin = new Map<string, Slot>();
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
      // No contention: two counters, no extra promise hop (`finally` would cost two).
      const slot = this.#take(origin);
      return next(request, events).then((result) => {
        this.#release(origin, slot);
        return result;
      }, (error) => {
        this.#release(origin, slot);
        throw error;
      });
    }
    return this.#queued(next, request, events, origin);
  };

  async #queued(
    next: Dispatch,
    request: CoreRequest,
    events: RequestEvents,
    origin: string,
  ): Promise<CoreResult> {
    const slot = await this.#wait(request, origin);
    try {
      return await next(request, events);
    } finally {
      this.#release(origin, slot);
    }
  }

  #hasRoom(origin: string): boolean {
    return this.#inFlight < this.#limits.maxInFlight &&
      (this.#perOrigin.get(origin)?.count ?? 0) < this.#limits.maxInFlightPerOrigin;
  }

  #take(origin: string): Slot {
    this.#inFlight++;
    let slot = this.#perOrigin.get(origin);
    if (slot) slot.count++;
    else this.#perOrigin.set(origin, slot = { count: 1 });
    return slot;
  }

  #release(origin: string, slot: Slot): void {
    this.#inFlight--;
    if (--slot.count === 0) this.#perOrigin.delete(origin);
    if (this.#queue.length > 0) this.#drain();
  }

  #wait(request: CoreRequest, origin: string): Promise<Slot> {
    const signal = request.signal;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        origin,
        priority: request.priority,
        start: (slot) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(slot);
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
        waiter.start(this.#take(waiter.origin));
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
