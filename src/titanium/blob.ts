/**
 * `responseData`: a `Ti.Blob`-like view of the body (`length`, `size`,
 * `mimeType`, `text`, `toString()`, `nativePath`/`file` for a download)
 * that also has the web `Blob` methods (`arrayBuffer()`, `bytes()`,
 * `stream()`, `slice()`, `type`). Titanium's `text` is a string property,
 * so the web `text()` method is the one that is missing: use
 * `new TextDecoder().decode(await blob.bytes())`, or `blob.text`.
 *
 * A body in memory is a real web `Blob` (`instanceof Blob`, usable with
 * `fetch` and `Response`); a `file` download is read from the file, lazily.
 *
 * @module
 */

import { decodeText, isTextType } from "./decode_text.ts";

/**
 * The file a `file` download was written to, as `responseData.file` gives
 * it (the part of `Ti.Filesystem.File` a download needs).
 */
export interface DownloadedFile {
  /** The absolute path. */
  readonly nativePath: string;
  /** The file name, without its directory. */
  readonly name: string;
  /** Whether the file is (still) there. */
  exists(): boolean;
  /** Its size in bytes, 0 when it is gone. */
  size(): number;
  /** Its contents as a {@linkcode TiBlob}. */
  read(): TiBlob;
}

/** `Ti.Blob` members and web `Blob` methods; see the module docs. */
export interface TiBlob {
  /** `"Ti.Blob"`. */
  readonly apiName: string;
  /** The size in bytes (Titanium's name). */
  readonly length: number;
  /** The size in bytes. */
  readonly size: number;
  /** The response Content-Type (Titanium's name); `""` when none. */
  readonly mimeType: string;
  /** The response Content-Type (the web name); `""` when none. */
  readonly type: string;
  /** The bytes as text in the declared charset (UTF-8 by default, ISO-8859-1 when invalid). */
  readonly text: string;
  /** The path of the download; `""` for a body held in memory. */
  readonly nativePath: string;
  /** The downloaded file; `null` for a body held in memory. */
  readonly file: DownloadedFile | null;
  /** Images only in Titanium: always 0 here. */
  readonly width: number;
  /** Images only in Titanium: always 0 here. */
  readonly height: number;
  /** The text for a text type (as `text`), `"[object TiBlob]"` for binary data. */
  toString(): string;
  /** The same as {@linkcode TiBlob.text}. */
  getText(): string;
  /** The same as {@linkcode TiBlob.length}. */
  getLength(): number;
  /** The same as {@linkcode TiBlob.size}. */
  getSize(): number;
  /** The same as {@linkcode TiBlob.mimeType}. */
  getMimeType(): string;
  /** The same as {@linkcode TiBlob.nativePath}. */
  getNativePath(): string;
  /** The bytes (web `Blob`). */
  arrayBuffer(): Promise<ArrayBuffer>;
  /** The bytes (web `Blob`). */
  bytes(): Promise<Uint8Array<ArrayBuffer>>;
  /** The bytes as a stream (web `Blob`). */
  stream(): ReadableStream<Uint8Array<ArrayBuffer>>;
  /** A part of the bytes as a web `Blob`. */
  slice(start?: number, end?: number, contentType?: string): Blob;
}

/** Members both kinds of blob share. */
interface TiMembers {
  readonly length: number;
  readonly size: number;
  readonly mimeType: string;
  readonly text: string;
}

function tiMethods(blob: TiMembers & { readonly nativePath: string }) {
  return {
    apiName: { value: "Ti.Blob" },
    width: { value: 0 },
    height: { value: 0 },
    toString: {
      value: () => isTextType(blob.mimeType) ? blob.text : "[object TiBlob]",
    },
    getText: { value: () => blob.text },
    getLength: { value: () => blob.length },
    getSize: { value: () => blob.size },
    getMimeType: { value: () => blob.mimeType },
    getNativePath: { value: () => blob.nativePath },
  } satisfies PropertyDescriptorMap;
}

/** A body held in memory: a web `Blob` with the `Ti.Blob` members. */
export function memoryBlob(bytes: Uint8Array, contentType: string | null): TiBlob {
  const type = contentType ?? "";
  const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type });
  let text: string | null = null;
  const view = {
    length: blob.size,
    size: blob.size,
    mimeType: type,
    get text() {
      return text ??= decodeText(bytes, contentType);
    },
    nativePath: "",
  };
  // Own properties shadow Blob.prototype (its text() method included): Titanium's `text` wins.
  Object.defineProperties(blob, {
    ...tiMethods(view),
    length: { value: view.length },
    mimeType: { value: type },
    text: { get: () => view.text },
    nativePath: { value: "" },
    file: { value: null },
  });
  return blob as unknown as TiBlob;
}

/** A `file` download (`path` is absolute): read from the file when asked. */
export function fileBlob(path: string, contentType: string | null): TiBlob {
  return new FileBlob(path, contentType);
}

class FileBlob implements TiBlob {
  readonly #path: string;
  readonly #contentType: string | null;
  readonly file: DownloadedFile;

  constructor(path: string, contentType: string | null) {
    this.#path = path;
    this.#contentType = contentType;
    this.file = downloadedFile(path, contentType);
  }

  get apiName(): string {
    return "Ti.Blob";
  }

  get width(): number {
    return 0;
  }

  get height(): number {
    return 0;
  }

  get nativePath(): string {
    return this.#path;
  }

  get length(): number {
    return this.file.size();
  }

  get size(): number {
    return this.file.size();
  }

  get mimeType(): string {
    return this.#contentType ?? "";
  }

  get type(): string {
    return this.mimeType;
  }

  /** Read from the file (synchronously, as Titanium does). */
  get text(): string {
    return decodeText(Deno.readFileSync(this.#path), this.#contentType);
  }

  toString(): string {
    return isTextType(this.mimeType) ? this.text : "[object TiBlob]";
  }

  getText(): string {
    return this.text;
  }

  getLength(): number {
    return this.length;
  }

  getSize(): number {
    return this.size;
  }

  getMimeType(): string {
    return this.mimeType;
  }

  getNativePath(): string {
    return this.nativePath;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return (await this.bytes()).buffer;
  }

  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return await Deno.readFile(this.#path) as Uint8Array<ArrayBuffer>;
  }

  stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    const path = this.#path;
    let reader: ReadableStreamDefaultReader<Uint8Array<ArrayBuffer>> | null = null;
    return new ReadableStream({
      async pull(controller) {
        reader ??= (await Deno.open(path)).readable.getReader();
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel(reason) {
        await reader?.cancel(reason);
      },
    });
  }

  slice(start?: number, end?: number, contentType?: string): Blob {
    const bytes = Deno.readFileSync(this.#path) as Uint8Array<ArrayBuffer>;
    return new Blob([bytes], { type: this.mimeType }).slice(start, end, contentType);
  }
}

function downloadedFile(path: string, contentType: string | null): DownloadedFile {
  return {
    nativePath: path,
    name: fileName(path),
    exists() {
      try {
        return Deno.statSync(path).isFile;
      } catch {
        return false;
      }
    },
    size() {
      try {
        return Deno.statSync(path).size;
      } catch {
        return 0;
      }
    },
    read() {
      return fileBlob(path, contentType);
    },
  };
}

/** The last segment of an absolute file path (without `node:path`, which starts Deno's Node layer). */
function fileName(path: string): string {
  return path.slice(path.search(Deno.build.os === "windows" ? /[^\\/]*$/ : /[^/]*$/));
}
