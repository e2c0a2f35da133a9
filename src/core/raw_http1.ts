/**
 * A minimal HTTP/1.1 exchange on a connection it is given (see
 * `socket_transport.ts`, which connects, tunnels and starts TLS), for what
 * `fetch` cannot send (TRACE, TRACK and CONNECT are "forbidden methods" in
 * the Fetch standard). It returns a web `Response`, so the layers above
 * treat every transport alike. One connection per request, closed at the end.
 * Heads are framed by the rules of `framing.ts`, as the `fetch` path is.
 *
 * @module
 */

import { framedLength, isChunked } from "./framing.ts";

/** Methods `fetch` throws "Method is forbidden" for. */
export const FETCH_FORBIDDEN_METHODS: ReadonlySet<string> = new Set(["CONNECT", "TRACE", "TRACK"]);

/** What a raw exchange needs. */
export interface RawRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: Headers;
  readonly body: Uint8Array | null;
  readonly signal: AbortSignal;
  /** Send the absolute URL as the request target (a request to an http proxy). */
  readonly absoluteForm?: boolean;
}

const encoder = new TextEncoder();
const latin1 = new TextDecoder("latin1");
const CR = 13;
const LF = 10;
const MAX_HEAD = 64 * 1024;

/**
 * Sends `request` on `conn` (connected, tunnelled and secured as the request
 * needs) and returns the response with a streamed body; the connection is
 * closed when the body ends, is cancelled, or the signal aborts.
 */
export async function rawExchange(conn: Deno.Conn, request: RawRequest): Promise<Response> {
  const { url, signal } = request;
  const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
  if (signal.aborted) {
    closeQuietly(conn);
    throw signal.reason;
  }
  const onAbort = () => closeQuietly(conn);
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    await writeAll(conn, encoder.encode(requestHead(request, port)));
    if (request.body) await writeAll(conn, request.body);
    const reader = new ConnReader(conn);
    const head = await readHead(reader);
    const noBody = request.method === "CONNECT" || request.method === "HEAD" ||
      head.status === 204 || head.status === 304;
    const body = noBody ? null : bodyStream(reader, head.headers, () => {
      signal.removeEventListener("abort", onAbort);
      closeQuietly(conn);
    });
    if (!body) {
      signal.removeEventListener("abort", onAbort);
      closeQuietly(conn);
    }
    return new Response(body, head);
  } catch (error) {
    signal.removeEventListener("abort", onAbort);
    closeQuietly(conn);
    throw signal.aborted ? signal.reason : error;
  }
}

function requestHead(request: RawRequest, port: number): string {
  const { url, method, headers } = request;
  const target = method === "CONNECT"
    ? `${url.hostname}:${port}`
    : request.absoluteForm
    ? url.href.replace(/#.*$/, "")
    : url.pathname + url.search;
  const lines = [`${method} ${target} HTTP/1.1`, `host: ${url.host}`];
  for (const [name, value] of headers) if (name !== "host") lines.push(`${name}: ${value}`);
  if (request.body) lines.push(`content-length: ${request.body.byteLength}`);
  lines.push("connection: close", "", "");
  return lines.join("\r\n");
}

/** A parsed response head. */
export interface Head extends ResponseInit {
  status: number;
  statusText: string;
  headers: Headers;
}

/** Reads a response head (skipping 1xx heads), framed by the rules of `framing.ts`. */
export async function readHead(reader: ConnReader): Promise<Head> {
  for (;;) {
    const lines: string[] = [];
    let size = 0;
    for (;;) {
      const line = await reader.readLine(MAX_HEAD - size);
      if (line === null) throw new Error("connection closed before message completed");
      if (line === "") break;
      size += line.length + 2;
      lines.push(line);
    }
    const [statusLine, ...fields] = lines;
    const match = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine ?? "");
    if (!match) throw new Error(`invalid HTTP status line ${JSON.stringify(statusLine)}`);
    const status = Number(match[1]);
    if (status < 200) continue; // 1xx: informational, the real head follows
    const headers = new Headers();
    for (const line of fields) {
      // RFC 9112 §5: a field name is a token right before the colon; no obs-fold, no bare CR.
      const field = FIELD_LINE.exec(line);
      if (!field) throw new Error(`invalid header line ${JSON.stringify(line)}`);
      headers.append(field[1]!, field[2]!);
    }
    framedLength(headers);
    return { status, statusText: match[2] ?? "", headers };
  }
}

