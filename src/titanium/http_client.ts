/**
 * `HTTPClient`: Titanium's `Ti.Network.HTTPClient`, a thin adapter over the
 * core pipeline. It turns `open()`/`send()` and the settings into a core
 * request, core events into readyState changes and callbacks, and core
 * errors into `onerror` codes.
 *
 * @module
 */

import { cacheLayer } from "../cache/cache_layer.ts";
import { basicAuthorization } from "../core/auth.ts";
import { ClientPool } from "../core/clients.ts";
import { NetError } from "../core/errors.ts";
import { createPipeline } from "../core/pipeline.ts";
import { concat, declaredLength } from "../core/read_body.ts";
import {
  DEFAULT_TIMEOUT,
  readCredential,
  readFile,
  readMethod,
  readTimeout,
  readUrl,
  tlsRefusal,
} from "./settings.ts";
import { scheduler } from "../core/scheduler.ts";
import type { CoreRequest, RequestEvents, ResponseHead } from "../core/request.ts";
import { checkHeader, checkHeaderSize, parseRequestUrl } from "../core/url.ts";
import { clearCookiesFor, sharedCookieStore } from "./cookies.ts";
import { FileDownload } from "./download_file.ts";
import { type Failure, toFailure } from "./errors.ts";
import { decodeText, headerObject, headerText, parseDictionary } from "./response.ts";
import { type Document, parseResponseXml } from "./response_xml.ts";
import { buildSendBody } from "./send_body.ts";
import type {
  DataStreamEvent,
  FailureResponse,
  HTTPClientCallback,
  HTTPClientProperties,
  ReadyStateChangeEvent,
  SendStreamEvent,
  SuccessResponse,
} from "./types.ts";

export { DEFAULT_TIMEOUT } from "./settings.ts";

/** What `send()` accepts. */
export type SendData =
  | string
  | Blob
  | ArrayBuffer
  | ArrayBufferView
  | Record<string, unknown>
  | null
  | undefined;

/** Redirects followed when `autoRedirect` is on (the Fetch standard's limit). */
export const MAX_REDIRECTS = 20;

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
  "onload",
  "onerror",
  "onreadystatechange",
  "ondatastream",
  "onsendstream",
] as const satisfies ReadonlyArray<keyof HTTPClientProperties>;

