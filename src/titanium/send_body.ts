/**
 * What `HTTPClient.send(data)` sends, per Titanium's rules:
 *
 * | `data` | body | default Content-Type |
 * | --- | --- | --- |
 * | none, `null`, `""` | none | none |
 * | string | the UTF-8 text | `application/x-www-form-urlencoded` (Android) |
 * | `Blob` / `File` | its bytes | its type, else `application/octet-stream` |
 * | `ArrayBuffer`, typed array, `DataView` | the bytes | `application/octet-stream` |
 * | object with a `Blob`/`File` value | multipart/form-data | with a fresh boundary |
 * | other object | `a=1&b=2` | `application/x-www-form-urlencoded; charset=utf-8` |
 *
 * For GET and HEAD an object becomes the query string, and any other data
 * is refused (fetch cannot send a GET body). A Content-Type set with
 * `setRequestHeader` wins; with a JSON Content-Type an object is sent as JSON.
 *
 * @module
 */

import { bytesBody, type RequestBody } from "../core/body.ts";
import { NetError } from "../core/errors.ts";
import {
  type FormPart,
  multipartBody,
  multipartContentType,
  newBoundary,
} from "../core/multipart.ts";

/** The body and the Content-Type to send when the caller set none. */
export interface SendBody {
  readonly body: RequestBody | null;
  readonly contentType: string | null;
  /** `true` for multipart: the boundary must be in the Content-Type, whatever the caller set. */
  readonly replacesCallerType: boolean;
}

const encoder = new TextEncoder();
const NONE: SendBody = { body: null, contentType: null, replacesCallerType: false };
const FORM = "application/x-www-form-urlencoded";

/**
 * Builds the body of `data` for `method`. For GET and HEAD an object is
 * appended to `url`'s query. `callerType` is the Content-Type the caller set.
 */
export async function buildSendBody(
  method: string,
  url: URL,
  data: unknown,
  callerType: string | null,
): Promise<SendBody> {
  if (data === undefined || data === null || data === "") return NONE;
  data = await asBlob(data);
  const noBody = method === "GET" || method === "HEAD";
  if (isFormObject(data)) {
    if (noBody) {
      appendQuery(url, data);
      return NONE;
    }
    return await objectBody(data, callerType);
  }
  if (noBody) {
    throw new NetError("INVALID_ARGUMENT", `a ${method} request cannot carry a body`);
  }
  if (typeof data === "string") return body(encoder.encode(data), FORM);
  if (data instanceof Blob) {
    return body(await data.bytes(), data.type || "application/octet-stream");
  }
  if (data instanceof ArrayBuffer) {
    return body(new Uint8Array(data.slice(0)), "application/octet-stream");
  }
  if (ArrayBuffer.isView(data)) {
    const copy = new Uint8Array(data.byteLength);
    copy.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return body(copy, "application/octet-stream");
  }
  return body(encoder.encode(String(data)), FORM);
}

function body(bytes: Uint8Array, contentType: string | null): SendBody {
  return { body: bytesBody(bytes), contentType, replacesCallerType: false };
}

function isFormObject(data: unknown): data is Record<string, unknown> {
  return typeof data === "object" && data !== null && !(data instanceof Blob) &&
    !(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data);
}

async function objectBody(
  data: Record<string, unknown>,
  callerType: string | null,
): Promise<SendBody> {
  const entries = Object.entries(data).filter(([, value]) => value !== undefined && value !== null);
  const essence = callerType?.split(";")[0]?.trim().toLowerCase() ?? null;
  if (entries.some(([, value]) => value instanceof Blob || isFileBlob(value))) {
    if (essence !== null && essence !== "multipart/form-data") {
      throw new NetError(
        "INVALID_ARGUMENT",
        `a Blob value is sent as multipart/form-data, but Content-Type is '${callerType}'`,
      );
    }
    const boundary = boundaryOf(callerType) ?? newBoundary();
    const parts: FormPart[] = [];
    for (const [name, value] of entries) parts.push(await formPart(name, await asBlob(value)));
    return {
      body: await multipartBody(parts, boundary),
      contentType: multipartContentType(boundary),
      replacesCallerType: true,
    };
  }
  if (essence !== null && (essence === "application/json" || essence.endsWith("+json"))) {
    return body(encoder.encode(JSON.stringify(data)), null);
  }
  const query = new URLSearchParams(entries.map(([name, value]) => [name, fieldText(value)]));
  return body(encoder.encode(query.toString()), `${FORM}; charset=utf-8`);
}

async function formPart(name: string, value: unknown): Promise<FormPart> {
  if (value instanceof Blob) {
    return {
      name,
      contentType: value.type || "application/octet-stream",
      fileName: value instanceof File ? value.name : "blob",
      data: await value.bytes(),
    };
  }
  return { name, contentType: "text/plain; charset=utf-8", data: encoder.encode(fieldText(value)) };
}

/** Strings, numbers and booleans as text; nested objects and arrays as JSON. */
function fieldText(value: unknown): string {
  if (typeof value === "object" && value !== null && !(value instanceof Date)) {
    return JSON.stringify(value);
  }
  return String(value);
}

/** Appends `data` to the query, leaving the query already in the URL as written. */
function appendQuery(url: URL, data: Record<string, unknown>): void {
  const pairs: string[][] = [];
  for (const [name, value] of Object.entries(data)) {
    if (value === undefined || value === null) continue;
    if (value instanceof Blob) {
      throw new NetError("INVALID_ARGUMENT", `'${name}': a GET or HEAD request cannot send a Blob`);
    }
    pairs.push([name, fieldText(value)]);
  }
  const extra = new URLSearchParams(pairs).toString();
  if (extra === "") return;
  const existing = url.search.slice(1);
  url.search = existing ? `${existing}&${extra}` : extra;
}

function boundaryOf(contentType: string | null): string | null {
  return /;\s*boundary\s*=\s*"?([^";]+)"?/i.exec(contentType ?? "")?.[1]?.trim() ?? null;
}

/**
 * A `responseData` that reads a downloaded file (a `Ti.Blob` that is not a
 * web `Blob`): its bytes are sent, as a Blob's would be.
 */
function isFileBlob(value: unknown): value is { mimeType: string; bytes(): Promise<Uint8Array> } {
  return typeof value === "object" && value !== null && !(value instanceof Blob) &&
    (value as { apiName?: unknown }).apiName === "Ti.Blob" &&
    typeof (value as { bytes?: unknown }).bytes === "function";
}

/** `value` as a web `Blob` when it is a file-backed `Ti.Blob`; otherwise unchanged. */
async function asBlob(value: unknown): Promise<unknown> {
  if (!isFileBlob(value)) return value;
  return new Blob([await value.bytes() as Uint8Array<ArrayBuffer>], { type: value.mimeType });
}
