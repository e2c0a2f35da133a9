/**
 * Argument parsing of the command-line program: one table of options drives
 * both the parser and `--help`, so every option is documented with an
 * example. Short options cluster as in curl (`-sLo out.bin`), long options
 * take their value as the next argument or after `=`.
 *
 * @module
 */

import { UsageError } from "./exit_codes.ts";

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

/** How an option takes its value. */
type Arity = "none" | "required" | "optional";

/** One option: its names, its help text and example, and what it sets. */
export interface OptionSpec {
  /** The long name with its dashes, e.g. `--request`. */
  readonly long: string;
  /** The short name with its dash, e.g. `-X`. */
  readonly short?: string;
  /** Other long names. */
  readonly aliases?: readonly string[];
  /** The value's placeholder; `optional` values only go after `=`. */
  readonly value?: string;
  readonly arity: Arity;
  /** One line of help. */
  readonly help: string;
  /** An example command line, starting with `netstack`. */
  readonly example: string;
  /** Applies the option; throws a {@linkcode UsageError} for a bad value. */
  readonly apply: (args: CliArgs, value: string | undefined, name: string) => void;
}

function flag(
  long: string,
  short: string | undefined,
  help: string,
  example: string,
  apply: (args: CliArgs) => void,
  aliases?: string[],
): OptionSpec {
  return { long, short, aliases, arity: "none", help, example, apply: (a) => apply(a) };
}

function valued(
  long: string,
  short: string | undefined,
  value: string,
  help: string,
  example: string,
  apply: (args: CliArgs, value: string, name: string) => void,
  aliases?: string[],
): OptionSpec {
  return {
    long,
    short,
    aliases,
    value,
    arity: "required",
    help,
    example,
    apply: (a, v, n) => apply(a, v!, n),
  };
}

