/**
 * The `file` download: the body is written to a hidden temporary file next
 * to the target and renamed onto it once complete, so the target path only
 * ever holds a whole body. A failed or aborted download removes the
 * temporary file; a file already at the target is replaced only on success.
 *
 * @module
 */

import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { classifyError, NetError } from "../core/errors.ts";

/** Chunks smaller than this are gathered; larger ones are written as they come. */
const DIRECT_WRITE = 64 * 1024;
/** The gathering buffer: small chunks go to the file in writes of up to this size. */
const GATHER_SIZE = 256 * 1024;

/** One download into one target path. */
export class FileDownload {
  readonly #target: string;
  readonly #temp: string;
  #file: Deno.FsFile | null = null;
  #opening: Promise<Deno.FsFile> | null = null;
  #gather: Uint8Array | null = null;
  #gathered = 0;

  /** @param target where the complete body goes: a path or a `file:` URL */
  constructor(target: string | URL) {
    this.#target = resolve(target instanceof URL ? fileURLToPath(target) : target);
    const suffix = crypto.randomUUID().slice(0, 8);
    this.#temp = join(dirname(this.#target), `.${basename(this.#target)}.${suffix}.part`);
  }

  /** The absolute path the complete body is renamed to. */
  get target(): string {
    return this.#target;
  }

  /**
   * Appends a chunk; resolves once it is written or copied (the caller may
   * then reuse its memory). A large chunk is written straight from the
   * caller's memory; small ones (a slow server's drip) are gathered, since
   * one file operation per tiny chunk would cost most of the time.
   */
  async write(chunk: Uint8Array): Promise<void> {
    if (chunk.byteLength >= DIRECT_WRITE) {
      await this.#flush();
      return await this.#writeAll(chunk);
    }
    if (this.#gathered + chunk.byteLength > GATHER_SIZE) await this.#flush();
    this.#gather ??= new Uint8Array(GATHER_SIZE);
    this.#gather.set(chunk, this.#gathered);
    this.#gathered += chunk.byteLength;
  }

  /** Writes what is gathered, closes the temporary file and renames it onto the target. */
  async commit(): Promise<void> {
    await this.#flush();
    await this.#open();
    this.#close();
    try {
      await Deno.rename(this.#temp, this.#target);
    } catch (error) {
      await this.discard();
      throw fileError("cannot move the download to", this.#target, error);
    }
  }

  async #flush(): Promise<void> {
    if (this.#gathered === 0) return;
    const bytes = this.#gather!.subarray(0, this.#gathered);
    this.#gathered = 0;
    await this.#writeAll(bytes);
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
