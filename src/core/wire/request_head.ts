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
/** Fields the engine writes itself from the body it sends. */
const FRAMING_FIELDS = new Set(["content-length", "transfer-encoding", "host"]);
const USER_AGENT = `Deno/${Deno.version.deno}`;

/** What the head says about the body that follows it. */
export interface BodyFraming {
  /** Exact size, or `null` to send it chunked. */
  readonly size: number | null;
}

/**
 * The request head for `method url` as text, ending with its blank line.
 *
 * @param body `null` for no body
 * @param close ask the server to close the connection after the response
 */
export function requestHead(
  url: URL,
  method: string,
  headers: Headers,
  body: BodyFraming | null,
  facts: SocketFacts,
  close: boolean,
): string {
  if (!TOKEN.test(method)) {
    throw new NetError("INVALID_ARGUMENT", `invalid method ${JSON.stringify(method)}`);
  }
  let target: string;
  if (method === "CONNECT") target = url.port ? url.host : `${url.host}:${defaultPort(url)}`;
  else if (facts.requestTarget === "absolute") {
    target = `${url.protocol}//${url.host}${url.pathname}${url.search}`;
  } else target = url.pathname + url.search;
  const host = headers.get("host") ?? url.host;
  if (!HOST.test(host)) {
    throw new NetError("INVALID_ARGUMENT", `invalid Host ${JSON.stringify(host)}`);
  }
  let head = `${method} ${target} HTTP/1.1\r\nhost: ${host}\r\n`;
  let accept = false, encoding = false, agent = false, language = false, connection = false;
  headers.forEach((value, name) => {
    if (FRAMING_FIELDS.has(name)) return;
    switch (name) {
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
        connection = true;
        if (close) return;
    }
    head += `${name}: ${value}\r\n`;
  });
  if (facts.proxyHeaders) {
    for (const [name, value] of facts.proxyHeaders) head += `${name}: ${value}\r\n`;
  }
  if (!accept) head += "accept: */*\r\n";
  if (!language) head += "accept-language: *\r\n";
  if (!agent) head += `user-agent: ${USER_AGENT}\r\n`;
  if (!encoding) head += "accept-encoding: gzip,br\r\n";
  if (close) head += "connection: close\r\n";
  else if (!connection) { /* HTTP/1.1 keeps the connection by default */ }
  if (body) {
    head += body.size === null
      ? "transfer-encoding: chunked\r\n"
      : `content-length: ${body.size}\r\n`;
  } else if (method === "POST" || method === "PUT" || method === "PATCH") {
    head += "content-length: 0\r\n";
  }
  return head + "\r\n";
}

/** Whether the caller's `Connection` field asks to close after this exchange. */
export function asksToClose(headers: Headers): boolean {
  const value = headers.get("connection");
  return value !== null && /(?:^|,)\s*close\s*(?:,|$)/i.test(value);
}

function defaultPort(url: URL): number {
  return url.protocol === "https:" ? 443 : 80;
}

/**
 * The head's bytes: one byte per char, as `fetch` sends header values (a
 * `Headers` value may hold chars up to U+00FF; `TextEncoder` would widen them).
 */
export function headBytes(head: string, extra = 0): Uint8Array {
  const bytes = new Uint8Array(head.length + extra);
  // Plain ASCII is the common case: the encoder is the fast path.
  // Control characters are exactly what this pattern is about.
  // deno-lint-ignore no-control-regex
  if (!/[^\x00-\x7f]/.test(head)) {
    encoder.encodeInto(head, bytes);
    return bytes;
  }
  for (let i = 0; i < head.length; i++) bytes[i] = head.charCodeAt(i);
  return bytes;
}

const encoder = new TextEncoder();
