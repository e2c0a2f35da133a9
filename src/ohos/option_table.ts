/**
 * Every `HttpRequestOptions` field, declared once: its type as the official
 * declaration writes it, its default, one line of documentation, and the
 * reader that checks a value and returns what the request builder uses. The
 * table drives validation and defaults (`options.ts`) and the option
 * reference of docs/ohos-api.md ({@linkcode optionReference}, checked by a test).
 *
 * A reader gets `undefined` for an absent field. A wrong value is a 401
 * naming the field; values OpenHarmony ignores are ignored here too.
 *
 * @module
 */

import { invalidArgument, NetError } from "../core/errors.ts";
import { readRetrySetting } from "../core/retry.ts";
import type { FormPart } from "../core/multipart.ts";
import type {
  ClientCertificate,
  NameServer,
  ProxyChoice,
  ProxyServer,
  ServerCredentials,
} from "../core/request.ts";
import { AddressFamily } from "./enums.ts";
import {
  isPlainObject,
  readBoolean,
  readChoice,
  readClientCert,
  readDnsServers,
  readDohUrl,
  readHeaders,
  readHttpProxy,
  readInteger,
  readMethod,
  readParts,
  readQueryParams,
  readSocks5Proxy,
  readString,
  readTolerantInteger,
} from "./option_readers.ts";
import {
  readClientEncCert,
  readPartialChain,
  readPins,
  readRemoteValidation,
  readSniHostName,
  readSslType,
  readTlsOptions,
  type TlsBounds,
} from "./tls_settings.ts";
import type { ValidationCallback } from "./types.ts";

/** Defaults OpenHarmony documents. */
export const DEFAULTS = {
  readTimeout: 60_000,
  connectTimeout: 60_000,
  maxLimit: 5 * 1024 * 1024,
  maxRedirects: 30,
} as const;

/** The largest `maxLimit`; larger values are clamped to it, as OpenHarmony does. */
export const MAX_LIMIT = 100 * 1024 * 1024;

const MAX_INT32 = 2_147_483_647;
const MAX_RANGE = 4_294_967_296;

/** One option: documentation and reader. */
export interface OptionSpec<T> {
  /** The type as the official declaration writes it. */
  readonly type: string;
  /** The default, as text for the reference. */
  readonly default: string;
  /** One line for the reference. */
  readonly doc: string;
  /** Checks a value (`undefined` when absent) and returns what the builder uses. */
  readonly read: (value: unknown) => T;
}

function option<T>(spec: OptionSpec<T>): OptionSpec<T> {
  return spec;
}

const passThrough = (value: unknown): unknown => value;

