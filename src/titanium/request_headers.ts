/**
 * The request headers `setRequestHeader` collects for the next `send()`:
 * repeated names joined, `null` removing a header (the default
 * `X-Requested-With` included), and a refused header kept to fail `send()`.
 *
 * @module
 */

import type { NetError } from "../core/errors.ts";
import { checkHeader, checkHeaderSize } from "../core/url.ts";

/** Headers by lower-case name; `null` marks one removed. */
export class RequestHeaders {
  readonly #values = new Map<string, string | null>();
  #refused: NetError | null = null;

  /** Why a header was refused: `send()` ends in `onerror` with it. `null` when none was. */
  get refused(): NetError | null {
    return this.#refused;
  }

  /** Sets, joins (`", "`, `"; "` for `Cookie`) or, with `null`, removes a header. */
  set(name: string, value: string | null): void {
    const key = String(name).toLowerCase();
    if (value === null || value === undefined) {
      this.#values.set(key, null);
      return;
    }
    const text = String(value);
    try {
      checkHeader("setRequestHeader", String(name), text);
    } catch (error) {
      // Kept for send(): a bad header ends in onerror, like every other problem with a request.
      this.#refused = error as NetError;
      return;
    }
    const old = this.#values.get(key);
    this.#values.set(key, old == null ? text : `${old}${key === "cookie" ? "; " : ", "}${text}`);
  }

  /** Forgets every header and refusal, for an `open()` after a `send()`. */
  clear(): void {
    this.#values.clear();
    this.#refused = null;
  }

  /** The headers to send: `X-Requested-With: XMLHttpRequest` unless removed, then those set. */
  toHeaders(): Headers {
    const headers = new Headers();
    if (!this.#values.has("x-requested-with")) headers.set("x-requested-with", "XMLHttpRequest");
    if (this.#values.size === 0) return headers; // the default alone: no size to check
    for (const [key, value] of this.#values) {
      if (value === null) headers.delete(key);
      else headers.set(key, value);
    }
    checkHeaderSize("setRequestHeader", headers);
    return headers;
  }
}
