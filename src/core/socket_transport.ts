/**
 * The `socket` transport as it stands today: a fresh `Deno.connect` per
 * request, an http proxy (absolute-form requests, or a CONNECT tunnel for
 * https), the request's resolver, trust and connect limit, then the minimal
 * HTTP/1.1 exchange of `raw_http1.ts`. It carries what `fetch` refuses
 * (TRACE, TRACK, CONNECT) so that proxy, CA and DNS settings apply to those
 * too. What it cannot honour (TLS control, a SOCKS proxy, HTTP/2, a client
 * certificate through a tunnel) is refused with `NOT_SUPPORTED` naming the
 * option. The socket-level HTTP/1.1 engine replaces it by registering its
 * own factory for `"socket"` with the router.
 *
 * @module
 */

import { NetError, notSupported } from "./errors.ts";
import { isExcluded } from "./proxy.ts";
import { ConnReader, rawExchange, readHead, writeAll } from "./raw_http1.ts";
import type { ProxyServer } from "./request.ts";
import { type ClientIdentity, loadCaCertificates, loadClientIdentity } from "./tls.ts";
import type {
  TlsControl,
  Transport,
  TransportContext,
  TransportFactory,
  TransportSettings,
  WireRequest,
  WireResponse,
} from "./transport.ts";

/** The factory the router uses for `"socket"` until the socket-level engine registers its own. */
export const rawSocketTransport: TransportFactory = async (
  settings: TransportSettings,
  context: TransportContext,
): Promise<Transport> => {
  const options = settings.options;
  if (options?.tls && asksForTlsControl(options.tls)) {
    throw notSupported("tls", "socket", "needs the socket-level TLS transport");
  }
  if (settings.protocol === "http2") {
    throw notSupported("protocol", "socket", "is HTTP/2, which this transport does not speak");
  }
  const proxy = settings.proxy;
  if (typeof proxy === "object" && proxy.url.protocol !== "http:") {
    throw notSupported("proxy", "socket", `${proxy.url.protocol} proxies are not supported here`);
  }
  const caCerts = options?.caPath ? await loadCaCertificates(options.caPath) : [];
  if (options?.caData) caCerts.push(options.caData);
  const identity = options?.clientCert ? await loadClientIdentity(options.clientCert) : null;
  const customDns = !!options?.dns || !!options?.addressFamily;
  if (identity && (proxy !== "direct" || customDns)) {
    throw notSupported(
      "clientCert",
      "socket",
      "cannot be presented through a proxy tunnel or with custom DNS by this transport",
    );
  }
  return new RawSocketTransport({
    caCerts,
    identity,
    proxy,
    resolver: customDns ? context : null,
    connectTimeout: settings.connectTimeout,
  });
};

interface SocketSettings {
  readonly caCerts: string[];
  readonly identity: ClientIdentity | null;
  readonly proxy: TransportSettings["proxy"];
  readonly resolver: TransportContext | null;
  readonly connectTimeout: number;
}

class RawSocketTransport implements Transport {
  readonly kind = "socket" as const;
  readonly #settings: SocketSettings;

  constructor(settings: SocketSettings) {
    this.#settings = settings;
  }

