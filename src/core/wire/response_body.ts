/**
 * The engine's response and its body: the whole body read straight into one
 * array, or a byte stream with backpressure (read only when the consumer
 * asks; BYOB readers get bytes straight into their arrays), built only when
 * someone asks for it. Content decoding is in `content_decoding.ts`.
 *
 * @module
 */

import type { ConnectionFacts, WireResponse } from "../transport.ts";
import { decodeBody } from "./content_decoding.ts";
import type { Http1Connection } from "./http1_connection.ts";
import type { FlatHeaders, ResponseHead } from "./response_head.ts";

/** Size of the arrays a default (non-BYOB) reader gets. */
const CHUNK = 64 * 1024;
/** First size of the array `arrayBuffer()` reads a body of unknown length into (doubled as needed). */
const UNSIZED_START = 16 * 1024;

/** What the body stream reports to its owner. */
export interface BodyEnd {
  /** The body was read to its end: the connection may go back to the pool. */
  done(): void;
  /** The body failed or was cancelled: the connection must close. */
  failed(): void;
  /** Maps a read failure to what the consumer sees (the abort reason once aborted). */
  explain(error: unknown): unknown;
}

/**
 * The engine's response. Its body becomes a stream only when someone asks
 * for `body`: a reader that wants the whole body takes `arrayBuffer()`,
 * which reads the bytes straight from the connection into one array.
 */
export class EngineResponse implements WireResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: FlatHeaders;
  readonly connection: ConnectionFacts;
  /** `arrayBuffer()` reads a sized body into one array of its size, with no stream. */
  readonly arrayBufferIsDirect = true;
  readonly #noBody: boolean;
  readonly #encoding: string | null;
  /** The connection still carrying the body; `null` once it ended (or there was none). */
  #wire: Http1Connection | null;
  readonly #end: BodyEnd;
  /** The body stream once built; `undefined` before. */
  #body: ReadableStream<Uint8Array> | null | undefined = undefined;

  /**
   * @param head the parsed head
   * @param noBody the response has no body by its status and method (`body` is `null`)
   * @param wire the connection to read the body from; `null` when it has already ended
   * @param end told when the body ends or fails
   */
  constructor(
    head: ResponseHead,
    connection: ConnectionFacts,
    noBody: boolean,
    wire: Http1Connection | null,
    end: BodyEnd,
  ) {
    this.status = head.status;
    this.statusText = head.statusText;
    this.headers = head.headers;
    this.connection = connection;
    this.#noBody = noBody;
    this.#encoding = head.contentEncoding;
    this.#wire = wire;
    this.#end = end;
  }

  /** The body as a byte stream, built on first use; `null` when there is none. */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#body !== undefined) return this.#body;
    const wire = this.#wire;
    this.#wire = null;
    if (this.#noBody) return this.#body = null;
    if (!wire) return this.#body = emptyStream();
    return this.#body = decodeBody(bodyStream(wire, this.#end), this.#encoding);
  }

  /** `arrayBuffer()` reports each piece of a body it reads from the connection (not decoded). */
  get reportsProgress(): boolean {
    return !this.#encoding;
  }

  /**
   * The whole body, read from the connection into one array (through the
   * stream when decoded); `onProgress` is called as each piece arrives.
   */
  async arrayBuffer(onProgress?: () => void): Promise<ArrayBuffer> {
    const wire = this.#wire;
    if (!wire || this.#encoding) {
      const body = this.body;
      return body ? await new Response(body).arrayBuffer() : new ArrayBuffer(0);
    }
    this.#wire = null; // `body` is an empty stream from now on
    // An ArrayBuffer first: the `.buffer` of a small Uint8Array would be moved off the heap.
    let out = new Uint8Array(new ArrayBuffer(wire.remainingHint || UNSIZED_START));
    // A small body is usually in the read buffer already: no wait, no promise.
    let filled = wire.readBuffered(out);
    try {
      while (!wire.bodyDone) {
        if (filled === out.byteLength) {
          const bigger = new Uint8Array(new ArrayBuffer(out.byteLength * 2));
          bigger.set(out);
          out = bigger;
        }
        const n = await wire.readBody(out.subarray(filled));
        if (n === 0) break;
        filled += n;
        onProgress?.();
      }
    } catch (error) {
      this.#end.failed();
      throw this.#end.explain(error);
    }
    this.#end.done();
    return filled === out.byteLength ? out.buffer : out.buffer.slice(0, filled);
  }
}

/** A body of no bytes. */
function emptyStream(): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (controller) => controller.close() });
}

/** A byte stream over the body of the response just read on `wire`. */
export function bodyStream(wire: Http1Connection, end: BodyEnd): ReadableStream<Uint8Array> {
  let finished = false;
  const finish = (ok: boolean) => {
    if (finished) return;
    finished = true;
    if (ok) end.done();
    else end.failed();
  };
  return new ReadableStream({
    type: "bytes",
    async pull(controller) {
      try {
        const request = controller.byobRequest;
        if (request?.view) {
          const view = request.view as Uint8Array;
          const into = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
          const n = await wire.readBody(into);
          if (n === 0) {
            finish(true);
            controller.close();
            request.respond(0);
          } else {
            request.respond(n);
            if (wire.bodyDone) {
              finish(true);
              controller.close();
            }
          }
          return;
        }
        const hint = wire.remainingHint;
        const chunk = new Uint8Array(hint > 0 && hint < CHUNK ? hint : CHUNK);
        const n = await wire.readBody(chunk);
        if (n === 0) {
          finish(true);
          controller.close();
          return;
        }
        controller.enqueue(n === chunk.byteLength ? chunk : chunk.subarray(0, n));
        if (wire.bodyDone) {
          finish(true);
          controller.close();
        }
      } catch (error) {
        finish(false);
        controller.error(end.explain(error));
      }
    },
    cancel() {
      finish(false);
    },
  }, { highWaterMark: 0 });
}
