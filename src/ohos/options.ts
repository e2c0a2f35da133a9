/**
 * Turns `HttpRequestOptions` into a core request, once: every field is
 * checked (a wrong one is a 401 naming it), defaults are applied, and the
 * OpenHarmony rules for `extraData`, headers and ranges are resolved here.
 *
 * @module
 */

import { bytesBody, type RequestBody } from "../core/body.ts";
import { JarCookieStore } from "../core/cookies.ts";
import { isIP } from "node:net";
import { invalidArgument } from "../core/errors.ts";
import {
  type FormPart,
  multipartBody,
  multipartContentType,
  newBoundary,
} from "../core/multipart.ts";
import type {
  BodyMode,
  ClientCertificate,
  CoreRequest,
  NameServer,
  Protocol,
  ProxyChoice,
  TransportOptions,
} from "../core/request.ts";
import { checkHeader, checkHeaderSize, isToken, parseRequestUrl } from "../core/url.ts";
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

/**
 * Validates `options` and builds the core request; throws a 401 `NetError`.
 * Synchronous unless a multipart body has files to read.
 */
export function resolveRequest(
  url: unknown,
  options: HttpRequestOptions | undefined,
  bodyMode: BodyMode,
  signal: AbortSignal,
  startTime: number,
): ResolvedRequest | Promise<ResolvedRequest> {
  if (typeof url !== "string") invalidArgument("url", "must be a string", url);
  if (options === undefined) options = {};
  else if (!isPlainObject(options)) invalidArgument("options", "must be an object", options);
  const o = options as Record<string, unknown>;

  const method = readMethod(o.method);
  const target = parseRequestUrl(url);
  const headers = readHeaders(o.header);
  const expectDataType = readEnum("expectDataType", o.expectDataType, [0, 1, 2]);
  const protocol = PROTOCOLS[readEnum("usingProtocol", o.usingProtocol, [0, 1, 2]) ?? 2]!;
  const usingCache = readBoolean("usingCache", o.usingCache);
  const allowDowngrade = readBoolean("allowHttpsDowngrade", o.allowHttpsDowngrade) ?? false;
  const priority = readInteger("priority", o.priority, 1, 1000) ?? 1;
  const totalTimeout = readInteger("readTimeout", o.readTimeout, 0, MAX_TIMER) ??
    DEFAULTS.readTimeout;
  const connectTimeout = readInteger("connectTimeout", o.connectTimeout, 0, MAX_TIMER) ??
    DEFAULTS.connectTimeout;
  const maxBodySize = readInteger("maxLimit", o.maxLimit, 0, MAX_LIMIT) ?? DEFAULTS.maxLimit;
  const transport = readTransport(o);

  let body: RequestBody | null = null;
  if (QUERY_METHODS.has(method)) appendQuery(target, o.extraData);
  else body = readBody(o.extraData);
  const parts = readParts(o.multiFormDataList);

  const range = readRange(o.resumeFrom, o.resumeTo, method);
  if (range) headers.set("range", range);

  const cookies = new JarCookieStore();
  const finish = (body: RequestBody | null): ResolvedRequest => {
    if (body && !headers.has("content-type")) headers.set("content-type", "application/json");
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
      allowDowngrade,
      cookies,
      startTime,
      signal,
      transport,
      // As in OpenHarmony, usingCache: false only stops answering from the cache.
      cache: usingCache === false ? "reload" : "default",
    };
    return { core, expectDataType: expectDataType as 0 | 1 | 2 | undefined, cookies };
  };

  if (parts.length > 0 && !QUERY_METHODS.has(method) && isMultipart(headers)) {
    const boundary = newBoundary();
    headers.set("content-type", multipartContentType(boundary));
    return multipartBody(parts, boundary).then(finish);
  }
  return finish(body);
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
  checkHeaderSize("header", headers);
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

/**
 * The transport options, checked and mapped for `clients.ts`. Wrong types are
 * 401s; files are read when the first request with these settings is sent.
 * As in OpenHarmony: an empty `caPath`, `certPath` or `dnsOverHttps` is no
 * option, `dnsServers` entries that are not IP addresses are skipped and the
 * first three kept. Unlike OpenHarmony, `usingProxy` absent means no proxy.
 */
