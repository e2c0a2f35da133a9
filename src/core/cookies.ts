/**
 * Cookie storage for the pipeline, on RFC 6265 rules from `tough-cookie`.
 *
 * The pipeline asks a {@linkcode CookieStore} for the `Cookie` header of each
 * hop and hands it every `Set-Cookie` it receives, so cookies set by a
 * redirect reach the next hop, and only where RFC 6265 allows.
 *
 * @module
 */

import type { Cookie, CookieJar } from "tough-cookie";

export type { Cookie };

/** `tough-cookie`, once loaded: with its public suffix list it costs ~18 MiB, so not at import. */
let tough: typeof import("tough-cookie") | null = null;

/**
 * Loads `tough-cookie` (once); the first cookie to store or send waits for it.
 *
 * @example
 * ```ts
 * import { loadCookieLibrary } from "./cookies.ts";
 * const { CookieJar } = await loadCookieLibrary();
 * new CookieJar();
 * ```
 */
export async function loadCookieLibrary(): Promise<typeof import("tough-cookie")> {
  return tough ??= await import("tough-cookie");
}

/** `tough-cookie` if {@linkcode loadCookieLibrary} has loaded it, else `null`. */
export function loadedCookieLibrary(): typeof import("tough-cookie") | null {
  return tough;
}

/** Where a {@linkcode JarCookieStore} gets a jar it shares with others. */
export interface JarSource {
  /** The jar, a promise of it while it is being opened, or `null` while nothing was stored. */
  peek(): CookieJar | Promise<CookieJar> | null;
  /** The jar, created (and the library loaded) if need be. */
  open(): Promise<CookieJar>;
}

/**
 * The jar's bounds: RFC 6265 §6.1 asks for at least 50 cookies per domain
 * and 3000 in all; browsers keep about 180 per domain. Past a bound, the
 * least recently used cookies go first (RFC 6265 §5.3).
 */
export const COOKIE_LIMITS = {
  /** Cookies with the same `domain` field. */
  perDomain: 180,
  /** Cookies in one jar. */
  total: 3000,
  /** Name and value of one cookie, in characters (RFC 6265bis §5.6). */
  nameValue: 4096,
  /**
   * The `Cookie` header the jar sends, in characters: what servers accept
   * in one header line (nginx 8 KiB, Apache 8190 bytes with the name).
   * Cookies past it are left out, the most specific (longest path) kept.
   */
  header: 8000,
} as const;

/** Where the pipeline gets and puts cookies. */
export interface CookieStore {
  /** The `Cookie` header value for `url`, or `""`; synchronous when nothing is stored. */
  cookieHeader(url: URL): string | Promise<string>;
  /** Stores the `Set-Cookie` values received from `url`; ones RFC 6265 rejects are dropped. */
  store(url: URL, setCookies: readonly string[]): Promise<void>;
}

/**
 * A cookie store on a `tough-cookie` jar, created only when a cookie arrives.
 * On top of the jar's RFC 6265 rules it keeps the jar within
 * {@linkcode COOKIE_LIMITS} and never lets a response that did not come
 * over https replace or shadow a `Secure` cookie (RFC 6265bis §5.7, "Leave
 * Secure Cookies Alone").
 */
export class JarCookieStore implements CookieStore {
  #jar: CookieJar | null = null;
  readonly #source: JarSource | null;

  /** @param jar an existing jar (or a source of one) to share, or none to start empty */
  constructor(jar?: CookieJar | JarSource) {
    if (jar && "peek" in jar && "open" in jar) this.#source = jar as JarSource;
    else {
      this.#source = null;
      this.#jar = (jar as CookieJar | undefined) ?? null;
    }
  }

