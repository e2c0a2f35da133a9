/**
 * Writing a request head: request line, `Host`, the caller's fields, the
 * defaults `fetch` adds, and the body's framing (`Content-Length` when the
 * size is known, chunked otherwise). Nothing a caller controls can end a
 * line early: `Headers` refuses CR, LF and NUL in names and values, and the
 * method, target and `Host` are checked here.
 *
 * @module
 */

import { NetError } from "../errors.ts";
import type { SocketFacts } from "./connection.ts";

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Control characters are exactly what this pattern is about.
// deno-lint-ignore no-control-regex
const HOST = /^[^\x00-\x20\x7f/?#@]+$/;
const USER_AGENT = `Deno/${Deno.version.deno}`;

/** What the head says about the body that follows it. */
export interface BodyFraming {
  /** Exact size, or `null` to send it chunked. */
  readonly size: number | null;
}

/** A request head and what it asks of the connection. */
export interface RequestHead {
  /** The head, ending with its blank line. */
  readonly text: string;
  /** `true` when it asks the server to close the connection after the response. */
  readonly close: boolean;
}

/** Methods that are tokens, checked without the pattern. */
const COMMON_METHODS: ReadonlySet<string> = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "PATCH",
  "OPTIONS",
]);
/** The last `Host` value found valid: most heads go to the host of the one before. */
let validHost = "";

/**
 * The request head for `method url`, from one pass over `headers`.
 *
 * @param body `null` for no body
 * @param keepAlive `false` to ask the server to close the connection after
 * the response (the caller's `Connection: close` asks it too)
 */
export function requestHead(
  url: URL,
  method: string,
  headers: Headers,
  body: BodyFraming | null,
  facts: SocketFacts,
  keepAlive: boolean,
): RequestHead {
  if (!COMMON_METHODS.has(method) && !TOKEN.test(method)) {
    throw new NetError("INVALID_ARGUMENT", `invalid method ${JSON.stringify(method)}`);
  }
  let target: string;
  if (method === "CONNECT") target = url.port ? url.host : `${url.host}:${defaultPort(url)}`;
  else if (facts.requestTarget === "absolute") {
    target = `${url.protocol}//${url.host}${url.pathname}${url.search}`;
  } else target = url.pathname + url.search;
  let host = url.host;
  let fields = "";
  let close = !keepAlive;
  let accept = false, encoding = false, agent = false, language = false;
  headers.forEach((value, name) => {
    switch (name) {
      case "host":
        host = value;
        return;
      case "content-length":
      case "transfer-encoding":
        return; // the engine frames the body it sends
      case "accept":
        accept = true;
        break;
      case "accept-encoding":
        encoding = true;
        break;
      case "user-agent":
        agent = true;
        break;
      case "accept-language":
        language = true;
        break;
      case "connection":
        if (CLOSE_TOKEN.test(value)) close = true;
        if (close) return; // replaced by `connection: close` below
    }
    fields += `${name}: ${value}\r\n`;
  });
  if (host !== validHost) {
    if (!HOST.test(host)) {
      throw new NetError("INVALID_ARGUMENT", `invalid Host ${JSON.stringify(host)}`);
    }
    validHost = host;
  }
  let head = `${method} ${target} HTTP/1.1\r\nhost: ${host}\r\n${fields}`;
  if (facts.proxyHeaders) {
    for (const [name, value] of facts.proxyHeaders) head += `${name}: ${value}\r\n`;
  }
  if (!accept && !language && !agent && !encoding) head += DEFAULT_FIELDS;
  else {
    if (!accept) head += "accept: */*\r\n";
    if (!language) head += "accept-language: *\r\n";
    if (!agent) head += `user-agent: ${USER_AGENT}\r\n`;
    if (!encoding) head += "accept-encoding: gzip,br\r\n";
  }
  // HTTP/1.1 keeps the connection by default: nothing to say otherwise.
  if (close) head += "connection: close\r\n";
  if (body) {
    head += body.size === null
      ? "transfer-encoding: chunked\r\n"
      : `content-length: ${body.size}\r\n`;
  } else if (method === "POST" || method === "PUT" || method === "PATCH") {
    head += "content-length: 0\r\n";
  }
  return { text: head + "\r\n", close };
}

const CLOSE_TOKEN = /(?:^|,)\s*close\s*(?:,|$)/i;
const DEFAULT_FIELDS =
  `accept: */*\r\naccept-language: *\r\nuser-agent: ${USER_AGENT}\r\naccept-encoding: gzip,br\r\n`;

function defaultPort(url: URL): number {
  return url.protocol === "https:" ? 443 : 80;
}

/** Heads are cut from shared slabs: one allocation per many heads, as Node's Buffer pool does. */
const SLAB_SIZE = 64 * 1024;
/** Larger heads (with a coalesced body) get an array of their own. */
const SLAB_MAX = 8 * 1024;
let slab = new Uint8Array(SLAB_SIZE);
let slabUsed = 0;

/**
 * The head's bytes with room for `extra` body bytes after them: one byte per
 * char, as `fetch` sends header values (a `Headers` value may hold chars up
 * to U+00FF; UTF-8 would widen them). Each array is new memory (never reused
 * while a write may still read it).
 */
export function headBytes(head: string, extra = 0): Uint8Array {
  const size = head.length + extra;
  let bytes: Uint8Array;
  if (size > SLAB_MAX) bytes = new Uint8Array(size);
  else {
    if (slabUsed + size > SLAB_SIZE) {
      slab = new Uint8Array(SLAB_SIZE);
      slabUsed = 0;
    }
    bytes = slab.subarray(slabUsed, slabUsed + size);
    slabUsed = (slabUsed + size + 7) & ~7;
  }
  // Plain ASCII is the common case: the encoder is the fast path, and it tells when it was not.
  const { read, written } = encoder.encodeInto(head, bytes);
  if (read !== head.length || written !== head.length) {
    for (let i = 0; i < head.length; i++) bytes[i] = head.charCodeAt(i);
  }
  return bytes;
}

const encoder = new TextEncoder();
