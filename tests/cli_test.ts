// The command-line program, in this process (`main` with captured streams) or, where it needs its
// own stdin, environment, directory or terminal, as a subprocess (`deno run -A cli.ts …`), against
// loopback servers: downloads to files and stdout (byte-exact), resume after a cut, uploads
// echoed by httpbin, -i, exit codes, the progress bar through a pseudo-terminal (`script`
// from util-linux), `deno task get`, and the single-file bundle (`deno bundle`).

import assert from "node:assert/strict";
import {
  closedPort,
  HTTPBIN,
  rawServer,
  readHead,
  requireBinary,
  serve,
  startHttpbin,
  testWith,
  write,
} from "./_helpers.ts";
import { certDir, makeServerCertificate, OPENSSL } from "./_tls.ts";
import { main } from "../src/cli/main.ts";

const ROOT = new URL("../", import.meta.url);
const CLI = new URL("cli.ts", ROOT).pathname;
const CONFIG = new URL("deno.json", ROOT).pathname;
const ENV = { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
const SCRIPT = "/usr/bin/script";
const decoder = new TextDecoder();
/** Longest any one run of the program may take before it is killed. */
const RUN_LIMIT_MS = 60_000;

interface Run {
  code: number;
  stdout: Uint8Array;
  /** stdout as text. */
  out: string;
  stderr: string;
}

/** How to run one subprocess. */
interface RunOptions {
  stdin?: Uint8Array;
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/** Runs `deno <denoArgs…>` with the update check off. */
async function deno(denoArgs: string[], options: RunOptions = {}): Promise<Run> {
  const { stdin, cwd, env } = options;
  const child = new Deno.Command(Deno.execPath(), {
    args: denoArgs,
    env: { ...ENV, ...env },
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
    ...(cwd ? { cwd } : {}),
  }).spawn();
  if (stdin) {
    const writer = child.stdin.getWriter();
    await writer.write(stdin);
    await writer.close();
  }
  // A hung program fails its test instead of hanging the suite.
  const watchdog = setTimeout(() => child.kill("SIGKILL"), RUN_LIMIT_MS);
  try {
    const { code, stdout, stderr } = await child.output();
    return { code, stdout, out: decoder.decode(stdout), stderr: decoder.decode(stderr) };
  } finally {
    clearTimeout(watchdog);
  }
}

/**
 * Runs the program with `args`: in this process (`main` with captured streams) unless it needs
 * its own stdin, environment or working directory, then as `deno run cli.ts`.
 */
function netstack(args: string[], options: RunOptions = {}): Promise<Run> {
  if (options.stdin || options.env || options.cwd) {
    return deno(["run", "-A", "--config", CONFIG, CLI, ...args], options);
  }
  return inProcess(args);
}

/** A writer that keeps what it is given. */
class Captured {
  readonly chunks: Uint8Array[] = [];
  writeSync(bytes: Uint8Array): number {
    this.chunks.push(bytes.slice());
    return bytes.byteLength;
  }
  bytes(): Uint8Array {
    const all = new Uint8Array(this.chunks.reduce((n, c) => n + c.byteLength, 0));
    let offset = 0;
    for (const chunk of this.chunks) {
      all.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return all;
  }
}

async function inProcess(args: string[]): Promise<Run> {
  const stdout = new Captured();
  const stderr = new Captured();
  const code = await main(args, { stdout, stderr });
  const bytes = stdout.bytes();
  return {
    code,
    stdout: bytes,
    out: decoder.decode(bytes),
    stderr: decoder.decode(stderr.bytes()),
  };
}

/** The program's whole stderr is one `netstack: …` line. */
function assertOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${stderr}`);
  assert.match(lines[0]!, /^netstack: /);
  assert.match(lines[0]!, pattern);
}

function randomBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
  return bytes;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A server for `body` that honours `Range: bytes=N-` (206, or 416 past the end). */
function rangeServer(body: Uint8Array) {
  const ranges: Array<string | null> = [];
  const server = serve((request) => {
    const range = request.headers.get("range");
    ranges.push(range);
    const start = Number(/^bytes=(\d+)-$/.exec(range ?? "")?.[1] ?? NaN);
    if (range === null || Number.isNaN(start)) return new Response(body.slice());
    if (start >= body.length) {
      return new Response(null, {
        status: 416,
        headers: { "content-range": `bytes */${body.length}` },
      });
    }
    return new Response(body.slice(start), {
      status: 206,
      headers: { "content-range": `bytes ${start}-${body.length - 1}/${body.length}` },
    });
  });
  return Object.assign(server, { ranges });
}

/** A raw server that declares `body.length` but sends only the first `cut` bytes, then closes. */
function cuttingServer(body: Uint8Array, cut: number) {
  return rawServer(async (conn) => {
    await readHead(conn);
    await write(
      conn,
      `HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n`,
    );
    await write(conn, body.subarray(0, cut));
  });
}

/** A server that sends `chunks` pieces of `size` bytes, `gapMs` apart; `sized` sets Content-Length. */
function slowServer(chunks: number, size: number, gapMs: number, sized: boolean) {
  return serve(() => {
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (gapMs > 0) await delay(gapMs); // a 0 ms timer could outlive a cancelled stream
        controller.enqueue(new Uint8Array(size).fill(++sent));
        if (sent >= chunks) controller.close();
      },
    });
    const headers: Record<string, string> = sized
      ? { "content-length": String(chunks * size) }
      : {};
    return new Response(stream, { headers });
  });
}

/** A temp directory removed with `await using`. */
async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "netstack_cli_" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** Quotes one word for `sh -c`. */
function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Runs the program inside a pseudo-terminal (`script -q -e`), returns what the terminal showed. */
async function inTerminal(args: string[]): Promise<{ code: number; screen: string }> {
  const command = [Deno.execPath(), "run", "-A", "--config", CONFIG, CLI, ...args]
    .map(shellQuote).join(" ");
  const child = new Deno.Command(SCRIPT, {
    args: ["-q", "-e", "-c", command, "/dev/null"],
    env: { ...ENV, COLUMNS: "100", LINES: "30" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const watchdog = setTimeout(() => child.kill("SIGKILL"), RUN_LIMIT_MS);
  try {
    const { code, stdout } = await child.output();
    return { code, screen: decoder.decode(stdout) };
  } finally {
    clearTimeout(watchdog);
  }
}

/** The states a progress bar drew: each `\r`-separated redraw, escape codes removed. */
function redraws(screen: string): string[] {
  return screen.replaceAll("\x1b[K", "").split(/[\r\n]+/).map((s) => s.trim()).filter(Boolean);
}

// ---------------------------------------------------------------------------------------------
// Help and usage errors

/** Tests that start server binaries: ignored when one is missing, failed under CI=true. */
const test = {
  httpbin: testWith(HTTPBIN),
  tls: testWith(OPENSSL),
  tty: testWith(SCRIPT),
};

Deno.test("cli: --help lists every option with an example and exits 0", async () => {
  const { code, out, stderr } = await netstack(["--help"]);
  assert.equal(code, 0, stderr);
  const options = [
    "-X",
    "-H",
    "-d",
    "--data-binary",
    "--json",
    "-F",
    "-o",
    "-C",
    "--resume",
    "-i",
    "-L",
    "--max-redirs",
    "--timeout",
    "--connect-timeout",
    "--max-size",
    "--cacert",
    "--cert",
    "--key",
    "--cert-type",
    "--pass",
    "--proxy",
    "--noproxy",
    "--dns-servers",
    "--doh-url",
    "--http1.1",
    "--http2",
    "--cache",
    "--timing",
    "--priority",
    "-s",
    "--fail",
    "--help",
  ];
  const lines = out.split("\n");
  for (const option of options) {
    const at = lines.findIndex((line) =>
      line.startsWith("  -") && line.split(/[ ,=[]+/).includes(option)
    );
    assert.ok(at >= 0, `--help does not list ${option}`);
    assert.match(lines[at + 2] ?? "", /^\s+e\.g\. netstack /, `${option} has no example`);
  }
  assert.match(out, /Exit codes:/);
  for (const code of [2, 6, 7, 22, 28]) assert.match(out, new RegExp(`^  ${code}\\s`, "m"));
});

Deno.test("cli: --version prints the version of deno.json", async () => {
  const { version } = JSON.parse(await Deno.readTextFile(CONFIG));
  const { code, out } = await netstack(["--version"]);
  assert.equal(code, 0);
  assert.equal(out, `netstack ${version}\n`);
});

Deno.test("cli: bad command lines exit 2 with one clear line", async () => {
  const cases: Array<[string[], RegExp]> = [
    [["--bogus", "http://127.0.0.1:1/"], /unknown option '--bogus'/],
    [["-Z", "http://127.0.0.1:1/"], /unknown option '-Z'/],
    [[], /no URL given/],
    [["http://127.0.0.1:1/", "-X"], /option -X needs a value/],
    [["--timeout", "soon", "http://127.0.0.1:1/"], /--timeout needs a number of seconds/],
    [["-C", "100", "-o", "x", "http://127.0.0.1:1/"], /-C takes '-'/],
    [["-C", "-", "http://127.0.0.1:1/"], /needs -o FILE/],
    [["-H", "no colon", "http://127.0.0.1:1/"], /-H must look like 'Name: value'/],
    [["-d", "a", "-F", "b=c", "http://127.0.0.1:1/"], /only one of/],
    [["-o", "a", "-o", "b", "http://127.0.0.1:1/a"], /2 -o\/-O for 1 URL/],
    [["--silent=yes", "http://127.0.0.1:1/"], /takes no value/],
  ];
  for (const [args, message] of cases) {
    const { code, out, stderr } = await netstack(args);
    assert.equal(code, 2, `${args.join(" ")}: exit ${code}, ${stderr}`);
    assert.equal(out, "");
    assertOneLine(stderr, message);
  }
});

Deno.test("cli: an option value the library refuses (its 401) is a usage error too", async () => {
  await using server = serve(() => new Response("never"));
  const { code, stderr } = await netstack(["--doh-url", "http://127.0.0.1/dns", server.url]);
  assert.equal(code, 2);
  assertOneLine(stderr, /'dnsOverHttps'.*\[401\]/);
});

// ---------------------------------------------------------------------------------------------
// Downloads

Deno.test("cli: -o streams a download to the file, byte-exact, leaving no temp file", async () => {
  const body = randomBytes(3 * 1024 * 1024 + 17);
  await using server = serve(() => new Response(body.slice()));
  await using tmp = await tempDir();
  const dir = tmp.path;
  const file = `${dir}/data.bin`;
  const { code, out, stderr } = await netstack(["-o", file, `${server.url}/data.bin`]);
  assert.equal(code, 0, stderr);
  assert.equal(out, "");
  assert.equal(stderr, "", "no progress bar when stderr is not a terminal");
  assert.deepEqual(await Deno.readFile(file), body);
  assert.deepEqual(await listDir(dir), ["data.bin"]);
});

Deno.test("cli: the body goes to stdout byte-exact, and -o - means stdout", async () => {
  const body = randomBytes(1024 * 1024 + 3);
  await using server = serve(() => new Response(body.slice()));
  for (const args of [[server.url], ["-o", "-", server.url]]) {
    const { code, stdout, stderr } = await netstack(args);
    assert.equal(code, 0, stderr);
    assert.deepEqual(stdout, body);
  }
});

Deno.test("cli: a cut download leaves nothing at FILE and no temp file", async () => {
  const body = randomBytes(256 * 1024);
  await using server = cuttingServer(body, 100_000);
  await using tmp = await tempDir();
  const dir = tmp.path;
  const { code, stderr } = await netstack(["-o", `${dir}/cut.bin`, `${server.url}/cut.bin`]);
  assert.equal(code, 18, stderr);
  assertOneLine(stderr, /partial|2300018/i);
  assert.deepEqual(await listDir(dir), []);
});

Deno.test("cli: -C - continues after a cut with a Range request, byte-exact", async () => {
  const body = randomBytes(512 * 1024 + 5);
  await using tmp = await tempDir();
  const dir = tmp.path;
  const file = `${dir}/big.iso`;

  // First attempt: the connection is cut after 200000 bytes. The partial stays in FILE.part.
  {
    await using cut = cuttingServer(body, 200_000);
    const { code, stderr } = await netstack(["-C", "-", "-o", file, `${cut.url}/big.iso`]);
    assert.equal(code, 18, stderr);
    assertOneLine(stderr, /kept in '.*big\.iso\.part': continue with -C -/);
  }
  assert.equal(await exists(file), false, "nothing at FILE after a failure");
  const partial = await Deno.readFile(`${file}.part`);
  assert.ok(partial.length > 0 && partial.length <= 200_000, `partial of ${partial.length} bytes`);
  assert.deepEqual(partial, body.subarray(0, partial.length));

  // Second attempt: a server that honours Range; the file is completed from where it stopped.
  await using server = rangeServer(body);
  const { code, stderr } = await netstack(["-C", "-", "-o", file, `${server.url}/big.iso`]);
  assert.equal(code, 0, stderr);
  assert.deepEqual(server.ranges, [`bytes=${partial.length}-`]);
  assert.deepEqual(await Deno.readFile(file), body);
  assert.deepEqual(await listDir(dir), ["big.iso"]);

  // Third: the file is complete; the server answers 416 with its length, and nothing changes.
  const again = await netstack(["--resume", "-o", file, `${server.url}/big.iso`]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(server.ranges.at(-1), `bytes=${body.length}-`);
  assert.deepEqual(await Deno.readFile(file), body);
});

Deno.test("cli: -C - continues a partial FILE; a server ignoring Range sends it whole", async () => {
  const body = randomBytes(300_000);
  await using tmp = await tempDir();
  const dir = tmp.path;
  const file = `${dir}/page.bin`;

  await Deno.writeFile(file, body.subarray(0, 123_456));
  {
    await using server = rangeServer(body);
    const { code, stderr } = await netstack(["-C", "-", "-o", file, server.url]);
    assert.equal(code, 0, stderr);
    assert.deepEqual(server.ranges, ["bytes=123456-"]);
    assert.deepEqual(await Deno.readFile(file), body);
  }

  await Deno.writeFile(`${dir}/other.bin.part`, body.subarray(0, 1000));
  {
    const seen: Array<string | null> = [];
    await using server = serve((request) => {
      seen.push(request.headers.get("range"));
      return new Response(body.slice());
    });
    const { code, stderr } = await netstack(["-C", "-", "-o", `${dir}/other.bin`, server.url]);
    assert.equal(code, 0, stderr);
    assert.deepEqual(seen, ["bytes=1000-"]);
    assert.deepEqual(await Deno.readFile(`${dir}/other.bin`), body);
  }
  assert.deepEqual(await listDir(dir), ["other.bin", "page.bin"]);

  // An error status never touches the partial.
  await Deno.writeFile(`${dir}/gone.bin.part`, body.subarray(0, 10));
  await using missing = serve(() => new Response("no such file", { status: 404 }));
  const { code, stderr } = await netstack(["-C", "-", "-o", `${dir}/gone.bin`, missing.url]);
  assert.equal(code, 22);
  assertOneLine(stderr, /404/);
  assert.deepEqual(await Deno.readFile(`${dir}/gone.bin.part`), body.subarray(0, 10));
  assert.equal(await exists(`${dir}/gone.bin`), false);
});

// ---------------------------------------------------------------------------------------------
// Requests: bodies, headers, uploads

test.httpbin("cli: -F uploads fields and streamed files as multipart, echoed by httpbin", async () => {
  await using httpbin = await startHttpbin();
  if (!httpbin) return;
  await using tmp = await tempDir();
  const dir = tmp.path;
  const text = "hello from a file\n".repeat(5000);
  await Deno.writeTextFile(`${dir}/notes.txt`, text);
  const { code, out, stderr } = await netstack([
    "-F",
    "title=holiday photos",
    "-F",
    `notes=@${dir}/notes.txt`,
    "-F",
    `renamed=@${dir}/notes.txt;type=text/markdown;filename=x.md`,
    `${httpbin.url}/post`,
  ]);
  assert.equal(code, 0, stderr);
  const echo = JSON.parse(out);
  assert.deepEqual(echo.form, { title: "holiday photos" });
  assert.equal(echo.files.notes, text);
  assert.equal(echo.files.renamed, text);
  assert.match(echo.headers["Content-Type"], /^multipart\/form-data; boundary=/);
  assert.ok(Number(echo.headers["Content-Length"]) > 2 * text.length, "sent with a length");
});

test.httpbin("cli: -d, --data-binary, --json, -H and -X reach the server as given", async () => {
  await using httpbin = await startHttpbin();
  if (!httpbin) return;
  await using tmp = await tempDir();
  const dir = tmp.path;
  const bytes = new Uint8Array([0, 1, 2, 250, 13, 10, 255]);
  await Deno.writeFile(`${dir}/blob.bin`, bytes);

  const form = await netstack([
    "-d",
    "a=1",
    "-d",
    "b=two",
    "-H",
    "X-Trace: abc",
    `${httpbin.url}/post`,
  ]);
  assert.equal(form.code, 0, form.stderr);
  const formEcho = JSON.parse(form.out);
  assert.deepEqual(formEcho.form, { a: "1", b: "two" });
  assert.equal(formEcho.headers["X-Trace"], "abc");

  const json = await netstack(["--json", '{"hello":"world"}', "-X", "PUT", `${httpbin.url}/put`]);
  assert.equal(json.code, 0, json.stderr);
  const jsonEcho = JSON.parse(json.out);
  assert.deepEqual(jsonEcho.json, { hello: "world" });
  assert.equal(jsonEcho.headers["Content-Type"], "application/json");
  assert.equal(jsonEcho.headers["Accept"], "application/json");

  // --data-binary @file: the exact bytes (a server that echoes them raw).
  await using echo = serve(async (request) => new Response(await request.arrayBuffer()));
  const binary = await netstack(["--data-binary", `@${dir}/blob.bin`, echo.url]);
  assert.equal(binary.code, 0, binary.stderr);
  assert.deepEqual(binary.stdout, bytes);
  // -d @- reads stdin and drops CR/LF, as curl does.
  const stdin = await netstack(["-d", "@-", echo.url], {
    stdin: new TextEncoder().encode("x=1\r\ny=2\n"),
  });
  assert.equal(stdin.out, "x=1y=2");
});

Deno.test("cli: -i prints the status line and headers before the body; -I sends HEAD", async () => {
  await using server = serve((request) =>
    new Response(request.method === "HEAD" ? null : "the body", {
      status: 201,
      headers: { "x-custom": "yes", "set-cookie": "a=1" },
    })
  );
  const { code, out, stderr } = await netstack(["-i", server.url]);
  assert.equal(code, 0, stderr);
  const [head, body] = out.split("\r\n\r\n");
  const lines = head!.split("\r\n");
  assert.equal(lines[0], "HTTP 201 Created");
  assert.ok(lines.includes("x-custom: yes"), head);
  assert.ok(lines.includes("set-cookie: a=1"), head);
  assert.equal(body, "the body");

  const headOnly = await netstack(["-I", server.url]);
  assert.equal(headOnly.code, 0, headOnly.stderr);
  assert.match(headOnly.out, /^HTTP 201 Created\r\n/);
  assert.ok(headOnly.out.endsWith("\r\n\r\n"));
});

// ---------------------------------------------------------------------------------------------
// Exit codes

Deno.test("cli: a refused port exits 7", async () => {
  const { code, out, stderr } = await netstack([`http://127.0.0.1:${closedPort()}/`]);
  assert.equal(code, 7);
  assert.equal(out, "");
  assertOneLine(stderr, /connect.*\[2300007\]/i);
});

Deno.test("cli: --timeout and --connect-timeout exit 28", async () => {
  // Accepts and reads whatever comes (a request, a TLS hello), never answers; ends at hang-up.
  await using server = rawServer(async (conn) => {
    const buffer = new Uint8Array(4096);
    while ((await conn.read(buffer).catch(() => null)) !== null) { /* keep silent */ }
  });
  // --timeout: the whole transfer; --connect-timeout: the connection, here stuck in TLS.
  const cases: Array<[string, string]> = [
    ["--timeout", server.url],
    ["--connect-timeout", `https://127.0.0.1:${server.port}/`],
  ];
  for (const [option, url] of cases) {
    const started = performance.now();
    const { code, stderr } = await netstack([option, "0.5", url]);
    const elapsed = performance.now() - started;
    assert.equal(code, 28, `${option}: ${stderr}`);
    assertOneLine(stderr, /\[2300028\]/);
    assert.ok(elapsed < 20_000, `${option} took ${elapsed} ms`);
  }
});

Deno.test("cli: --fail exits 22 on 404 without a body; without it the body is printed", async () => {
  await using server = serve(() => new Response("not here\n", { status: 404 }));
  await using tmp = await tempDir();
  const dir = tmp.path;

  const failed = await netstack(["--fail", server.url]);
  assert.equal(failed.code, 22);
  assert.equal(failed.out, "");
  assertOneLine(failed.stderr, /returned error: 404/);

  const toFile = await netstack(["-f", "-o", `${dir}/page`, server.url]);
  assert.equal(toFile.code, 22);
  assert.deepEqual(await listDir(dir), []);

  const plain = await netstack([server.url]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.out, "not here\n");
});

Deno.test("cli: --max-size exits 63 (declared length and streamed bytes)", async () => {
  await using sized = serve(() => new Response(new Uint8Array(200_000)));
  await using chunked = slowServer(10, 50_000, 0, false);
  await using tmp = await tempDir();
  const dir = tmp.path;
  for (const url of [sized.url, chunked.url]) {
    const { code, stderr } = await netstack(["--max-size", "100k", "-o", `${dir}/f`, url]);
    assert.equal(code, 63, stderr);
    assertOneLine(stderr, /--max-size/);
  }
  assert.deepEqual(await listDir(dir), []);
  const fits = await netstack(["--max-size", "1M", "-o", `${dir}/f`, sized.url]);
  assert.equal(fits.code, 0, fits.stderr);
});

Deno.test("cli: --timing with --max-size exits 63 too (the library's size limit, by its details)", async () => {
  await using sized = serve(() => new Response(new Uint8Array(200_000)));
  await using chunked = slowServer(10, 50_000, 0, false);
  for (const url of [sized.url, chunked.url]) {
    const { code, stderr } = await netstack(["--timing", "--max-size", "100k", url]);
    assert.equal(code, 63, stderr);
  }
});

Deno.test("cli: --max-redirs exits 47 past the limit; redirects are followed", async () => {
  await using server = serve((request) => {
    const url = new URL(request.url);
    const left = Number(url.pathname.slice(1));
    return left > 0
      ? Response.redirect(new URL(`/${left - 1}`, url), 302)
      : new Response("arrived");
  });
  const followed = await netstack(["-L", "--max-redirs", "3", `${server.url}/3`]);
  assert.equal(followed.code, 0, followed.stderr);
  assert.equal(followed.out, "arrived");
  const tooMany = await netstack(["-L", "--max-redirs", "2", `${server.url}/3`]);
  assert.equal(tooMany.code, 47);
  assertOneLine(tooMany.stderr, /Maximum \(2\) redirects/);
  const library = await netstack([`${server.url}/31`]);
  assert.equal(library.code, 47);
  assertOneLine(library.stderr, /\[2300047\]/);
});

Deno.test("cli: a local file to send that cannot be read exits 26", async () => {
  await using server = serve(() => new Response("never asked"));
  await using tmp = await tempDir();
  const missing = `${tmp.path}/missing.txt`;
  const data = await netstack(["--data-binary", `@${missing}`, server.url]);
  assert.equal(data.code, 26);
  assertOneLine(data.stderr, /cannot read '.*missing\.txt'/);
  const form = await netstack(["-F", `file=@${missing}`, server.url]);
  assert.equal(form.code, 26);
  assertOneLine(form.stderr, /\[2300026\]/);
});

Deno.test("cli: an -o path that cannot be written exits 23 before anything is sent", async () => {
  let asked = 0;
  await using server = serve(() => new Response(`asked ${++asked}`));
  await using tmp = await tempDir();
  const { code, stderr } = await netstack(["-o", `${tmp.path}/no/such/dir/f`, server.url]);
  assert.equal(code, 23);
  assertOneLine(stderr, /cannot write '.*\/no\/such\/dir\/f'/);
  assert.equal(asked, 0);
});

Deno.test("cli: a malformed URL exits 3, an unsupported scheme 1", async () => {
  const bad = await netstack(["http://[oops/"]);
  assert.equal(bad.code, 3);
  assertOneLine(bad.stderr, /\[2300003\]/);
  const ftp = await netstack(["ftp://127.0.0.1/"]);
  assert.equal(ftp.code, 1);
  assertOneLine(ftp.stderr, /\[2300001\]/);
});

Deno.test("cli: --timing prints the performanceTiming table", async () => {
  const body = randomBytes(100_000);
  await using server = serve(() => new Response(body.slice()));
  const { code, stdout, stderr } = await netstack(["--timing", server.url]);
  assert.equal(code, 0, stderr);
  assert.deepEqual(stdout, body);
  for (
    const field of [
      "dnsTiming",
      "tcpTiming",
      "tlsTiming",
      "firstSendTiming",
      "firstReceiveTiming",
      "totalFinishTiming",
      "redirectTiming",
      "responseHeaderTiming",
      "responseBodyTiming",
      "totalTiming",
    ]
  ) {
    assert.match(stderr, new RegExp(`^  ${field}\\s+\\d+\\.\\d{3}`, "m"));
  }
});

// ---------------------------------------------------------------------------------------------
// Proxy and cache flags

/**
 * A forward HTTP proxy on loopback for http:// targets: records each request line, relays the
 * request in origin form with `connection: close`, and pipes the answer back.
 */
function forwardProxy() {
  const lines: string[] = [];
  const encoder = new TextEncoder();
  const server = rawServer(async (conn) => {
    const head = await readHead(conn);
    const [requestLine, ...headers] = head.slice(0, head.indexOf("\r\n\r\n")).split("\r\n");
    lines.push(requestLine!);
    const [method, target] = requestLine!.split(" ");
    const url = new URL(target!);
    const kept = headers.filter((h) => !/^(proxy-)?connection:/i.test(h));
    using upstream = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
    await write(
      upstream,
      encoder.encode(
        `${method} ${url.pathname}${url.search} HTTP/1.1\r\n${
          kept.join("\r\n")
        }\r\nconnection: close\r\n\r\n`,
      ),
    );
    const buffer = new Uint8Array(65536);
    for (;;) {
      const n = await upstream.read(buffer);
      if (n === null) break;
      await write(conn, buffer.subarray(0, n));
    }
  });
  return Object.assign(server, { lines });
}

Deno.test("cli: --proxy sends through the proxy, --noproxy bypasses it, HTTP_PROXY applies", async () => {
  await using origin = serve((request) =>
    new Response(`origin saw ${new URL(request.url).pathname}`)
  );
  await using proxy = forwardProxy();

  const via = await netstack(["--proxy", `http://127.0.0.1:${proxy.port}`, `${origin.url}/one`]);
  assert.equal(via.code, 0, via.stderr);
  assert.equal(via.out, "origin saw /one");
  assert.deepEqual(proxy.lines, [`GET ${origin.url}/one HTTP/1.1`]);

  const bypass = await netstack([
    "--proxy",
    `127.0.0.1:${proxy.port}`,
    "--noproxy",
    "example.invalid,127.0.0.1",
    `${origin.url}/two`,
  ]);
  assert.equal(bypass.code, 0, bypass.stderr);
  assert.equal(bypass.out, "origin saw /two");
  assert.equal(proxy.lines.length, 1, "the excluded host went direct");

  // Without --proxy the environment's proxy applies, as in curl; --noproxy '*' turns it off.
  const env = { HTTP_PROXY: `http://127.0.0.1:${proxy.port}`, NO_PROXY: "" };
  const fromEnv = await netstack([`${origin.url}/three`], { env });
  assert.equal(fromEnv.code, 0, fromEnv.stderr);
  assert.equal(proxy.lines.at(-1), `GET ${origin.url}/three HTTP/1.1`);
  const none = await netstack(["--noproxy", "*", `${origin.url}/four`], { env });
  assert.equal(none.code, 0, none.stderr);
  assert.equal(none.out, "origin saw /four");
  assert.equal(proxy.lines.length, 2);

  // An unreachable proxy is the library's connect error, naming the proxy.
  const dead = await netstack(["--proxy", `127.0.0.1:${closedPort()}`, `${origin.url}/five`]);
  assert.ok(dead.code === 5 || dead.code === 7, `exit ${dead.code}: ${dead.stderr}`);
  assertOneLine(dead.stderr, /\[230000[57]\]/);
});

test.tls("cli: --cacert trusts a private CA; without it the certificate is refused (60)", async () => {
  await using tmp = await certDir("netstack_cli_");
  if (!tmp) return;
  const { ca, cert, key } = await makeServerCertificate(tmp.path, "IP:127.0.0.1");
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert, key, onListen() {} },
    () => new Response("over TLS"),
  );
  const url = `https://127.0.0.1:${server.addr.port}/`;
  const trusted = await netstack(["--cacert", ca, url]);
  assert.equal(trusted.code, 0, trusted.stderr);
  assert.equal(trusted.out, "over TLS");
  const untrusted = await netstack([url]);
  assert.equal(untrusted.code, 60, untrusted.stderr);
  assertOneLine(untrusted.stderr, /\[2300060\]/);
});

