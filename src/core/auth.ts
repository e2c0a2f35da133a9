/**
 * HTTP Basic authentication (RFC 7617) for the faces: the `Authorization`
 * value they add to a request. The pipeline drops it when a redirect leaves
 * the origin (`CROSS_ORIGIN_STRIPPED_HEADERS`), so credentials never reach
 * another server.
 *
 * @module
 */

import { NetError } from "./errors.ts";

const encoder = new TextEncoder();

/**
 * The `Authorization` header value for Basic authentication, the
 * credentials encoded as UTF-8 (RFC 7617 `charset="UTF-8"`).
 *
 * @param username may not contain `:` (RFC 7617 §2) nor CR, LF or NUL
 * @param password any text without CR, LF or NUL
 * @throws {NetError} `INVALID_ARGUMENT` for a username with `:` or a control character
 */
export function basicAuthorization(username: string, password: string): string {
  if (username.includes(":")) {
    throw new NetError("INVALID_ARGUMENT", "a Basic auth username must not contain ':'");
  }
  if (/[\r\n\0]/.test(username + password)) {
    throw new NetError("INVALID_ARGUMENT", "Basic auth credentials must not contain CR, LF or NUL");
  }
  const bytes = encoder.encode(`${username}:${password}`);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}