/** Every option, in the order `--help` lists them. */
export const OPTIONS: readonly OptionSpec[] = [
  valued(
    "--request",
    "-X",
    "METHOD",
    "request method (default GET; POST when a body is given; HEAD with -I)",
    "netstack -X DELETE http://127.0.0.1:8000/items/1",
    (a, v) => {
      a.method = v;
    },
  ),
  valued(
    "--header",
    "-H",
    "'NAME: VALUE'",
    "add a request header (repeatable); 'NAME:' drops a header the program would send",
    "netstack -H 'Accept: application/json' -H 'X-Trace: 1' http://127.0.0.1:8000/",
    (a, v, n) => a.headers.push(parseHeader(v, n)),
  ),
  valued(
    "--data",
    "-d",
    "DATA",
    "send DATA as a urlencoded POST body; @FILE reads FILE without CR/LF, @- stdin; repeat to join with &",
    "netstack -d 'name=deno&lang=ts' http://127.0.0.1:8000/post",
    (a, v) => a.data.push({ kind: "ascii", value: v }),
  ),
  valued(
    "--data-binary",
    undefined,
    "DATA",
    "like -d, but @FILE is sent byte for byte",
    "netstack --data-binary @image.png -H 'Content-Type: image/png' http://127.0.0.1:8000/upload",
    (a, v) => a.data.push({ kind: "binary", value: v }),
  ),
  valued(
    "--json",
    undefined,
    "DATA",
    "send DATA (or @FILE) as JSON: POST, Content-Type and Accept application/json",
    'netstack --json \'{"hello":"world"}\' http://127.0.0.1:8000/post',
    (a, v) => a.json.push(v),
  ),
  valued(
    "--form",
    "-F",
    "NAME=VALUE",
    "multipart/form-data field (repeatable); NAME=@FILE[;type=T][;filename=N] streams a file, NAME=<FILE sends its content",
    "netstack -F title=holiday -F 'photo=@beach.jpg;type=image/jpeg' http://127.0.0.1:8000/upload",
    (a, v) => a.form.push(v),
  ),
  valued(
    "--output",
    "-o",
    "FILE",
    "write the body to FILE (streamed to FILE.<random>.tmp, renamed when complete; '-' is stdout)",
    "netstack -o big.iso http://127.0.0.1:8000/big.iso",
    (a, v) => {
      a.output = v;
    },
  ),
  valued(
    "--continue-at",
    "-C",
    "-",
    "resume: continue FILE.part (or a partial FILE) with a Range request; the partial is kept on failure",
    "netstack -C - -o big.iso http://127.0.0.1:8000/big.iso",
    (a, v, n) => {
      if (v !== "-") {
        throw new UsageError(`${n} takes '-' (continue from the partial file's size), got '${v}'`);
      }
      a.resume = true;
    },
  ),
  flag(
    "--resume",
    undefined,
    "the same as -C -",
    "netstack --resume -o big.iso http://127.0.0.1:8000/big.iso",
    (a) => {
      a.resume = true;
    },
  ),
  flag(
    "--include",
    "-i",
    "print the status line and response headers to stdout before the body",
    "netstack -i http://127.0.0.1:8000/",
    (a) => {
      a.include = true;
    },
  ),
  flag(
    "--head",
    "-I",
    "send HEAD and print the status line and headers",
    "netstack -I http://127.0.0.1:8000/big.iso",
    (a) => {
      a.head = true;
    },
  ),
  flag(
    "--location",
    "-L",
    "follow redirects; the library always follows them (up to 30), so this is the default",
    "netstack -L http://127.0.0.1:8000/redirect/3",
    (a) => {
      a.location = true;
    },
  ),
  valued(
    "--max-redirs",
    undefined,
    "N",
    "fail (exit 47) after N redirects; -1 for the library's limit of 30",
    "netstack -L --max-redirs 5 http://127.0.0.1:8000/redirect/3",
    (a, v, n) => {
      a.maxRedirs = integer(v, n, -1);
    },
  ),
  valued(
    "--timeout",
    "-m",
    "SECONDS",
    "limit on the whole transfer (library readTimeout; default: none); fractions allowed",
    "netstack --timeout 2.5 http://127.0.0.1:8000/slow",
    (a, v, n) => {
      a.timeout = seconds(v, n);
    },
    ["--max-time"],
  ),
  valued(
    "--connect-timeout",
    undefined,
    "SECONDS",
    "limit until the response head arrives (library connectTimeout; default 60)",
    "netstack --connect-timeout 3 http://127.0.0.1:8000/",
    (a, v, n) => {
      a.connectTimeout = seconds(v, n);
    },
  ),
  valued(
    "--max-size",
    undefined,
    "BYTES",
    "fail (exit 63) when the body is larger; suffixes k, M, G (1024-based)",
    "netstack --max-size 10M -o page.html http://127.0.0.1:8000/",
    (a, v, n) => {
      a.maxSize = size(v, n);
    },
    ["--max-filesize"],
  ),
  valued(
    "--cacert",
    undefined,
    "FILE",
    "trust the PEM CA file (or directory) in addition to the system roots (library caPath)",
    "netstack --cacert ca.pem https://127.0.0.1:8443/",
    (a, v) => {
      a.cacert = v;
    },
  ),
  valued(
    "--cert",
    "-E",
    "FILE",
    "client certificate for mutual TLS (library clientCert.certPath)",
    "netstack --cert client.pem --key client.key https://127.0.0.1:8443/",
    (a, v) => {
      a.cert = v;
    },
  ),
  valued(
    "--key",
    undefined,
    "FILE",
    "private key of --cert (default: the --cert file itself; none for P12)",
    "netstack --cert client.pem --key client.key https://127.0.0.1:8443/",
    (a, v) => {
      a.key = v;
    },
  ),
  valued(
    "--cert-type",
    undefined,
    "PEM|DER|P12",
    "format of --cert (default PEM)",
    "netstack --cert client.p12 --cert-type P12 --pass secret https://127.0.0.1:8443/",
    (a, v, n) => {
      const type = v.toUpperCase();
      if (type !== "PEM" && type !== "DER" && type !== "P12") {
        throw new UsageError(`${n} must be PEM, DER or P12, got '${v}'`);
      }
      a.certType = type;
    },
  ),
  valued(
    "--pass",
    undefined,
    "PASSWORD",
    "password of an encrypted --key or of a P12 --cert",
    "netstack --cert client.p12 --cert-type P12 --pass secret https://127.0.0.1:8443/",
    (a, v) => {
      a.pass = v;
    },
  ),
  valued(
    "--proxy",
    "-x",
    "[http://][USER:PASS@]HOST[:PORT]",
    "send through this proxy (library usingProxy; port 1080 by default); without it HTTP_PROXY, HTTPS_PROXY and NO_PROXY apply, as in curl",
    "netstack --proxy http://127.0.0.1:8888 http://127.0.0.1:8000/",
    (a, v) => {
      a.proxy = v;
    },
  ),
  valued(
    "--noproxy",
    undefined,
    "HOSTS",
    "comma-separated hosts or *.suffix patterns that bypass --proxy (its exclusionList); '*' alone: no proxy, not even the environment's",
    "netstack --proxy 127.0.0.1:8888 --noproxy localhost,*.internal http://127.0.0.1:8000/",
    (a, v) => {
      a.noproxy = list(v);
    },
  ),
  valued(
    "--dns-servers",
    undefined,
    "ADDRESSES",
    "comma-separated DNS servers (up to three) to resolve the host (library dnsServers)",
    "netstack --dns-servers 127.0.0.1,::1 http://app.test:8000/",
    (a, v) => {
      a.dnsServers = list(v);
    },
  ),
  valued(
    "--doh-url",
    undefined,
    "URL",
    "resolve the host with this DNS-over-HTTPS server (library dnsOverHttps)",
    "netstack --doh-url https://127.0.0.1:8443/dns-query http://app.test:8000/",
    (a, v) => {
      a.dohUrl = v;
    },
  ),
  flag(
    "--http1.1",
    undefined,
    "use HTTP/1.1 only (library usingProtocol HTTP1_1)",
    "netstack --http1.1 http://127.0.0.1:8000/",
    (a) => {
      a.protocol = "http1.1";
    },
  ),
  flag(
    "--http2",
    undefined,
    "use HTTP/2 (library usingProtocol HTTP2; prior knowledge on http://)",
    "netstack --http2 https://127.0.0.1:8443/",
    (a) => {
      a.protocol = "http2";
    },
  ),
  {
    long: "--cache",
    value: "DIR",
    arity: "optional",
    help:
      "use the library's Deno KV response cache (http.createHttpResponseCache()); =DIR: where it lives",
    example: "netstack --cache=/tmp/netstack-cache http://127.0.0.1:8000/",
    apply: (a, v, n) => {
      if (v === "") throw new UsageError(`${n}= needs a directory`);
      a.cache = v ?? true;
    },
  },
  flag(
    "--timing",
    undefined,
    "print the performanceTiming table to stderr (uses request(): body up to --max-size, at most 100M)",
    "netstack --timing -o /dev/null http://127.0.0.1:8000/",
    (a) => {
      a.timing = true;
    },
  ),
  valued(
    "--priority",
    undefined,
    "N",
    "request priority 1..1000 (library priority)",
    "netstack --priority 10 http://127.0.0.1:8000/",
    (a, v, n) => {
      a.priority = integer(v, n, Number.MIN_SAFE_INTEGER);
    },
  ),
  valued(
    "--user-agent",
    "-A",
    "TEXT",
    "send this User-Agent header",
    "netstack -A 'my-script/1.0' http://127.0.0.1:8000/",
    (a, v) => {
      a.userAgent = v;
    },
  ),
  valued(
    "--user",
    "-u",
    "USER:PASSWORD",
    "send Basic authentication (credentials in the URL are refused by the library)",
    "netstack -u alice:secret http://127.0.0.1:8000/private",
    (a, v, n) => {
      if (!v.includes(":")) throw new UsageError(`${n} must be USER:PASSWORD`);
      a.user = v;
    },
  ),
  flag(
    "--silent",
    "-s",
    "no progress bar and no notes (errors are still printed)",
    "netstack -s -o page.html http://127.0.0.1:8000/",
    (a) => {
      a.silent = true;
    },
  ),
  flag(
    "--fail",
    "-f",
    "exit 22 on HTTP status >= 400 and write no body",
    "netstack --fail http://127.0.0.1:8000/missing || echo 'not there'",
    (a) => {
      a.fail = true;
    },
  ),
  flag(
    "--help",
    "-h",
    "show this help",
    "netstack --help",
    (a) => {
      a.help = true;
    },
  ),
  flag(
    "--version",
    "-V",
    "show the version",
    "netstack --version",
    (a) => {
      a.version = true;
    },
  ),
];

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