  #peek(): CookieJar | Promise<CookieJar> | null {
    return this.#source ? this.#source.peek() : this.#jar;
  }

  /** The `Cookie` header value for `url`, or `""` at once while the jar is empty. */
  cookieHeader(url: URL): string | Promise<string> {
    const jar = this.#peek();
    if (jar instanceof Promise) return jar.then((opened) => this.#header(opened, url));
    return jar && !isEmpty(jar) ? this.#header(jar, url) : "";
  }

  /** Stores what RFC 6265 accepts of the `Set-Cookie` values received from `url`. */
  async store(url: URL, setCookies: readonly string[]): Promise<void> {
    if (setCookies.length === 0) return;
    const { Cookie, CookieJar } = await loadCookieLibrary();
    const jar = this.#source ? await this.#source.open() : this.#jar ??= new CookieJar();
    const secured = url.protocol === "https:" || isEmpty(jar)
      ? null
      : (await jar.store.getAllCookies()).filter((cookie) => cookie.secure);
    for (const value of setCookies) {
      const cookie = Cookie.parse(value);
      if (!cookie || cookie.key.length + cookie.value.length > COOKIE_LIMITS.nameValue) continue;
      if (secured?.length && shadowsSecure(cookie, url, secured)) continue;
      await jar.setCookie(cookie, url.href, { ignoreError: true });
    }
    await this.#evict(jar);
  }

  /** Every stored cookie; at once while the jar is empty. */
  cookies(): Cookie[] | Promise<Cookie[]> {
    const jar = this.#peek();
    if (jar instanceof Promise) return jar.then((opened) => opened.store.getAllCookies());
    return jar && !isEmpty(jar) ? jar.store.getAllCookies() : [];
  }

  /** The cookies for `url` in RFC 6265 order, as many as fit in the header bound. */
  async #header(jar: CookieJar, url: URL): Promise<string> {
    let header = "";
    for (const cookie of await jar.getCookies(url.href)) {
      const pair = cookie.cookieString();
      const length = header.length + (header ? 2 : 0) + pair.length;
      if (length > COOKIE_LIMITS.header) continue;
      header = header ? `${header}; ${pair}` : pair;
    }
    return header;
  }

  /** Drops expired cookies, then the least recently used past each bound. */
  async #evict(jar: CookieJar): Promise<void> {
    const all = await jar.store.getAllCookies();
    if (all.length <= COOKIE_LIMITS.perDomain) return;
    const now = Date.now();
    const byDomain = new Map<string, Cookie[]>();
    const doomed = new Set<Cookie>();
    for (const cookie of all) {
      if (cookie.TTL(now) <= 0) doomed.add(cookie);
      else {
        const list = byDomain.get(cookie.domain ?? "") ?? [];
        list.push(cookie);
        byDomain.set(cookie.domain ?? "", list);
      }
    }
    for (const list of byDomain.values()) {
      if (list.length <= COOKIE_LIMITS.perDomain) continue;
      list.sort(leastRecentFirst);
      for (const cookie of list.slice(0, list.length - COOKIE_LIMITS.perDomain)) doomed.add(cookie);
    }
    const kept = all.filter((cookie) => !doomed.has(cookie));
    if (kept.length > COOKIE_LIMITS.total) {
      kept.sort(leastRecentFirst);
      for (const cookie of kept.slice(0, kept.length - COOKIE_LIMITS.total)) doomed.add(cookie);
    }
    for (const cookie of doomed) {
      await jar.store.removeCookie(cookie.domain, cookie.path, cookie.key);
    }
  }
}

function leastRecentFirst(a: Cookie, b: Cookie): number {
  const used = lastUse(a) - lastUse(b);
  return used !== 0 ? used : (a.creationIndex ?? 0) - (b.creationIndex ?? 0);
}

function lastUse(cookie: Cookie): number {
  const at = cookie.lastAccessed ?? cookie.creation;
  return at instanceof Date ? at.getTime() : 0;
}

/**
 * RFC 6265bis §5.7 step 16: a cookie from a non-https response is ignored
 * when a `Secure` cookie of the same name exists whose domain matches its
 * domain (either way) and whose path its path matches.
 */
function shadowsSecure(cookie: Cookie, url: URL, secured: readonly Cookie[]): boolean {
  const { canonicalDomain, defaultPath, domainMatch, pathMatch } = tough!;
  const domain = canonicalDomain(cookie.domain) ?? canonicalDomain(url.hostname) ?? "";
  const path = cookie.path?.startsWith("/") ? cookie.path : defaultPath(url.pathname);
  return secured.some((existing) =>
    existing.key === cookie.key && existing.domain != null &&
    (domainMatch(existing.domain, domain) || domainMatch(domain, existing.domain)) &&
    pathMatch(path, existing.path ?? "/")
  );
}

/**
 * `true` when a memory jar has never held a cookie: asking `tough-cookie`
 * costs a shared, empty jar several µs per request.
 */
function isEmpty(jar: CookieJar): boolean {
  if (!tough || !(jar.store instanceof tough.MemoryCookieStore)) return false;
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
