/**
 * `HttpInterceptorChain`: the interceptors one `HttpRequest` runs, at most
 * one per {@linkcode InterceptorType}. `addChain` and `apply` throw
 * `BusinessError`s as the declaration says: 2300801 for a value that is not
 * an interceptor (or not an `HttpRequest`), 2300802 for a type already in
 * the chain.
 *
 * @module
 */

import { InterceptorType } from "./enums.ts";
import { attachChain, isRequestObject } from "./interceptor_registry.ts";
import type { HttpInterceptor } from "./types.ts";

const TYPES = new Set<string>(Object.values(InterceptorType));

/**
 * An interceptor chain: add interceptors (one per type), then apply it to
 * an `HttpRequest`; its `request()` calls run them (`requestInStream()`
 * does not, as in OpenHarmony).
 *
 * @example Usage
 * ```ts
 * import http from "@netstack/http";
 * const chain = new http.HttpInterceptorChain();
 * chain.addChain([{
 *   interceptorType: http.InterceptorType.INITIAL_REQUEST,
 *   interceptorHandle: (req) => {
 *     (req.header as Record<string, string>)["x-trace"] = "1";
 *     return Promise.resolve(true);
 *   },
 * }]);
 * const req = http.createHttp();
 * chain.apply(req);
 * req.destroy();
 * ```
 */
export class HttpInterceptorChain {
  readonly #interceptors: HttpInterceptor[] = [];

  /**
   * The interceptors added so far.
   *
   * @returns a copy of the chain, in the order added
   */
  getChain(): HttpInterceptor[] {
    return [...this.#interceptors];
  }

  /**
   * Adds interceptors, at most one per type in the whole chain.
   *
   * @param chain the interceptors to add
   * @returns `true`
   * @throws {BusinessError} 2300801 when an entry is not an interceptor, 2300802 for a duplicate type
   */
  addChain(chain: HttpInterceptor[]): boolean {
    let list: HttpInterceptor[];
    try {
      if (!Array.isArray(chain)) throw interceptorError(2300801, "'chain' must be an array");
      list = chain.map((entry, i) => checkInterceptor(entry, i));
    } catch (error) {
      if (isCoded(error)) throw error;
      throw interceptorError(2300999, `the chain could not be read (${errorName(error)})`);
    }
    const types = new Set(this.#interceptors.map((entry) => entry.interceptorType));
    for (const entry of list) {
      if (types.has(entry.interceptorType)) {
        throw interceptorError(
          2300802,
          `Duplicated interceptor type in the chain: ${entry.interceptorType}`,
        );
      }
      types.add(entry.interceptorType);
    }
    this.#interceptors.push(...list);
    return true;
  }

  /**
   * Attaches this chain to `httpRequest` (replacing any chain attached before).
   *
   * @param httpRequest a request object from `http.createHttp()`
   * @returns `true`
   * @throws {BusinessError} 2300801 when `httpRequest` is not an `HttpRequest`
   */
  apply(httpRequest: object): boolean {
    if (!isRequestObject(httpRequest)) {
      throw interceptorError(2300801, "'httpRequest' must be an HttpRequest");
    }
    attachChain(httpRequest, this);
    return true;
  }

  /**
   * The interceptor of `type`, if the chain has one (not in OpenHarmony).
   *
   * @param type the interceptor type
   * @returns the interceptor, or `undefined`
   */
  find(type: InterceptorType): HttpInterceptor | undefined {
    return this.#interceptors.find((entry) => entry.interceptorType === type);
  }
}

function checkInterceptor(entry: unknown, i: number): HttpInterceptor {
  const value = entry as Partial<HttpInterceptor> | null;
  if (
    typeof value !== "object" || value === null || !TYPES.has(value.interceptorType as string) ||
    typeof value.interceptorHandle !== "function"
  ) {
    throw interceptorError(
      2300801,
      `Parameter type not supported by the interceptor: chain[${i}] needs an InterceptorType and an interceptorHandle function`,
    );
  }
  return value as HttpInterceptor;
}

/** What the declaration's `@throws { BusinessError }` means: an Error with a numeric `code`. */
function interceptorError(code: number, message: string): Error & { code: number } {
  return Object.assign(new Error(message), { name: "BusinessError", code });
}

function isCoded(error: unknown): boolean {
  return error instanceof Error && typeof (error as { code?: unknown }).code === "number";
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
