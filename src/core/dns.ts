/**
 * Name resolution for the loopback relay: through given DNS servers, through
 * a DNS-over-HTTPS endpoint (RFC 8484), or through the system's resolver
 * (`getaddrinfo`, so `/etc/hosts` counts). Each gives the addresses of a
 * host, IPv4 first, or rejects with a `HOST_UNRESOLVED` `NetError`.
 *
 * @module
 */

import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { decodeAnswer, encodeQuery, RecordType } from "./dns_message.ts";
import { NetError } from "./errors.ts";
import type { NameServer } from "./request.ts";

/** Looks up the addresses of a host name. */
export interface Resolver {
  /** Addresses of `host`, IPv4 first. An IP literal resolves to itself. */
  resolve(host: string, signal?: AbortSignal): Promise<string[]>;
}

/** `true` for an IPv4 or IPv6 literal (without brackets). */
export function isIpLiteral(host: string): boolean {
  return isIP(host) !== 0;
}

/** The system's resolver (`getaddrinfo`). */
export const systemResolver: Resolver = {
  async resolve(host: string): Promise<string[]> {
    if (isIpLiteral(host)) return [host];
    try {
      const found = await lookup(host, { all: true, order: "ipv4first" });
      return found.map((entry) => entry.address);
    } catch (error) {
      throw unresolved(host, "the system resolver", error);
    }
  },
};

/**
 * Asks each server in turn (A and AAAA at once) until one gives an address.
 * `localhost` is answered locally, as a hosts file would.
 */
export function serversResolver(servers: readonly NameServer[]): Resolver {
  const label = servers.map(serverLabel).join(", ");
  return {
    async resolve(host: string, signal?: AbortSignal): Promise<string[]> {
      const local = localAnswer(host);
      if (local) return local;
      let lastError: unknown = null;
      for (const server of servers) {
        const options: Deno.ResolveDnsOptions = {
          nameServer: { ipAddr: server.address, port: server.port },
        };
        if (signal) options.signal = signal;
        const [v4, v6] = await Promise.allSettled([
          Deno.resolveDns(host, "A", options),
          Deno.resolveDns(host, "AAAA", options),
        ]);
        const addresses = [
          ...(v4.status === "fulfilled" ? v4.value : []),
          ...(v6.status === "fulfilled" ? v6.value : []),
        ];
        if (addresses.length > 0) return addresses;
        lastError = v4.status === "rejected" ? v4.reason : null;
        signal?.throwIfAborted();
      }
      throw unresolved(host, `DNS servers ${label}`, lastError);
    },
  };
}

/**
 * Sends RFC 8484 POST queries (A and AAAA at once) to `url` with `client`,
 * which carries the request's trust settings and no proxy.
 */
export function dohResolver(url: URL, client: Deno.HttpClient | undefined): Resolver {
  const query = async (host: string, type: number, signal?: AbortSignal): Promise<string[]> => {
    const init: RequestInit & { client?: Deno.HttpClient } = {
      method: "POST",
      headers: { "content-type": "application/dns-message", accept: "application/dns-message" },
      body: encodeQuery(host, type),
    };
    if (signal) init.signal = signal;
    if (client) init.client = client;
    // The resolver's own exchange, not a user request: it never goes through a proxy or the relay.
    const response = await fetch(url, init);
    const body = new Uint8Array(await response.arrayBuffer());
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const answer = decodeAnswer(body, type);
    if (answer.rcode !== 0) throw new Error(`response code ${answer.rcode}`);
    return answer.addresses;
  };
  return {
    async resolve(host: string, signal?: AbortSignal): Promise<string[]> {
      const local = localAnswer(host);
      if (local) return local;
      const [v4, v6] = await Promise.allSettled([
        query(host, RecordType.A, signal),
        query(host, RecordType.AAAA, signal),
      ]);
      const addresses = [
        ...(v4.status === "fulfilled" ? v4.value : []),
        ...(v6.status === "fulfilled" ? v6.value : []),
      ];
      if (addresses.length > 0) return addresses;
      signal?.throwIfAborted();
      throw unresolved(
        host,
        `DNS over HTTPS ${url.href}`,
        v4.status === "rejected" ? v4.reason : null,
      );
    },
  };
}

function localAnswer(host: string): string[] | null {
  if (isIpLiteral(host)) return [host];
  const name = host.toLowerCase().replace(/\.$/, "");
  if (name === "localhost" || name.endsWith(".localhost")) return ["127.0.0.1", "::1"];
  return null;
}

function serverLabel(server: NameServer): string {
  const address = server.address.includes(":") ? `[${server.address}]` : server.address;
  return `${address}:${server.port}`;
}

function unresolved(host: string, via: string, error: unknown): NetError {
  const why = error instanceof Error ? `: ${error.message}` : "";
  return new NetError("HOST_UNRESOLVED", `'${host}' has no address (asked ${via}${why})`, {
    cause: error,
  });
}
