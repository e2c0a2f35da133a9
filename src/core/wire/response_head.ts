/**
 * The response head by RFC 9112: status line, fields, and the framing the
 * body follows (§6.3). Strict where laxness lets two parsers disagree on
 * where a message ends: a bare CR, whitespace before a colon, obs-fold, a
 * malformed or conflicting `Content-Length`, `Content-Length` beside
 * `Transfer-Encoding`, an unknown transfer coding, an oversized head are all
 * errors. A bare LF ends a line (§2.2). The `fetch` path applies the same
 * rules (src/core/framing.ts), so both read a message alike.
 *
 * @module
 */

import { NetError } from "../errors.ts";
import type { FieldLists, HeaderView } from "../transport.ts";

/** The largest response head accepted, status line to blank line. */
export const MAX_HEAD_BYTES = 256 * 1024;

/** How the body of a response is delimited. */
export type Framing =
  | { readonly kind: "none" }
  | { readonly kind: "length"; readonly length: number }
  | { readonly kind: "chunked" }
  | { readonly kind: "close" };

/** A parsed response head. */
export interface ResponseHead {
  readonly status: number;
  readonly statusText: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  readonly minor: number;
  readonly headers: FlatHeaders;
  /** Whether the connection may carry another request after this response. */
  readonly keepAlive: boolean;
  /** `content-encoding` as sent, or `null`. */
  readonly contentEncoding: string | null;
  /** `content-length` as sent (repeated fields joined with ", "), or `null`. */
  readonly contentLength: string | null;
  /** `transfer-encoding` as sent, or `null`. */
  readonly transferEncoding: string | null;
}

/**
 * Response fields as parsed, in a flat list. It is a `Headers` (so layers
 * and faces that want one take it as is) whose reads go to the list: no
 * header list is built until someone changes it, which costs more than the
 * rest of a small exchange. Names are lower-case.
 *
 * @example
 * ```ts
 * import { FlatHeaders } from "./response_head.ts";
 * const headers = new FlatHeaders(["content-type", "set-cookie", "set-cookie"], ["text/plain", "a=1", "b=2"]);
 * headers.get("Content-Type"); // "text/plain"
 * headers.getSetCookie(); // ["a=1", "b=2"]
 * ```
 */
export class FlatHeaders extends Headers implements HeaderView {
  #names: string[] | null;
  #values: string[];
  #sorted: [string, string][] | null = null;

  /** @param names lower-case names @param values their values, in the same order */
  constructor(names: string[], values: string[]) {
    super();
    this.#names = names;
    this.#values = values;
  }

  /** The value of `name`, repeated fields joined with ", "; `null` when absent. */
  override get(name: string): string | null {
    const names = this.#names;
    if (names === null) return super.get(name);
    const key = name.toLowerCase();
    let found: string | null = null;
    for (let i = 0; i < names.length; i++) {
      if (names[i] !== key) continue;
      found = found === null ? this.#values[i] : `${found}, ${this.#values[i]}`;
    }
    return found;
  }

  /** Whether `name` is present. */
  override has(name: string): boolean {
    return this.#names === null ? super.has(name) : this.#names.includes(name.toLowerCase());
  }

