/**
 * One URL's transfer: the request through the library's `http` face
 * (`requestInStream` with `dataReceive`, or `request` for `--timing`, the
 * only call that reports `performanceTiming`), its sink, its progress bars,
 * `-v` lines, and what `-w` reports about it.
 *
 * @module
 */

import http from "../../ohos.ts";
import type { HttpRequestOptions } from "../../mod.ts";
import type { CliArgs, OutputArg } from "./cli_args.ts";
import { CliError, EXIT, toCliError } from "./exit_codes.ts";
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
import type { TransferReport } from "./write_out.ts";

/** The program's standard streams, and limits tests may shorten. */
export interface CliIo {
  readonly stdout: SyncWriter;
  readonly stderr: SyncWriter;
  /**
   * With --connect-timeout: how long a connected server may take to send the
   * response head, in ms (default 60 000, the library's default without it).
   */
  readonly headLimit?: number;
}

const encoder = new TextEncoder();
/** The largest body `request()` (used by --timing) reads: the library's maximum `maxLimit`. */
const TIMING_MAX_BODY = 100 * 1024 * 1024;
/** Without --connect-timeout the library bounds the wait for the response head by this. */
const DEFAULT_HEAD_LIMIT = 60_000;

/** One URL's transfer: its request, its output and its bars. */
export class Transfer {
  readonly #args: CliArgs;
  readonly #url: string;
  readonly #output: OutputArg | undefined;
  readonly #io: CliIo;
  readonly #say: (line: string) => void;
  readonly #req = http.createHttp();
  #cancel: CliError | null = null;
  #headers: HeaderObject = {};
  #heads = 0;
  #received = 0;
  #upload: ProgressBar | null = null;
  #download: ProgressBar | null = null;

  constructor(
    args: CliArgs,
    url: string,
    output: OutputArg | undefined,
    io: CliIo,
    say: (line: string) => void,
  ) {
    this.#args = args;
    this.#url = url;
    this.#output = output;
    this.#io = io;
    this.#say = say;
  }

  /** Runs the transfer; never throws. */
  async run(): Promise<TransferReport> {
    const args = this.#args;
    const started = performance.now();
    let sink: Sink | null = null;
    let status = 0;
    let method = args.head ? "HEAD" : "GET";
    let filename = "";
    let headTimer: ReturnType<typeof setTimeout> | undefined;
    const onInterrupt = () => this.#stop(new CliError("interrupted", EXIT.INTERRUPTED));
    addSignal(onInterrupt);
    const finish = (exitCode: number, error: string): TransferReport => ({
      url: this.#url,
      method,
      status,
      sizeDownload: this.#received,
      timeTotal: (performance.now() - started) / 1000,
      headers: this.#headers,
      redirects: Math.max(0, this.#heads - 1),
      filename,
      exitCode,
      error,
    });
    try {
      const planned = await planRequest(args, this.#url);
      method = planned.method;
      filename = outputPath(this.#output, this.#url) ?? "";
      sink = await openSink(args, filename || undefined, this.#io);
      const options: HttpRequestOptions = { ...planned.options };
      if (sink.resumeFrom > 0) options.resumeFrom = sink.resumeFrom;
      // Bars only on the real stderr (a terminal): captured streams never get them.
      const bars = this.#io.stderr === Deno.stderr && progressWanted(args.silent, filename === "");
      this.#listen(sink, bars, sink.resumeFrom);
      if (args.verbose) this.#note(requestLines(planned.method, planned.url, options));
      if (args.connectTimeout !== undefined && !args.retry) {
        // --connect-timeout bounds only the connection: keep the default bound on the answer.
        const limit = this.#io.headLimit ?? DEFAULT_HEAD_LIMIT;
        headTimer = setTimeout(() => {
          if (this.#heads > 0) return;
          this.#stop(
            new CliError(`no response head within ${limit / 1000} s of the start`, EXIT.TIMEOUT),
          );
        }, limit);
      }

      let timing: Record<string, unknown> | null = null;
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
        this.#received = body.byteLength;
        if (body.byteLength > 0) sink.write(body, this.#headers);
        timing = { ...response.performanceTiming };
      } else {
        status = await this.#req.requestInStream(planned.url, options);
        this.#throwIfCancelled();
      }
      this.#upload?.finish();
      this.#download?.finish();
      if (args.verbose) this.#note([`* ${status}, ${this.#received} bytes`]);
      await sink.finish(status, this.#headers);
      sink = null;
      if (timing) writeAllSync(this.#io.stderr, encoder.encode(timingTable(timing)), "to stderr");
      return finish(EXIT.OK, "");
    } catch (error) {
      this.#upload?.abort();
      this.#download?.abort();
      const cliError = this.#cancel ?? this.#classify(error);
      const note = await sink?.abort();
      const message = note ? `${cliError.message}; ${note}` : cliError.message;
      this.#say(message);
      return finish(cliError.exitCode, message);
    } finally {
      clearTimeout(headTimer);
      removeSignal(onInterrupt);
      this.#req.destroy();
    }
  }

  /** Writes `-v` lines to stderr. */
  #note(lines: string[]): void {
    try {
      writeAllSync(this.#io.stderr, encoder.encode(lines.join("\n") + "\n"), "to stderr");
    } catch { /* a closed stderr does not stop the transfer */ }
  }

  /**
   * Library errors keep their derived exit code. With --timing, `request()`'s
   * 23 is its size limit (the program's own cancels are in `#cancel`): --max-size's 63.
   */
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
    req.on("headersReceive", (header) => {
      this.#headers = header;
      this.#heads++;
      if (args.verbose) this.#note(responseLines(header));
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

/** The file a URL's body goes to: -o FILE, or -O's last path segment; `null` for stdout. */
function outputPath(output: OutputArg | undefined, url: string): string | null {
  if (output === undefined) return null;
  if (output.kind === "file") return output.path === "-" ? null : output.path;
  let name: string;
  try {
    name = new URL(url).pathname.split("/").pop() ?? "";
  } catch {
    name = url.split(/[?#]/)[0]!.split("/").pop() ?? "";
  }
  if (name === "") {
    throw new CliError(`-O: the URL ${url} has no file name to use`, EXIT.WRITE_ERROR);
  }
  return name;
}

/** `-v`: the request as the program hands it to the library. */
function requestLines(method: string, url: string, options: HttpRequestOptions): string[] {
  const lines = [`> ${method} ${url}`];
  for (const [name, value] of Object.entries(options.header ?? {})) {
    lines.push(
      `> ${name}: ${/^(authorization|proxy-authorization|cookie)$/i.test(name) ? "…" : value}`,
    );
  }
  lines.push(">");
  return lines;
}

/** `-v`: one response head (a redirect hop or the final response). */
function responseLines(headers: HeaderObject): string[] {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    for (const item of Array.isArray(value) ? value : [value]) lines.push(`< ${name}: ${item}`);
  }
  lines.push("<");
  return lines;
}

async function openSink(args: CliArgs, path: string | undefined, io: CliIo): Promise<Sink> {
  const options: SinkOptions = {
    include: args.include || args.head,
    fail: args.fail,
    stdout: io.stdout,
  };
  if (path !== undefined) {
    return args.resume ? await ResumeSink.open(options, path) : await FileSink.open(options, path);
  }
  return options.include || options.fail ? new SpoolSink(options) : new StdoutSink(options);
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
