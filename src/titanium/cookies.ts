/**
 * `Ti.Network.Cookie` and the `Ti.Network` cookie functions, over the one
 * RFC 6265 cookie jar (`tough-cookie`) that every `HTTPClient` shares: the
 * pipeline fills it from `Set-Cookie` on every response, redirect hops
 * included, and sends what matches. The jar lives in memory for the life of
 * the process; it is not persisted.
 *
 * @module
 */

import {
  Cookie as ToughCookie,
  CookieJar,
  domainMatch,
  MemoryCookieStore,
  pathMatch,
} from "tough-cookie";
import { JarCookieStore } from "../core/cookies.ts";

/** What `Network.createCookie(props)` accepts: the properties of a `Cookie`. */
export interface CookieProperties {
  /** The cookie name. */
  name?: string;
  /** The cookie value. */
  value?: string;
  /** A host (`example.com`: that host only) or `.example.com` (it and its subdomains). */
  domain?: string;
  /** The path it is sent under; `"/"` when not given. */
  path?: string;
  /** Sent over https only. */
  secure?: boolean;
  /** Not readable by scripts (kept and reported; an HTTP client has no scripts). */
  httponly?: boolean;
  /** When it expires; none for a session cookie. */
  expiryDate?: Date | string | null;
  /** Lifetime in seconds; -1 for a session cookie. Wins over `expiryDate`. */
  maxAge?: number;
  /** A comment (RFC 2965), kept as given. */
  comment?: string | null;
  /** The cookie version (RFC 2965), kept as given. */
  version?: number;
}

const store = new MemoryCookieStore();
const jar = new CookieJar(store);

/** The cookie store every `HTTPClient` hands the pipeline. */
export const sharedCookieStore: JarCookieStore = new JarCookieStore(jar);

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[;\r\n\0]/;

/**
 * A cookie of the shared jar, or one to add to it. Create it with
 * `Network.createCookie(props)`.
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * import assert from "node:assert/strict";
 * const cookie = Network.createCookie({ name: "session", value: "abc", domain: "127.0.0.1" });
 * assert.equal(cookie.path, "/");
 * assert.ok(cookie.isValid());
 * Network.addHTTPCookie(cookie);
 * assert.equal(Network.getHTTPCookies("127.0.0.1", "/", "session")[0]?.value, "abc");
 * Network.removeHTTPCookie("127.0.0.1", "/", "session");
 * ```
 */
export class Cookie {
  /** `"Ti.Network.Cookie"`. */
  readonly apiName: "Ti.Network.Cookie" = "Ti.Network.Cookie";
  /** The cookie name. */
  name: string | null;
  /** The cookie value. */
  value: string | null;
  /** `example.com` for that host only, `.example.com` for it and its subdomains. */
  domain: string | null;
  /** The path the cookie is sent under; `"/"` by default, as on iOS. */
  path: string | null;
  /** Sent over https only. */
  secure: boolean;
  /** Marked HttpOnly. */
  httponly: boolean;
  /** When it expires, or `null` for a session cookie (or one with `maxAge`). */
  expiryDate: Date | null;
  /** Lifetime in seconds from when it was stored; -1 when not set. Wins over `expiryDate`. */
  maxAge: number;
  /** RFC 2965 comment, or `null`. */
  comment: string | null;
  /** RFC 2965 version (0 for the usual Netscape-style cookie). */
  version: number;

  /**
   * Creates a cookie (not yet in the jar: see {@linkcode addHTTPCookie}).
   *
   * @param props the initial properties; see {@linkcode CookieProperties}
   */
  constructor(props: CookieProperties = {}) {
    this.name = props.name ?? null;
    this.value = props.value ?? null;
    this.domain = props.domain ?? null;
    this.path = props.path ?? "/";
    this.secure = props.secure ?? false;
    this.httponly = props.httponly ?? false;
    this.expiryDate = toDate(props.expiryDate);
    this.maxAge = props.maxAge ?? -1;
    this.comment = props.comment ?? null;
    this.version = props.version ?? 0;
  }

