/**
 * The option table: one entry per option with its names, help line, example
 * and what it sets. It drives both the parser and `--help`, so every option
 * is documented with an example; the order here is the order of `--help`.
 *
 * @module
 */

import type { CliArgs } from "./cli_args.ts";
import { UsageError } from "./exit_codes.ts";
import {
  parseHeader,
  parseInteger,
  parseList,
  parseSecondsToMs,
  parseSize,
} from "./option_values.ts";

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

/** An option that takes no value. */
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

/** An option that needs a value: after `=`, glued to a short name, or as the next argument. */
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
    "write the body to FILE (streamed to FILE.<random>.tmp, renamed when complete; '-' is stdout); with several URLs, each -o or -O goes with the next URL",
    "netstack -o big.iso http://127.0.0.1:8000/big.iso",
    (a, v) => {
      a.outputs.push({ kind: "file", path: v });
    },
  ),
  flag(
    "--remote-name",
    "-O",
    "write the body to a file in the current directory named like the URL's last path segment",
    "netstack -O http://127.0.0.1:8000/files/big.iso",
    (a) => {
      a.outputs.push({ kind: "remote" });
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
      a.maxRedirs = parseInteger(v, n, -1);
    },
  ),
  valued(
    "--timeout",
    "-m",
    "SECONDS",
    "limit on the whole transfer, per attempt (library readTimeout; default: none); fractions allowed",
    "netstack --timeout 2.5 http://127.0.0.1:8000/slow",
    (a, v, n) => {
      a.timeout = parseSecondsToMs(v, n);
    },
    ["--max-time"],
  ),
  valued(
    "--connect-timeout",
    undefined,
    "SECONDS",
    "limit on connecting: DNS, TCP and TLS handshake of a new connection (library connectTimeout); without it, 60 s until the response head; a connected server may take up to 60 s to answer either way",
    "netstack --connect-timeout 3 http://127.0.0.1:8000/",
    (a, v, n) => {
      a.connectTimeout = parseSecondsToMs(v, n);
    },
  ),
  valued(
    "--retry",
    undefined,
    "N",
    "retry a transient failure up to N times (timeout, lost connection, HTTP 408, 429, 500, 502, 503, 504) with exponential backoff from 1 s, honouring Retry-After; GET, HEAD, PUT, DELETE, OPTIONS and TRACE only, and never once the body has started",
    "netstack --retry 5 http://127.0.0.1:8000/flaky",
    (a, v, n) => {
      a.retry = parseInteger(v, n, 0);
    },
  ),
  valued(
    "--retry-max-time",
    undefined,
    "SECONDS",
    "start no retry later than SECONDS after the first attempt (default: no limit)",
    "netstack --retry 10 --retry-max-time 60 http://127.0.0.1:8000/flaky",
    (a, v, n) => {
      a.retryMaxTime = parseSecondsToMs(v, n);
    },
  ),
  valued(
    "--retry-delay",
    undefined,
    "SECONDS",
    "wait SECONDS between retries instead of the exponential backoff (Retry-After still wins)",
    "netstack --retry 3 --retry-delay 0.5 http://127.0.0.1:8000/flaky",
    (a, v, n) => {
      a.retryDelay = parseSecondsToMs(v, n);
    },
  ),
  flag(
    "--retry-connrefused",
    undefined,
    "with --retry: a refused connection is transient too",
    "netstack --retry 5 --retry-connrefused http://127.0.0.1:8000/",
    (a) => {
      a.retryConnRefused = true;
    },
  ),
  flag(
    "--retry-all-methods",
    undefined,
    "with --retry: retry POST, PATCH and other non-idempotent requests too (netstack's own)",
    "netstack --retry 3 --retry-all-methods -d x=1 http://127.0.0.1:8000/post",
    (a) => {
      a.retryAllMethods = true;
    },
  ),
  valued(
    "--max-size",
    undefined,
    "BYTES",
    "fail (exit 63) when the body is larger; suffixes k, M, G (1024-based)",
    "netstack --max-size 10M -o page.html http://127.0.0.1:8000/",
    (a, v, n) => {
      a.maxSize = parseSize(v, n);
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
  flag(
    "--insecure",
    "-k",
    "do not verify the server's certificate (library remoteValidation 'skip', over the socket-level transport); unsafe: anyone on the path can read and change the exchange",
    "netstack -k https://127.0.0.1:8443/",
    (a) => {
      a.insecure = true;
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
      a.noproxy = parseList(v);
    },
  ),
  valued(
    "--dns-servers",
    undefined,
    "ADDRESSES",
    "comma-separated DNS servers (up to three) to resolve the host (library dnsServers)",
    "netstack --dns-servers 127.0.0.1,::1 http://app.test:8000/",
    (a, v) => {
      a.dnsServers = parseList(v);
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
    "--compressed",
    undefined,
    "ask for a compressed body (Accept-Encoding: gzip, deflate, br) and decode it; without it the body is asked for as is (identity), as in curl",
    "netstack --compressed http://127.0.0.1:8000/page.html",
    (a) => {
      a.compressed = true;
    },
  ),
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
      a.priority = parseInteger(v, n, Number.MIN_SAFE_INTEGER);
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
    "no progress bar and no error messages (the exit code still tells); add -S for the errors",
    "netstack -s -o page.html http://127.0.0.1:8000/",
    (a) => {
      a.silent = true;
    },
  ),
  flag(
    "--show-error",
    "-S",
    "with -s: still print an error message when the transfer fails",
    "netstack -sS -o page.html http://127.0.0.1:8000/",
    (a) => {
      a.showError = true;
    },
  ),
  flag(
    "--verbose",
    "-v",
    "print the request ('> ') and each response head ('< ') to stderr, and notes ('* ')",
    "netstack -v http://127.0.0.1:8000/",
    (a) => {
      a.verbose = true;
    },
  ),
  valued(
    "--write-out",
    "-w",
    "FORMAT",
    "print FORMAT to stdout after each transfer: %{http_code}, %{size_download}, %{time_total}, %{url}, %{content_type}, %{num_redirects}, %{filename_effective}, %{method}, %{exitcode}, %{errormsg}, %header{NAME}, \\n; @FILE reads FORMAT from FILE",
    "netstack -s -o /dev/null -w '%{http_code} %{time_total}s\\n' http://127.0.0.1:8000/",
    (a, v) => {
      a.writeOut = v;
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
