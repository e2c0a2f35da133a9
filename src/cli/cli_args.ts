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

/** The parsed command line. */
export interface CliArgs {
  url: string | undefined;
  method: string | undefined;
  /** Headers in order; a `null` value removes the header (`-H 'Name:'`). */
  headers: Array<[name: string, value: string | null]>;
  data: DataArg[];
  json: string[];
  form: string[];
  /** `-o FILE`; `-` or absent: standard output. */
  output: string | undefined;
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
  /** --max-size in bytes. */
  maxSize: number | undefined;
  cacert: string | undefined;
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
  fail: boolean;
  userAgent: string | undefined;
  user: string | undefined;
  help: boolean;
  version: boolean;
}

/** A fresh {@linkcode CliArgs} with nothing set. */
export function emptyArgs(): CliArgs {
  return {
    url: undefined,
    method: undefined,
    headers: [],
    data: [],
    json: [],
    form: [],
    output: undefined,
    resume: false,
    include: false,
    head: false,
    location: false,
    maxRedirs: undefined,
    timeout: undefined,
    connectTimeout: undefined,
    maxSize: undefined,
    cacert: undefined,
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
    fail: false,
    userAgent: undefined,
    user: undefined,
    help: false,
    version: false,
  };
}
