/**
 * The response body as a byte stream with backpressure (read only when the
 * consumer asks; BYOB readers get bytes straight into their arrays), then
 * content decoding (gzip, x-gzip, deflate, br) through `DecompressionStream`.
 *
 * @module
 */

import { NetError } from "../errors.ts";
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

const FORMATS: Record<string, CompressionFormat> = {
  gzip: "gzip",
  "x-gzip": "gzip",
  deflate: "deflate",
  br: "brotli" as CompressionFormat,
};

/**
 * `body` decoded by `contentEncoding` (codings applied in order are undone
 * in reverse); unknown codings leave the body as sent, as `fetch` does.
 * Corrupt data fails with `BAD_ENCODING`; a failure of the body itself
 * passes through unchanged.
 */
export function decodeBody(
  body: ReadableStream<Uint8Array>,
  contentEncoding: string | null,
): ReadableStream<Uint8Array> {
  if (!contentEncoding) return body;
  const codings = contentEncoding.toLowerCase().split(",").map((c) => c.trim()).filter((c) =>
    c !== "" && c !== "identity"
  );
  if (codings.length === 0 || codings.some((c) => !(c in FORMATS)) || codings.length > 3) {
    return body;
  }
  let sourceError: { error: unknown } | null = null;
  // Remember a failure of the body itself, to tell it from a decoding error.
  let decoded = watchErrors(body, (error) => sourceError = { error });
  for (let i = codings.length - 1; i >= 0; i--) {
    const stage = new DecompressionStream(FORMATS[codings[i]]);
    decoded = decoded.pipeThrough(stage as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
  }
  const reader = decoded.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        if (sourceError) controller.error(sourceError.error);
        else {
          controller.error(
            new NetError("BAD_ENCODING", `cannot decode the ${named(contentEncoding)} body`, {
              cause: error,
            }),
          );
        }
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/** `body` unchanged, with `onError` told of its own failure before it propagates. */
function watchErrors(
  body: ReadableStream<Uint8Array>,
  onError: (error: unknown) => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        onError(error);
        controller.error(error);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/** A coding as messages name it (`br` is brotli). */
function named(contentEncoding: string): string {
  return contentEncoding.replace(/\bbr\b/gi, "brotli");
}