const FIELD_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*([^\r]*?)[ \t]*$/;

function bodyStream(
  reader: ConnReader,
  headers: Headers,
  close: () => void,
): ReadableStream<Uint8Array> {
  const length = framedLength(headers);
  const source = isChunked(headers)
    ? readChunked(reader)
    : length !== null
    ? readLength(reader, length)
    : reader.readToEnd();
  // A pending read cannot be interrupted through the generator, so cancel closes the socket.
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await source.next();
        if (!done) return controller.enqueue(value);
        close();
        controller.close();
      } catch (error) {
        close();
        try {
          controller.error(error);
        } catch { /* cancelled meanwhile */ }
      }
    },
    cancel: close,
  }, { highWaterMark: 0 });
}

async function* readLength(reader: ConnReader, length: number): AsyncGenerator<Uint8Array> {
  let left = length;
  while (left > 0) {
    const chunk = await reader.read(left);
    if (chunk === null) throw new Error("error reading a body from connection");
    left -= chunk.byteLength;
    yield chunk;
  }
}

async function* readChunked(reader: ConnReader): AsyncGenerator<Uint8Array> {
  for (;;) {
    const sizeLine = await reader.readLine(1024);
    if (sizeLine === null) throw new Error("error reading a body from connection");
    const size = CHUNK_SIZE.exec(sizeLine);
    if (!size) throw new Error(`invalid HTTP: chunk size ${JSON.stringify(sizeLine)}`);
    if (/^0+$/.test(size[1]!)) {
      while ((await reader.readLine(MAX_HEAD))) { /* trailers */ }
      return;
    }
    yield* readLength(reader, parseInt(size[1]!, 16));
    if ((await reader.readLine(16)) !== "") {
      throw new Error("invalid HTTP: no CRLF after a chunk");
    }
  }
}

/** A chunk size in hex (at most 2^52), then optional extensions. */
const CHUNK_SIZE = /^([0-9a-fA-F]{1,13})[ \t]*(?:;.*)?$/;

/** Buffered reads from a connection. */
export class ConnReader {
  readonly #conn: Deno.Conn;
  #buffer = new Uint8Array(0);
  #eof = false;

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /**
   * One line of at most `max` bytes, without its end: LF, or CRLF (RFC 9112
   * §2.2 lets a recipient take a bare LF as the end, as `fetch` does); `null`
   * at EOF. A bare CR is an error.
   */
  async readLine(max: number): Promise<string | null> {
    for (let from = 0;;) {
      const at = this.#buffer.indexOf(LF, from);
      if (at >= 0) {
        const end = at > 0 && this.#buffer[at - 1] === CR ? at - 1 : at;
        if (end > max) throw new Error("invalid HTTP: message head is too large");
        const line = latin1.decode(this.#buffer.subarray(0, end));
        this.#buffer = this.#buffer.subarray(at + 1);
        if (line.includes("\r")) throw new Error("invalid HTTP: a bare CR in the head");
        return line;
      }
      from = this.#buffer.byteLength;
      if (from > max + 1) throw new Error("invalid HTTP: message head is too large");
      if (!(await this.#fill())) return null;
    }
  }

  /** Up to `max` bytes; `null` at EOF. */
  async read(max: number): Promise<Uint8Array | null> {
    if (this.#buffer.byteLength === 0 && !(await this.#fill())) return null;
    const out = this.#buffer.slice(0, max);
    this.#buffer = this.#buffer.subarray(out.byteLength);
    return out;
  }

  /** Everything until the peer closes. */
  async *readToEnd(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const chunk = await this.read(64 * 1024);
      if (chunk === null) return;
      yield chunk;
    }
  }

  async #fill(): Promise<boolean> {
    if (this.#eof) return false;
    const chunk = new Uint8Array(64 * 1024);
    const n = await this.#conn.read(chunk);
    if (n === null) {
      this.#eof = true;
      return false;
    }
    const merged = new Uint8Array(this.#buffer.byteLength + n);
    merged.set(this.#buffer);
    merged.set(chunk.subarray(0, n), this.#buffer.byteLength);
    this.#buffer = merged;
    return true;
  }
}

/** Writes all of `bytes`. */
export async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.byteLength;) {
    offset += await conn.write(bytes.subarray(offset));
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch { /* already closed */ }
}
