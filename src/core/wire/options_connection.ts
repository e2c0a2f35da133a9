/**
 * Opens one connection for the options connector: the first hop over TCP
 * (resolved as the options ask), the proxy's tunnel, then TLS with the
 * request's control. Loaded on the connector's first use.
 *
 * @module
 */

import type { Socket } from "node:net";
import { NetError } from "../errors.ts";
import type { ProxyServer, TransportOptions } from "../request.ts";
import type { ByteConnection, ConnectProgress, ConnectTarget, SocketFacts } from "./connection.ts";
import { fromNodeSocket } from "./node_socket.ts";
import { basicProxyAuthorization, chooseProxy, connectTunnel } from "./proxy_tunnel.ts";
import { connectTcp, type TcpResult } from "./resolve.ts";
import { socks5Connect } from "./socks5.ts";
import { checkTlsControl, startTls, type TlsResult } from "./tls_connector.ts";

/**
 * A connection to `target` ready for HTTP/1.1 bytes, with its facts.
 *
 * @example
 * ```ts ignore
 * import { openConnection } from "./options_connection.ts";
 * const conn = await openConnection({ hostname: "localhost", port: 8443, secure: true },
 *   options, AbortSignal.timeout(5000));
 * ```
 */
export async function openConnection(
  target: ConnectTarget,
  options: TransportOptions | undefined,
  signal: AbortSignal,
  progress: ConnectProgress = { reached: "start" },
): Promise<ByteConnection> {
  // What cannot be honoured is refused before any packet leaves.
  if (options?.tls) checkTlsControl(options.tls);
  const proxy = chooseProxy(target, options);
  const first = proxy ? await reachProxy(proxy, options, signal, progress) : await connectTcp(
    target.hostname,
    target.port,
    options,
    signal,
    progress,
  );
  progress.reached = proxy ? "proxy" : "tcp";
  const tcpSocket = first.socket;
  let socket: Socket = tcpSocket;
  let requestTarget: SocketFacts["requestTarget"] = "origin";
  let proxyHeaders: SocketFacts["proxyHeaders"] = null;
  let secured: TlsResult | null = null;
  try {
    if (proxy) {
      if (proxy.url.protocol === "https:") {
        socket = (await startTls(socket, proxy.url.hostname, proxyTrust(options), signal)).socket;
      }
      const label = proxy.url.host;
      if (proxy.url.protocol === "socks5:") {
        await socks5Connect(socket, {
          host: target.hostname,
          port: target.port,
          credentials: proxy.credentials,
          proxy: label,
        }, signal);
      } else if (target.secure) {
        await connectTunnel(socket, target, proxy, signal);
      } else {
        requestTarget = "absolute";
        if (proxy.credentials) {
          proxyHeaders = [["proxy-authorization", basicProxyAuthorization(proxy.credentials)]];
        }
      }
    }
    if (proxy) progress.reached = "tunnel";
    if (target.secure) {
      secured = await startTls(socket, target.hostname, options, signal);
      socket = secured.socket;
    }
  } catch (error) {
    socket.destroy();
    tcpSocket.destroy();
    throw error;
  }
  // A proxy handshake leaves the socket paused; the adapter reads from here on.
  const conn = fromNodeSocket(socket, {
    localAddress: tcpSocket.localAddress ?? null,
    localPort: tcpSocket.localPort ?? null,
    remoteAddress: tcpSocket.remoteAddress ?? null,
    remotePort: tcpSocket.remotePort ?? null,
    tlsVersion: secured?.tlsVersion ?? null,
    cipher: secured?.cipher ?? null,
    alpn: secured?.alpn ?? null,
    viaProxy: proxy !== null,
    requestTarget,
    proxyHeaders,
    phases: { dns: first.dns, tcp: first.tcp, tls: secured?.done ?? null },
  });
  socket.resume();
  return conn;
}

/** TCP to the proxy; its name and connection failures are reported as the proxy's. */
async function reachProxy(
  proxy: ProxyServer,
  options: TransportOptions | undefined,
  signal: AbortSignal,
  progress: ConnectProgress,
): Promise<TcpResult> {
  const host = proxy.url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(proxy.url.port) ||
    ({ "https:": 443, "socks5:": 1080 } as Record<string, number>)[proxy.url.protocol] || 80;
  const label = `${proxy.url.protocol}//${proxy.url.host}`;
  try {
    return await connectTcp(host, port, options, signal, progress);
  } catch (error) {
    if (!(error instanceof NetError)) throw error;
    if (error.code === "HOST_UNRESOLVED") {
      throw new NetError("PROXY_UNRESOLVED", `proxy ${proxy.url.host} (${error.message})`, {
        cause: error,
        details: { field: "proxy", phase: "connect", transport: "socket" },
      });
    }
    if (error.code === "CONNECT_FAILED") {
      throw new NetError("CONNECT_FAILED", `cannot connect to proxy ${label} (${error.message})`, {
        cause: error,
        details: { field: "proxy", phase: "connect", transport: "socket" },
      });
    }
    throw error;
  }
}

/** An https proxy is verified with the request's CAs, without the server's TLS control. */
function proxyTrust(options: TransportOptions | undefined): TransportOptions | undefined {
  if (!options) return undefined;
  return { ...options, tls: null, clientCert: null };
}
