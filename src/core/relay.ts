/**
 * An in-process SOCKS5 relay on loopback (RFC 1928, with RFC 1929
 * user/password), handed to `Deno.createHttpClient` as
 * `socks5h://127.0.0.1:PORT`. Deno's `fetch` has no resolver hook and no
 * connect timeout; the relay gives both:
 *
 * - it resolves the target name itself (the client sends it unresolved), so a
 *   request can use its own DNS servers while TLS, which stays end to end,
 *   still verifies the original name;
 * - it sees the connection phases (DNS answer, TCP up, the TLS handshake on
 *   the wire) and cuts a connection that is not up within the connect limit.
 *
 * Each route (a set of settings, one `Deno.HttpClient`) gets its own SOCKS
 * user name; the password is a per-relay secret, so no other local process
 * can use the relay. The relay only runs when a request needs it.
 *
 * @module
 */

import type { Resolver } from "./dns.ts";
import { humanDetail } from "./error_text.ts";
import { NetError } from "./errors.ts";

/** What the relay does for the connections of one client. */
export interface RelayRoute {
  /** Resolves the names clients ask for. */
  readonly resolver: Resolver;
  /** Limit in ms on DNS + TCP + TLS handshake of each new connection; 0 for none. */
  readonly connectTimeout: number;
}

/** Connection phases as `performance.now()` values; `null` when the phase did not happen. */
export interface ConnectionPhases {
  /** The client opened the connection to the relay. */
  readonly start: number;
  /** The name was resolved. */
  readonly dns: number | null;
  /** The TCP connection to the server was up. */
  readonly tcp: number | null;
  /** The client answered the server's TLS handshake flight (TLS only). */
  readonly tls: number | null;
}

/** SOCKS user name and password that select a route. */
export interface RelayCredentials {
  /** Names the route. */
  readonly username: string;
  /** The relay's secret. */
  readonly password: string;
}

interface Attempt {
  readonly host: string;
  readonly port: number;
  readonly start: number;
  dns: number | null;
  tcp: number | null;
  tls: number | null;
  failure: NetError | null;
  claimed: boolean;
}

interface RouteState {
  readonly route: RelayRoute;
  readonly attempts: Attempt[];
}

const MAX_ATTEMPTS_KEPT = 128;
const BUFFER_SIZE = 64 * 1024;
const TLS_HANDSHAKE_RECORD = 0x16;
const REPLY_OK = 0x00;
const REPLY_HOST_UNREACHABLE = 0x04;
const REPLY_REFUSED = 0x05;
const REPLY_TTL_EXPIRED = 0x06;
const REPLY_COMMAND_UNSUPPORTED = 0x07;

/** The relay: one loopback listener serving any number of routes. */
export class SocksRelay {
  readonly #listener: Deno.TcpListener;
  readonly #secret = crypto.randomUUID();
  readonly #routes = new Map<string, RouteState>();
  readonly #conns = new Set<Deno.Conn>();
  #nextRoute = 0;
  #closed = false;

  /** Listens on an OS-chosen port of 127.0.0.1 (needs `--allow-net=127.0.0.1`). */
  constructor() {
    try {
      this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    } catch (error) {
      if (!(error instanceof Deno.errors.NotCapable)) throw error;
      throw new NetError(
        "PERMISSION_DENIED",
        "an exact connect limit, own DNS servers and an address family need a relay listening " +
          "on 127.0.0.1: run again with --allow-net=127.0.0.1 added to the hosts (or --allow-net)",
        { cause: error },
      );
    }
    // Kept between requests, so it must not keep the process alive: a request in flight does.
    this.#listener.unref();
    this.#accept();
  }

  /** The proxy URL to hand `Deno.createHttpClient`. */
  get url(): string {
    return `socks5h://127.0.0.1:${this.#listener.addr.port}`;
  }

