/**
 * The client side of a SOCKS5 handshake (RFC 1928) on a connected socket,
 * with username/password authentication (RFC 1929) when credentials are
 * given. The target goes to the proxy as a name (the proxy resolves it, as
 * curl's `socks5h://`) unless the caller resolved it already.
 *
 * @module
 */

import type { Socket } from "node:net";
import { isIpLiteral } from "../dns.ts";
import { NetError } from "../errors.ts";
import { HandshakeReader } from "./handshake_reader.ts";

const VERSION = 0x05;
const METHOD_NONE = 0x00;
const METHOD_PASSWORD = 0x02;
const NO_ACCEPTABLE = 0xff;
const CONNECT = 0x01;
const ATYP_IPV4 = 0x01;
const ATYP_NAME = 0x03;
const ATYP_IPV6 = 0x04;

/** RFC 1928 §6 reply codes, for messages. */
const REPLIES: Record<number, string> = {
  1: "general SOCKS server failure",
  2: "connection not allowed by ruleset",
  3: "network unreachable",
  4: "host unreachable",
  5: "connection refused",
  6: "TTL expired",
  7: "command not supported",
  8: "address type not supported",
};

/** What the handshake needs. */
export interface Socks5Request {
  /** The target: a name (resolved by the proxy) or an IP literal. */
  readonly host: string;
  readonly port: number;
  readonly credentials: { readonly username: string; readonly password: string } | null;
  /** `host:port` of the proxy, for messages. */
  readonly proxy: string;
}

/**
 * Asks the proxy on `socket` to connect to the target. Resolves once the
 * tunnel is up (the socket then carries the target's bytes); rejects with
 * `CONNECT_FAILED` when the proxy refuses the credentials or the connection,
 * `HOST_UNRESOLVED` when it cannot resolve the name, `BAD_RESPONSE` for a
 * malformed reply.
 *
 * @example
 * ```ts ignore
 * import { socks5Connect } from "./socks5.ts";
 * await socks5Connect(socket, { host: "example.com", port: 443, credentials: null, proxy: "127.0.0.1:1080" }, signal);
 * ```
 */
export async function socks5Connect(
  socket: Socket,
  request: Socks5Request,
  signal: AbortSignal,
): Promise<void> {
  const reader = new HandshakeReader(socket, `SOCKS5 proxy ${request.proxy}`, signal);
  try {
    const methods = request.credentials ? [METHOD_NONE, METHOD_PASSWORD] : [METHOD_NONE];
    reader.send(Uint8Array.of(VERSION, methods.length, ...methods));
    const [version, method] = await reader.take(2);
    if (version !== VERSION) throw malformed(request, `version ${version} in the method reply`);
    if (method === METHOD_PASSWORD && request.credentials) {
      await authenticate(reader, request, request.credentials);
    } else if (method === NO_ACCEPTABLE) {
      throw new NetError(
        "CONNECT_FAILED",
        `SOCKS5 proxy ${request.proxy} accepts none of the offered authentication methods (${
          request.credentials ? "none, username/password" : "none; it may want credentials"
        })`,
      );
    } else if (method !== METHOD_NONE) {
      throw malformed(request, `unoffered method ${method}`);
    }

    reader.send(Uint8Array.of(VERSION, CONNECT, 0x00, ...address(request.host), ...port(request)));
    const [replyVersion, reply, , type] = await reader.take(4);
    if (replyVersion !== VERSION) throw malformed(request, `version ${replyVersion} in the reply`);
    // The bound address that follows is read and dropped.
    if (type === ATYP_IPV4) await reader.take(4 + 2);
    else if (type === ATYP_IPV6) await reader.take(16 + 2);
    else if (type === ATYP_NAME) await reader.take((await reader.take(1))[0]! + 2);
    else throw malformed(request, `address type ${type}`);
    if (reply !== 0) {
      const why = REPLIES[reply!] ?? `reply ${reply}`;
      const code = reply === 4 && !isIpLiteral(request.host) ? "HOST_UNRESOLVED" : "CONNECT_FAILED";
      throw new NetError(
        code,
        `SOCKS5 proxy ${request.proxy} could not connect to ${request.host}:${request.port} (${why})`,
      );
    }
  } finally {
    reader.release();
  }
}

/** RFC 1929: version 1, user name and password of at most 255 bytes each. */
async function authenticate(
  reader: HandshakeReader,
  request: Socks5Request,
  credentials: { readonly username: string; readonly password: string },
): Promise<void> {
  const user = new TextEncoder().encode(credentials.username);
  const password = new TextEncoder().encode(credentials.password);
  if (user.byteLength > 255 || password.byteLength > 255) {
    throw new NetError(
      "INVALID_ARGUMENT",
      "SOCKS5 user name and password are limited to 255 bytes each (RFC 1929)",
    );
  }
  reader.send(Uint8Array.of(0x01, user.byteLength, ...user, password.byteLength, ...password));
  const [, status] = await reader.take(2);
  if (status !== 0) {
    throw new NetError(
      "CONNECT_FAILED",
      `SOCKS5 proxy ${request.proxy} refused the user name and password`,
    );
  }
}

/** ATYP and address: an IP literal as such, any other host as a name. */
function address(host: string): number[] {
  if (isIpLiteral(host) && !host.includes(":")) {
    return [ATYP_IPV4, ...host.split(".").map(Number)];
  }
  if (isIpLiteral(host)) return [ATYP_IPV6, ...ipv6Bytes(host)];
  const name = new TextEncoder().encode(host);
  if (name.byteLength > 255) {
    throw new NetError("BAD_URL", `host name over 255 bytes cannot go through SOCKS5`);
  }
  return [ATYP_NAME, name.byteLength, ...name];
}

function port(request: Socks5Request): number[] {
  return [request.port >> 8, request.port & 0xff];
}

/** The 16 bytes of an IPv6 literal (with `::` and an embedded IPv4 tail). */
function ipv6Bytes(text: string): number[] {
  const withV4 = text.replace(
    /(\d+)\.(\d+)\.(\d+)\.(\d+)$/,
    (_m, a, b, c, d) => `${((+a << 8) | +b).toString(16)}:${((+c << 8) | +d).toString(16)}`,
  );
  const [head, tail] = withV4.split("::") as [string, string | undefined];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = tail === undefined
    ? left
    : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return groups.flatMap((group) => {
    const value = parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
}

function malformed(request: Socks5Request, what: string): NetError {
  return new NetError("BAD_RESPONSE", `SOCKS5 proxy ${request.proxy} sent ${what}`);
}
