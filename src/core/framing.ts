/**
 * Message framing rules (RFC 9112 §6.3), checked by the pipeline on every
 * response whatever transport carried it (the socket engine's parser applies
 * them too), so no two paths disagree on where a body ends: a response with
 * both `Transfer-Encoding` and `Content-Length` (a smuggling attempt), or with
 * a `Content-Length` that is not one decimal number, is an error, and the
 * connection that carried it is not reused.
 *
 * @module
 */

import { NetError } from "./errors.ts";

const DIGITS = /^\d+$/;

/**
 * The body length a response's head declares, or `null` when it declares
 * none; throws `BAD_RESPONSE` when the head is mis-framed. Repeated equal
 * values (`5, 5`) count as one, as RFC 9110 §8.6 allows.
 *
 * @example
 * ```ts
 * import { framedLength } from "./framing.ts";
 * framedLength(new Headers({ "content-length": "5" })); // 5
 * ```
 */
export function framedLength(headers: Headers): number | null {
  const length = headers.get("content-length");
  if (headers.has("transfer-encoding")) {
    if (length !== null) {
      throw new NetError(
        "BAD_RESPONSE",
        "the response has both Transfer-Encoding and Content-Length (RFC 9112 §6.3)",
      );
    }
    return null;
  }
  if (length === null) return null;
  if (DIGITS.test(length)) return Number(length);
  const values = length.split(",").map((value) => value.trim());
  if (values.every((value) => DIGITS.test(value) && value === values[0])) {
    return Number(values[0]);
  }
  throw new NetError("BAD_RESPONSE", `the response has an invalid Content-Length '${length}'`);
}
