/**
 * Where the body goes, and the other things the program prints: the
 * `-i` header block and the `--timing` table.
 *
 * Body chunks arrive in the library's `dataReceive` listener, which cannot
 * return a promise to the library. Each chunk is therefore written
 * synchronously before the listener returns: the library reads the next
 * chunk from the socket only after that, so a slow disk or a slow pipe slows
 * the download instead of filling memory (backpressure through the event).
 *
 * - {@linkcode StdoutSink}: straight to stdout.
 * - {@linkcode SpoolSink}: stdout, but held back (memory, then a temp file)
 *   until the status is known, for `-i` (the status line comes first) and
 *   `--fail` (no body on an error status). The `http` face reports a stream's
 *   status only when it ends.
 * - {@linkcode FileSink}: `-o FILE`, written to `FILE.<random>.tmp` and
 *   renamed over FILE when complete; removed on failure.
 * - {@linkcode ResumeSink}: `-o FILE -C -`, which continues `FILE.part` (or a
 *   partial FILE) with a Range request and keeps the partial on failure.
 *
 * @module
 */

import { STATUS_CODES } from "node:http";
import { CliError, EXIT } from "./exit_codes.ts";

/** Response headers as the library reports them: lower-case names, `set-cookie` an array. */
export type HeaderObject = Record<string, unknown>;

/** A synchronous writer (stdout, stderr, a file). */
export interface SyncWriter {
  writeSync(bytes: Uint8Array): number;
}

/** The destination of the body. */
export interface Sink {
  /** The Range start to request (`resumeFrom`), 0 for the whole body. */
  readonly resumeFrom: number;
  /** Writes one chunk now; `headers` are the final response's. Throws a {@linkcode CliError} (23). */
  write(chunk: Uint8Array, headers: HeaderObject): void;
  /** The transfer ended with `status`: commit, or throw a {@linkcode CliError}. */
  finish(status: number, headers: HeaderObject): Promise<void>;
  /** The transfer failed: clean up. Returns a note for the error line, if any. */
  abort(): Promise<string | undefined>;
}

/** What every sink needs to know. */
export interface SinkOptions {
  /** Print the status line and headers to stdout (`-i`). */
  readonly include: boolean;
  /** An HTTP status >= 400 is an error (`--fail`). */
  readonly fail: boolean;
  /** Standard output. */
  readonly stdout: SyncWriter;
}

const encoder = new TextEncoder();

/** Writes all of `bytes`; a failure is a {@linkcode CliError} with exit code 23. */
export function writeAllSync(writer: SyncWriter, bytes: Uint8Array, what: string): void {
  try {
    let offset = 0;
    while (offset < bytes.length) offset += writer.writeSync(bytes.subarray(offset));
  } catch (error) {
    throw new CliError(`cannot write ${what}: ${(error as Error).message}`, EXIT.WRITE_ERROR);
  }
}

