// A newcomer's script that never calls destroy() or abort() must still exit by itself: nothing the
// library keeps between requests (the loopback relay, pooled connections, timers) may hold the
// process open. Each script runs in its own `deno run` against a server of this test.

import assert from "node:assert/strict";
import { needs, serve } from "./_helpers.ts";
import { DNSMASQ, startDnsmasq } from "./_transport_servers.ts";

const CONFIG = new URL("../deno.json", import.meta.url).pathname;
const MOD = new URL("../mod.ts", import.meta.url).href;
/** Far longer than any script needs: only a script that hangs reaches it. */
const HANG = 30_000;

/** Runs `source` as a script; resolves with its exit code and output, or fails when it hangs. */
async function runScript(
  source: string,
  flags: string[] = [],
): Promise<{ code: number; stdout: string }> {
  const dir = await Deno.makeTempDir({ prefix: "process_exit_" });
  try {
    const path = `${dir}/script.ts`;
    await Deno.writeTextFile(path, source);
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-net", ...flags, "--config", CONFIG, path],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const output = child.output();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hung = new Promise<"hung">((resolve) => timer = setTimeout(() => resolve("hung"), HANG));
    const outcome = await Promise.race([output, hung]);
    clearTimeout(timer);
    if (outcome === "hung") {
      child.kill("SIGKILL");
      await output;
      throw new Error("the script did not exit by itself");
    }
    const stderr = new TextDecoder().decode(outcome.stderr);
    assert.equal(outcome.code, 0, stderr);
    return { code: outcome.code, stdout: new TextDecoder().decode(outcome.stdout).trim() };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a script whose requests went through the relay and the socket transport exits without destroy()", async () => {
  await using server = serve(() => new Response("hi"));
  const { stdout } = await runScript(`
    import http from "${MOD}";
    const req = http.createHttp();
    const res = await req.request("${server.url}/", { connectTimeout: 5_000, readTimeout: 20_000 });
    await req.requestInStream("${server.url}/again", { connectTimeout: 5_000, readTimeout: 20_000 });
    // TRACE goes through the socket-level transport and its pool.
    const trace = await req.request("${server.url}/trace", { method: "TRACE" });
    console.log(res.responseCode, res.result, res.performanceTiming.tcpTiming > 0, trace.responseCode);
  `);
  assert.equal(stdout, "200 hi true 200"); // tcpTiming is measured by the relay: it was used
});

Deno.test({
  name: "a script whose request used dnsServers exits without destroy()",
  ...needs(DNSMASQ),
  async fn() {
    await using dns = (await startDnsmasq())!;
    await using server = serve(() => new Response("resolved"));
    const { stdout } = await runScript(`
      import http from "${MOD}";
      const req = http.createHttp();
      const res = await req.request("http://app.test:${server.addr.port}/", {
        dnsServers: ["127.0.0.1:${dns.port}"],
      });
      console.log(res.responseCode, res.result);
    `);
    assert.equal(stdout, "200 resolved");
  },
});

Deno.test("a Titanium script that never aborts exits after its request", async () => {
  await using server = serve(() => Response.json({ ok: true }));
  const { stdout } = await runScript(`
    import { Network } from "${MOD}";
    const xhr = Network.createHTTPClient({
      timeout: 5_000,
      onload() { console.log(this.status, this.responseDictionary.ok); },
      onerror(e) { console.log("error", e.code, e.error); },
    });
    xhr.open("GET", "${server.url}/");
    xhr.send();
  `);
  assert.equal(stdout, "200 true");
});

Deno.test("a script that watches network changes and uses a file cache exits by itself", async () => {
  await using server = serve(() =>
    new Response("cached", { headers: { "cache-control": "max-age=60" } })
  );
  const dir = await Deno.makeTempDir({ prefix: "process_exit_cache_" });
  try {
    const { stdout } = await runScript(
      `
      import http, { Network } from "${MOD}";
      Network.addEventListener("change", () => {}); // never removed
      http.createHttpResponseCache(undefined, { location: ${JSON.stringify(`${dir}/cache.kv`)} });
      const req = http.createHttp();
      await req.request("${server.url}/");
      const hit = await req.request("${server.url}/");
      console.log(hit.result, hit.performanceTiming.fromCache);
    `,
      ["--unstable-kv", `--allow-read=${dir}`, `--allow-write=${dir}`],
    );
    assert.equal(stdout, "cached true");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a script that used requestSync exits without destroy(): its idle worker is stopped", async () => {
  await using server = serve(() => new Response("sync"));
  const { stdout } = await runScript(
    `
    import http from "${MOD}";
    const req = http.createHttp();
    const first = req.requestSync("${server.url}/");
    const second = req.requestSync("${server.url}/");
    console.log(first.responseCode, second.result);
  `,
    ["--allow-read"],
  );
  assert.equal(stdout, "200 sync");
});
