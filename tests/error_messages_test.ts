// Errors a newcomer reads: short human messages with the Rust error chain kept in `cause`, a
// BusinessError with a stack, a refused permission that names the flag to add, and a self-signed
// development certificate given as caPath that says what to do.

import assert from "node:assert/strict";
import http from "../mod.ts";
import type { BusinessError } from "../mod.ts";
import { closedPort, onEngine, serve } from "./_helpers.ts";
import { certDir, makeCa, OPENSSL } from "./_tls.ts";

/** A self-signed certificate for 127.0.0.1 with CA:FALSE, as the error message advises. */
async function makeSelfSigned(dir: string): Promise<{ pem: string; key: string }> {
  const pem = `${dir}/fixed.pem`;
  const key = `${dir}/fixed.key`;
  const out = await new Deno.Command(OPENSSL, {
    args: [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      key,
      "-out",
      pem,
      "-days",
      "2",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-addext",
      "basicConstraints=CA:FALSE",
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return { pem, key };
}

/** Every message down a `cause` chain. */
function chain(error: unknown): string[] {
  const messages: string[] = [];
  for (let e = error; e instanceof Error || (e && typeof e === "object");) {
    messages.push(String((e as Error).message));
    e = (e as { cause?: unknown }).cause;
  }
  return messages;
}

Deno.test("errors: a refused connection says so in one short line; the chain is in cause", async () => {
  using _engine = onEngine();
  using req = http.createHttp();
  const port = closedPort();
  const error = await req.request(`http://127.0.0.1:${port}/`).catch((e: BusinessError) => e);
  const business = error as BusinessError;
  assert.equal(business.code, 2300007);
  assert.equal(
    business.message,
    `Failed to connect to the server: Connection refused (127.0.0.1:${port})`,
  );
  const causes = chain(business).join(" | ");
  // The chain is kept: the engine's socket error (fetch's is "tcp connect error: …").
  assert.match(causes, new RegExp(`connect ECONNREFUSED 127\\.0\\.0\\.1:${port}$`));
  // Printed or compared, it is still the plain `{ name, code, message }` of OpenHarmony.
  assert.deepEqual(Object.keys(business).sort(), ["code", "message", "name"]);
  assert.match(business.stack ?? "", /^BusinessError: Failed to connect to the server/);
});

Deno.test("errors: an unknown host names the host, without the resolver's chain", async () => {
  using req = http.createHttp();
  const error = await req.request("http://no-such-host.invalid/").catch((e: BusinessError) => e);
  const business = error as BusinessError;
  assert.equal(business.code, 2300006);
  assert.match(business.message, /no-such-host\.invalid/);
  assert.doesNotMatch(business.message, /error sending request|client error|os error/);
  assert.ok(business.message.length < 120, business.message);
});

Deno.test({
  name: "errors: a self-signed CA:TRUE certificate as caPath says what to do",
  ignore: !(await certDir("probe_").then(async (d) => {
    await d?.[Symbol.asyncDispose]();
    return d !== null;
  })),
  async fn() {
    await using dir = (await certDir("error_messages_"))!;
    // What `openssl req -x509` makes by default: a CA certificate the server presents itself.
    const self = await makeCa(dir.path, "dev", { cn: "127.0.0.1", san: "IP:127.0.0.1" });
    await using server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      onListen() {},
      cert: await Deno.readTextFile(self.pem),
      key: await Deno.readTextFile(self.key),
    }, () => new Response("secure"));
    using req = http.createHttp();
    const outcome = await req.request(`https://127.0.0.1:${server.addr.port}/`, {
      caPath: self.pem,
    }).then((res) => res.result, (e: BusinessError) => e);
    if (typeof outcome === "string") {
      assert.equal(outcome, "secure"); // accepted, as curl does: nothing to explain
      return;
    }
    const business = outcome as BusinessError;
    assert.equal(business.code, 2300060);
    assert.match(business.message, /presents a CA certificate/);
    assert.match(business.message, /basicConstraints=CA:FALSE/); // what to do
    // The advice works: such a certificate, self-signed, is accepted as its own caPath.
    const fixed = await makeSelfSigned(dir.path);
    await using fixedServer = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      onListen() {},
      cert: await Deno.readTextFile(fixed.pem),
      key: await Deno.readTextFile(fixed.key),
    }, () => new Response("secure"));
    const res = await req.request(`https://127.0.0.1:${fixedServer.addr.port}/`, {
      caPath: fixed.pem,
    });
    assert.equal(res.result, "secure");
  },
});

Deno.test("errors: a refused permission names the flag to add", async () => {
  await using server = serve(() => new Response("hi"));
  const port = server.addr.port;
  const dir = await Deno.makeTempDir({ prefix: "error_messages_perm_" });
  try {
    const script = `${dir}/script.ts`;
    await Deno.writeTextFile(
      script,
      `import http from "${new URL("../mod.ts", import.meta.url).href}";
      import { useSocketByDefault } from "${
        new URL("../src/core/router.ts", import.meta.url).href
      }";
      useSocketByDefault(true); // plain http on the engine from the first request
      const req = http.createHttp();
      for (const [host, options] of [
        ["localhost", { connectTimeout: 1000, readTimeout: 5000 }],
        ["127.0.0.1", {}],
        ["localhost", { connectTimeout: 1000, usingProtocol: http.HttpProtocol.HTTP2 }],
        ["localhost", { caPath: "${dir}/ca.pem" }],
      ]) {
        await req.request("http://" + host + ":${port}/", options).then(
          () => console.log("ok"),
          (e) => console.log(e.code, e.message),
        );
      }
      req.destroy();`,
    );
    const { stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        `--allow-net=localhost:${port}`,
        `--allow-read=${new URL("../", import.meta.url).pathname}`,
        "--config",
        new URL("../deno.json", import.meta.url).pathname,
        script,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const lines = new TextDecoder().decode(stdout).trim().split("\n");
    assert.equal(lines.length, 4, new TextDecoder().decode(stderr));
    // The engine enforces connectTimeout itself: nothing more to allow.
    assert.equal(lines[0], "ok");
    // A host the flag does not name, on the engine.
    assert.match(
      lines[1]!,
      new RegExp(`^201 .*net access to "127\\.0\\.0\\.1:${port}".*--allow-net`),
    );
    // HTTP/2 stays on fetch, whose connect limit needs the relay listening on loopback.
    assert.match(lines[2]!, /^201 .*--allow-net=127\.0\.0\.1/);
    assert.match(lines[3]!, /^201 .*--allow-read/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
