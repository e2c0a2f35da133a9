/**
 * Reading a response body: a small one in one go when nothing needs each
 * chunk; chunk by chunk into our own arrays when it is large, or when a size
 * limit, progress or stream events ask for it.
 *
 * @module
 */

import { classifyError, NetError } from "./errors.ts";
import type { CoreRequest, RequestEvents } from "./request.ts";
import type { Deadline } from "./timeouts.ts";
import type { WireResponse } from "./transport.ts";

/** The body (buffer mode) and how many bytes arrived. */
export interface BodyRead {
  readonly body: Uint8Array | null;
  readonly received: number;
}

const EMPTY = new Uint8Array(0);

/** Reads (or streams) the body of `response` (whose head has `headers`) under the request's limits. */
export async function readBody(
  response: WireResponse,
  headers: Headers,
  request: CoreRequest,
  events: RequestEvents,
  deadline: Deadline,
): Promise<BodyRead> {
  const buffer = request.bodyMode === "buffer";
  const length = declaredLength(headers);
  // An idle limit needs each chunk as a sign of progress, whatever the body's size: a small
  // body dripping in slower than the limit overall but faster than it per chunk is no timeout.
  // A length of null also covers encoded bodies, whose decoded size is unknown. Decided before
  // `response.body` is read: a transport may build that stream only when asked for it.
  const idle = (request.idleTimeout ?? 0) > 0;
  const inOneGo = buffer && length !== null &&
    length < (response.arrayBufferIsDirect ? MAX_ROOM : DIRECT_MIN) &&
    length <= request.maxBodySize && request.method !== "HEAD" && !events.onDownloadProgress &&
    (!idle || response.reportsProgress === true) && response.arrayBuffer;
  if (inOneGo) {
    try {
      const progress = idle ? () => deadline.touch() : undefined;
      const body = new Uint8Array(await response.arrayBuffer!(progress));
      return { body, received: body.byteLength };
    } catch (error) {
      throw bodyError(error, deadline, length);
    }
  }
  if (!response.body || request.method === "HEAD") {
    await response.body?.cancel();
    return { body: buffer ? EMPTY : null, received: 0 };
  }
  if (buffer && length !== null && length > request.maxBodySize) {
    await response.body.cancel();
    throw overLimit(request.maxBodySize, length, true);
  }
  try {
    return await readChunks(response.body, request, events, length, deadline);
  } catch (error) {
    throw bodyError(error, deadline, length);
  }
}

/** What a failed body read reports: the deadline's reason once it passed. */
function bodyError(error: unknown, deadline: Deadline, length: number | null): unknown {
  if (deadline.reason) return deadline.reason;
  if (error instanceof NetError) return error;
  return classifyError(error, "body", length !== null);
}

/**
 * From this declared size on, a body is read straight into one array of its
 * size: `arrayBuffer()` collects fetch's chunks and copies them again, which
 * costs more than our reads from about 24 KiB (measured: 15 % fewer
 * instructions per request at 64 KiB, 30 % at 256 KiB; more below 16 KiB).
 * A transport whose `arrayBuffer()` reads into one array itself
 * (`arrayBufferIsDirect`) is asked for it up to {@linkcode MAX_ROOM}.
 */
const DIRECT_MIN = 32 * 1024;

/** Size of the arrays a body of unknown length is read into. */
const CHUNK = 64 * 1024;

/** The largest array a buffered body is read into before the next one (then joined). */
const MAX_ROOM = 8 * 1024 * 1024;

/**
 * The most a streamed read takes at once (when the body is at least that
 * long). Each read a listener keeps needs a new array, and the peak RSS of a
 * long stream grows with their size: garbage arrays wait for a collection,
 * which comes sooner when there are more of them (256 MiB through
 * `requestInStream`: 120 MiB peak with 256 KiB arrays, 103 with 128 KiB,
 * 83–90 with 64 KiB, 71–95 with 32 KiB, 66–75 with 16 KiB, at about the same
 * speed; raw `fetch` 73–85). `fetch`'s 64 KiB chunks still fill every read.
 */
const STREAM_CHUNK = 16 * 1024;

/**
 * The arrays a stream is read into once the listener turns out to give each
 * chunk back (it resolves a promise once done with it, as a file download
 * does): two, reused, so that the next read goes on while the listener
 * works on a chunk.
 */
const REUSED_ROOM = 256 * 1024;

/**
 * Reads chunk by chunk into arrays we allocate (a BYOB reader): fetch's
 * default reader allocates and zeroes 64 KiB for every read, which costs a
 * small body more than the whole request and halves a large stream's speed.
 * Buffer mode fills its arrays in place, one of exactly the declared size
 * when there is one (up to 8 MiB). Stream mode reads every chunk into the
 * same array and hands it to `onData`, which must copy what it keeps.
 */
