/**
 * Turns `HttpRequestOptions` into a core request, once: every field goes
 * through the option table (`option_table.ts`: a wrong one is a 401 naming
 * it), and the OpenHarmony rules that join fields (`extraData` against
 * `body` and `queryParams`, ranges, `customMethod`, proxies) are resolved here.
 *
 * @module
 */

import { bytesBody, type RequestBody } from "../core/body.ts";
import { JarCookieStore } from "../core/cookies.ts";
import { invalidArgument, NetError } from "../core/errors.ts";
import type { BodyMode, CoreRequest, Protocol, TransportOptions } from "../core/request.ts";
import { type TransportSetting, unhonouredSetting } from "../core/transport_support.ts";
import { parseRequestUrl } from "../core/url.ts";
import { DEFAULTS, type OptionValues, readOptions } from "./option_table.ts";
import { encodeParam, isPlainObject, toBytes } from "./option_readers.ts";
import { tlsControl } from "./tls_settings.ts";
import type { HttpRequestOptions } from "./types.ts";

export { DEFAULTS, MAX_LIMIT } from "./option_table.ts";

/** libcurl's agent name as OpenHarmony sets it. */
const USER_AGENT = "libcurl-agent/1.0";
const QUERY_METHODS = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "CONNECT"]);
const PROTOCOLS: Record<number, Protocol> = { 0: "http1.1", 1: "http2", 2: "auto" };

/** The option that asked for each transport setting, for the 401 that refuses it. */
const OPTION_OF_SETTING: Record<TransportSetting, string> = {
  caData: "caData",
  "tls.pins": "certificatePinning",
  "tls.verify": "remoteValidation",
  "tls.versions": "tlsOptions",
  "tls.ciphers": "tlsOptions.cipherSuites",
  "tls.serverName": "sniHostName",
  "tls.partialChain": "enablePartialChain",
  addressFamily: "addressFamily",
  reuseConnections: "reuseConnections",
  idleConnectionTimeout: "inactivityMs",
  socks5: "usingSocks5Proxy",
};

/** The validated request, plus what the response builder needs to know. */
export interface ResolvedRequest {
  readonly core: CoreRequest;
  readonly expectDataType: 0 | 1 | 2 | undefined;
  readonly cookies: JarCookieStore;
}

/**
 * Validates `options` and builds the core request; throws a 401 `NetError`.
 * Synchronous unless a multipart body has files to read. `cookies` is the
 * jar of `enableAutoCookie`, or `null` for one fresh jar per request.
 */
export function resolveRequest(
  url: unknown,
  options: HttpRequestOptions | undefined,
  bodyMode: BodyMode,
  signal: AbortSignal,
  startTime: number,
  cookies: JarCookieStore | null = null,
): ResolvedRequest | Promise<ResolvedRequest> {
  if (typeof url !== "string") invalidArgument("url", "must be a string", url);
  const v = readOptions(options === undefined ? undefined : checkedOptions(options));

  const method = v.customMethod ?? v.method;
  const target = parseRequestUrl(url);
  const headers = v.header;
  const getLike = QUERY_METHODS.has(method);

  let body: RequestBody | null = null;
  if (v.body !== undefined && v.body !== null) {
    body = bytesBody(toBytes("body", v.body));
  } else if (!getLike) {
    body = readExtraDataBody(v.extraData);
  } else if (v.queryParams === undefined) {
    appendQuery(target, extraDataQuery(v.extraData));
  }
  if (v.queryParams !== undefined) appendQuery(target, v.queryParams);

  const range = rangeHeader(v, method);
  if (range) headers.set("range", range);
  // OpenHarmony's User-Agent (its XTS checks it), sent when no Range is, as there.
  else if (!headers.has("user-agent")) headers.set("user-agent", USER_AGENT);

  // fetch refuses a GET or HEAD body; the socket-level transport sends it.
  const transport = transportOptions(v, body !== null && (method === "GET" || method === "HEAD"));
  const jar = cookies ?? new JarCookieStore();
  const finish = (body: RequestBody | null): ResolvedRequest => {
    if (body && !headers.has("content-type")) headers.set("content-type", "application/json");
    const core: CoreRequest = {
      url: target,
      method,
      headers,
      body,
      totalTimeout: v.readTimeout,
      connectTimeout: v.connectTimeout ?? DEFAULTS.connectTimeout,
      maxBodySize: v.maxLimit,
      protocol: PROTOCOLS[v.usingProtocol ?? 2]!,
      maxRedirects: v.maxRedirects,
      bodyMode,
      priority: v.priority,
      allowDowngrade: v.allowHttpsDowngrade,
      cookies: jar,
      startTime,
      // The request's own signal (an extension) joined to the handle's: either cancels it.
      signal: v.signal ? AbortSignal.any([signal, v.signal]) : signal,
      transport,
      authentication: v.serverAuthentication &&
        { ...v.serverAuthentication, origin: target.origin },
      retry: v.retry ?? undefined,
      // As in OpenHarmony, usingCache: false only stops answering from the cache.
      cache: v.usingCache ? "default" : "reload",
    };
    return { core, expectDataType: v.expectDataType, cookies: jar };
  };

  const parts = v.multiFormDataList;
  if (parts.length > 0 && !getLike && isMultipart(headers)) {
    // Loaded by the first multipart request.
    return import("../core/multipart.ts").then(
      ({ multipartBody, multipartContentType, newBoundary }) => {
        const boundary = newBoundary();
        headers.set("content-type", multipartContentType(boundary));
        return multipartBody(parts, boundary);
      },
    ).then(finish);
  }
  return finish(body);
}

