/**
 * Credentials out of messages. A password may hold `#`, `?`, `@` or `/`,
 * raw or percent-encoded, so the URL parser's idea of where userinfo ends
 * cannot be trusted here: everything between a URL's start and the last `@`
 * of its text is hidden, which may hide a little more than the userinfo but
 * never less.
 *
 * @module
 */

/** A URL's start: an optional scheme with its slashes. */
const URL_START = /^(\s*(?:[a-z][a-z0-9+.-]*:(?=[\\/]))?[\\/]*)/i;

/** What a URL cannot straddle in a message: quotes, brackets and spaces (kept by `split`). */
const DELIMITERS = /([\s'"()<>]+)/;

/**
 * One URL (or host) as typed, with everything up to its last `@` replaced by
 * `…`: `http://user:p#ss@host/` becomes `http://…@host/`.
 *
 * @example
 * ```ts
 * import { redactCredentials } from "./redact.ts";
 * redactCredentials("https://me:s3cr#t@example.com/x"); // "https://…@example.com/x"
 * ```
 */
export function redactCredentials(input: string): string {
  const at = input.lastIndexOf("@");
  if (at < 0) return input;
  const start = URL_START.exec(input)?.[1] ?? "";
  return `${start}…${input.slice(at)}`;
}

/**
 * A message with the credentials of every URL in it hidden (see
 * {@linkcode redactCredentials}); the same string when it has none.
 *
 * @example
 * ```ts
 * import { redactText } from "./redact.ts";
 * redactText("cannot reach (http://u:p@proxy:8080)"); // "cannot reach (http://…@proxy:8080)"
 * ```
 */
export function redactText(text: string): string {
  if (!text.includes("@")) return text;
  // Split, not a regex over the whole text: linear however long a hostile Location is.
  return text.split(DELIMITERS).map((run) => run.includes("@") ? redactCredentials(run) : run)
    .join("");
}

/**
 * `cause` without credentials: the error itself when its messages (down the
 * `cause` chain) hold none, otherwise a copy that keeps only the redacted text.
 */
export function redactCause(cause: unknown): unknown {
  if (!(cause instanceof Error)) {
    return typeof cause === "string" ? redactText(cause) : cause;
  }
  let clean = true;
  for (let e: unknown = cause; e instanceof Error && clean; e = e.cause) {
    clean = redactText(e.message) === e.message;
  }
  if (clean) return cause;
  const copy = new Error(redactText(cause.message), { cause: redactCause(cause.cause) });
  copy.name = cause.name;
  copy.stack = `${copy.name}: ${copy.message}`;
  return copy;
}