/** The `-i` block: a status line, the headers, a blank line (CRLF, as curl). */
export function headerBlock(status: number, headers: HeaderObject): string {
  // The face reports neither the HTTP version nor the reason phrase: the standard phrase is shown.
  const lines = [`HTTP ${status} ${STATUS_CODES[status] ?? ""}`.trimEnd()];
  for (const [name, value] of Object.entries(headers)) {
    for (const item of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${item}`);
  }
  return lines.join("\r\n") + "\r\n\r\n";
}

function failError(status: number): CliError {
  return new CliError(`The requested URL returned error: ${status}`, EXIT.HTTP_ERROR);
}

/** The body straight to stdout. */
export class StdoutSink implements Sink {
  readonly resumeFrom = 0;
  readonly #options: SinkOptions;

  /** @param options include, fail, stdout */
  constructor(options: SinkOptions) {
    this.#options = options;
  }

  write(chunk: Uint8Array): void {
    writeAllSync(this.#options.stdout, chunk, "to stdout");
  }

  finish(status: number): Promise<void> {
    if (this.#options.fail && status >= 400) return Promise.reject(failError(status));
    return Promise.resolve();
  }

  abort(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }
}

/** Memory held before a {@linkcode SpoolSink} moves to a temp file. */
export const SPOOL_MEMORY = 4 * 1024 * 1024;

/** The body to stdout once the status is known: in memory, then in a temp file. */
export class SpoolSink implements Sink {
  readonly resumeFrom = 0;
  readonly #options: SinkOptions;
  readonly #chunks: Uint8Array[] = [];
  #held = 0;
  #file: { path: string; handle: Deno.FsFile } | null = null;

  /** @param options include, fail, stdout */
  constructor(options: SinkOptions) {
    this.#options = options;
  }

  write(chunk: Uint8Array): void {
    if (!this.#file && this.#held + chunk.byteLength <= SPOOL_MEMORY) {
      this.#chunks.push(chunk.slice());
      this.#held += chunk.byteLength;
      return;
    }
    if (!this.#file) {
      try {
        const path = Deno.makeTempFileSync({ prefix: "netstack-spool-" });
        const handle = Deno.openSync(path, { read: true, write: true });
        this.#file = { path, handle };
      } catch (error) {
        throw new CliError(
          `cannot create a spool file: ${(error as Error).message}`,
          EXIT.WRITE_ERROR,
        );
      }
      for (const held of this.#chunks) writeAllSync(this.#file.handle, held, "the spool file");
      this.#chunks.length = 0;
    }
    writeAllSync(this.#file.handle, chunk, "the spool file");
  }

  async finish(status: number, headers: HeaderObject): Promise<void> {
    try {
      if (this.#options.fail && status >= 400) throw failError(status);
      const out = this.#options.stdout;
      if (this.#options.include) {
        writeAllSync(out, encoder.encode(headerBlock(status, headers)), "to stdout");
      }
      for (const chunk of this.#chunks) writeAllSync(out, chunk, "to stdout");
      if (this.#file) {
        const { handle } = this.#file;
        await handle.seek(0, Deno.SeekMode.Start);
        const buffer = new Uint8Array(256 * 1024);
        for (;;) {
          const n = await handle.read(buffer);
          if (n === null) break;
          writeAllSync(out, buffer.subarray(0, n), "to stdout");
        }
      }
    } finally {
      await this.#cleanup();
    }
  }

  async abort(): Promise<string | undefined> {
    await this.#cleanup();
    return undefined;
  }

  async #cleanup(): Promise<void> {
    this.#chunks.length = 0;
    if (!this.#file) return;
    const { path, handle } = this.#file;
    this.#file = null;
    closeQuietly(handle);
    await Deno.remove(path).catch(() => {});
  }
}

/** `-o FILE`: a temp file next to FILE, renamed over it when the transfer is complete. */
export class FileSink implements Sink {
  readonly resumeFrom = 0;
  readonly #options: SinkOptions;
  readonly #path: string;
  /** The temp file; `null` when FILE is a device written directly. */
  readonly #temp: string | null;
  #handle: Deno.FsFile | null;

  private constructor(
    options: SinkOptions,
    path: string,
    temp: string | null,
    handle: Deno.FsFile,
  ) {
    this.#options = options;
    this.#path = path;
    this.#temp = temp;
    this.#handle = handle;
  }

  /**
   * Creates the temp file now, so a path that cannot be written fails before
   * anything is sent. A FILE that exists and is not a regular file (`/dev/null`,
   * a FIFO) is written directly: renaming over it would replace the device.
   */
  static async open(options: SinkOptions, path: string): Promise<FileSink> {
    const kind = await pathKind(path);
    if (kind === "directory") {
      throw new CliError(`cannot write '${path}': it is a directory`, EXIT.WRITE_ERROR);
    }
    if (kind === "special") {
      return new FileSink(options, path, null, await openForWrite(path, path, {}));
    }
    const temp = tempName(path);
    const handle = await openForWrite(temp, path, { createNew: true });
    return new FileSink(options, path, temp, handle);
  }

  write(chunk: Uint8Array): void {
    writeAllSync(this.#handle!, chunk, `'${this.#temp ?? this.#path}'`);
  }

  async finish(status: number, headers: HeaderObject): Promise<void> {
    this.#close();
    if (this.#options.fail && status >= 400) {
      if (this.#temp) await removeQuietly(this.#temp);
      throw failError(status);
    }
    if (this.#temp) await renameOrFail(this.#temp, this.#path);
    if (this.#options.include) {
      writeAllSync(this.#options.stdout, encoder.encode(headerBlock(status, headers)), "to stdout");
    }
  }

  async abort(): Promise<string | undefined> {
    this.#close();
    if (this.#temp) await removeQuietly(this.#temp);
    return undefined;
  }

  #close(): void {
    if (this.#handle) closeQuietly(this.#handle);
    this.#handle = null;
  }
}

/** A parsed `Content-Range: bytes start-end/total` (or `bytes *\/total`). */
export interface ContentRange {
  readonly start: number | undefined;
  readonly end: number | undefined;
  readonly total: number | undefined;
}

/** Parses a `Content-Range` value; `null` when absent or not a byte range. */
export function parseContentRange(value: unknown): ContentRange | null {
  if (typeof value !== "string") return null;
  const match = /^\s*bytes\s+(?:(\d+)-(\d+)|\*)\s*\/\s*(\d+|\*)\s*$/i.exec(value);
  if (!match) return null;
  const num = (text: string | undefined) =>
    text === undefined || text === "*" ? undefined : Number(text);
  return { start: num(match[1]), end: num(match[2]), total: num(match[3]) };
}

/**
 * `-o FILE -C -`: continues `FILE.part`, or a partial FILE, from its size.
 *
 * The first chunk decides where the body goes: a `Content-Range` starting at
 * the partial's size appends to `FILE.part` (a partial FILE is moved there
 * first); anything else goes to a temp file, because the status is not known
 * yet and an error page must not be appended to the partial. At the end: 206
 * renames `FILE.part` to FILE once it holds the whole length; 200 (the server
 * ignored the Range) replaces it with the new body; 416 with `bytes *\/size`
 * means the partial was already complete; any other status leaves the
 * partial as it was. On failure `FILE.part` stays for the next `-C -`.
 */
export class ResumeSink implements Sink {
  readonly resumeFrom: number;
  readonly #options: SinkOptions;
  readonly #path: string;
  readonly #part: string;
  readonly #source: "part" | "file" | "none";
  #mode: "append" | "part-new" | "fresh" | null = null;
  #handle: Deno.FsFile | null = null;
  #fresh: string | null = null;
  #written = 0;

  private constructor(
    options: SinkOptions,
    path: string,
    source: "part" | "file" | "none",
    offset: number,
  ) {
    this.#options = options;
    this.#path = path;
    this.#part = `${path}.part`;
    this.#source = source;
    this.resumeFrom = offset;
  }

  /** Finds the partial: `FILE.part`, else FILE, else none (start from 0 into `FILE.part`). */
  static async open(options: SinkOptions, path: string): Promise<ResumeSink> {
    const kind = await pathKind(path);
    if (kind === "directory" || kind === "special") {
      throw new CliError(`-C - needs a regular file, and '${path}' is not one`, EXIT.WRITE_ERROR);
    }
    const partSize = await fileSize(`${path}.part`);
    if (partSize !== null) return new ResumeSink(options, path, "part", partSize);
    const size = await fileSize(path);
    if (size !== null) return new ResumeSink(options, path, "file", size);
    return new ResumeSink(options, path, "none", 0);
  }

  /** Where the partial is kept. */
  get partPath(): string {
    return this.#part;
  }

  write(chunk: Uint8Array, headers: HeaderObject): void {
    if (this.#mode === null) this.#begin(headers);
    writeAllSync(this.#handle!, chunk, `'${this.#mode === "fresh" ? this.#fresh : this.#part}'`);
    this.#written += chunk.byteLength;
  }

  #begin(headers: HeaderObject): void {
    try {
      if (this.resumeFrom === 0) {
        this.#mode = "part-new";
        this.#handle = Deno.openSync(this.#part, { write: true, create: true, truncate: true });
        return;
      }
      const range = parseContentRange(headers["content-range"]);
      if (range?.start === this.resumeFrom) {
        if (this.#source === "file") Deno.renameSync(this.#path, this.#part);
        this.#mode = "append";
        this.#handle = Deno.openSync(this.#part, { write: true, append: true });
        return;
      }
      this.#mode = "fresh";
      this.#fresh = tempName(this.#path);
      this.#handle = Deno.openSync(this.#fresh, { write: true, createNew: true });
    } catch (error) {
      throw new CliError(
        `cannot write next to '${this.#path}': ${(error as Error).message}`,
        EXIT.WRITE_ERROR,
      );
    }
  }

  async finish(status: number, headers: HeaderObject): Promise<void> {
    this.#close();
    const range = parseContentRange(headers["content-range"]);
    if (status === 416) {
      await this.#dropNew();
      if (this.resumeFrom > 0 && range?.start === undefined && range?.total === this.resumeFrom) {
        if (this.#source === "part") await renameOrFail(this.#part, this.#path);
        return this.#include(status, headers);
      }
      throw new CliError(
        `cannot resume from byte ${this.resumeFrom}: the server answered 416 (${
          range?.total !== undefined ? `its length is ${range.total}` : "no length given"
        })`,
        EXIT.RANGE_ERROR,
      );
    }
    if (status >= 400 || status < 200) {
      await this.#dropNew();
      if (status >= 400) throw failError(status);
      throw new CliError(`cannot resume: the server answered ${status}`, EXIT.RANGE_ERROR);
    }
    if (
      this.#mode === "append" || (status === 206 && this.#mode === null && this.#source !== "none")
    ) {
      if (status !== 206 && status !== 200) {
        await this.#dropNew();
        throw new CliError(`cannot resume: the server answered ${status}`, EXIT.RANGE_ERROR);
      }
      const size = this.resumeFrom + this.#written;
      if (range?.total !== undefined && size < range.total) {
        throw new CliError(
          `transferred a partial file: ${size} of ${range.total} bytes`,
          EXIT.PARTIAL_FILE,
        );
      }
      if (this.#source === "file" && this.#mode === null) return this.#include(status, headers);
      await renameOrFail(this.#part, this.#path);
      return this.#include(status, headers);
    }
    if (status === 206) {
      await this.#dropNew();
      throw new CliError(
        `cannot resume from byte ${this.resumeFrom}: the server sent ${
          range ? `bytes from ${range.start}` : "206 without a Content-Range"
        }`,
        EXIT.RANGE_ERROR,
      );
    }
    // A whole body (the server ignored the Range, or there was no partial): it replaces the partial.
    if (this.#mode === null) {
      this.#mode = "part-new";
      await Deno.writeFile(this.#part, new Uint8Array(0)).catch((error) => {
        throw new CliError(`cannot write '${this.#part}': ${error.message}`, EXIT.WRITE_ERROR);
      });
    }
    const done = this.#mode === "fresh" ? this.#fresh! : this.#part;
    await renameOrFail(done, this.#path);
    if (this.#mode === "fresh" && this.#source === "part") await removeQuietly(this.#part);
    return this.#include(status, headers);
  }

  async abort(): Promise<string | undefined> {
    this.#close();
    if (this.#mode === "fresh") await removeQuietly(this.#fresh!);
    if (this.#mode === "append" || this.#mode === "part-new" || this.#source === "part") {
      return (await fileSize(this.#part)) !== null
        ? `the partial file is kept in '${this.#part}': continue with -C -`
        : undefined;
    }
    return undefined;
  }

  /** Undoes what this run wrote: the temp file, a new `FILE.part`, or bytes appended to one. */
  async #dropNew(): Promise<void> {
    if (this.#mode === "fresh") await removeQuietly(this.#fresh!);
    if (this.#mode === "part-new") await removeQuietly(this.#part);
    if (this.#mode === "append") await Deno.truncate(this.#part, this.resumeFrom).catch(() => {});
  }

  #include(status: number, headers: HeaderObject): void {
    if (this.#options.include) {
      writeAllSync(this.#options.stdout, encoder.encode(headerBlock(status, headers)), "to stdout");
    }
  }

  #close(): void {
    if (this.#handle) closeQuietly(this.#handle);
    this.#handle = null;
  }
}

/** The `--timing` table: every `performanceTiming` field in ms; a cache hit says so. */
export function timingTable(timing: Record<string, unknown>): string {
  const fields = Object.entries(timing).filter(([, value]) => typeof value === "number") as Array<
    [string, number]
  >;
  const width = Math.max(...fields.map(([name]) => name.length));
  const lines = ["performanceTiming (ms since the request started, cumulative):"];
  for (const [name, value] of fields) {
    const unmeasured = value === 0 && ["dnsTiming", "tcpTiming", "tlsTiming"].includes(name);
    const note = unmeasured
      ? "  (0: not measured, or no such phase)"
      : value === 0 && name === "redirectTiming"
      ? "  (no redirect)"
      : "";
    lines.push(`  ${name.padEnd(width)}  ${value.toFixed(3).padStart(10)}${note}`);
  }
  if (timing.fromCache === true) lines.push("  (answered from the cache: no network phases)");
  return lines.join("\n") + "\n";
}

/** `FILE.<random>.tmp` next to FILE (same directory, so the rename is atomic). */
function tempName(path: string): string {
  return `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
}

/** Opens `path` for writing; a failure names `shown` (the FILE the user gave). */
async function openForWrite(
  path: string,
  shown: string,
  how: Deno.OpenOptions,
): Promise<Deno.FsFile> {
  try {
    return await Deno.open(path, { write: true, ...how });
  } catch (error) {
    throw new CliError(`cannot write '${shown}': ${(error as Error).message}`, EXIT.WRITE_ERROR);
  }
}

async function renameOrFail(from: string, to: string): Promise<void> {
  try {
    await Deno.rename(from, to);
  } catch (error) {
    await removeQuietly(from);
    throw new CliError(
      `cannot move the download to '${to}': ${(error as Error).message}`,
      EXIT.WRITE_ERROR,
    );
  }
}

/** What is at `path`: nothing, a regular file, a directory, or something else (a device). */
async function pathKind(path: string): Promise<"none" | "file" | "directory" | "special"> {
  try {
    const info = await Deno.stat(path);
    return info.isFile ? "file" : info.isDirectory ? "directory" : "special";
  } catch {
    return "none";
  }
}

async function fileSize(path: string): Promise<number | null> {
  try {
    const info = await Deno.stat(path);
    return info.isFile ? info.size : null;
  } catch {
    return null;
  }
}

async function removeQuietly(path: string): Promise<void> {
  await Deno.remove(path).catch(() => {});
}

function closeQuietly(handle: Deno.FsFile): void {
  try {
    handle.close();
  } catch { /* already closed */ }
}
