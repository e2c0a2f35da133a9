/**
 * `Deno.HttpClient`s, one per configuration (protocol, trust, client
 * certificate, proxy, resolvers, connect limit), reused across requests and
 * closed together. A request with no such settings needs no client at all:
 * plain `fetch`.
 *
 * The pool hands the pipeline a {@linkcode Route}: the client for one hop,
 * plus what only the route knows: whether the connect limit is enforced on
 * the connection itself (by the loopback relay), the connection phases the
 * relay saw, and a better explanation of a failure (the relay's connect
 * error, or the proxy that could not be reached).
 *
 * @module
 */

import { bytesBody } from "./body.ts";
import {
  type DohAnswer,
  dohResolver,
  isIpLiteral,
  type Resolver,
  serversResolver,
  systemResolver,
} from "./dns.ts";
import { NetError } from "./errors.ts";
import { createPipeline } from "./pipeline.ts";
import {
  createClient,
  type EnvironmentMode,
  environmentProxy,
  isExcluded,
  plainFetchProxy,
  proxyFailure,
  proxyLabel,
} from "./proxy.ts";
import { type ConnectionPhases, type RelayCredentials, SocksRelay } from "./relay.ts";
import type { CoreRequest, Dispatch, DnsChoice, ProxyServer, TransportOptions } from "./request.ts";
import { loadCaCertificates, loadClientIdentity } from "./tls.ts";

/** How one hop of a request is sent. */
export interface Route {
  /** The client to hand `fetch`, or `undefined` for plain `fetch`. */
  readonly client: Deno.HttpClient | undefined;
  /** `true` when the connect limit is enforced on each new connection, not on the response head. */
  readonly enforcesConnectTimeout: boolean;
  /** A better account of a failed `fetch` to `url` sent at `since` (`performance.now()`), if there is one. */
  explain(error: NetError, url: URL, since: number): NetError;
  /** The phases of the new connection that carried the request to `url`, `null` if none was seen. */
  phases(url: URL, since: number): ConnectionPhases | null;
}

/** Plain `fetch`: Deno's default client. */
const PLAIN: Route = {
  client: undefined,
  enforcesConnectTimeout: false,
  explain: (error) => error,
  phases: () => null,
};

type Proxy = "platform" | "direct" | "environment" | ProxyServer;

/** Owns the clients of one face object; `close()` releases their connections. */
export class ClientPool {
  readonly #routes = new Map<string, Promise<Route>>();
  readonly #open = new Set<Deno.HttpClient>();
  #relay: SocksRelay | null = null;
  /** The pipeline over this pool that carries DNS-over-HTTPS queries; made on first use. */
  #dohDispatch: Dispatch | null = null;
  #closed = false;

