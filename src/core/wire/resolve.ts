/**
 * Name resolution and the TCP connection for the socket-level connectors:
 * the request's own DNS servers (`Deno.resolveDns` with a `nameServer`) or
 * DNS-over-HTTPS endpoint (the resolvers of `dns.ts`), the system's
 * resolver otherwise, and `addressFamily` (4 or 6) applied to whatever
 * answers. Addresses are tried in order until one accepts the connection.
 *
 * On this path these options need no loopback relay: the connector itself
 * resolves the name and opens the socket.
 *
 * @module
 */

import net from "node:net";
import { dohResolver, isIpLiteral, type Resolver, serversResolver } from "../dns.ts";
import { NetError } from "../errors.ts";
import { createClient } from "../proxy.ts";
import type { DnsChoice, TransportOptions } from "../request.ts";
import type { ConnectProgress } from "./connection.ts";

/** A TCP connection and when its phases ended (`performance.now()`). */
export interface TcpResult {
  readonly socket: net.Socket;
  /** When the name was resolved; `null` for an IP literal. */
  readonly dns: number | null;
  readonly tcp: number;
}

/**
 * The addresses of `host` as `options` ask: their resolvers, then their
 * address family. Rejects with `HOST_UNRESOLVED` when none is left.
 *
 * @example
 * ```ts ignore
 * import { resolveHost } from "./resolve.ts";
 * const [first] = await resolveHost("localhost", { addressFamily: 4 } as never);
 * ```
 */
export async function resolveHost(
  host: string,
  options: TransportOptions | undefined,
  signal?: AbortSignal,
): Promise<string[]> {
  const family = options?.addressFamily ?? null;
  let addresses: string[];
  if (isIpLiteral(host)) {
    addresses = [host];
  } else if (options?.dns) {
    addresses = await resolverFor(options.dns, options).resolve(host, signal);
  } else {
    addresses = await systemLookup(host, family);
  }
  if (family === null) return addresses;
  const kept = addresses.filter((address) => net.isIP(address) === family);
  if (kept.length === 0) {
    throw new NetError(
      "HOST_UNRESOLVED",
      `'${host}' has no IPv${family} address (addressFamily ${family}; found ${
        addresses.join(", ")
      })`,
    );
  }
  return kept;
}

/**
 * Resolves `host` and opens a TCP connection to `port`, trying each address
 * in turn. Rejects with `HOST_UNRESOLVED`, `CONNECT_FAILED`, or the
 * signal's reason.
 *
 * @example
 * ```ts ignore
 * import { connectTcp } from "./resolve.ts";
 * const { socket } = await connectTcp("localhost", 80, undefined, AbortSignal.timeout(5000));
 * socket.destroy();
 * ```
 */
export async function connectTcp(
  host: string,
  port: number,
  options: TransportOptions | undefined,
  signal: AbortSignal,
  progress?: ConnectProgress,
): Promise<TcpResult> {
  const addresses = await resolveHost(host, options, signal);
  const dns = isIpLiteral(host) ? null : performance.now();
  if (dns !== null && progress) progress.reached = "dns";
  signal.throwIfAborted();
  let lastError: unknown = null;
  for (const address of addresses) {
    try {
      const socket = await openSocket(address, port, signal);
      return { socket, dns, tcp: performance.now() };
    } catch (error) {
      signal.throwIfAborted();
      lastError = error;
    }
  }
  const target = `${host}:${port}${addresses.length > 1 ? ` (${addresses.join(", ")})` : ""}`;
  throw socketError(lastError, "CONNECT_FAILED", `cannot connect to ${target}`);
}

/** One connection attempt; the socket is destroyed when `signal` aborts first. */
function openSocket(address: string, port: number, signal: AbortSignal): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port, noDelay: true });
    const onAbort = () => {
      socket.destroy();
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", () => {
      signal.removeEventListener("abort", onAbort);
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", (error) => {
      signal.removeEventListener("abort", onAbort);
      socket.destroy();
      reject(error);
    });
  });
}

/** The system's resolver (`getaddrinfo`, so `/etc/hosts` counts), IPv4 first. */
async function systemLookup(host: string, family: 4 | 6 | null): Promise<string[]> {
  const { lookup } = await import("node:dns/promises");
  try {
    const found = await lookup(host, { all: true, order: "ipv4first", family: family ?? 0 });
    return found.map((entry) => entry.address);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new NetError("HOST_UNRESOLVED", `'${host}' has no address (${detail})`, {
      cause: error,
    });
  }
}

/**
 * The resolver of a DNS choice. DNS-over-HTTPS queries are plain `fetch`
 * POSTs with the request's extra CAs, direct (no proxy: it would recurse).
 */
function resolverFor(dns: DnsChoice, options: TransportOptions): Resolver {
  if ("servers" in dns) return serversResolver(dns.servers);
  return dohResolver(dns.dohUrl, async (url, query, signal) => {
    const { loadCaCertificates } = await import("../tls.ts");
    const caCerts = [
      ...(options.caPath ? await loadCaCertificates(options.caPath) : []),
      ...(options.caData ? [options.caData] : []),
    ];
    const client = createClient(caCerts.length > 0 ? { caCerts } : {}, "direct");
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/dns-message", accept: "application/dns-message" },
        body: query as Uint8Array<ArrayBuffer>,
        client,
        ...(signal ? { signal } : {}),
      });
      return { status: response.status, body: new Uint8Array(await response.arrayBuffer()) };
    } finally {
      client.close();
    }
  });
}

/** Node's error codes for a connection that could not be made. */
const CONNECT_CODES = new Set([
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "ETIMEDOUT",
]);

/**
 * A `NetError` for a socket failure: `CONNECT_FAILED` for a refused or
 * unreachable peer, `PERMISSION_DENIED` when Deno may not connect, otherwise
 * `fallback`.
 *
 * @example
 * ```ts
 * import { socketError } from "./resolve.ts";
 * const error = socketError(Object.assign(new Error("refused"), { code: "ECONNREFUSED" }),
 *   "RECEIVE_FAILED", "connecting");
 * console.assert(error.code === "CONNECT_FAILED");
 * ```
 */
export function socketError(
  error: unknown,
  fallback: NetError["code"],
  what: string,
): NetError {
  if (error instanceof NetError) return error;
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    return new NetError("PERMISSION_DENIED", `${what}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const code = (error as { code?: unknown })?.code;
  const text = error instanceof Error ? error.message : String(error);
  if (typeof code === "string" && CONNECT_CODES.has(code)) {
    return new NetError("CONNECT_FAILED", `${what}: ${text}`, { cause: error });
  }
  return new NetError(fallback, `${what}: ${text}`, { cause: error });
}
