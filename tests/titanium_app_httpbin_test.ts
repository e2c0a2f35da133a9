// Titanium app code, written as against @types/titanium, run unchanged (after the one import
// line) against Debian's python3-httpbin on loopback: the outcomes an app sees on a device.

import assert from "node:assert/strict";
import { Ti } from "../mod.ts";
import { HTTPBIN, startHttpbin, testWith } from "./_helpers.ts";

/** Runs `open(method, url)` + `send(data)` on `client` and waits for onload or onerror. */
function request(
  client: Ti.Network.HTTPClient,
  method: string,
  url: string,
  data?: Ti.Network.SendData,
): Promise<"load" | number> {
  return new Promise((resolve) => {
    client.onload = () => resolve("load");
    client.onerror = (e) => resolve(e.code);
    client.open(method, url);
    client.send(data);
  });
}

testWith(HTTPBIN)("a Titanium app against python3-httpbin", async (t) => {
  await using server = await startHttpbin();
  if (!server) return;
  const base = server.url;

  await t.step("JSON.parse(this.responseText), headers in any case, the online guard", async () => {
    assert.ok(Ti.Network.online || Ti.Network.networkType === Ti.Network.NETWORK_NONE);
    let parsed: { args: Record<string, string>; headers: Record<string, string> } | null = null;
    const client: Ti.Network.HTTPClient = Ti.Network.createHTTPClient({ timeout: 10_000 });
    const outcome = await new Promise<"load" | number>((resolve) => {
      client.onload = function () {
        parsed = JSON.parse(this.responseText);
        resolve("load");
      };
      client.onerror = (e) => resolve(e.code);
      client.open("GET", `${base}/get?app=titanium`);
      client.setRequestHeader("X-App", "port");
      client.send();
    });
    assert.equal(outcome, "load");
    assert.equal(parsed!.args.app, "titanium");
    assert.equal(parsed!.headers["X-App"], "port");
    assert.equal(parsed!.headers["X-Requested-With"], "XMLHttpRequest");
    assert.equal(client.getResponseHeader("Content-Type"), "application/json");
    assert.equal(client.responseHeaders["Content-Type"], "application/json");
    assert.equal(client.responseHeaders["content-type"], "application/json");
    assert.equal(client.getResponseHeader("X-Not-There"), "");
    assert.equal(client.statusText, "OK");
    assert.equal(client.connectionType, "GET");
  });

  await t.step("a 404 is onerror with code 404 and the body kept", async () => {
    const client = Ti.Network.createHTTPClient();
    assert.equal(await request(client, "GET", `${base}/status/404`), 404);
    assert.equal(client.status, 404);
    assert.equal(typeof client.responseText, "string");
  });

  await t.step("responseXML from /xml; responseData as a Ti.Blob", async () => {
    const client = Ti.Network.createHTTPClient();
    assert.equal(await request(client, "GET", `${base}/xml`), "load");
    const doc = client.responseXML!;
    assert.equal(doc.nodeType, 9);
    assert.equal(doc.documentElement!.nodeName, "slideshow");
    assert.ok(doc.getElementsByTagName("slide").length >= 2);
    const blob = client.responseData;
    assert.equal(blob.mimeType, "application/xml");
    assert.equal(blob.length, client.responseText.length);
    assert.equal(blob.text, client.responseText);
    assert.equal(blob.toString(), client.responseText);

    const png = Ti.Network.createHTTPClient();
    assert.equal(await request(png, "GET", `${base}/image/png`), "load");
    assert.equal(png.responseData.mimeType, "image/png");
    assert.equal(png.responseData.toString(), "[object TiBlob]");
    assert.equal(png.responseXML, null);
  });

  await t.step("cookies: set through the redirect, read with Ti.Network, deleted", async () => {
    Ti.Network.removeAllHTTPCookies();
    const client = Ti.Network.createHTTPClient();
    assert.equal(await request(client, "GET", `${base}/cookies/set?flavour=choc`), "load");
    const cookie: Ti.Network.Cookie = Ti.Network.getHTTPCookies("127.0.0.1", "/", "flavour")[0]!;
    assert.equal(cookie.value, "choc");
    assert.equal(cookie.expiryDate, "");
    assert.ok(Ti.Network.allHTTPCookies.some((c) => c.name === "flavour"));
    const del = Ti.Network.createHTTPClient();
    assert.equal(await request(del, "GET", `${base}/cookies/delete?flavour`), "load");
    assert.deepEqual(Ti.Network.getHTTPCookies("127.0.0.1", "/", "flavour"), []);
  });

  await t.step(
    "a file download: responseData reads the file, never null, and can be sent on",
    async () => {
      const dir = await Deno.makeTempDir();
      try {
        const client = Ti.Network.createHTTPClient({ file: `${dir}/bytes.bin` });
        assert.equal(await request(client, "GET", `${base}/bytes/4096`), "load");
        const data = client.responseData;
        assert.equal(data.length, 4096);
        assert.equal(data.nativePath, `${dir}/bytes.bin`);
        assert.ok(data.file!.exists());
        assert.equal((await data.bytes()).byteLength, 4096);
        // The downloaded blob can be sent on, as a Ti.Blob can.
        const upload = Ti.Network.createHTTPClient();
        assert.equal(await request(upload, "PUT", `${base}/put`, data), "load");
        const echoed = JSON.parse(upload.responseText);
        assert.equal(echoed.headers["Content-Length"], "4096");
        assert.equal(echoed.headers["Content-Type"], "application/octet-stream");
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  );

  await t.step("a form post, and a received blob sent on", async () => {
    const form = Ti.Network.createHTTPClient();
    assert.equal(await request(form, "POST", `${base}/post`, { a: 1, b: "two" }), "load");
    assert.deepEqual(JSON.parse(form.responseText).form, { a: "1", b: "two" });

    const bytes = Ti.Network.createHTTPClient();
    assert.equal(await request(bytes, "GET", `${base}/bytes/64`), "load");
    const echo = Ti.Network.createHTTPClient();
    assert.equal(await request(echo, "POST", `${base}/post`, bytes.responseData), "load");
    assert.match(JSON.parse(echo.responseText).data, /^data:application\/octet-stream;base64,/);
  });

  await t.step("basic auth with username/password", async () => {
    const client = Ti.Network.createHTTPClient({ username: "ti", password: "secret" });
    assert.equal(await request(client, "GET", `${base}/basic-auth/ti/secret`), "load");
    assert.equal(JSON.parse(client.responseText).authenticated, true);
  });
});
