/**
 * The connector for requests whose connection options the engine's plain
 * connector (direct `node:net` / `node:tls` with the runtime's verification,
 * extra CAs, a client certificate and an address family) cannot honour: TLS
 * control (pins, verification mode or callback, version bounds, SNI, partial
 * chains), a proxy (HTTP `CONNECT` / absolute form, SOCKS5) or the request's
 * own resolvers. It honours every other option of such a request as well.
 * Importing this module registers it; the heavy parts (`node:tls`,
 * `node:net`, node-forge) load on its first connection.
 *
 * How the options combine, in connection order: the first hop (the proxy
 * when one applies, else the server) is resolved with `dns` and
 * `addressFamily`; a proxy gets the target's name (it resolves it, as curl
 * does); TLS runs end to end with the server, inside any tunnel.
 *
 * @module
 */

import type { TransportOptions } from "../request.ts";
import {
  type ByteConnection,
  type Connector,
  type ConnectProgress,
  type ConnectTarget,
  registerConnector,
} from "./connection.ts";
import { isExcluded, plainFetchProxy } from "../proxy.ts";

/** The connector's name, part of the engine's pool key. */
export const OPTIONS_CONNECTOR = "options";

let opener: Promise<typeof import("./options_connection.ts")> | null = null;

/**
 * Accepts a request when its options need more than a plain connection.
 *
 * @example
 * ```ts
 * import { optionsConnector } from "./options_connector.ts";
 * const target = { hostname: "example.com", port: 443, secure: true };
 * const direct = { caPath: null, clientCert: null, proxy: "direct", dns: null,
 *   exactConnectTimeout: false } as const;
 * console.assert(!optionsConnector.accepts(target, direct));
 * ```
 */
export const optionsConnector: Connector = {
  name: OPTIONS_CONNECTOR,
  accepts: needsOptions,
  async connect(
    target: ConnectTarget,
    options: TransportOptions | undefined,
    signal: AbortSignal,
    progress?: ConnectProgress,
  ): Promise<ByteConnection> {
    opener ??= import("./options_connection.ts");
    return (await opener).openConnection(target, options, signal, progress);
  },
};

/**
 * `true` when a connection to `target` must honour something the engine's
 * plain connector does not: TLS control, resolvers, or a proxy. The
 * environment's proxy is always taken here (the plain connector decides on
 * the environment as it was first read; this one reads it per connection),
 * and a request without options is taken exactly when the plain connector
 * declines it for the environment's proxy.
 */
function needsOptions(target: ConnectTarget, options: TransportOptions | undefined): boolean {
  if (!options) return !!plainFetchProxy();
  if (options.tls || options.dns) return true;
  const proxy = options.proxy;
  if (proxy === "direct") return false;
  return proxy === "environment" || !isExcluded(target.hostname, proxy.exclusionList);
}

registerConnector(optionsConnector);
