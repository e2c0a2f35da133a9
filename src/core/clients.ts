/**
 * `Deno.HttpClient`s, one per configuration (protocol, trust, client
 * certificate, proxy, resolvers, connect limit, pooling), reused across
 * requests and closed together. A request with no such settings needs no
 * client at all: plain `fetch`.
 *
 * The pool hands the router a {@linkcode FetchTransport} per configuration:
 * the client plus what only the configuration knows: whether the connect
 * limit is enforced on the connection itself (by the loopback relay), the
 * connection phases the relay saw, and a better explanation of a failure
 * (the relay's connect error, or the proxy that could not be reached).
 *
 * @module
 */

import type { DohAnswer, Resolver } from "./dns.ts";
import { NetError, notSupported } from "./errors.ts";
import { FetchTransport } from "./fetch_transport.ts";
import { ipVersion } from "./ip_literal.ts";
import {
  createClient,
  type EnvironmentMode,
  environmentProxy,
  isExcluded,
  plainFetchProxy,
  proxyFailure,
  proxyLabel,
} from "./proxy.ts";
import type { RelayCredentials, SocksRelay } from "./relay.ts";
import type { CoreRequest, DnsChoice, ProxyServer, TransportOptions } from "./request.ts";
import type { HopProxy } from "./transport.ts";

/** Plain `fetch`: Deno's default client. */
const PLAIN = new FetchTransport("fetch", undefined);

/**
 * A resolver of `dns.ts`, whose module (with its DNS message codec) loads
 * with the first lookup: only the relay, the engine and proxies by name
 * under DNS options look names up here, never a plain `fetch`.
 */
function lazyResolver(make: (dns: typeof import("./dns.ts")) => Resolver): Resolver {
  let resolver: Resolver | null = null;
  return {
    async resolve(host: string, signal?: AbortSignal): Promise<string[]> {
      resolver ??= make(await import("./dns.ts"));
      return await resolver.resolve(host, signal);
    },
  };
}

/** The system's resolver (`getaddrinfo`). */
const systemResolver = lazyResolver((dns) => dns.systemResolver);

/** Sends a DNS-over-HTTPS query as a request of its own with `transport`; see {@linkcode ClientPool}. */
export type DohSender = (
  url: URL,
  query: Uint8Array,
  signal: AbortSignal | undefined,
  transport: TransportOptions,
) => Promise<DohAnswer>;

/** Owns the clients of one stack; `close()` releases their connections. */
export class ClientPool {
  readonly #routes = new Map<string, Promise<FetchTransport>>();
  readonly #open = new Set<Deno.HttpClient>();
  #relay: SocksRelay | null = null;
  readonly #doh: DohSender | null;
  #closed = false;

  /**
   * @param doh sends DNS-over-HTTPS queries (through the stack that owns
   * this pool, so their clients close with it); without it, a `dohUrl` is refused
   */
  constructor(doh: DohSender | null = null) {
    this.#doh = doh;
  }

