/**
 * The engine's own connector: a direct TCP connection (`node:net`) for
 * http, TLS with the runtime's usual verification (`node:tls`, ALPN
 * `http/1.1`) for https, with extra CAs (`caPath`, `caData`), a client
 * certificate and an address family. Everything else (TLS control, proxies,
 * custom resolvers) belongs to registered connectors.
 *
 * @module
 */

import { NetError } from "../errors.ts";
import { isExcluded, plainFetchProxy } from "../proxy.ts";
import type { TransportOptions } from "../request.ts";
import type { ByteConnection, ConnectProgress, ConnectTarget, SocketFacts } from "./connection.ts";
import { fromNodeSocket } from "./node_socket.ts";

type Net = typeof import("node:net");
type Tls = typeof import("node:tls");

let net: Net | null = null;
let tls: Tls | null = null;

/**
 * Whether the plain connector can honour `options` for a request to
 * `target`: no TLS control, no resolvers, and no proxy that applies.
 *
 * @example
 * ```ts
 * import { plainAccepts } from "./plain_connector.ts";
 * plainAccepts({ hostname: "127.0.0.1", port: 80, secure: false }, undefined); // true
 * ```
 */
export function plainAccepts(
  target: ConnectTarget,
  options: TransportOptions | undefined,
): boolean {
  if (!options) return !plainFetchProxy();
  if (options.tls || options.dns) return false;
  const proxy = options.proxy;
  if (proxy === "direct") return true;
  if (proxy === "environment") return !plainFetchProxy();
  return isExcluded(target.hostname, proxy.exclusionList);
}

/**
 * Opens a direct connection to `target`; rejects with a `NetError`
 * (`CONNECT_FAILED`, `HOST_UNRESOLVED`, `TLS_PEER`, `TLS_HANDSHAKE`, …) or
 * with the signal's reason.
 *
 * @example
 * ```ts
 * import { plainConnect } from "./plain_connector.ts";
 * async function open() {
 *   return await plainConnect({ hostname: "127.0.0.1", port: 8080, secure: false }, undefined,
 *     new AbortController().signal);
 * }
 * ```
 */
export async function plainConnect(
  target: ConnectTarget,
  options: TransportOptions | undefined,
  signal: AbortSignal,
  progress?: ConnectProgress,
): Promise<ByteConnection> {
  signal.throwIfAborted();
  const start = performance.now();
  net ??= await import("node:net");
  const family = options?.addressFamily ?? 0;
  let socket: import("node:net").Socket;
  let dns: number | null = null;
  let tcp: number | null = null;
  if (target.secure) {
    tls ??= await import("node:tls");
    const extra = await trust(options);
    // `ca` replaces the default roots; roots.ts adds them back when Deno lets it read them.
    const ca = extra ? (await import("./roots.ts")).trustStore(extra).ca : undefined;
    const identity = options?.clientCert ? await clientIdentity(options) : null;
    // `family` reaches the underlying `net.connect`; the types omit it.
    socket = opened(target, () =>
      tls!.connect(
        {
          host: target.hostname,
          port: target.port,
          family,
          servername: net!.isIP(target.hostname) ? undefined : target.hostname,
          ALPNProtocols: ["http/1.1"],
          ca,
          cert: identity?.cert,
          key: identity?.key,
        } as import("node:tls").ConnectionOptions,
      ));
    socket.once("connect", () => {
      tcp = performance.now();
      if (progress) progress.reached = "tcp";
    });
  } else {
    socket = opened(
      target,
      () => net!.connect({ host: target.hostname, port: target.port, family }),
    );
  }
  socket.setNoDelay(true);
  socket.once("lookup", () => {
    dns = performance.now();
    if (progress) progress.reached = "dns";
  });
  await connected(socket, target.secure ? "secureConnect" : "connect", signal, target);
  const now = performance.now();
  if (!target.secure) tcp = now;
  const secure = socket as import("node:tls").TLSSocket;
  const facts: SocketFacts = {
    localAddress: socket.localAddress ?? null,
    localPort: socket.localPort ?? null,
    remoteAddress: socket.remoteAddress ?? null,
    remotePort: socket.remotePort ?? null,
    tlsVersion: target.secure ? secure.getProtocol?.() ?? null : null,
    cipher: target.secure ? secure.getCipher?.()?.standardName ?? null : null,
    alpn: target.secure ? (secure.alpnProtocol || null) : null,
    viaProxy: false,
    requestTarget: "origin",
    proxyHeaders: null,
    phases: {
      dns: dns ?? (net.isIP(target.hostname) ? null : start),
      tcp,
      tls: target.secure ? now : null,
    },
  };
  return fromNodeSocket(socket, facts);
}

/** A socket from `open`, or the `NetError` for what it threw (a missing `--allow-net` throws). */
function opened<T>(target: ConnectTarget, open: () => T): T {
  try {
    return open();
  } catch (error) {
    throw connectError(error as Error, target);
  }
}

function connected(
  socket: import("node:net").Socket,
  event: string,
  signal: AbortSignal,
  target: ConnectTarget,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      socket.destroy();
      reject(signal.reason);
    };
    const onError = (error: Error) => {
      signal.removeEventListener("abort", onAbort);
      socket.destroy();
      reject(connectError(error, target));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    socket.once("error", onError);
    socket.once(event, () => {
      signal.removeEventListener("abort", onAbort);
      socket.off("error", onError);
      resolve();
    });
  });
}

/** Node's error codes and Deno's TLS messages, as the core's codes, worded as `fetch` words them. */
export function connectError(
  error: Error & { code?: string },
  target?: ConnectTarget,
): NetError {
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    return new NetError("PERMISSION_DENIED", error.message, { cause: error });
  }
  const code = error.code ?? "";
  const where = target ? ` (${target.hostname}:${target.port})` : "";
  if (code === "ECONNREFUSED") {
    return new NetError("CONNECT_FAILED", `Connection refused${where}`, { cause: error });
  }
  const text = `${error.message}${code ? ` (${code})` : ""}`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME") {
    return new NetError("HOST_UNRESOLVED", text, { cause: error });
  }
  if (
    /^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EADDRNOTAVAIL)$/.test(code)
  ) {
    return new NetError("CONNECT_FAILED", text, { cause: error });
  }
  if (
    /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(code) ||
    /invalid peer certificate|UnknownIssuer|NotValidForName|certificate/i.test(error.message)
  ) {
    return new NetError("TLS_PEER", text, { cause: error });
  }
  if (/tls|ssl|handshake|alert/i.test(text)) {
    return new NetError("TLS_HANDSHAKE", text, { cause: error });
  }
  return new NetError("CONNECT_FAILED", text, { cause: error });
}

async function trust(options: TransportOptions | undefined): Promise<string[] | null> {
  if (!options?.caPath && !options?.caData) return null;
  const { loadCaCertificates } = await import("../tls.ts");
  const certs = options.caPath ? await loadCaCertificates(options.caPath) : [];
  if (options.caData) certs.push(options.caData);
  return certs;
}

async function clientIdentity(options: TransportOptions): Promise<{ cert: string; key: string }> {
  const { loadClientIdentity } = await import("../tls.ts");
  return await loadClientIdentity(options.clientCert!);
}
