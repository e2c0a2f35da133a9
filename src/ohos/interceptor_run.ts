/**
 * How an applied `HttpInterceptorChain` runs inside a request:
 *
 * - `INITIAL_REQUEST` and `FINAL_RESPONSE` around the whole exchange (here,
 *   called by `HttpRequest`);
 * - `REDIRECTION` and `CACHE_CHECKED` in a layer at the stack's hop hooks
 *   (per hop, above the cache: it sees each redirect and each cache answer);
 * - `NETWORK_CONNECT` in a layer at the network hooks (below the cache: only
 *   what goes to the network).
 *
 * Each interceptor gets an `HttpRequestContext` it may change (url, header,
 * body) and an `HttpResponse`; resolving `true` continues with the changes,
 * `false` stops the request and returns the response it filled in (or, for
 * a redirect or a cache answer, that response). A rejection is 2300999.
 * The layers find their request by its signal, unique per intercepted request.
 *
 * @module
 */

import { bytesBody, type RequestBody } from "../core/body.ts";
import { NetError } from "../core/errors.ts";
import type { CoreRequest, CoreResult, Layer } from "../core/request.ts";
import { sharedStack, type Stack, type StackSettings } from "../core/stack.ts";
import { checkHeader, parseRequestUrl } from "../core/url.ts";
import { HttpDataType, InterceptorType } from "./enums.ts";
import type { HttpInterceptorChain } from "./interceptors.ts";
import type {
  HttpInterceptor,
  HttpRequestContext,
  HttpResponse,
  ResponseHeaders,
} from "./types.ts";

/** What the layers need to know about one intercepted request. */
export interface Interception {
  readonly chain: HttpInterceptorChain;
  /** The `HttpResponse` of a core result (a redirect or a cache answer). */
  readonly build: (result: CoreResult) => Promise<HttpResponse>;
  /** Request changes a `REDIRECTION` interceptor made, for the next hop. */
  pending: HttpRequestContext | null;
}

const interceptions = new WeakMap<AbortSignal, Interception>();

/** Thrown up the stack when an interceptor ends a request with its own response. */
export class InterceptedResponse {
  /** @param response what the request resolves with */
  constructor(readonly response: HttpResponse) {}
}

/** Registers an intercepted request under a signal of its own; returns that signal. */
export function intercept(signal: AbortSignal, state: Interception): AbortSignal {
  const own = AbortSignal.any([signal]);
  interceptions.set(own, state);
  return own;
}

/** The stack of intercepted requests: the default one plus the interceptor layers. */
export function interceptorStack(): Stack {
  return sharedStack(SETTINGS);
}

/** Runs `interceptor`; `true` only when it resolves to `true`. */
export async function runInterceptor(
  interceptor: HttpInterceptor,
  request: HttpRequestContext,
  response: HttpResponse,
): Promise<boolean> {
  try {
    return await interceptor.interceptorHandle(request, response) === true;
  } catch (error) {
    throw new NetError(
      "INTERNAL",
      `the ${interceptor.interceptorType} interceptor failed (${
        error instanceof Error ? error.name : typeof error
      })`,
    );
  }
}

const hopLayer: Layer = (next) => async (request, events) => {
  const state = interceptions.get(request.signal!);
  if (!state) return next(request, events);
  if (state.pending) {
    request = withContext(request, state.pending, request.url.href);
    state.pending = null;
  }
  const result = await next(request, events);
  if (!result.head.final) {
    const interceptor = state.chain.find(InterceptorType.REDIRECTION);
    if (!interceptor) return result;
    const location = new URL(result.head.headers.get("location") ?? "", request.url).href;
    const context = requestContext(request, location);
    const response = await state.build(result);
    if (!await runInterceptor(interceptor, context, response)) {
      throw new InterceptedResponse(normalizeResponse(response));
    }
    state.pending = context;
    if (context.url === location) return result;
    const headers = new Headers(result.head.headers);
    headers.set("location", String(context.url));
    return { ...result, head: { ...result.head, headers } };
  }
  const interceptor = result.timing.fromCache && state.chain.find(InterceptorType.CACHE_CHECKED);
  if (interceptor) {
    const response = await state.build(result);
    if (!await runInterceptor(interceptor, requestContext(request), response)) {
      throw new InterceptedResponse(normalizeResponse(response));
    }
  }
  return result;
};

