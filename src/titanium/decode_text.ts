/**
 * Body bytes as text, the way `responseText` and `Ti.Blob.text` read them.
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

/** Whether a media type is text a client can show (not an image, audio, video, archive…). */
export function isTextType(contentType: string | null): boolean {
  const essence = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  return essence === "" || essence.startsWith("text/") || /[/+](json|xml)$/.test(essence) ||
    essence === "application/javascript" || essence === "application/ecmascript" ||
    essence === "application/x-www-form-urlencoded";
}