async function readChunks(
  stream: ReadableStream<Uint8Array>,
  request: CoreRequest,
  events: RequestEvents,
  declared: number | null,
  deadline: Deadline,
): Promise<BodyRead> {
  const buffer = request.bodyMode === "buffer";
  const reader = byobReader(stream);
  if (!reader) return await readDefault(stream, request, events, declared, deadline);
  const chunks: Uint8Array[] = [];
  let received = 0;
  const streamRoom = declared === null ? STREAM_CHUNK : Math.min(declared, STREAM_CHUNK) || 1;
  let room = new Uint8Array(buffer ? bufferRoom(declared, 0) : streamRoom);
  let used = 0;
  /** The listener's promise while it works on the previous chunk, in `spare`. */
  let working: Promise<void> | null = null;
  let spare: typeof room | null = null;
  try {
    for (;;) {
      const { done, value } = await reader.read(room.subarray(used));
      // The read took over room's memory; value views it.
      if (value) room = new Uint8Array(value.buffer);
      if (done) break;
      if (value.byteLength === 0) continue;
      received += value.byteLength;
      arrived(received, request, deadline);
      if (buffer) {
        used += value.byteLength;
        if (used === room.byteLength && received !== declared) {
          chunks.push(room);
          room = new Uint8Array(bufferRoom(declared, received));
          used = 0;
        }
      } else {
        // A listener still working on the previous chunk (in the other array) finishes first:
        // chunks reach it in order, one at a time, while the next read goes on meanwhile.
        if (working) await working;
        working = null;
        const pending = events.onData?.(value, true);
        if (room.buffer.detached) {
          room = new Uint8Array(streamRoom); // a listener took it
          if (pending) await pending;
        } else if (pending) {
          // A listener that works on the chunk and gives it back (a file download): the next
          // read goes into a second array, both large (fewer reads and writes).
          working = pending;
          working.catch(() => {}); // a failure is met when awaited
          const next = spare ?? new Uint8Array(reusedRoom(declared, received));
          spare = room.byteLength >= REUSED_ROOM ? room : null;
          room = next;
        }
      }
      events.onDownloadProgress?.(received, declared ?? 0);
      if (received === declared) break;
    }
    if (working) await working;
  } catch (error) {
    await working?.catch(() => {});
    await reader.cancel().catch(() => {});
    throw error;
  }
  // All the declared bytes are in, so the connection is already free for the next request: a
  // cancel costs less than the read that would only report the end. (No releaseLock(): it
  // builds an error with a stack to reject the reader's promise.)
  if (received === declared) await reader.cancel();
  if (buffer && used > 0) chunks.push(room.subarray(0, used));
  return { body: buffer ? concat(chunks, received) : null, received };
}

/**
 * The size of the next array a buffered body is read into: the rest of the
 * declared length, but at most 8 MiB, so a server that declares far more than
 * it sends cannot make us allocate it up front.
 */
function bufferRoom(declared: number | null, received: number): number {
  const rest = declared === null ? 0 : declared - received;
  return rest > 0 ? Math.min(rest, MAX_ROOM) : CHUNK;
}

/** The size of a reused stream array: up to {@linkcode REUSED_ROOM}, no more than is left. */
function reusedRoom(declared: number | null, received: number): number {
  const rest = declared === null ? REUSED_ROOM : declared - received;
  return Math.max(1, Math.min(rest, REUSED_ROOM));
}

/** Books the arrival of bytes: a sign of progress, checked against the size limit. */
function arrived(received: number, request: CoreRequest, deadline: Deadline): void {
  deadline.touch();
  if (request.bodyMode === "buffer" && received > request.maxBodySize) {
    throw overLimit(request.maxBodySize, received, false);
  }
}

function byobReader(stream: ReadableStream<Uint8Array>): ReadableStreamBYOBReader | null {
  try {
    return stream.getReader({ mode: "byob" });
  } catch {
    return null; // not a byte stream
  }
}

/** The same for a stream that is not a byte stream (the raw HTTP/1.1 exchange). */
async function readDefault(
  stream: ReadableStream<Uint8Array>,
  request: CoreRequest,
  events: RequestEvents,
  declared: number | null,
  deadline: Deadline,
): Promise<BodyRead> {
  const buffer = request.bodyMode === "buffer";
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value.byteLength === 0) continue;
      received += value.byteLength;
      arrived(received, request, deadline);
      if (buffer) {
        chunks.push(value);
      } else {
        const pending = events.onData?.(value);
        if (pending) await pending;
      }
      events.onDownloadProgress?.(received, declared ?? 0);
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw error;
  }
  return { body: buffer ? concat(chunks, received) : null, received };
}

/** Content-Length when it describes the bytes we will read (no decoding in between). */
export function declaredLength(headers: Headers): number | null {
  const value = headers.get("content-length");
  if (value === null || headers.has("content-encoding")) return null;
  const length = Number(value);
  return Number.isSafeInteger(length) && length >= 0 ? length : null;
}

/** The body is larger than the request's `maxBodySize`: `declared` by Content-Length, or received. */
function overLimit(limit: number, size: number, declared: boolean): NetError {
  const what = declared ? `declared as ${size} bytes` : `${size} bytes`;
  return new NetError(
    "WRITE_FAILED",
    `the body (${what}) is larger than the limit, ${limit} bytes`,
    {
      details: {
        limit: "body-size",
        max: limit,
        actual: size,
        phase: declared ? "headers" : "body",
      },
    },
  );
}

/** Joins chunks into one array of `size` bytes (the chunk itself when there is one). */
export function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
