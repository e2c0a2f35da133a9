/**
 * One HTTP/1.1 connection: a read buffer over a {@linkcode ByteConnection},
 * the response head, and the body by its framing (Content-Length, chunked
 * with trailers, or close-delimited), each byte checked against RFC 9112.
 *
 * @module
 */

import { ListNode } from "../linked_list.ts";
import { NetError } from "../errors.ts";
import type { ConnectionFacts } from "../transport.ts";
import type { ByteConnection } from "./connection.ts";
import {
  type Framing,
  framingOf,
  HeadScanner,
  latin1,
  MAX_HEAD_BYTES,
  parseScanned,
  type ResponseHead,
} from "./response_head.ts";

/** The longest chunk-size line (with extensions) accepted. */
const MAX_CHUNK_LINE = 4096;
/** Hex digits in a chunk size: 12 is 256 TiB, past any real chunk and below 2^53. */
const MAX_CHUNK_DIGITS = 12;
const INITIAL_BUFFER = 16 * 1024;

const enum Chunk {
  Size,
  Data,
  DataEnd,
  Trailers,
  Done,
}

/** An HTTP/1.1 connection and its read buffer; one exchange at a time. */
export class Http1Connection {
  readonly conn: ByteConnection;
  /** The pool key it belongs to. */
  readonly key: string;
  /** Exchanges completed on it; more than 0 means a request reuses it. */
  exchanges = 0;
  /** `performance.now()` when it last went idle (kept only for a connection without an idle timer). */
  idleSince = 0;
  /** When it last went idle, in the order of its pool. */
  idleOrder = 0;
  /** How long it may stay idle, in ms (its idle timer is armed for this). */
  idleLimit = 0;
  /** `true` while it waits in the pool. */
  pooled = false;
  /** The facts every response on it reports once it is reused (the same each time). */
  reusedFacts: ConnectionFacts | null = null;
  /** Its place among its transport's connections in use. */
  readonly active: ListNode<Http1Connection> = new ListNode(this);
  #buffer = new Uint8Array(INITIAL_BUFFER);
  readonly #scanner = new HeadScanner();
  #start = 0;
  #end = 0;
  #eof = false;
  /** Whether a response byte arrived since the current request was written. */
  #received = false;
  // Body state of the current response.
  #framing: Framing = { kind: "none" };
  #remaining = 0;
  #chunk = Chunk.Size;
  #done = true;
  #keepAlive = false;

  constructor(conn: ByteConnection, key: string) {
    this.conn = conn;
    this.key = key;
  }

  /** `true` when no response byte has arrived yet for the current exchange. */
  get untouched(): boolean {
    return !this.#received;
  }

  /** Whether the connection can carry another exchange now. */
  get reusable(): boolean {
    return this.#done && this.#keepAlive && this.#start === this.#end && !this.#eof &&
      this.conn.open !== false && !this.conn.pending;
  }

  /**
   * Writes all of `bytes`: `null` when the connection took them at once,
   * else a promise to wait for.
   */
  write(bytes: Uint8Array): Promise<void> | null {
    this.#received = false;
    const conn = this.conn;
    return conn.writeAll ? conn.writeAll(bytes) : this.#writeInParts(bytes);
  }

