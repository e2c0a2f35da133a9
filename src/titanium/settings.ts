/**
 * The settings an `HTTPClient` reads when it sends: each checked once, with
 * an error naming it, and turned into what the core request needs.
 *
 * @module
 */

import { NetError } from "../core/errors.ts";
import type { TransportOptions } from "../core/request.ts";
import type { TlsControl } from "../core/transport.ts";
import { unhonouredSetting } from "../core/transport_support.ts";
import {
  checkRequestUrl,
  isToken,
  parseRequestUrl,
  redactCredentials,
  withDefaultScheme,
} from "../core/url.ts";

/** `timeout` when none is set: iOS's `NSURLRequest` default. */
export const DEFAULT_TIMEOUT = 60_000;

const MAX_TIMER = 2_147_483_647;
/** A character RFC 3986 does not allow in a URI, or a `%` that starts no escape. */
const NOT_URI = /[^A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]|%(?![0-9A-Fa-f]{2})/;

export function readMethod(value: string): string {
  if (!isToken(value)) {
    throw new NetError("INVALID_ARGUMENT", `'${value}' is not an HTTP method name`);
  }
  const upper = value.toUpperCase();
  // fetch upper-cases these six itself; keep ours in step so the body rules see the same name.
  return ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH"].includes(upper)
    ? upper
    : value;
}

export function readTimeout(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_TIMEOUT;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new NetError(
      "INVALID_ARGUMENT",
      `'timeout' must be a number of milliseconds, 0 or more, got ${String(value)}`,
    );
  }
  return Math.min(Math.round(value), MAX_TIMER);
}

export function readFile(value: unknown): string | URL | null {
  if (value === undefined || value === null || value === "") return null;
  if (typeof value === "string") return value.startsWith("file:") ? new URL(value) : value;
  if (value instanceof URL && value.protocol === "file:") return value;
  // A Ti.Filesystem.File-like object: its nativePath is a path or a file: URL.
  const nativePath = (value as { nativePath?: unknown }).nativePath;
  if (typeof nativePath === "string" && nativePath !== "") return readFile(nativePath);
  throw new NetError(
    "INVALID_ARGUMENT",
    "'file' must be a path, a file: URL, or an object with a nativePath",
  );
}

/** The default `maxResponseSize` for a body kept in memory. */
export const DEFAULT_MAX_RESPONSE_SIZE = 64 * 1024 * 1024;

/**
 * The body size limit: `maxResponseSize` when set (0 or Infinity: none),
 * otherwise 64 MiB in memory and none for a `file` download.
 */
export function readMaxResponseSize(value: unknown, download: boolean): number {
  if (value === undefined || value === null) {
    return download ? Infinity : DEFAULT_MAX_RESPONSE_SIZE;
  }
  if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
    throw new NetError(
      "INVALID_ARGUMENT",
      `'maxResponseSize' must be a number of bytes, 0 (no limit) or more, got ${String(value)}`,
    );
  }
  return value === 0 ? Infinity : value;
}

/**
 * Why `securityManager` cannot be honoured for `url`, or `null` when there
 * is none or it does not take part (`willHandleURL(url)` is false).
 */
export function securityManagerRefusal(manager: unknown, url: URL): string | null {
  if (manager === undefined || manager === null) return null;
  const willHandle = (manager as { willHandleURL?: unknown }).willHandleURL;
  if (typeof willHandle !== "function") {
    throw new NetError(
      "INVALID_ARGUMENT",
      "'securityManager' does not implement SecurityManagerProtocol (willHandleURL)",
    );
  }
  if (!willHandle.call(manager, url.href)) return null;
  return `securityManager handles ${url.origin}, but its native trust and key managers ` +
    "cannot run on Deno: the request is not sent without them (pin or trust the " +
    "certificate with the package's TLS options instead)";
}

export function readCredential(field: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") {
    throw new NetError("INVALID_ARGUMENT", `'${field}' must be a string`);
  }
  return value;
}

/**
 * The TLS control `validatesSecureCertificate` and `tlsVersion` ask for, or
 * `null` for the runtime's defaults. `false` skips verification (unsafe);
 * `TLS_VERSION_1_3` sets TLS 1.3 as the minimum (1.0–1.2 are met by the
 * TLS 1.2 floor every transport keeps).
 */
export function readTlsControl(validates: unknown, tlsVersion: unknown): TlsControl | null {
  if (tlsVersion !== undefined && tlsVersion !== null) {
    if (typeof tlsVersion !== "number" || ![0, 1, 2, 3, 4].includes(tlsVersion)) {
      throw new NetError(
        "INVALID_ARGUMENT",
        `'tlsVersion' must be one of Network.TLS_VERSION_1_0 … TLS_VERSION_1_3, got ${
          String(tlsVersion)
        }`,
      );
    }
  }
  const skip = validates === false;
  const tls13 = tlsVersion === 4;
  if (!skip && !tls13) return null;
  return {
    verify: skip ? "skip" : "system",
    pins: [],
    minVersion: tls13 ? "TLSv1.3" : null,
    maxVersion: null,
    ciphers: null,
    serverName: null,
    partialChain: false,
  };
}

/** The connection settings carrying `tls`: otherwise the defaults of a request without any. */
export function tlsTransport(tls: TlsControl): TransportOptions {
  return {
    caPath: null,
    clientCert: null,
    proxy: "environment",
    dns: null,
    exactConnectTimeout: false,
    tls,
  };
}

/**
 * Why the TLS settings cannot be honoured by any transport of this version
 * (then https requests end in `onerror`, never sent without them), or
 * `null` when they can, or ask for nothing.
 */
export function tlsRefusal(validates: unknown, tlsVersion: unknown): string | null {
  const tls = readTlsControl(validates, tlsVersion);
  if (tls === null) return null;
  const pending = unhonouredSetting(tlsTransport(tls));
  if (pending === "tls.verify") {
    return "validatesSecureCertificate = false is not supported: no transport of this version " +
      "can turn certificate verification off for one request (trust a private CA instead, or " +
      "run Deno with --unsafely-ignore-certificate-errors for the whole process)";
  }
  if (pending === "tls.versions") {
    return "tlsVersion = TLS_VERSION_1_3 cannot be enforced: no transport of this version can " +
      "refuse TLS 1.2 for one request";
  }
  return pending === null ? null : `the TLS settings need '${pending}', which no transport honours`;
}

/** Parses the URL given to `open()`; credentials in it become Basic auth. */
export function readUrl(
  input: string,
  autoEncode: boolean,
): { url: URL; username: string | undefined; password: string | undefined } {
  const text = input.trim();
  if (!autoEncode && NOT_URI.test(text)) {
    throw new NetError(
      "BAD_URL",
      `'${
        redactCredentials(input)
      }' has characters that must be percent-encoded, and autoEncodeUrl is false`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(withDefaultScheme(text));
  } catch {
    return { url: parseRequestUrl(text), username: undefined, password: undefined }; // it reports why
  }
  let username: string | undefined;
  let password: string | undefined;
  if (parsed.username || parsed.password) {
    username = decodeURIComponent(parsed.username);
    password = decodeURIComponent(parsed.password);
    parsed.username = "";
    parsed.password = "";
  }
  // Parsed once: the checks parseRequestUrl would make after parsing.
  return { url: checkRequestUrl(parsed), username, password };
}
