/**
 * Calling a Titanium callback: `this` is the object it belongs to, and a
 * callback that throws is reported (on the console, as Titanium logs it)
 * without ending the transfer or skipping the callbacks that follow.
 *
 * @module
 */

/** Calls `callback` with `this` set to `self`, if it is a function; never throws. */
export function callBack<T, E>(self: T, callback: unknown, event: E, where: string): void {
  if (typeof callback !== "function") return;
  try {
    (callback as (this: T, e: E) => void).call(self, event);
  } catch (error) {
    reportThrow(where, error);
  }
}

/** Reports an exception thrown by app code: logged, never rethrown (the transfer's outcome stands). */
export function reportThrow(where: string, error: unknown): void {
  // deno-lint-ignore no-console
  console.error(`[Ti.Network] ${where} threw:`, error);
}
