/**
 * `HTTPClient`: Titanium's `Ti.Network.HTTPClient`, a thin adapter over the
 * core pipeline. It holds the settings, callbacks, readyState and response;
 * each `send()` is a run (`send_run.ts`) that owns the state of that send
 * and builds its core request with `prepare_request.ts`.
 *
 * @module
 */

import type { RetryOptions } from "../core/retry.ts";
import { parseRequestUrl } from "../core/url.ts";
import { defineAccessors, type Getters, type Setters } from "./accessors.ts";
import type { TiBlob } from "./blob.ts";
import { callBack } from "./callbacks.ts";
import { clearCookiesFor } from "./cookies.ts";
import { ProxyEvents } from "./proxy_events.ts";
import { RequestHeaders } from "./request_headers.ts";
import { ClientResponse, headerObject, headerText } from "./response.ts";
import type { Document } from "./response_xml.ts";
import { type RunHost, SendRun } from "./send_run.ts";
import { DEFAULT_TIMEOUT } from "./settings.ts";

/** What every `HTTPClient` callback payload carries. */
export interface HTTPClientEvent {
  /** The client that fired the callback (also `this` inside it). */
  readonly source: HTTPClient;
}

/** The payload of `onload`: the request completed with a status below 400. */
export interface SuccessResponse extends HTTPClientEvent {
  /** Always `true`. */
  readonly success: true;
  /** Always 0, as on Android and iOS. */
  readonly code: 0;
}

/**
 * The payload of `onerror`. `code` is the HTTP status for a response of 400
 * or more, otherwise a negative transport code (-1001 for a timeout; the
 * README lists them all).
 */
export interface FailureResponse extends HTTPClientEvent {
  /** Always `false`. */
  readonly success: false;
  /** The HTTP status (400 or more), or a negative transport code such as -1001. */
  readonly code: number;
  /** What went wrong, e.g. `"404 : Not Found"` or `"Operation timeout: …"`. */
  readonly error: string;
}

/** The payload of `onreadystatechange`: the state that was entered. */
export interface ReadyStateChangeEvent extends HTTPClientEvent {
  /** `UNSENT` 0 … `DONE` 4; `this.readyState` equals it while the callback runs. */
  readonly readyState: number;
}

/** The payload of `onsendstream`: how much of the request body was sent. */
export interface SendStreamEvent extends HTTPClientEvent {
  /** From above 0 up to 1. */
  readonly progress: number;
}

/** The payload of `ondatastream`: how much of the response body arrived. */
export interface DataStreamEvent extends HTTPClientEvent {
  /**
   * `received / Content-Length` in 0..1, or `Network.PROGRESS_UNKNOWN` (-1)
   * while the length is unknown; always 1 once the body is complete.
   */
  readonly progress: number;
  /** The declared body length, or -1 when unknown (Android's name). */
  readonly totalCount: number;
  /** Bytes received so far (Android's name). */
  readonly totalSize: number;
  /** Bytes in the chunk that fired this event; 0 for the closing event. */
  readonly size: number;
}

export type { RetryOptions };

/** A callback property of `HTTPClient`: `this` is the client. */
export type HTTPClientCallback<E> = (this: HTTPClient, event: E) => void;

/**
 * `securityManager`, as `@types/titanium` declares it (`SecurityManagerProtocol`):
 * native trust and key managers of Android and iOS modules.
 */
export interface SecurityManager {
  /** Whether the manager takes part in the connection to `url`. */
  willHandleURL(url: unknown): boolean;
  /** iOS: the connection delegate for `url`. */
  connectionDelegateForUrl(url: unknown): unknown;
  /** Android: the key managers. */
  getKeyManagers(proxy: unknown): unknown[];
  /** Android: the trust managers. */
  getTrustManagers(proxy: unknown): unknown[];
}

/** A `Ti.Filesystem.File`, or anything else with the path in `nativePath`. */
export interface FileLike {
  /** The path, or a `file:` URL. */
  readonly nativePath: string;
}

/**
 * What `Network.createHTTPClient(props)` accepts: any settable property and
 * callback of `HTTPClient`, applied as if assigned one by one.
 */
