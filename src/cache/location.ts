/**
 * Where the response cache lives, and opening its Deno KV database.
 *
 * - an explicit location: a file path, `":memory:"`, or the `http(s)://` URL
 *   of a KV Connect server such as a self-hosted `denokv` (the access token
 *   comes from the `DENO_KV_ACCESS_TOKEN` environment variable, as for any
 *   `Deno.openKv(url)`);
 * - else the `NETSTACK_HTTP_CACHE` environment variable, when env access is
 *   already granted;
 * - else a file under the user cache directory chosen as `Deno.openKv()`
 *   chooses its default database: by the `--location` URL when the program
 *   runs with one, else by the configuration file in use (the nearest
 *   `deno.json` or `deno.jsonc` from the working directory up), else by
 *   `Deno.mainModule`; so every program of one project (a CLI and a server, a
 *   test and its child processes) shares one cache. The directory is
 *   `$XDG_CACHE_HOME` or `~/.cache` (Linux), `~/Library/Caches` (macOS),
 *   `%LOCALAPPDATA%` (Windows), then `netstack-http/<name>-<hash>.kv`. When
 *   that cannot be used without a permission prompt (no `--allow-env` /
 *   `--allow-read` / `--allow-write` for it), the cache falls back to an
 *   in-memory database for this process and says why.
 *
 * @module
 */

import { retryLocked } from "./atomic_retry.ts";
import { BoundedKv, LocalBackend, withDeadline } from "./bounded_kv.ts";
import { KV_UNAVAILABLE, kvAvailable } from "./kv_available.ts";

/** The environment variable naming a cache location. */
export const LOCATION_ENV = "NETSTACK_HTTP_CACHE";

/** What kind of database backs the cache. */
export type StoreKind = "file" | "memory" | "remote";

/** An open database and where it is. */
export interface OpenedKv {
  /** Every call bounded by the deadline. */
  readonly kv: BoundedKv;
  /** The path, `":memory:"` or the URL. */
  readonly location: string;
  readonly kind: StoreKind;
  /** Why the default location was not used, when it was not. */
  readonly fallbackReason?: string;
}

/** Kind of an explicit location string. */
export function kindOf(location: string): StoreKind {
  if (location === ":memory:") return "memory";
  return /^https?:\/\//i.test(location) ? "remote" : "file";
}

/** The location named by the option or, when env access is granted, the environment. */
export function chosenLocation(explicit: string | undefined): string | undefined {
  const chosen = explicit ?? readEnv(LOCATION_ENV);
  return chosen === "" ? undefined : chosen;
}

/**
 * Opens the cache database; every call on it gets `deadlineMs`. An explicit
 * location (argument or environment) must open, or this rejects; the
 * default location falls back to memory.
 */
export async function openCacheKv(
  explicit: string | undefined,
  deadlineMs: number,
): Promise<OpenedKv> {
  if (!kvAvailable()) throw new Error(KV_UNAVAILABLE);
  const chosen = chosenLocation(explicit);
  if (chosen !== undefined) return await openAt(chosen, deadlineMs);

  const path = await defaultPath();
  if (typeof path !== "string") return await openMemory(path.reason, deadlineMs);
  const dir = parentDir(path);
  if (!granted({ name: "write", path: dir }) || !granted({ name: "read", path: dir })) {
    return await openMemory(`no read/write permission for ${dir}`, deadlineMs);
  }
  try {
    return await openAt(path, deadlineMs);
  } catch (error) {
    return await openMemory(`${path}: ${(error as Error).message}`, deadlineMs);
  }
}

/** Opening may take longer than one call (a worker starts, a remote store is asked for metadata). */
function openDeadline(deadlineMs: number): number {
  return Math.max(10 * deadlineMs, 5_000);
}

async function openAt(location: string, deadlineMs: number): Promise<OpenedKv> {
  const kind = kindOf(location);
  if (kind === "remote") {
    const { WorkerBackend } = await import("./worker_backend.ts");
    const backend = new WorkerBackend(location);
    try {
      await withDeadline(backend.reopen(false), openDeadline(deadlineMs));
    } catch (error) {
      backend.close();
      throw error;
    }
    return { kv: new BoundedKv(backend, deadlineMs), location, kind };
  }
  if (kind === "file") await Deno.mkdir(parentDir(location), { recursive: true });
  const opening = retryLocked(() => Deno.openKv(location));
  const kv = await withDeadline(opening, openDeadline(deadlineMs)).catch((error) => {
    opening.then((late) => late.close(), () => {});
    throw error;
  });
  return { kv: new BoundedKv(new LocalBackend(kv), deadlineMs), location, kind };
}

async function openMemory(reason: string, deadlineMs: number): Promise<OpenedKv> {
  const kv = await Deno.openKv(":memory:");
  return {
    kv: new BoundedKv(new LocalBackend(kv), deadlineMs),
    location: ":memory:",
    kind: "memory",
    fallbackReason: reason,
  };
}

/** What the default database is chosen by, as for `Deno.openKv()`. */
export interface StorageKey {
  readonly by: "location" | "config" | "main";
  /** The `--location` URL, the configuration file's path, or the main module. */
  readonly key: string;
}

/**
 * The default database's key: `--location`, else the configuration file
 * (found from the working directory up, when read access is granted), else
 * the main module.
 */
export function storageKey(): StorageKey {
  try {
    const href = (globalThis as { location?: { href: string } }).location?.href;
    if (href) return { by: "location", key: href };
  } catch {
    // No --location: reading it throws.
  }
  const config = configFile();
  if (config) return { by: "config", key: config };
  return { by: "main", key: Deno.mainModule };
}

/** The nearest `deno.json` / `deno.jsonc` from the working directory up, when readable without a prompt. */
function configFile(): string | null {
  let dir: string;
  try {
    if (!granted({ name: "read" })) return null;
    dir = Deno.cwd();
  } catch {
    return null;
  }
  const sep = Deno.build.os === "windows" ? "\\" : "/";
  for (;;) {
    for (const name of ["deno.json", "deno.jsonc"]) {
      const path = dir.endsWith(sep) ? dir + name : dir + sep + name;
      try {
        if (Deno.statSync(path).isFile) return path;
      } catch {
        // not here
      }
    }
    const parent = parentDir(dir);
    if (parent === dir || parent === ".") return null;
    dir = parent;
  }
}

/** The default file for this program, or why there is none. */
export async function defaultPath(): Promise<string | { reason: string }> {
  const base = userCacheDir();
  if (base === null) return { reason: "the user cache directory is unknown (no --allow-env?)" };
  const { by, key } = storageKey();
  const named = by === "location"
    ? new URL(key).host
    : by === "config"
    ? key.split(/[\\/]/).slice(-2, -1)[0] ?? "config"
    : (key.split(/[\\/]/).pop() ?? "main").replace(/\.[^.]*$/, "");
  const name = named.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 40) || "main";
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${by}:${key}`));
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