/** `options` itself: absent, or an object (a Proxy that refuses even this is a 401). */
function checkedOptions(options: unknown): object {
  if (options === undefined) return {};
  let plain: boolean;
  try {
    plain = isPlainObject(options);
  } catch (error) {
    throw new NetError("INVALID_ARGUMENT", "'options' could not be read", { cause: error });
  }
  if (!plain) invalidArgument("options", "must be an object", options);
  return options as object;
}

/**
 * The connection settings of a request that changes none of them: one frozen
 * object for every such request, so the router finds its transport by the
 * object instead of by a key computed per request.
 */
const DEFAULT_TRANSPORT: TransportOptions = Object.freeze({
  caPath: null,
  clientCert: null,
  proxy: "direct",
  dns: null,
  exactConnectTimeout: false,
  caData: null,
  tls: null,
  addressFamily: null,
  reuseConnections: true,
  idleConnectionTimeout: 0,
});

/**
 * The connection settings. One no transport honours yet is refused with a
 * 401 naming the option that asked for it: never sent without it.
 */
function transportOptions(v: OptionValues, needsSocket: boolean): TransportOptions {
  const tls = tlsControl(
    v.certificatePinning,
    v.remoteValidation,
    v.tlsOptions,
    v.sniHostName,
    v.enablePartialChain,
  );
  const servers = v.dnsServers;
  if (
    tls === null && !needsSocket && v.caPath === null && v.caData === null &&
    v.clientCert === null && v.usingSocks5Proxy === null && v.usingProxy === "direct" &&
    !v.dnsOverHttps && servers.length === 0 && v.connectTimeout === undefined &&
    v.addressFamily === null && v.reuseConnections && v.inactivityMs === null
  ) {
    return DEFAULT_TRANSPORT;
  }
  const transport: TransportOptions = {
    caPath: v.caPath,
    clientCert: v.clientCert,
    // usingSocks5Proxy takes precedence over usingProxy.
    proxy: v.usingSocks5Proxy ?? v.usingProxy,
    dns: v.dnsOverHttps ? { dohUrl: v.dnsOverHttps } : servers.length > 0 ? { servers } : null,
    // Only a limit the caller chose pays for the relay; the default bounds the response head.
    exactConnectTimeout: v.connectTimeout !== undefined,
    // OpenHarmony ignores caData when caPath is set.
    caData: v.caPath ? null : v.caData,
    tls,
    addressFamily: v.addressFamily,
    reuseConnections: v.reuseConnections,
    // inactivityMs has no effect when connections are not reused.
    idleConnectionTimeout: v.reuseConnections ? v.inactivityMs ?? 0 : 0,
    ...needsSocket ? { prefer: "socket" as const } : {},
  };
  const pending = unhonouredSetting(transport);
  if (pending) {
    throw new NetError(
      "INVALID_ARGUMENT",
      `'${
        OPTION_OF_SETTING[pending]
      }' is not supported yet: no transport of this version honours it`,
    );
  }
  return transport;
}

/** GET-like methods: an object becomes `name=value` pairs, a string is appended as is. */
function extraDataQuery(extraData: unknown): string | undefined {
  if (extraData === undefined || extraData === null) return undefined;
  if (extraData instanceof ArrayBuffer || ArrayBuffer.isView(extraData)) return undefined;
  if (typeof extraData === "string") return extraData.replace(/^[?&]/, "");
  if (typeof extraData === "object") return toQuery(extraData as Record<string, unknown>);
  invalidArgument("extraData", "must be a string or an object", extraData);
}

function appendQuery(url: URL, query: string | undefined): void {
  if (!query) return;
  const existing = url.search.slice(1);
  url.search = existing ? `${existing}&${query}` : query;
}

function toQuery(data: Record<string, unknown>): string {
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(data)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === undefined || item === null) continue;
      if (typeof item === "object" || typeof item === "function" || typeof item === "symbol") {
        invalidArgument(`extraData.${name}`, "must be a string, number or boolean", item);
      }
      pairs.push(`${encodeParam(name)}=${encodeParam(String(item))}`);
    }
  }
  return pairs.join("&");
}

function readExtraDataBody(extraData: unknown): RequestBody | null {
  if (extraData === undefined || extraData === null) return null;
  return bytesBody(toBytes("extraData", extraData));
}

function isMultipart(headers: Headers): boolean {
  const type = headers.get("content-type");
  return type === null || type.split(";")[0]!.trim().toLowerCase() === "multipart/form-data";
}

/**
 * Range per RFC 9110 §14.1.2. `resumeTo` alone means bytes 0 to `resumeTo`
 * (its documented meaning); a `resumeTo` below `resumeFrom` has no effect,
 * as in OpenHarmony.
 */
function rangeHeader(v: OptionValues, method: string): string | null {
  const from = v.resumeFrom;
  let to = v.resumeTo;
  if (from !== undefined && to !== undefined && to < from) to = undefined;
  if (from === undefined && to === undefined) return null;
  if (method === "PUT") {
    invalidArgument("resumeFrom", "cannot be used with PUT", from ?? to);
  }
  if (to === undefined) return `bytes=${from}-`;
  return `bytes=${from ?? 0}-${to}`;
}