  /** Adds a route; its connections are those that log in with the returned credentials. */
  register(route: RelayRoute): RelayCredentials {
    const username = `route-${++this.#nextRoute}`;
    this.#routes.set(username, { route, attempts: [] });
    return { username, password: this.#secret };
  }

  /**
   * The phases of the connection a route opened to `host:port` since `since`
   * (a `performance.now()` value), each connection handed out once; `null`
   * when the request reused a pooled connection.
   */
  takePhases(username: string, host: string, port: number, since: number): ConnectionPhases | null {
    const attempt = this.#find(username, host, port, since, (a) => !a.claimed && a.tcp !== null);
    if (!attempt) return null;
    attempt.claimed = true;
    return attempt;
  }

  /** Why the latest connection of a route to `host:port` since `since` failed, if it did. */
  failure(username: string, host: string, port: number, since: number): NetError | null {
    return this.#find(username, host, port, since, (a) => a.failure !== null, true)?.failure ??
      null;
  }

  /** Stops listening and closes every relayed connection. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#listener.close();
    for (const conn of this.#conns) closeQuietly(conn);
    this.#conns.clear();
    this.#routes.clear();
  }

  #find(
    username: string,
    host: string,
    port: number,
    since: number,
    test: (attempt: Attempt) => boolean,
    latest = false,
  ): Attempt | undefined {
    const attempts = this.#routes.get(username)?.attempts ?? [];
    const name = normalizeHost(host);
    const match = (a: Attempt) => a.host === name && a.port === port && a.start >= since && test(a);
    return latest ? attempts.findLast(match) : attempts.find(match);
  }

  async #accept(): Promise<void> {
    try {
      for await (const conn of this.#listener) {
        this.#track(conn);
        this.#serve(conn).catch(() => {}).finally(() => this.#untrack(conn));
      }
    } catch {
      // The listener was closed.
    }
  }

  #track(conn: Deno.Conn): void {
    if (this.#closed) return closeQuietly(conn);
    conn.unref(); // an idle pooled connection must not keep the process alive either
    this.#conns.add(conn);
  }

  #untrack(conn: Deno.Conn): void {
    this.#conns.delete(conn);
    closeQuietly(conn);
  }

  async #serve(client: Deno.TcpConn): Promise<void> {
    const start = performance.now();
    client.setNoDelay(true);
    const input = new ConnReader(client);

    // Greeting: only user/password authentication (method 2) is accepted.
    const [version, count] = await input.read(2);
    const methods = await input.read(count!);
    if (version !== 5 || !methods.includes(2)) {
      await writeAll(client, new Uint8Array([5, 0xff]));
      return;
    }
    await writeAll(client, new Uint8Array([5, 2]));
    const [, userLength] = await input.read(2);
    const username = new TextDecoder().decode(await input.read(userLength!));
    const [passwordLength] = await input.read(1);
    const password = new TextDecoder().decode(await input.read(passwordLength!));
    const state = this.#routes.get(username);
    if (!state || password !== this.#secret) {
      await writeAll(client, new Uint8Array([1, 1]));
      return;
    }
    await writeAll(client, new Uint8Array([1, 0]));

    const [, command, , addressType] = await input.read(4);
    const host = await readAddress(input, addressType!);
    const portBytes = await input.read(2);
    const port = (portBytes[0]! << 8) | portBytes[1]!;
    if (command !== 1 || host === null) {
      await reply(client, REPLY_COMMAND_UNSUPPORTED);
      return;
    }

    const attempt: Attempt = {
      host: normalizeHost(host),
      port,
      start,
      dns: null,
      tcp: null,
      tls: null,
      failure: null,
      claimed: false,
    };
    state.attempts.push(attempt);
    if (state.attempts.length > MAX_ATTEMPTS_KEPT) state.attempts.shift();
    await this.#relay(client, input, state.route, attempt);
  }

  async #relay(
    client: Deno.TcpConn,
    input: ConnReader,
    route: RelayRoute,
    attempt: Attempt,
  ): Promise<void> {
    const abort = new AbortController();
    let upstream: Deno.TcpConn | null = null;
    let established = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (route.connectTimeout > 0) {
      const left = Math.max(0, attempt.start + route.connectTimeout - performance.now());
      timer = setTimeout(() => {
        if (established) return;
        attempt.failure = new NetError(
          "TIMEOUT",
          `no connection to ${label(attempt)} within ${route.connectTimeout} ms (${
            phaseReached(attempt)
          })`,
          {
            details: {
              limit: "connect-time",
              max: route.connectTimeout,
              phase: attempt.tcp === null ? "connect" : "tls",
              transport: "relay",
            },
          },
        );
        abort.abort(attempt.failure);
        closeQuietly(client);
        if (upstream) closeQuietly(upstream);
      }, left);
    }
    try {
      let addresses: string[];
      try {
        addresses = await route.resolver.resolve(attempt.host, abort.signal);
        attempt.dns = performance.now();
      } catch (error) {
        attempt.failure ??= error instanceof NetError
          ? error
          : new NetError("HOST_UNRESOLVED", String(error));
        await reply(client, REPLY_HOST_UNREACHABLE);
        return;
      }
      try {
        upstream = await connectFirst(addresses, attempt.port, abort.signal);
        attempt.tcp = performance.now();
      } catch (error) {
        attempt.failure ??= new NetError(
          "CONNECT_FAILED",
          `${label(attempt)}: ${
            humanDetail(error instanceof Error ? error.message : String(error))
          }`,
          { cause: error, details: { phase: "connect", transport: "relay" } },
        );
        await reply(client, abort.signal.aborted ? REPLY_TTL_EXPIRED : REPLY_REFUSED);
        return;
      }
      this.#track(upstream);
      upstream.setNoDelay(true);
      await reply(client, REPLY_OK);

      // Established: plain HTTP once TCP is up; TLS once the client answers the server's flight.
      let serverSpoke = false;
      let watching = true;
      const settle = () => {
        established = true;
        watching = false;
        clearTimeout(timer);
      };
      const server = upstream;
      const fromClient = pump(input, server, (first) => {
        if (!watching) return;
        if (first === undefined) return;
        if (first !== TLS_HANDSHAKE_RECORD) settle();
        else if (serverSpoke) {
          attempt.tls = performance.now();
          settle();
        }
      });
      const fromServer = pump(new ConnReader(server), client, () => {
        serverSpoke = true;
      });
      await Promise.all([fromClient, fromServer]);
    } finally {
      clearTimeout(timer);
      if (upstream) this.#untrack(upstream);
    }
  }
}

/** Buffered reads of exact lengths from a connection. */
class ConnReader {
  readonly conn: Deno.Conn;
  #buffer: Uint8Array = new Uint8Array(0);
  #firstByte: number | undefined;
  #started = false;

  constructor(conn: Deno.Conn) {
    this.conn = conn;
  }

  /** Exactly `n` bytes; throws at end of stream. */
  async read(n: number): Promise<Uint8Array> {
    while (this.#buffer.length < n) {
      const chunk = new Uint8Array(Math.max(n, 512));
      const got = await this.conn.read(chunk);
      if (got === null) throw new Error("connection closed during the SOCKS handshake");
      this.#buffer = concat(this.#buffer, chunk.subarray(0, got));
    }
    const out = this.#buffer.slice(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return out;
  }

  /** The next chunk for relaying (buffered bytes first), or `null` at end of stream. */
  async next(scratch: Uint8Array): Promise<Uint8Array | null> {
    let chunk: Uint8Array;
    if (this.#buffer.length > 0) {
      chunk = this.#buffer;
      this.#buffer = new Uint8Array(0);
    } else {
      const got = await this.conn.read(scratch);
      if (got === null) return null;
      chunk = scratch.subarray(0, got);
    }
    if (!this.#started) {
      this.#started = true;
      this.#firstByte = chunk[0];
    }
    return chunk;
  }

  /** The first byte relayed, once there was one. */
  get firstByte(): number | undefined {
    return this.#firstByte;
  }
}

/** Copies `from` to `to` until end of stream, then half-closes `to`. */
async function pump(
  from: ConnReader,
  to: Deno.TcpConn,
  onChunk: (firstByte: number | undefined) => void,
): Promise<void> {
  const scratch = new Uint8Array(BUFFER_SIZE);
  try {
    for (;;) {
      const chunk = await from.next(scratch);
      if (chunk === null) break;
      onChunk(from.firstByte);
      await writeAll(to, chunk);
    }
    await to.closeWrite();
  } catch {
    closeQuietly(from.conn);
    closeQuietly(to);
  }
}

async function readAddress(input: ConnReader, type: number): Promise<string | null> {
  if (type === 1) return (await input.read(4)).join(".");
  if (type === 3) {
    const [length] = await input.read(1);
    return new TextDecoder().decode(await input.read(length!));
  }
  if (type === 4) {
    const bytes = await input.read(16);
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
    return groups.join(":");
  }
  return null;
}

/** Connects to the first address that answers, trying each in turn. */
async function connectFirst(
  addresses: string[],
  port: number,
  signal: AbortSignal,
): Promise<Deno.TcpConn> {
  let lastError: unknown = new Error("no address");
  for (const hostname of addresses) {
    signal.throwIfAborted();
    try {
      const target = hostname.includes(":") ? `[${hostname}]` : hostname;
      return await Deno.connect({ hostname: target, port, signal });
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

function reply(conn: Deno.Conn, code: number): Promise<void> {
  return writeAll(conn, new Uint8Array([5, code, 0, 1, 0, 0, 0, 0, 0, 0])).catch(() => {});
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

function normalizeHost(host: string): string {
  return host.toLowerCase().replace(/^\[|\]$/g, "");
}

function label(attempt: Attempt): string {
  const host = attempt.host.includes(":") ? `[${attempt.host}]` : attempt.host;
  return `${host}:${attempt.port}`;
}

function phaseReached(attempt: Attempt): string {
  if (attempt.tcp !== null) return "TCP up, TLS handshake not done";
  if (attempt.dns !== null) return "name resolved, TCP not up";
  return "name not resolved";
}
