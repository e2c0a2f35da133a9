/**
 * `HttpRequest`: the OpenHarmony request object, a thin adapter over the
 * core pipeline. It turns argument shapes into a core request, core events
 * into `on()` events, and core errors into `BusinessError`s.
 *
 * @module
 */

import { releaseController, takeController } from "../core/abort_pool.ts";
import { NetError } from "../core/errors.ts";
import { JarCookieStore } from "../core/cookies.ts";
import type { BodyMode, CoreResult, Dispatch, RequestEvents } from "../core/request.ts";
import { sharedStack } from "../core/stack.ts";
import { toBusinessError } from "./errors.ts";
import { EventHub, reportAppError } from "./events.ts";
import { InterceptorType } from "./enums.ts";
import { chainOf, registerRequestCheck } from "./interceptor_registry.ts";
import type { HttpInterceptorChain } from "./interceptors.ts";
import { type ResolvedRequest, resolveRequest } from "./options.ts";
import { requestSync, SyncWorker } from "./request_sync.ts";
import { headerObject, toHttpResponse } from "./response.ts";
import type {
  AsyncCallback,
  Callback,
  DataReceiveProgressInfo,
  DataSendProgressInfo,
  HttpRequestOptions,
  HttpResponse,
  HttpResult,
  ResponseHeaders,
} from "./types.ts";

/**
 * One request object: runs any number of requests, sequential or
 * concurrent, until {@linkcode HttpRequest.destroy}. Create it with
 * `http.createHttp()`.
 *
 * @example Usage
 * ```ts
 * import http from "@netstack/http";
 * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => Response.json({ ok: true }));
 * const req = http.createHttp();
 * const res = await req.request(`http://127.0.0.1:${server.addr.port}/`, {
 *   expectDataType: http.HttpDataType.OBJECT,
 * });
 * console.assert(res.responseCode === 200);
 * req.destroy();
 * ```
 *
 * @example `using` calls destroy() when the block ends
 * ```ts
 * import http from "@netstack/http";
 * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => Response.json({ id: 7 }));
 * using req = http.createHttp();
 * const res = await req.request<{ id: number }>(`http://127.0.0.1:${server.addr.port}/`, {
 *   expectDataType: http.HttpDataType.OBJECT,
 * });
 * console.assert(res.result.id === 7);
 * ```
 */
export class HttpRequest implements Disposable, AsyncDisposable {
  readonly #events = new EventHub();
  readonly #dispatch: Dispatch = sharedStack().dispatch;
  /** Keeps the shared stack's connections open while this object lives. */
  readonly #release: () => void = sharedStack().hold();
  /**
   * Cancels this object's requests in flight: taken for the first one and
   * given back when none is left, so that `destroy()` builds an error (and its
   * stack) only when a request is there to receive it, and a new object per
   * request adds no listener (see `abort_pool.ts`).
   */
  #abort: AbortController | null = null;
  /** A request joined another signal to #abort's (`AbortSignal.any` keeps that link): not pooled. */
  #linked = false;
  #inFlight = 0;
  #destroyed = false;
  /** Set once a request of this object ran through the interceptor stack. */
  #releaseInterceptorStack: (() => void) | null = null;
  /** The worker of `requestSync()`, started by its first call, stopped by `destroy()`. */
  #syncWorker: SyncWorker | null = null;
  /** The jar of `enableAutoCookie(true)`, shared by this object's requests; `null` when off. */
  #autoCookies: JarCookieStore | null = null;

