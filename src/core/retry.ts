/**
 * Retries as a layer: a request that carries a {@linkcode RetryPolicy} is
 * sent again after a transient failure, with exponential backoff and jitter,
 * or after the server's `Retry-After`.
 *
 * - Transient: a timeout, a connection lost or closed without an answer, a
 *   body cut short, an HTTP/2 framing error, a refused connection when the
 *   policy says so, and the statuses 408, 429, 500, 502, 503 and 504.
 * - Only idempotent methods (RFC 9110 §9.2.2) unless the policy allows all.
 * - Never once a body byte has reached the caller: a retried response's
 *   head and body are held back from the caller's events.
 * - No retry starts after `maxTime` ms from the first attempt (0: no limit);
 *   the caller's signal cancels a wait at once.
 *
 * A request without a policy costs one property check.
 *
 * @module
 */

import { invalidArgument, NetError } from "./errors.ts";
import type {
  CoreRequest,
  CoreResult,
  Dispatch,
  Layer,
  RequestEvents,
  ResponseHead,
} from "./request.ts";

/** How a request is retried. */
export interface RetryPolicy {
  /** Attempts after the first one. */
  readonly retries: number;
  /** No retry starts later than this many ms after the first attempt started; 0 for no limit. */
  readonly maxTime: number;
  /** The first wait in ms; doubled for each retry unless `fixedDelay`. */
  readonly delay: number;
  /** Wait `delay` every time instead of backing off. */
  readonly fixedDelay: boolean;
  /** Retry methods that are not idempotent (POST, PATCH, …) too. */
  readonly allMethods: boolean;
  /** Count a refused or unreachable connection as transient. */
  readonly connectionRefused: boolean;
}

/**
 * Retries as a caller asks for them (both faces take this shape, or a plain
 * number of retries). Only `retries` is required.
 *
 * @example Usage
 * ```ts
 * import type { RetryOptions } from "@netstack/http";
 * const retry: RetryOptions = { retries: 5, maxTime: 60_000, delay: 500 };
 * ```
 */
export interface RetryOptions {
  /** Attempts after the first one, 0 to 100. */
  retries: number;
  /** No retry starts later than this many ms after the first attempt; 0 (default) for no limit. */
  maxTime?: number;
  /** The first wait in ms (default 1000), doubled with jitter per retry; `Retry-After` wins. */
  delay?: number;
  /** Wait `delay` each time instead of backing off. */
  fixedDelay?: boolean;
  /** Retry POST, PATCH and other non-idempotent methods too. */
  allMethods?: boolean;
  /** Count a refused connection as transient too. */
  connectionRefused?: boolean;
}

/** The first wait when the caller sets none: 1 s, as curl. */
export const DEFAULT_RETRY_DELAY = 1000;

/**
 * Reads a caller's retry setting into a policy; `undefined`, `null` and 0
 * retries give none. Throws an `INVALID_ARGUMENT` error naming `field`.
 *
 * @example Usage
 * ```ts
 * import { readRetrySetting } from "./retry.ts";
 * console.assert(readRetrySetting(3, "retry")?.delay === 1000);
 * ```
 */
export function readRetrySetting(value: unknown, field: string): RetryPolicy | undefined {
  if (value === undefined || value === null) return undefined;
  const setting = typeof value === "number" ? { retries: value } : value;
  if (typeof setting !== "object") {
    invalidArgument(field, "must be a number of retries or an object with 'retries'", value);
  }
  const o = setting as Record<string, unknown>;
  const retries = integer(o.retries, typeof value === "number" ? field : `${field}.retries`, 100);
  if (retries === undefined) invalidArgument(`${field}.retries`, "is required", undefined);
  if (retries === 0) return undefined;
  return {
    retries,
    maxTime: integer(o.maxTime, `${field}.maxTime`, 2 ** 31 - 1) ?? 0,
    delay: integer(o.delay, `${field}.delay`, MAX_RETRY_WAIT) ?? DEFAULT_RETRY_DELAY,
    fixedDelay: flag(o.fixedDelay, `${field}.fixedDelay`),
    allMethods: flag(o.allMethods, `${field}.allMethods`),
    connectionRefused: flag(o.connectionRefused, `${field}.connectionRefused`),
  };
}

function integer(value: unknown, field: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0 || value > max) {
    invalidArgument(field, `must be an integer from 0 to ${max}`, value);
  }
  return value;
}

function flag(value: unknown, field: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") invalidArgument(field, "must be a boolean", value);
  return value;
}