  /**
   * The route for sending `request` to `url` (one hop; an exclusion list may
   * send another hop elsewhere). Synchronous for plain `fetch`; otherwise the
   * first request of a configuration builds its client (reading its files).
   */
  route(request: CoreRequest, url: URL): Route | Promise<Route> {
    const transport = request.transport;
    const proxy = chooseProxy(transport, url);
    const relayed = proxy === "direct" && (transport!.dns !== null || connectLimited(request));
    if (
      request.protocol === "auto" && !relayed && !transport?.caPath && !transport?.clientCert &&
      (proxy === "platform" || (proxy === "direct" && !plainFetchProxy()))
    ) {
      return PLAIN;
    }
    this.#throwIfClosed();
    const connectTimeout = relayed && connectLimited(request) ? request.connectTimeout : 0;
    const key = JSON.stringify([
      request.protocol,
      transport?.caPath ?? null,
      transport?.clientCert ?? null,
      typeof proxy === "string" ? proxy : [proxy.url.href, proxy.credentials],
      relayed ? transport!.dns : null,
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

  /** Closes every client and the relay. Requests still using them fail. */
  close(): void {
    this.#closed = true;
    for (const client of this.#open) client.close();
    this.#open.clear();
    this.#routes.clear();
    this.#relay?.close();
    this.#relay = null;
  }

  async #build(
    protocol: CoreRequest["protocol"],
    transport: TransportOptions | undefined,
    proxy: Proxy,
    relayed: boolean,
    connectTimeout: number,
  ): Promise<Route> {
    const options: Deno.CreateHttpClientOptions = {};
    if (protocol === "http2") Object.assign(options, { http1: false, http2: true });
    if (protocol === "http1.1") Object.assign(options, { http1: true, http2: false });
    const caCerts = transport?.caPath ? await loadCaCertificates(transport.caPath) : undefined;
    if (caCerts) options.caCerts = caCerts;
    if (transport?.clientCert) {
      Object.assign(options, await loadClientIdentity(transport.clientCert));
    }
    this.#throwIfClosed();
    const resolver = transport?.dns ? this.#resolver(transport.dns, transport) : null;

    let mode: EnvironmentMode = proxy === "direct" ? "direct" : "environment";
    let relay: { relay: SocksRelay; credentials: RelayCredentials } | null = null;
    let label: string | null = null;
    if (relayed) {
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
      });
    }
    this.#open.add(client);
    return {
      client,
      enforcesConnectTimeout: connectTimeout > 0,
      explain(error: NetError, url: URL, since: number): NetError {
        if (relay) {
          const failure = relay.relay.failure(
            relay.credentials.username,
            url.hostname,
            port(url),
            since,
          );
          return failure ?? error;
        }
        return label ? proxyFailure(error, label) : error;
      },
      phases(url: URL, since: number): ConnectionPhases | null {
        return relay?.relay.takePhases(
          relay.credentials.username,
          url.hostname,
          port(url),
          since,
        ) ??
          null;
      },
    };
  }

  #throwIfClosed(): void {
    if (this.#closed) throw new NetError("DESTROYED", "the client pool is closed");
  }

  /**
   * The resolver of a DNS choice. DNS-over-HTTPS queries are requests of
   * their own through the pipeline over this pool (so their clients close
   * with it), with the same trust but direct and with the system's resolver:
   * a proxy, the relay or the DoH resolver itself would recurse.
   */
  #resolver(dns: DnsChoice, transport: TransportOptions): Resolver {
    if ("servers" in dns) return serversResolver(dns.servers);
    const dohTransport: TransportOptions = {
      caPath: transport.caPath,
      clientCert: transport.clientCert,
      proxy: "direct",
      dns: null,
      exactConnectTimeout: false,
    };
    return dohResolver(dns.dohUrl, async (url, query, signal): Promise<DohAnswer> => {
      this.#dohDispatch ??= createPipeline(this);
      const result = await this.#dohDispatch(dohRequest(url, query, signal, dohTransport), {});
      return { status: result.head.status, body: result.body ?? new Uint8Array() };
    });
  }
}

/**
 * One RFC 8484 POST query. No time limits of its own: the caller's `signal`
 * (the relay's connect limit) bounds it. 65535 bytes is the largest DNS message.
 */
function dohRequest(
  url: URL,
  query: Uint8Array,
  signal: AbortSignal | undefined,
  transport: TransportOptions,
): CoreRequest {
  return {
    url,
    method: "POST",
    headers: new Headers({
      "content-type": "application/dns-message",
      accept: "application/dns-message",
    }),
    body: bytesBody(query),
    totalTimeout: 0,
    connectTimeout: 0,
    maxBodySize: 65535,
    protocol: "auto",
    maxRedirects: 0,
    bodyMode: "buffer",
    priority: 1000,
    cookies: null,
    startTime: performance.now(),
    signal: signal ?? null,
    cache: "no-store",
    transport,
  };
}

/** The proxy of one hop: an exclusion list sends matching hosts direct. */
function chooseProxy(transport: TransportOptions | undefined, url: URL): Proxy {
  if (!transport) return "platform";
  const proxy = transport.proxy;
  if (typeof proxy === "object" && isExcluded(url.hostname, proxy.exclusionList)) return "direct";
  return proxy;
}

/** A connect limit shorter than the total limit is worth enforcing on its own. */
function connectLimited(request: CoreRequest): boolean {
  return request.transport?.exactConnectTimeout === true && request.connectTimeout > 0 &&
    (request.totalTimeout === 0 || request.connectTimeout < request.totalTimeout);
}

/** The proxy URL for Deno; with custom resolvers, an http proxy's name is resolved through them. */
async function proxyAddress(proxy: ProxyServer, resolver: Resolver | null): Promise<string> {
  const url = new URL(proxy.url);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (resolver && url.protocol === "http:" && !isIpLiteral(host)) {
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

function port(url: URL): number {
  return Number(url.port) || (url.protocol === "https:" ? 443 : 80);
}
