/**
 * `HTTPClient`: Titanium's `Ti.Network.HTTPClient`, a thin adapter over the
 * core pipeline. It holds the settings, callbacks, readyState and response;
 * each `send()` is a run (`send_run.ts`) that owns the state of that send
 * and builds its core request with `prepare_request.ts`.
 *
 * @module
 */

import { parseRequestUrl } from "../core/url.ts";
import { callBack } from "./callbacks.ts";
import { clearCookiesFor } from "./cookies.ts";
import { RequestHeaders } from "./request_headers.ts";
import { ClientResponse, headerObject, headerText } from "./response.ts";
import type { Document } from "./response_xml.ts";
import { type RunHost, SendRun } from "./send_run.ts";

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

/** A callback property of `HTTPClient`: `this` is the client. */
export type HTTPClientCallback<E> = (this: HTTPClient, event: E) => void;

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
  /** See {@linkcode HTTPClient.withCredentials}. */
  withCredentials?: boolean;
  /** See {@linkcode HTTPClient.file}. */
  file?: string | URL;
  /** See {@linkcode HTTPClient.cache}. */
  cache?: boolean;
  /** See {@linkcode HTTPClient.enableKeepAlive}. */
  enableKeepAlive?: boolean;
  /** See {@linkcode HTTPClient.signal}. */
  signal?: AbortSignal | null;
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

/** The properties of `HTTPClient` that hold callbacks. */
type CallbackName = "onload" | "onerror" | "onreadystatechange" | "ondatastream" | "onsendstream";

/** What `send()` accepts. */
export type SendData =
  | string
  | Blob
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
  "withCredentials",
  "file",
  "cache",
  "enableKeepAlive",
  "signal",
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
  /** `"Ti.Network.HTTPClient"`. */
  readonly apiName: "Ti.Network.HTTPClient" = "Ti.Network.HTTPClient";

  /**
   * Milliseconds the exchange may go without progress (as iOS's
   * `timeoutInterval`): no upload bytes taken, no response head and no body
   * chunk for that long ends the request in `onerror` with code -1001. A
   * slow upload or download that keeps moving is not cut. 0 waits forever;
   * when not set, 60 000 (iOS's default).
   */
  timeout: number | undefined = undefined;
  /** Follow redirects (up to 20). `false` hands the 3xx itself to `onload`. Default `true`. */
  autoRedirect: boolean = true;
  /**
   * `true` (default): characters a URL cannot carry (spaces, non-ASCII…) are
   * percent-encoded. `false`: such a URL ends in `onerror` (-1000) instead of
   * being changed.
   */
  autoEncodeUrl: boolean = true;
  /**
   * Certificate verification. Reads back what was set (`undefined` until
   * then); verification stays on unless this is explicitly `false`. Deno
   * cannot turn verification off for one request, so with `false` every
   * https request (or redirect to https) ends in `onerror` (-1200) rather
   * than pretending; http requests are unaffected.
   */
  validatesSecureCertificate: boolean | undefined = undefined;
  /**
   * The lowest TLS version to accept, as `Network.TLS_VERSION_*`. Deno
   * negotiates TLS 1.2 or 1.3 and never less, which satisfies 1.0, 1.1 and
   * 1.2. It cannot insist on 1.3, so `TLS_VERSION_1_3` ends https requests
   * in `onerror` (-1200). Unset or 0: Deno's default (1.2 or 1.3).
   */
  tlsVersion: number | undefined = undefined;
  /**
   * User name for HTTP Basic authentication, sent with the first request
   * (as on Android) unless an `Authorization` header is set. It is never
   * sent to another origin after a redirect.
   */
  username: string | undefined = undefined;
  /** Password for HTTP Basic authentication (empty when only `username` is set). */
  password: string | undefined = undefined;
  /** Kept for compatibility (a Mobile Web setting); cookies follow the shared jar either way. */
  withCredentials: boolean = false;
  /**
   * A path (or `file:` URL) to download the body to. The body is written to
   * a temporary file next to it and renamed when complete, so the path only
   * ever holds a whole body; a failed or aborted download leaves nothing.
   * Responses with status 400 or more are not written. The body is then not
   * kept in memory: `responseText`, `responseData`… are `null`.
   */
  file: string | URL | undefined = undefined;
  /**
   * Use the response cache (Deno KV, RFC 9111) opened by
   * `http.createHttpResponseCache()`: fresh entries are served without the
   * network, stale ones revalidated. `false` (the default) neither reads
   * nor writes it.
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
  #connectionType: string | null = null;
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
    const source = props as Record<string, unknown>;
    const target = this as unknown as Record<string, unknown>;
    for (const key of SETTABLE) if (key in source) target[key] = source[key];
  }

  /** The current state: {@linkcode HTTPClient.UNSENT} … {@linkcode HTTPClient.DONE}. */
  get readyState(): number {
    return this.#readyState;
  }

  /** The HTTP status of the final response; 0 before one arrives. */
  get status(): number {
    return this.#response.status;
  }

  /** The reason phrase of the final response (`""` over HTTP/2); `null` before one arrives. */
  get statusText(): string | null {
    return this.#response.statusText;
  }

  /**
   * The body as text, in the charset of its Content-Type (UTF-8 by default,
   * ISO-8859-1 when the bytes are not valid in it). `null` before the
   * response is complete, after a failure, and for a `file` download.
   */
  get responseText(): string | null {
    return this.#response.text;
  }

  /** The body as a web `Blob` typed with the response Content-Type; `null` as for `responseText`. */
  get responseData(): Blob | null {
    return this.#response.data;
  }

  /**
   * The body as a DOM `Document` (`@xmldom/xmldom`) when the Content-Type is
   * XML (`text/xml`, `application/xml`, `*+xml`) and the body is
   * well-formed; otherwise `null`.
   */
  get responseXML(): Document | null {
    return this.#response.xml;
  }

  /** The body parsed as JSON when it is a JSON object; otherwise `null` (arrays too). */
  get responseDictionary(): Record<string, unknown> | null {
    return this.#response.dictionary;
  }

  /** The final response's headers, names in lower case, repeated ones joined by `", "`. */
  get responseHeaders(): Record<string, string> {
    const headers = this.#response.headers;
    return headers ? headerObject(headers) : {};
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

  /** The method given to `open()`, e.g. `"GET"`; `null` before. */
  get connectionType(): string | null {
    return this.#connectionType;
  }

  /** The URL of the request; after redirects, the URL of the final response. */
  get location(): string | null {
    // Normalised on demand: parsing the URL for a property rarely read costs every request.
    const response = this.#response;
    if (response.location === null && this.#url !== null) response.location = displayUrl(this.#url);
    return response.location;
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
   * @returns the value, or `null` when the response has no such header
   */
  getResponseHeader(name: string): string | null {
    return this.#response.header(name);
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