  /** Each field in name order, as `Headers.forEach` yields them (`set-cookie` once per value). */
  override forEach(
    callback: (value: string, name: string, parent: this) => void,
    thisArg?: unknown,
  ): void {
    if (this.#names === null) return super.forEach(callback, thisArg);
    for (const [name, value] of this.#pairs()) callback.call(thisArg, value, name, this);
  }

  /** The fields as received, until a change moves them into the `Headers` (then `null`). */
  fieldLists(): FieldLists | null {
    return this.#names === null ? null : { names: this.#names, values: this.#values };
  }

  /** Every `set-cookie` value, in order. */
  override getSetCookie(): string[] {
    if (this.#names === null) return super.getSetCookie();
    const out: string[] = [];
    for (let i = 0; i < this.#names.length; i++) {
      if (this.#names[i] === "set-cookie") out.push(this.#values[i]);
    }
    return out;
  }

  /** `[name, value]` pairs as `Headers` iterates them. */
  override entries(): ReturnType<Headers["entries"]> {
    if (this.#names === null) return super.entries();
    // Copies: a caller may change the pairs it gets.
    return this.#pairs().map(([name, value]) => [name, value])[Symbol.iterator]() as ReturnType<
      Headers["entries"]
    >;
  }

  override keys(): ReturnType<Headers["keys"]> {
    if (this.#names === null) return super.keys();
    return this.#pairs().map(([name]) => name)[Symbol.iterator]() as ReturnType<Headers["keys"]>;
  }

  override values(): ReturnType<Headers["values"]> {
    if (this.#names === null) return super.values();
    return this.#pairs().map(([, value]) => value)[Symbol.iterator]() as ReturnType<
      Headers["values"]
    >;
  }

  override [Symbol.iterator](): ReturnType<Headers["entries"]> {
    return this.entries();
  }

  override append(name: string, value: string): void {
    this.#materialize();
    super.append(name, value);
  }

  override set(name: string, value: string): void {
    this.#materialize();
    super.set(name, value);
  }

  override delete(name: string): void {
    this.#materialize();
    super.delete(name);
  }

  /** The pairs in `Headers` order (sorted names, repeated fields joined, `set-cookie` apart), built once. */
  #pairs(): [string, string][] {
    if (this.#sorted) return this.#sorted;
    const names = this.#names!;
    const values = this.#values;
    const out: [string, string][] = [];
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      if (name === "set-cookie") {
        out.push([name, values[i]]);
        continue;
      }
      let j = 0;
      while (j < out.length && out[j][0] !== name) j++;
      if (j === out.length) out.push([name, values[i]]);
      else out[j][1] = `${out[j][1]}, ${values[i]}`;
    }
    // A stable sort keeps the set-cookie values in their order.
    out.sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
    return this.#sorted = out;
  }

  /** Moves the list into the `Headers` itself before a change. */
  #materialize(): void {
    const names = this.#names;
    if (names === null) return;
    this.#names = null;
    this.#sorted = null;
    for (let i = 0; i < names.length; i++) super.append(names[i], this.#values[i]);
    this.#values = [];
  }
}

/**
 * Finds where a response head ends, checking every byte once on the way
 * (resumable as more bytes arrive): a control character other than HTAB,
 * CR and LF, or a CR that does not end a line, is an error. It notes where
 * each line ends and its first colon, so the parser never searches the text.
 *
 * @example
 * ```ts
 * import { HeadScanner } from "./response_head.ts";
 * const bytes = new TextEncoder().encode("HTTP/1.1 204 No Content\r\n\r\n");
 * const scanner = new HeadScanner();
 * scanner.reset(0);
 * scanner.scan(bytes, bytes.byteLength); // 27: the head ends there
 * ```
 */
export class HeadScanner {
  /**
   * Per line before the blank one, from the status line on: its first
   * index, the index its CR LF (or LF) starts at, and its first colon when
   * only token characters come before it (else -1: no valid field).
   */
  lines: number[] = [];
  /** How many entries of `lines` belong to the current head (the array is kept, not emptied). */
  count = 0;
  /** Whether every byte so far is ASCII. */
  ascii = true;
  #at = 0;
  #lineStart = 0;
  #colon = -1;
  #nameOk = true;

  /** Starts over for a head that begins at `start`. */
  reset(start: number): void {
    this.count = 0;
    // A head of many lines grew the array: a pooled connection should not keep that.
    if (this.lines.length > MAX_KEPT_LINES * 3) this.lines = [];
    this.ascii = true;
    this.#at = this.#lineStart = start;
    this.#colon = -1;
    this.#nameOk = true;
  }

  /** Follows the head's bytes moved `by` places toward the buffer's start. */
  shift(by: number): void {
    const lines = this.lines;
    for (let i = 0; i < this.count; i++) {
      if (lines[i] >= 0) lines[i] -= by;
    }
    this.#at -= by;
    this.#lineStart -= by;
    if (this.#colon >= 0) this.#colon -= by;
  }

  /**
   * Scans `bytes` on to `to`: the index after the blank line that ends the
   * head, or -1 when more bytes are needed. Throws `BAD_RESPONSE` for a byte
   * no head may hold.
   */
  scan(bytes: Uint8Array, to: number): number {
    let colon = this.#colon;
    let lineStart = this.#lineStart;
    let nameOk = this.#nameOk;
    const lines = this.lines;
    let count = this.count;
    for (let i = this.#at; i < to; i++) {
      const c = bytes[i];
      if (c > 31 && c < 127) {
        if (colon < 0) {
          if (c === 58) colon = i;
          else if (TOKEN_BYTES[c] === 0) nameOk = false;
        }
        continue;
      }
      if (c > 127) {
        this.ascii = false;
        if (colon < 0) nameOk = false;
        continue;
      }
      if (colon < 0) nameOk = false;
      if (c === 9) continue;
      if (c === 13) {
        if (i + 1 === to) {
          // A CR at the end so far: decided by the next byte.
          this.count = count;
          this.#at = i;
          this.#colon = colon;
          this.#lineStart = lineStart;
          this.#nameOk = nameOk;
          return -1;
        }
        if (bytes[i + 1] !== 10) throw bad("a bare CR in the response head");
        continue;
      }
      if (c !== 10) throw bad("a control character in the response head");
      // A bare LF ends a line as CRLF does (RFC 9112 §2.2 allows it, and `fetch` does it too).
      const end = i > lineStart && bytes[i - 1] === 13 ? i - 1 : i;
      if (end === lineStart && count > 0) {
        this.count = count;
        return i + 1;
      }
      lines[count] = lineStart;
      lines[count + 1] = end;
      lines[count + 2] = nameOk && colon > lineStart ? colon : -1;
      count += 3;
      lineStart = i + 1;
      colon = -1;
      nameOk = true;
    }
    this.count = count;
    this.#at = to;
    this.#colon = colon;
    this.#lineStart = lineStart;
    this.#nameOk = nameOk;
    return -1;
  }
}

/** Lines of a head whose entries a scanner keeps for the next head (more are dropped). */
const MAX_KEPT_LINES = 64;

/** Bytes as a string, one char per byte (as `fetch` maps header bytes). */
export function latin1(bytes: Uint8Array, from: number, to: number): string {
  if (to - from > 16) {
    // ASCII decodes alike as UTF-8, and the decoder is several times faster than char codes.
    // Any other byte either joins a sequence (fewer chars) or becomes U+FFFD.
    const text = utf8.decode(bytes.subarray(from, to));
    if (text.length === to - from && !text.includes("\uFFFD")) return text;
  }
  let out = "";
  for (let at = from; at < to; at += 8192) {
    const end = Math.min(to, at + 8192);
    out += String.fromCharCode.apply(null, bytes.subarray(at, end) as unknown as number[]);
  }
  return out;
}

const utf8 = new TextDecoder();

/** ASCII bytes as a string (the decoder is several times faster than char codes). */
function ascii(bytes: Uint8Array, from: number, to: number): string {
  return utf8.decode(bytes.subarray(from, to));
}

const DIGITS = /^\d+$/;
const CLOSE = /(?:^|,)\s*close\s*(?:,|$)/i;
const KEEP_ALIVE = /(?:^|,)\s*keep-alive\s*(?:,|$)/i;

function bad(detail: string): NetError {
  return new NetError("BAD_RESPONSE", detail);
}

/**
 * Parses a complete head (`text` ends with its blank line). 1xx heads parse
 * too; the caller skips them.
 *
 * @example
 * ```ts
 * import { parseHead } from "./response_head.ts";
 * parseHead("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n").status; // 200
 * ```
 */
export function parseHead(text: string): ResponseHead {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  const scanner = new HeadScanner();
  scanner.reset(0);
  const end = scanner.scan(bytes, bytes.byteLength);
  if (end < 0) throw bad("the response head is incomplete");
  return parseScanned(bytes, 0, end, scanner);
}

/**
 * Parses the head `scanner` found in `bytes[start, end)` (it has checked
 * every byte and knows where each line and first colon are).
 */
export function parseScanned(
  bytes: Uint8Array,
  start: number,
  end: number,
  scanner: HeadScanner,
): ResponseHead {
  const text = scanner.ascii ? ascii(bytes, start, end) : latin1(bytes, start, end);
  const lines = scanner.lines;
  const { minor, status, statusText } = parseStatusLine(bytes, lines[0], lines[1], text, start);
  const names: string[] = [];
  const values: string[] = [];
  let connection: string | null = null;
  let contentEncoding: string | null = null;
  let contentLength: string | null = null;
  let transferEncoding: string | null = null;
  for (let i = 3; i < scanner.count; i += 3) {
    const at = lines[i] - start;
    const lineEnd = lines[i + 1] - start;
    const colon = lines[i + 2] - start;
    const first = text.charCodeAt(at);
    if (first === 32 || first === 9) {
      // obs-fold: refused, as `fetch` refuses it, so both paths read a head alike.
      throw bad("a folded header line (obs-fold)");
    }
    if (colon < 0) {
      const line = text.slice(at, lineEnd);
      const named = line.indexOf(":");
      throw bad(
        named > 0
          ? `invalid header name ${JSON.stringify(line.slice(0, named).slice(0, 80))}`
          : `invalid header line ${JSON.stringify(line.slice(0, 80))}`,
      );
    }
    // Only token characters (checked by the scanner): lower-casing is all that is left.
    const name = text.slice(at, colon).toLowerCase();
    const value = trimOws(text, colon + 1, lineEnd);
    names.push(name);
    values.push(value);
    switch (name) {
      case "connection":
        connection = connection === null ? value : `${connection}, ${value}`;
        break;
      case "content-encoding":
        contentEncoding = contentEncoding === null ? value : `${contentEncoding}, ${value}`;
        break;
      case "content-length":
        contentLength = contentLength === null ? value : `${contentLength}, ${value}`;
        break;
      case "transfer-encoding":
        transferEncoding = transferEncoding === null ? value : `${transferEncoding}, ${value}`;
    }
  }
  const keepAlive = minor === 1
    ? connection === null || connection === "keep-alive" || !CLOSE.test(connection)
    : connection !== null && KEEP_ALIVE.test(connection);
  return {
    status,
    statusText,
    minor,
    headers: new FlatHeaders(names, values),
    keepAlive,
    contentEncoding,
    contentLength,
    transferEncoding,
  };
}

/**
 * The parts of the status line in `bytes[at, end)` (`text` holds the head
 * from `offset`): `HTTP/1.x`, a space, three digits, then nothing or a
 * space and the reason (whose bytes the scanner has checked).
 */
function parseStatusLine(
  bytes: Uint8Array,
  at: number,
  end: number,
  text: string,
  offset: number,
): { minor: number; status: number; statusText: string } {
  const minor = bytes[at + 7] - 48;
  const d1 = bytes[at + 9] - 48, d2 = bytes[at + 10] - 48, d3 = bytes[at + 11] - 48;
  if (
    end - at < 12 || bytes[at] !== 72 || bytes[at + 1] !== 84 || bytes[at + 2] !== 84 ||
    bytes[at + 3] !== 80 || bytes[at + 4] !== 47 || bytes[at + 5] !== 49 ||
    bytes[at + 6] !== 46 || (minor !== 0 && minor !== 1) || bytes[at + 8] !== 32 ||
    !(d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9 && d3 >= 0 && d3 <= 9) ||
    (end - at > 12 && bytes[at + 12] !== 32)
  ) {
    const line = text.slice(at - offset, end - offset);
    throw bad(`invalid status line ${JSON.stringify(line.slice(0, 80))}`);
  }
  return {
    minor,
    status: d1 * 100 + d2 * 10 + d3,
    statusText: end - at > 13 ? text.slice(at + 13 - offset, end - offset) : "",
  };
}

/** Bytes that may appear in a token (RFC 9110 §5.6.2), by value. */
const TOKEN_BYTES = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
  TOKEN_BYTES[c.charCodeAt(0)] = 1;
}

/**
 * The framing of the body of `head`, the response to a `method` request
 * (RFC 9112 §6.3); throws `BAD_RESPONSE` when it is ambiguous.
 */
export function framingOf(head: ResponseHead, method: string): Framing {
  const status = head.status;
  if (method === "HEAD" || status === 204 || status === 304 || status < 200) {
    return NO_BODY;
  }
  if (method === "CONNECT" && status < 300) return NO_BODY;
  const { transferEncoding, contentLength } = head;
  if (transferEncoding !== null) {
    if (contentLength !== null) {
      throw bad("both Content-Length and Transfer-Encoding: the message framing is ambiguous");
    }
    const codings = transferEncoding.toLowerCase().split(",").map((c) => c.trim()).filter(
      (c) => c !== "",
    );
    if (codings.length === 1 && codings[0] === "chunked") return CHUNKED;
    throw bad(`unsupported Transfer-Encoding ${JSON.stringify(transferEncoding.slice(0, 80))}`);
  }
  if (contentLength !== null) {
    if (contentLength.length <= 15 && DIGITS.test(contentLength)) {
      return { kind: "length", length: Number(contentLength) };
    }
    // "5, 5" (or the field twice with one value) is one length; anything else is an error.
    let length = -1;
    for (const part of contentLength.split(",")) {
      const text = part.trim();
      if (!DIGITS.test(text) || text.length > 15) {
        throw bad(`invalid Content-Length ${JSON.stringify(contentLength.slice(0, 80))}`);
      }
      const value = Number(text);
      if (length >= 0 && value !== length) {
        throw bad(
          `invalid Content-Length: conflicting values ${
            JSON.stringify(contentLength.slice(0, 80))
          }`,
        );
      }
      length = value;
    }
    return { kind: "length", length };
  }
  return CLOSE_DELIMITED;
}

const NO_BODY: Framing = { kind: "none" };
const CHUNKED: Framing = { kind: "chunked" };
const CLOSE_DELIMITED: Framing = { kind: "close" };

/**
 * `text[start, end)` without leading and trailing spaces and tabs. A loop,
 * not `/[ \t]+$/`: that regex backtracks quadratically over a long run of
 * spaces inside a value (64 KiB of them cost seconds of CPU).
 */
function trimOws(text: string, start: number, end: number): string {
  while (start < end && (text.charCodeAt(start) === 32 || text.charCodeAt(start) === 9)) start++;
  while (end > start && (text.charCodeAt(end - 1) === 32 || text.charCodeAt(end - 1) === 9)) end--;
  return text.slice(start, end);
}
