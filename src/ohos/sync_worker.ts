/**
 * The worker behind `HttpRequest.requestSync()`: for each job it runs one
 * `request()` and writes the outcome into shared memory for the caller,
 * which waits on it with `Atomics.wait` (see `sync_codec.ts` for the layout).
 *
 * @module
 */

import { HttpRequest } from "./http_request.ts";
import { encodeOutcome, type SyncJob } from "./sync_codec.ts";

// deno-lint-ignore no-explicit-any
const scope = self as any;

scope.onmessage = async (event: MessageEvent<SyncJob>) => {
  const { url, options, control, data } = event.data;
  const request = new HttpRequest();
  let bytes: Uint8Array;
  try {
    bytes = encodeOutcome({ response: await request.request(url, options) });
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    bytes = encodeOutcome({
      error: { code: typeof code === "number" ? code : 2300999, message: String(message) },
    });
  } finally {
    request.destroy();
  }
  const buffer = data as SharedArrayBuffer & { grow(size: number): void };
  if (buffer.byteLength < bytes.byteLength) buffer.grow(bytes.byteLength);
  new Uint8Array(buffer).set(bytes);
  const flags = new Int32Array(control);
  Atomics.store(flags, 1, bytes.byteLength);
  Atomics.store(flags, 0, 1);
  Atomics.notify(flags, 0);
};
