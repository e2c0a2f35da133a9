// Helpers for the response cache tests: a counting origin, deterministic
// bodies, and `deno run` children that use the cache.

import { fileURLToPath } from "node:url";
import { serve } from "./_helpers.ts";

export const KiB = 1024;
export const MiB = 1024 * 1024;

const CONFIG = fileURLToPath(new URL("../deno.json", import.meta.url));
export const CHILD = fileURLToPath(new URL("./cache_fixtures/child.ts", import.meta.url));

export { createHttp } from "./_helpers.ts";

/** Deterministic bytes for `seed`: every body can be checked byte by byte. */
export function bodyBytes(size: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** SHA-256 of bytes, hex. */
export async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A request as the origin saw it. */
export interface Seen {
  method: string;
  path: string;
  headers: Headers;
}

/** A loopback origin that records what it saw. */
export type Origin = Deno.HttpServer<Deno.NetAddr> & {
  url: string;
  seen: Seen[];
  count(path: string): number;
};

/** A loopback origin that records every request; `respond` answers. */
export function origin(
  respond: (request: Request, url: URL, count: number) => Response | Promise<Response>,
): Origin {
  const seen: Seen[] = [];
  const server = serve(async (request) => {
    const url = new URL(request.url);
    seen.push({
      method: request.method,
      path: url.pathname + url.search,
      headers: request.headers,
    });
    await request.body?.cancel();
    return await respond(request, url, seen.length);
  });
  return Object.assign(server, {
    seen,
    /** Requests seen for a path. */
    count(path: string): number {
      return seen.filter((s) => s.path === path).length;
    },
  });
}

/** A temp directory removed by `await using`. */
export async function tempDir(): Promise<{ path: string; [Symbol.asyncDispose](): Promise<void> }> {
  const path = await Deno.makeTempDir({ prefix: "cache_test_" });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true }).catch(() => {});
    },
  };
}

/** What a child reports per request. */
export interface ChildResult {
  url: string;
  status: number;
  sha256: string;
  size: number;
  fromCache: boolean;
  /** How long the request took in the child. */
  ms: number;
  error?: string;
}

/** Arguments of `cache_fixtures/child.ts`, as JSON. */
export interface ChildJob {
  location: string;
  maxSize?: number;
  storeTimeout?: number;
  required?: boolean;
  /**
   * Steps in order: requests (`stream` uses requestInStream); `mark` writes
   * the cache info to a file; `wait` waits until a file exists; `healthy`
   * waits until the store is no longer degraded.
   */
  requests: Array<
    { url: string; stream?: boolean } | { mark: string } | { wait: string } | { healthy: true }
  >;
  /** Print a `chunk <n>` line per dataReceive (for the kill test). */
  progress?: boolean;
  /** End with `delete()` instead of `close()`, or with neither (nor `flush()`). */
  end?: "close" | "delete" | "none";
}

/** Where a child runs, and which program it is (the child script by default). */
export interface ChildPlace {
  cwd?: string;
  script?: string;
}

/** Starts `deno run` on the child script with the project config, piped output. */
export function spawnChild(
  job: ChildJob,
  extraArgs: string[] = [],
  env: Record<string, string> = {},
  place: ChildPlace = {},
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--config",
      CONFIG,
      ...(extraArgs.length ? extraArgs : ["--unstable-kv", "--allow-all"]),
      place.script ?? CHILD,
      JSON.stringify(job),
    ],
    ...(place.cwd ? { cwd: place.cwd } : {}),
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** What a child printed: a result per request, the cache info, flush()'s error, its stderr. */
export interface ChildOutput {
  results: ChildResult[];
  info: Record<string, unknown>;
  flushError: unknown;
  stderr: string;
}

/** Runs a child to its end and parses its results (the last stdout line). */
export async function runChild(
  job: ChildJob,
  extraArgs: string[] = [],
  env: Record<string, string> = {},
  place: ChildPlace = {},
): Promise<ChildOutput> {
  const child = spawnChild(job, extraArgs, env, place);
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  try {
    const { code, stdout, stderr } = await child.output();
    const out = new TextDecoder().decode(stdout);
    const err = new TextDecoder().decode(stderr);
    if (code !== 0) throw new Error(`child exited ${code}\n${out}\n${err}`);
    const last = out.trim().split("\n").pop()!;
    return { ...JSON.parse(last), stderr: err };
  } finally {
    clearTimeout(timer);
  }
}