Deno.test("cli: --cache=DIR answers the second run from the KV cache", async () => {
  let hits = 0;
  await using origin = serve(() =>
    new Response(`response #${++hits}`, { headers: { "cache-control": "max-age=300" } })
  );
  await using tmp = await tempDir();
  const args = [`--cache=${tmp.path}/kv`, `${origin.url}/cached`];
  const first = await netstack(args);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.out, "response #1");
  const second = await netstack(args);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.out, "response #1", "served from the cache");
  assert.equal(hits, 1, "the origin was asked once");
  assert.ok(await exists(`${tmp.path}/kv/netstack-http.kv`));

  const uncached = await netstack([`${origin.url}/cached`]);
  assert.equal(uncached.out, "response #2", "without --cache the origin answers");
});

// ---------------------------------------------------------------------------------------------
// The progress bar, through a pseudo-terminal

test.tty("cli: the progress bar renders on a terminal and ends at 100%", async () => {
  if (!requireBinary(SCRIPT)) return;
  await using server = slowServer(8, 128 * 1024, 60, true);
  await using tmp = await tempDir();
  const dir = tmp.path;
  const { code, screen } = await inTerminal(["-o", `${dir}/f.bin`, server.url]);
  assert.equal(code, 0, screen);
  const states = redraws(screen);
  const last = states.at(-1)!;
  assert.match(last, /^down \[=+\]\s+100%\s+1\.0 MiB \/ 1\.0 MiB\s+\S+ \S+\/s\s+in \d/);
  assert.ok(states.length >= 3, `only ${states.length} redraws:\n${screen}`);
  assert.ok(states.some((s) => /\s(\d|[1-9]\d)%\s/.test(s) && /ETA/.test(s)), screen);
  assert.equal((await Deno.stat(`${dir}/f.bin`)).size, 8 * 128 * 1024);
});

