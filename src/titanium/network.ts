/**
 * `Network`: what `Ti.Network` offers for HTTP, as values and as types, so
 * `Network.createHTTPClient()` and `let c: Network.HTTPClient` both work:
 * the {@linkcode Network} class holds the values (static members, as
 * `@types/titanium` declares `Titanium.Network`), the namespace of the same
 * name the types.
 *
 * @module
 */

import type { DownloadedFile, TiBlob } from "./blob.ts";
import {
  addHTTPCookie,
  addSystemCookie,
  Cookie as CookieClass,
  type CookieProperties as CookieProps,
  getAllHTTPCookies,
  getHTTPCookies,
  getHTTPCookiesForDomain,
  getSystemCookies,
  removeAllHTTPCookies,
  removeAllSystemCookies,
  removeHTTPCookie,
  removeHTTPCookiesForDomain,
  removeSystemCookie,
} from "./cookies.ts";
import {
  type DataStreamEvent as DataStream,
  type FailureResponse as Failure,
  type FileLike as File,
  HTTPClient as HTTPClientClass,
  type HTTPClientCallback as Callback,
  type HTTPClientEvent as ClientEvent,
  type HTTPClientProperties as ClientProps,
  type ReadyStateChangeEvent as ReadyState,
  type SecurityManager as Manager,
  type SendData as Data,
  type SendStreamEvent as SendStream,
  type SuccessResponse as Success,
} from "./http_client.ts";
import {
  NETWORK_LAN,
  NETWORK_MOBILE,
  NETWORK_NONE,
  NETWORK_UNKNOWN,
  NETWORK_WIFI,
  readStatus,
  StatusWatch,
} from "./network_status.ts";
import { ProxyEvents } from "./proxy_events.ts";
import type { Document as XmlDocument, Element as XmlElement } from "./response_xml.ts";

/** The `change` event of {@linkcode Network}: the new status, and why. */
export interface NetworkChangeEvent {
  /** Whether the host is online now. */
  readonly online: boolean;
  /** One of the `NETWORK_*` constants. */
  readonly networkType: number;
  /** The name of the network type. */
  readonly networkTypeName: string;
  /** Human-readable text describing the change. */
  readonly reason: string;
  /** `"change"`. */
  readonly type: string;
  /** `Network`. */
  readonly source: unknown;
}

const events = new ProxyEvents((name, count) => {
  if (name !== "change") return;
  if (count > 0) watch.start();
  else watch.stop();
});

const watch = new StatusWatch((now, before) => {
  const reason = now.online === before.online
    ? `network type changed from ${before.networkTypeName} to ${now.networkTypeName}`
    : now.online
    ? `online (${now.networkTypeName})`
    : "offline";
  events.fire(Network, "change", { ...now, reason });
});

/**
 * Titanium's `Ti.Network` module: create HTTP clients and cookies, manage
 * the shared cookie jar, and read the host's connectivity. Every member is
 * static, as in `@types/titanium`'s `Titanium.Network`.
 *
 * @example Usage
 * ```ts
 * import { Ti } from "@netstack/http";
 * import assert from "node:assert/strict";
 * await using server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   () => Response.json({ ok: true }),
 * );
 * if (!Ti.Network.online) throw new Error("offline");
 * const client: Ti.Network.HTTPClient = Ti.Network.createHTTPClient({
 *   onload() {
 *     assert.equal(JSON.parse(this.responseText).ok, true);
 *   },
 * });
 * client.open("GET", `http://127.0.0.1:${server.addr.port}/`);
 * await client.send();
 * ```
 */
export class Network {
  private constructor() {}

  /** The `Ti.Network.HTTPClient` class. */
  static readonly HTTPClient: typeof HTTPClientClass = HTTPClientClass;
  /** The `Ti.Network.Cookie` class. */
  static readonly Cookie: typeof CookieClass = CookieClass;

