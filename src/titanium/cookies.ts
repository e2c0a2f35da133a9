/**
 * `Ti.Network.Cookie` and the `Ti.Network` cookie functions, over the one
 * RFC 6265 cookie jar (`tough-cookie`) that every `HTTPClient` shares: the
 * pipeline fills it from `Set-Cookie` on every response, redirect hops
 * included, and sends what matches. The jar lives in memory for the life of
 * the process; it is not persisted.
 *
 * @module
 */

import type { Cookie as ToughCookie, CookieJar, MemoryCookieStore } from "tough-cookie";
import { defineAccessors, type Getters, type Setters } from "./accessors.ts";
import { ProxyEvents } from "./proxy_events.ts";
import { ipVersion } from "../core/ip_literal.ts";
import { JarCookieStore, loadCookieLibrary, loadedCookieLibrary } from "../core/cookies.ts";

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
  /** When it expires (a `Date`, or text such as `2030-01-01T00:00:00.000+0000`); none for a session cookie. */
  expiryDate?: Date | string | null;
  /** Lifetime in seconds; -1 for a session cookie. Wins over `expiryDate`. */
  maxAge?: number;
  /** A comment (RFC 2965), kept as given. */
  comment?: string | null;
  /** The cookie version (RFC 2965), kept as given. */
  version?: number;
  /** The URL the cookie belongs to (iOS); its host is the domain when `domain` is not set. */
  originalUrl?: string;
}

/**
 * The jar every `HTTPClient` uses and, as Android's second store, the system
 * (WebView) one: there is no WebView here, it is a separate store that no
 * `HTTPClient` reads, kept so that code managing both stores runs unchanged.
 *
 * Both are `tough-cookie` memory stores once that library is loaded (the
 * first request that sends or stores a cookie loads it, and so does the
 * first `add…Cookie()`), not at import: it costs ~18 MiB. Until then the
 * cookies added are kept in {@linkcode early}, which answers the synchronous
 * functions by the same rules, and move into the stores when they open.
 */
let stores: { http: MemoryCookieStore; system: MemoryCookieStore; jar: CookieJar } | null = null;
let opening: Promise<CookieJar> | null = null;

/** A cookie added before the library was loaded, and when (the start of its `maxAge`). */
interface EarlyCookie {
  readonly cookie: Cookie;
  readonly at: number;
}
const early: Record<Store, EarlyCookie[]> = { http: [], system: [] };
type Store = "http" | "system";

/** The stores, opened now if the library is loaded; `null` if it is not. */
function opened(): typeof stores {
  if (stores) return stores;
  const tough = loadedCookieLibrary();
  if (!tough) return null;
  const http = new tough.MemoryCookieStore();
  stores = { http, system: new tough.MemoryCookieStore(), jar: new tough.CookieJar(http) };
  for (const name of ["http", "system"] as const) {
    for (const { cookie, at } of early[name]) add(stores[name], cookie, at);
    early[name] = [];
  }
  return stores;
}

/** The shared jar, the library loaded first if need be. */
function openJar(): Promise<CookieJar> {
  const now = opened();
  if (now) return Promise.resolve(now.jar);
  return opening ??= loadCookieLibrary().then(() => opened()!.jar);
}

/** The cookie store every `HTTPClient` hands the pipeline. */
export const sharedCookieStore: JarCookieStore = new JarCookieStore({
  peek: () => opened()?.jar ?? (early.http.length > 0 ? openJar() : null),
  open: openJar,
});

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[;\r\n\0]/;

