/**
 * What `requestSync()` and its worker exchange: the job (structured-cloned
 * into the worker) and the outcome (bytes in shared memory, read while the
 * caller's thread is blocked): a 4-byte JSON length, the JSON, then the
 * bytes of an `ArrayBuffer` result.
 *
 * @module
 */

import type { HttpRequestOptions, HttpResponse } from "./types.ts";

/** The message that starts the worker's request. */
export interface SyncJob {
  readonly url: string;
  readonly options: HttpRequestOptions | undefined;
  /** Two Int32 slots: 0 → 1 when done, then the outcome's length. */
  readonly control: SharedArrayBuffer;
  /** Growable: the worker grows it to the outcome's size. */
  readonly data: SharedArrayBuffer;
}

/** A response, or the error's code and message. */
export type SyncOutcome =
  | { readonly response: HttpResponse }
  | { readonly error: { readonly code: number; readonly message: string } };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The outcome as bytes. */
export function encodeOutcome(outcome: SyncOutcome): Uint8Array {
  let binary: Uint8Array = new Uint8Array();
  let json: unknown = outcome;
  if ("response" in outcome && outcome.response.result instanceof ArrayBuffer) {
    binary = new Uint8Array(outcome.response.result);
    json = { response: { ...outcome.response, result: null }, binary: true };
  }
  const text = encoder.encode(JSON.stringify(json));
  const bytes = new Uint8Array(4 + text.byteLength + binary.byteLength);
  new DataView(bytes.buffer).setUint32(0, text.byteLength);
  bytes.set(text, 4);
  bytes.set(binary, 4 + text.byteLength);
  return bytes;
}

/** The outcome from its bytes; response headers get a null prototype again. */
export function decodeOutcome(bytes: Uint8Array): SyncOutcome {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0);
  const parsed = JSON.parse(decoder.decode(bytes.subarray(4, 4 + length)));
  if (!parsed.response) return parsed;
  const response = parsed.response as HttpResponse;
  if (parsed.binary) response.result = bytes.slice(4 + length).buffer;
  response.header = Object.assign(Object.create(null), response.header);
  return { response };
}
