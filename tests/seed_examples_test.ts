// The seed's own example programs (tests/seed_examples/, import lines changed
// only) type-check under `strict` and run against a loopback server.
//
// They request the literal URL "EXAMPLE_URL", which the library reads as
// `http://EXAMPLE_URL/` (no scheme means http, as with libcurl). To run them
// unchanged, the preloaded _ohos_globals.ts gets OHOS_EXAMPLE_SERVER, the
// address of a Deno.serve on 127.0.0.1, and makes every Deno.HttpClient of the
// example's process send to it (Deno's `tcp` proxy transport): Deno's fetch
// then sends `GET http://example_url/ HTTP/1.1` to that server without
// resolving the name, and Deno.serve answers absolute-form requests. The
// library goes direct by default (usingProxy absent), so with the proxy
// variables below set it creates such a client for every request. Plain
// fetch, if anything used it, would take those variables, which point at the
// same server. No request can reach DNS or the internet.

import { deepEqual, equal, match } from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const EXAMPLES = fileURLToPath(new URL("./seed_examples/", import.meta.url));
const GLOBALS = `${EXAMPLES}_ohos_globals.ts`;
const RUN_TIMEOUT_MS = 30_000;
const CHECK_TIMEOUT_MS = 120_000;

/** A request as the loopback server saw it. */
interface Seen {
  method: string;
  url: string;
  body: string;
}

/** What one example must do. */
interface Case {
  file: string;
  /** The requests the server must see, in order. */
  requests: Array<{ method: string; body: string }>;
  /** Patterns stdout must match. */
  stdout?: RegExp[];
  /** Patterns stderr must match (the examples that use console.error). */
  stderr?: RegExp[];
  /** Extra checks on stdout. */
  check?: (stdout: string) => void;
}

const GET = { method: "GET", body: "" };
const POST = { method: "POST", body: "data to send" };

const CASES: Case[] = [
  {
    // Sets caPath and clientCert with made-up paths: a missing CA file is
    // ignored (as OpenHarmony does), the missing client certificate fails the
    // request with 2300058 before anything is sent, so the example takes its
    // error branch: an `error:` line carrying that BusinessError code, and no
    // request.
    file: "01_overview_request_post.ts",
    requests: [],
    stdout: [/^error:\{.*"code":\d+/m],
    check(stdout) {
      const line = stdout.split("\n").find((l) => l.startsWith("error:"))!;
      const err = JSON.parse(line.slice("error:".length));
      equal(err.code, 2_300_058, `the missing clientCert, got ${JSON.stringify(err)}`);
      equal(typeof err.message, "string");
    },
  },
  { file: "02_create_http.ts", requests: [], stdout: [/^$/] },
  {
    file: "03_request_callback.ts",
    requests: [GET],
    stdout: [
      /^code:200$/m,
      /^Result:\{"method":"GET","url":"http:\/\/example_url\/"\}$/m,
      /^type:0$/m,
    ],
  },
  {
    file: "04_request_options_callback.ts",
    requests: [POST],
    stdout: [/^code:200$/m, /^Result:data to send$/m, /^type:0$/m],
  },
  {
    file: "05_request_promise.ts",
    requests: [GET],
    stdout: [/^code:200$/m, /^Result:\{"method":"GET"/m],
  },
  { file: "06_destroy.ts", requests: [], stdout: [/^$/] },
  {
    file: "07_request_in_stream_callback.ts",
    requests: [GET],
    stdout: [/^requestInStream OK! ResponseCode is 200$/m],
  },
  {
    file: "08_request_in_stream_options_callback.ts",
    requests: [POST],
    stdout: [/^requestInStream OK! ResponseCode is 200$/m],
  },
  {
    file: "09_request_in_stream_promise.ts",
    requests: [GET],
    stdout: [/^requestInStream OK!200$/m],
  },
  // Listener registration only: no request, nothing printed.
  ...[
    "10_on_header_receive.ts",
    "11_off_header_receive.ts",
    "12_on_headers_receive.ts",
    "13_off_headers_receive.ts",
    "14_once_headers_receive.ts",
    "15_on_data_receive.ts",
    "16_off_data_receive.ts",
    "17_on_data_end.ts",
    "18_off_data_end.ts",
    "19_on_data_receive_progress.ts",
    "20_off_data_receive_progress.ts",
    "21_on_data_send_progress.ts",
    "22_off_data_send_progress.ts",
    "23_create_http_response_cache.ts",
  ].map((file): Case => ({ file, requests: [], stdout: [/^$/] })),
  { file: "24_flush_callback.ts", requests: [GET], stdout: [/^flush success$/m] },
  // This example prints its success with console.error.
  { file: "25_flush_promise.ts", requests: [GET], stderr: [/^flush success$/m] },
  { file: "26_delete_callback.ts", requests: [GET], stdout: [/^success$/m] },
  { file: "27_delete_promise.ts", requests: [GET], stdout: [/^success$/m] },
];

/** Runs a Deno subprocess with a hard time limit; the child is always awaited. */
async function runDeno(
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<{ code: number; stdout: string; stderr: string; timedOut: boolean }> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
  }, timeoutMs);
  try {
    const { code, stdout, stderr } = await child.output();
    const decoder = new TextDecoder();
    return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr), timedOut };
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("seed examples: the file list covers every example", async () => {
  const files: string[] = [];
  for await (const entry of Deno.readDir(EXAMPLES)) {
    if (/^\d\d_.*\.ts$/.test(entry.name)) files.push(entry.name);
  }
  deepEqual(files.sort(), CASES.map((c) => c.file).sort());
});

