/**
 * `netstack`, the command-line program of @netstack/http: a curl-like
 * client built on the library's `http` face. It streams downloads to stdout
 * or to a file (`-o`, written under a temporary name and renamed when
 * complete), resumes them (`-C -`), uploads forms and files (`-F`), shows a
 * progress bar on a terminal, and exits with curl's numbers (7 connect,
 * 6 resolve, 28 timeout, 22 for `--fail`, 2 for usage errors); `--help`
 * lists every option with an example.
 *
 * ```sh
 * deno run -A jsr:@netstack/http/cli -o page.html http://127.0.0.1:8000/
 * deno run -A jsr:@netstack/http/cli -F file=@notes.txt http://127.0.0.1:8000/upload
 * deno run -A jsr:@netstack/http/cli --help
 * ```
 *
 * In a checkout: `deno task get URL`. As one binary:
 * `deno compile --unstable-kv -A -o netstack jsr:@netstack/http/cli`.
 *
 * @module
 */

import { main } from "./src/cli/main.ts";

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
