/**
 * The command-line program: parses the arguments, sends one request through
 * the library's `http` face (`requestInStream` with `dataReceive`, or
 * `request` for `--timing`, the only call that reports `performanceTiming`),
 * draws the progress bars, writes the body and returns the exit code.
 *
 * @module
 */

import http from "../../ohos.ts";
import type { HttpRequestOptions } from "../../mod.ts";
import type { CliArgs } from "./cli_args.ts";
import { parseArgs } from "./parse_args.ts";
import { CliError, EXIT, oneLine, toCliError, UsageError } from "./exit_codes.ts";
import { helpText, VERSION } from "./help.ts";
import {
  FileSink,
  type HeaderObject,
  ResumeSink,
  type Sink,
  type SinkOptions,
  SpoolSink,
  StdoutSink,
  type SyncWriter,
  timingTable,
  writeAllSync,
} from "./output.ts";
import { ProgressBar, progressWanted } from "./progress_bar.ts";
import { planRequest } from "./request.ts";

/** The program's standard streams. */
export interface CliIo {
  readonly stdout: SyncWriter;
  readonly stderr: SyncWriter;
}

const encoder = new TextEncoder();
/** The largest body `request()` (used by --timing) reads: the library's maximum `maxLimit`. */
const TIMING_MAX_BODY = 100 * 1024 * 1024;

/**
 * Runs the program with `argv` (without the program name) and returns the
 * exit code. Never throws.
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
    if (args.url === undefined) throw new UsageError("no URL given");
  } catch (error) {
    const cliError = toCliError(error);
    say(cliError instanceof UsageError ? `${cliError.message} (see --help)` : cliError.message);
    return cliError.exitCode;
  }
  return await new Transfer(args, io, say).run();
}

/** One run of the program: one request, its output and its bars. */
class Transfer {
  readonly #args: CliArgs;
  readonly #io: CliIo;
  readonly #say: (line: string) => void;
  readonly #req = http.createHttp();
  #cancel: CliError | null = null;
  #headers: HeaderObject = {};
  #heads = 0;
  #received = 0;
  #upload: ProgressBar | null = null;
  #download: ProgressBar | null = null;

  constructor(args: CliArgs, io: CliIo, say: (line: string) => void) {
    this.#args = args;
    this.#io = io;
    this.#say = say;
  }