export interface HTTPClientProperties {
  /** See {@linkcode HTTPClient.timeout}. */
  timeout?: number;
  /** See {@linkcode HTTPClient.autoRedirect}. */
  autoRedirect?: boolean;
  /** See {@linkcode HTTPClient.autoEncodeUrl}. */
  autoEncodeUrl?: boolean;
  /** See {@linkcode HTTPClient.validatesSecureCertificate}. */
  validatesSecureCertificate?: boolean;
  /** See {@linkcode HTTPClient.tlsVersion}. */
  tlsVersion?: number;
  /** See {@linkcode HTTPClient.username}. */
  username?: string;
  /** See {@linkcode HTTPClient.password}. */
  password?: string;
  /** See {@linkcode HTTPClient.domain}. */
  domain?: string;
  /** See {@linkcode HTTPClient.securityManager}. */
  securityManager?: SecurityManager | null;
  /** See {@linkcode HTTPClient.maxResponseSize}. */
  maxResponseSize?: number | null;
  /** See {@linkcode HTTPClient.bubbleParent}. */
  bubbleParent?: boolean;
  /** See {@linkcode HTTPClient.withCredentials}. */
  withCredentials?: boolean;
  /** See {@linkcode HTTPClient.file}. */
  file?: string | URL | FileLike;
  /** See {@linkcode HTTPClient.cache}. */
  cache?: boolean;
  /** See {@linkcode HTTPClient.enableKeepAlive}. */
  enableKeepAlive?: boolean;
  /** See {@linkcode HTTPClient.signal}. */
  signal?: AbortSignal | null;
  /** See {@linkcode HTTPClient.retry}. */
  retry?: number | RetryOptions | null;
  /** See {@linkcode HTTPClient.onload}. */
  onload?: HTTPClientCallback<SuccessResponse> | null;
  /** See {@linkcode HTTPClient.onerror}. */
  onerror?: HTTPClientCallback<FailureResponse> | null;
  /** See {@linkcode HTTPClient.onreadystatechange}. */
  onreadystatechange?: HTTPClientCallback<ReadyStateChangeEvent> | null;
  /** See {@linkcode HTTPClient.ondatastream}. */
  ondatastream?: HTTPClientCallback<DataStreamEvent> | null;
  /** See {@linkcode HTTPClient.onsendstream}. */
  onsendstream?: HTTPClientCallback<SendStreamEvent> | null;
}

/** The properties of an {@linkcode HTTPClient} as they read back, for its accessor methods. */
export interface HTTPClientFields extends Required<HTTPClientProperties> {
  /** See {@linkcode HTTPClient.readyState}. */
  readonly readyState: number;
  /** See {@linkcode HTTPClient.status}. */
  readonly status: number;
  /** See {@linkcode HTTPClient.statusText}. */
  readonly statusText: string;
  /** See {@linkcode HTTPClient.responseText}. */
  readonly responseText: string;
  /** See {@linkcode HTTPClient.responseData}. */
  readonly responseData: TiBlob;
  /** See {@linkcode HTTPClient.responseXML}. */
  readonly responseXML: Document | null;
  /** See {@linkcode HTTPClient.responseHeaders}. */
  readonly responseHeaders: Record<string, string>;
  /** See {@linkcode HTTPClient.connected}. */
  readonly connected: boolean;
  /** See {@linkcode HTTPClient.connectionType}. */
  readonly connectionType: string;
  /** See {@linkcode HTTPClient.location}. */
  readonly location: string;
}

/** The properties of `HTTPClient` that hold callbacks. */
type CallbackName = "onload" | "onerror" | "onreadystatechange" | "ondatastream" | "onsendstream";

/** What `send()` accepts. */
export type SendData =
  | string
  | Blob
  | TiBlob
  | ArrayBuffer
  | ArrayBufferView
  | Record<string, unknown>
  | null
  | undefined;

const SETTABLE = [
  "timeout",
  "autoRedirect",
  "autoEncodeUrl",
  "validatesSecureCertificate",
  "tlsVersion",
  "username",
  "password",
  "domain",
  "securityManager",
  "maxResponseSize",
  "bubbleParent",
  "withCredentials",
  "file",
  "cache",
  "enableKeepAlive",
  "signal",
  "retry",
  "onload",
  "onerror",
  "onreadystatechange",
  "ondatastream",
  "onsendstream",
] as const satisfies ReadonlyArray<keyof HTTPClientProperties>;