  static {
    registerRequestCheck((value) => #events in value);
  }
  readonly #eventsCache: Partial<Record<BodyMode, { version: number; events: RequestEvents }>> = {};

  /**
   * Sends a request and reads the whole body (up to `maxLimit`).
   *
   * @param url the URL; without a scheme, `http://` is assumed
   * @param callback receives the error or the response
   */
  request<T = HttpResult>(url: string, callback: AsyncCallback<HttpResponse<T>>): void;
  /**
   * Sends a request with options and reads the whole body (up to `maxLimit`).
   *
   * @param url the URL
   * @param options the request options
   * @param callback receives the error or the response
   */
  request<T = HttpResult>(
    url: string,
    options: HttpRequestOptions,
    callback: AsyncCallback<HttpResponse<T>>,
  ): void;
  /**
   * Sends a request and reads the whole body (up to `maxLimit`). `T` types
   * `result` when the caller knows it (nothing is checked at run time).
   *
   * @param url the URL
   * @param options the request options
   * @returns the response; rejects with a `BusinessError`
   */
  request<T = HttpResult>(url: string, options?: HttpRequestOptions): Promise<HttpResponse<T>>;
  request(...args: unknown[]): Promise<HttpResponse> | void {
    const start = performance.now();
    const { url, options, callback, error } = splitArgs(args);
    return settle(this.#request(url, options, error, start), callback);
  }

  /**
   * Sends a request and blocks the calling thread until the response (or
   * an error) is in: a worker does the request while this thread waits. No
   * event, interceptor or callback runs meanwhile; options must be plain
   * data (a function in them is a 401).
   *
   * @param url the URL
   * @param options the request options
   * @returns the response
   * @throws {BusinessError} an Error with the code `request()` would reject with
   *
   * @example Usage (the server must run in another thread or process)
   * ```ts ignore
   * import http from "@netstack/http";
   * const req = http.createHttp();
   * const res = req.requestSync("http://127.0.0.1:8000/get");
   * console.log(res.responseCode);
   * req.destroy();
   * ```
   */
  requestSync(url: string, options?: HttpRequestOptions): HttpResponse {
    if (this.#destroyed) {
      throw Object.assign(new Error("Internal error: the HttpRequest was destroyed"), {
        name: "BusinessError",
        code: 2300999,
      });
    }
    return requestSync(url, options, this.#syncWorker ??= new SyncWorker());
  }

  /**
   * Sends a request and streams the body through `dataReceive` events; the
   * size limit does not apply. Resolves with the status after `dataEnd`.
   *
   * @param url the URL
   * @param callback receives the error or the status code
   */
  requestInStream(url: string, callback: AsyncCallback<number>): void;
  /**
   * Sends a request with options and streams the body through `dataReceive` events.
   *
   * @param url the URL
   * @param options the request options
   * @param callback receives the error or the status code
   */
  requestInStream(url: string, options: HttpRequestOptions, callback: AsyncCallback<number>): void;
  /**
   * Sends a request and streams the body through `dataReceive` events.
   *
   * @param url the URL
   * @param options the request options
   * @returns the status code; rejects with a `BusinessError`
   */
  requestInStream(url: string, options?: HttpRequestOptions): Promise<number>;
  requestInStream(...args: unknown[]): Promise<number> | void {
    const start = performance.now();
    const { url, options, callback, error } = splitArgs(args);
    return settle(this.#requestInStream(url, options, error, start), callback);
  }

  /**
   * Cancels every request in flight (they reject with 2300023), stops all
   * events, releases connections; later requests reject with 2300999.
   */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#abort?.abort(new NetError("DESTROYED", "destroy() was called"));
    this.#release();
    this.#releaseInterceptorStack?.();
    this.#syncWorker?.close();
  }

  /** `using req = http.createHttp()`: {@linkcode HttpRequest.destroy} when the block ends. */
  [Symbol.dispose](): void {
    this.destroy();
  }

  /** `await using`: the same as {@linkcode HttpRequest.destroy}. */
  [Symbol.asyncDispose](): Promise<void> {
    this.destroy();
    return Promise.resolve();
  }

  /**
   * Shares cookies among this object's requests: with `true`, cookies a
   * response sets are sent by later requests (where RFC 6265 allows);
   * `false` (the default) forgets them, and each request has its own jar.
   *
   * @param enable whether to keep and send cookies across requests
   *
   * @example Usage
   * ```ts
   * import http from "@netstack/http";
   * const req = http.createHttp();
   * req.enableAutoCookie(true);
   * req.destroy();
   * ```
   */
  enableAutoCookie(enable: boolean): void {
    if (enable) this.#autoCookies ??= new JarCookieStore();
    else this.#autoCookies = null;
  }

  /**
   * Adds a listener. Several listeners per event are kept; the same function twice counts once.
   *
   * @param type the event
   * @param callback the listener
   * @throws {Error} with `code` 401 for an unknown event or a callback that is not a function
   */
  on(type: "headerReceive", callback: AsyncCallback<ResponseHeaders>): void;
  /**
   * Adds a listener.
   *
   * @param type the event
   * @param callback the listener
   */
  on(type: "headersReceive", callback: Callback<ResponseHeaders>): void;
  /**
   * Adds a listener.
   *
   * @param type the event
   * @param callback the listener
   */
  on(type: "dataReceive", callback: Callback<ArrayBuffer>): void;
  /**
   * Adds a listener.
   *
   * @param type the event
   * @param callback the listener
   */
  on(type: "dataEnd", callback: Callback<void>): void;
  /**
   * Adds a listener.
   *
   * @param type the event
   * @param callback the listener
   */
  on(type: "dataReceiveProgress", callback: Callback<DataReceiveProgressInfo>): void;
  /**
   * Adds a listener.
   *
   * @param type the event
   * @param callback the listener
   */
  on(type: "dataSendProgress", callback: Callback<DataSendProgressInfo>): void;
  on(type: string, callback: unknown): void {
    this.#events.add(type, callback, false);
  }

  /**
   * Adds a listener that is removed after its first call.
   *
   * @param type the event
   * @param callback the listener
   */
  once(type: "headerReceive", callback: AsyncCallback<ResponseHeaders>): void;
  /**
   * Adds a listener that is removed after its first call.
   *
   * @param type the event
   * @param callback the listener
   */
  once(type: "headersReceive", callback: Callback<ResponseHeaders>): void;
  /**
   * Adds a listener that is removed after its first call.
   *
   * @param type the event
   * @param callback the listener
   */
  once(type: "dataReceive", callback: Callback<ArrayBuffer>): void;
  /**
   * Adds a listener that is removed after its first call.
   *
   * @param type the event
   * @param callback the listener
   */
  once(type: "dataEnd", callback: Callback<void>): void;
  /**
   * Adds a listener that is removed after its first call.
   *
   * @param type the event
   * @param callback the listener
   */
  once(type: "dataReceiveProgress", callback: Callback<DataReceiveProgressInfo>): void;
  /**
   * Adds a listener that is removed after its first call.
   *
   * @param type the event
   * @param callback the listener
   */
  once(type: "dataSendProgress", callback: Callback<DataSendProgressInfo>): void;
  once(type: string, callback: unknown): void {
    this.#events.add(type, callback, true);
  }

  /**
   * Removes `callback`, or every listener of the event when it is omitted.
   *
   * @param type the event
   * @param callback the listener to remove
   */
  off(type: "headerReceive", callback?: AsyncCallback<ResponseHeaders>): void;
  /**
   * Removes `callback`, or every listener of the event when it is omitted.
   *
   * @param type the event
   * @param callback the listener to remove
   */
  off(type: "headersReceive", callback?: Callback<ResponseHeaders>): void;
  /**
   * Removes `callback`, or every listener of the event when it is omitted.
   *
   * @param type the event
   * @param callback the listener to remove
   */
  off(type: "dataReceive", callback?: Callback<ArrayBuffer>): void;
  /**
   * Removes `callback`, or every listener of the event when it is omitted.
   *
   * @param type the event
   * @param callback the listener to remove
   */
  off(type: "dataEnd", callback?: Callback<void>): void;
  /**
   * Removes `callback`, or every listener of the event when it is omitted.
   *
   * @param type the event
   * @param callback the listener to remove
   */
  off(type: "dataReceiveProgress", callback?: Callback<DataReceiveProgressInfo>): void;
  /**
   * Removes `callback`, or every listener of the event when it is omitted.
   *
   * @param type the event
   * @param callback the listener to remove
   */
  off(type: "dataSendProgress", callback?: Callback<DataSendProgressInfo>): void;
  off(type: string, callback?: unknown): void {
    this.#events.remove(type, callback);
  }

  async #request(
    url: unknown,
    options: unknown,
    error: NetError | undefined,
    start: number,
  ): Promise<HttpResponse> {
    this.#inFlight++;
    try {
      if (error) throw error;
      const resolving = this.#resolve(url, options, "buffer", start);
      const resolved = resolving instanceof Promise ? await resolving : resolving;
      const chain = chainOf<HttpInterceptorChain>(this);
      if (chain) {
        this.#linked = true;
        return await this.#intercepted(chain, resolved, start);
      }
      const result = await this.#dispatch(resolved.core, this.#coreEvents("buffer"));
      const response = toHttpResponse(
        result,
        resolved.expectDataType,
        resolved.cookies,
        start,
        resolved.core.method === "HEAD",
      );
      return response instanceof Promise ? await response : response;
    } catch (error) {
      throw toBusinessError(error);
    } finally {
      this.#settled();
    }
  }

  /** `request()` with an interceptor chain applied (see `interceptor_run.ts`). */
  async #intercepted(
    chain: HttpInterceptorChain,
    resolved: ResolvedRequest,
    start: number,
  ): Promise<HttpResponse> {
    // Loaded by the first request with a chain: requests without one never need it.
    const {
      blankResponse,
      intercept,
      InterceptedResponse,
      interceptorStack,
      normalizeResponse,
      requestContext,
      runInterceptor,
      withContext,
    } = await import("./interceptor_run.ts");
    let core = resolved.core;
    const build = async (result: CoreResult) =>
      await toHttpResponse(
        // A redirect hop's body is not read: an empty result.
        result.body ? result : { ...result, body: new Uint8Array() },
        resolved.expectDataType,
        resolved.cookies,
        start,
        core.method === "HEAD",
      );
    const initial = chain.find(InterceptorType.INITIAL_REQUEST);
    if (initial) {
      const context = requestContext(core);
      const response = blankResponse();
      if (!await runInterceptor(initial, context, response)) return normalizeResponse(response);
      core = withContext(core, context, core.url.href);
    }
    core = { ...core, signal: intercept(core.signal!, { chain, build, pending: null }) };
    const stack = interceptorStack();
    this.#releaseInterceptorStack ??= stack.hold();
    let response: HttpResponse;
    try {
      response = await build(await stack.dispatch(core, this.#coreEvents("buffer")));
    } catch (error) {
      if (error instanceof InterceptedResponse) return error.response;
      throw error;
    }
    const final = chain.find(InterceptorType.FINAL_RESPONSE);
    if (final) await runInterceptor(final, requestContext(core), response);
    return response;
  }

  async #requestInStream(
    url: unknown,
    options: unknown,
    error: NetError | undefined,
    start: number,
  ): Promise<number> {
    this.#inFlight++;
    try {
      if (error) throw error;
      const resolving = this.#resolve(url, options, "stream", start);
      const resolved = resolving instanceof Promise ? await resolving : resolving;
      const result = await this.#dispatch(resolved.core, this.#coreEvents("stream"));
      this.#emit("dataEnd");
      return result.head.status;
    } catch (error) {
      throw toBusinessError(error);
    } finally {
      this.#settled();
    }
  }

  #resolve(url: unknown, options: unknown, mode: BodyMode, start: number) {
    if (this.#destroyed) {
      throw new NetError("INTERNAL", "the HttpRequest was destroyed");
    }
    const signal = (this.#abort ??= takeController()).signal;
    const resolving = resolveRequest(
      url,
      options as HttpRequestOptions | undefined,
      mode,
      signal,
      start,
      this.#autoCookies,
    );
    // A request with its own `signal` option has this object's joined to it.
    const link = (resolved: ResolvedRequest) => {
      if (resolved.core.signal !== signal) this.#linked = true;
      return resolved;
    };
    return resolving instanceof Promise ? resolving.then(link) : link(resolving);
  }

  /** A request ended: with none left, the controller goes back (unaborted and unlinked). */
  #settled(): void {
    if (--this.#inFlight > 0) return;
    if (this.#abort && !this.#linked) releaseController(this.#abort);
    this.#abort = null;
    this.#linked = false;
  }

  /** The core events for `mode`, rebuilt only when the set of listeners changed. */
  #coreEvents(mode: BodyMode): RequestEvents {
    const cached = this.#eventsCache[mode];
    if (cached?.version === this.#events.version) return cached.events;
    const events: RequestEvents = {
      // Checked per call: a listener added while the request runs still hears its headers.
      onHeaders: (head) => {
        if (!this.#events.has("headersReceive") && !this.#events.has("headerReceive")) return;
        const header = headerObject(head.headers);
        this.#emit("headerReceive", undefined, header);
        this.#emit("headersReceive", header);
      },
    };
    if (this.#events.has("dataSendProgress")) {
      events.onUploadProgress = (sendSize, totalSize) =>
        this.#emit("dataSendProgress", { sendSize, totalSize });
    }
    if (mode === "stream") {
      // Listeners may keep what they get, and the core reuses the chunk's memory: they share
      // one copy, or, when the core lets go of a chunk that fills its buffer, that buffer
      // itself. Nothing when nobody listens (checked per chunk: listeners come and go).
      events.onData = (chunk, transferable) => {
        if (!this.#events.has("dataReceive")) return;
        const whole = transferable && chunk.byteOffset === 0 &&
          chunk.byteLength === chunk.buffer.byteLength && chunk.buffer instanceof ArrayBuffer;
        this.#emit("dataReceive", whole ? chunk.buffer.transfer() : chunk.slice().buffer);
      };
      events.onDownloadProgress = (receiveSize, totalSize) => {
        if (this.#events.has("dataReceiveProgress")) {
          this.#emit("dataReceiveProgress", { receiveSize, totalSize });
        }
      };
    }
    this.#eventsCache[mode] = { version: this.#events.version, events };
    return events;
  }

  #emit(type: Parameters<EventHub["emit"]>[0], ...args: unknown[]): void {
    if (!this.#destroyed) this.#events.emit(type, ...args);
  }
}

interface SplitArgs {
  url: unknown;
  options: unknown;
  callback: ((err: unknown, data: unknown) => void) | undefined;
  error: NetError | undefined;
}

/** Accepts `(url)`, `(url, callback)`, `(url, options)` and `(url, options, callback)`. */
function splitArgs(args: unknown[]): SplitArgs {
  const [url, second, third] = args;
  if (typeof second === "function") {
    return {
      url,
      options: undefined,
      callback: second as SplitArgs["callback"],
      error: extra(args, 2),
    };
  }
  const callback = typeof third === "function" ? third as SplitArgs["callback"] : undefined;
  let error = extra(args, 3);
  if (third !== undefined && !callback) {
    error = new NetError("INVALID_ARGUMENT", "'callback' must be a function");
  }
  return { url, options: second, callback, error };
}

function extra(args: unknown[], allowed: number): NetError | undefined {
  return args.length > allowed
    ? new NetError("INVALID_ARGUMENT", `expected at most ${allowed} arguments, got ${args.length}`)
    : undefined;
}

/** Delivers a result to the callback, or returns the promise; never throws synchronously. */
function settle<T>(
  promise: Promise<T>,
  callback: ((err: unknown, data: unknown) => void) | undefined,
): Promise<T> | void {
  if (!callback) return promise;
  const call = (error: unknown, data: unknown) => {
    try {
      callback(error, data);
    } catch (thrown) {
      reportAppError("the callback", thrown);
    }
  };
  promise.then((data) => call(undefined, data), (error) => call(error, undefined));
}