/** One `send()`: its cancellation, what arrived, and where the body goes. */
class Run {
  readonly controller = new AbortController();
  aborted = false;
  timeout = DEFAULT_TIMEOUT;
  target: string | URL | null = null;
  download: FileDownload | null = null;
  readonly chunks: Uint8Array[] = [];
  received = 0;
  total = -1;
  lastDataProgress = -2;
  lastSendProgress = 0;
}

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
export class HTTPClient {
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
  readonly #headers = new Map<string, { name: string; value: string | null }>();
  #headerError: NetError | null = null;
  #sent = false;
  #run: Run | null = null;
  #status = 0;
  #statusText: string | null = null;
  #responseHeaders: Headers | null = null;
  #body: Uint8Array | null = null;
  #text: string | null = null;
  #data: Blob | null = null;
  #xml: Document | null | undefined = undefined;
  #dictionary: Record<string, unknown> | null | undefined = undefined;
  /** Set once a URL was parsed or a response arrived; `null` derives it from `#url`. */
  #location: string | null = null;
  #connectionType: string | null = null;

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
    return this.#status;
  }

  /** The reason phrase of the final response (`""` over HTTP/2); `null` before one arrives. */
  get statusText(): string | null {
    return this.#statusText;
  }

  /**
   * The body as text, in the charset of its Content-Type (UTF-8 by default,
   * ISO-8859-1 when the bytes are not valid in it). `null` before the
   * response is complete, after a failure, and for a `file` download.
   */
  get responseText(): string | null {
    if (this.#body === null) return null;
    return this.#text ??= decodeText(this.#body, this.getResponseHeader("content-type"));
  }

  /** The body as a web `Blob` typed with the response Content-Type; `null` as for `responseText`. */
  get responseData(): Blob | null {
    if (this.#body === null) return null;
    return this.#data ??= new Blob([this.#body as Uint8Array<ArrayBuffer>], {
      type: this.getResponseHeader("content-type") ?? "",
    });
  }

  /**
   * The body as a DOM `Document` (`@xmldom/xmldom`) when the Content-Type is
   * XML (`text/xml`, `application/xml`, `*+xml`) and the body is
   * well-formed; otherwise `null`.
   */
  get responseXML(): Document | null {
    if (this.#xml !== undefined) return this.#xml;
    const text = this.responseText;
    return this.#xml = text === null
      ? null
      : parseResponseXml(text, this.getResponseHeader("content-type"));
  }

  /** The body parsed as JSON when it is a JSON object; otherwise `null` (arrays too). */
  get responseDictionary(): Record<string, unknown> | null {
    if (this.#dictionary !== undefined) return this.#dictionary;
    const text = this.responseText;
    return this.#dictionary = text === null ? null : parseDictionary(text);
  }

  /** The final response's headers, names in lower case, repeated ones joined by `", "`. */
  get responseHeaders(): Record<string, string> {
    return this.#responseHeaders ? headerObject(this.#responseHeaders) : {};
  }

  /** The final response's headers as `name: value` lines (CRLF); `""` before one arrives. */
  get allResponseHeaders(): string {
    return this.#responseHeaders ? headerText(this.#responseHeaders) : "";
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
    if (this.#location === null && this.#url !== null) this.#location = displayUrl(this.#url);
    return this.#location;
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
    if (this.#sent) {
      this.#headers.clear();
      this.#headerError = null;
    }
    this.#sent = false;
    this.#method = String(method);
    this.#url = String(url);
    this.#resetResponse();
    this.#connectionType = this.#method;
    this.#location = null;
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
    const run = new Run();
    this.#run = run;
    this.#sent = true;
    this.#resetResponse();
    this.#location = null;
    return this.#execute(run, data);
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
    const key = String(name).toLowerCase();
    if (value === null || value === undefined) {
      this.#headers.set(key, { name: String(name), value: null });
      return;
    }
    const text = String(value);
    try {
      checkHeader("setRequestHeader", String(name), text);
    } catch (error) {
      this.#headerError = error as NetError;
      return;
    }
    const old = this.#headers.get(key)?.value;
    const joined = old == null ? text : `${old}${key === "cookie" ? "; " : ", "}${text}`;
    this.#headers.set(key, { name: String(name), value: joined });
  }

  /**
   * A header of the final response, whatever the case of `name`; repeated
   * headers come joined by `", "`.
   *
   * @param name the header name
   * @returns the value, or `null` when the response has no such header
   */
  getResponseHeader(name: string): string | null {
    try {
      return this.#responseHeaders?.get(name) ?? null;
    } catch {
      return null;
    }
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
    run.aborted = true;
    this.#run = null;
    run.controller.abort(new NetError("ABORTED", "abort() was called"));
    this.#setState(HTTPClient.DONE);
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

  async #execute(run: Run, data: unknown): Promise<void> {
    let failure: Failure | null = null;
    const clients = new ClientPool();
    try {
      const request = await this.#prepare(run, data);
      // The cache answers before the scheduler, so hits never queue.
      const dispatch = createPipeline(clients, [cacheLayer(), scheduler.layer]);
      const result = await dispatch(request, this.#events(run));
      if (result.body) {
        run.chunks.push(result.body);
        run.received = result.body.byteLength;
      }
      if (run.aborted) throw new NetError("ABORTED", "abort() was called");
      await run.download?.commit();
    } catch (error) {
      await run.download?.discard();
      failure = toFailure(error);
    } finally {
      clients.close();
    }
    if (run === this.#run) this.#finish(run, failure);
  }

  async #prepare(run: Run, data: unknown): Promise<CoreRequest> {
    const method = readMethod(this.#method!);
    if (this.#headerError) throw this.#headerError;
    run.timeout = readTimeout(this.timeout);
    run.target = readFile(this.file);
    const refusal = tlsRefusal(this.validatesSecureCertificate, this.tlsVersion);
    const { url, username, password } = readUrl(this.#url!, this.autoEncodeUrl !== false);
    if (refusal && url.protocol === "https:") throw new NetError("TLS_HANDSHAKE", refusal);

    const headers = new Headers();
    if (!this.#headers.has("x-requested-with")) headers.set("x-requested-with", "XMLHttpRequest");
    for (const [key, { value }] of this.#headers) {
      if (value === null) headers.delete(key);
      else headers.set(key, value);
    }
    checkHeaderSize("setRequestHeader", headers);
    const user = readCredential("username", this.username) ?? username;
    if (user && !headers.has("authorization")) {
      const pass = readCredential("password", this.password) ?? password ?? "";
      headers.set("authorization", basicAuthorization(user, pass));
    }
    const { body, contentType, replacesCallerType } = await buildSendBody(
      method,
      url,
      data,
      headers.get("content-type"),
    );
    if (contentType && (replacesCallerType || !headers.has("content-type"))) {
      headers.set("content-type", contentType);
    }
    this.#location = url.href;
    return {
      url,
      method,
      headers,
      body,
      // Titanium's timeout is an idle limit: it restarts on every sign of progress.
      totalTimeout: 0,
      connectTimeout: 0,
      idleTimeout: run.timeout,
      maxBodySize: Number.MAX_SAFE_INTEGER,
      protocol: "auto",
      maxRedirects: this.autoRedirect === false ? 0 : MAX_REDIRECTS,
      // Chunks are only needed for `file` and `ondatastream`; otherwise the core reads in one go.
      bodyMode: run.target !== null || typeof this.ondatastream === "function"
        ? "stream"
        : "buffer",
      priority: 1, // Titanium has no priorities: the scheduler's lowest, as OpenHarmony's default
      // `cache: true` uses the KV response cache once http.createHttpResponseCache() opened it.
      cache: this.cache === true ? "default" : "no-store",
      cookies: sharedCookieStore,
      startTime: performance.now(),
      signal: run.controller.signal,
    };
  }

  #events(run: Run): RequestEvents {
    const events: RequestEvents = {
      onHeaders: (head) => {
        if (run !== this.#run) return;
        if (head.final) this.#headersReceived(run, head);
        else this.#checkRedirect(run, head);
      },
      onData: (chunk) => {
        if (run !== this.#run) return undefined;
        if (run.download) return run.download.write(chunk);
        run.chunks.push(chunk.slice()); // the core reuses the chunk's memory
        return undefined;
      },
    };
    if (run.target !== null || typeof this.ondatastream === "function") {
      events.onDownloadProgress = (received, total) => {
        if (run !== this.#run) return;
        const size = received - run.received;
        run.received = received;
        const progress = total > 0 && received <= total ? received / total : -1;
        this.#dataProgress(run, progress, size);
      };
    }
    const reportUpload = typeof this.onsendstream === "function";
    if (reportUpload) {
      events.onUploadProgress = (sent, total) => {
        if (run !== this.#run) return;
        const progress = total > 0 ? Math.min(sent / total, 1) : 1;
        if (progress <= run.lastSendProgress) return;
        run.lastSendProgress = progress;
        this.#fire("onsendstream", { source: this, progress });
      };
    }
    return events;
  }

  #headersReceived(run: Run, head: ResponseHead): void {
    this.#status = head.status;
    this.#statusText = head.statusText;
    this.#responseHeaders = head.headers;
    this.#location = head.url;
    run.total = declaredLength(head.headers) ?? -1;
    if (run.target !== null && head.status < 400) run.download = new FileDownload(run.target);
    this.#setState(HTTPClient.HEADERS_RECEIVED);
    if (run !== this.#run) return;
    this.#setState(HTTPClient.LOADING);
  }

  /** Stops before a redirect to https that the TLS settings cannot honour. */
  #checkRedirect(run: Run, head: ResponseHead): void {
    const refusal = tlsRefusal(this.validatesSecureCertificate, this.tlsVersion);
    const location = head.headers.get("location");
    if (!refusal || location === null) return;
    let next: URL;
    try {
      next = new URL(location, head.url);
    } catch {
      return;
    }
    if (next.protocol === "https:") {
      run.controller.abort(new NetError("TLS_HANDSHAKE", `redirect to ${next.href}: ${refusal}`));
    }
  }

  #dataProgress(run: Run, progress: number, size: number): void {
    run.lastDataProgress = progress;
    this.#fire("ondatastream", {
      source: this,
      progress,
      totalCount: run.total,
      totalSize: run.received,
      size,
    });
  }

  #finish(run: Run, failure: Failure | null): void {
    if (failure === null) {
      this.#body = run.download ? null : concat(run.chunks, run.received);
      if (run.lastDataProgress !== 1) this.#dataProgress(run, 1, 0);
      if (run !== this.#run) return;
    }
    this.#run = null;
    this.#setState(HTTPClient.DONE);
    if (this.#run !== null || this.#readyState !== HTTPClient.DONE) return;
    if (failure) {
      this.#fire("onerror", { source: this, success: false, ...failure });
    } else if (this.#status >= 400) {
      this.#fire("onerror", {
        source: this,
        success: false,
        code: this.#status,
        error: `${this.#status} : ${this.#statusText ?? ""}`.trimEnd(),
      });
    } else {
      this.#fire("onload", { source: this, success: true, code: 0 });
    }
  }

  #resetResponse(): void {
    this.#status = 0;
    this.#statusText = null;
    this.#responseHeaders = null;
    this.#body = null;
    this.#text = null;
    this.#data = null;
    this.#xml = undefined;
    this.#dictionary = undefined;
  }

  #setState(state: number): void {
    this.#readyState = state;
    this.#fire("onreadystatechange", { source: this, readyState: state });
  }

  #fire<K extends "onload" | "onerror" | "onreadystatechange" | "ondatastream" | "onsendstream">(
    name: K,
    event: Parameters<NonNullable<HTTPClient[K]>>[0],
  ): void {
    const callback = this[name] as ((this: HTTPClient, e: typeof event) => void) | null;
    if (typeof callback !== "function") return;
    try {
      callback.call(this, event);
    } catch (error) {
      reportError(error);
    }
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