/**
 * A cookie of the shared jar, or one to add to it. Create it with
 * `Network.createCookie(props)`. Every property reads back with
 * `@types/titanium`'s type: text fields are `""` when unset (never `null`),
 * `expiryDate` is iOS's `yyyy-MM-dd'T'HH:mm:ss.SSS+0000` text (it also
 * accepts a `Date`).
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
  #name: string | null;
  #value: string | null;
  #domain: string | null;
  /** The path the cookie is sent under; `"/"` by default, as on iOS. */
  path: string;
  /** Sent over https only. */
  secure: boolean;
  /** Marked HttpOnly. */
  httponly: boolean;
  #expiry: Date | null;
  #events: ProxyEvents | null = null;
  /** Lifetime in seconds from when it was stored; -1 when not set. Wins over `expiryDate`. */
  maxAge: number;
  /** RFC 2965 comment; `""` for none. */
  comment: string;
  /** RFC 2965 version (0 for the usual Netscape-style cookie). */
  version: number;
  /**
   * The URL the cookie belongs to (iOS): when `domain` is not set, the
   * cookie is for this URL's host only. `""` when not set.
   */
  originalUrl: string;
  /** Titanium proxies carry it; kept and read back, nothing else. */
  bubbleParent: boolean = true;

  /**
   * Creates a cookie (not yet in the jar: see {@linkcode addHTTPCookie}).
   *
   * @param props the initial properties; see {@linkcode CookieProperties}
   */
  constructor(props: CookieProperties = {}) {
    this.#name = props.name ?? null;
    this.#value = props.value ?? null;
    this.#domain = props.domain ?? null;
    this.path = props.path ?? "/";
    this.secure = props.secure ?? false;
    this.httponly = props.httponly ?? false;
    this.#expiry = toDate(props.expiryDate);
    this.maxAge = props.maxAge ?? -1;
    this.comment = props.comment ?? "";
    this.version = props.version ?? 0;
    this.originalUrl = props.originalUrl ?? "";
  }

  /** `"Ti.Network.Cookie"` (read-only). */
  get apiName(): string {
    return "Ti.Network.Cookie";
  }

  /** The cookie name; `""` until set. */
  get name(): string {
    return this.#name ?? "";
  }
  set name(name: string) {
    this.#name = name;
  }

  /** The cookie value; `""` until set. */
  get value(): string {
    return this.#value ?? "";
  }
  set value(value: string) {
    this.#value = value;
  }

  /** `example.com` for that host only, `.example.com` for it and its subdomains; `""` until set. */
  get domain(): string {
    return this.#domain ?? "";
  }
  set domain(domain: string) {
    this.#domain = domain;
  }

  /**
   * When it expires, as `yyyy-MM-dd'T'HH:mm:ss.SSS+0000` (UTC); `""` for a
   * session cookie. Set it with that text, any text `Date` parses, or a `Date`.
   */
  get expiryDate(): string {
    const expiry = this.#expiry;
    if (expiry === null) return "";
    if (Number.isNaN(expiry.getTime())) return "Invalid Date";
    return expiry.toISOString().replace("Z", "+0000");
  }
  set expiryDate(date: string | Date | null) {
    this.#expiry = toDate(date);
  }

  /**
   * Whether the cookie can be stored: a token for a name, a value without
   * `;`, CR, LF or NUL, a domain (or an `originalUrl` to take it from), and a
   * path starting with `/` (Android asks for the four to be set; the syntax
   * checks are RFC 6265's).
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
    return this.#name !== null && TOKEN.test(this.#name) &&
      this.#value !== null && !BAD_VALUE.test(this.#value) &&
      cookieHost(this) !== "" &&
      typeof this.path === "string" && this.path.startsWith("/") &&
      (this.#expiry === null || !Number.isNaN(this.#expiry.getTime())) &&
      Number.isFinite(this.maxAge);
  }

  /**
   * Sets several properties at once, as Titanium proxies do.
   *
   * @param props the properties to set (unknown names are ignored)
   */
  applyProperties(props: CookieProperties | Record<string, unknown>): void {
    if (typeof props !== "object" || props === null) return;
    const source = props as Record<string, unknown>;
    const target = this as unknown as Record<string, unknown>;
    for (const key of COOKIE_SETTABLE) if (key in source) target[key] = source[key];
  }

  /**
   * Adds a listener for a proxy event fired with {@linkcode Cookie.fireEvent}.
   *
   * @param name the event name
   * @param callback called with `{ ...event, type, source }`
   */
  // deno-lint-ignore no-explicit-any
  addEventListener(name: string, callback: (event: any) => void): void {
    (this.#events ??= new ProxyEvents()).add(name, callback);
  }

  /**
   * Removes a listener added with {@linkcode Cookie.addEventListener}.
   *
   * @param name the event name
   * @param callback the listener to remove
   */
  // deno-lint-ignore no-explicit-any
  removeEventListener(name: string, callback: (event: any) => void): void {
    this.#events?.remove(name, callback);
  }

  /**
   * Calls the listeners of `name`.
   *
   * @param name the event name
   * @param event the event's properties
   */
  fireEvent(name: string, event?: unknown): void {
    this.#events?.fire(this, name, event);
  }

  /** When it expires, or `null` for a session cookie. */
  expiry(): Date | null {
    return this.#expiry;
  }

  /** The JSON form: the properties as Titanium reads them. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      value: this.value,
      domain: this.domain,
      path: this.path,
      secure: this.secure,
      httponly: this.httponly,
      expiryDate: this.expiryDate,
      maxAge: this.maxAge,
      comment: this.comment,
      version: this.version,
      originalUrl: this.originalUrl,
    };
  }
}

/** The properties of a {@linkcode Cookie} as they read back, for its accessor methods. */
export interface CookieFields {
  /** See {@linkcode Cookie.name}. */
  name: string;
  /** See {@linkcode Cookie.value}. */
  value: string;
  /** See {@linkcode Cookie.domain}. */
  domain: string;
  /** See {@linkcode Cookie.path}. */
  path: string;
  /** See {@linkcode Cookie.secure}. */
  secure: boolean;
  /** See {@linkcode Cookie.httponly}. */
  httponly: boolean;
  /** See {@linkcode Cookie.expiryDate}. */
  expiryDate: string;
  /** See {@linkcode Cookie.maxAge}. */
  maxAge: number;
  /** See {@linkcode Cookie.comment}. */
  comment: string;
  /** See {@linkcode Cookie.version}. */
  version: number;
  /** See {@linkcode Cookie.originalUrl}. */
  originalUrl: string;
  /** See {@linkcode Cookie.bubbleParent}. */
  bubbleParent: boolean;
  /** See {@linkcode Cookie.apiName}. */
  apiName: string;
}

const COOKIE_SETTABLE: ReadonlyArray<Exclude<keyof CookieFields, "apiName">> = [
  "name",
  "value",
  "domain",
  "path",
  "secure",
  "httponly",
  "expiryDate",
  "maxAge",
  "comment",
  "version",
  "originalUrl",
  "bubbleParent",
];

/**
 * `getName()`, `setName(value)`… for every property (Titanium's accessor
 * methods, deprecated there in favour of the properties).
 */
export interface Cookie
  extends
    Getters<CookieFields, keyof CookieFields>,
    Setters<CookieFields, Exclude<keyof CookieFields, "apiName">> {}
defineAccessors(Cookie.prototype, [...COOKIE_SETTABLE, "apiName"], COOKIE_SETTABLE);

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
  put("http", cookie);
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
  return found("http", domain, path, name);
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
  drop("http", domain, path, name);
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
  const now = opened();
  if (now) now.jar.removeAllCookiesSync();
  else early.http = [];
}

