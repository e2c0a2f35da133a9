/**
 * A `Deno.Conn` as a `ByteConnection`, for the benchmarks that weigh
 * `Deno.connect` against `node:net` under the same engine.
 *
 * @module
 */

import type { ByteConnection } from "../src/core/wire/connection.ts";

/** Wraps a connected `Deno.Conn` (TCP or TLS). */
export function denoConnConnection(conn: Deno.Conn): ByteConnection {
  const local = conn.localAddr as Deno.NetAddr;
  const remote = conn.remoteAddr as Deno.NetAddr;
  if ("setNoDelay" in conn) (conn as Deno.TcpConn).setNoDelay(true);
  return {
    read: (p) => conn.read(p),
    write: (p) => conn.write(p),
    close: () => {
      try {
        conn.close();
      } catch { /* already closed */ }
    },
    ref: () => conn.ref(),
    unref: () => conn.unref(),
    facts: {
      localAddress: local.hostname,
      localPort: local.port,
      remoteAddress: remote.hostname,
      remotePort: remote.port,
      tlsVersion: null,
      cipher: null,
      alpn: null,
      viaProxy: false,
      requestTarget: "origin",
      proxyHeaders: null,
      phases: null,
    },
  };
}
