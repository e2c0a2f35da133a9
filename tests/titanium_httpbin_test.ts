// HTTPClient against Debian's python3-httpbin on loopback: the endpoints
// Titanium's own test suite uses (cookies, redirects, auth, echo, XML/JSON).

import assert from "node:assert/strict";
import { Network } from "../mod.ts";
import type { FailureResponse, HTTPClient, HTTPClientProperties } from "../mod.ts";
import { HTTPBIN, startHttpbin, testWith } from "./_helpers.ts";

let httpbin: { url: string } | null = null;

/** Runs one request and returns the client with what `onload`/`onerror` saw. */
async function run(
  method: string,
  path: string,
  data?: Parameters<HTTPClient["send"]>[0],
  props: HTTPClientProperties = {},
  prepare?: (xhr: HTTPClient) => void,
): Promise<{ xhr: HTTPClient; loaded: boolean; error: FailureResponse | null }> {
  let loaded = false;
  let error: FailureResponse | null = null;
  const xhr = Network.createHTTPClient({
    onload() {
      loaded = true;
    },
    onerror(e) {
      error = e;
    },
    timeout: 10_000,
    ...props,
  });
  xhr.open(method, httpbin!.url + path);
  prepare?.(xhr);
  await xhr.send(data);
  return { xhr, loaded, error };
}

/** Tests that start server binaries: ignored when one is missing, failed under CI=true. */
const test = {
  httpbin: testWith(HTTPBIN),
};