/** The option table, in the order of the official declaration. */
export const OPTION_TABLE = {
  method: option({
    type: "RequestMethod",
    default: '"GET"',
    doc: "The method; any token is sent as written (PATCH, PROPFIND, …).",
    read: (v) => readMethod("method", v) ?? "GET",
  }),
  extraData: option({
    type: "string | Object | ArrayBuffer",
    default: "none",
    doc:
      "GET, HEAD, OPTIONS, TRACE, CONNECT: the query (object or string); other methods: the body.",
    read: passThrough,
  }),
  expectDataType: option({
    type: "HttpDataType",
    default: "from the content type",
    doc: "The type of `result`; a number other than 0, 1, 2 is ignored, as OpenHarmony does.",
    read: (v) => {
      const n = readTolerantInteger("expectDataType", v, 0, 2);
      return n as 0 | 1 | 2 | undefined;
    },
  }),
  usingCache: option({
    type: "boolean",
    default: "true",
    doc: "`false`: the response cache does not answer (responses are still stored).",
    read: (v) => readBoolean("usingCache", v) ?? true,
  }),
  priority: option({
    type: "int",
    default: "1",
    doc:
      "1 to 1000, higher first when requests queue; other numbers are ignored, as OpenHarmony does.",
    read: (v) => readTolerantInteger("priority", v, 1, 1000) ?? 1,
  }),
  header: option({
    type: "Object",
    default: "none",
    doc:
      "Request headers; string, number or boolean values; CR/LF refused; a value that is not an object is ignored, as OpenHarmony does.",
    read: (v) => readHeaders(isPlainObject(v) ? v : undefined),
  }),
  readTimeout: option({
    type: "int",
    default: String(DEFAULTS.readTimeout),
    doc: "Limit on the whole transfer in ms; 0 for none.",
    read: (v) => readInteger("readTimeout", v, 0, MAX_INT32) ?? DEFAULTS.readTimeout,
  }),
  connectTimeout: option({
    type: "int",
    default: String(DEFAULTS.connectTimeout),
    doc: "Limit on connecting (DNS, TCP, TLS) in ms; 0 for none.",
    read: (v) => readInteger("connectTimeout", v, 0, MAX_INT32),
  }),
  usingProtocol: option({
    type: "HttpProtocol",
    default: "automatic",
    doc: "HTTP1_1, HTTP2, or HTTP3 (falls back to the best available).",
    read: (v) => readChoice("usingProtocol", v, [0, 1, 2] as const),
  }),
  usingProxy: option({
    type: "boolean | HttpProxy",
    default: "false (direct)",
    doc: "`true`: the environment's proxy; an HttpProxy; `false`: direct.",
    read: (v): ProxyChoice => readHttpProxy(v),
  }),
  caPath: option({
    type: "string",
    default: '""',
    doc:
      "A PEM file (or directory) trusted besides the default roots; a path that does not exist is ignored, as OpenHarmony does.",
    read: (v) => existingPath(readString("caPath", v)),
  }),
  caData: option({
    type: "string",
    default: '""',
    doc:
      "One PEM CA (≤ 8000 characters) trusted besides the default roots; ignored with caPath or when not PEM.",
    read: (v) => {
      const pem = readString("caData", v);
      return pem && pem.length <= 8000 && pem.includes("-----BEGIN CERTIFICATE-----") ? pem : null;
    },
  }),
  sslType: option({
    type: "SslType",
    default: '"TLS"',
    doc: '"TLS"; "TLCP" is refused with 401 (no TLCP stack in this runtime).',
    read: readSslType,
  }),
  clientEncCert: option({
    type: "ClientCert",
    default: "none",
    doc: "The TLCP encryption certificate: refused with 401 (no TLCP).",
    read: readClientEncCert,
  }),
  resumeFrom: option({
    type: "long",
    default: "none",
    doc: "First byte to download (Range); outside 1 to 4294967296 it has no effect.",
    read: (v) => readTolerantInteger("resumeFrom", v, 1, MAX_RANGE),
  }),
  resumeTo: option({
    type: "long",
    default: "none",
    doc: "Last byte to download; outside 1 to 4294967296, or below resumeFrom, it has no effect.",
    read: (v) => readTolerantInteger("resumeTo", v, 1, MAX_RANGE),
  }),
  clientCert: option({
    type: "ClientCert",
    default: "none",
    doc: "A client certificate for mutual TLS; an empty certPath means none.",
    read: (v): ClientCertificate | null => readClientCert("clientCert", v),
  }),
  dnsOverHttps: option({
    type: "string",
    default: '""',
    doc: "A DNS-over-HTTPS resolver URL.",
    read: readDohUrl,
  }),
  dnsServers: option({
    type: "Array<string>",
    default: "system",
    doc: "Up to three DNS servers (IP, optionally with port); others are skipped.",
    read: (v): NameServer[] => readDnsServers(v),
  }),
  maxLimit: option({
    type: "int",
    default: String(DEFAULTS.maxLimit),
    doc: "Largest body request() accepts; values above 100 MiB are clamped to it.",
    read: (v) =>
      Math.min(
        readInteger("maxLimit", v, 0, Number.MAX_SAFE_INTEGER) ?? DEFAULTS.maxLimit,
        MAX_LIMIT,
      ),
  }),
  multiFormDataList: option({
    type: "Array<MultiFormData>",
    default: "none",
    doc: "multipart/form-data parts, used when content-type is multipart/form-data or unset.",
    read: (v): FormPart[] => readParts(v),
  }),
  certificatePinning: option({
    type: "CertificatePinning | CertificatePinning[]",
    default: "none",
    doc:
      "Accepted SHA-256 SPKI hashes (curl's --pinnedpubkey); no match: 2300090; another algorithm is dropped.",
    read: readPins,
  }),
  remoteValidation: option({
    type: "RemoteValidation",
    default: '"system"',
    doc: '"system", "skip" (no verification) or a callback given a ValidationContext.',
    read: (v): "system" | "skip" | ValidationCallback => readRemoteValidation(v),
  }),
  tlsOptions: option({
    type: "TlsOptions",
    default: '"system"',
    doc:
      "TLS 1.2/1.3 bounds (a maximum below 1.2: 401); cipherSuites cannot be enforced here: 2300059.",
    read: (v): TlsBounds => readTlsOptions(v),
  }),
  serverAuthentication: option({
    type: "ServerAuthentication",
    default: "none",
    doc: "Credentials answering a 401 challenge: Basic, Digest (RFC 7616) or NTLMv2.",
    read: readServerAuthentication,
  }),
  addressFamily: option({
    type: "AddressFamily",
    default: "DEFAULT",
    doc: "Resolve to IPv4 only or IPv6 only.",
    read: (v): 4 | 6 | null => {
      const family = readChoice("addressFamily", v, Object.values(AddressFamily));
      return family === AddressFamily.ONLY_V4 ? 4 : family === AddressFamily.ONLY_V6 ? 6 : null;
    },
  }),
  sniHostName: option({
    type: "string",
    default: '""',
    doc:
      "Server name for TLS SNI and the certificate check; empty or over 255 characters: no effect.",
    read: readSniHostName,
  }),
  maxRedirects: option({
    type: "int",
    default: String(DEFAULTS.maxRedirects),
    doc:
      "Redirects followed (0: none); more fail with 2300047; out of 0 to 2147483647: the default.",
    read: (v) => readTolerantInteger("maxRedirects", v, 0, MAX_INT32) ?? DEFAULTS.maxRedirects,
  }),
  customMethod: option({
    type: "string",
    default: '""',
    doc: "A method that replaces `method` (WebDAV); over 128 characters or empty: no effect.",
    read: (v) => {
      const text = readString("customMethod", v);
      return text && text.length <= 128 ? readMethod("customMethod", text)! : null;
    },
  }),
  pathPreference: option({
    type: "PathPreference",
    default: '"auto"',
    doc: "The network to use; without cellular networks every value means the default network.",
    read: (v) =>
      readChoice("pathPreference", v, ["auto", "primaryCellular", "secondaryCellular"] as const) ??
        "auto",
  }),
  reuseConnections: option({
    type: "boolean",
    default: "true",
    doc: "`false`: a new connection for this request, closed after it.",
    read: (v) => readBoolean("reuseConnections", v) ?? true,
  }),
  inactivityMs: option({
    type: "int",
    default: "118000",
    doc: "Idle time after which a pooled connection closes, in ms; 0 or less: the default.",
    read: (v) => {
      const ms = readTolerantInteger("inactivityMs", v, -Infinity, MAX_INT32);
      return ms !== undefined && ms > 0 ? ms : null;
    },
  }),
  usingSocks5Proxy: option({
    type: "Socks5Proxy",
    default: "none",
    doc: "A SOCKS5 proxy (names resolved by the proxy); it wins over usingProxy.",
    read: (v): ProxyServer | null => readSocks5Proxy(v),
  }),
  enablePartialChain: option({
    type: "boolean",
    default: "false here (OpenHarmony: true)",
    doc: "`true`: accept a chain ending at a trusted intermediate.",
    read: readPartialChain,
  }),
  queryParams: option({
    type: "string | QueryParamObject",
    default: "none",
    doc: "Query appended for any method; it replaces the query extraData would add.",
    read: readQueryParams,
  }),
  body: option({
    type: "string | Object | ArrayBuffer",
    default: "none",
    doc:
      "The body for any method (GET and HEAD bodies go by the socket-level transport); it wins over extraData.",
    read: passThrough,
  }),
  signal: option({
    type: "AbortSignal",
    default: "none",
    doc: "Not in OpenHarmony: aborting it cancels this one request (2300023, as destroy()).",
    read: (v): AbortSignal | null => {
      if (v === undefined || v === null) return null;
      if (!(v instanceof AbortSignal)) invalidArgument("signal", "must be an AbortSignal", v);
      return v;
    },
  }),
  retry: option({
    type: "number | RetryOptions",
    default: "none",
    doc:
      "Not in OpenHarmony: retry transient failures (timeouts, lost connections, 408, 429, 5xx), idempotent methods unless allMethods; see docs/options.md.",
    read: (v) => readRetrySetting(v, "retry") ?? null,
  }),
  allowHttpsDowngrade: option({
    type: "boolean",
    default: "false",
    doc:
      "Not in OpenHarmony: follow a redirect from https to http (refused with 2300001 otherwise).",
    read: (v) => readBoolean("allowHttpsDowngrade", v) ?? false,
  }),
} as const;

