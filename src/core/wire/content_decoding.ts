/**
 * Content decoding of response bodies on the engine (`gzip`, `x-gzip`,
 * `deflate`, `br`), in bounded pieces: each read of the decoded stream gets
 * at most {@linkcode PIECE} bytes, and nothing more is decoded until it is
 * read. A size limit downstream therefore stops a decompression bomb with
 * bounded memory, as it does on the `fetch` path.
 *
 * `DecompressionStream` cannot do that: it hands on all of one input chunk's
 * output at once (841 bytes of brotli are 1 GiB). So `gzip` and `deflate` go
 * through `node:zlib` streams with a 64 KiB `chunkSize`, and `br` through
 * `brotli-compress` (Rust's brotli as WebAssembly, inlined in its module, so
 * it needs no read permission and bundles), whose calls take an output size:
 * Deno's `node:zlib` brotli stream loses output when written in pieces and
 * does not report a truncated stream. Both load on first use.
 *
 * @module
 */

import type { Transform } from "node:stream";
import { NetError } from "../errors.ts";

/** The most one read of a decoded body gets. */
const PIECE = 64 * 1024;

/** Decoders by content coding, as `fetch` takes them (`deflate` is the zlib format). */
const CODINGS: Record<string, "gzip" | "deflate" | "br"> = {
  gzip: "gzip",
  "x-gzip": "gzip",
  deflate: "deflate",
  br: "br",
};

/**
 * `body` decoded by `contentEncoding` (codings applied in order are undone
 * in reverse); unknown codings leave the body as sent, as `fetch` does.
 * Corrupt or truncated data fails with `BAD_ENCODING`; a failure of the body
 * itself passes through unchanged.
 */
export function decodeBody(
  body: ReadableStream<Uint8Array>,
  contentEncoding: string | null,
): ReadableStream<Uint8Array> {
  if (!contentEncoding) return body;
  const codings = contentEncoding.toLowerCase().split(",").map((c) => c.trim()).filter((c) =>
    c !== "" && c !== "identity"
  );
  if (codings.length === 0 || codings.some((c) => !(c in CODINGS)) || codings.length > 3) {
    return body;
  }
  let decoded = body;
  for (let i = codings.length - 1; i >= 0; i--) {
    const coding = CODINGS[codings[i]];
    decoded = coding === "br"
      ? brotliDecoding(decoded, contentEncoding)
      : zlibDecoding(decoded, coding, contentEncoding);
  }
  return decoded;
}

/** The error for data that does not decode. */
function badEncoding(contentEncoding: string, cause?: unknown): NetError {
  const named = contentEncoding.replace(/\bbr\b/gi, "brotli");
  return new NetError("BAD_ENCODING", `cannot decode the ${named} body`, { cause });
}

type BrotliModule = typeof import("brotli-compress");
let brotli: Promise<BrotliModule> | null = null;

/** The brotli decoder's module: about 1.4 MB of JavaScript and WebAssembly, loaded once. */
function loadBrotli(): Promise<BrotliModule> {
  return brotli ??= import("brotli-compress");
}

/**
 * `source` decoded from brotli: each pull decodes until it has output (at
 * most {@linkcode PIECE} bytes) or needs input. A stream that ends before
 * its last block, or has bytes after it, is `BAD_ENCODING`.
 */
function brotliDecoding(
  source: ReadableStream<Uint8Array>,
  contentEncoding: string,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let decoder: Awaited<ReturnType<BrotliModule["createDecompressStream"]>> | null = null;
  let input: Uint8Array = new Uint8Array(0);
  /** The decoder's last answer: it needs input (2), has more output (3), or is done (1). */
  let state = 2;
  const release = () => {
    decoder?.free();
    decoder = null;
  };
  const fail = async (controller: ReadableStreamDefaultController<Uint8Array>, error: unknown) => {
    release();
    await reader.cancel().catch(() => {});
    controller.error(error);
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const web = await loadBrotli();
      const { NeedsMoreInput, NeedsMoreOutput, ResultSuccess } = web.BrotliStreamResultCode;
      decoder ??= await web.createDecompressStream();
      for (;;) {
        if (input.byteLength === 0 && state !== NeedsMoreOutput) {
          let next: ReadableStreamReadResult<Uint8Array>;
          try {
            next = await reader.read();
          } catch (error) {
            release();
            return controller.error(error);
          }
          if (next.done) {
            release();
            if (state === ResultSuccess) return controller.close();
            return controller.error(badEncoding(contentEncoding, new Error("truncated")));
          }
          input = next.value;
          continue;
        }
        if (state === ResultSuccess) {
          return fail(controller, badEncoding(contentEncoding, new Error("data after the end")));
        }
        let output: Uint8Array;
        try {
          const result = decoder!.decompress(input, PIECE);
          input = input.subarray(result.input_offset);
          state = result.code;
          output = result.buf;
          result.free();
        } catch (error) {
          return fail(controller, badEncoding(contentEncoding, error));
        }
        if (output.byteLength > 0) return controller.enqueue(output);
        if (state === NeedsMoreInput && input.byteLength > 0) {
          return fail(controller, badEncoding(contentEncoding, new Error("input left unread")));
        }
      }
    },
    cancel(reason) {
      release();
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

let zlib: Promise<typeof import("node:zlib")> | null = null;

/**
 * `source` decoded by a `node:zlib` stream: each pull takes one piece of its
 * output (≤ {@linkcode PIECE} bytes; the stream pauses after each), and the
 * source is read only when the decoder has used what it was given.
 */
function zlibDecoding(
  source: ReadableStream<Uint8Array>,
  coding: "gzip" | "deflate",
  contentEncoding: string,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let decoder: Transform | null = null;
  const ready: Uint8Array[] = [];
  let ended = false;
  let failure: { error: unknown } | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    const resume = wake;
    wake = null;
    resume?.();
  };

  const open = async (): Promise<Transform> => {
    const { createGunzip, createInflate } = await (zlib ??= import("node:zlib"));
    const made = coding === "gzip"
      ? createGunzip({ chunkSize: PIECE })
      : createInflate({ chunkSize: PIECE });
    made.on("data", (piece: Uint8Array) => {
      // A plain view: a Buffer's slice() does not copy, a Uint8Array's does.
      ready.push(new Uint8Array(piece.buffer, piece.byteOffset, piece.byteLength));
      made.pause();
      notify();
    });
    made.on("end", () => {
      ended = true;
      notify();
    });
    made.on("error", (error: unknown) => {
      failure ??= { error: badEncoding(contentEncoding, error) };
      notify();
    });
    feed(made);
    return made;
  };

  /** Writes the source into `into`, waiting while it holds unused input. */
  const feed = async (into: Transform) => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (into.destroyed) return;
        if (done) return void into.end();
        if (into.write(value)) continue;
        await new Promise<void>((resolve) => {
          const go = () => {
            into.off("drain", go);
            into.off("close", go);
            resolve();
          };
          into.on("drain", go);
          into.on("close", go);
        });
      }
    } catch (error) {
      failure ??= { error };
      into.destroy();
      notify();
    }
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      decoder ??= await open();
      while (ready.length === 0 && !ended && !failure) {
        const waiting = new Promise<void>((resolve) => wake = resolve);
        decoder.resume();
        await waiting;
      }
      if (ready.length > 0) return controller.enqueue(ready.shift()!);
      decoder.destroy();
      if (failure) {
        await reader.cancel().catch(() => {});
        controller.error(failure.error);
      } else controller.close();
    },
    cancel(reason) {
      decoder?.destroy();
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
