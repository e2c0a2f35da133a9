/**
 * The listeners of one `HttpRequest`: several per event, `once` for any
 * event, shared by all of its requests.
 *
 * @module
 */

import { NetError } from "../core/errors.ts";

/** The event names `on`, `off` and `once` accept. */
export const EVENT_TYPES = [
  "headerReceive",
  "headersReceive",
  "dataReceive",
  "dataEnd",
  "dataReceiveProgress",
  "dataSendProgress",
] as const;

/** One of {@linkcode EVENT_TYPES}. */
export type EventType = typeof EVENT_TYPES[number];

// deno-lint-ignore no-explicit-any
type Listener = (...args: any[]) => void;
type Entry = { fn: Listener; once: boolean };

/** Listeners by event; listener errors are reported, never thrown into the request. */
export class EventHub {
  /** Made with the first listener: most request objects never get one. */
  #map: Map<EventType, Entry[]> | null = null;
  /** Changes whenever an event gains its first listener or loses its last. */
  version = 0;

  /** Adds a listener; the same function twice is kept once. */
  add(type: unknown, fn: unknown, once: boolean): void {
    const event = checkType(type);
    if (typeof fn !== "function") throw parameterError("'callback' must be a function");
    const listeners = this.#map ??= new Map<EventType, Entry[]>();
    const list = listeners.get(event) ?? [];
    if (!list.some((entry) => entry.fn === fn)) list.push({ fn: fn as Listener, once });
    if (!listeners.has(event)) this.version++;
    listeners.set(event, list);
  }

  /** Removes one listener, or every listener of the event without `fn`. */
  remove(type: unknown, fn?: unknown): void {
    const event = checkType(type);
    const listeners = this.#map;
    if (fn === undefined) {
      if (listeners?.delete(event)) this.version++;
      return;
    }
    if (typeof fn !== "function") throw parameterError("'callback' must be a function");
    const list = listeners?.get(event)?.filter((entry) => entry.fn !== fn);
    if (list?.length) listeners!.set(event, list);
    else if (listeners?.delete(event)) this.version++;
  }

  /** Whether anyone listens to `type`. */
  has(type: EventType): boolean {
    return this.#map !== null && this.#map.has(type);
  }

  /** Calls the listeners of `type` with `args`. */
  emit(type: EventType, ...args: unknown[]): void {
    const list = this.#map?.get(type);
    if (!list) return;
    for (const entry of [...list]) {
      if (entry.once) this.remove(type, entry.fn);
      try {
        entry.fn(...args);
      } catch (error) {
        reportAppError(`a '${type}' listener`, error);
      }
    }
  }
}

/**
 * Reports an exception thrown by app code (a listener, a callback) and
 * returns: the transfer's own outcome stands. Like `reportError()`, it fires
 * a cancelable `error` event on `globalThis`, which the app may take
 * (`preventDefault()`); unlike it, an event nobody takes is logged with
 * `console.error`, never made fatal.
 */
export function reportAppError(where: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  const event = new ErrorEvent("error", { error, message, cancelable: true });
  if (globalThis.dispatchEvent(event)) {
    // deno-lint-ignore no-console
    console.error(`[@ohos.net.http] ${where} threw:`, error);
  }
}

function checkType(type: unknown): EventType {
  if (!EVENT_TYPES.includes(type as EventType)) {
    throw parameterError(`'type' must be one of ${EVENT_TYPES.join(", ")}, got ${String(type)}`);
  }
  return type as EventType;
}

/** What OpenHarmony throws from `on`/`off` with bad arguments: an Error with code 401. */
function parameterError(detail: string): Error & { code: number } {
  const error = new NetError("INVALID_ARGUMENT", detail);
  return Object.assign(new Error(error.message), { name: "BusinessError", code: 401 });
}