/**
 * An HTTP request in Titanium's style: set callbacks, `open()`, `send()`.
 * Create it with `Network.createHTTPClient(props)` or
 * `new Network.HTTPClient(props)`. Callbacks run with `this` set to the
 * client and get a payload whose `source` is the client. A client can send
 * again once it is `DONE`, also from inside `onload`.
 *
 * Cookies go through the one jar every client shares (`Network.*HTTPCookie*`).
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * import assert from "node:assert/strict";
 * await using server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   () => Response.json({ hello: "world" }),
 * );
 * const done = Promise.withResolvers<string>();
 * const xhr = Network.createHTTPClient({
 *   onload() {
 *     done.resolve(`${this.status} ${this.responseDictionary?.hello}`);
 *   },
 *   onerror(e) {
 *     done.reject(new Error(e.error));
 *   },
 *   timeout: 5_000,
 * });
 * xhr.open("GET", `http://127.0.0.1:${server.addr.port}/`);
 * xhr.send();
 * assert.equal(await done.promise, "200 world");
 * ```
 */
export class HTTPClient implements Disposable, AsyncDisposable {
  /** The state before `open()`. */
  static readonly UNSENT = 0;
  /** `open()` was called. */
  static readonly OPENED = 1;
  /** The final response head arrived. */
  static readonly HEADERS_RECEIVED = 2;
  /** The body is arriving. */
  static readonly LOADING = 3;
  /** Finished: completed, failed or aborted. */
  static readonly DONE = 4;

  /** The state before `open()`: 0. */
  readonly UNSENT = 0;
  /** `open()` was called: 1. */
  readonly OPENED = 1;
  /** The final response head arrived: 2. */
  readonly HEADERS_RECEIVED = 2;
  /** The body is arriving: 3. */
  readonly LOADING = 3;
  /** Finished (completed, failed or aborted): 4. */
  readonly DONE = 4;
  /** Titanium proxies carry it; kept and read back, nothing else. */
  bubbleParent: boolean = true;

