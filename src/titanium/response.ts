/**
 * The response of an `HTTPClient`'s latest request and the views its
 * properties give of it: text in the declared charset, a `Ti.Blob`, a DOM
 * `Document`, a JSON object, headers as an object and as XHR-style text.
 *
 * @module
 */

import type { ResponseHead } from "../core/request.ts";
import { fileBlob, memoryBlob, type TiBlob } from "./blob.ts";
import { decodeText } from "./decode_text.ts";
import { type Document, parseResponseXml } from "./response_xml.ts";

const EMPTY = new Uint8Array(0);

/**
 * What arrived for the latest request. Each view of the body is computed on
 * first read and kept: Titanium code often reads the same property twice.
 */
export class ClientResponse {
  /** The HTTP status of the final response; 0 before one arrives. */
  status = 0;
  /** The reason phrase of the final response; `""` before one arrives. */
  statusText = "";
  /** The final response's headers; `null` before one arrives. */
  headers: Headers | null = null;
  /** The whole body; `null` before it is complete, after a failure and for a `file` download. */
  body: Uint8Array | null = null;
  /** The path a `file` download was written to; `null` for none. */
  downloaded: string | null = null;
  /** Set once a URL was parsed or a response arrived; `null` lets the client derive it. */
  location: string | null = null;
  #text: string | null = null;
  #data: TiBlob | null = null;
  #xml: Document | null | undefined = undefined;
  #dictionary: Record<string, unknown> | null | undefined = undefined;

  /** Forgets everything, for `open()` and `send()`. */
  reset(): void {
    this.status = 0;
    this.statusText = "";
    this.headers = null;
    this.body = null;
    this.downloaded = null;
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

  /** `responseText`: `""` when there is no body in memory. */
  get text(): string {
    if (this.body === null) return "";
    return this.#text ??= decodeText(this.body, this.header("content-type"));
  }

  /** `responseData`: the body, the downloaded file, or an empty blob. */
  get data(): TiBlob {
    const type = this.header("content-type");
    if (this.downloaded !== null) return this.#data ??= fileBlob(this.downloaded, type);
    return this.#data ??= memoryBlob(this.body ?? EMPTY, this.body ? type : null);
  }

  /** `responseXML`. */
  get xml(): Document | null {
    if (this.#xml !== undefined) return this.#xml;
    return this.#xml = this.body === null
      ? null
      : parseResponseXml(this.text, this.header("content-type"));
  }

  /** `responseDictionary`. */
  get dictionary(): Record<string, unknown> | null {
    if (this.#dictionary !== undefined) return this.#dictionary;
    return this.#dictionary = this.body === null ? null : parseDictionary(this.text);
  }
}

/**
 * The headers as an object with no prototype (a `__proto__` or
 * `constructor` header is just a header), keys in lower case, repeated
 * values joined by `", "`, and read in any case: `h["Content-Type"]` and
 * `h["content-type"]` are the same value.
 */
export function headerObject(headers: Headers | null): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  headers?.forEach((value, name) => {
    const old = Object.hasOwn(out, name) ? out[name] : undefined;
    Object.defineProperty(out, name, {
      value: old === undefined ? value : `${old}, ${value}`,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  });
  return new Proxy(out, ANY_CASE);
}

const ANY_CASE: ProxyHandler<Record<string, string>> = {
  get(target, key) {
    if (typeof key !== "string") return undefined;
    if (Object.hasOwn(target, key)) return target[key];
    const lower = key.toLowerCase();
    return Object.hasOwn(target, lower) ? target[lower] : undefined;
  },
  has(target, key) {
    return typeof key === "string" &&
      (Object.hasOwn(target, key) || Object.hasOwn(target, key.toLowerCase()));
  },
};

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
