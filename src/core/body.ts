/**
 * Request bodies with a known size.
 *
 * Deno sends every `ReadableStream` body chunked, and many servers refuse a
 * chunked upload. A `Blob` subclass whose `size` and `stream()` are
 * overridden is sent with `Content-Length: size` and read from our stream:
 * that keeps the length and lets us count the bytes fetch pulls.
 *
 * @module
 */

import { NetError } from "./errors.ts";

/** A request body whose size is known before it is sent. */
export interface RequestBody {
  /** Exact number of bytes `stream()` yields. */
  readonly size: number;
  /** The whole body when it is in memory; sent as-is, the fastest path. */
  readonly bytes: Uint8Array | null;
  /** A fresh stream of exactly `size` bytes; called again when a 307/308 re-sends it. */
  stream(): ReadableStream<Uint8Array>;
}

/** A body held in memory. */
export function bytesBody(bytes: Uint8Array): RequestBody {
  return {
    size: bytes.byteLength,
    bytes,
    stream: () => new Blob([bytes as Uint8Array<ArrayBuffer>]).stream(),
  };
}

const SLICE = 64 * 1024;

/**
 * What to hand `fetch` as the body. Without `onPulled` an in-memory body goes
 * as bytes; otherwise it is streamed through a sized blob that reports every
 * chunk fetch pulls from it.
 */
export function toFetchBody(body: RequestBody, onPulled?: (bytes: number) => void): BodyInit {
  if (!onPulled && body.bytes) return body.bytes as Uint8Array<ArrayBuffer>;
  if (!sizedBlobWorks()) {
    if (body.bytes) return body.bytes as Uint8Array<ArrayBuffer>;
    return body.stream();
  }
  const source = body.bytes ? () => sliced(body.bytes!) : () => body.stream();
  return new SizedStreamBlob(body.size, () => counted(source(), body.size, onPulled));
}

/** A `Blob` that fetch sends with `Content-Length: size`, read from `make()`. */
class SizedStreamBlob extends Blob {
  readonly #size: number;
  readonly #make: () => ReadableStream<Uint8Array>;

  constructor(size: number, make: () => ReadableStream<Uint8Array>) {
    super([]);
    this.#size = size;
    this.#make = make;
  }

  override get size(): number {
    return this.#size;
  }

  override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    return this.#make() as ReadableStream<Uint8Array<ArrayBuffer>>;
  }
}

let sizedBlobChecked: boolean | undefined;

/** Checks once that this Deno reads an overridden `Blob.stream()` (an implementation detail). */
function sizedBlobWorks(): boolean {
  if (sizedBlobChecked !== undefined) return sizedBlobChecked;
  let called = false;
  const probe = new SizedStreamBlob(1, () => {
    called = true;
    return new Blob(["x"]).stream();
  });
  const request = new Request("http://127.0.0.1/", { method: "POST", body: probe });
  request.body?.cancel().catch(() => {});
  return sizedBlobChecked = called;
}

function sliced(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      const end = Math.min(offset + SLICE, bytes.byteLength);
      controller.enqueue(bytes.subarray(offset, end));
      offset = end;
      if (offset >= bytes.byteLength) controller.close();
    },
  }, { highWaterMark: 0 });
}

/** Counts what fetch pulls and insists on exactly `size` bytes. */
function counted(
  source: ReadableStream<Uint8Array>,
  size: number,
  onPulled?: (bytes: number) => void,
): ReadableStream<Uint8Array> {
  let pulled = 0;
  return source.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        pulled += chunk.byteLength;
        if (pulled > size) {
          throw new NetError("READ_FILE_FAILED", `the body grew beyond its size of ${size} bytes`);
        }
        controller.enqueue(chunk);
        onPulled?.(pulled);
      },
      flush() {
        if (pulled !== size) {
          throw new NetError("READ_FILE_FAILED", `the body ended at ${pulled} of ${size} bytes`);
        }
      },
    }),
  );
}
