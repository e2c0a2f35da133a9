/**
 * From the command line to the library's `HttpRequestOptions`: each flag is
 * mapped to the option that does the job, and the library validates (and,
 * for what it does not support yet, refuses) the values itself.
 *
 * @module
 */

import http from "../../ohos.ts";
import type { HttpRequestOptions, MultiFormData } from "../../mod.ts";
import type { CliArgs, DataArg } from "./cli_args.ts";
import { CliError, EXIT, UsageError } from "./exit_codes.ts";

/** The proxy variables curl reads. */
const PROXY_VARIABLES = [
  "ALL_PROXY",
  "all_proxy",
  "HTTPS_PROXY",
  "https_proxy",
  "HTTP_PROXY",
  "http_proxy",
];

/** The request to send. */
export interface PlannedRequest {
  readonly url: string;
  readonly method: string;
  readonly options: HttpRequestOptions;
}

const encoder = new TextEncoder();
const BODY_METHODS_DEFAULT = "POST";

/** Builds the request to `url`; reads the local files of -d @file and --json @file. */
export async function planRequest(args: CliArgs, url: string): Promise<PlannedRequest> {
  const headers = new Map<string, [string, string]>();
  const setDefault = (name: string, value: string) => {
    if (!headers.has(name.toLowerCase())) headers.set(name.toLowerCase(), [name, value]);
  };

  const options: HttpRequestOptions = {};
  let method = args.head ? "HEAD" : "GET";

  if (args.data.length > 0) {
    const pieces = await Promise.all(args.data.map(readData));
    options.extraData = joinData(pieces);
    method = BODY_METHODS_DEFAULT;
    setDefault("Content-Type", "application/x-www-form-urlencoded");
  } else if (args.json.length > 0) {
    const pieces = await Promise.all(
      args.json.map((value) => readData({ kind: "binary", value })),
    );
    options.extraData = joinAll(pieces);
    method = BODY_METHODS_DEFAULT;
    setDefault("Content-Type", "application/json");
    setDefault("Accept", "application/json");
  } else if (args.form.length > 0) {
    options.multiFormDataList = await Promise.all(args.form.map(formPart));
    method = BODY_METHODS_DEFAULT;
  }
  if (args.method !== undefined) method = args.method;
  options.method = method;

  // User headers win over the defaults above; `-H 'Name:'` removes one.
  const user = new Map<string, [string, string | null]>();
  for (const [name, value] of args.headers) {
    const key = name.toLowerCase();
    const previous = user.get(key)?.[1];
    user.set(key, [
      name,
      value === null ? null : previous ? `${previous}, ${value}` : value,
    ]);
  }
  // As curl: a body is asked for as it is, unless --compressed asks for a compressed one.
  setDefault("Accept-Encoding", args.compressed ? "gzip, deflate, br" : "identity");
  if (args.userAgent !== undefined) setUser(user, "User-Agent", args.userAgent);
  if (args.user !== undefined) {
    setUser(
      user,
      "Authorization",
      `Basic ${btoa(String.fromCharCode(...encoder.encode(args.user)))}`,
    );
  }
  for (const [key, entry] of user) {
    if (entry[1] === null) headers.delete(key);
    else headers.set(key, [entry[0], entry[1]]);
  }
  if (headers.size > 0) {
    options.header = Object.fromEntries([...headers.values()].map(([n, v]) => [n, v]));
  }

  // curl has no total limit by default; the library's default is 60 s, far too short for downloads.
  options.readTimeout = args.timeout ?? 0;
  if (args.connectTimeout !== undefined) options.connectTimeout = args.connectTimeout;
  if (args.protocol === "http1.1") options.usingProtocol = http.HttpProtocol.HTTP1_1;
  if (args.protocol === "http2") options.usingProtocol = http.HttpProtocol.HTTP2;
  if (args.priority !== undefined) options.priority = args.priority;

  // Transport options: mapped as they are; the library applies them or says it cannot.
  if (args.cacert !== undefined) options.caPath = args.cacert;
  if (args.insecure) options.remoteValidation = "skip";
  if (args.cert !== undefined) {
    const certType = http.CertType[args.certType ?? "PEM"];
    options.clientCert = {
      certPath: args.cert,
      certType,
      keyPath: args.key ?? (certType === http.CertType.P12 ? "" : args.cert),
      ...(args.pass !== undefined ? { keyPassword: args.pass } : {}),
    };
  }
  // As curl: --proxy, else the environment's HTTP_PROXY/HTTPS_PROXY/NO_PROXY; --noproxy '*' alone:
  // none. Without proxy variables the library's default (direct) is kept: it measures the
  // connection phases and enforces connectTimeout per connection.
  if (args.proxy !== undefined) options.usingProxy = parseProxy(args.proxy, args.noproxy);
  else if (args.noproxy !== undefined) options.usingProxy = false;
  else if (environmentProxySet()) options.usingProxy = true;
  if (args.dnsServers !== undefined) options.dnsServers = args.dnsServers;
  if (args.dohUrl !== undefined) options.dnsOverHttps = args.dohUrl;
  if (args.retry) {
    options.retry = {
      retries: args.retry,
      maxTime: args.retryMaxTime ?? 0,
      fixedDelay: args.retryDelay !== undefined,
      allMethods: args.retryAllMethods,
      connectionRefused: args.retryConnRefused,
      ...(args.retryDelay !== undefined ? { delay: args.retryDelay } : {}),
    };
  }

  return { url, method, options };
}

