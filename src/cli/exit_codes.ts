/**
 * Exit codes of the command-line program. A library failure is a
 * `BusinessError` whose code is `2300000 + n` with `n` libcurl's error
 * number, so the program exits with `n`: the same number curl uses for the
 * same failure (7 connect, 6 resolve, 28 timeout, …). The codes the program
 * decides itself (usage, `--fail`, files) also follow curl where curl has one.
 *
 * @module
 */

/** The exit codes the program itself chooses. */
export const EXIT = {
  OK: 0,
  /** Anything else, e.g. the library's 2300999 (an option it does not support yet). */
  FAILURE: 1,
  /** Bad command line, or an option value the library refused (its code 401). */
  USAGE: 2,
  /** Transferred a partial file: the body ended early (also kept as FILE.part with -C -). */
  PARTIAL_FILE: 18,
  /** `--fail` and an HTTP status of 400 or more; also any error status while resuming. */
  HTTP_ERROR: 22,
  /** Writing the output (a file, standard output) failed. */
  WRITE_ERROR: 23,
  /** Reading a local file given to -d @file, --data-binary @file, --json @file or -F failed. */
  READ_ERROR: 26,
  /** --timeout, --connect-timeout, or no response head within 60 s with --connect-timeout. */
  TIMEOUT: 28,
  /** -C -: the server answered the Range request with something that cannot continue the file. */
  RANGE_ERROR: 33,
  /** More redirects than --max-redirs. */
  TOO_MANY_REDIRECTS: 47,
  /** The body is larger than --max-size. */
  FILE_SIZE_EXCEEDED: 63,
  /** Deno refused a permission (the library's code 201): run with -A. */
  PERMISSION_DENIED: 126,
  /** Interrupted (Ctrl-C). */
  INTERRUPTED: 130,
} as const;

/** Every exit code with what it means, in the order `--help` and the README list them. */
export const EXIT_CODE_TABLE: ReadonlyArray<readonly [number, string]> = [
  [0, "success (an HTTP status >= 400 too, unless --fail)"],
  [1, "any other failure, e.g. 2300999 (an option the library does not support yet)"],
  [2, "usage error: a bad option or value (also the library's 401)"],
  [3, "malformed URL (2300003)"],
  [5, "the proxy's name does not resolve (2300005)"],
  [6, "the host name does not resolve (2300006)"],
  [7, "connection failed or refused (2300007)"],
  [18, "the body ended early (2300018); with -C - the partial stays in FILE.part"],
  [22, "--fail and HTTP status >= 400; or an error status while resuming with -C -"],
  [23, "writing the output failed (also the library's 2300023)"],
  [26, "a local file to send cannot be read (2300026 or the program's own read)"],
  [28, "--timeout or --connect-timeout passed (2300028), or no response head within 60 s"],
  [33, "-C -: the server cannot continue the file (its Range answer does not fit)"],
  [47, "too many redirects: --max-redirs, or the library's own limit of 30 (2300047)"],
  [52, "the server closed the connection without answering (2300052)"],
  [56, "the connection failed while receiving (2300056)"],
  [58, "client certificate problem (2300058)"],
  [60, "the server's certificate is not trusted (2300060)"],
  [63, "the body is larger than --max-size"],
  [77, "the --cacert file cannot be used (2300077)"],
  [90, "the server's public key matches no pinned key (2300090)"],
  [126, "Deno refused a permission (201): the message names the flag to add (or run with -A)"],
  [130, "interrupted"],
  [-1, "any other library code 2300000 + n exits with n, as curl does"],
];

/**
 * An error that ends the program with `exitCode` and prints `message` as one
 * line on stderr.
 */
export class CliError extends Error {
  /** The process exit code. */
  readonly exitCode: number;

  /**
   * @param message the one-line message (without the program name)
   * @param exitCode the process exit code
   */
  constructor(message: string, exitCode: number) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/** The command line is wrong: exit 2. */
export class UsageError extends CliError {
  /** @param message what is wrong, naming the option */
  constructor(message: string) {
    super(message, EXIT.USAGE);
    this.name = "UsageError";
  }
}

/** The exit code for a library `BusinessError` code. */
export function exitCodeForBusinessCode(code: number): number {
  if (code === 401) return EXIT.USAGE;
  if (code === 201) return EXIT.PERMISSION_DENIED;
  const curl = code - 2_300_000;
  if (curl >= 1 && curl <= 125) return curl;
  return EXIT.FAILURE;
}

/**
 * Turns anything thrown into a {@linkcode CliError}: a `CliError` as is, a
 * library `BusinessError` with the exit code derived from its code.
 */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (isBusinessError(error)) {
    return new CliError(`${error.message} [${error.code}]`, exitCodeForBusinessCode(error.code));
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CliError(message, EXIT.FAILURE);
}

function isBusinessError(error: unknown): error is { code: number; message: string } {
  return typeof error === "object" && error !== null &&
    typeof (error as { code?: unknown }).code === "number" &&
    typeof (error as { message?: unknown }).message === "string";
}

/** The message as one line: newlines and runs of blanks become one space. */
export function oneLine(message: string): string {
  return message.replace(/\s*[\r\n]+\s*/g, " ").trim();
}
