/**
 * The value readers of the option table: each checks one shape and returns
 * what the request builder uses, or throws a 401 `NetError` naming the field.
 *
 * @module
 */

import { invalidArgument } from "../core/errors.ts";
import { ipVersion } from "../core/ip_literal.ts";
import type { FormPart } from "../core/multipart.ts";
import type { ClientCertificate, NameServer, ProxyChoice, ProxyServer } from "../core/request.ts";
import { checkHeader, checkHeaderSize, isToken } from "../core/url.ts";
import type { MultiFormData } from "./types.ts";

const encoder = new TextEncoder();

/** An object that is not an array, a buffer or a view. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    !ArrayBuffer.isView(value) && !(value instanceof ArrayBuffer);
}

/** `undefined` or a boolean. */
export function readBoolean(field: string, value: unknown): boolean | undefined {
  if (value === undefined || typeof value === "boolean") return value;
  invalidArgument(field, "must be a boolean", value);
}

/** `undefined` or an integer within `[min, max]`. */
export function readInteger(
  field: string,
  value: unknown,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    invalidArgument(field, `must be an integer from ${min} to ${max}`, value);
  }
  return value;
}

/**
 * `undefined` or a number; a number outside `[min, max]` or not an integer
 * gives `undefined` (OpenHarmony ignores it and keeps the default).
 */
export function readTolerantInteger(
  field: string,
  value: unknown,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number") invalidArgument(field, "must be a number", value);
  return Number.isInteger(value) && value >= min && value <= max ? value : undefined;
}

/** `undefined` or a string. */
export function readString(field: string, value: unknown): string | undefined {
  if (value === undefined || typeof value === "string") return value;
  invalidArgument(field, "must be a string", value);
}

/** `undefined` or one of `allowed`. */
export function readChoice<T extends string | number>(
  field: string,
  value: unknown,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) {
    invalidArgument(
      field,
      `must be one of ${allowed.map((x) => JSON.stringify(x)).join(", ")}`,
      value,
    );
  }
  return value as T;
}

/** A method token; the six `fetch` upper-cases are upper-cased here too. */
export function readMethod(field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !isToken(value)) {
    invalidArgument(field, 'must be an HTTP method name such as "GET"', value);
  }
  const upper = value.toUpperCase();
  return ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"].includes(upper) ? upper : value;
}