  async send(request: WireRequest): Promise<WireResponse> {
    const { url, signal } = request;
    const body = request.body
      ? request.body.bytes ??
        new Uint8Array(await new Response(request.body.stream()).arrayBuffer())
      : null;
    const proxy = proxyFor(this.#settings.proxy, url);
    if (proxy && proxy.url.protocol !== "http:") {
      throw notSupported("proxy", "socket", `${proxy.url.protocol} proxies are not supported here`);
    }
    const conn = await this.#connect(url, proxy, signal);
    const headers = proxy?.credentials && url.protocol === "http:"
      ? withProxyAuthorization(request.headers, proxy)
      : request.headers;
    const response = await rawExchange(conn, {
      url,
      method: request.method,
      headers,
      body,
      signal,
      absoluteForm: proxy !== null && url.protocol === "http:",
    });
    if (body) request.onUploadProgress?.(body.byteLength, body.byteLength);
    return {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
      body: response.body,
      connection: null,
      arrayBuffer: () => response.arrayBuffer(),
    };
  }

  close(): void {
    // Nothing pooled: every connection closes with its exchange.
  }

  /** A connection ready for the request: TCP, through the proxy's tunnel, TLS. */
  async #connect(url: URL, proxy: ProxyServer | null, signal: AbortSignal): Promise<Deno.Conn> {
    const { connectTimeout } = this.#settings;
    const limit = connectTimeout > 0 ? AbortSignal.timeout(connectTimeout) : null;
    const connecting = limit ? AbortSignal.any([signal, limit]) : signal;
    const host = bare(url.hostname);
    const port = portOf(url);
    const https = url.protocol === "https:";
    try {
      if (!proxy) {
        if (https && this.#settings.identity && !this.#settings.resolver) {
          return await raced(
            Deno.connectTls({
              hostname: host,
              port,
              caCerts: this.#settings.caCerts,
              ...this.#settings.identity,
            }),
            connecting,
          );
        }
        const tcp = await raced(this.#tcp(host, port, connecting), connecting);
        return https ? await raced(this.#tls(tcp, host), connecting) : tcp;
      }
      const tcp = await raced(
        this.#tcp(bare(proxy.url.hostname), portOf(proxy.url), connecting),
        connecting,
      );
      if (!https) return tcp;
      await raced(tunnel(tcp, host, port, proxy), connecting);
      return await raced(this.#tls(tcp, host), connecting);
    } catch (error) {
      if (limit?.aborted && !signal.aborted) {
        throw new NetError("TIMEOUT", `not connected within ${connectTimeout} ms`, {
          cause: error,
          details: { limit: "connect-time", max: connectTimeout, phase: "connect" },
        });
      }
      throw error;
    }
  }

  async #tcp(host: string, port: number, signal: AbortSignal): Promise<Deno.TcpConn> {
    const resolver = this.#settings.resolver?.resolver;
    const [address] = resolver ? await resolver.resolve(host, signal) : [host];
    return await Deno.connect({ hostname: address!, port });
  }

  #tls(conn: Deno.TcpConn, host: string): Promise<Deno.TlsConn> {
    const caCerts = this.#settings.caCerts;
    return Deno.startTls(
      conn,
      caCerts.length > 0 ? { hostname: host, caCerts } : { hostname: host },
    );
  }
}

/** Opens a CONNECT tunnel to `host:port` through `proxy` on `conn`. */
async function tunnel(conn: Deno.Conn, host: string, port: number, proxy: ProxyServer) {
  const authority = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  const lines = [`CONNECT ${authority} HTTP/1.1`, `host: ${authority}`];
  if (proxy.credentials) lines.push(`proxy-authorization: ${basic(proxy)}`);
  await writeAll(conn, new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"));
  const head = await readHead(new ConnReader(conn));
  if (head.status < 200 || head.status > 299) {
    conn.close();
    throw new NetError(
      "RECEIVE_FAILED",
      `proxy ${proxy.url.host} refused the CONNECT tunnel (${head.status})`,
      { details: { phase: "connect", field: "proxy" } },
    );
  }
}

/** Settles with `promise`, or rejects when `signal` aborts first (closing a late connection). */
function raced<T extends Deno.Conn | void>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.then((conn) => conn?.close(), () => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.then((conn) => conn?.close(), () => {});
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** The proxy of one hop: the explicit one, or the environment's for the URL's scheme; `null`: none. */
function proxyFor(proxy: TransportSettings["proxy"], url: URL): ProxyServer | null {
  if (typeof proxy === "object") return proxy;
  return proxy === "direct" ? null : environmentProxyFor(url);
}

/**
 * The proxy the environment names for `url`, as `fetch` reads the variables:
 * `HTTPS_PROXY` or `HTTP_PROXY` by scheme, else `ALL_PROXY`; `NO_PROXY`
 * (`*` or comma-separated hosts and `*.`/`.` suffixes) sends a host direct.
 */
function environmentProxyFor(url: URL): ProxyServer | null {
  let value: string | undefined;
  let noProxy: string;
  try {
    const scheme = url.protocol === "https:" ? "https_proxy" : "http_proxy";
    value = Deno.env.get(scheme.toUpperCase()) || Deno.env.get(scheme) ||
      Deno.env.get("ALL_PROXY") || Deno.env.get("all_proxy") || undefined;
    noProxy = Deno.env.get("NO_PROXY") ?? Deno.env.get("no_proxy") ?? "";
  } catch {
    return null; // no env permission: as for fetch, nothing is read
  }
  if (!value) return null;
  const exclusions = noProxy.split(",").map((entry) => entry.trim()).filter(Boolean)
    .map((entry) => entry.startsWith(".") ? `*${entry}` : entry);
  if (exclusions.includes("*") || isExcluded(url.hostname, exclusions)) return null;
  let parsed: URL;
  try {
    parsed = new URL(value.includes("://") ? value : `http://${value}`);
  } catch {
    return null;
  }
  const credentials = parsed.username
    ? {
      username: decodeURIComponent(parsed.username),
      password: decodeURIComponent(parsed.password),
    }
    : null;
  return { url: new URL(`${parsed.protocol}//${parsed.host}`), exclusionList: [], credentials };
}

function withProxyAuthorization(headers: Headers, proxy: ProxyServer): Headers {
  const copy = new Headers(headers);
  copy.set("proxy-authorization", basic(proxy));
  return copy;
}

function basic(proxy: ProxyServer): string {
  const { username, password } = proxy.credentials!;
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

/** `true` when `tls` asks for more than the runtime's defaults. */
function asksForTlsControl(tls: TlsControl): boolean {
  return tls.pins.length > 0 || tls.verify !== "system" || tls.minVersion !== null ||
    tls.maxVersion !== null || tls.ciphers !== null || tls.serverName !== null ||
    tls.partialChain;
}

function bare(host: string): string {
  return host.replace(/^\[|\]$/g, "");
}

function portOf(url: URL): number {
  return Number(url.port) || (url.protocol === "https:" ? 443 : 80);
}
