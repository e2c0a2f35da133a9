/**
 * The response of an `HTTPClient`'s latest request and the views its
 * properties give of it: text in the declared charset, a `Blob`, a DOM
 * `Document`, a JSON object, headers as an object and as XHR-style text.
 *
 * @module
 */

import type { ResponseHead } from "../core/request.ts";
import { type Document, parseResponseXml } from "./response_xml.ts";

/**
 * What arrived for the latest request. Each view of the body is computed on
 * first read and kept: Titanium code often reads the same property twice.
 */
export class ClientResponse {
  /** The HTTP status of the final response; 0 before one arrives. */
  status = 0;
  /** The reason phrase of the final response; `null` before one arrives. */
  statusText: string | null = null;
  /** The final response's headers; `null` before one arrives. */
  headers: Headers | null = null;
  /** The whole body; `null` before it is complete, after a failure and for a `file` download. */
  body: Uint8Array | null = null;
  /** Set once a URL was parsed or a response arrived; `null` lets the client derive it. */
  location: string | null = null;
  #text: string | null = null;
  #data: Blob | null = null;
  #xml: Document | null | undefined = undefined;
  #dictionary: Record<string, unknown> | null | undefined = undefined;

  /** Forgets everything, for `open()` and `send()`. */
  reset(): void {
    this.status = 0;
    this.statusText = null;
    this.headers = null;
    this.body = null;
    this.location = null;
    this.#text = null;
    this.#data = null;
    this.#xml = undefined;
    this.#dictionary = undefined;
  }

  /** Takes the final response head: status, headers and the URL it came from. */
  receive(head: ResponseHead): void {
    this.status = head.status;
    this.statusText = head.statusText;
    this.headers = head.headers;
    this.location = head.url;
  }

  /** A header of the final response, or `null` (also for a name `Headers` refuses). */
  header(name: string): string | null {
    try {
      return this.headers?.get(name) ?? null;
    } catch {
      return null;
    }
  }

  /** `responseText`. */
  get text(): string | null {
    if (this.body === null) return null;
    return this.#text ??= decodeText(this.body, this.header("content-type"));
  }

  /** `responseData`. */
  get data(): Blob | null {
    if (this.body === null) return null;
    return this.#data ??= new Blob([this.body as Uint8Array<ArrayBuffer>], {
      type: this.header("content-type") ?? "",
    });
  }

  /** `responseXML`. */
  get xml(): Document | null {
    if (this.#xml !== undefined) return this.#xml;
    const text = this.text;
    return this.#xml = text === null ? null : parseResponseXml(text, this.header("content-type"));
  }

  /** `responseDictionary`. */
  get dictionary(): Record<string, unknown> | null {
    if (this.#dictionary !== undefined) return this.#dictionary;
    const text = this.text;
    return this.#dictionary = text === null ? null : parseDictionary(text);
  }
}

/**
 * Decodes `bytes` in the Content-Type's charset (UTF-8 when none or unknown).
 * Bytes that are not valid in that charset fall back to ISO-8859-1, as iOS
 * does, so no byte is lost to U+FFFD.
 */
export function decodeText(bytes: Uint8Array, contentType: string | null): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? "")?.[1] ?? "utf-8";
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset, { fatal: true });
  } catch {
    decoder = new TextDecoder("utf-8", { fatal: true });
  }
  try {
    return decoder.decode(bytes);
  } catch {
    return new TextDecoder("iso-8859-1").decode(bytes);
  }
}

/** Header names in lower case, each with its values joined by `", "`. */
export function headerObject(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = name in out ? `${out[name]}, ${value}` : value;
  });
  return out;
}

/** `name: value` lines ending in CRLF, names in lower case, as XMLHttpRequest gives them. */
export function headerText(headers: Headers): string {
  let text = "";
  headers.forEach((value, name) => text += `${name}: ${value}\r\n`);
  return text;
}

/** The body as a JSON object, or `null` when it is not one (arrays included, as on Android and iOS). */
export function parseDictionary(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? value as Record<string, unknown>
      : null;
  } catch {
    return null;
  }
}
