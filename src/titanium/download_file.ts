/**
 * The `file` download: the body is written to a hidden temporary file next
 * to the target and renamed onto it once complete, so the target path only
 * ever holds a whole body. A failed or aborted download removes the
 * temporary file; a file already at the target is replaced only on success.
 *
 * @module
 */

import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { classifyError, NetError } from "../core/errors.ts";

/** Bytes gathered before one write to the file. */
const WRITE_SIZE = 1024 * 1024;

/** One download into one target path. */
export class FileDownload {
  readonly #target: string;
  readonly #temp: string;
  #file: Deno.FsFile | null = null;
  #opening: Promise<Deno.FsFile> | null = null;
  /** Two buffers: one fills from the network while the other is written. */
  #filling: Uint8Array = new Uint8Array(WRITE_SIZE);
  #spare: Uint8Array | null = new Uint8Array(WRITE_SIZE);
  #buffered = 0;
  /** The write in progress, if any; it owns the buffer that is not filling. */
  #writing: Promise<void> | null = null;

  /** @param target where the complete body goes: a path or a `file:` URL */
  constructor(target: string | URL) {
    this.#target = target instanceof URL ? fileURLToPath(target) : target;
    const suffix = crypto.randomUUID().slice(0, 8);
    this.#temp = join(dirname(this.#target), `.${basename(this.#target)}.${suffix}.part`);
  }

  /** The path the complete body is renamed to. */
  get target(): string {
    return this.#target;
  }

  /**
   * Appends a copy of `chunk`. Chunks are gathered into
   * {@linkcode WRITE_SIZE} writes (one file operation per small network chunk
   * costs most of the time), and a full buffer is written while the next one
   * fills, so disk and network overlap. Resolves once the chunk is copied;
   * waits only when both buffers are busy (backpressure).
   */
  async write(chunk: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < chunk.byteLength) {
      const n = Math.min(chunk.byteLength - offset, WRITE_SIZE - this.#buffered);
      this.#filling.set(chunk.subarray(offset, offset + n), this.#buffered);
      this.#buffered += n;
      offset += n;
      if (this.#buffered === WRITE_SIZE) await this.#flush();
    }
  }

  /** Writes what is buffered, closes the temporary file and renames it onto the target. */
  async commit(): Promise<void> {
    await this.#flush();
    await this.#writing;
    await this.#open();
    this.#close();
    try {
      await Deno.rename(this.#temp, this.#target);
    } catch (error) {
      await this.discard();
      throw fileError("cannot move the download to", this.#target, error);
    }
  }

  /** Starts writing the filling buffer once the previous write is done; swaps the buffers. */
  async #flush(): Promise<void> {
    if (this.#buffered === 0) return;
    await this.#writing; // a failed write rejects here, before more is written
    const full = this.#filling.subarray(0, this.#buffered);
    this.#filling = this.#spare!;
    this.#spare = null;
    this.#buffered = 0;
    const writing = this.#writeAll(full).then(() => {
      this.#spare = new Uint8Array(full.buffer);
    });
    writing.catch(() => {}); // handled where it is awaited
    this.#writing = writing;
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    const file = await this.#open();
    try {
      let offset = 0;
      while (offset < bytes.byteLength) offset += await file.write(bytes.subarray(offset));
    } catch (error) {
      throw fileError("cannot write", this.#temp, error);
    }
  }

  /** Closes and removes the temporary file; never throws. */
  async discard(): Promise<void> {
    await this.#writing?.catch(() => {});
    if (this.#opening) await this.#opening.catch(() => {});
    this.#close();
    await Deno.remove(this.#temp).catch(() => {});
  }

  #open(): Promise<Deno.FsFile> {
    this.#opening ??= Deno.open(this.#temp, { write: true, createNew: true }).then(
      (file) => this.#file = file,
      (error) => {
        throw fileError("cannot create", this.#temp, error);
      },
    );
    return this.#opening;
  }

  #close(): void {
    try {
      this.#file?.close();
    } catch { /* already closed */ }
    this.#file = null;
  }
}

function fileError(what: string, path: string, error: unknown): NetError {
  if (error instanceof NetError) return error;
  const classified = classifyError(error, "body");
  if (classified.code === "PERMISSION_DENIED") return classified;
  return new NetError("WRITE_FAILED", `${what} '${path}': ${(error as Error).message}`, {
    cause: error,
  });
}
