/**
 * The trust store for a `node:tls` connection with extra CAs. `node:tls`'s
 * `ca` option replaces the default roots (measured on Deno 2.9.6), so the
 * request's CAs are passed together with `tls.rootCertificates` (Mozilla's
 * roots, the ones `fetch` trusts). Deno lets a program read those only with
 * `--allow-sys=ca`; without it the extra CAs are trusted alone, and a
 * certificate that the roots would have verified fails with a message that
 * names the flag. The permission is queried, never prompted for mid-request.
 *
 * @module
 */

import tls from "node:tls";

let roots: readonly string[] | null | undefined;

/** The PEM certificates to pass as `ca`: the default roots when readable, then `extra`. */
export function trustStore(extra: readonly string[]): { ca: string[]; withRoots: boolean } {
  roots ??= readRoots();
  return roots
    ? { ca: [...roots, ...extra], withRoots: true }
    : { ca: [...extra], withRoots: false };
}

/** Appended to a verification failure when the default roots could not be included. */
export const ROOTS_HINT =
  " (only the request's own CAs were trusted: reading the default roots needs --allow-sys=ca)";

function readRoots(): readonly string[] | null {
  try {
    const descriptor = { name: "sys", kind: "ca" } as unknown as Deno.PermissionDescriptor;
    const state = Deno.permissions.querySync(descriptor).state;
    if (state !== "granted") return null;
  } catch {
    // Deno 2.9.6 rejects the "ca" descriptor under --allow-all, where reading is allowed anyway.
  }
  try {
    return tls.rootCertificates;
  } catch {
    return null;
  }
}