  async run(): Promise<number> {
    const args = this.#args;
    let sink: Sink | null = null;
    let cache: http.HttpResponseCache | null = null;
    const onInterrupt = () => this.#stop(new CliError("interrupted", EXIT.INTERRUPTED));
    addSignal(onInterrupt);
    try {
      const planned = await planRequest(args);
      cache = args.cache === undefined ? null : openCache(args.cache);
      sink = await openSink(args, this.#io);
      const options: HttpRequestOptions = { ...planned.options };
      if (sink.resumeFrom > 0) options.resumeFrom = sink.resumeFrom;
      const toStdout = args.output === undefined || args.output === "-";
      this.#listen(sink, progressWanted(args.silent, toStdout), sink.resumeFrom);

      let status: number;
      let timing: object | null = null;
      if (args.timing) {
        const response = await this.#req.request(planned.url, {
          ...options,
          expectDataType: http.HttpDataType.ARRAY_BUFFER,
          maxLimit: Math.min(args.maxSize ?? TIMING_MAX_BODY, TIMING_MAX_BODY),
        });
        this.#throwIfCancelled();
        status = response.responseCode;
        this.#headers = response.header;
        const body = new Uint8Array(response.result as ArrayBuffer);
        if (body.byteLength > 0) sink.write(body, this.#headers);
        timing = response.performanceTiming;
      } else {
        status = await this.#req.requestInStream(planned.url, options);
        this.#throwIfCancelled();
      }
      this.#upload?.finish();
      this.#download?.finish();
      await sink.finish(status, this.#headers);
      sink = null;
      if (cache) await cache.flush(); // everything stored is written before the process ends
      if (timing) writeAllSync(this.#io.stderr, encoder.encode(timingTable(timing)), "to stderr");
      return EXIT.OK;
    } catch (error) {
      this.#upload?.abort();
      this.#download?.abort();
      const cliError = this.#cancel ?? this.#classify(error);
      const note = await sink?.abort();
      this.#say(note ? `${cliError.message}; ${note}` : cliError.message);
      return cliError.exitCode;
    } finally {
      removeSignal(onInterrupt);
      this.#req.destroy();
      await cache?.close().catch(() => {});
    }
  }

  /** Library errors keep their derived exit code; --timing's size limit is --max-size's 63. */
  #classify(error: unknown): CliError {
    const cliError = toCliError(error);
    if (this.#args.timing && exceedsSizeLimit(error)) {
      return new CliError(cliError.message, EXIT.FILE_SIZE_EXCEEDED);
    }
    return cliError;
  }

  #throwIfCancelled(): void {
    if (this.#cancel) throw this.#cancel;
  }

  /** Cancels the request (through `destroy()`) with our own reason. */
  #stop(reason: CliError): void {
    if (this.#cancel) return;
    this.#cancel = reason;
    this.#req.destroy();
  }

  #listen(sink: Sink, bars: boolean, offset: number): void {
    const args = this.#args;
    const req = this.#req;
    req.on("headersReceive", (header: object) => {
      this.#headers = header as HeaderObject;
      this.#heads++;
      // The face reports each hop's headers, not its status: N redirects are certain once
      // N + 2 heads arrived (only the last one can be final).
      const max = args.maxRedirs;
      if (max !== undefined && max >= 0 && this.#heads > max + 1) {
        this.#stop(
          new CliError(`Maximum (${max}) redirects followed`, EXIT.TOO_MANY_REDIRECTS),
        );
      }
    });
    if (!args.timing) {
      req.on("dataReceive", (chunk: ArrayBuffer) => {
        if (this.#cancel) return;
        try {
          this.#received += chunk.byteLength;
          this.#checkSize();
          if (this.#cancel) return;
          sink.write(new Uint8Array(chunk), this.#headers);
        } catch (error) {
          this.#stop(toCliError(error));
        }
      });
    }
    if (!bars) return;
    const stderr = this.#io.stderr;
    req.on("dataSendProgress", ({ sendSize, totalSize }: http.DataSendProgressInfo) => {
      if (totalSize <= 0) return;
      this.#upload ??= new ProgressBar(stderr, "up  ");
      this.#upload.update(sendSize, totalSize);
      if (sendSize >= totalSize) this.#upload.finish();
    });
    if (!args.timing) {
      req.on("dataReceiveProgress", ({ receiveSize, totalSize }: http.DataReceiveProgressInfo) => {
        if (this.#upload?.drawn) this.#upload.finish();
        this.#download ??= new ProgressBar(stderr, "down");
        this.#download.update(offset + receiveSize, totalSize > 0 ? offset + totalSize : 0);
      });
    }
  }

  /** --max-size on a stream: the declared length first, then the bytes as they come. */
  #checkSize(): void {
    const max = this.#args.maxSize;
    if (max === undefined) return;
    const declared = Number(this.#headers["content-length"]);
    const size = Number.isFinite(declared) && !this.#headers["content-encoding"]
      ? Math.max(declared, this.#received)
      : this.#received;
    if (size > max) {
      this.#stop(
        new CliError(
          `Maximum file size exceeded: the body is larger than --max-size (${max} bytes)`,
          EXIT.FILE_SIZE_EXCEEDED,
        ),
      );
    }
  }
}

async function openSink(args: CliArgs, io: CliIo): Promise<Sink> {
  const options: SinkOptions = {
    include: args.include || args.head,
    fail: args.fail,
    stdout: io.stdout,
  };
  if (args.output !== undefined && args.output !== "-") {
    return args.resume
      ? await ResumeSink.open(options, args.output)
      : await FileSink.open(options, args.output);
  }
  return options.include || options.fail ? new SpoolSink(options) : new StdoutSink(options);
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

function addSignal(listener: () => void): void {
  try {
    Deno.addSignalListener("SIGINT", listener);
  } catch { /* no signals here */ }
}

function removeSignal(listener: () => void): void {
  try {
    Deno.removeSignalListener("SIGINT", listener);
  } catch { /* never added */ }
}

/**
 * `true` for the library's body-size limit: a `BusinessError`'s `cause` is
 * the library's own error, whose `details.limit` names the limit exceeded.
 */
function exceedsSizeLimit(error: unknown): boolean {
  const cause = (error as { cause?: { details?: { limit?: unknown } } } | null)?.cause;
  return cause?.details?.limit === "body-size";
}