function readTransport(o: Record<string, unknown>): TransportOptions {
  const dohUrl = readDohUrl(o.dnsOverHttps);
  const servers = readDnsServers(o.dnsServers);
  return {
    caPath: readString("caPath", o.caPath) || null,
    clientCert: readClientCert(o.clientCert),
    proxy: readProxy(o.usingProxy),
    dns: dohUrl ? { dohUrl } : servers.length > 0 ? { servers } : null,
    // Only a limit the caller chose pays for the relay; the default bounds the response head.
    exactConnectTimeout: o.connectTimeout !== undefined,
  };
}

function readProxy(value: unknown): ProxyChoice {
  if (value === undefined || value === false) return "direct";
  if (value === true) return "environment";
  if (!isPlainObject(value)) {
    invalidArgument("usingProxy", "must be a boolean or an HttpProxy", value);
  }
  const { host, port, exclusionList, username, password } = value;
  if (typeof host !== "string" || host.trim() === "") {
    invalidArgument("usingProxy.host", "must be a non-empty string", host);
  }
  const portNumber = readInteger("usingProxy.port", port, 1, 65535);
  if (portNumber === undefined) invalidArgument("usingProxy.port", "must be given", port);
  const scheme = /^https:\/\//i.test(host) ? "https:" : "http:";
  const bare = host.trim().replace(/^https?:\/\//i, "").replace(/\/+$/, "");
  const hostPart = bare.includes(":") && !bare.startsWith("[") ? `[${bare}]` : bare;
  let url: URL;
  try {
    url = new URL(`${scheme}//${hostPart}:${portNumber}`);
  } catch {
    return invalidArgument("usingProxy.host", "must be a host name or IP address", host);
  }
  if (url.pathname !== "/" || url.username || url.search) {
    invalidArgument("usingProxy.host", "must be a host name or IP address", host);
  }
  if (exclusionList !== undefined && exclusionList !== null) {
    if (!Array.isArray(exclusionList) || exclusionList.some((x) => typeof x !== "string")) {
      invalidArgument("usingProxy.exclusionList", "must be an array of strings", exclusionList);
    }
  }
  const user = readString("usingProxy.username", username) ?? "";
  const secret = readString("usingProxy.password", password) ?? "";
  return {
    url,
    exclusionList: (exclusionList as string[] | undefined | null) ?? [],
    credentials: user || secret ? { username: user, password: secret } : null,
  };
}

function readClientCert(value: unknown): ClientCertificate | null {
  if (value === undefined || value === null) return null;
  if (!isPlainObject(value)) invalidArgument("clientCert", "must be an object", value);
  const certPath = readString("clientCert.certPath", value.certPath) ?? "";
  const keyPath = readString("clientCert.keyPath", value.keyPath) ?? "";
  const keyPassword = readString("clientCert.keyPassword", value.keyPassword) ?? "";
  const certType = value.certType ?? "PEM";
  if (certType !== "PEM" && certType !== "DER" && certType !== "P12") {
    invalidArgument("clientCert.certType", 'must be "PEM", "DER" or "P12"', certType);
  }
  if (certPath === "") return null;
  return { certPath, certType, keyPath, keyPassword };
}

function readDohUrl(value: unknown): URL | null {
  const text = readString("dnsOverHttps", value);
  if (!text) return null;
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch { /* refused below */ }
  if (!url || url.protocol !== "https:") {
    invalidArgument("dnsOverHttps", "must be an https:// URL", value);
  }
  return url;
}

/** `"1.2.3.4"`, `"1.2.3.4:5353"`, `"::1"`, `"[::1]:5353"`; others skipped; the first three kept. */
function readDnsServers(value: unknown): NameServer[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((x) => typeof x !== "string")) {
    invalidArgument("dnsServers", "must be an array of strings", value);
  }
  const servers: NameServer[] = [];
  for (const entry of value as string[]) {
    const server = parseNameServer(entry.trim());
    if (server) servers.push(server);
    if (servers.length === 3) break;
  }
  return servers;
}

function parseNameServer(text: string): NameServer | null {
  const bracketed = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/i.exec(text);
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/.exec(text);
  const [address, portText] = bracketed
    ? [bracketed[1]!, bracketed[2]]
    : v4
    ? [v4[1]!, v4[2]]
    : [text, undefined];
  if (isIP(address) === 0) return null;
  const port = portText === undefined ? 53 : Number(portText);
  return port >= 1 && port <= 65535 ? { address, port } : null;
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
