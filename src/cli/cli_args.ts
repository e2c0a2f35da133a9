/**
 * The parsed command line: {@linkcode CliArgs}, the record every option of
 * the option table writes into, and {@linkcode emptyArgs}, its state before
 * any option is applied.
 *
 * @module
 */

/** One piece of request body given with -d or --data-binary. */
export interface DataArg {
  /** `ascii`: -d (an @file loses its CR and LF, as in curl); `binary`: --data-binary. */
  readonly kind: "ascii" | "binary";
  /** The literal data, or `@path` (`@-` for standard input). */
  readonly value: string;
}

/** Where one URL's body goes: `-o FILE` (`-` for stdout) or `-O` (the URL's file name). */
export type OutputArg = { readonly kind: "file"; readonly path: string } | {
  readonly kind: "remote";
};

/** The parsed command line. */
export interface CliArgs {
  /** The URLs, fetched one after the other. */
  urls: string[];
  method: string | undefined;
  /** Headers in order; a `null` value removes the header (`-H 'Name:'`). */
  headers: Array<[name: string, value: string | null]>;
  data: DataArg[];
  json: string[];
  form: string[];
  /** `-o FILE` and `-O`, in order: the first goes with the first URL, and so on. */
  outputs: OutputArg[];
  resume: boolean;
  include: boolean;
  head: boolean;
  location: boolean;
  /** --max-redirs; -1 means the library's own limit. */
  maxRedirs: number | undefined;
  /** --timeout in ms. */
  timeout: number | undefined;
  /** --connect-timeout in ms. */
  connectTimeout: number | undefined;
  /** --retry: extra attempts after a transient failure. */
  retry: number | undefined;
  /** --retry-max-time in ms: no retry starts later than this after the first attempt. */
  retryMaxTime: number | undefined;
  /** --retry-delay in ms: a fixed wait instead of the exponential backoff. */
  retryDelay: number | undefined;
  /** --retry-connrefused: a refused connection is transient too. */
  retryConnRefused: boolean;
  /** --retry-all-methods: retry POST and other non-idempotent methods too. */
  retryAllMethods: boolean;
  /** --max-size in bytes. */
  maxSize: number | undefined;
  cacert: string | undefined;
  /** -k: no certificate verification. */
  insecure: boolean;
  cert: string | undefined;
  key: string | undefined;
  certType: "PEM" | "DER" | "P12" | undefined;
  pass: string | undefined;
  proxy: string | undefined;
  noproxy: string[] | undefined;
  dnsServers: string[] | undefined;
  dohUrl: string | undefined;
  protocol: "http1.1" | "http2" | undefined;
  /** --cache: `true`, or the directory of --cache=DIR. */
  cache: true | string | undefined;
  timing: boolean;
  priority: number | undefined;
  silent: boolean;
  /** -S: print errors even with -s. */
  showError: boolean;
  /** -v: the request and response headers on stderr. */
  verbose: boolean;
  /** -w FORMAT: printed to stdout after each transfer. */
  writeOut: string | undefined;
  /** --compressed: ask for a compressed body and decode it. */
  compressed: boolean;
  fail: boolean;
  userAgent: string | undefined;
  user: string | undefined;
  help: boolean;
  version: boolean;
}

/** A fresh {@linkcode CliArgs} with nothing set. */
export function emptyArgs(): CliArgs {
  return {
    urls: [],
    method: undefined,
    headers: [],
    data: [],
    json: [],
    form: [],
    outputs: [],
    resume: false,
    include: false,
    head: false,
    location: false,
    maxRedirs: undefined,
    timeout: undefined,
    connectTimeout: undefined,
    retry: undefined,
    retryMaxTime: undefined,
    retryDelay: undefined,
    retryConnRefused: false,
    retryAllMethods: false,
    maxSize: undefined,
    cacert: undefined,
    insecure: false,
    cert: undefined,
    key: undefined,
    certType: undefined,
    pass: undefined,
    proxy: undefined,
    noproxy: undefined,
    dnsServers: undefined,
    dohUrl: undefined,
    protocol: undefined,
    cache: undefined,
    timing: false,
    priority: undefined,
    silent: false,
    showError: false,
    verbose: false,
    writeOut: undefined,
    compressed: false,
    fail: false,
    userAgent: undefined,
    user: undefined,
    help: false,
    version: false,
  };
}
