/**
 * Which `HttpInterceptorChain` is applied to which `HttpRequest`, and which
 * objects are `HttpRequest`s (each registers itself), without an import
 * circle between the two classes.
 *
 * @module
 */

/** The chain of a request object, as `find()` exposes it. */
export interface AppliedChain {
  find(type: string): unknown;
}

const applied = new WeakMap<object, AppliedChain>();
const requests = new WeakSet<object>();

/** Called by `HttpRequest`'s constructor: `apply` accepts only registered objects. */
export function registerRequest(request: object): void {
  requests.add(request);
}

/** Whether `value` is a registered request object. */
export function isRequestObject(value: unknown): value is object {
  return typeof value === "object" && value !== null && requests.has(value);
}

/** Attaches `chain` to `request`, replacing any earlier one. */
export function attachChain(request: object, chain: AppliedChain): void {
  applied.set(request, chain);
}

/** The chain applied to `request`, if any. */
export function chainOf<T extends AppliedChain>(request: object): T | undefined {
  return applied.get(request) as T | undefined;
}
