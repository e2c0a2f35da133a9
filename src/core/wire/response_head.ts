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
import type { HeaderView } from "../transport.ts";

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
 * Where the head in `bytes[from, to)` ends (the index after its blank
 * line), `-1` when more bytes are needed. A bare LF ends a line here too.
 */
export function findHeadEnd(bytes: Uint8Array, from: number, to: number): number {
  let at = from;
  for (;;) {
    const lf = bytes.indexOf(10, at);
    if (lf < 0 || lf >= to) return -1;
    if (lf + 1 >= to) return -1;
    const next = bytes[lf + 1];
    if (next === 10) return lf + 2;
    if (next === 13) {
      if (lf + 2 >= to) return -1;
      if (bytes[lf + 2] === 10) return lf + 3;
    }
    at = lf + 1;
  }
}

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

// Control characters are exactly what this pattern is about.
// deno-lint-ignore no-control-regex
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: ([^\x00-\x08\x0a-\x1f\x7f]*))?$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/**
 * What no head may hold anywhere: a control character other than HTAB, CR
 * and LF, or a CR that does not end a line. One pass over the whole head.
 */
// Control characters are exactly what this pattern is about.
// deno-lint-ignore no-control-regex
const BAD_CHAR = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)/;
const DIGITS = /^\d+$/;
const CLOSE = /(?:^|,)\s*close\s*(?:,|$)/i;
const KEEP_ALIVE = /(?:^|,)\s*keep-alive\s*(?:,|$)/i;

/** How many distinct status lines and field names are remembered (a server sends few). */
const MEMO_SIZE = 256;
/** Status lines seen, parsed: most responses repeat one. */
const statusLines = new Map<string, { minor: number; status: number; statusText: string }>();
/** Field names seen, checked and lower-cased. */
const fieldNames = new Map<string, string>();

function bad(detail: string): NetError {
  return new NetError("BAD_RESPONSE", detail);
}

/**
 * Parses a complete head (`text` ends with its blank line) in one pass. 1xx
 * heads parse too; the caller skips them.
 */
export function parseHead(text: string): ResponseHead {
  // A bare LF ends a line as CRLF does (RFC 9112 §2.2 allows it, and `fetch` does it too).
  const bareCr = BAD_CHAR.exec(text);
  if (bareCr) {
    throw bad(
      bareCr[0] === "\r"
        ? "a bare CR in the response head"
        : "a control character or bare CR/LF in the response head",
    );
  }
  let lf = text.indexOf("\n");
  const statusLine = text.slice(0, text.charCodeAt(lf - 1) === 13 ? lf - 1 : lf);
  const { minor, status, statusText } = parseStatusLine(statusLine);
  const names: string[] = [];
  const values: string[] = [];
  let connection: string | null = null;
  let contentEncoding: string | null = null;
  let contentLength: string | null = null;
  let transferEncoding: string | null = null;
  let at = lf + 1;
  for (;;) {
    lf = text.indexOf("\n", at);
    const end = lf > at && text.charCodeAt(lf - 1) === 13 ? lf - 1 : lf;
    if (end === at) break; // the blank line
    const first = text.charCodeAt(at);
    if (first === 32 || first === 9) {
      // obs-fold: refused, as `fetch` refuses it, so both paths read a head alike.
      throw bad("a folded header line (obs-fold)");
    }
    const colon = text.indexOf(":", at);
    if (colon <= at || colon > end) {
      throw bad(`invalid header line ${JSON.stringify(text.slice(at, end).slice(0, 80))}`);
    }
    const rawName = text.slice(at, colon);
    let name = fieldNames.get(rawName);
    if (name === undefined) {
      if (!TOKEN.test(rawName)) {
        throw bad(`invalid header name ${JSON.stringify(rawName.slice(0, 80))}`);
      }
      name = rawName.toLowerCase();
      if (fieldNames.size < MEMO_SIZE) fieldNames.set(rawName, name);
    }
    const value = trimOws(text, colon + 1, end);
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
    at = lf + 1;
  }
  const keepAlive = minor === 1
    ? connection === null || !CLOSE.test(connection)
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

/** The parts of a status line, remembered for the next response that repeats it. */
function parseStatusLine(line: string): { minor: number; status: number; statusText: string } {
  let parsed = statusLines.get(line);
  if (parsed) return parsed;
  const match = STATUS_LINE.exec(line);
  if (!match) throw bad(`invalid status line ${JSON.stringify(line.slice(0, 80))}`);
  parsed = {
    minor: match[1] === "1" ? 1 : 0,
    status: Number(match[2]),
    statusText: match[3] ?? "",
  };
  if (statusLines.size < MEMO_SIZE) statusLines.set(line, parsed);
  return parsed;
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
