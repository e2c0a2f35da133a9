/**
 * Titanium's proxy events (`addEventListener`, `removeEventListener`,
 * `fireEvent`): listeners by event name, called in the order they were
 * added with `this` set to the proxy and an event that carries `type` and
 * `source`. A listener that throws is reported and the others still run.
 *
 * @module
 */

import { callBack } from "./callbacks.ts";

/** A listener of a proxy event. */
// deno-lint-ignore no-explicit-any
export type ProxyListener = (this: any, event: any) => void;

/** The listeners of one proxy. */
export class ProxyEvents {
  readonly #listeners = new Map<string, ProxyListener[]>();
  readonly #onCountChange: ((name: string, count: number) => void) | null;

  /** @param onCountChange told how many listeners `name` has after each change */
  constructor(onCountChange: ((name: string, count: number) => void) | null = null) {
    this.#onCountChange = onCountChange;
  }

  /** Adds `listener` for `name` (once: adding it again does nothing). */
  add(name: string, listener: unknown): void {
    if (typeof listener !== "function") {
      throw new TypeError(`addEventListener('${name}'): the listener must be a function`);
    }
    const list = this.#listeners.get(name) ?? [];
    if (list.includes(listener as ProxyListener)) return;
    list.push(listener as ProxyListener);
    this.#listeners.set(name, list);
    this.#onCountChange?.(name, list.length);
  }

  /** Removes `listener` for `name`, if it was added. */
  remove(name: string, listener: unknown): void {
    const list = this.#listeners.get(name);
    const at = list?.indexOf(listener as ProxyListener) ?? -1;
    if (!list || at < 0) return;
    list.splice(at, 1);
    if (list.length === 0) this.#listeners.delete(name);
    this.#onCountChange?.(name, list.length);
  }

  /** How many listeners `name` has. */
  count(name: string): number {
    return this.#listeners.get(name)?.length ?? 0;
  }

  /** Calls the listeners of `name` with `{ ...event, type: name, source }`. */
  fire(source: unknown, name: string, event: unknown): void {
    const list = this.#listeners.get(name);
    if (!list) return;
    const payload = {
      ...(typeof event === "object" && event !== null ? event : {}),
      type: name,
      source,
      bubbles: false,
      cancelBubble: false,
    };
    for (const listener of [...list]) callBack(source, listener, payload, `'${name}' listener`);
  }
}
