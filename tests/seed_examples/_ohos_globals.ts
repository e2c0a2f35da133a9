/**
 * OpenHarmony's global `getContext()`, which seed example 01 uses for its
 * `filesDir`. Not part of the library: it stands in for the OpenHarmony
 * runtime. `seed_examples_test.ts` passes this file to `deno check` next to
 * the examples (for the `declare global`) and to `deno run --preload` (for the
 * function itself), so the examples stay unchanged. `filesDir` is
 * `$OHOS_FILES_DIR`, or the working directory when that is unset.
 *
 * @module
 */

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
