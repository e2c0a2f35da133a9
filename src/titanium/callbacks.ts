/**
 * Calling an `HTTPClient`'s callbacks as Titanium does: `this` is the
 * client, and a callback that throws is reported without ending the
 * request or skipping the callbacks that follow.
 *
 * @module
 */

import type { HTTPClient } from "./http_client.ts";

/** The client properties that hold callbacks. */
export type CallbackName =
  | "onload"
  | "onerror"
  | "onreadystatechange"
  | "ondatastream"
  | "onsendstream";

/** Calls `client[name]` with `event`, if it is a function. */
export function fire<K extends CallbackName>(
  client: HTTPClient,
  name: K,
  event: Parameters<NonNullable<HTTPClient[K]>>[0],
): void {
  const callback = client[name] as ((this: HTTPClient, e: typeof event) => void) | null;
  if (typeof callback !== "function") return;
  try {
    callback.call(client, event);
  } catch (error) {
    reportError(error);
  }
}
