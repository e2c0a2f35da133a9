/**
 * Cookie storage for the pipeline, on RFC 6265 rules from `tough-cookie`.
 *
 * The pipeline asks a {@linkcode CookieStore} for the `Cookie` header of each
 * hop and hands it every `Set-Cookie` it receives, so cookies set by a
 * redirect reach the next hop, and only where RFC 6265 allows.
 *
 * @module
 */

import { type Cookie, CookieJar, MemoryCookieStore } from "tough-cookie";

export type { Cookie };

/** Where the pipeline gets and puts cookies. */
export interface CookieStore {
  /** The `Cookie` header value for `url`, or `""`; synchronous when nothing is stored. */
  cookieHeader(url: URL): string | Promise<string>;
  /** Stores the `Set-Cookie` values received from `url`; ones RFC 6265 rejects are dropped. */
  store(url: URL, setCookies: readonly string[]): Promise<void>;
}

/** A cookie store on a `tough-cookie` jar, created only when a cookie arrives. */
export class JarCookieStore implements CookieStore {
  #jar: CookieJar | null;

  /** @param jar an existing jar to share, or none to start empty */
  constructor(jar?: CookieJar) {
    this.#jar = jar ?? null;
  }

  /** The `Cookie` header value for `url`, or `""` at once while the jar is empty. */
  cookieHeader(url: URL): string | Promise<string> {
    return this.#jar && !isEmpty(this.#jar) ? this.#jar.getCookieString(url.href) : "";
  }

  /** Stores what RFC 6265 accepts of the `Set-Cookie` values received from `url`. */
  async store(url: URL, setCookies: readonly string[]): Promise<void> {
    if (setCookies.length === 0) return;
    this.#jar ??= new CookieJar();
    for (const value of setCookies) {
      await this.#jar.setCookie(value, url.href, { ignoreError: true });
    }
  }

  /** Every stored cookie; at once while the jar is empty. */
  cookies(): Cookie[] | Promise<Cookie[]> {
    return this.#jar && !isEmpty(this.#jar) ? this.#jar.store.getAllCookies() : [];
  }
}

/**
 * `true` when a memory jar has never held a cookie: asking `tough-cookie`
 * costs a shared, empty jar several µs per request.
 */
function isEmpty(jar: CookieJar): boolean {
  if (!(jar.store instanceof MemoryCookieStore)) return false;
  for (const _ in jar.store.idx) return false;
  return true;
}

/**
 * Formats cookies as lines of a Netscape cookie file, as libcurl's
 * `CURLINFO_COOKIELIST` does: `domain TAILMATCH path SECURE expires name value`
 * separated by tabs, `#HttpOnly_` before the domain of HttpOnly cookies.
 */
export function netscapeCookieLines(cookies: readonly Cookie[]): string[] {
  return cookies.map((cookie) => {
    const hostOnly = cookie.hostOnly !== false;
    const domain = `${cookie.httpOnly ? "#HttpOnly_" : ""}${hostOnly ? "" : "."}${
      cookie.domain ?? ""
    }`;
    const expiry = cookie.expiryTime() ?? Infinity;
    const expires = Number.isFinite(expiry) ? Math.floor(expiry / 1000) : 0;
    return [
      domain,
      hostOnly ? "FALSE" : "TRUE",
      cookie.path ?? "/",
      cookie.secure ? "TRUE" : "FALSE",
      String(expires),
      cookie.key,
      cookie.value,
    ].join("\t");
  });
}
