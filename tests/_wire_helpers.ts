// Helpers for the socket-level HTTP/1.1 engine's tests: raw servers that send hand-written bytes.

import { Http1Transport } from "../src/core/wire/http1_transport.ts";
import { ConnectionPool } from "../src/core/wire/pool.ts";
import type { WireRequest, WireResponse } from "../src/core/transport.ts";
import type { RequestBody } from "../src/core/body.ts";
import type { TransportOptions } from "../src/core/request.ts";

/** A raw server; `heads` holds each request received (head and body). */
export interface ByteServer extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  readonly heads: string[];
  readonly connections: number;
}

/**
 * A raw loopback server: for each request head it reads, `reply` gives the
 * bytes to send back (or `null` to close). Counts connections and requests.
 */
export function byteServer(
  reply: (head: string, index: number) => string | Uint8Array | null,
  options: { closeAfter?: boolean } = {},
): ByteServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const tasks = new Set<Promise<void>>();
  const heads: string[] = [];
  let connections = 0;
  const serveConn = async (conn: Deno.Conn) => {
    connections++;
    let pending: Uint8Array = new Uint8Array(0);
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        let end: number;
        while ((end = headEnd(pending)) < 0) {
          const n = await conn.read(buffer);
          if (n === null) return;
          pending = concat(pending, buffer.subarray(0, n));
        }
        const head = new TextDecoder().decode(pending.subarray(0, end));
        pending = pending.subarray(end);
        // A sized body is consumed; a chunked one up to its last chunk.
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        const chunked = /\r\ntransfer-encoding: *chunked/i.test(head);
        let body: Uint8Array = new Uint8Array(0);
        if (chunked) {
          while (!new TextDecoder().decode(pending).includes("0\r\n\r\n")) {
            const n = await conn.read(buffer);
            if (n === null) return;
            pending = concat(pending, buffer.subarray(0, n));
          }
          const text = new TextDecoder().decode(pending);
          const stop = text.indexOf("0\r\n\r\n") + 5;
          body = pending.subarray(0, stop);
          pending = pending.subarray(stop);
        } else {
          while (pending.byteLength < length) {
            const n = await conn.read(buffer);
            if (n === null) return;
            pending = concat(pending, buffer.subarray(0, n));
          }
          body = pending.subarray(0, length);
          pending = pending.subarray(length);
        }
        heads.push(head + new TextDecoder().decode(body));
        const answer = reply(head, heads.length - 1);
        if (answer === null) return;
        await writeAll(conn, typeof answer === "string" ? latin1(answer) : answer);
        if (options.closeAfter) return;
      }
    } catch { /* the client went away */ }
  };
  const loop = (async () => {
    try {
      for await (const conn of listener) {
        conns.add(conn);
        const task = serveConn(conn).finally(() => {
          try {
            conn.close();
          } catch { /* closed */ }
          conns.delete(conn);
        });
        tasks.add(task);
        task.finally(() => tasks.delete(task));
      }
    } catch { /* closed */ }
  })();
  const port = (listener.addr as Deno.NetAddr).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    heads,
    get connections() {
      return connections;
    },
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* closed */ }
      }
      await loop;
      await Promise.allSettled([...tasks]);
    },
  };
}

function headEnd(bytes: Uint8Array): number {
  for (let i = 3; i < bytes.byteLength; i++) {
    if (bytes[i] === 10 && bytes[i - 1] === 13 && bytes[i - 2] === 10 && bytes[i - 3] === 13) {
      return i + 1;
    }
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}

/** One byte per char. */
export function latin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array) {
  for (let offset = 0; offset < bytes.byteLength;) {
    offset += await conn.write(bytes.subarray(offset));
  }
}

/** A transport over its own pool, closed (with the pool) by `using`. */
export function wireTransport(
  options: TransportOptions | undefined = undefined,
  connectTimeout = 0,
): Http1Transport & Disposable & { pool: ConnectionPool } {
  const pool = new ConnectionPool();
  const transport = new Http1Transport({ options, connectTimeout }, pool);
  return Object.assign(transport, {
    pool,
    [Symbol.dispose]() {
      transport.close();
      pool.close();
    },
  });
}

/** A request with defaults. */
export function wireRequest(
  url: string,
  init: Partial<Omit<WireRequest, "url">> & { body?: RequestBody | null } = {},
): WireRequest {
  return {
    url: new URL(url),
    method: init.method ?? "GET",
    headers: init.headers ?? new Headers(),
    body: init.body ?? null,
    signal: init.signal ?? new AbortController().signal,
    onUploadProgress: init.onUploadProgress,
  };
}

/** The whole body as text. */
export async function text(response: WireResponse): Promise<string> {
  if (!response.body) return "";
  return await new Response(response.body).text();
}
