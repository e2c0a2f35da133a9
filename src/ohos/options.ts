/**
 * Turns `HttpRequestOptions` into a core request, once: every field is
 * checked (a wrong one is a 401 naming it), defaults are applied, and the
 * OpenHarmony rules for `extraData`, headers and ranges are resolved here.
 *
 * @module
 */

import { bytesBody, type RequestBody } from "../core/body.ts";
import { JarCookieStore } from "../core/cookies.ts";
import { invalidArgument, NetError } from "../core/errors.ts";
import {
  type FormPart,
  multipartBody,
  multipartContentType,
  newBoundary,
} from "../core/multipart.ts";
import type { BodyMode, CoreRequest, Protocol } from "../core/request.ts";
import { checkHeader, isToken, parseRequestUrl } from "../core/url.ts";
import type { HttpRequestOptions, MultiFormData } from "./types.ts";

/** Defaults of the seed. */
export const DEFAULTS = {
  readTimeout: 60_000,
  connectTimeout: 60_000,
  maxLimit: 5 * 1024 * 1024,
  maxRedirects: 30,
} as const;

/** The largest `maxLimit` accepted. */
export const MAX_LIMIT = 100 * 1024 * 1024;

const MAX_RANGE = 4_294_967_296;
const MAX_TIMER = 2_147_483_647;
const QUERY_METHODS = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "CONNECT"]);
const PROTOCOLS: Record<number, Protocol> = { 0: "http1.1", 1: "http2", 2: "auto" };
const encoder = new TextEncoder();

/** The validated request, plus what the response builder needs to know. */
export interface ResolvedRequest {
  readonly core: CoreRequest;
  readonly expectDataType: 0 | 1 | 2 | undefined;
  readonly cookies: JarCookieStore;
}

/** Validates `options` and builds the core request. Rejects with a 401 `NetError`. */
export async function resolveRequest(
  url: unknown,
  options: HttpRequestOptions | undefined,
  bodyMode: BodyMode,
  signal: AbortSignal,
  startTime: number,
): Promise<ResolvedRequest> {
  if (typeof url !== "string") invalidArgument("url", "must be a string", url);
  if (options === undefined) options = {};
  else if (!isPlainObject(options)) invalidArgument("options", "must be an object", options);
  const o = options as Record<string, unknown>;

  const method = readMethod(o.method);
  const target = parseRequestUrl(url);
  const headers = readHeaders(o.header);
  const expectDataType = readEnum("expectDataType", o.expectDataType, [0, 1, 2]);
  const protocol = PROTOCOLS[readEnum("usingProtocol", o.usingProtocol, [0, 1, 2]) ?? 2]!;
  readBoolean("usingCache", o.usingCache);
  const priority = readInteger("priority", o.priority, 1, 1000) ?? 1;
  const totalTimeout = readInteger("readTimeout", o.readTimeout, 0, MAX_TIMER) ??
    DEFAULTS.readTimeout;
  const connectTimeout = readInteger("connectTimeout", o.connectTimeout, 0, MAX_TIMER) ??
    DEFAULTS.connectTimeout;
  const maxBodySize = readInteger("maxLimit", o.maxLimit, 0, MAX_LIMIT) ?? DEFAULTS.maxLimit;
  checkTransportOptions(o);

  let body: RequestBody | null = null;
  if (QUERY_METHODS.has(method)) appendQuery(target, o.extraData);
  else body = readBody(o.extraData);

  const parts = readParts(o.multiFormDataList);
  if (parts.length > 0 && !QUERY_METHODS.has(method) && isMultipart(headers)) {
    const boundary = newBoundary();
    body = await multipartBody(parts, boundary);
    headers.set("content-type", multipartContentType(boundary));
  }
  if (body && !headers.has("content-type")) headers.set("content-type", "application/json");

  const range = readRange(o.resumeFrom, o.resumeTo, method);
  if (range) headers.set("range", range);

  const cookies = new JarCookieStore();
  const core: CoreRequest = {
    url: target,
    method,
    headers,
    body,
    totalTimeout,
    connectTimeout,
    maxBodySize,
    protocol,
    maxRedirects: DEFAULTS.maxRedirects,
    bodyMode,
    priority,
    cookies,
    startTime,
    signal,
  };
  return { core, expectDataType: expectDataType as 0 | 1 | 2 | undefined, cookies };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    !ArrayBuffer.isView(value) && !(value instanceof ArrayBuffer);
}

function readMethod(value: unknown): string {
  if (value === undefined) return "GET";
  if (typeof value !== "string" || !isToken(value)) {
    invalidArgument("method", 'must be an HTTP method name such as "GET"', value);
  }
  const upper = value.toUpperCase();
  // fetch upper-cases these six itself; keep ours in step so the rules below see the same name.
  return ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"].includes(upper) ? upper : value;
}

function readHeaders(value: unknown): Headers {
  const headers = new Headers();
  if (value === undefined || value === null) return headers;
  if (!isPlainObject(value)) invalidArgument("header", "must be an object", value);
  for (const [name, raw] of Object.entries(value)) {
    if (raw === undefined || raw === null) continue;
    if (typeof raw !== "string" && typeof raw !== "number" && typeof raw !== "boolean") {
      invalidArgument(`header.${name}`, "must be a string, number or boolean", raw);
    }
    const text = String(raw);
    checkHeader("header", name, text);
    headers.set(name, text);
  }
  return headers;
}

function readEnum(field: string, value: unknown, allowed: number[]): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !allowed.includes(value)) {
    invalidArgument(field, `must be one of ${allowed.join(", ")}`, value);
  }
  return value;
}