/** Whether a proxy variable is set (false when the environment may not be read). */
function environmentProxySet(): boolean {
  try {
    return PROXY_VARIABLES.some((name) => Boolean(Deno.env.get(name)));
  } catch {
    return false;
  }
}

function setUser(user: Map<string, [string, string | null]>, name: string, value: string): void {
  user.set(name.toLowerCase(), [name, value]);
}

/** The bytes of one -d/--data-binary/--json argument: literal, `@file` or `@-` (stdin). */
async function readData(arg: DataArg): Promise<Uint8Array> {
  if (!arg.value.startsWith("@")) return encoder.encode(arg.value);
  const path = arg.value.slice(1);
  let bytes: Uint8Array;
  try {
    bytes = path === "-" ? await readAll(Deno.stdin.readable) : await Deno.readFile(path);
  } catch (error) {
    throw new CliError(
      `cannot read '${path === "-" ? "stdin" : path}': ${(error as Error).message}`,
      EXIT.READ_ERROR,
    );
  }
  // curl's -d @file drops carriage returns and newlines.
  return arg.kind === "ascii" ? bytes.filter((b) => b !== 0x0d && b !== 0x0a) : bytes;
}

/** Several -d pieces are joined with `&`, as curl does; text stays a string (GET puts it in the query). */
function joinData(pieces: Uint8Array[]): string | Uint8Array {
  const joined = joinAll(pieces.flatMap((p, i) => i === 0 ? [p] : [encoder.encode("&"), p]));
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(joined);
  } catch {
    return joined;
  }
}

function joinAll(pieces: Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(pieces.reduce((sum, p) => sum + p.byteLength, 0));
  let offset = 0;
  for (const piece of pieces) {
    joined.set(piece, offset);
    offset += piece.byteLength;
  }
  return joined;
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return joinAll(chunks);
}

const CONTENT_TYPES: Record<string, string> = {
  txt: "text/plain",
  html: "text/html",
  htm: "text/html",
  css: "text/css",
  csv: "text/csv",
  js: "text/javascript",
  json: "application/json",
  xml: "application/xml",
  pdf: "application/pdf",
  zip: "application/zip",
  gz: "application/gzip",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  svg: "image/svg+xml",
  mp4: "video/mp4",
  mp3: "audio/mpeg",
};

/**
 * One -F: `name=value`, `name=@file` (streamed by the library from disk) or
 * `name=<file` (the file's content as the value), each with optional
 * `;type=` and, for files, `;filename=`.
 */
async function formPart(spec: string): Promise<MultiFormData> {
  const eq = spec.indexOf("=");
  if (eq <= 0) throw new UsageError(`-F must look like name=value or name=@file, got '${spec}'`);
  const name = spec.slice(0, eq);
  let rest = spec.slice(eq + 1);
  let type: string | undefined;
  let fileName: string | undefined;
  for (;;) {
    const match = /;(type|filename)=([^;]*)$/.exec(rest);
    if (!match) break;
    if (match[1] === "type") type = match[2];
    else fileName = match[2];
    rest = rest.slice(0, match.index);
  }
  if (rest.startsWith("@")) {
    const filePath = rest.slice(1);
    const ext = /\.([^./\\]+)$/.exec(filePath)?.[1]?.toLowerCase() ?? "";
    return {
      name,
      contentType: type ?? CONTENT_TYPES[ext] ?? "application/octet-stream",
      filePath,
      ...(fileName !== undefined ? { remoteFileName: fileName } : {}),
    };
  }
  if (rest.startsWith("<")) {
    const bytes = await readData({ kind: "binary", value: `@${rest.slice(1)}` });
    return { name, contentType: type ?? "text/plain", data: bytes.slice().buffer };
  }
  return { name, contentType: type ?? "text/plain", data: rest };
}

/** `text` with everything between its scheme and its last `@` replaced by `…` (a password may hold `@`). */
function hideCredentials(text: string): string {
  const at = text.lastIndexOf("@");
  if (at < 0) return text;
  const start = /^(\s*(?:[a-z][a-z0-9+.-]*:(?=[\\/]))?[\\/]*)/i.exec(text)?.[1] ?? "";
  return `${start}…${text.slice(at)}`;
}

/** `[http://][user:pass@]host[:port]` as the library's `HttpProxy`. */
function parseProxy(text: string, noproxy: string[] | undefined): http.HttpProxy {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\/|^\s*https?:/i.test(text) ? text : `http://${text}`);
  } catch {
    throw new UsageError(`--proxy: '${hideCredentials(text)}' is not a proxy address`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(
      `--proxy: only http:// and https:// proxies are supported, got '${url.protocol}//'`,
    );
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const proxy: http.HttpProxy = {
    // The library takes an https proxy as an https:// host.
    host: url.protocol === "https:" ? `https://${host}` : host,
    port: url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 1080,
  };
  if (url.username) proxy.username = decodeURIComponent(url.username);
  if (url.password) proxy.password = decodeURIComponent(url.password);
  if (noproxy) proxy.exclusionList = noproxy;
  return proxy;
}
