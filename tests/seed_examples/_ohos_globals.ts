/**
 * OpenHarmony's global `getContext()`, which seed example 01 uses for its
 * `filesDir`. Not part of the library: it stands in for the OpenHarmony
 * runtime. `seed_examples_test.ts` passes this file to `deno check` next to
 * the examples (for the `declare global`) and to `deno run --preload` (for the
 * function itself), so the examples stay unchanged. `filesDir` is
 * `$OHOS_FILES_DIR`, or the working directory when that is unset.
 *
 * Test harness only: when `$OHOS_EXAMPLE_SERVER` is `host:port`, every
 * connection the process opens goes to that loopback server, whatever host
 * the request names, so the examples' literal host "EXAMPLE_URL" never
 * reaches DNS even though the library goes direct (no proxy) by default. On
 * `fetch`, every `Deno.HttpClient` created sends there (Deno's `tcp` proxy
 * transport: absolute-form HTTP/1.1, no name lookup); on the socket-level
 * engine, a connector registered first connects there (origin form, with the
 * request's `Host`).
 *
 * @module
 */

import { registerConnector } from "../../src/core/wire/connection.ts";
import { plainConnect } from "../../src/core/wire/plain_connector.ts";

/** The part of OpenHarmony's application context the seed examples read. */
export interface OhosContext {
  /** The application's files directory. */
  filesDir: string;
}

declare global {
  /** OpenHarmony's `getContext(component)`: the application context. */
  function getContext(component?: unknown): OhosContext;
}

Object.defineProperty(globalThis, "getContext", {
  value: (_component?: unknown): OhosContext => ({
    filesDir: Deno.env.get("OHOS_FILES_DIR") ?? Deno.cwd(),
  }),
  configurable: true,
  writable: true,
});

const exampleServer = Deno.env.get("OHOS_EXAMPLE_SERVER");
if (exampleServer) {
  const [hostname, port] = exampleServer.split(":");
  registerConnector({
    name: "ohos-example-server",
    accepts: () => true,
    connect: (target, options, signal, progress) =>
      plainConnect({ ...target, hostname: hostname!, port: Number(port) }, options, signal, progress),
  });
  const create = Deno.createHttpClient;
  Object.defineProperty(Deno, "createHttpClient", {
    value: (options: Deno.CreateHttpClientOptions = {}): Deno.HttpClient =>
      create({ ...options, proxy: { transport: "tcp", hostname: hostname!, port: Number(port) } }),
    configurable: true,
    writable: true,
  });
}
