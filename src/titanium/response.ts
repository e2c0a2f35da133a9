/**
 * Reading a finished response the way `HTTPClient`'s properties expose it:
 * text in the declared charset, headers as an object and as XHR-style text,
 * and the body as a JSON object.
 *
 * @module
 */

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