  /**
   * The transport for sending `request` to `url` (one hop; an exclusion list
   * may send another hop elsewhere). Synchronous for plain `fetch`; otherwise
   * the first request of a configuration builds its client (reading its files).
   * `prefer` forces `"fetch"` or `"relay"`; a request the forced one cannot
   * honour is refused with `NOT_SUPPORTED`.
   */
  route(
    request: CoreRequest,
    url: URL,
    prefer?: "fetch" | "relay",
  ): FetchTransport | Promise<FetchTransport> {
    const transport = request.transport;
    if (transport === undefined && request.protocol === "auto" && prefer === undefined) {
      return PLAIN; // the default path: no settings at all
    }
    const proxy = hopProxy(transport, url);
    const needsRelay = proxy === "direct" &&
      (transport!.dns !== null || connectLimited(request) || !!transport!.addressFamily);
    if (prefer === "fetch" && needsRelay) {
      throw notSupported(
        transport!.dns !== null
          ? "dns"
          : transport!.addressFamily
          ? "addressFamily"
          : "exactConnectTimeout",
        "fetch",
        "needs the loopback relay",
      );
    }
    const relayed = needsRelay || prefer === "relay";
    if (relayed && proxy !== "direct") {
      throw notSupported("proxy", "relay", "cannot be chained behind the loopback relay");
    }
    if (
      request.protocol === "auto" && !relayed && !transport?.caPath && !transport?.caData &&
      !transport?.clientCert && transport?.reuseConnections !== false &&
      !transport?.idleConnectionTimeout && !transport?.addressFamily &&
      (proxy === "platform" || (proxy === "direct" && !plainFetchProxy()))
    ) {
      return PLAIN;
    }
    this.#throwIfClosed();
    const connectTimeout = relayed && connectLimited(request) ? request.connectTimeout : 0;
    const key = JSON.stringify([
      request.protocol,
      transport?.caPath ?? null,
      transport?.caData ?? null,
      transport?.clientCert ?? null,
      typeof proxy === "string" ? proxy : [proxy.url.href, proxy.credentials],
      transport?.dns ?? null,
      transport?.addressFamily ?? null,
      transport?.reuseConnections ?? true,
      transport?.idleConnectionTimeout ?? 0,
      relayed,
      connectTimeout,
    ]);
    let route = this.#routes.get(key);
    if (!route) {
      route = this.#build(request.protocol, transport, proxy, relayed, connectTimeout);
      this.#routes.set(key, route);
      route.catch(() => this.#routes.delete(key));
    }
    return route;
  }

  /**
   * The resolver `transport` asks for: its DNS servers or DNS-over-HTTPS
   * endpoint, else the system's; only the addresses of its address family.
   */
  resolver(transport: TransportOptions | undefined): Resolver {
    const base = transport?.dns ? this.#resolver(transport.dns, transport) : systemResolver;
    const family = transport?.addressFamily;
    return family ? familyResolver(base, family) : base;
  }

  /** Closes every client and the relay. Requests still using them fail. */
  close(): void {
    this.#closed = true;
    this.release();
  }

  /** Closes every client and the relay, but stays usable: the next request builds anew. */
  release(): void {
    for (const client of this.#open) client.close();
    this.#open.clear();
    this.#routes.clear();
    this.#relay?.close();
    this.#relay = null;
  }

  async #build(
    protocol: CoreRequest["protocol"],
    transport: TransportOptions | undefined,
    proxy: HopProxy,
    relayed: boolean,
    connectTimeout: number,
  ): Promise<FetchTransport> {
    const options: Deno.CreateHttpClientOptions = {};
    if (protocol === "http2") Object.assign(options, { http1: false, http2: true });
    if (protocol === "http1.1") Object.assign(options, { http1: true, http2: false });
    // Loaded when used: it brings node-forge and `node:crypto`.
    const tls = transport?.caPath || transport?.clientCert ? await import("./tls.ts") : null;
    const caCerts = transport?.caPath ? await tls!.loadCaCertificates(transport.caPath) : [];
    if (transport?.caData) caCerts.push(transport.caData);
    if (caCerts.length > 0) options.caCerts = caCerts;
    if (transport?.clientCert) {
      Object.assign(options, await tls!.loadClientIdentity(transport.clientCert));
    }
    if (transport?.reuseConnections === false) options.poolMaxIdlePerHost = 0;
    if (transport?.idleConnectionTimeout) {
      options.poolIdleTimeout = transport.idleConnectionTimeout;
    }
    this.#throwIfClosed();
    const resolver = transport?.dns || transport?.addressFamily ? this.resolver(transport) : null;

    let mode: EnvironmentMode = proxy === "direct" ? "direct" : "environment";
    let relay: { relay: SocksRelay; credentials: RelayCredentials } | null = null;
    let label: string | null = null;
    if (relayed) {
      // Loaded by the first request that needs the relay (DNS options, an exact connect limit).
      const { SocksRelay } = await import("./relay.ts");
      this.#throwIfClosed();
      this.#relay ??= new SocksRelay();
      const credentials = this.#relay.register({
        resolver: resolver ?? systemResolver,
        connectTimeout,
      });
      relay = { relay: this.#relay, credentials };
      options.proxy = { url: this.#relay.url, basicAuth: credentials };
      mode = "explicit";
    } else if (typeof proxy === "object") {
      options.proxy = { url: await proxyAddress(proxy, resolver) };
      if (proxy.credentials) options.proxy.basicAuth = { ...proxy.credentials };
      label = `${proxy.url.protocol}//${proxy.url.host}`;
      mode = "explicit";
    } else if (proxy === "environment" || proxy === "platform") {
      const fromEnvironment = environmentProxy();
      if (fromEnvironment) label = proxyLabel(fromEnvironment);
    }
    this.#throwIfClosed();

    let client: Deno.HttpClient;
    try {
      client = createClient(options, mode);
    } catch (error) {
      const code = transport?.clientCert ? "TLS_CLIENT_CERT" : "INTERNAL";
      const detail = error instanceof Error ? error.message : String(error);
      throw new NetError(code, `Deno.createHttpClient refused the settings: ${detail}`, {
        cause: error,
        details: { phase: "connect", transport: relayed ? "relay" : "fetch" },
      });
    }
    this.#open.add(client);
    return new FetchTransport(relayed ? "relay" : "fetch", client, {
      enforcesConnectTimeout: connectTimeout > 0,
      viaProxy: label !== null,
      insight: {
        explain(error: NetError, url: URL, since: number): NetError {
          if (relay) {
            const { username } = relay.credentials;
            return relay.relay.failure(username, url.hostname, port(url), since) ?? error;
          }
          return label ? proxyFailure(error, label) : error;
        },
        phases(url: URL, since: number) {
          if (!relay) return null;
          const { username } = relay.credentials;
          return relay.relay.takePhases(username, url.hostname, port(url), since);
        },
      },
    });
  }

  #throwIfClosed(): void {
    if (this.#closed) throw new NetError("DESTROYED", "the client pool is closed");
  }

  /**
   * The resolver of a DNS choice. DNS-over-HTTPS queries are requests of
   * their own through the stack that owns this pool (so their clients close
   * with it), with the same trust but direct and with the system's resolver:
   * a proxy, the relay or the DoH resolver itself would recurse.
   */
  #resolver(dns: DnsChoice, transport: TransportOptions): Resolver {
    if ("servers" in dns) {
      return lazyResolver(({ serversResolver }) => serversResolver(dns.servers));
    }
    const dohTransport: TransportOptions = {
      caPath: transport.caPath,
      caData: transport.caData ?? null,
      clientCert: transport.clientCert,
      proxy: "direct",
      dns: null,
      exactConnectTimeout: false,
    };
    const doh = this.#doh;
    if (!doh) throw notSupported("dns", "fetch", "over HTTPS needs a stack to send its queries");
    return lazyResolver(({ dohResolver }) =>
      dohResolver(dns.dohUrl, (url, query, signal) => doh(url, query, signal, dohTransport))
    );
  }
}

