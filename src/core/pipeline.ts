/**
 * The core request pipeline: the one place that calls `fetch` (or, for the
 * methods `fetch` refuses, the raw HTTP/1.1 exchange of `raw_http1.ts`).
 *
 * It sends a validated {@linkcode CoreRequest}, follows redirects itself (so
 * every hop is seen, counted and stripped of credentials when it leaves the
 * origin), applies the timeouts, reads the body with per-chunk work only when
 * an option needs it, and classifies every failure once into a `NetError`.
 *
 * @module
 */

import { type RequestBody, toFetchBody } from "./body.ts";
import type { ClientPool } from "./clients.ts";
import { classifyError, NetError } from "./errors.ts";
import { framedLength } from "./framing.ts";
import { FETCH_FORBIDDEN_METHODS, rawFetch } from "./raw_http1.ts";
import { readBody } from "./read_body.ts";
import type {
  CoreRequest,
  CoreResult,
  Dispatch,
  Layer,
  RequestEvents,
  ResponseHead,
} from "./request.ts";
import { Deadline } from "./timeouts.ts";
import { TimingRecorder } from "./timing.ts";

/** Headers that never follow a redirect to another origin. */
export const CROSS_ORIGIN_STRIPPED_HEADERS = [
  "authorization",
  "proxy-authorization",
  "cookie",
] as const;

const BODY_HEADERS = ["content-type", "content-length", "content-encoding", "content-language"];

/**
 * Creates the dispatch function over a pool of `Deno.HttpClient`s, wrapped
 * in `layers` (the first is the outermost).
 */
export function createPipeline(clients: ClientPool, layers: readonly Layer[] = []): Dispatch {
  const base: Dispatch = (request, events) => send(request, events, clients);
  return layers.reduceRight((next, layer) => layer(next), base);
}

async function send(
  request: CoreRequest,
  events: RequestEvents,
  clients: ClientPool,
): Promise<CoreResult> {
  const deadline = new Deadline(request);
  try {
    return await exchange(request, events, clients, deadline);
  } catch (error) {
    throw deadline.reason ?? classifyError(error, "connect");
  } finally {
    deadline.clear();
  }
}

async function exchange(
  request: CoreRequest,
  events: RequestEvents,
  clients: ClientPool,
  deadline: Deadline,
): Promise<CoreResult> {
  const recorder = new TimingRecorder(request.startTime);
  const { timing } = recorder;
  let url = request.url;
  let method = request.method;
  let body = request.body;
  // Copied only when a hop changes them: most requests send the caller's headers as they are.
  let headers = request.headers;
  let ownsHeaders = false;
  let userCookie = request.cookies ? headers.get("cookie") : null;
  let sentCookie = userCookie;

  for (let redirects = 0;; redirects++) {
    if (deadline.reason) throw deadline.reason;
    if (request.cookies) {
      const pending = request.cookies.cookieHeader(url);
      const stored = typeof pending === "string" ? pending : await pending;
      // The caller's own Cookie value, joined with the stored cookies for this hop.
      const value = (userCookie && stored ? `${userCookie}; ${stored}` : userCookie || stored) ||
        null;
      if (value !== sentCookie) {
        if (!ownsHeaders) [headers, ownsHeaders] = [new Headers(headers), true];
        if (value) headers.set("cookie", value);
        else headers.delete("cookie");
        sentCookie = value;
      }
    }
    // Transport hook: the client for this hop; a relayed route enforces connectTimeout per connection.
    const routing = clients.route(request, url);
    const route = routing instanceof Promise ? await routing : routing;
    if (route.enforcesConnectTimeout) deadline.releaseConnect();
    const upload = body && (events.onUploadProgress || request.idleTimeout)
      ? uploadReporter(body.size, events, deadline)
      : null;

    const sentAt = performance.now();
    timing.firstSend = recorder.elapsedAt(sentAt);
    let response: Response;
    try {
      response = FETCH_FORBIDDEN_METHODS.has(method.toUpperCase())
        ? await rawFetch({
          url,
          method,
          headers,
          body: body?.bytes ?? null,
          signal: deadline.signal,
        })
        : await fetch(url.href, fetchInit(method, headers, body, upload, route.client, deadline));
    } catch (error) {
      throw deadline.reason ?? route.explain(classifyError(error, "connect"), url, sentAt);
    }
    timing.firstReceive = timing.headers = recorder.elapsed();
    try {
      framedLength(response.headers);
    } catch (error) {
      await response.body?.cancel(); // the connection is not reused
      throw error;
    }
    const phases = route.phases(url, sentAt);
    if (phases) {
      timing.dns = phases.dns === null ? null : recorder.elapsedAt(phases.dns);
      timing.tcp = phases.tcp === null ? null : recorder.elapsedAt(phases.tcp);
      timing.tls = phases.tls === null ? null : recorder.elapsedAt(phases.tls);
    }
    upload?.done();
    const location = isRedirect(response.status) && request.maxRedirects > 0
      ? response.headers.get("location")
      : null;
    const head: ResponseHead = {
      final: location === null,
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
      url: url.href,
    };
    if (request.cookies) {
      const setCookies = response.headers.getSetCookie();
      if (setCookies.length > 0) await request.cookies.store(url, setCookies);
    }

    if (location !== null) {
      events.onHeaders?.(head);
      await response.body?.cancel();
      if (redirects >= request.maxRedirects) {
        throw new NetError("TOO_MANY_REDIRECTS", `more than ${request.maxRedirects} redirects`);
      }
      const next = redirectTarget(location, url);
      if (url.protocol === "https:" && next.protocol === "http:" && !request.allowDowngrade) {
        throw new NetError(
          "UNSUPPORTED_PROTOCOL",
          `the redirect from https to http (${next.host}) was refused: a downgrade`,
        );
      }
      const crossOrigin = next.origin !== url.origin;
      const toGet = changesToGet(response.status, method);
      if ((crossOrigin || toGet) && !ownsHeaders) {
        [headers, ownsHeaders] = [new Headers(headers), true];
      }
      if (crossOrigin) {
        for (const name of CROSS_ORIGIN_STRIPPED_HEADERS) headers.delete(name);
        userCookie = sentCookie = null;
      }
      if (toGet) {
        method = "GET";
        body = null;
        for (const name of BODY_HEADERS) headers.delete(name);
      }
      url = next;
      timing.redirect = recorder.elapsed();
      continue;
    }

    deadline.headersArrived();
    deadline.touch();
    events.onHeaders?.(head);
    const bytes = await readBody(response, request, events, deadline);
    timing.finish = recorder.elapsed();
    timing.body = bytes.received > 0 ? timing.finish : 0;
    return { head, body: bytes.body, redirects, timing };
  }
}