/** Methods a retry cannot make happen twice in effect (RFC 9110 §9.2.2). */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set([
  "GET",
  "HEAD",
  "PUT",
  "DELETE",
  "OPTIONS",
  "TRACE",
]);

/** Statuses that say "try again later". */
export const RETRIED_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** The longest wait between two attempts, whatever the backoff or `Retry-After` says: 10 minutes. */
export const MAX_RETRY_WAIT = 600_000;

const TRANSIENT = new Set([
  "TIMEOUT",
  "EMPTY_REPLY",
  "RECEIVE_FAILED",
  "PARTIAL_BODY",
  "HTTP2_FRAMING",
]);

/**
 * The retry layer. Put it above the cache, so each retry is a request of
 * its own for the layers below.
 *
 * @example Usage
 * ```ts
 * import { retryLayer } from "./retry.ts";
 * import type { Dispatch } from "./request.ts";
 * const below: Dispatch = () => Promise.reject(new Error("not sent in this example"));
 * const dispatch: Dispatch = retryLayer(below);
 * ```
 */
export const retryLayer: Layer = (next: Dispatch): Dispatch => (request, events) => {
  const policy = request.retry;
  if (!policy || policy.retries <= 0) return next(request, events);
  if (!policy.allMethods && !IDEMPOTENT_METHODS.has(request.method)) return next(request, events);
  return withRetries(request, events, next, policy);
};

async function withRetries(
  first: CoreRequest,
  events: RequestEvents,
  next: Dispatch,
  policy: RetryPolicy,
): Promise<CoreResult> {
  const began = performance.now();
  let streamed = false;
  for (let attempt = 0;; attempt++) {
    // The wait before the next attempt, once this one turned out transient; null: deliver.
    let retryAfter: number | null = null;
    const mayRetry = (head: ResponseHead | null, error: unknown): number | null => {
      if (streamed || attempt >= policy.retries) return null;
      if (head && !(head.final && RETRIED_STATUSES.has(head.status))) return null;
      if (!head && !isTransient(error, policy)) return null;
      const wait = waitBefore(attempt, policy, head?.headers ?? null);
      const elapsed = performance.now() - began + wait;
      return policy.maxTime > 0 && elapsed > policy.maxTime ? null : wait;
    };
    const request = attempt === 0 ? first : { ...first, startTime: performance.now() };
    const watched: RequestEvents = {
      ...events,
      onHeaders(head) {
        retryAfter = mayRetry(head, null);
        if (retryAfter === null) return events.onHeaders?.(head);
      },
    };
    if (events.onData) {
      watched.onData = (chunk, transferable) => {
        if (retryAfter !== null) return;
        streamed = true;
        return events.onData!(chunk, transferable);
      };
    }
    if (events.onDownloadProgress) {
      watched.onDownloadProgress = (received, total) => {
        if (retryAfter === null) events.onDownloadProgress!(received, total);
      };
    }
    let wait: number | null;
    try {
      const result = await next(request, watched);
      if (retryAfter === null) return result;
      wait = retryAfter;
    } catch (error) {
      wait = retryAfter ?? mayRetry(null, error);
      if (wait === null) throw error;
    }
    await sleep(wait, first.signal);
  }
}

function isTransient(error: unknown, policy: RetryPolicy): boolean {
  if (!(error instanceof NetError)) return false;
  return TRANSIENT.has(error.code) || (policy.connectionRefused && error.code === "CONNECT_FAILED");
}

/** `Retry-After` (seconds or an HTTP date) when the server sent one, else the backoff with jitter. */
function waitBefore(attempt: number, policy: RetryPolicy, headers: Headers | null): number {
  const after = headers ? retryAfterMs(headers.get("retry-after")) : null;
  if (after !== null) return Math.min(after, MAX_RETRY_WAIT);
  if (policy.fixedDelay) return Math.min(policy.delay, MAX_RETRY_WAIT);
  // Equal jitter: half of the doubled delay is fixed, half random, so clients spread out.
  const backoff = Math.min(policy.delay * 2 ** attempt, MAX_RETRY_WAIT);
  return backoff / 2 + Math.random() * backoff / 2;
}

/** A `Retry-After` value in ms from now, or null when absent or unreadable. */
export function retryAfterMs(value: string | null): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/** Waits `ms`; the caller's signal ends the wait with its reason. */
function sleep(ms: number, signal: AbortSignal | null): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function abortReason(signal: AbortSignal): NetError {
  const reason = signal.reason;
  return reason instanceof NetError ? reason : new NetError("ABORTED", String(reason));
}
