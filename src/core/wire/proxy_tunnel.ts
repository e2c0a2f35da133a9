/**
 * Which proxy carries a connection, and the HTTP `CONNECT` tunnel through
 * one. An explicit proxy's exclusion list sends matching hosts direct (the
 * rules of `proxy.ts`); `"environment"` reads `ALL_PROXY` / `HTTPS_PROXY` /
 * `HTTP_PROXY` / `NO_PROXY` (either case) once per process, as plain
 * `fetch` does.
 *
 * Through an HTTP proxy, https targets get a `CONNECT` tunnel; plain http
 * targets are sent to the proxy as absolute-form requests (the engine
 * writes them; the connection's facts say so). SOCKS5 proxies tunnel every
 * target (see `socks5.ts`).
 *
 * @module
 */

import type { Socket } from "node:net";
import { NetError } from "../errors.ts";
import { isExcluded } from "../proxy.ts";
import type { ProxyServer, TransportOptions } from "../request.ts";
import type { ConnectTarget } from "./connection.ts";
import { HandshakeReader } from "./handshake_reader.ts";

/**
 * The proxy for a connection to `target`, or `null` to go direct. Without
 * options, the environment's proxy applies (as for plain `fetch`).
 *
 * @example
 * ```ts
 * import { chooseProxy } from "./proxy_tunnel.ts";
 * const target = { hostname: "example.com", port: 443, secure: true };
 * const proxy = chooseProxy(target, { caPath: null, clientCert: null, proxy: "direct", dns: null,
 *   exactConnectTimeout: false });
 * console.assert(proxy === null);
 * ```
 */
export function chooseProxy(
  target: ConnectTarget,
  options: TransportOptions | undefined,
): ProxyServer | null {
  if (!options) return environmentProxyFor(target, plainEnvironment ??= readEnvironment());
  const choice = options.proxy;
  if (choice === "direct") return null;
  if (choice === "environment") return environmentProxyFor(target, readEnvironment());
  return isExcluded(target.hostname, choice.exclusionList) ? null : choice;
}

/** `Proxy-Authorization: Basic …` for `credentials`. */
export function basicProxyAuthorization(
  credentials: { readonly username: string; readonly password: string },
): string {
  const bytes = new TextEncoder().encode(`${credentials.username}:${credentials.password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

/**
 * Opens a `CONNECT` tunnel to `target` through the HTTP proxy on `socket`.
 * A non-2xx answer is `RECEIVE_FAILED` naming the status (407: the
 * credentials were refused or missing), as curl reports a refused tunnel.
 *
 * @example
 * ```ts ignore
 * import { connectTunnel } from "./proxy_tunnel.ts";
 * await connectTunnel(socket, { hostname: "example.com", port: 443, secure: true }, proxy, signal);
 * ```
 */
export async function connectTunnel(
  socket: Socket,
  target: { readonly hostname: string; readonly port: number },
  proxy: ProxyServer,
  signal: AbortSignal,
): Promise<void> {
  const authority = `${
    target.hostname.includes(":") ? `[${target.hostname}]` : target.hostname
  }:${target.port}`;
  const lines = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`];
  if (proxy.credentials) {
    lines.push(`Proxy-Authorization: ${basicProxyAuthorization(proxy.credentials)}`);
  }
  const label = `proxy ${proxy.url.protocol}//${proxy.url.host}`;
  const reader = new HandshakeReader(socket, label, signal);
  try {
    reader.send(new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"));
    const head = await reader.head();
    const status = /^HTTP\/1\.[01] (\d{3})(?: ([^\r\n]*))?\r\n/.exec(head);
    if (!status) throw new NetError("BAD_RESPONSE", `${label} sent no HTTP status line`);
    const code = Number(status[1]);
    if (code < 200 || code > 299) {
      const why = code === 407
        ? (proxy.credentials ? "credentials refused" : "the proxy wants credentials")
        : (status[2] ?? "");
      throw new NetError(
        "RECEIVE_FAILED",
        `${label} refused the CONNECT tunnel to ${authority}: ${code} ${why}`,
      );
    }
  } finally {
    reader.release();
  }
}

/**
 * The environment as a request without options sees it: read once, like the
 * proxy of plain `fetch` (`plainFetchProxy`). A request that asks for the
 * environment's proxy reads it when it connects, as a new `Deno.HttpClient` does.
 */
let plainEnvironment: EnvironmentProxies | null = null;

interface EnvironmentProxies {
  readonly http: ProxyServer | null;
  readonly https: ProxyServer | null;
  readonly noProxy: readonly string[];
}

/** The environment's proxy for `target`, `null` when none applies. */
function environmentProxyFor(
  target: ConnectTarget,
  environment: EnvironmentProxies,
): ProxyServer | null {
  const proxy = target.secure ? environment.https : environment.http;
  if (!proxy || bypassed(target.hostname, environment.noProxy)) return null;
  return proxy;
}

function readEnvironment(): EnvironmentProxies {
  const get = (name: string): string => {
    try {
      return Deno.env.get(name) ?? Deno.env.get(name.toLowerCase()) ?? "";
    } catch {
      return ""; // no --allow-env: as if unset
    }
  };
  const all = get("ALL_PROXY");
  return {
    http: parseProxy(get("HTTP_PROXY") || all),
    https: parseProxy(get("HTTPS_PROXY") || all),
    noProxy: get("NO_PROXY").split(",").map((entry) => entry.trim().toLowerCase()).filter(
      Boolean,
    ),
  };
}

/** A proxy variable's value (`host:port`, `http://user:pass@host:port`, `socks5h://…`). */
function parseProxy(value: string): ProxyServer | null {
  if (!value) return null;
  let url: URL;
  try {
    url = new URL(value.includes("://") ? value : `http://${value}`);
  } catch {
    throw new NetError("BAD_URL", "the environment's proxy variable is not a URL");
  }
  if (url.protocol === "socks5h:") url = new URL(`socks5://${url.host}`);
  if (!["http:", "https:", "socks5:"].includes(url.protocol)) {
    throw new NetError(
      "UNSUPPORTED_PROTOCOL",
      `the environment's proxy scheme ${url.protocol} is not supported`,
    );
  }
  const credentials = url.username
    ? { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) }
    : null;
  return {
    url: new URL(`${url.protocol}//${url.host}`),
    exclusionList: [],
    credentials,
  };
}

/** `NO_PROXY`: `*`, or names matching the host or a parent domain (`example.com`, `.example.com`). */
function bypassed(hostname: string, noProxy: readonly string[]): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  return noProxy.some((entry) => {
    if (entry === "*") return true;
    const name = entry.replace(/^\*?\./, "").replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
    return host === name || host.endsWith(`.${name}`);
  });
}