/** An option name. */
export type OptionName = keyof typeof OPTION_TABLE;

/** Every option after its reader. */
export type OptionValues = {
  -readonly [K in OptionName]: ReturnType<(typeof OPTION_TABLE)[K]["read"]>;
};

const NAMES = Object.keys(OPTION_TABLE) as OptionName[];

/**
 * Reads every option of `options` through the table. Each field is read
 * once; a getter that throws, or a Proxy that refuses, is a 401 naming the field. Absent: the defaults.
 */
export function readOptions(options?: object): OptionValues {
  // The values inherit every absent option from one shared object; only the options given, and
  // the Headers the request builder adds to, are the request's own.
  const values = Object.create(absentValues ??= readAbsentValues()) as Record<OptionName, unknown>;
  values.header = new Headers();
  if (options === undefined) return values as OptionValues; // the common `request(url)`
  for (const name of NAMES) {
    let value: unknown;
    try {
      value = (options as Record<string, unknown>)[name];
      if (value !== undefined) values[name] = OPTION_TABLE[name].read(value);
    } catch (error) {
      if (error instanceof NetError) throw error;
      throw new NetError(
        "INVALID_ARGUMENT",
        `'${name}' could not be read (${error instanceof Error ? error.name : typeof error})`,
        { cause: error },
      );
    }
  }
  return values as OptionValues;
}

