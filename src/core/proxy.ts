/**
 * Proxies for `Deno.HttpClient`s: which hosts skip a proxy, how to create a
 * client that ignores (or honours) the environment's proxy variables, and
 * how a failure to reach a proxy is reported.
 *
 * Deno reads `ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY` (either case) and
 * `NO_PROXY` each time a client is created, and `NO_PROXY` wins even over a
 * client's explicit `proxy`. So a client that must go direct is created with
 * the proxy variables removed, and a client with an explicit proxy with
 * `NO_PROXY` emptied; both are restored at once (all synchronous, so no other
 * code of this isolate sees the change). This needs `--allow-env`; without it
 * the environment applies as Deno reads it.
 *
 * @module
 */

import { NetError } from "./errors.ts";
import { withDefaultScheme } from "./url.ts";

/** The variables Deno takes a proxy from, in its order of precedence. */
export const PROXY_VARIABLES = [
  "ALL_PROXY",
  "all_proxy",
  "HTTPS_PROXY",
  "https_proxy",
  "HTTP_PROXY",
  "http_proxy",
] as const;

/**
 * How a client relates to the environment's proxy variables: `direct`
 * ignores them, `explicit` (a client with its own `proxy`) keeps `NO_PROXY`
 * from bypassing it, `environment` lets Deno apply them.
 */
export type EnvironmentMode = "direct" | "explicit" | "environment";

/**
 * The first proxy variable set (its value), `null` when none is, or
 * `undefined` when Deno may not read them (no `--allow-env`).
 */
export function environmentProxy(): string | null | undefined {
  try {
    for (const name of PROXY_VARIABLES) {
      const value = Deno.env.get(name);
      if (value) return value;
    }
    return null;
  } catch {
    return undefined;
  }
}

const UNREAD = Symbol("unread");
let plainProxy: string | null | undefined | typeof UNREAD = UNREAD;

/**
 * The proxy plain `fetch` goes through. Deno builds its default client,
 * reading the proxy variables, at the process's first plain `fetch`, and
 * later changes to the environment never reach it; so they are read once,
 * the first time a request would take plain `fetch` (not on every request:
 * six environment reads cost more than the rest of the routing).
 */
export function plainFetchProxy(): string | null | undefined {
  if (plainProxy === UNREAD) plainProxy = environmentProxy();
  return plainProxy;
}

/** Creates a client as `mode` needs, with the environment restored afterwards. */
export function createClient(
  options: Deno.CreateHttpClientOptions,
  mode: EnvironmentMode,
): Deno.HttpClient {
  if (mode === "environment") return Deno.createHttpClient(options);
  const names: readonly string[] = mode === "direct" ? PROXY_VARIABLES : ["NO_PROXY"];
  let saved: Array<[string, string | undefined]>;
  try {
    saved = names.map((name) => [name, Deno.env.get(name)]);
    for (const name of names) {
      if (mode === "direct") Deno.env.delete(name);
      else Deno.env.set(name, ""); // an empty NO_PROXY also hides no_proxy
    }
  } catch {
    // No env permission: the environment applies as Deno reads it.
    return Deno.createHttpClient(options);
  }
  try {
    return Deno.createHttpClient(options);
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) Deno.env.delete(name);
      else Deno.env.set(name, value);
    }
  }
}

/**
 * `true` when `hostname` matches an exclusion pattern: a host name or IP
 * literal, where `*` stands for any run of characters (`*.local`, `10.*`).
 * Case is ignored, as are brackets around IPv6 literals.
 */
export function isExcluded(hostname: string, patterns: readonly string[]): boolean {
  const host = bare(hostname);
  return patterns.some((pattern) => {
    const text = bare(pattern.trim());
    if (text === "") return false;
    if (!text.includes("*")) return text === host;
    const source = text.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*");
    return new RegExp(`^${source}$`).test(host);
  });
}

/**
 * Restates a failure of a proxied request as a failure to use the proxy when
 * that is what it was: the proxy's name not resolving (`PROXY_UNRESOLVED`),
 * no connection to it (`CONNECT_FAILED`), or a refused CONNECT tunnel
 * (`RECEIVE_FAILED`).
 */
export function proxyFailure(error: NetError, proxy: string): NetError {
  const detail = error.message;
  if (error.code === "HOST_UNRESOLVED") {
    return new NetError("PROXY_UNRESOLVED", `proxy ${proxy} (${detail})`, { cause: error });
  }
  if (error.code === "CONNECT_FAILED") {
    return new NetError("CONNECT_FAILED", `cannot connect to proxy ${proxy} (${detail})`, {
      cause: error,
    });
  }
  if (/unsuccessful tunnel/i.test(detail)) {
    return new NetError("RECEIVE_FAILED", `proxy ${proxy} refused the CONNECT tunnel (${detail})`, {
      cause: error,
    });
  }
  return error;
}

/** A proxy URL without credentials, for messages. */
export function proxyLabel(url: string): string {
  try {
    const parsed = new URL(withDefaultScheme(url));
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return "from the environment";
  }
}

function bare(host: string): string {
  return host.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");
}