  /**
   * Milliseconds the exchange may go without progress (as iOS's
   * `timeoutInterval`): no upload bytes taken, no response head and no body
   * chunk for that long ends the request in `onerror` with code -1001. A
   * slow upload or download that keeps moving is not cut. 0 waits forever.
   * Default 60 000 (iOS's default).
   */
  timeout: number = DEFAULT_TIMEOUT;
  /** Follow redirects (up to 20). `false` hands the 3xx itself to `onload`. Default `true`. */
  autoRedirect: boolean = true;
  /**
   * `true` (default): characters a URL cannot carry (spaces, non-ASCII…) are
   * percent-encoded. `false`: such a URL ends in `onerror` (-1000) instead of
   * being changed.
   */
  autoEncodeUrl: boolean = true;
  /**
   * Certificate verification, `true` by default (as in a production
   * Titanium build). `false` is **unsafe**: this client's https requests
   * then accept any certificate (through the socket-level TLS transport),
   * so anyone on the path can read and change the traffic.
   */
  validatesSecureCertificate: boolean = true;
  /**
   * The lowest TLS version to accept, as `Network.TLS_VERSION_*`. Every
   * transport here speaks TLS 1.2 or 1.3 and never less, which satisfies
   * 1.0, 1.1 and 1.2; `TLS_VERSION_1_3` refuses a server that only speaks
   * 1.2 (through the socket-level TLS transport). 0 (the default): the
   * runtime's bounds (1.2 or 1.3).
   */
  tlsVersion: number = 0;
  /**
   * User name for HTTP Basic authentication, sent with the first request
   * (as on Android) unless an `Authorization` header is set. It is never
   * sent to another origin after a redirect.
   */
  username: string = "";
  /** Password for HTTP Basic authentication (empty when only `username` is set). */
  password: string = "";
  /**
   * A Windows domain: as on Android, Basic authentication then sends the
   * user as `domain\username`. `""` for none.
   */
  domain: string = "";
  /**
   * A Titanium security manager (certificate pinning modules). Their native
   * trust managers do not exist on Deno: when `willHandleURL(url)` says the
   * manager takes part in a request, that request ends in `onerror` (-1200)
   * with a message saying so; it is never sent without it. `null` (the default): none.
   */
  securityManager: SecurityManager | null = null;
  /**
   * The most body bytes (after decoding gzip, brotli…) a response may have;
   * more ends the request in `onerror` with code -1103 while the body is
   * still arriving, so a small compressed body cannot inflate without bound.
   * `null` (the default): 64 MiB for a body kept in memory, no limit for a
   * `file` download (it goes to disk). A number sets the limit for both;
   * `0` or `Infinity` turns it off.
   */
  maxResponseSize: number | null = null;
  /** Kept for compatibility (a Mobile Web setting); cookies follow the shared jar either way. */
  withCredentials: boolean = false;
  /**
   * A path (or `file:` URL) to download the body to. The body is written to
   * a temporary file next to it and renamed when complete, so the path only
   * ever holds a whole body; a failed or aborted download leaves nothing.
   * Responses with status 400 or more are not written. The body is then not
   * kept in memory: `responseText` is `""` and `responseData` reads the file
   * (its `nativePath` and `file` name it). A `Ti.Filesystem.File`-like object
   * (anything with a `nativePath`) is accepted too. `""`: no download.
   */
  file: string | URL | FileLike = "";
  /**
   * Use the response cache (Deno KV, RFC 9111) opened by
   * `http.createHttpResponseCache()`: fresh entries are served without the
   * network, stale ones revalidated (as iOS's protocol cache policy). `false`
   * (the default, Android's behaviour) neither reads nor writes it. Without
   * an open cache, `true` changes nothing.
   */
  cache: boolean = false;
  /** Kept for compatibility: Deno keeps connections alive and pools them either way. */
  enableKeepAlive: boolean = false;
  /**
   * An extension, not in Titanium: aborting this signal does what
   * {@linkcode HTTPClient.abort} does to the request in progress (and to
   * each later `send()` while it stays aborted).
   */
  signal: AbortSignal | null = null;
  /**
   * An extension, not in Titanium: retry a transient failure (a timeout, a
   * lost connection, HTTP 408, 429, 500, 502, 503, 504) this many times, or
   * as {@linkcode RetryOptions} say: idempotent methods only unless
   * `allMethods`, exponential backoff with jitter from 1 s or `Retry-After`,
   * never once `ondatastream` has delivered a byte. `null`: no retries.
   */
  retry: number | RetryOptions | null = null;

  /** Called when the request completed with a status below 400. */
  onload: HTTPClientCallback<SuccessResponse> | null = null;
  /** Called for a status of 400 or more (`code` = status) and for every failure. */
  onerror: HTTPClientCallback<FailureResponse> | null = null;
  /** Called on every readyState change (OPENED, HEADERS_RECEIVED, LOADING, DONE). */
  onreadystatechange: HTTPClientCallback<ReadyStateChangeEvent> | null = null;
  /** Download progress, per chunk; 1 once the body is complete. */
  ondatastream: HTTPClientCallback<DataStreamEvent> | null = null;
  /** Upload progress, rising to 1; set it before `send()`. */
  onsendstream: HTTPClientCallback<SendStreamEvent> | null = null;