/**
 * What each reader gives for an absent option (`header` aside), read once
 * per process: most requests set few options, and reading the rest costs more
 * than the request. Requests share these values and only read them: the
 * objects among them are frozen. (The holder is not: a frozen prototype
 * would refuse the request's own values.)
 */
let absentValues: Omit<OptionValues, "header"> | null = null;

function readAbsentValues(): Omit<OptionValues, "header"> {
  const values = {} as Record<OptionName, unknown>;
  for (const name of NAMES) {
    if (name === "header") continue;
    const value: unknown = OPTION_TABLE[name].read(undefined);
    values[name] = value !== null && typeof value === "object" ? Object.freeze(value) : value;
  }
  return values as Omit<OptionValues, "header">;
}

/** `null` for an empty path or one that does not exist (OpenHarmony ignores both; XTS expects 200). */
function existingPath(path: string | undefined): string | null {
  if (!path) return null;
  try {
    Deno.statSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
  }
  return path;
}

function readServerAuthentication(value: unknown): Omit<ServerCredentials, "origin"> | null {
  if (value === undefined || value === null) return null;
  if (!isPlainObject(value)) {
    invalidAuth("serverAuthentication", "must be a ServerAuthentication", value);
  }
  const credential = value.credential;
  if (!isPlainObject(credential)) {
    invalidAuth("serverAuthentication.credential", "must be a Credential", credential);
  }
  const username = readString("serverAuthentication.credential.username", credential.username) ??
    "";
  const password = readString("serverAuthentication.credential.password", credential.password) ??
    "";
  const scheme = readChoice(
    "serverAuthentication.authenticationType",
    value.authenticationType,
    ["basic", "ntlm", "digest"] as const,
  ) ?? null;
  if (/[\r\n\0]/.test(username + password)) {
    invalidAuth("serverAuthentication.credential", "must not contain CR, LF or NUL", undefined);
  }
  return { username, password, scheme };
}

function invalidAuth(field: string, expected: string, got: unknown): never {
  const shown = got === undefined ? "" : `, got a value of type ${typeof got}`;
  throw new NetError("INVALID_ARGUMENT", `'${field}' ${expected}${shown}`);
}

/** The option reference as a Markdown table (docs/ohos-api.md holds a copy a test compares). */
export function optionReference(): string {
  const rows = NAMES.map((name) => {
    const spec = OPTION_TABLE[name] as OptionSpec<unknown>;
    const cell = (text: string) => text.replaceAll("|", "\\|");
    return `| \`${name}\` | \`${cell(spec.type)}\` | ${cell(spec.default)} | ${cell(spec.doc)} |`;
  });
  return ["| option | type | default | meaning |", "| --- | --- | --- | --- |", ...rows].join("\n");
}