const BY_LONG = new Map<string, OptionSpec>();
const BY_SHORT = new Map<string, OptionSpec>();
for (const spec of OPTIONS) {
  BY_LONG.set(spec.long, spec);
  for (const alias of spec.aliases ?? []) BY_LONG.set(alias, spec);
  if (spec.short) BY_SHORT.set(spec.short, spec);
}

/**
 * Parses `argv` (without the program name). Throws a {@linkcode UsageError}
 * naming the option for anything it cannot take.
 */
export function parseArgs(argv: readonly string[]): CliArgs {
  const args = emptyArgs();
  const positional: string[] = [];
  let i = 0;
  const next = (name: string): string => {
    if (i >= argv.length) throw new UsageError(`option ${name} needs a value`);
    return argv[i++]!;
  };
  while (i < argv.length) {
    const arg = argv[i++]!;
    if (arg === "--") {
      positional.push(...argv.slice(i));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq === -1 ? arg : arg.slice(0, eq);
      const inline = eq === -1 ? undefined : arg.slice(eq + 1);
      const spec = BY_LONG.get(name);
      if (!spec) throw new UsageError(`unknown option '${name}'`);
      if (spec.arity === "none") {
        if (inline !== undefined) throw new UsageError(`option ${name} takes no value`);
        spec.apply(args, undefined, name);
      } else if (spec.arity === "optional") {
        spec.apply(args, inline, name);
      } else {
        spec.apply(args, inline ?? next(name), name);
      }
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      // A cluster of short options: flags, then at most one that takes the rest or the next arg.
      for (let j = 1; j < arg.length; j++) {
        const name = `-${arg[j]}`;
        const spec = BY_SHORT.get(name);
        if (!spec) throw new UsageError(`unknown option '${name}'`);
        if (spec.arity === "none") {
          spec.apply(args, undefined, name);
          continue;
        }
        const rest = arg.slice(j + 1);
        spec.apply(args, rest !== "" ? rest : next(name), name);
        break;
      }
      continue;
    }
    positional.push(arg);
  }
  if (positional.length > 1) {
    throw new UsageError(`one URL only, got ${positional.length}: ${positional.join(" ")}`);
  }
  args.url = positional[0];
  checkCombinations(args);
  return args;
}

