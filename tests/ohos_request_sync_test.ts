// requestSync: the calling thread blocks while a worker does the request, so the server
// runs in another process (python3-httpbin); errors are thrown as BusinessErrors.

import assert from "node:assert/strict";
import http from "../ohos.ts";
import { closedPort, createHttp, HTTPBIN, startHttpbin, testWith } from "./_helpers.ts";

function thrownCode(fn: () => unknown): { code: number; message: string } {
  try {
    fn();
  } catch (error) {
    return error as { code: number; message: string };
  }
  assert.fail("expected a throw");
}

testWith(HTTPBIN)("requestSync returns the response of a server in another process", async () => {
  await using bin = await startHttpbin();
  using req = createHttp();
  const res = req.requestSync(`${bin!.url}/get?x=1`, {
    expectDataType: http.HttpDataType.OBJECT,
    header: { "x-sync": "yes" },
  });
  assert.equal(res.responseCode, 200);
  const body = res.result as { args: { x: string }; headers: Record<string, string> };
  assert.equal(body.args.x, "1");
  assert.equal(body.headers["X-Sync"], "yes");
  assert.equal(Object.getPrototypeOf(res.header), null);
  assert.equal(res.header["content-type"], "application/json");

  const bytes = req.requestSync(`${bin!.url}/bytes/1000`);
  assert.ok(bytes.result instanceof ArrayBuffer);
  assert.equal((bytes.result as ArrayBuffer).byteLength, 1000);

  const posted = req.requestSync(`${bin!.url}/post`, {
    method: http.RequestMethod.POST,
    extraData: { a: 1 },
    expectDataType: http.HttpDataType.OBJECT,
  });
  assert.deepEqual((posted.result as { json: unknown }).json, { a: 1 });
});

Deno.test("requestSync throws BusinessErrors: 2300007, 401 for functions, 2300999 after destroy", () => {
  const req = http.createHttp();
  assert.equal(
    thrownCode(() => req.requestSync(`http://127.0.0.1:${closedPort()}/`)).code,
    2300007,
  );
  const fn = thrownCode(() =>
    req.requestSync("http://127.0.0.1:9/", { remoteValidation: () => true })
  );
  assert.equal(fn.code, 401);
  assert.match(fn.message, /requestSync/);
  assert.equal(
    thrownCode(() => req.requestSync("http://127.0.0.1:9/", { priority: "x" as never })).code,
    401,
  );
  req.destroy();
  assert.equal(thrownCode(() => req.requestSync("http://127.0.0.1:9/")).code, 2300999);
});

Deno.test("requestSync without read access to its worker module is 201 at once, not a hang", async () => {
  const script = `
    import http from ${JSON.stringify(new URL("../ohos.ts", import.meta.url).href)};
    try {
      http.createHttp().requestSync("http://127.0.0.1:9/");
    } catch (error) {
      console.log(error.code);
    }
  `;
  const dir = await Deno.makeTempDir({ prefix: "request_sync_" });
  const path = `${dir}/script.ts`;
  await Deno.writeTextFile(path, script);
  const output = await new Deno.Command(Deno.execPath(), {
    // No --allow-read: the worker module cannot be read.
    args: ["run", "--config", new URL("../deno.json", import.meta.url).pathname, path],
    stdout: "piped",
    stderr: "piped",
    env: { DENO_NO_UPDATE_CHECK: "1" },
  }).output();
  await Deno.remove(dir, { recursive: true });
  assert.equal(new TextDecoder().decode(output.stdout).trim(), "201");
});
