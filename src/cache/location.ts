/**
 * Where the response cache lives, and opening its Deno KV database.
 *
 * - an explicit location: a file path, `":memory:"`, or the `http(s)://` URL
 *   of a KV Connect server such as a self-hosted `denokv` (the access token
 *   comes from the `DENO_KV_ACCESS_TOKEN` environment variable, as for any
 *   `Deno.openKv(url)`);
 * - else the `NETSTACK_HTTP_CACHE` environment variable, when env access is
 *   already granted;
 * - else a file per program under the user cache directory, named after
 *   `Deno.mainModule`: `$XDG_CACHE_HOME` or `~/.cache` (Linux),
 *   `~/Library/Caches` (macOS), `%LOCALAPPDATA%` (Windows), then
 *   `netstack-http/<script>-<hash>.kv`. When that cannot be used without a
 *   permission prompt (no `--allow-env`/`--allow-write` for it), the cache
 *   falls back to an in-memory database for this process and says why.
 *
 * @module
 */

import { retryLocked } from "./atomic_retry.ts";

/** The environment variable naming a cache location. */
export const LOCATION_ENV = "NETSTACK_HTTP_CACHE";

/** What kind of database backs the cache. */
export type StoreKind = "file" | "memory" | "remote";

/** An open database and where it is. */
export interface OpenedKv {
  readonly kv: Deno.Kv;
  /** The path, `":memory:"` or the URL. */
  readonly location: string;
  readonly kind: StoreKind;
  /** Why the default location was not used, when it was not. */
  readonly fallbackReason?: string;
}

/** `true` when Deno KV is available (`--unstable-kv` or `"unstable": ["kv"]`). */
export function kvAvailable(): boolean {
  return typeof (Deno as { openKv?: unknown }).openKv === "function";
}

/** Kind of an explicit location string. */
export function kindOf(location: string): StoreKind {
  if (location === ":memory:") return "memory";
  return /^https?:\/\//i.test(location) ? "remote" : "file";
}

/**
 * Opens the cache database. An explicit location (argument or environment)
 * must open, or this rejects; the default location falls back to memory.
 */
export async function openCacheKv(explicit: string | undefined): Promise<OpenedKv> {
  if (!kvAvailable()) {
    throw new Error(
      'Deno KV is not available: run with --unstable-kv or set "unstable": ["kv"] in deno.json',
    );
  }
  const chosen = explicit ?? readEnv(LOCATION_ENV);
  if (chosen !== undefined && chosen !== "") return await openAt(chosen);

  const path = await defaultPath();
  if (typeof path !== "string") return await openMemory(path.reason);
  const dir = parentDir(path);
  if (!granted({ name: "write", path: dir }) || !granted({ name: "read", path: dir })) {
    return await openMemory(`no read/write permission for ${dir}`);
  }
  try {
    return await openAt(path);
  } catch (error) {
    return await openMemory(`${path}: ${(error as Error).message}`);
  }
}

async function openAt(location: string): Promise<OpenedKv> {
  const kind = kindOf(location);
  if (kind === "file") await Deno.mkdir(parentDir(location), { recursive: true });
  const kv = await retryLocked(() => Deno.openKv(location));
  return { kv, location, kind };
}

async function openMemory(reason: string): Promise<OpenedKv> {
  const kv = await Deno.openKv(":memory:");
  return { kv, location: ":memory:", kind: "memory", fallbackReason: reason };
}

/** The default file for this program, or why there is none. */
export async function defaultPath(): Promise<string | { reason: string }> {
  const base = userCacheDir();
  if (base === null) return { reason: "the user cache directory is unknown (no --allow-env?)" };
  const main = Deno.mainModule;
  const name = (main.split(/[\\/]/).pop() ?? "main").replace(/\.[^.]*$/, "")
    .replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 40) || "main";
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(main));
  const hash = Array.from(
    new Uint8Array(digest).subarray(0, 6),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
  const sep = Deno.build.os === "windows" ? "\\" : "/";
  return [base, "netstack-http", `${name}-${hash}.kv`].join(sep);
}

function userCacheDir(): string | null {
  switch (Deno.build.os) {
    case "windows":
      return readEnv("LOCALAPPDATA") ?? null;
    case "darwin": {
      const home = readEnv("HOME");
      return home ? `${home}/Library/Caches` : null;
    }
    default: {
      const xdg = readEnv("XDG_CACHE_HOME");
      if (xdg) return xdg;
      const home = readEnv("HOME");
      return home ? `${home}/.cache` : null;
    }
  }
}

/** Reads an env variable only when access is already granted (never prompts). */
function readEnv(name: string): string | undefined {
  return granted({ name: "env", variable: name }) ? Deno.env.get(name) : undefined;
}

function granted(descriptor: Deno.PermissionDescriptor): boolean {
  try {
    return Deno.permissions.querySync(descriptor).state === "granted";
  } catch {
    return false;
  }
}

function parentDir(path: string): string {
  const index = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  if (index < 0) return ".";
  return index === 0 ? path.slice(0, 1) : path.slice(0, index);
}
