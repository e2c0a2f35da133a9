/**
 * Where a response is stored: the key part for its URL (the URL itself, or a
 * hash when it is too long for a KV key) and the variant hash of its method,
 * `Vary` values and scope.
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

/** The variant hash of a method, the request's `Vary` values and its scope (see `scope.ts`). */
export function variantOf(
  method: string,
  vary: ReadonlyArray<readonly [string, string | null]>,
  scope: string,
): Promise<string> {
  return sha256(JSON.stringify(scope === "" ? [method, vary] : [method, vary, scope]));
}

async function sha256(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
  let binary = "";
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
