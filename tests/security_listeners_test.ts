// App code that throws never ends the program: a listener (http face) or callback (Network
// face) that throws is reported and the transfer carries on to its own outcome. Run in a
// child process with no `error` handler of its own, as a program would be.

import assert from "node:assert/strict";
import { serve } from "./_helpers.ts";

const ROOT = new URL("../", import.meta.url);
const decoder = new TextDecoder();

Deno.test("listeners: a throwing listener or callback is reported and the transfer completes, both faces", async () => {
  await using server = serve(() => new Response("x".repeat(100_000)));
  const script = `
    import http, { Network } from "./mod.ts";
    const url = ${JSON.stringify(server.url)};
    const req = http.createHttp();
    for (const type of ["headersReceive", "dataReceive", "dataEnd", "dataReceiveProgress"]) {
      req.on(type, () => { throw new Error("ohos " + type + " listener"); });
    }
    console.log("stream", await req.requestInStream(url));
    const res = await req.request(url);
    console.log("request", res.responseCode, res.result.length);
    await new Promise((resolve) => req.request(url, (err, data) => {
      console.log("callback", err?.code ?? data.responseCode);
      resolve();
      throw new Error("ohos request callback");
    }));
    req.destroy();
    await new Promise((resolve) => {
      const xhr = Network.createHTTPClient({
        onreadystatechange() { throw new Error("ti onreadystatechange callback"); },
        ondatastream() { throw new Error("ti ondatastream callback"); },
        onload() { console.log("onload", this.status, this.responseText.length); resolve(); throw new Error("ti onload callback"); },
        onerror(e) { console.log("onerror", e.code); resolve(); },
      });
      xhr.open("GET", url);
      xhr.send();
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    console.log("alive");`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--allow-net=127.0.0.1", "--allow-read", "--allow-env", script],
    cwd: ROOT.pathname,
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = decoder.decode(out.stdout);
  const stderr = decoder.decode(out.stderr);
  assert.equal(out.code, 0, `${stdout}\n${stderr}`);
  assert.deepEqual(stdout.trim().split("\n"), [
    "stream 200",
    "request 200 100000",
    "callback 200",
    "onload 200 100000",
    "alive",
  ]);
  for (
    const what of [
      "ohos headersReceive listener",
      "ohos dataReceive listener",
      "ohos dataEnd listener",
      "ohos dataReceiveProgress listener",
      "ohos request callback",
      "ti ondatastream callback",
      "ti onload callback",
    ]
  ) {
    assert.ok(stderr.includes(what), `'${what}' was reported on stderr:\n${stderr}`);
  }
});