/** Request headers: string, number or boolean values; `null`/`undefined` skipped. */
export function readHeaders(value: unknown): Headers {
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

/** `usingProxy`: `false`/absent direct, `true` the environment's, or an `HttpProxy`. */
export function readHttpProxy(value: unknown): ProxyChoice {
  if (value === undefined || value === false) return "direct";
  if (value === true) return "environment";
  if (!isPlainObject(value)) {
    invalidArgument("usingProxy", "must be a boolean or an HttpProxy", value);
  }
  return readProxyServer("usingProxy", value, "http");
}

/** `usingSocks5Proxy`: a SOCKS5 proxy server, or `null`. */
export function readSocks5Proxy(value: unknown): ProxyServer | null {
  if (value === undefined || value === null) return null;
  if (!isPlainObject(value)) invalidArgument("usingSocks5Proxy", "must be a Socks5Proxy", value);
  readChoice("usingSocks5Proxy.dnsStrategy", value.dnsStrategy, [0, 1]);
  return readProxyServer("usingSocks5Proxy", value, "socks5");
}

function readProxyServer(
  field: string,
  value: Record<string, unknown>,
  kind: "http" | "socks5",
): ProxyServer {
  const { host, port, exclusionList, username, password } = value;
  if (typeof host !== "string" || host.trim() === "") {
    invalidArgument(`${field}.host`, "must be a non-empty string", host);
  }
  const portNumber = readInteger(`${field}.port`, port, 1, 65535);
  if (portNumber === undefined) invalidArgument(`${field}.port`, "must be given", port);
  const scheme = kind === "socks5" ? "socks5:" : /^https:\/\//i.test(host) ? "https:" : "http:";
  const bare = host.trim().replace(/^(?:https?|socks5h?):\/\//i, "").replace(/\/+$/, "");
  const hostPart = bare.includes(":") && !bare.startsWith("[") ? `[${bare}]` : bare;
  let url: URL;
  try {
    url = new URL(`${scheme}//${hostPart}:${portNumber}`);
  } catch {
    return invalidArgument(`${field}.host`, "must be a host name or IP address", host);
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.username || url.search) {
    invalidArgument(`${field}.host`, "must be a host name or IP address", host);
  }
  if (exclusionList !== undefined && exclusionList !== null) {
    if (!Array.isArray(exclusionList) || exclusionList.some((x) => typeof x !== "string")) {
      invalidArgument(`${field}.exclusionList`, "must be an array of strings", exclusionList);
    }
  }
  const user = readString(`${field}.username`, username) ?? "";
  const secret = readString(`${field}.password`, password) ?? "";
  return {
    url,
    exclusionList: (exclusionList as string[] | undefined | null) ?? [],
    credentials: user || secret ? { username: user, password: secret } : null,
  };
}

/** `clientCert`: `null` when absent or when `certPath` is empty (as OpenHarmony). */
export function readClientCert(field: string, value: unknown): ClientCertificate | null {
  if (value === undefined || value === null) return null;
  if (!isPlainObject(value)) invalidArgument(field, "must be an object", value);
  const certPath = readString(`${field}.certPath`, value.certPath) ?? "";
  const keyPath = readString(`${field}.keyPath`, value.keyPath) ?? "";
  const keyPassword = readString(`${field}.keyPassword`, value.keyPassword) ?? "";
  const certType = value.certType ?? "PEM";
  if (certType !== "PEM" && certType !== "DER" && certType !== "P12") {
    invalidArgument(`${field}.certType`, 'must be "PEM", "DER" or "P12"', certType);
  }
  if (certPath === "") return null;
  return { certPath, certType, keyPath, keyPassword };
}

/** `dnsOverHttps`: an https URL, or `null` when absent or empty. */
export function readDohUrl(value: unknown): URL | null {
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
export function readDnsServers(value: unknown): NameServer[] {
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
  if (ipVersion(address) === 0) return null;
  const port = portText === undefined ? 53 : Number(portText);
  return port >= 1 && port <= 65535 ? { address, port } : null;
}

/** Body bytes: a string as UTF-8, an ArrayBuffer or view as bytes, an object as JSON. */
export function toBytes(field: string, data: unknown): Uint8Array {
  if (typeof data === "string") return encoder.encode(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  if (ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  }
  if (typeof data === "object" && data !== null) {
    return encoder.encode(JSON.stringify(data));
  }
  invalidArgument(field, "must be a string, an object or an ArrayBuffer", data);
}

/** `multiFormDataList`: `data` wins over `filePath`. */
export function readParts(value: unknown): FormPart[] {
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

/** Percent-encodes all but RFC 3986 unreserved characters, as OpenHarmony does. */
export function encodeParam(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * `queryParams`: a string is kept as is (without a leading `?`); an object
 * becomes `k=v` pairs, arrays repeat the key, `null`/`undefined` give the bare key.
 */
export function readQueryParams(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value.replace(/^\?/, "");
  if (!isPlainObject(value)) {
    invalidArgument("queryParams", "must be a string or a QueryParamObject", value);
  }
  const pairs: string[] = [];
  for (const [name, entry] of Object.entries(value)) {
    for (const item of Array.isArray(entry) ? entry : [entry]) {
      if (item === null || item === undefined) {
        pairs.push(encodeParam(name));
        continue;
      }
      if (typeof item !== "string" && typeof item !== "number" && typeof item !== "boolean") {
        invalidArgument(`queryParams.${name}`, "must be a string, number, boolean or null", item);
      }
      pairs.push(`${encodeParam(name)}=${encodeParam(String(item))}`);
    }
  }
  return pairs.join("&");
}