/**
 * Every cookie of the jar `HTTPClient`s share, expired ones left out (the
 * `Network.allHTTPCookies` property).
 *
 * @returns the cookies, as new {@linkcode Cookie} objects; an empty array when none
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * Network.addHTTPCookie({ name: "a", value: "1", domain: "all.example.test" });
 * console.assert(Network.getAllHTTPCookies().some((c) => c.name === "a"));
 * Network.removeHTTPCookiesForDomain("all.example.test");
 * ```
 */
export function getAllHTTPCookies(): Cookie[] {
  const now = new Date();
  const target = opened();
  if (!target) return early.http.filter((item) => alive(item, now.getTime())).map(fromEarly);
  return all(target.http)
    .filter((cookie) => (cookie.expiryTime(now) ?? Infinity) > now.getTime())
    .map(fromTough);
}

/**
 * Adds a cookie to the system store (Android's WebView store). No
 * `HTTPClient` sends it: this store exists for code that manages both.
 *
 * @param cookie a {@linkcode Cookie} (or its properties)
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * Network.addSystemCookie(Network.createCookie({ name: "a", value: "1", domain: "web.test" }));
 * console.assert(Network.getSystemCookies("web.test", "/", "a").length === 1);
 * Network.removeAllSystemCookies();
 * ```
 */
export function addSystemCookie(cookie: Cookie | CookieProperties): void {
  put("system", cookie);
}

