// The command line as a curl user expects it, run in-process (`main(args, captured streams)`)
// against loopback servers: -s/-S, -v, -w, -O, --compressed, several URLs, --retry, --timing on a
// cache hit, --connect-timeout's bound on the answer, -k; and the option table as the one declaration
// of every option (parser, --help, docs/cli.md), and the CLI's imports (public modules only).

import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { main } from "../src/cli/main.ts";
import { DOCS_SECTIONS, helpText, optionSynopsis } from "../src/cli/help.ts";
import { OPTIONS } from "../src/cli/option_table.ts";
import { rawServer, readHead, requireBinary, serve, untilClosed } from "./_helpers.ts";
import { certDir, makeCa, OPENSSL } from "./_tls.ts";

const ROOT = new URL("../", import.meta.url);

/** A writer that keeps what it is given. */
class Captured {
  readonly #chunks: Uint8Array[] = [];
  writeSync(bytes: Uint8Array): number {
    this.#chunks.push(bytes.slice());
    return bytes.byteLength;
  }
  get text(): string {
    return new TextDecoder().decode(new Uint8Array(this.#chunks.flatMap((c) => [...c])));
  }
}

/** Runs the program in this process. */
async function run(args: string[], headLimit?: number) {
  const stdout = new Captured();
  const stderr = new Captured();
  const code = await main(args, { stdout, stderr, ...(headLimit ? { headLimit } : {}) });
  return { code, out: stdout.text, err: stderr.text };
}

Deno.test("cli: --cache --timing on a cache hit prints the table instead of crashing", async () => {
  let hits = 0;
  await using server = serve(() => {
    hits++;
    return new Response("stored", { headers: { "cache-control": "max-age=60" } });
  });
  const url = `${server.url}/cached`;
  const { code, out, err } = await run(["--cache=:memory:", "--timing", url, url]);
  assert.equal(code, 0, err);
  assert.equal(out, "storedstored");
  assert.equal(hits, 1); // the second came from the cache
  assert.match(err, /answered from the cache/);
  assert.doesNotMatch(err, /toFixed|TypeError/);
});

Deno.test("cli: -s hides the error message, -sS shows it; the exit code tells either way", async () => {
  await using server = rawServer((conn) => Promise.resolve(conn.close()));
  const quiet = await run(["-s", server.url]);
  assert.notEqual(quiet.code, 0);
  assert.equal(quiet.err, "");
  const shown = await run(["-sS", server.url]);
  assert.equal(shown.code, quiet.code);
  assert.match(shown.err, /^netstack: /);
});

Deno.test("cli: -v prints the request and each response head on stderr, credentials hidden", async () => {
  await using server = serve((request) => {
    if (new URL(request.url).pathname === "/hop") {
      return new Response(null, { status: 302, headers: { location: "/end" } });
    }
    return new Response("end", { headers: { "x-final": "yes" } });
  });
  const { code, out, err } = await run(["-v", "-u", "me:secret", `${server.url}/hop`]);
  assert.equal(code, 0, err);
  assert.equal(out, "end");
  assert.match(err, new RegExp(`^> GET ${server.url}/hop$`, "m"));
  assert.match(err, /^> Authorization: …$/m);
  assert.doesNotMatch(err, /secret|bWU6c2VjcmV0/);
  assert.match(err, /^< location: \/end$/m);
  assert.match(err, /^< x-final: yes$/m);
});

Deno.test("cli: several URLs in one call, -w per transfer, the last URL's exit code", async () => {
  await using server = serve((request) => {
    const path = new URL(request.url).pathname;
    return path === "/missing"
      ? new Response("no", { status: 404 })
      : new Response(path, { headers: { "content-type": "text/x-test", "x-n": path.slice(1) } });
  });
  const format = "[%{http_code} %{size_download} %{content_type} %header{X-N} %{exitcode}]\\n";
  const ok = await run(["-s", "-w", format, `${server.url}/one`, `${server.url}/three`]);
  assert.equal(ok.code, 0, ok.err);
  assert.equal(
    ok.out,
    "/one[200 4 text/x-test one 0]\n/three[200 6 text/x-test three 0]\n",
  );

  const last = await run([
    "-s",
    "--fail",
    "-w",
    "%{http_code};",
    `${server.url}/missing`,
    `${server.url}/a`,
  ]);
  assert.equal(last.code, 0); // the last URL succeeded
  assert.equal(last.out, "404;/a200;");
  const failed = await run([
    "-s",
    "--fail",
    "-w",
    "%{http_code};",
    `${server.url}/a`,
    `${server.url}/missing`,
  ]);
  assert.equal(failed.code, 22);

  const unknown = await run(["-w", "%{no_such_thing}x", `${server.url}/a`]);
  assert.equal(unknown.out, "/ax");
  assert.match(unknown.err, /unknown --write-out variable: 'no_such_thing'/);
});

Deno.test("cli: -O names the file after the URL; -o and -O pair with the URLs in order", async () => {
  await using server = serve((request) => new Response(`body of ${new URL(request.url).pathname}`));
  const dir = await Deno.makeTempDir({ prefix: "cli_remote_name_" });
  const cwd = Deno.cwd();
  try {
    Deno.chdir(dir);
    const { code, out, err } = await run([
      "-O",
      "-o",
      "second.txt",
      `${server.url}/files/first.bin?x=1`,
      `${server.url}/other`,
      `${server.url}/third`,
    ]);
    assert.equal(code, 0, err);
    assert.equal(out, "body of /third"); // no -o/-O left for it: stdout
    assert.equal(await Deno.readTextFile(`${dir}/first.bin`), "body of /files/first.bin");
    assert.equal(await Deno.readTextFile(`${dir}/second.txt`), "body of /other");

    const nameless = await run(["-O", `${server.url}/`]);
    assert.equal(nameless.code, 23);
    assert.match(nameless.err, /no file name/);
  } finally {
    Deno.chdir(cwd);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: --compressed asks for and decodes a compressed body; without it, identity", async () => {
  const asked: Array<string | null> = [];
  await using server = serve((request) => {
    const accept = request.headers.get("accept-encoding");
    asked.push(accept);
    if (!accept?.includes("gzip")) return new Response("plain text");
    return new Response(new Uint8Array(gzipSync(new TextEncoder().encode("plain text"))), {
      headers: { "content-encoding": "gzip" },
    });
  });
  const compressed = await run(["--compressed", server.url]);
  assert.equal(compressed.code, 0, compressed.err);
  assert.equal(compressed.out, "plain text");
  const plain = await run([server.url]);
  assert.equal(plain.out, "plain text");
  assert.match(asked[0]!, /gzip/);
  assert.equal(asked[1], "identity");
});

Deno.test("cli: --retry retries 503 (Retry-After honoured), idempotent methods only unless asked", async () => {
  let calls = 0;
  await using server = serve(() =>
    ++calls % 3 === 0
      ? new Response("finally")
      : new Response("busy", { status: 503, headers: { "retry-after": "0" } })
  );
  const retried = await run(["--retry", "5", server.url]);
  assert.equal(retried.code, 0, retried.err);
  assert.equal(retried.out, "finally");
  assert.equal(calls, 3);

  calls = 0;
  const post = await run(["-s", "--retry", "5", "-d", "x=1", server.url]);
  assert.equal(post.out, "busy"); // POST: not retried
  assert.equal(calls, 1);

  calls = 0;
  const all = await run(["--retry", "5", "--retry-all-methods", "-d", "x=1", server.url]);
  assert.equal(all.out, "finally");
  assert.equal(calls, 3);

  const usage = await run(["--retry-max-time", "5", server.url]);
  assert.equal(usage.code, 2);
  assert.match(usage.err, /need --retry N/);
});

Deno.test("cli: --connect-timeout limits connecting; a silent server is still cut (exit 28)", async () => {
  const { helpLine } = { helpLine: OPTIONS.find((o) => o.long === "--connect-timeout")!.help };
  assert.match(helpLine, /DNS, TCP and TLS handshake/);
  await using server = rawServer(async (conn) => {
    await readHead(conn);
    await untilClosed(conn); // connected, never answers
    conn.close();
  });
  const { code, err } = await run(["--connect-timeout", "5", server.url], 200);
  assert.equal(code, 28);
  assert.match(err, /no response head within 0\.2 s/);
});

Deno.test("cli: the option and exit-code tables are the one declaration: parser, --help and docs/cli.md agree", async () => {
  const help = helpText();
  for (const spec of OPTIONS) {
    assert.ok(help.includes(optionSynopsis(spec)), `--help misses ${spec.long}`);
    assert.ok(spec.example.startsWith("netstack "), `${spec.long}'s example`);
  }
  const page = await Deno.readTextFile(new URL("docs/cli.md", ROOT));
  for (const section of DOCS_SECTIONS) {
    const start = page.indexOf(section.start) + section.start.length;
    const table = page.slice(start, page.indexOf(section.end));
    assert.deepEqual(
      normalizeTable(table),
      normalizeTable(section.markdown()),
      "docs/cli.md is out of date: run deno task docs:cli",
    );
  }
  assert.match(helpText(), /Exit codes:/);
});

/** A Markdown table's cells, whatever the padding `deno fmt` added. */
function normalizeTable(markdown: string): string[][] {
  return markdown.trim().split("\n").map((line) =>
    line.split(/(?<!\\)\|/).slice(1, -1).map((cell) =>
      cell.trim().replace(/^-+$/, "-").replace(/\\([|*_\\])/g, "$1")
    )
  );
}

Deno.test("cli: src/cli imports only the package's public modules", async () => {
  const bad: string[] = [];
  for await (const entry of Deno.readDir(new URL("src/cli/", ROOT))) {
    const text = await Deno.readTextFile(new URL(`src/cli/${entry.name}`, ROOT));
    for (const [, specifier] of text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
      if (specifier!.startsWith("./") || specifier!.startsWith("node:")) continue;
      if (/^\.\.\/\.\.\/(mod|ohos|titanium)\.ts$/.test(specifier!)) continue;
      bad.push(`${entry.name}: ${specifier}`);
    }
  }
  assert.deepEqual(bad, []);
});

Deno.test({
  name: "cli: -k skips certificate verification, which is on without it (exit 60)",
  ignore: !requireBinary(OPENSSL),
  async fn() {
    await using dir = (await certDir("cli_insecure_"))!;
    const self = await makeCa(dir.path, "dev", { cn: "127.0.0.1", san: "IP:127.0.0.1" });
    await using server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      onListen() {},
      cert: await Deno.readTextFile(self.pem),
      key: await Deno.readTextFile(self.key),
    }, () => new Response("unverified"));
    const url = `https://127.0.0.1:${server.addr.port}/`;
    const verified = await run([url]);
    assert.equal(verified.code, 60, verified.err);
    const insecure = await run(["-k", url]);
    assert.equal(insecure.code, 0, insecure.err);
    assert.equal(insecure.out, "unverified");
  },
});
