/**
 * Which `HttpInterceptorChain` is applied to which `HttpRequest`, and which
 * objects are `HttpRequest`s (the class registers its brand check), without an import
 * circle between the two classes.
 *
 * @module
 */

/** The chain of a request object, as `find()` exposes it. */
export interface AppliedChain {
  find(type: string): unknown;
}

const applied = new WeakMap<object, AppliedChain>();
/** Whether a value is a request object: the request class's own brand check, set when it loads. */
let isRequest: (value: object) => boolean = () => false;

/**
 * Called once by the `HttpRequest` class: `apply` accepts only objects that
 * pass `check` (a private-field brand check: no per-object registration).
 */
export function registerRequestCheck(check: (value: object) => boolean): void {
  isRequest = check;
}

/** Whether `value` is a request object. */
export function isRequestObject(value: unknown): value is object {
  return typeof value === "object" && value !== null && isRequest(value);
}

/** Attaches `chain` to `request`, replacing any earlier one. */
export function attachChain(request: object, chain: AppliedChain): void {
  applied.set(request, chain);
}

/** The chain applied to `request`, if any. */
export function chainOf<T extends AppliedChain>(request: object): T | undefined {
  return applied.get(request) as T | undefined;
}