  /**
   * Whether the cookie can be stored: a token for a name, a value without
   * `;`, CR, LF or NUL, a domain, and a path starting with `/` (Android asks
   * for the four to be set; the syntax checks are RFC 6265's).
   *
   * @returns `true` when {@linkcode addHTTPCookie} would store it
   *
   * @example Usage
   * ```ts
   * import { Network } from "@netstack/http";
   * console.assert(!Network.createCookie({ name: "a", value: "1" }).isValid()); // no domain
   * ```
   */
  isValid(): boolean {
    return typeof this.name === "string" && TOKEN.test(this.name) &&
      typeof this.value === "string" && !BAD_VALUE.test(this.value) &&
      typeof this.domain === "string" && bareDomain(this.domain) !== "" &&
      typeof this.path === "string" && this.path.startsWith("/") &&
      (this.expiryDate === null || !Number.isNaN(this.expiryDate.getTime())) &&
      Number.isFinite(this.maxAge);
  }
}

/**
 * Adds a cookie to the jar every `HTTPClient` uses, replacing one with the
 * same name, domain and path. An expired cookie removes that one instead.
 * A cookie for which `isValid()` is false is ignored.
 *
 * @param cookie a {@linkcode Cookie} (or its properties)
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * import assert from "node:assert/strict";
 * await using server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   (req) => new Response(req.headers.get("cookie") ?? ""),
 * );
 * Network.addHTTPCookie(Network.createCookie({ name: "theme", value: "dark", domain: "127.0.0.1" }));
 * const xhr = Network.createHTTPClient();
 * xhr.open("GET", `http://127.0.0.1:${server.addr.port}/`);
 * await xhr.send();
 * assert.match(xhr.responseText ?? "", /theme=dark/);
 * Network.removeHTTPCookie("127.0.0.1", "/", "theme");
 * ```
 */
export function addHTTPCookie(cookie: Cookie | CookieProperties): void {
  const ti = cookie instanceof Cookie ? cookie : new Cookie(cookie);
  if (!ti.isValid()) return;
  const tough = toTough(ti);
  const ttl = tough.TTL();
  if (ttl <= 0) {
    sync((cb) => store.removeCookie(tough.domain ?? "", tough.path ?? "/", tough.key, cb));
    return;
  }
  sync((cb) => store.putCookie(tough, cb));
}

/**
 * The cookies the jar would send to `domain` under `path` (RFC 6265 domain
 * and path matching), with the name `name`. A `null` or empty path or name
 * matches any. Always an array, empty when nothing matches.
 *
 * @param domain a host name, e.g. `www.example.com` (a leading dot is ignored)
 * @param path a request path, e.g. `/docs/`; `null` for any path
 * @param name a cookie name; `null` for any name
 * @returns matching cookies, as new {@linkcode Cookie} objects
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * import assert from "node:assert/strict";
 * Network.addHTTPCookie({ name: "a", value: "1", domain: ".example.test", path: "/docs" });
 * assert.equal(Network.getHTTPCookies("www.example.test", "/docs/intro", "a").length, 1);
 * assert.deepEqual(Network.getHTTPCookies("www.example.test", "/", "a"), []);
 * Network.removeHTTPCookiesForDomain("example.test");
 * ```
 */
export function getHTTPCookies(
  domain: string,
  path: string | null,
  name: string | null,
): Cookie[] {
  return matching(domain, path, name).map(fromTough);
}

/**
 * Every cookie the jar would send to `domain`, whatever its path.
 *
 * @param domain a host name (a leading dot is ignored)
 * @returns matching cookies; an empty array when none
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * console.assert(Array.isArray(Network.getHTTPCookiesForDomain("nothing.test")));
 * ```
 */
export function getHTTPCookiesForDomain(domain: string): Cookie[] {
  return getHTTPCookies(domain, null, null);
}

/**
 * Removes the cookies {@linkcode getHTTPCookies} returns for the same arguments.
 *
 * @param domain a host name (a leading dot is ignored)
 * @param path a request path; `null` for any path
 * @param name a cookie name; `null` for any name
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * Network.addHTTPCookie({ name: "x", value: "1", domain: "127.0.0.1" });
 * Network.removeHTTPCookie("127.0.0.1", "/", "x");
 * console.assert(Network.getHTTPCookies("127.0.0.1", "/", "x").length === 0);
 * ```
 */
export function removeHTTPCookie(domain: string, path: string | null, name: string | null): void {
  for (const cookie of matching(domain, path, name)) remove(cookie);
}