function readBoolean(field: string, value: unknown): boolean | undefined {
  if (value === undefined || typeof value === "boolean") return value;
  invalidArgument(field, "must be a boolean", value);
}

function readInteger(field: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    invalidArgument(field, `must be an integer from ${min} to ${max}`, value);
  }
  return value;
}

function readString(field: string, value: unknown): string | undefined {
  if (value === undefined || typeof value === "string") return value;
  invalidArgument(field, "must be a string", value);
}

/** The transport options: checked here, applied by the transport layer. */
function checkTransportOptions(o: Record<string, unknown>): void {
  const proxy = o.usingProxy;
  if (proxy !== undefined && typeof proxy !== "boolean") {
    if (!isPlainObject(proxy)) {
      invalidArgument("usingProxy", "must be a boolean or an HttpProxy", proxy);
    }
    if (typeof proxy.host !== "string" || proxy.host === "") {
      invalidArgument("usingProxy.host", "must be a non-empty string", proxy.host);
    }
    readInteger("usingProxy.port", proxy.port, 1, 65535);
    unsupported("usingProxy", "an HttpProxy");
  }
  if (readString("caPath", o.caPath)) unsupported("caPath", "a CA path");
  if (o.clientCert !== undefined) {
    if (!isPlainObject(o.clientCert)) {
      invalidArgument("clientCert", "must be an object", o.clientCert);
    }
    if (readString("clientCert.certPath", o.clientCert.certPath)) {
      unsupported("clientCert", "a client certificate");
    }
  }
  if (readString("dnsOverHttps", o.dnsOverHttps)) unsupported("dnsOverHttps", "DNS over HTTPS");
  if (o.dnsServers !== undefined) {
    if (!Array.isArray(o.dnsServers)) {
      invalidArgument("dnsServers", "must be an array", o.dnsServers);
    }
    if (o.dnsServers.length > 0) unsupported("dnsServers", "custom DNS servers");
  }
}

/** Options of the transport issue that this version refuses rather than ignores. */
function unsupported(field: string, what: string): never {
  throw new NetError("INTERNAL", `'${field}': ${what} is not supported by this version yet`);
}

/** GET-like methods: an object becomes `name=value` pairs, a string is appended as is. */
function appendQuery(url: URL, extraData: unknown): void {
  if (extraData === undefined || extraData === null) return;
  if (extraData instanceof ArrayBuffer || ArrayBuffer.isView(extraData)) return;
  let query: string;
  if (typeof extraData === "string") query = extraData.replace(/^[?&]/, "");
  else if (typeof extraData === "object") query = toQuery(extraData as Record<string, unknown>);
  else return invalidArgument("extraData", "must be a string or an object", extraData);
  if (query === "") return;
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

/** Percent-encodes all but RFC 3986 unreserved characters, as OpenHarmony does. */
function encodeParam(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function readBody(extraData: unknown): RequestBody | null {
  if (extraData === undefined || extraData === null) return null;
  return bytesBody(toBytes("extraData", extraData));
}

function toBytes(field: string, data: unknown): Uint8Array {
  if (typeof data === "string") return encoder.encode(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  if (ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  }
  if (typeof data === "object") return encoder.encode(JSON.stringify(data));
  invalidArgument(field, "must be a string, an object or an ArrayBuffer", data);
}

function isMultipart(headers: Headers): boolean {
  const type = headers.get("content-type");
  return type === null || type.split(";")[0]!.trim().toLowerCase() === "multipart/form-data";
}

function readParts(value: unknown): FormPart[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) invalidArgument("multiFormDataList", "must be an array", value);
  return value.map((item: unknown, i) => {
    const field = `multiFormDataList[${i}]`;
    if (!isPlainObject(item)) invalidArgument(field, "must be an object", item);
    const part = item as Partial<MultiFormData>;
    if (typeof part.name !== "string" || part.name === "") {
      invalidArgument(`${field}.name`, "must be a non-empty string", part.name);
    }
    const contentType = readString(`${field}.contentType`, part.contentType) ?? "";
    checkHeader(`${field}.contentType`, "content-type", contentType);
    const fileName = readString(`${field}.remoteFileName`, part.remoteFileName);
    if (part.data !== undefined && part.data !== null) {
      return { name: part.name, contentType, fileName, data: toBytes(`${field}.data`, part.data) };
    }
    const filePath = readString(`${field}.filePath`, part.filePath);
    if (!filePath) invalidArgument(field, "needs 'data' or 'filePath'", item);
    return { name: part.name, contentType, fileName: fileName ?? baseName(filePath), filePath };
  });
}

/** libcurl's `curl_mime_filedata` names a file part after the file's base name. */
function baseName(path: string): string {
  return path.split(Deno.build.os === "windows" ? /[\\/]/ : "/").pop()!;
}

/** Range per RFC 9110 §14.1.2; `resumeTo` alone means bytes 0 to `resumeTo`. */
function readRange(fromValue: unknown, toValue: unknown, method: string): string | null {
  const from = readInteger("resumeFrom", fromValue, 0, MAX_RANGE);
  const to = readInteger("resumeTo", toValue, 0, MAX_RANGE);
  if (!from && to === undefined) return null;
  if (method === "PUT") {
    invalidArgument("resumeFrom", "cannot be used with PUT", fromValue ?? toValue);
  }
  if (to === undefined) return `bytes=${from}-`;
  if (to < (from ?? 0)) invalidArgument("resumeTo", `must not be below resumeFrom (${from})`, to);
  return `bytes=${from ?? 0}-${to}`;
}
