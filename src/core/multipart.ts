/**
 * `multipart/form-data` bodies (RFC 7578) with a known size: parts from
 * memory are copied, parts from files are streamed, never read whole.
 *
 * @module
 */

import type { RequestBody } from "./body.ts";
import { classifyError, NetError } from "./errors.ts";

/** One part: its bytes, or a file streamed at send time. */
export interface FormPart {
  readonly name: string;
  readonly contentType: string;
  readonly fileName?: string;
  readonly data?: Uint8Array;
  readonly filePath?: string;
}

const encoder = new TextEncoder();

/** The `Content-Type` value for a boundary. */
export function multipartContentType(boundary: string): string {
  return `multipart/form-data; boundary=${boundary}`;
}

/** A fresh random boundary. */
export function newBoundary(): string {
  return `----netstack${crypto.randomUUID().replaceAll("-", "")}`;
}

/**
 * Builds the body. Files are checked now (a missing or unreadable file fails
 * with `READ_FILE_FAILED` before anything is sent) and read when sent.
 */
export async function multipartBody(
  parts: readonly FormPart[],
  boundary: string,
): Promise<RequestBody> {
  const pieces: Array<Uint8Array | { path: string; size: number }> = [];
  for (const part of parts) {
    pieces.push(encoder.encode(partHead(part, boundary)));
    if (part.data) pieces.push(part.data);
    else pieces.push({ path: part.filePath!, size: await fileSize(part.filePath!) });
    pieces.push(encoder.encode("\r\n"));
  }
  pieces.push(encoder.encode(`--${boundary}--\r\n`));
  const size = pieces.reduce(
    (sum, p) => sum + (p instanceof Uint8Array ? p.byteLength : p.size),
    0,
  );
  return { size, bytes: null, stream: () => ReadableStream.from(readPieces(pieces)) };
}

async function* readPieces(
  pieces: ReadonlyArray<Uint8Array | { path: string; size: number }>,
): AsyncGenerator<Uint8Array> {
  for (const piece of pieces) {
    if (piece instanceof Uint8Array) {
      yield piece;
      continue;
    }
    let file: Deno.FsFile;
    try {
      file = await Deno.open(piece.path, { read: true });
    } catch (error) {
      throw fileError(piece.path, error);
    }
    yield* file.readable;
  }
}

function partHead(part: FormPart, boundary: string): string {
  let disposition = `form-data; name="${quote(part.name)}"`;
  if (part.fileName !== undefined) disposition += `; filename="${quote(part.fileName)}"`;
  return `--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: ${part.contentType}\r\n\r\n`;
}

/** Escapes a quoted-string value as browsers do (RFC 7578 §4.2). */
function quote(value: string): string {
  return value.replaceAll("\r", "%0D").replaceAll("\n", "%0A").replaceAll('"', "%22");
}

async function fileSize(path: string): Promise<number> {
  try {
    const info = await Deno.stat(path);
    if (!info.isFile) throw new NetError("READ_FILE_FAILED", `'${path}' is not a file`);
    return info.size;
  } catch (error) {
    throw fileError(path, error);
  }
}

function fileError(path: string, error: unknown): NetError {
  if (error instanceof NetError) return error;
  const classified = classifyError(error, "connect");
  if (classified.code === "PERMISSION_DENIED") return classified;
  return new NetError("READ_FILE_FAILED", `cannot read '${path}': ${(error as Error).message}`, {
    cause: error,
  });
}