const networkLayer: Layer = (next) => async (request, events) => {
  const interceptor = interceptions.get(request.signal!)?.chain.find(
    InterceptorType.NETWORK_CONNECT,
  );
  if (!interceptor) return next(request, events);
  const context = requestContext(request);
  const response = blankResponse();
  if (!await runInterceptor(interceptor, context, response)) {
    throw new InterceptedResponse(normalizeResponse(response));
  }
  return next(withContext(request, context, request.url.href), events);
};

/** Declared once: `sharedStack` gives one stack per settings object. */
const SETTINGS: StackSettings = { hooks: { hop: [hopLayer], network: [networkLayer] } };

const decoder = new TextDecoder();

/** The request as interceptors see it: the URL, the headers as an object, the body as text. */
export function requestContext(request: CoreRequest, url = request.url.href): HttpRequestContext {
  const header: Record<string, string> = {};
  request.headers.forEach((value, name) => header[name] = value);
  const body = request.body?.bytes ? decoder.decode(request.body.bytes) : "";
  return { url, header, body: body as unknown as object };
}

/** `request` with what an interceptor changed in `context` (headers are set, never removed). */
export function withContext(
  request: CoreRequest,
  context: HttpRequestContext,
  original: string,
): CoreRequest {
  const url = String(context.url) === original ? request.url : parseRequestUrl(String(context.url));
  const headers = new Headers(request.headers);
  const header = context.header as Record<string, unknown> | null;
  if (header && typeof header === "object") {
    for (const [name, value] of Object.entries(header)) {
      if (value === undefined || value === null) continue;
      checkHeader("header", name, String(value));
      headers.set(name, String(value));
    }
  }
  return { ...request, url, headers, body: changedBody(request, context.body) };
}

function changedBody(request: CoreRequest, body: unknown): RequestBody | null {
  const before = request.body?.bytes ? decoder.decode(request.body.bytes) : "";
  if (body === before) return request.body;
  if (body === null || body === undefined || body === "") return null;
  if (typeof body === "string") return bytesBody(new TextEncoder().encode(body));
  if (body instanceof ArrayBuffer) return bytesBody(new Uint8Array(body.slice(0)));
  return request.body;
}

/** The empty response an interceptor fills in when it ends a request itself. */
export function blankResponse(): HttpResponse {
  return {
    result: "",
    resultType: HttpDataType.STRING,
    responseCode: 0,
    header: {},
    cookies: "",
    performanceTiming: {
      dnsTiming: 0,
      tcpTiming: 0,
      tlsTiming: 0,
      firstSendTiming: 0,
      firstReceiveTiming: 0,
      totalFinishTiming: 0,
      redirectTiming: 0,
      responseHeaderTiming: 0,
      responseBodyTiming: 0,
      totalTiming: 0,
    },
  };
}

/**
 * What an interceptor left in a response, made consistent: `header` as a
 * null-prototype object (a raw header block is parsed), `resultType` from `result`.
 */
export function normalizeResponse(response: HttpResponse): HttpResponse {
  const header = Object.create(null) as Record<string, string | string[]>;
  const given = response.header as unknown;
  if (typeof given === "string") {
    for (const line of given.split(/\r?\n/)) {
      const colon = line.indexOf(":");
      if (colon > 0) {
        header[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
    }
  } else if (given && typeof given === "object") {
    for (const [name, value] of Object.entries(given)) header[name.toLowerCase()] = value;
  }
  const result = response.result ?? "";
  const resultType = typeof result === "string"
    ? HttpDataType.STRING
    : result instanceof ArrayBuffer
    ? HttpDataType.ARRAY_BUFFER
    : HttpDataType.OBJECT;
  return {
    ...response,
    result,
    resultType,
    responseCode: Number(response.responseCode) || 0,
    header: header as ResponseHeaders,
    cookies: typeof response.cookies === "string" ? response.cookies : "",
  };
}
