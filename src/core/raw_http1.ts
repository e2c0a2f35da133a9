/**
 * A minimal HTTP/1.1 exchange over `Deno.connect` for the methods `fetch`
 * refuses to send (TRACE, TRACK and CONNECT are "forbidden methods" in the
 * Fetch standard). It returns a web `Response`, so the rest of the pipeline
 * treats both transports alike. One connection per request, closed at the end.
 *
 * @module
 */

/** Methods `fetch` throws "Method is forbidden" for. */
export const FETCH_FORBIDDEN_METHODS: ReadonlySet<string> = new Set(["CONNECT", "TRACE", "TRACK"]);

/** What a raw exchange needs. */
export interface RawRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: Headers;
  readonly body: Uint8Array | null;
  readonly signal: AbortSignal;
}

const encoder = new TextEncoder();
const HEAD_END = new Uint8Array([13, 10, 13, 10]);
const MAX_HEAD = 64 * 1024;

/** Sends `request` on a fresh connection and returns the response with a streamed body. */
export async function rawFetch(request: RawRequest): Promise<Response> {
  const { url, signal } = request;
  signal.throwIfAborted();
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
  const conn = url.protocol === "https:"
    ? await Deno.connectTls({ hostname, port })
    : await Deno.connect({ hostname, port });
  const onAbort = () => closeQuietly(conn);
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    await writeAll(conn, encoder.encode(requestHead(request, port)));
    if (request.body) await writeAll(conn, request.body);
    const reader = new ConnReader(conn);
    const head = await readHead(reader);
    const noBody = request.method === "CONNECT" || head.status === 204 || head.status === 304;
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
  const target = method === "CONNECT" ? `${url.hostname}:${port}` : url.pathname + url.search;
  const lines = [`${method} ${target} HTTP/1.1`, `host: ${url.host}`];
  for (const [name, value] of headers) if (name !== "host") lines.push(`${name}: ${value}`);
  if (request.body) lines.push(`content-length: ${request.body.byteLength}`);
  lines.push("connection: close", "", "");
  return lines.join("\r\n");
}

interface Head extends ResponseInit {
  status: number;
  statusText: string;
  headers: Headers;
}

async function readHead(reader: ConnReader): Promise<Head> {
  for (;;) {
    const bytes = await reader.readUntil(HEAD_END, MAX_HEAD);
    if (bytes === null) throw new Error("connection closed before message completed");
    const [statusLine, ...lines] = new TextDecoder().decode(bytes).split("\r\n");
    const match = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine ?? "");
    if (!match) throw new Error(`invalid HTTP status line ${JSON.stringify(statusLine)}`);
    const status = Number(match[1]);
    if (status < 200) continue; // 1xx: informational, the real head follows
    const headers = new Headers();
    for (const line of lines) {
      if (line === "") continue;
      const colon = line.indexOf(":");
      if (colon <= 0) throw new Error(`invalid header line ${JSON.stringify(line)}`);
      headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    }
    return { status, statusText: match[2] ?? "", headers };
  }
}

function bodyStream(
  reader: ConnReader,
  headers: Headers,
  close: () => void,
): ReadableStream<Uint8Array> {
  const chunked = /chunked/i.test(headers.get("transfer-encoding") ?? "");
  const length = headers.has("content-length") ? Number(headers.get("content-length")) : null;
  const source = chunked
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
  const crlf = HEAD_END.subarray(0, 2);
  for (;;) {
    const sizeLine = await reader.readUntil(crlf, 1024);
    if (sizeLine === null) throw new Error("error reading a body from connection");
    const size = parseInt(new TextDecoder().decode(sizeLine), 16);
    if (!Number.isFinite(size)) throw new Error("invalid chunk size");
    if (size === 0) {
      while ((await reader.readUntil(crlf, MAX_HEAD))?.byteLength) { /* trailers */ }
      return;
    }
    yield* readLength(reader, size);
    if ((await reader.readUntil(crlf, 2)) === null) {
      throw new Error("error reading a body from connection");
    }
  }
}

/** Buffered reads from a connection. */
class ConnReader {
  readonly #conn: Deno.Conn;
  #buffer = new Uint8Array(0);
  #eof = false;

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** Bytes up to (not including) `delimiter`, which is consumed; `null` at EOF. */
  async readUntil(delimiter: Uint8Array, max: number): Promise<Uint8Array | null> {
    for (;;) {
      const at = indexOf(this.#buffer, delimiter);
      if (at >= 0) {
        const out = this.#buffer.slice(0, at);
        this.#buffer = this.#buffer.subarray(at + delimiter.byteLength);
        return out;
      }
      if (this.#buffer.byteLength > max) throw new Error("invalid HTTP: line too long");
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

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.byteLength <= haystack.byteLength; i++) {
    for (let j = 0; j < needle.byteLength; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.byteLength;) {
    offset += await conn.write(bytes.subarray(offset));
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch { /* already closed */ }
}
