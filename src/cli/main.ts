/**
 * The command-line program: parses the arguments, opens the response cache
 * for `--cache`, runs one {@linkcode Transfer} per URL, prints `-w` after
 * each, and returns the exit code (the last URL's, as curl).
 *
 * @module
 */

import http from "../../ohos.ts";
import type { CliArgs } from "./cli_args.ts";
import { parseArgs } from "./parse_args.ts";
import { CliError, EXIT, oneLine, toCliError, UsageError } from "./exit_codes.ts";
import { helpText, VERSION } from "./help.ts";
import { writeAllSync } from "./output.ts";
import { type CliIo, Transfer } from "./transfer.ts";
import { expandWriteOut } from "./write_out.ts";

export type { CliIo };

const encoder = new TextEncoder();

/**
 * Runs the program with `argv` (without the program name) and returns the
 * exit code: with several URLs, the last one's, as curl. Never throws.
 */
export async function main(
  argv: readonly string[],
  io: CliIo = { stdout: Deno.stdout, stderr: Deno.stderr },
): Promise<number> {
  const say = (line: string) => {
    try {
      writeAllSync(io.stderr, encoder.encode(`netstack: ${oneLine(line)}\n`), "to stderr");
    } catch { /* nowhere left to report it */ }
  };
  let args: CliArgs;
  let format: string | undefined;
  try {
    args = parseArgs(argv);
    if (args.help) {
      writeAllSync(io.stdout, encoder.encode(helpText()), "to stdout");
      return EXIT.OK;
    }
    if (args.version) {
      writeAllSync(io.stdout, encoder.encode(`netstack ${VERSION}\n`), "to stdout");
      return EXIT.OK;
    }
    if (args.urls.length === 0) throw new UsageError("no URL given");
    format = args.writeOut?.startsWith("@")
      ? await readFormat(args.writeOut.slice(1))
      : args.writeOut;
  } catch (error) {
    const cliError = toCliError(error);
    say(cliError instanceof UsageError ? `${cliError.message} (see --help)` : cliError.message);
    return cliError.exitCode;
  }
  // -s hides error messages too, as in curl; -S brings them back.
  const report = args.silent && !args.showError ? () => {} : say;
  let cache: http.HttpResponseCache | null = null;
  let code: number = EXIT.OK;
  try {
    cache = args.cache === undefined ? null : openCache(args.cache);
  } catch (error) {
    const cliError = toCliError(error);
    report(cliError.message);
    return cliError.exitCode;
  }
  try {
    for (const [i, url] of args.urls.entries()) {
      const transfer = new Transfer(args, url, args.outputs[i], io, report);
      const result = await transfer.run();
      code = result.exitCode;
      if (format !== undefined) {
        const text = expandWriteOut(format, result, (line) => say(line));
        try {
          writeAllSync(io.stdout, encoder.encode(text), "to stdout");
        } catch (error) {
          report(toCliError(error).message);
          code = EXIT.WRITE_ERROR;
        }
      }
      if (code === EXIT.INTERRUPTED) break;
    }
    if (cache) await cache.flush(); // everything stored is written before the process ends
  } finally {
    await cache?.close().catch(() => {});
  }
  return code;
}

/** The text of `-w @FILE` (`@-`: stdin). */
async function readFormat(path: string): Promise<string> {
  try {
    if (path !== "-") return await Deno.readTextFile(path);
    return await new Response(Deno.stdin.readable).text();
  } catch (error) {
    throw new CliError(`cannot read '${path}': ${(error as Error).message}`, EXIT.READ_ERROR);
  }
}

/**
 * `--cache[=DIR]`: starts the library's response cache (Deno KV). Without DIR
 * it lives where the library puts it by default; with DIR in `DIR/netstack-http.kv`;
 * `:memory:` and a KV Connect `http(s)://` URL are handed over as they are.
 */
function openCache(cache: true | string): http.HttpResponseCache {
  if (typeof (Deno as { openKv?: unknown }).openKv !== "function") {
    throw new UsageError("--cache needs Deno KV: run deno with --unstable-kv");
  }
  if (cache === true) return http.createHttpResponseCache();
  const location = cache === ":memory:" || /^https?:\/\//i.test(cache)
    ? cache
    : `${cache.replace(/[\\/]+$/, "")}/netstack-http.kv`;
  return http.createHttpResponseCache(undefined, { location });
}
