/**
 * URL and header checks shared by the faces: a URL the pipeline can send,
 * and header names and values that cannot smuggle a second header.
 *
 * @module
 */

import { NetError } from "./errors.ts";
import { redactCredentials } from "./redact.ts";

export { redactCredentials };

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const HTTP_SCHEME = /^\s*https?:/i;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\r\n\0]/;
const NOT_FIELD_VALUE = /[^\t\x20-\xff]/;

/**
 * The URL text with `http://` in front when it names no scheme, as libcurl
 * does. `http:` and `https:` followed by any number of slashes (or none) are
 * a scheme, as the WHATWG URL parser reads them: `https:/host` is
 * `https://host`, never plain http to a host named `https`.
 *
 * @example
 * ```ts
 * import { withDefaultScheme } from "./url.ts";
 * withDefaultScheme("example.com/x"); // "http://example.com/x"
 * withDefaultScheme("https:/example.com/x"); // unchanged: new URL() reads https://example.com/x
 * ```
 */
export function withDefaultScheme(text: string): string {
  return HAS_SCHEME.test(text) || HTTP_SCHEME.test(text) ? text : `http://${text}`;
}

/**
 * Parses a request URL with the WHATWG parser. Like libcurl, a URL without
 * a scheme is taken as `http://` (see {@linkcode withDefaultScheme}); only
 * http and https are sent.
 */
export function parseRequestUrl(input: string): URL {
  const text = input.trim();
  if (text === "") throw new NetError("BAD_URL", "the URL is empty");
  let url: URL;
  try {
    url = new URL(withDefaultScheme(text));
  } catch {
    throw new NetError("BAD_URL", `'${redactCredentials(input)}' is not a valid URL`);
  }
  return checkRequestUrl(url);
}

/**
 * `url` when the pipeline may send it: http or https, without credentials
 * (the checks of {@linkcode parseRequestUrl} after parsing).
 */
export function checkRequestUrl(url: URL): URL {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new NetError("UNSUPPORTED_PROTOCOL", `'${url.protocol}' is not http: or https:`);
  }
  if (url.username || url.password) {
    throw new NetError(
      "INVALID_ARGUMENT",
      "'url' must not contain credentials; send them in an Authorization header",
    );
  }
  return url;
}

/** `true` when `name` is an RFC 9110 token. */
export function isToken(name: string): boolean {
  return TOKEN.test(name);
}

/**
 * Refuses a header name that is not a token, a value with CR, LF or NUL, and a
 * value with other control characters or characters past U+00FF.
 */
export function checkHeader(field: string, name: string, value: string): void {
  if (!isToken(name)) {
    throw new NetError(
      "INVALID_ARGUMENT",
      `'${field}' has an invalid header name ${JSON.stringify(name)}`,
    );
  }
  if (BAD_VALUE.test(value)) {
    throw new NetError(
      "INVALID_ARGUMENT",
      `'${field}.${name}' must not contain CR, LF or NUL characters`,
    );
  }
  // RFC 9110 field values: no control characters but HTAB; fetch's Headers also refuse
  // anything past U+00FF (it would fail later as an internal error).
  if (NOT_FIELD_VALUE.test(value)) {
    throw new NetError(
      "INVALID_ARGUMENT",
      `'${field}.${name}' must contain only Latin-1 characters and no control characters`,
    );
  }
}

/** The most request header bytes (names, values and separators) accepted, as servers commonly allow. */
export const MAX_HEADER_BYTES = 64 * 1024;

/** Refuses a header map larger than {@linkcode MAX_HEADER_BYTES}; most servers would answer 431. */
export function checkHeaderSize(field: string, headers: Headers): void {
  let size = 0;
  headers.forEach((value, name) => size += name.length + value.length + 4);
  if (size > MAX_HEADER_BYTES) {
    throw new NetError(
      "INVALID_ARGUMENT",
      `'${field}' holds ${size} bytes of headers, more than the limit of ${MAX_HEADER_BYTES}`,
    );
  }
}