  async #writeInParts(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.byteLength) offset += await this.conn.write(bytes.subarray(offset));
  }

  /**
   * Reads the final response head to a `method` request, skipping 1xx
   * interim responses, and prepares its body.
   */
  async readHead(method: string, requestKeepAlive: boolean): Promise<ResponseHead> {
    this.#start = this.#end = 0;
    const scanner = this.#scanner;
    scanner.reset(0);
    for (;;) {
      const end = scanner.scan(this.#buffer, this.#end);
      if (end < 0) {
        if (this.#end - this.#start > MAX_HEAD_BYTES) throw tooLarge();
        const start = this.#start;
        if (!(await this.#fill())) {
          if (this.#end === 0) {
            throw new NetError("EMPTY_REPLY", "connection closed before message completed");
          }
          throw new NetError("BAD_RESPONSE", "the connection closed inside the response head");
        }
        // The buffer may have moved its bytes to its start.
        if (this.#start !== start) scanner.shift(start - this.#start);
        continue;
      }
      if (end - this.#start > MAX_HEAD_BYTES) throw tooLarge();
      const head = parseScanned(this.#buffer, this.#start, end, scanner);
      this.#start = end;
      if (head.status >= 200) {
        scanner.reset(0); // drops what a long head made it keep
        this.#beginBody(head, method, requestKeepAlive);
        return head;
      }
      if (head.status === 101) {
        throw new NetError("BAD_RESPONSE", "101 Switching Protocols without an upgrade request");
      }
      scanner.reset(end);
    }
  }

  #beginBody(head: ResponseHead, method: string, requestKeepAlive: boolean): void {
    const framing = framingOf(head, method);
    this.#framing = framing;
    this.#keepAlive = requestKeepAlive && head.keepAlive && framing.kind !== "close" &&
      !(method === "CONNECT" && head.status < 300);
    this.#chunk = Chunk.Size;
    this.#remaining = framing.kind === "length" ? framing.length : 0;
    this.#done = framing.kind === "none" || (framing.kind === "length" && framing.length === 0);
    if (this.#done) this.#finish();
  }

  /** The declared body length, or `null` (chunked, close-delimited). */
  get declaredLength(): number | null {
    const framing = this.#framing;
    return framing.kind === "length" ? framing.length : framing.kind === "none" ? 0 : null;
  }

  /** Whether the body has been read to its end. */
  get bodyDone(): boolean {
    return this.#done;
  }

  /** Body bytes still expected when the length is known (a hint for buffer sizes). */
  get remainingHint(): number {
    return this.#framing.kind === "length" ? this.#remaining : 0;
  }

  /**
   * Reads body bytes into `view`; resolves to how many, 0 once the body has
   * ended. Throws `PARTIAL_BODY` (sized) or `RECEIVE_FAILED` (chunked) when the peer closes early and
   * `BAD_RESPONSE` for broken chunked framing.
   */
  async readBody(view: Uint8Array): Promise<number> {
    if (this.#done) return 0;
    switch (this.#framing.kind) {
      case "length":
        return await this.#readData(view, true);
      case "close": {
        const n = await this.#readData(view, false);
        if (n === 0) this.#done = true;
        return n;
      }
      case "chunked":
        return await this.#readChunked(view);
      default:
        return 0;
    }
  }

  /**
   * Copies body bytes of a sized body already in the read buffer into `view`
   * without waiting; how many (0 when none are there, or for other framings).
   */
  readBuffered(view: Uint8Array): number {
    if (this.#done || this.#framing.kind !== "length") return 0;
    let n = this.#end - this.#start;
    if (n > this.#remaining) n = this.#remaining;
    if (n > view.byteLength) n = view.byteLength;
    if (n <= 0) return 0;
    view.set(this.#buffer.subarray(this.#start, this.#start + n));
    this.#start += n;
    this.#remaining -= n;
    if (this.#remaining === 0) {
      this.#done = true;
      this.#finish();
    }
    return n;
  }

  /** Up to `#remaining` (or any, when `bounded` is false) bytes into `view`. */
  async #readData(view: Uint8Array, bounded: boolean): Promise<number> {
    const want = bounded ? Math.min(view.byteLength, this.#remaining) : view.byteLength;
    let n = this.#end - this.#start;
    if (n > 0) {
      if (n > want) n = want;
      view.set(this.#buffer.subarray(this.#start, this.#start + n));
      this.#start += n;
    } else {
      // Nothing buffered: read straight into the caller's memory.
      const read = this.#eof ? null : await this.conn.read(view.subarray(0, want));
      if (read === null) {
        this.#eof = true;
        if (!bounded) return 0;
        // As `fetch` reports them: a short sized body is a partial file, a cut chunked one a receive error.
        if (this.#framing.kind === "chunked") {
          throw new NetError(
            "RECEIVE_FAILED",
            "error reading a body from connection: it closed inside a chunk",
          );
        }
        throw new NetError(
          "PARTIAL_BODY",
          `error reading a body from connection: it closed with ${this.#remaining} body bytes missing`,
        );
      }
      n = read;
    }
    if (bounded) {
      this.#remaining -= n;
      if (this.#remaining === 0 && this.#framing.kind === "length") {
        this.#done = true;
        this.#finish();
      }
    }
    return n;
  }

  async #readChunked(view: Uint8Array): Promise<number> {
    for (;;) {
      switch (this.#chunk) {
        case Chunk.Data: {
          const n = await this.#readData(view, true);
          if (this.#remaining === 0) this.#chunk = Chunk.DataEnd;
          if (n > 0) return n;
          break;
        }
        case Chunk.Size: {
          const line = await this.#line(MAX_CHUNK_LINE, "chunk size");
          const digits = /^[0-9A-Fa-f]+/.exec(line)?.[0] ?? "";
          const rest = line.slice(digits.length);
          if (!digits || digits.length > MAX_CHUNK_DIGITS || !/^[ \t]*(?:;.*)?$/.test(rest)) {
            throw new NetError(
              "BAD_RESPONSE",
              `invalid chunk size line ${JSON.stringify(line.slice(0, 40))}`,
            );
          }
          const size = parseInt(digits, 16);
          if (size === 0) this.#chunk = Chunk.Trailers;
          else {
            this.#remaining = size;
            this.#chunk = Chunk.Data;
          }
          break;
        }
        case Chunk.DataEnd: {
          const line = await this.#line(2, "chunk end");
          if (line !== "") throw new NetError("BAD_RESPONSE", "chunk data longer than its size");
          this.#chunk = Chunk.Size;
          break;
        }
        case Chunk.Trailers: {
          let size = 0;
          for (;;) {
            const line = await this.#line(MAX_HEAD_BYTES - size, "trailer");
            if (line === "") break;
            size += line.length + 2;
            if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+:/.test(line) && !/^[ \t]/.test(line)) {
              throw new NetError("BAD_RESPONSE", "invalid trailer line");
            }
          }
          this.#chunk = Chunk.Done;
          this.#done = true;
          this.#finish();
          return 0;
        }
        default:
          return 0;
      }
    }
  }

  /** The next CRLF-terminated line of at most `max` bytes, without its CRLF. */
  async #line(max: number, what: string): Promise<string> {
    for (;;) {
      const lf = this.#buffer.indexOf(10, this.#start);
      if (lf >= 0 && lf < this.#end) {
        // A bare LF ends a line, as in the head.
        const end = lf > this.#start && this.#buffer[lf - 1] === 13 ? lf - 1 : lf;
        if (end - this.#start > max) throw new NetError("BAD_RESPONSE", `${what} line too long`);
        const text = latin1(this.#buffer, this.#start, end);
        this.#start = lf + 1;
        if (text.includes("\r") || text.includes("\0")) {
          throw new NetError("BAD_RESPONSE", `a bare CR in the ${what}`);
        }
        return text;
      }
      if (this.#end - this.#start > max + 1) {
        throw new NetError("BAD_RESPONSE", `${what} line too long`);
      }
      if (!(await this.#fill())) {
        throw new NetError(
          "RECEIVE_FAILED",
          `error reading a body from connection: it closed inside the chunked body (${what})`,
        );
      }
    }
  }

  /** Reads more bytes into the buffer; `false` at end of stream. */
  async #fill(): Promise<boolean> {
    if (this.#eof) return false;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    if (this.#end === this.#buffer.byteLength) {
      const kept = this.#end - this.#start;
      if (this.#start > 0 && kept < this.#buffer.byteLength / 2) {
        this.#buffer.copyWithin(0, this.#start, this.#end);
      } else {
        const bigger = new Uint8Array(this.#buffer.byteLength * 2);
        bigger.set(this.#buffer.subarray(this.#start, this.#end));
        this.#buffer = bigger;
      }
      this.#start = 0;
      this.#end = kept;
    }
    const n = await this.conn.read(this.#buffer.subarray(this.#end));
    if (n === null) {
      this.#eof = true;
      return false;
    }
    this.#end += n;
    this.#received = true;
    return true;
  }

  /** Called once the body has ended: drops a grown buffer. */
  #finish(): void {
    if (this.#buffer.byteLength > INITIAL_BUFFER && this.#start === this.#end) {
      this.#buffer = new Uint8Array(INITIAL_BUFFER);
      this.#start = this.#end = 0;
    }
  }
}

function tooLarge(): NetError {
  return new NetError("BAD_RESPONSE", `the response head exceeds ${MAX_HEAD_BYTES} bytes`);
}