/** The proxy of one hop: an exclusion list sends matching hosts direct. */
export function hopProxy(transport: TransportOptions | undefined, url: URL): HopProxy {
  if (!transport) return "platform";
  const proxy = transport.proxy;
  if (typeof proxy === "object" && isExcluded(url.hostname, proxy.exclusionList)) return "direct";
  return proxy;
}

/** A connect limit shorter than the total limit is worth enforcing on its own. */
export function connectLimited(request: CoreRequest): boolean {
  return request.transport?.exactConnectTimeout === true && request.connectTimeout > 0 &&
    (request.totalTimeout === 0 || request.connectTimeout < request.totalTimeout);
}

/** The proxy URL for Deno; with custom resolvers, an http proxy's name is resolved through them. */
async function proxyAddress(proxy: ProxyServer, resolver: Resolver | null): Promise<string> {
  const url = new URL(proxy.url);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (resolver && url.protocol === "http:" && ipVersion(host) === 0) {
    let address: string;
    try {
      [address] = await resolver.resolve(host) as [string];
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new NetError("PROXY_UNRESOLVED", `proxy ${proxy.url.host} (${detail})`, {
        cause: error,
      });
    }
    url.hostname = address.includes(":") ? `[${address}]` : address;
  }
  return `${url.protocol}//${url.host}`;
}

/** Only the addresses of one family; none is a resolution failure. */
function familyResolver(base: Resolver, family: 4 | 6): Resolver {
  return {
    async resolve(host: string, signal?: AbortSignal): Promise<string[]> {
      const all = await base.resolve(host, signal);
      const kept = all.filter((address) => address.includes(":") === (family === 6));
      if (kept.length === 0) {
        throw new NetError("HOST_UNRESOLVED", `${host} has no IPv${family} address`, {
          details: { phase: "connect", field: "addressFamily" },
        });
      }
      return kept;
    },
  };
}

function port(url: URL): number {
  return Number(url.port) || (url.protocol === "https:" ? 443 : 80);
}
