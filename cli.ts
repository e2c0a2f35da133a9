// deno-lint-ignore-file no-console
/**
 * The command-line program (placeholder until the CLI issue): prints the
 * body of one GET.
 *
 * ```sh
 * deno run -A jsr:@netstack/http/cli http://127.0.0.1:8000/
 * ```
 *
 * @module
 */

import http from "./ohos.ts";

if (import.meta.main) {
  const url = Deno.args[0];
  if (!url) {
    console.error("usage: netstack URL");
    Deno.exit(2);
  }
  const req = http.createHttp();
  try {
    const code = await req.requestInStream(url);
    Deno.exitCode = code >= 400 ? 22 : 0;
  } catch (error) {
    console.error((error as { message: string }).message);
    Deno.exitCode = 1;
  } finally {
    req.destroy();
  }
}