function checkCombinations(args: CliArgs): void {
  const bodies = [args.data.length > 0, args.json.length > 0, args.form.length > 0]
    .filter(Boolean).length;
  if (bodies > 1) throw new UsageError("use only one of -d/--data-binary, --json and -F");
  if (args.head && bodies > 0) throw new UsageError("-I (HEAD) cannot send a body");
  if (args.resume && (args.output === undefined || args.output === "-")) {
    throw new UsageError("-C - (resume) needs -o FILE");
  }
  if (args.noproxy && !args.proxy && args.noproxy.join(",") !== "*") {
    throw new UsageError(
      "--noproxy HOSTS applies to --proxy ('*' alone: no proxy at all); for the environment's proxy set NO_PROXY",
    );
  }
  if ((args.key || args.pass || args.certType) && !args.cert) {
    throw new UsageError("--key, --pass and --cert-type need --cert");
  }
}

/** `Name: value`, `Name;` (empty value) or `Name:` (remove). */
function parseHeader(text: string, option: string): [string, string | null] {
  const colon = text.indexOf(":");
  if (colon > 0) {
    const value = text.slice(colon + 1).trim();
    return [text.slice(0, colon).trim(), value === "" ? null : value];
  }
  if (text.endsWith(";") && text.length > 1) return [text.slice(0, -1).trim(), ""];
  throw new UsageError(`${option} must look like 'Name: value', got '${text}'`);
}

function integer(text: string, option: string, min: number): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isSafeInteger(value) || value < min) {
    throw new UsageError(
      `${option} needs an integer${
        min > Number.MIN_SAFE_INTEGER ? ` >= ${min}` : ""
      }, got '${text}'`,
    );
  }
  return value;
}

/** Seconds (fractions allowed) to whole ms; 0 means no limit. */
function seconds(text: string, option: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0) {
    throw new UsageError(`${option} needs a number of seconds, got '${text}'`);
  }
  const ms = Math.round(value * 1000);
  if (value > 0 && ms === 0) return 1;
  if (ms > 2_147_483_647) throw new UsageError(`${option} is too large: '${text}'`);
  return ms;
}

const SIZE_SUFFIX: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Bytes with an optional k/M/G suffix (1024-based). */
function size(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)([kmg]?)b?$/i.exec(text.trim());
  if (!match) throw new UsageError(`${option} needs a size such as 500k or 10M, got '${text}'`);
  return Math.floor(Number(match[1]) * SIZE_SUFFIX[match[2]!.toLowerCase()]!);
}

function list(text: string): string[] {
  return text.split(",").map((item) => item.trim()).filter((item) => item !== "");
}