/**
 * The `fetch` options of one hop. Headers go as a plain record, or not at
 * all when there are none: `fetch` copies a `Headers` object through its
 * slow iterator, and converts a list of pairs at about three times the cost
 * of a record. A name seen twice (only `set-cookie` can be) sends a list.
 */
function fetchInit(
  method: string,
  headers: Headers,
  body: RequestBody | null,
  upload: UploadReporter | null,
  client: Deno.HttpClient | undefined,
  deadline: Deadline,
): RequestInit & { client?: Deno.HttpClient } {
  const init: RequestInit & { client?: Deno.HttpClient } = {
    method,
    redirect: "manual",
    signal: deadline.signal,
  };
  let record: Record<string, string> | null = null;
  let repeated = false;
  headers.forEach((value, name) => {
    // No prototype: a header named `__proto__` is a plain key.
    record ??= { __proto__: null } as unknown as Record<string, string>;
    if (name in record) repeated = true;
    else record[name] = value;
  });
  if (record) init.headers = repeated ? pairs(headers) : record;
  if (body) init.body = toFetchBody(body, upload?.pulled);
  if (client) init.client = client;
  return init;
}

function pairs(headers: Headers): [string, string][] {
  const list: [string, string][] = [];
  headers.forEach((value, name) => list.push([name, value]));
  return list;
}

interface UploadReporter {
  pulled(sent: number): void;
  done(): void;
}

/**
 * Counts the body bytes fetch pulls: each is progress for the idle limit;
 * reports them below the total, and the total only once the server has answered.
 */
function uploadReporter(
  total: number,
  events: RequestEvents,
  deadline: Deadline,
): UploadReporter {
  return {
    pulled(sent: number): void {
      deadline.touch();
      if (sent < total) events.onUploadProgress?.(sent, total);
    },
    done(): void {
      events.onUploadProgress?.(total, total);
    },
  };
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/** Per the Fetch standard: 303 becomes GET, and so does a POST after 301/302. */
function changesToGet(status: number, method: string): boolean {
  return (status === 303 && method !== "GET" && method !== "HEAD") ||
    ((status === 301 || status === 302) && method === "POST");
}

function redirectTarget(location: string, base: URL): URL {
  let next: URL;
  try {
    next = new URL(location, base);
  } catch {
    throw new NetError("BAD_URL", `the redirect target '${location}' is not a URL`);
  }
  if (next.protocol !== "http:" && next.protocol !== "https:") {
    throw new NetError("UNSUPPORTED_PROTOCOL", `redirect to '${next.protocol}' refused`);
  }
  // Credentials in a Location are the server's choice, never sent on the caller's behalf.
  next.username = next.password = "";
  return next;
}