  /** `"Ti.Network"`. */
  static get apiName(): string {
    return "Ti.Network";
  }
  /** Titanium proxies carry it; kept and read back, nothing else. */
  static bubbleParent: boolean = true;

  /** The `progress` of `ondatastream` while the body length is unknown: -1. */
  static readonly PROGRESS_UNKNOWN: number = -1;
  /** `tlsVersion` for TLS 1.0 (Android's 1); satisfied by TLS 1.2 or 1.3, the least Deno speaks. */
  static readonly TLS_VERSION_1_0: number = 1;
  /** `tlsVersion` for TLS 1.1 (Android's 2); satisfied by TLS 1.2 or 1.3. */
  static readonly TLS_VERSION_1_1: number = 2;
  /** `tlsVersion` for TLS 1.2 (Android's 3); Deno negotiates 1.2 or 1.3. */
  static readonly TLS_VERSION_1_2: number = 3;
  /** `tlsVersion` for TLS 1.3 (Android's 4); see {@linkcode HTTPClientClass.tlsVersion}. */
  static readonly TLS_VERSION_1_3: number = 4;
  /** `networkType` with no usable interface: 0. */
  static readonly NETWORK_NONE: number = NETWORK_NONE;
  /** `networkType` over Wi-Fi: 1. */
  static readonly NETWORK_WIFI: number = NETWORK_WIFI;
  /** `networkType` over a mobile link: 2. */
  static readonly NETWORK_MOBILE: number = NETWORK_MOBILE;
  /** `networkType` over a wired LAN: 3. */
  static readonly NETWORK_LAN: number = NETWORK_LAN;
  /** `networkType` when online over a link of unknown kind: 4. */
  static readonly NETWORK_UNKNOWN: number = NETWORK_UNKNOWN;

  /**
   * Whether the host has a usable network interface (one other than
   * loopback with an address that is not link-local). Read from
   * `Deno.networkInterfaces()` on each access; without
   * `--allow-sys=networkInterfaces` it is `true` (unknown is not offline).
   */
  static get online(): boolean {
    return readStatus().online;
  }
  /** One of the `NETWORK_*` constants, from the interfaces' names (see the docs page). */
  static get networkType(): number {
    return readStatus().networkType;
  }
  /** `"NONE"`, `"WIFI"`, `"MOBILE"`, `"LAN"` or `"UNKNOWN"`. */
  static get networkTypeName(): string {
    return readStatus().networkTypeName;
  }
  /** Every cookie of the jar `HTTPClient`s share (expired ones left out). */
  static get allHTTPCookies(): CookieClass[] {
    return getAllHTTPCookies();
  }

  /**
   * The same as {@linkcode Network.online}.
   *
   * @returns whether the host is online
   */
  static getOnline(): boolean {
    return Network.online;
  }
  /**
   * The same as {@linkcode Network.networkType}.
   *
   * @returns one of the `NETWORK_*` constants
   */
  static getNetworkType(): number {
    return Network.networkType;
  }
  /**
   * The same as {@linkcode Network.networkTypeName}.
   *
   * @returns the name of the network type
   */
  static getNetworkTypeName(): string {
    return Network.networkTypeName;
  }
  /**
   * The same as reading {@linkcode Network.bubbleParent}.
   *
   * @returns `bubbleParent`
   */
  static getBubbleParent(): boolean {
    return Network.bubbleParent;
  }
  /**
   * The same as setting {@linkcode Network.bubbleParent}.
   *
   * @param bubbleParent the new value
   */
  static setBubbleParent(bubbleParent: boolean): void {
    Network.bubbleParent = bubbleParent;
  }
  /**
   * The same as {@linkcode Network.apiName}.
   *
   * @returns `"Ti.Network"`
   */
  static getApiName(): string {
    return Network.apiName;
  }