test.tty("cli: a spinner when the length is unknown; an upload bar; silent with -s", async () => {
  if (!requireBinary(SCRIPT)) return;
  await using tmp = await tempDir();
  const dir = tmp.path;

  await using chunked = slowServer(6, 32 * 1024, 60, false);
  const spin = await inTerminal(["-o", `${dir}/chunked.bin`, chunked.url]);
  assert.equal(spin.code, 0, spin.screen);
  const states = redraws(spin.screen);
  assert.ok(states.some((s) => /^down [|/\\-] /.test(s)), spin.screen);
  assert.match(states.at(-1)!, /^down done\s+192\.0 KiB\s+.*in \d/);

  await using sink = serve(async (request) =>
    new Response(`${(await request.arrayBuffer()).byteLength}`)
  );
  await Deno.writeFile(`${dir}/upload.bin`, randomBytes(2 * 1024 * 1024));
  const up = await inTerminal(["-F", `file=@${dir}/upload.bin`, "-o", `${dir}/answer`, sink.url]);
  assert.equal(up.code, 0, up.screen);
  assert.match(up.screen, /up {3}\[=+\]\s+100%\s+2\.0 MiB \/ 2\.0 MiB/);

  const quiet = await inTerminal(["-s", "-o", `${dir}/quiet.bin`, chunked.url]);
  assert.equal(quiet.code, 0, quiet.screen);
  assert.equal(quiet.screen, "");
});

