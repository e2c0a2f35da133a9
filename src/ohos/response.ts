/**
 * Builds `HttpResponse` from a core result: `result` typed by
 * `expectDataType` or the content type, headers with lower-case names, the
 * cookies as libcurl lists them, and the timing.
 *
 * @module
 */

import { type Cookie, type JarCookieStore, netscapeCookieLines } from "../core/cookies.ts";
import type { CoreResult } from "../core/request.ts";
import type { Timing } from "../core/timing.ts";
import type { HeaderView } from "../core/transport.ts";
import { connectionExtraInfo } from "./connection_info.ts";
import { HttpDataType } from "./enums.ts";
import type { HttpResponse, PerformanceTiming, ResponseHeaders } from "./types.ts";

/**
 * Headers as an object: lower-case names, `set-cookie` as an array. The
 * object has no prototype, so a header named `__proto__` or `constructor`
 * is a plain key and cannot change the object's behaviour.
 */
export function headerObject(headers: Headers): ResponseHeaders {
  const out = Object.create(null) as Record<string, string | string[]>;
  let cookies: string[] | undefined;
  // Fields the engine parsed: read as they arrived (in wire order, as OpenHarmony lists them),
  // without the sorted, combined pairs `forEach` builds.
  const lists = (headers as HeaderView).fieldLists?.();
  if (lists) {
    const { names, values } = lists;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      if (name === "set-cookie") (cookies ??= []).push(values[i]!);
      else {
        const before = out[name] as string | undefined;
        out[name] = before === undefined ? values[i]! : `${before}, ${values[i]}`;
      }
    }
    if (cookies) out["set-cookie"] = cookies;
    return out as ResponseHeaders;
  }
  // forEach: several times cheaper than the Headers iterator; it lists each Set-Cookie apart.
  headers.forEach((value, name) => {
    if (name !== "set-cookie") out[name] = value;
    else (cookies ??= []).push(value);
  });
  if (cookies) out["set-cookie"] = cookies;
  return out as ResponseHeaders;
}

/** The `HttpResponse` of a buffered request; synchronous while no cookie was stored. */
export function toHttpResponse(
  result: CoreResult,
  expectDataType: HttpDataType | undefined,
  cookies: JarCookieStore,
  startTime: number,
  isHead: boolean,
): HttpResponse | Promise<HttpResponse> {
  const { head } = result;
  const [resultValue, resultType] = isHead && expectDataType === undefined
    ? ["", HttpDataType.STRING] as const
    : typedResult(result.body!, head.headers, expectDataType);
  const build = (stored: Cookie[]): HttpResponse => ({
    result: resultValue,
    resultType,
    responseCode: head.status,
    // Built here, not by a getter: a getter kept the whole result alive with the response and
    // cost +260k instructions per 64 KiB request (bench:instructions).
    header: headerObject(head.headers),
    cookies: netscapeCookieLines(stored).join("\r\n"),
    performanceTiming: performanceTiming(result.timing, performance.now() - startTime),
    connectionExtraInfo: connectionExtraInfo(result),
  });
  const stored = cookies.cookies();
  return Array.isArray(stored) ? build(stored) : stored.then(build);
}

function typedResult(
  body: Uint8Array,
  headers: Headers,
  expected: HttpDataType | undefined,
): [string | object | ArrayBuffer, HttpDataType] {
  const contentType = headers.get("content-type");
  const type = expected ?? typeFromContentType(contentType);
  if (type === HttpDataType.ARRAY_BUFFER) return [toArrayBuffer(body), HttpDataType.ARRAY_BUFFER];
  const text = decode(body, contentType);
  if (type === HttpDataType.OBJECT) {
    try {
      return [JSON.parse(text), HttpDataType.OBJECT];
    } catch {
      return [text, HttpDataType.STRING];
    }
  }
  return [text, HttpDataType.STRING];
}

/** Binary for `application/octet-stream` and any `image` type, text otherwise (as OpenHarmony). */
function typeFromContentType(contentType: string | null): HttpDataType {
  // A case-blind search, without a lower-case copy per response.
  return contentType !== null && BINARY_TYPE.test(contentType)
    ? HttpDataType.ARRAY_BUFFER
    : HttpDataType.STRING;
}

const BINARY_TYPE = /application\/octet-stream|image/i;

const utf8 = new TextDecoder();

function decode(body: Uint8Array, contentType: string | null): string {
  const charset = contentType?.includes("charset")
    ? /charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1]?.toLowerCase()
    : undefined;
  if (charset === undefined || charset === "utf-8" || charset === "utf8") return utf8.decode(body);
  try {
    return new TextDecoder(charset).decode(body);
  } catch {
    return utf8.decode(body); // a charset TextDecoder does not know: UTF-8, as OpenHarmony
  }
}

/** A standalone `ArrayBuffer` holding exactly the bytes of `view`. */
function toArrayBuffer(view: Uint8Array): ArrayBuffer {
  if (view.byteOffset === 0 && view.byteLength === view.buffer.byteLength) {
    return view.buffer as ArrayBuffer;
  }
  return view.slice().buffer as ArrayBuffer;
}

function performanceTiming(timing: Timing, total: number): PerformanceTiming {
  const ms = (value: number) => Math.round(value * 1000) / 1000;
  const result: PerformanceTiming = {
    dnsTiming: timing.dns ?? 0,
    tcpTiming: timing.tcp ?? 0,
    tlsTiming: timing.tls ?? 0,
    firstSendTiming: timing.firstSend,
    firstReceiveTiming: timing.firstReceive,
    totalFinishTiming: timing.finish,
    redirectTiming: timing.redirect,
    responseHeaderTiming: timing.headers,
    responseBodyTiming: timing.body,
    totalTiming: ms(total),
  };
  // A fresh cache hit: no network marks (they are 0), and it says so.
  if (timing.fromCache) result.fromCache = true;
  return result;
}