/**
 * Removes every cookie the jar would send to `domain`.
 *
 * @param domain a host name (a leading dot is ignored)
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * Network.addHTTPCookie({ name: "x", value: "1", domain: ".example.test" });
 * Network.removeHTTPCookiesForDomain("example.test");
 * console.assert(Network.getHTTPCookiesForDomain("example.test").length === 0);
 * ```
 */
export function removeHTTPCookiesForDomain(domain: string): void {
  removeHTTPCookie(domain, null, null);
}

/**
 * Empties the jar every `HTTPClient` shares.
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * Network.removeAllHTTPCookies();
 * ```
 */
export function removeAllHTTPCookies(): void {
  jar.removeAllCookiesSync();
}

/** Removes what the jar would send to the host of `host` (a URL or a bare host name). */
export function clearCookiesFor(host: string): void {
  const text = String(host).trim();
  let hostname: string;
  try {
    hostname = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`).hostname;
  } catch {
    return;
  }
  removeHTTPCookiesForDomain(hostname.replace(/^\[|\]$/g, ""));
}

function matching(domain: unknown, path: unknown, name: unknown): ToughCookie[] {
  if (typeof domain !== "string") return [];
  const host = bareDomain(domain);
  if (host === "") return [];
  const now = Date.now();
  return all().filter((cookie) =>
    (cookie.hostOnly ? cookie.domain === host : domainMatch(host, cookie.domain, false) === true) &&
    (typeof path !== "string" || path === "" || pathMatch(path, cookie.path ?? "/")) &&
    (typeof name !== "string" || name === "" || cookie.key === name) &&
    (cookie.expiryTime(new Date(now)) ?? Infinity) > now
  );
}

function all(): ToughCookie[] {
  return sync<ToughCookie[]>((cb) => store.getAllCookies(cb));
}

function remove(cookie: ToughCookie): void {
  sync((cb) => store.removeCookie(cookie.domain ?? "", cookie.path ?? "/", cookie.key, cb));
}

/** Runs a `MemoryCookieStore` method, which calls back before returning. */
function sync<T = void>(run: (cb: (error: Error | null, value?: T) => void) => void): T {
  let done = false;
  let result: T | undefined;
  let failure: Error | null = null;
  run((error, value) => {
    done = true;
    failure = error;
    result = value;
  });
  if (!done) throw new Error("the cookie store did not answer synchronously");
  if (failure) throw failure;
  return result as T;
}

function bareDomain(domain: string): string {
  return domain.trim().replace(/^\./, "").toLowerCase();
}

function toDate(value: Date | string | null | undefined): Date | null {
  if (value === null || value === undefined || value === "") return null;
  return value instanceof Date ? value : new Date(value);
}

function toTough(cookie: Cookie): ToughCookie {
  const extensions: string[] = [];
  if (cookie.comment !== null) extensions.push(`Comment=${cookie.comment}`);
  if (cookie.version) extensions.push(`Version=${cookie.version}`);
  return new ToughCookie({
    key: cookie.name!,
    value: cookie.value!,
    domain: bareDomain(cookie.domain!),
    hostOnly: !cookie.domain!.trim().startsWith("."),
    path: cookie.path!,
    secure: cookie.secure,
    httpOnly: cookie.httponly,
    expires: cookie.expiryDate ?? "Infinity",
    maxAge: cookie.maxAge >= 0 ? cookie.maxAge : null,
    extensions: extensions.length ? extensions : null,
  });
}

function fromTough(cookie: ToughCookie): Cookie {
  const extension = (name: string): string | null => {
    const prefix = `${name.toLowerCase()}=`;
    const found = cookie.extensions?.find((e) => e.toLowerCase().startsWith(prefix));
    return found === undefined ? null : found.slice(prefix.length);
  };
  const expiry = cookie.expiryTime();
  return new Cookie({
    name: cookie.key,
    value: cookie.value,
    domain: cookie.hostOnly ? cookie.domain ?? "" : `.${cookie.domain}`,
    path: cookie.path ?? "/",
    secure: cookie.secure,
    httponly: cookie.httpOnly,
    expiryDate: expiry === undefined || !Number.isFinite(expiry) ? null : new Date(expiry),
    maxAge: typeof cookie.maxAge === "number" ? cookie.maxAge : -1,
    comment: extension("Comment"),
    version: Number(extension("Version") ?? 0) || 0,
  });
}