/**
 * The cookies of the system store that match, as {@linkcode getHTTPCookies}
 * matches them. Android gives only their name and value; here they are whole.
 *
 * @param domain a host name
 * @param path a request path; `null` for any path
 * @param name a cookie name; `null` for any name
 * @returns matching cookies; an empty array when none
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * console.assert(Network.getSystemCookies("none.test", "/", "x").length === 0);
 * ```
 */
export function getSystemCookies(
  domain: string,
  path: string | null,
  name: string | null,
): Cookie[] {
  return found("system", domain, path, name);
}

/**
 * Removes the matching cookies of the system store.
 *
 * @param domain a host name
 * @param path a request path; `null` for any path
 * @param name a cookie name; `null` for any name
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * Network.removeSystemCookie("web.test", "/", "a");
 * ```
 */
export function removeSystemCookie(domain: string, path: string | null, name: string | null): void {
  drop("system", domain, path, name);
}

/**
 * Empties the system store.
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * Network.removeAllSystemCookies();
 * ```
 */
export function removeAllSystemCookies(): void {
  const target = opened()?.system;
  if (target) sync((cb) => target.removeAllCookies(cb));
  else early.system = [];
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

/** Adds to a store, or to the early list (and starts loading the library) before it opens. */
function put(name: Store, cookie: Cookie | CookieProperties): void {
  const target = opened();
  if (target) return add(target[name], cookie, Date.now());
  const ti = cookie instanceof Cookie ? cookie : new Cookie(cookie);
  if (!ti.isValid()) return;
  const copy = snapshot(ti);
  const host = cookieHost(copy);
  const list = early[name] = early[name].filter(({ cookie: other }) =>
    !(cookieHost(other) === host && other.path === copy.path && other.name === copy.name)
  );
  const at = Date.now();
  if (copy.maxAge >= 0 ? copy.maxAge > 0 : (copy.expiry()?.getTime() ?? Infinity) > at) {
    list.push({ cookie: copy, at });
  }
  openJar().catch(() => {}); // a failure to load shows at the first request
}

/** The matching cookies of a store (or of the early list), as new objects. */
function found(name: Store, domain: unknown, path: unknown, cookieName: unknown): Cookie[] {
  const target = opened();
  if (target) return matching(target[name], domain, path, cookieName).map(fromTough);
  return earlyMatching(name, domain, path, cookieName).map(fromEarly);
}

/** Removes the matching cookies of a store (or of the early list). */
function drop(name: Store, domain: unknown, path: unknown, cookieName: unknown): void {
  const target = opened();
  if (target) {
    for (const cookie of matching(target[name], domain, path, cookieName)) {
      remove(target[name], cookie);
    }
    return;
  }
  const doomed = new Set(earlyMatching(name, domain, path, cookieName));
  early[name] = early[name].filter((item) => !doomed.has(item));
}

function add(target: MemoryCookieStore, cookie: Cookie | CookieProperties, at: number): void {
  const ti = cookie instanceof Cookie ? cookie : new Cookie(cookie);
  if (!ti.isValid()) return;
  const tough = toTough(ti);
  tough.creation = new Date(at);
  const ttl = tough.TTL();
  if (ttl <= 0) {
    sync((cb) => target.removeCookie(tough.domain ?? "", tough.path ?? "/", tough.key, cb));
    return;
  }
  sync((cb) => target.putCookie(tough, cb));
}

function matching(
  target: MemoryCookieStore,
  domain: unknown,
  path: unknown,
  name: unknown,
): ToughCookie[] {
  if (typeof domain !== "string") return [];
  const host = bareDomain(domain);
  if (host === "") return [];
  const { domainMatch, pathMatch } = loadedCookieLibrary()!;
  const now = Date.now();
  return all(target).filter((cookie) =>
    (cookie.hostOnly ? cookie.domain === host : domainMatch(host, cookie.domain, false) === true) &&
    (typeof path !== "string" || path === "" || pathMatch(path, cookie.path ?? "/")) &&
    (typeof name !== "string" || name === "" || cookie.key === name) &&
    (cookie.expiryTime(new Date(now)) ?? Infinity) > now
  );
}

function all(target: MemoryCookieStore): ToughCookie[] {
  return sync<ToughCookie[]>((cb) => target.getAllCookies(cb));
}

function remove(target: MemoryCookieStore, cookie: ToughCookie): void {
  sync((cb) => target.removeCookie(cookie.domain ?? "", cookie.path ?? "/", cookie.key, cb));
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

/**
 * {@linkcode matching} for the early list, by the same rules (RFC 6265
 * §5.1.3 domain match, §5.1.4 path match) as `tough-cookie` applies there.
 */
function earlyMatching(name: Store, domain: unknown, path: unknown, cookieName: unknown) {
  if (typeof domain !== "string") return [];
  const host = bareDomain(domain);
  if (host === "") return [];
  const now = Date.now();
  return early[name].filter((item) => {
    const { cookie } = item;
    const stored = cookieHost(cookie);
    const hostOnly = !cookie.domain.trim().startsWith(".");
    return (hostOnly ? stored === host : domainMatches(host, stored)) &&
      (typeof path !== "string" || path === "" || pathMatches(path, cookie.path)) &&
      (typeof cookieName !== "string" || cookieName === "" || cookie.name === cookieName) &&
      alive(item, now);
  });
}

function domainMatches(host: string, domain: string): boolean {
  return host === domain || (host.endsWith(`.${domain}`) && ipVersion(host) === 0);
}

function pathMatches(path: string, cookiePath: string): boolean {
  if (path === cookiePath) return true;
  if (!path.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || path[cookiePath.length] === "/";
}

/** Not expired at `now`; as in `tough-cookie`, a `maxAge` counts from the moment asked. */
function alive({ cookie }: EarlyCookie, now: number): boolean {
  return cookie.maxAge >= 0 || (cookie.expiry()?.getTime() ?? Infinity) > now;
}

/** A copy of what `toTough()` reads, so later changes to the caller's object do not count. */
function snapshot(cookie: Cookie): Cookie {
  return new Cookie({
    name: cookie.name,
    value: cookie.value,
    domain: cookie.domain,
    path: cookie.path,
    secure: cookie.secure,
    httponly: cookie.httponly,
    expiryDate: cookie.expiry(),
    maxAge: cookie.maxAge,
    comment: cookie.comment,
    version: cookie.version,
    originalUrl: cookie.originalUrl,
  });
}

/** What {@linkcode fromTough} gives for the same cookie once stored. */
function fromEarly({ cookie, at }: EarlyCookie): Cookie {
  const host = cookieHost(cookie);
  const expiry = cookie.maxAge >= 0
    ? at + cookie.maxAge * 1000
    : cookie.expiry()?.getTime() ?? Infinity;
  return new Cookie({
    name: cookie.name,
    value: cookie.value,
    domain: cookie.domain.trim().startsWith(".") ? `.${host}` : host,
    path: cookie.path,
    secure: cookie.secure,
    httponly: cookie.httponly,
    expiryDate: Number.isFinite(expiry) ? new Date(expiry) : null,
    maxAge: cookie.maxAge >= 0 ? cookie.maxAge : -1,
    comment: cookie.comment,
    version: cookie.version || 0,
  });
}

function bareDomain(domain: string): string {
  return domain.trim().replace(/^\./, "").toLowerCase();
}

function toDate(value: Date | string | null | undefined): Date | null {
  if (value === null || value === undefined || value === "") return null;
  return value instanceof Date ? new Date(value.getTime()) : new Date(value);
}

/** The domain the cookie is stored under: `domain`, else the host of `originalUrl`. */
function cookieHost(cookie: Cookie): string {
  if (cookie.domain !== "") return bareDomain(cookie.domain);
  try {
    return new URL(cookie.originalUrl).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return "";
  }
}

function toTough(cookie: Cookie): ToughCookie {
  const extensions: string[] = [];
  if (cookie.comment !== "") extensions.push(`Comment=${cookie.comment}`);
  if (cookie.version) extensions.push(`Version=${cookie.version}`);
  return new (loadedCookieLibrary()!.Cookie)({
    key: cookie.name,
    value: cookie.value,
    domain: cookieHost(cookie),
    hostOnly: !cookie.domain.trim().startsWith("."),
    path: cookie.path,
    secure: cookie.secure,
    httpOnly: cookie.httponly,
    expires: cookie.expiry() ?? "Infinity",
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
    comment: extension("Comment") ?? "",
    version: Number(extension("Version") ?? 0) || 0,
  });
}
