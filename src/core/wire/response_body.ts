/**
 * The response body as a byte stream with backpressure (read only when the
 * consumer asks; BYOB readers get bytes straight into their arrays). Content
 * decoding is in `content_decoding.ts`.
 *
 * @module
 */

import type { Http1Connection } from "./http1_connection.ts";

/** Size of the arrays a default (non-BYOB) reader gets. */
const CHUNK = 64 * 1024;

/** What the body stream reports to its owner. */
export interface BodyEnd {
  /** The body was read to its end: the connection may go back to the pool. */
  done(): void;
  /** The body failed or was cancelled: the connection must close. */
  failed(): void;
  /** Maps a read failure to what the consumer sees (the abort reason once aborted). */
  explain(error: unknown): unknown;
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