  /**
   * Adds a listener. `change` fires when `online` or `networkType` changes:
   * the interfaces are then read every 2 s, only while a `change` listener
   * exists, by a timer that never keeps the process alive.
   *
   * @param name the event name, e.g. `"change"`
   * @param callback called with the event, `this` the module
   *
   * @example Usage
   * ```ts
   * import { Ti } from "@netstack/http";
   * const onChange = (e: Ti.Network.ChangeEvent) => console.log(e.online, e.reason);
   * Ti.Network.addEventListener("change", onChange);
   * Ti.Network.removeEventListener("change", onChange);
   * ```
   */
  static addEventListener(
    name: string,
    // deno-lint-ignore no-explicit-any
    callback: (this: typeof Network, event: any) => void,
  ): void {
    events.add(name, callback);
  }
  /**
   * Removes a listener added with {@linkcode Network.addEventListener};
   * removing the last `change` listener stops reading the interfaces.
   *
   * @param name the event name
   * @param callback the listener to remove
   */
  static removeEventListener(
    name: string,
    // deno-lint-ignore no-explicit-any
    callback: (this: typeof Network, event: any) => void,
  ): void {
    events.remove(name, callback);
  }
  /**
   * Calls the listeners of `name` with `event` plus `type` and `source`.
   *
   * @param name the event name
   * @param event the event's properties
   */
  static fireEvent(name: string, event?: unknown): void {
    events.fire(Network, name, event);
  }
  /**
   * Sets properties of the module; only `bubbleParent` can be set (the
   * others are read-only or methods, and are left as they are).
   *
   * @param props the properties to set
   */
  static applyProperties(props: { bubbleParent?: boolean } | Record<string, unknown>): void {
    if (typeof props === "object" && props !== null && "bubbleParent" in props) {
      Network.bubbleParent = Boolean(props.bubbleParent);
    }
  }

  /**
   * Creates an {@linkcode HTTPClientClass | HTTPClient} with the given settings and callbacks.
   *
   * @param props settings and callbacks, as if assigned one by one
   * @returns a new client, `UNSENT`
   *
   * @example Usage
   * ```ts
   * import { Network } from "@netstack/http";
   * import assert from "node:assert/strict";
   * await using server = Deno.serve(
   *   { hostname: "127.0.0.1", port: 0, onListen() {} },
   *   () => new Response("hi", { headers: { "content-type": "text/plain" } }),
   * );
   * const states: number[] = [];
   * const xhr = Network.createHTTPClient({
   *   onreadystatechange(e) {
   *     states.push(e.readyState);
   *   },
   * });
   * xhr.open("GET", `http://127.0.0.1:${server.addr.port}/`);
   * await xhr.send();
   * assert.deepEqual(states, [1, 2, 3, 4]);
   * assert.equal(xhr.responseText, "hi");
   * ```
   */
  static createHTTPClient(props?: ClientProps): HTTPClientClass {
    return new HTTPClientClass(props);
  }
  /**
   * Creates a {@linkcode CookieClass | Cookie} to add with {@linkcode Network.addHTTPCookie}.
   *
   * @param props the cookie's properties
   * @returns a new cookie (path `"/"` unless given)
   *
   * @example Usage
   * ```ts
   * import { Network } from "@netstack/http";
   * const cookie = Network.createCookie({ name: "a", value: "1", domain: "127.0.0.1" });
   * console.assert(cookie.isValid());
   * ```
   */
  static createCookie(props?: CookieProps): CookieClass {
    return new CookieClass(props);
  }

