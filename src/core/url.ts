/**
 * URL and header checks shared by the faces: a URL the pipeline can send,
 * and header names and values that cannot smuggle a second header.
 *
 * @module
 */

import { NetError } from "./errors.ts";

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\r\n\0]/;

/**
 * Parses a request URL. Like libcurl, a URL without a scheme is taken as
 * `http://`; only http and https are sent.
 */
export function parseRequestUrl(input: string): URL {
  const text = input.trim();
  if (text === "") throw new NetError("BAD_URL", "the URL is empty");
  let url: URL;
  try {
    url = new URL(HAS_SCHEME.test(text) ? text : `http://${text}`);
  } catch {
    throw new NetError("BAD_URL", `'${input}' is not a valid URL`);
  }
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

/** Refuses a header name that is not a token or a value with CR, LF or NUL. */
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
}