  #readyState = 0;
  #opened = 0;
  #method: string | null = null;
  #url: string | null = null;
  readonly #headers = new RequestHeaders();
  #sent = false;
  #run: SendRun | null = null;
  readonly #response = new ClientResponse();
  #connectionType = "";
  readonly #events = new ProxyEvents();
  /** What a run may change here beyond the public API. */
  readonly #host: RunHost = {
    settings: this,
    response: this.#response,
    isCurrent: (run) => run === this.#run,
    release: () => {
      this.#run = null;
    },
    setState: (state) => this.#setState(state),
    listens: (name) => typeof this[name] === "function",
    fire: (name, event) => this.#fire(name, { source: this, ...event }),
    isDone: () => this.#run === null && this.#readyState === HTTPClient.DONE,
  };

  /**
   * Creates a client in the `UNSENT` state.
   *
   * @param props settings and callbacks to apply, as {@linkcode HTTPClientProperties}
   */
  constructor(props: HTTPClientProperties = {}) {
    this.applyProperties(props);
  }

  /** `"Ti.Network.HTTPClient"` (read-only). */
  get apiName(): string {
    return "Ti.Network.HTTPClient";
  }

  /**
   * The same as {@linkcode HTTPClient.apiName}.
   *
   * @returns `"Ti.Network.HTTPClient"`
   */
  getApiName(): string {
    return this.apiName;
  }

  /**
   * Sets several properties at once, as Titanium proxies do: settings and
   * callbacks are assigned; read-only properties and methods are left as
   * they are; any other name becomes a custom property of the client.
   *
   * @param props the properties to set
   *
   * @example Usage
   * ```ts
   * import { Network } from "@netstack/http";
   * const xhr = Network.createHTTPClient();
   * xhr.applyProperties({ timeout: 5_000, autoRedirect: false });
   * console.assert(xhr.timeout === 5_000 && xhr.autoRedirect === false);
   * ```
   */
  applyProperties(props: HTTPClientProperties | Record<string, unknown>): void {
    if (typeof props !== "object" || props === null) return;
    const source = props as Record<string, unknown>;
    const target = this as unknown as Record<string, unknown>;
    for (const key of Object.keys(source)) {
      if ((SETTABLE as readonly string[]).includes(key)) target[key] = source[key];
      else if (!(key in this)) target[key] = source[key];
    }
  }

  /**
   * Adds a listener for a proxy event fired with
   * {@linkcode HTTPClient.fireEvent} (the request's own outcome goes to the
   * `on*` callback properties, as in Titanium).
   *
   * @param name the event name
   * @param callback called with `{ ...event, type, source }`, `this` the client
   *
   * @example Usage
   * ```ts
   * import { Network } from "@netstack/http";
   * const xhr = Network.createHTTPClient();
   * let seen = "";
   * xhr.addEventListener("custom", (e) => seen = e.type);
   * xhr.fireEvent("custom");
   * console.assert(seen === "custom");
   * ```
   */
  // deno-lint-ignore no-explicit-any
  addEventListener(name: string, callback: (this: HTTPClient, event: any) => void): void {
    this.#events.add(name, callback);
  }

  /**
   * Removes a listener added with {@linkcode HTTPClient.addEventListener}.
   *
   * @param name the event name
   * @param callback the listener to remove
   */
  // deno-lint-ignore no-explicit-any
  removeEventListener(name: string, callback: (this: HTTPClient, event: any) => void): void {
    this.#events.remove(name, callback);
  }

  /**
   * Calls the listeners of `name` with `event` plus `type` and `source`.
   *
   * @param name the event name
   * @param event the event's properties
   */
  fireEvent(name: string, event?: unknown): void {
    this.#events.fire(this, name, event);
  }

  /** The current state: {@linkcode HTTPClient.UNSENT} … {@linkcode HTTPClient.DONE}. */
  get readyState(): number {
    return this.#readyState;
  }

  /** The HTTP status of the final response; 0 before one arrives. */
  get status(): number {
    return this.#response.status;
  }

  /** The reason phrase of the final response (`""` over HTTP/2, and before a response). */
  get statusText(): string {
    return this.#response.statusText;
  }

  /**
   * The body as text, in the charset of its Content-Type (UTF-8 by default,
   * ISO-8859-1 when the bytes are not valid in it), also for a status of
   * 400 or more. `""` (Android's value; typed `string` as in
   * `@types/titanium`) before the response is complete, after a failure,
   * for an empty body and for a `file` download.
   */
  get responseText(): string {
    return this.#response.text;
  }

  /**
   * The body as a `Ti.Blob` (see {@linkcode TiBlob}): `length`, `mimeType`,
   * `text`, `toString()`, and the web `Blob` methods. Never `null`: empty
   * before the response is complete and after a failure; for a `file`
   * download, it reads the file (`nativePath`, `file`).
   */
  get responseData(): TiBlob {
    return this.#response.data;
  }

  /**
   * The body parsed as an XML {@linkcode Document} (`nodeType` 9) when it is
   * well-formed XML and its Content-Type is not binary, whatever the type
   * says (`text/plain` too, as Titanium's tests expect); otherwise `null`.
   */
  get responseXML(): Document | null {
    return this.#response.xml;
  }

  /** The body parsed as JSON when it is a JSON object; otherwise `null` (arrays too). */
  get responseDictionary(): Record<string, unknown> | null {
    return this.#response.dictionary;
  }

  /**
   * The final response's headers: keys in lower case, read in any case
   * (`h["Content-Type"]` works too, as on iOS), repeated values joined by
   * `", "`. An object with no prototype, so a header named `__proto__` or
   * `constructor` is just a header. Empty before a response.
   */
  get responseHeaders(): Record<string, string> {
    return headerObject(this.#response.headers);
  }

  /** The final response's headers as `name: value` lines (CRLF); `""` before one arrives. */
  get allResponseHeaders(): string {
    const headers = this.#response.headers;
    return headers ? headerText(headers) : "";
  }

  /** `true` from `send()` until the request is `DONE`. */
  get connected(): boolean {
    return this.#run !== null;
  }

  /** The method given to `open()`, e.g. `"GET"`; `""` before. */
  get connectionType(): string {
    return this.#connectionType;
  }

  /** The URL of the request; after redirects, the URL of the final response; `""` before `open()`. */
  get location(): string {
    // Normalised on demand: parsing the URL for a property rarely read costs every request.
    const response = this.#response;
    if (response.location === null && this.#url !== null) response.location = displayUrl(this.#url);
    return response.location ?? "";
  }

  /**
   * Prepares a request. Moves to `OPENED`; `onreadystatechange` follows
   * once `open()` has returned (as on Android).
   * Ignored (with a warning) while a request is in progress, as on Android
   * and iOS. Nothing is checked here: a bad URL or method ends in `onerror`
   * from `send()`.
   *
   * @param method the HTTP method, e.g. `"GET"`, `"POST"`, `"PATCH"`
   * @param url the URL; without a scheme, `http://` is assumed (as on Android)
   * @param async ignored: requests are always asynchronous (as on Android)
   */
  open(method: string, url: string, async?: boolean): void {
    void async;
    if (this.#run) {
      warn("open() ignored: a request is in progress; call abort() first");
      return;
    }
    if (this.#sent) this.#headers.clear();
    this.#sent = false;
    this.#method = String(method);
    this.#url = String(url);
    this.#response.reset();
    this.#connectionType = this.#method;
    this.#readyState = HTTPClient.OPENED;
    // Like Android (and iOS, which fires it from send()), after open() returns: a handler
    // assigned right after open() still sees OPENED. Skipped if the client moved on meanwhile.
    const opened = ++this.#opened;
    queueMicrotask(() => {
      if (opened === this.#opened && this.#readyState === HTTPClient.OPENED) {
        this.#fire("onreadystatechange", { source: this, readyState: HTTPClient.OPENED });
      }
    });
  }

  /**
   * Sends the request opened with `open()`. `data` is encoded by type: a
   * string as is, a `Blob` or bytes as bytes, an object as
   * `application/x-www-form-urlencoded` (or `multipart/form-data` when a
   * value is a `Blob`/`File`; for GET and HEAD, the query string). A
   * Content-Type set with `setRequestHeader` wins.
   *
   * Never throws: every problem, an invalid URL included, ends in `onerror`.
   * Ignored (with a warning) while a request is in progress.
   *
   * @param data the request body
   * @returns a promise that resolves once the request is over and its
   *   callbacks have returned (or once an aborted request has released
   *   everything); it never rejects. Titanium code can ignore it.
   */
  send(data?: SendData): Promise<void> {
    if (this.#run) {
      warn("send() ignored: a request is in progress; call abort() first");
      return Promise.resolve();
    }
    if (this.#method === null || this.#url === null) {
      return Promise.resolve().then(() =>
        this.#fire("onerror", {
          source: this,
          success: false,
          code: -1,
          error: "send() was called before open()",
        })
      );
    }
    const run = new SendRun(this.#host, this.#method, this.#url, this.#headers);
    this.#run = run;
    this.#sent = true;
    this.#response.reset();
    const done = run.execute(data);
    const signal = this.signal;
    if (!signal) return done;
    const onAbort = () => {
      if (this.#run === run) this.abort();
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    return done.finally(() => signal.removeEventListener("abort", onAbort));
  }

  /**
   * Sets a request header for the next `send()`. Setting a name again joins
   * the values with `", "` (`"; "` for `Cookie`); `null` removes the header,
   * including the default `X-Requested-With: XMLHttpRequest`. A name that is
   * not a token or a value with CR or LF is refused: the next `send()` ends
   * in `onerror` (-1).
   *
   * @param name the header name
   * @param value the value, or `null` to remove the header
   * @throws {DOMException} `InvalidStateError` while a request is in progress (as Android and XHR do)
   */
  setRequestHeader(name: string, value: string | null): void {
    if (this.#run) {
      throw new DOMException(
        "setRequestHeader() cannot be called while a request is in progress",
        "InvalidStateError",
      );
    }
    this.#headers.set(name, value);
  }

  /**
   * A header of the final response, whatever the case of `name`; repeated
   * headers come joined by `", "`.
   *
   * @param name the header name
   * @returns the value, or `""` when the response has no such header (as on
   *   Android, and as `@types/titanium` types it; iOS gives `null`, so
   *   `if (!value)` works for both)
   */
  getResponseHeader(name: string): string {
    return this.#response.header(name) ?? "";
  }

  /**
   * The same as {@linkcode HTTPClient.allResponseHeaders}.
   *
   * @returns `name: value` lines ending in CRLF
   */
  getAllResponseHeaders(): string {
    return this.allResponseHeaders;
  }

  /**
   * Cancels the request in progress: moves to `DONE` (calling
   * `onreadystatechange`) and calls neither `onload` nor `onerror`. A
   * `file` download leaves nothing behind. Does nothing when no request is
   * in progress. The client can `send()` again afterwards.
   */
  abort(): void {
    const run = this.#run;
    if (!run) return;
    this.#run = null;
    run.abort();
    this.#setState(HTTPClient.DONE);
  }

  /** `using xhr = …`: {@linkcode HTTPClient.abort} when the block ends. */
  [Symbol.dispose](): void {
    this.abort();
  }

  /** `await using`: the same as {@linkcode HTTPClient.abort}. */
  [Symbol.asyncDispose](): Promise<void> {
    this.abort();
    return Promise.resolve();
  }

  /**
   * Removes the cookies of the shared jar that would be sent to `host`,
   * whatever their path: cookies of other hosts stay.
   *
   * @param host a URL such as `"https://example.com/"`, or a bare host name
   */
  clearCookies(host: string): void {
    clearCookiesFor(host);
  }

  /**
   * The same as setting {@linkcode HTTPClient.timeout} (an older Titanium method).
   *
   * @param timeout milliseconds
   */
  setTimeout(timeout: number): void {
    this.timeout = timeout;
  }

  #setState(state: number): void {
    this.#readyState = state;
    if (this.onreadystatechange) {
      this.#fire("onreadystatechange", { source: this, readyState: state });
    }
  }

  #fire(name: CallbackName, event: object): void {
    callBack(this, this[name], event, name);
  }
}

/** Settable properties with a `setX()` method (`setTimeout()` is the class's own). */
type ClientSettable = Exclude<(typeof SETTABLE)[number], "timeout">;

/**
 * `getStatus()`, `getResponseText()`, `setTimeout(ms)`… for every property
 * (Titanium's accessor methods, deprecated there in favour of the properties).
 */
export interface HTTPClient extends
  Getters<
    HTTPClientFields,
    Exclude<keyof HTTPClientFields, "maxResponseSize" | "withCredentials">
  >,
  Setters<
    HTTPClientFields,
    Exclude<keyof HTTPClientProperties, "timeout" | "maxResponseSize" | "withCredentials">
  > {}
defineAccessors(
  HTTPClient.prototype,
  [
    ...SETTABLE.filter((name) => name !== "maxResponseSize" && name !== "withCredentials"),
    "readyState",
    "status",
    "statusText",
    "responseText",
    "responseData",
    "responseXML",
    "responseHeaders",
    "connected",
    "connectionType",
    "location",
  ],
  SETTABLE.filter((name): name is ClientSettable =>
    name !== "timeout" && name !== "maxResponseSize" && name !== "withCredentials"
  ),
);

function warn(message: string): void {
  // deno-lint-ignore no-console
  console.warn(`[Ti.Network.HTTPClient] ${message}`);
}

/** The URL as `location` shows it before a response: normalised when it parses. */
function displayUrl(text: string): string {
  try {
    return parseRequestUrl(text).href;
  } catch {
    return text;
  }
}