// ---------------------------------------------------------------------------------------------
// How it is run: `deno task get`, and as one bundled file

Deno.test("cli: deno task get URL runs the program", async () => {
  await using server = serve(() => new Response("via the task"));
  const { code, out, stderr } = await deno(["task", "--config", CONFIG, "get", "-s", server.url]);
  assert.equal(code, 0, stderr);
  assert.equal(out, "via the task");
});

Deno.test("cli: deno bundle makes one file that runs --help and a real download", async () => {
  await using tmp = await tempDir();
  const dir = tmp.path;
  const bundle = `${dir}/netstack.js`;
  const built = await deno(["bundle", "--unstable-kv", "--config", CONFIG, "-o", bundle, CLI]);
  assert.equal(built.code, 0, built.stderr);

  // Run from an empty directory with no config: everything it needs is in the one file.
  const help = await deno(
    ["run", "-A", "--unstable-kv", "--no-config", bundle, "--help"],
    { cwd: dir },
  );
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.out, /^netstack \d+\.\d+\.\d+: /);

  const body = randomBytes(700_000);
  await using server = serve(() => new Response(body.slice()));
  const got = await deno(
    ["run", "-A", "--unstable-kv", "--no-config", bundle, "-o", `${dir}/got.bin`, server.url],
    { cwd: dir },
  );
  assert.equal(got.code, 0, got.stderr);
  assert.deepEqual(await Deno.readFile(`${dir}/got.bin`), body);
});