  /** See {@linkcode addHTTPCookie}. */
  static readonly addHTTPCookie: typeof addHTTPCookie = addHTTPCookie;
  /** See {@linkcode getHTTPCookies}. */
  static readonly getHTTPCookies: typeof getHTTPCookies = getHTTPCookies;
  /** See {@linkcode getHTTPCookiesForDomain}. */
  static readonly getHTTPCookiesForDomain: typeof getHTTPCookiesForDomain = getHTTPCookiesForDomain;
  /** See {@linkcode getAllHTTPCookies}. */
  static readonly getAllHTTPCookies: typeof getAllHTTPCookies = getAllHTTPCookies;
  /** See {@linkcode removeHTTPCookie}. */
  static readonly removeHTTPCookie: typeof removeHTTPCookie = removeHTTPCookie;
  /** See {@linkcode removeHTTPCookiesForDomain}. */
  static readonly removeHTTPCookiesForDomain: typeof removeHTTPCookiesForDomain =
    removeHTTPCookiesForDomain;
  /** See {@linkcode removeAllHTTPCookies}. */
  static readonly removeAllHTTPCookies: typeof removeAllHTTPCookies = removeAllHTTPCookies;
  /** See {@linkcode addSystemCookie}. */
  static readonly addSystemCookie: typeof addSystemCookie = addSystemCookie;
  /** See {@linkcode getSystemCookies}. */
  static readonly getSystemCookies: typeof getSystemCookies = getSystemCookies;
  /** See {@linkcode removeSystemCookie}. */
  static readonly removeSystemCookie: typeof removeSystemCookie = removeSystemCookie;
  /** See {@linkcode removeAllSystemCookies}. */
  static readonly removeAllSystemCookies: typeof removeAllSystemCookies = removeAllSystemCookies;

  /**
   * Percent-encodes a URI component, as the global function does.
   *
   * @param value the text
   * @returns the encoded text
   *
   * @example Usage
   * ```ts
   * import { Network } from "@netstack/http";
   * console.assert(Network.encodeURIComponent("a b:") === "a%20b%3A");
   * ```
   */
  static encodeURIComponent(value: string): string {
    return globalThis.encodeURIComponent(value);
  }
  /**
   * Decodes a percent-encoded URI component, as the global function does.
   *
   * @param value the encoded text
   * @returns the decoded text
   *
   * @example Usage
   * ```ts
   * import { Network } from "@netstack/http";
   * console.assert(Network.decodeURIComponent("a%20b%3A") === "a b:");
   * ```
   */
  static decodeURIComponent(value: string): string {
    return globalThis.decodeURIComponent(value);
  }
}

/** The types of `Ti.Network`, under the names Titanium code uses. */
export declare namespace Network {
  /** An HTTP request; see the class `Network.HTTPClient`. */
  export type HTTPClient = HTTPClientClass;
  /** A cookie; see the class `Network.Cookie`. */
  export type Cookie = CookieClass;
  /** What `createHTTPClient()` accepts. */
  export type HTTPClientProperties = ClientProps;
  /** What `createCookie()` accepts. */
  export type CookieProperties = CookieProps;
  /** What every callback payload carries. */
  export type HTTPClientEvent = ClientEvent;
  /** The payload of `onload`. */
  export type SuccessResponse = Success;
  /** The payload of `onerror`. */
  export type FailureResponse = Failure;
  /** The payload of `onreadystatechange`. */
  export type ReadyStateChangeEvent = ReadyState;
  /** The payload of `ondatastream`. */
  export type DataStreamEvent = DataStream;
  /** The payload of `onsendstream`. */
  export type SendStreamEvent = SendStream;
  /** A callback property of `HTTPClient`. */
  export type HTTPClientCallback<E> = Callback<E>;
  /** What `send()` accepts. */
  export type SendData = Data;
  /** `securityManager`. */
  export type SecurityManager = Manager;
  /** A `Ti.Filesystem.File`-like `file` target. */
  export type FileLike = File;
  /** `responseData`. */
  export type Blob = TiBlob;
  /** `responseData.file` after a download. */
  export type BlobFile = DownloadedFile;
  /** `responseXML`. */
  export type Document = XmlDocument;
  /** An element of `responseXML`. */
  export type Element = XmlElement;
  /** The `change` event. */
  export type ChangeEvent = NetworkChangeEvent;
}