Deno.test("seed examples: type-check under strict", async () => {
  const files = CASES.map((c) => `${EXAMPLES}${c.file}`);
  // _ohos_globals.ts joins the program for its `declare global` (getContext).
  const result = await runDeno(["check", "--quiet", GLOBALS, ...files], {}, CHECK_TIMEOUT_MS);
  equal(result.timedOut, false, "deno check timed out");
  equal(result.code, 0, `deno check failed:\n${result.stdout}${result.stderr}`);
});

for (const example of CASES) {
  Deno.test(`seed examples: ${example.file} runs against a loopback server`, async () => {
    const seen: Seen[] = [];
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      async (request) => {
        const body = await request.text();
        seen.push({ method: request.method, url: request.url, body });
        if (request.method === "GET" || request.method === "HEAD") {
          return Response.json({ method: request.method, url: request.url });
        }
        return new Response(body, { headers: { "content-type": "text/plain" } });
      },
    );
    const filesDir = await Deno.makeTempDir({ prefix: "seed_examples_" });
    try {
      await Deno.writeTextFile(`${filesDir}/fileName.txt`, "file part\n");
      const proxy = `http://127.0.0.1:${server.addr.port}`;
      const result = await runDeno(
        [
          "run",
          "--quiet",
          "--allow-net",
          "--allow-read",
          "--allow-env",
          "--preload",
          GLOBALS,
          `${EXAMPLES}${example.file}`,
        ],
        {
          HTTP_PROXY: proxy,
          http_proxy: proxy,
          HTTPS_PROXY: proxy,
          https_proxy: proxy,
          ALL_PROXY: proxy,
          all_proxy: proxy,
          NO_PROXY: "",
          no_proxy: "",
          OHOS_EXAMPLE_SERVER: `127.0.0.1:${server.addr.port}`,
          OHOS_FILES_DIR: filesDir,
        },
        RUN_TIMEOUT_MS,
      );
      const output = `--- stdout\n${result.stdout}--- stderr\n${result.stderr}`;
      equal(result.timedOut, false, `timed out after ${RUN_TIMEOUT_MS} ms\n${output}`);
      equal(result.code, 0, `exit code ${result.code}\n${output}`);
      for (const pattern of example.stdout ?? []) match(result.stdout, pattern, output);
      for (const pattern of example.stderr ?? []) match(result.stderr, pattern, output);
      example.check?.(result.stdout);

      deepEqual(
        seen.map(({ method, body }) => ({ method, body })),
        example.requests,
        `requests seen:\n${JSON.stringify(seen, null, 2)}\n${output}`,
      );
      for (const request of seen) {
        // "EXAMPLE_URL" went out as http://EXAMPLE_URL/ (host names are case-insensitive).
        equal(request.url, "http://example_url/");
      }
    } finally {
      await server.shutdown();
      await Deno.remove(filesDir, { recursive: true });
    }
  });
}