test.httpbin("HTTPClient against python3-httpbin", async (t) => {
  await using server = await startHttpbin();
  if (!server) return;
  httpbin = server;

  await t.step(
    "/cookies/set stores cookies from the redirect; a new client sends them",
    async () => {
      Network.removeAllHTTPCookies();
      const set = await run("GET", "/cookies/set?ti_a=1&ti_b=two");
      assert.ok(set.loaded);
      assert.equal(set.xhr.location, `${httpbin!.url}/cookies`, "followed the 302");
      assert.deepEqual(set.xhr.responseDictionary, { cookies: { ti_a: "1", ti_b: "two" } });

      const later = await run("GET", "/cookies");
      assert.deepEqual(later.xhr.responseDictionary, { cookies: { ti_a: "1", ti_b: "two" } });
      const stored = Network.getHTTPCookies("127.0.0.1", "/", "ti_a");
      assert.equal(stored.length, 1);
      assert.equal(stored[0]!.value, "1");
      assert.equal(stored[0]!.domain, "127.0.0.1");

      // clearCookies() of another host keeps them; /cookies/delete expires one.
      later.xhr.clearCookies("http://www.example.com");
      const deleted = await run("GET", "/cookies/delete?ti_a");
      assert.deepEqual(deleted.xhr.responseDictionary, { cookies: { ti_b: "two" } });

      const client = (await run("GET", "/cookies")).xhr;
      client.clearCookies(httpbin!.url);
      const cleared = await run("GET", "/cookies");
      assert.deepEqual(cleared.xhr.responseDictionary, { cookies: {} });
    },
  );

  await t.step("multipart with a Blob is echoed back as a file", async () => {
    const progress: number[] = [];
    const { xhr, loaded } = await run("POST", "/post", {
      name: "titanium",
      count: 3,
      attachment: new Blob(["blob contents"], { type: "text/plain" }),
    }, {
      onsendstream(e) {
        progress.push(e.progress);
      },
    });
    assert.ok(loaded);
    const echo = xhr.responseDictionary as {
      files: Record<string, string>;
      form: Record<string, string>;
      headers: Record<string, string>;
    };
    assert.deepEqual(echo.files, { attachment: "blob contents" });
    assert.deepEqual(echo.form, { name: "titanium", count: "3" });
    assert.match(echo.headers["Content-Type"]!, /^multipart\/form-data; boundary=/);
    assert.equal(progress.at(-1), 1);
  });

  await t.step("form, JSON and raw bodies; X-Requested-With; Server header", async () => {
    const form = await run("POST", "/post", { a: "1", b: "x y&z" });
    const formEcho = form.xhr.responseDictionary as {
      form: unknown;
      headers: Record<string, string>;
    };
    assert.deepEqual(formEcho.form, { a: "1", b: "x y&z" });
    assert.equal(formEcho.headers["X-Requested-With"], "XMLHttpRequest");

    const json = await run("PUT", "/put", JSON.stringify({ n: 1 }), {}, (xhr) => {
      xhr.setRequestHeader("Content-Type", "application/json; charset=utf-8");
    });
    assert.deepEqual((json.xhr.responseDictionary as { json: unknown }).json, { n: 1 });

    const query = await run("GET", "/get", { q: "search term" });
    assert.deepEqual((query.xhr.responseDictionary as { args: unknown }).args, {
      q: "search term",
    });

    const patch = await run("PATCH", "/patch", "raw text");
    assert.equal((patch.xhr.responseDictionary as { data: unknown }).data, "");
    assert.deepEqual((patch.xhr.responseDictionary as { form: unknown }).form, { "raw text": "" });

    assert.ok(form.xhr.getAllResponseHeaders().toLowerCase().includes("server:"));
    assert.ok(form.xhr.getResponseHeader("Server")!.length > 0);
  });

  await t.step("/status/404 ends in onerror with code 404", async () => {
    const { loaded, error, xhr } = await run("GET", "/status/404");
    assert.equal(loaded, false);
    assert.equal(error?.code, 404);
    assert.equal(xhr.status, 404);
  });

  await t.step(
    "Basic auth succeeds with the right credentials, 401 in onerror otherwise",
    async () => {
      const ok = await run("GET", "/basic-auth/u/p", undefined, { username: "u", password: "p" });
      assert.ok(ok.loaded);
      assert.deepEqual(ok.xhr.responseDictionary, { authenticated: true, user: "u" });

      const wrong = await run("GET", "/basic-auth/u/p", undefined, {
        username: "u",
        password: "x",
      });
      assert.equal(wrong.loaded, false);
      assert.equal(wrong.error?.code, 401);

      const none = await run("GET", "/basic-auth/u/p");
      assert.equal(none.error?.code, 401);
    },
  );

  await t.step("/xml gives a Document, JSON a dictionary", async () => {
    const xml = await run("GET", "/xml");
    const doc = xml.xhr.responseXML!;
    assert.equal(doc.nodeType, 9);
    assert.equal(doc.documentElement!.nodeName, "slideshow");
    assert.equal(xml.xhr.responseDictionary, null);

    const json = await run("GET", "/get"); // this httpbin has no /json
    assert.ok(json.loaded);
    assert.equal(json.xhr.getResponseHeader("content-type"), "application/json");
    assert.equal(json.xhr.responseXML, null);
    assert.equal((json.xhr.responseDictionary as { url: unknown }).url, `${httpbin!.url}/get`);
  });

  await t.step(
    "download progress is monotonic and reaches 1; redirects end at location",
    async () => {
      const progress: number[] = [];
      const bytes = await run("GET", "/bytes/102400", undefined, {
        ondatastream(e) {
          progress.push(e.progress);
        },
      });
      assert.equal(bytes.xhr.responseData!.size, 102400);
      assert.equal(bytes.xhr.responseData!.type, "application/octet-stream");
      assert.equal(progress.at(-1), 1);
      for (let i = 1; i < progress.length; i++) assert.ok(progress[i]! >= progress[i - 1]!);

      const unknown: number[] = [];
      await run("GET", "/stream-bytes/5000?chunk_size=1000", undefined, {
        ondatastream(e) {
          unknown.push(e.progress);
        },
      });
      assert.equal(unknown.at(-1), 1);
      assert.ok(unknown.slice(0, -1).every((p) => p === Network.PROGRESS_UNKNOWN));

      const redirect = await run("GET", "/redirect/3");
      assert.ok(redirect.loaded);
      assert.equal(redirect.xhr.location, `${httpbin!.url}/get`);

      const gzip = await run("GET", "/gzip");
      assert.equal((gzip.xhr.responseDictionary as { gzipped: boolean }).gzipped, true);
    },
  );

  await t.step("/delay longer than timeout ends in onerror -1001", async () => {
    const { loaded, error } = await run("GET", "/delay/3", undefined, { timeout: 300 });
    assert.equal(loaded, false);
    assert.equal(error?.code, -1001);
  });
});
