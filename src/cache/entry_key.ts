/**
 * Where a response is stored: the key part for its URL (the URL itself, or a
 * hash when it is too long for a KV key) and the variant hash of its method
 * and `Vary` values.
 *
 * @module
 */

/** Where an entry lives: its URL part and variant hash. */
export interface EntryKey {
  readonly url: string;
  readonly variant: string;
}

const encoder = new TextEncoder();

/** The key part for a URL: the URL itself, or a hash when it is long. */
export async function urlPart(url: string): Promise<string> {
  if (url.length <= 1024 && encoder.encode(url).byteLength <= 1024) return url;
  return "#" + await sha256(url);
}

/** The variant hash of a method and the request's `Vary` values. */
export function variantOf(
  method: string,
  vary: ReadonlyArray<readonly [string, string | null]>,
): Promise<string> {
  return sha256(JSON.stringify([method, vary]));
}

async function sha256(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
  let binary = "";
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
