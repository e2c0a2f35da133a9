/**
 * Name resolution for the loopback relay: through given DNS servers, through
 * a DNS-over-HTTPS endpoint (RFC 8484), or through the system's resolver
 * (`getaddrinfo`, so `/etc/hosts` counts). Each gives the addresses of a
 * host, IPv4 first, or rejects with a `HOST_UNRESOLVED` `NetError`.
 *
 * @module
 */

import { decodeAnswer, encodeQuery, RecordType } from "./dns_message.ts";
import { humanDetail } from "./error_text.ts";
import { ipVersion } from "./ip_literal.ts";
import { NetError } from "./errors.ts";
import type { NameServer } from "./request.ts";

/** Looks up the addresses of a host name. */
export interface Resolver {
  /** Addresses of `host`, IPv4 first. An IP literal resolves to itself. */
  resolve(host: string, signal?: AbortSignal): Promise<string[]>;
}

/** `true` for an IPv4 or IPv6 literal (without brackets). */
export function isIpLiteral(host: string): boolean {
  return ipVersion(host) !== 0;
}

/** The system's resolver (`getaddrinfo`). */
export const systemResolver: Resolver = {
  async resolve(host: string): Promise<string[]> {
    if (isIpLiteral(host)) return [host];
    try {
      // Loaded here: `node:` modules start Deno's Node layer, which a plain GET need not pay for.
      const { lookup } = await import("node:dns/promises");
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

/** The HTTP answer to one DNS-over-HTTPS query: its status and its body (a DNS message). */
export interface DohAnswer {
  readonly status: number;
  readonly body: Uint8Array;
}

/**
 * Sends one RFC 8484 POST query (a DNS message) to the DoH endpoint `url`
 * and gives back the HTTP answer; rejects when the exchange fails or `signal` aborts.
 */
export type DohSend = (url: URL, query: Uint8Array, signal?: AbortSignal) => Promise<DohAnswer>;

/**
 * Sends RFC 8484 queries (A and AAAA at once) to `url` through `send`, which
 * carries the request's trust settings and goes direct (no proxy, no relay).
 */
export function dohResolver(url: URL, send: DohSend): Resolver {
  const query = async (host: string, type: number, signal?: AbortSignal): Promise<string[]> => {
    const { status, body } = await send(url, encodeQuery(host, type), signal);
    if (status < 200 || status > 299) throw new Error(`HTTP ${status}`);
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
  // Resolver texts are long ("proto error: no records found for Query { … }"): the cause keeps them.
  const why = error instanceof Error && !/no records found/i.test(error.message)
    ? `: ${humanDetail(error.message)}`
    : "";
  return new NetError("HOST_UNRESOLVED", `'${host}' has no address (asked ${via}${why})`, {
    cause: error,
  });
}
