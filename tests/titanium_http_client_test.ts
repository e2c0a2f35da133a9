// HTTPClient against Deno.serve and raw loopback servers: every callback,
// property and setting of the Titanium face.

import assert from "node:assert/strict";
import { join } from "node:path";
import { Network } from "../mod.ts";
import type { FailureResponse, HTTPClient, HTTPClientProperties } from "../mod.ts";
import { closedPort, rawServer, readHead, serve, write } from "./_helpers.ts";

/** What one request did: callbacks in order, with `this` checks. */
interface Trace {
  events: Array<[string, unknown]>;
  loads: number;
  errors: FailureResponse[];
  states: number[];
}

/** Creates a client that records every callback; `extra` adds settings. */
function traced(extra: HTTPClientProperties = {}): { xhr: HTTPClient; trace: Trace } {
  const trace: Trace = { events: [], loads: 0, errors: [], states: [] };
  const xhr: HTTPClient = Network.createHTTPClient({
    onreadystatechange(e) {
      assert.equal(this, xhr);
      assert.equal(e.source, xhr);
      assert.equal(this.readyState, e.readyState);
      trace.states.push(e.readyState);
      trace.events.push(["readystate", e.readyState]);
    },
    onload(e) {
      assert.equal(this, xhr);
      assert.deepEqual(e, { source: xhr, success: true, code: 0 });
      trace.loads++;
      trace.events.push(["load", this.status]);
    },
    onerror(e) {
      assert.equal(this, xhr);
      assert.equal(e.source, xhr);
      assert.equal(e.success, false);
      trace.errors.push(e);
      trace.events.push(["error", e.code]);
    },
    ...extra,
  });
  return { xhr, trace };
}

/** The names in a directory. */
async function names(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) found.push(entry.name);
  return found;
}

/** A gate a server handler waits on; `open()` it before the server shuts down. */
function gate(): { wait: Promise<void>; open(): void } {
  const { promise, resolve } = Promise.withResolvers<void>();
  return { wait: promise, open: () => resolve() };
}

Deno.test("HTTPClient goes OPENED, HEADERS_RECEIVED, LOADING, DONE, then onload", async () => {
  await using server = serve(() =>
    new Response("hello", { headers: { "content-type": "text/plain; charset=utf-8" } })
  );
  const { xhr, trace } = traced();
  assert.equal(xhr.readyState, xhr.UNSENT);
  xhr.open("GET", `${server.url}/`);
  assert.equal(xhr.readyState, Network.HTTPClient.OPENED);
  assert.deepEqual(trace.states, [], "OPENED fires after open() returns, as on Android");
  const pending = xhr.send();
  assert.equal(xhr.connected, true);
  assert.equal(trace.loads, 0, "nothing fires inside send()");
  await pending;
  assert.deepEqual(trace.events, [
    ["readystate", 1],
    ["readystate", 2],
    ["readystate", 3],
    ["readystate", 4],
    ["load", 200],
  ]);
  assert.equal(xhr.connected, false);
  assert.equal(xhr.readyState, xhr.DONE);
  assert.deepEqual(
    [xhr.UNSENT, xhr.OPENED, xhr.HEADERS_RECEIVED, xhr.LOADING, xhr.DONE],
    [0, 1, 2, 3, 4],
  );
  assert.equal(xhr.apiName, "Ti.Network.HTTPClient");
});

Deno.test("HTTPClient exposes the response: text, Blob, headers, status, location", async () => {
  await using server = serve(() =>
    new Response("héllo", {
      status: 201,
      headers: { "content-type": "text/plain; charset=utf-8", "X-Custom": "Yes" },
    })
  );
  const xhr = new Network.HTTPClient();
  assert.equal(xhr.status, 0);
  assert.equal(xhr.statusText, "");
  assert.equal(xhr.responseText, "");
  assert.equal(xhr.getResponseHeader("x-custom"), "");
  assert.deepEqual({ ...xhr.responseHeaders }, {});
  xhr.open("get", `${server.url}/a/../b?q=1`);
  assert.equal(xhr.connectionType, "get");
  assert.equal(xhr.location, `${server.url}/b?q=1`);
  await xhr.send();
  assert.equal(xhr.status, 201);
  assert.equal(xhr.statusText, "Created");
  assert.equal(xhr.responseText, "héllo");
  const blob = xhr.responseData;
  assert.ok(blob instanceof Blob, "a web Blob too");
  assert.equal(blob.type, "text/plain; charset=utf-8");
  assert.equal(blob.mimeType, "text/plain; charset=utf-8");
  assert.equal(blob.text, "héllo", "Ti.Blob's text is a property");
  assert.equal(String(blob), "héllo");
  assert.equal(blob.length, 6);
  assert.equal(blob.size, 6);
  assert.equal(blob.nativePath, "");
  assert.equal(new TextDecoder().decode(await blob.bytes()), "héllo");
  assert.equal(await new Response(blob as unknown as Blob).text(), "héllo");
  assert.equal(xhr.getResponseHeader("X-CUSTOM"), "Yes");
  assert.equal(xhr.getResponseHeader("x-missing"), "", "as on Android");
  assert.equal(xhr.responseHeaders["x-custom"], "Yes");
  assert.equal(xhr.responseHeaders["X-Custom"], "Yes", "read in any case, as on iOS");
  assert.deepEqual(
    Object.keys(xhr.responseHeaders).sort(),
    [
      "content-length",
      "content-type",
      "date",
      "vary",
      "x-custom",
    ].filter((name) => name in xhr.responseHeaders),
  );
  assert.match(xhr.allResponseHeaders, /^x-custom: Yes\r$/m);
  assert.match(xhr.allResponseHeaders, /^content-type: text\/plain; charset=utf-8\r$/m);
  assert.equal(xhr.getAllResponseHeaders(), xhr.allResponseHeaders);
  assert.equal(xhr.location, `${server.url}/b?q=1`);
  assert.equal(xhr.responseXML, null);
  assert.equal(xhr.responseDictionary, null);
});

Deno.test("HTTPClient decodes the declared charset and falls back to ISO-8859-1", async () => {
  await using server = serve((req) => {
    const latin1 = new Uint8Array([0x63, 0x61, 0x66, 0xe9]); // "café" in ISO-8859-1
    const type = new URL(req.url).pathname === "/declared"
      ? "text/plain; charset=iso-8859-1"
      : "text/plain";
    return new Response(latin1, { headers: { "content-type": type } });
  });
  for (const path of ["/declared", "/undeclared"]) {
    const xhr = Network.createHTTPClient();
    xhr.open("GET", server.url + path);
    await xhr.send();
    assert.equal(xhr.responseText, "café", path);
  }
});

Deno.test("HTTPClient calls onerror with code = status for 404 and keeps the body", async () => {
  await using server = serve(() => new Response("no such page", { status: 404 }));
  const { xhr, trace } = traced();
  xhr.open("GET", `${server.url}/missing`);
  await xhr.send();
  assert.equal(trace.loads, 0);
  assert.equal(trace.errors.length, 1);
  assert.equal(trace.errors[0]!.code, 404);
  assert.equal(trace.errors[0]!.error, "404 : Not Found");
  assert.deepEqual(trace.states, [1, 2, 3, 4]);
  assert.equal(xhr.status, 404);
  assert.equal(xhr.responseText, "no such page");
});

Deno.test("HTTPClient treats every status of 400 or more as an error, 3xx/2xx as load", async () => {
  await using server = serve((req) => {
    const status = Number(new URL(req.url).searchParams.get("s"));
    return new Response(null, { status });
  });
  for (
    const [status, kind] of [[200, "load"], [204, "load"], [304, "load"], [400, "error"], [
      599,
      "error",
    ]] as const
  ) {
    const { xhr, trace } = traced();
    xhr.open("GET", `${server.url}/?s=${status}`);
    await xhr.send();
    assert.deepEqual(trace.events.at(-1), [kind, status], `status ${status}`);
  }
});

Deno.test("HTTPClient reports an invalid URL through onerror, never by throwing", async () => {
  for (
    const [url, code] of [
      ["http://exa mple.invalid/", -1000],
      ["", -1000],
      ["ftp://127.0.0.1/", -1002],
    ] as const
  ) {
    const { xhr, trace } = traced();
    xhr.open("GET", url);
    const pending = xhr.send(); // must not throw
    assert.equal(trace.errors.length, 0, "onerror is asynchronous");
    await pending;
    assert.equal(trace.errors.length, 1, url);
    assert.equal(trace.errors[0]!.code, code, url);
    assert.deepEqual(trace.states, [1, 4], "DONE comes before onerror");
    assert.equal(xhr.status, 0);
    assert.equal(xhr.responseText, "");
  }
});

Deno.test("HTTPClient without a scheme assumes http://, as Android does", async () => {
  await using server = serve(() => new Response("ok"));
  const { xhr, trace } = traced();
  xhr.open("GET", `127.0.0.1:${server.addr.port}/x`);
  await xhr.send();
  assert.equal(trace.loads, 1);
  assert.equal(xhr.location, `${server.url}/x`);
});

Deno.test("HTTPClient reports a refused connection as -1004 after DONE", async () => {
  const { xhr, trace } = traced();
  xhr.open("GET", `http://127.0.0.1:${closedPort()}/`);
  await xhr.send();
  assert.deepEqual(trace.events, [["readystate", 1], ["readystate", 4], ["error", -1004]]);
  assert.match(trace.errors[0]!.error, /connect/i);
});

Deno.test("HTTPClient.send() before open() ends in onerror", async () => {
  const { xhr, trace } = traced();
  await xhr.send();
  assert.equal(trace.errors[0]!.code, -1);
  assert.match(trace.errors[0]!.error, /before open/);
});

Deno.test("HTTPClient timeout: no response head in time ends in onerror -1001", async () => {
  const held = gate();
  await using server = serve(async () => {
    await held.wait;
    return new Response("late");
  });
  try {
    const { xhr, trace } = traced({ timeout: 150 });
    xhr.open("GET", `${server.url}/`);
    const start = performance.now();
    await xhr.send();
    const elapsed = performance.now() - start;
    assert.equal(trace.loads, 0);
    assert.equal(trace.errors.length, 1);
    assert.equal(trace.errors[0]!.code, -1001);
    assert.match(trace.errors[0]!.error, /timeout/i);
    assert.ok(elapsed >= 140 && elapsed < 5_000, `took ${elapsed} ms`);
    assert.deepEqual(trace.states, [1, 4]);
  } finally {
    held.open();
  }
});

Deno.test("HTTPClient timeout also limits a stall between two body chunks", async () => {
  const held = gate();
  await using server = serve(() =>
    new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("first"));
        },
        pull: () => held.wait,
        cancel: () => held.open(),
      }),
    )
  );
  try {
    const { xhr, trace } = traced();
    xhr.setTimeout(200);
    assert.equal(xhr.timeout, 200);
    xhr.open("GET", `${server.url}/`);
    await xhr.send();
    assert.deepEqual(trace.states, [1, 2, 3, 4]);
    assert.equal(trace.errors[0]?.code, -1001);
    assert.match(trace.errors[0]!.error, /no progress for 200 ms/);
    assert.equal(xhr.responseText, "", "a failed body is not exposed");
  } finally {
    held.open();
  }
});

Deno.test("HTTPClient timeout is an idle limit: a slow body that keeps coming completes", async () => {
  await using server = serve(() => {
    let sent = 0;
    return new Response(
      new ReadableStream({
        async pull(controller) {
          await new Promise((r) => setTimeout(r, 80));
          controller.enqueue(new TextEncoder().encode(`${sent}`));
          if (++sent === 6) controller.close();
        },
      }, { highWaterMark: 0 }),
    );
  });
  const { xhr, trace } = traced({ timeout: 300 });
  xhr.open("GET", `${server.url}/`);
  const start = performance.now();
  await xhr.send();
  assert.ok(performance.now() - start >= 400, "longer in total than the timeout");
  assert.deepEqual(trace.errors, []);
  assert.equal(xhr.responseText, "012345");
});

Deno.test("HTTPClient fires OPENED after open() returns, for a handler set just after", async () => {
  await using server = serve(() => new Response("ok"));
  const xhr = Network.createHTTPClient();
  xhr.open("GET", `${server.url}/`);
  const states: number[] = [];
  xhr.onreadystatechange = (e) => states.push(e.readyState);
  await xhr.send();
  assert.deepEqual(states, [1, 2, 3, 4]);
});

Deno.test("HTTPClient.abort() ends in DONE and fires neither onload nor onerror", async () => {
  const held = gate();
  await using server = serve(() =>
    new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(new Uint8Array(10));
        },
        pull: () => held.wait,
        cancel: () => held.open(),
      }),
      { headers: { "content-length": "1000" } },
    )
  );
  try {
    const { xhr, trace } = traced({
      ondatastream() {
        this.abort();
      },
    });
    xhr.open("GET", `${server.url}/`);
    await xhr.send();
    assert.deepEqual(trace.events, [
      ["readystate", 1],
      ["readystate", 2],
      ["readystate", 3],
      ["readystate", 4],
    ]);
    assert.equal(xhr.readyState, xhr.DONE);
    assert.equal(xhr.connected, false);
    xhr.abort(); // a second abort does nothing
    assert.equal(trace.states.length, 4);
  } finally {
    held.open();
  }
});

Deno.test("HTTPClient.abort() before the response and a new send() afterwards", async () => {
  const held = gate();
  const arrived = Promise.withResolvers<void>();
  let hits = 0;
  await using server = serve(async () => {
    if (++hits === 1) {
      arrived.resolve();
      await held.wait;
    }
    return new Response(`hit ${hits}`);
  });
  try {
    const { xhr, trace } = traced();
    xhr.open("GET", `${server.url}/`);
    const first = xhr.send();
    await arrived.promise;
    xhr.abort();
    assert.equal(xhr.readyState, xhr.DONE);
    await first;
    assert.equal(trace.loads + trace.errors.length, 0);
    held.open();
    await xhr.send();
    assert.equal(trace.loads, 1);
    assert.equal(xhr.responseText, "hit 2");
  } finally {
    held.open();
  }
});

Deno.test("HTTPClient can send() again from onload", async () => {
  let hits = 0;
  await using server = serve(() => new Response(`hit ${++hits}`));
  const texts: string[] = [];
  const again = Promise.withResolvers<void>();
  const xhr = Network.createHTTPClient({
    onload() {
      texts.push(this.responseText!);
      if (texts.length === 1) this.send().then(again.resolve);
    },
  });
  xhr.open("GET", `${server.url}/`);
  await xhr.send();
  await again.promise;
  assert.deepEqual(texts, ["hit 1", "hit 2"]);
});

Deno.test("HTTPClient ignores open() and send() while a request is in progress", async () => {
  let hits = 0;
  await using server = serve(() => new Response(`hit ${++hits}`));
  const { xhr, trace } = traced();
  xhr.open("GET", `${server.url}/`);
  // deno-lint-ignore no-console
  const warn = console.warn;
  const warnings: string[] = [];
  // deno-lint-ignore no-console
  console.warn = (message: string) => warnings.push(message);
  let pending: Promise<void>;
  try {
    pending = xhr.send();
    await xhr.send();
    xhr.open("GET", `${server.url}/other`);
  } finally {
    // deno-lint-ignore no-console
    console.warn = warn;
  }
  await pending;
  assert.equal(hits, 1);
  assert.equal(trace.loads, 1);
  assert.equal(warnings.length, 2);
  const inFlight = xhr.send();
  assert.throws(
    () => xhr.setRequestHeader("x", "1"),
    (e: unknown) => e instanceof DOMException && e.name === "InvalidStateError",
  );
  xhr.abort();
  await inFlight;
});

Deno.test("HTTPClient autoRedirect: followed by default, 3xx to onload when false", async () => {
  await using server = serve((req) => {
    const path = new URL(req.url).pathname;
    if (path === "/from") return new Response(null, { status: 302, headers: { location: "/to" } });
    return new Response(`at ${path}`);
  });
  const follow = traced();
  follow.xhr.open("GET", `${server.url}/from`);
  await follow.xhr.send();
  assert.equal(follow.xhr.status, 200);
  assert.equal(follow.xhr.responseText, "at /to");
  assert.equal(follow.xhr.location, `${server.url}/to`);
  assert.deepEqual(
    follow.trace.states,
    [1, 2, 3, 4],
    "HEADERS_RECEIVED only for the final response",
  );

  const stay = traced({ autoRedirect: false });
  stay.xhr.open("GET", `${server.url}/from`);
  await stay.xhr.send();
  assert.equal(stay.trace.loads, 1);
  assert.equal(stay.xhr.status, 302);
  assert.equal(stay.xhr.getResponseHeader("Location"), "/to");
  assert.equal(stay.xhr.location, `${server.url}/from`);
});

Deno.test("HTTPClient reports a redirect loop as -1007", async () => {
  await using server = serve(() => new Response(null, { status: 302, headers: { location: "/" } }));
  const { xhr, trace } = traced();
  xhr.open("GET", `${server.url}/`);
  await xhr.send();
  assert.equal(trace.errors[0]?.code, -1007);
});

Deno.test("HTTPClient.setRequestHeader joins repeats, removes with null, sends X-Requested-With", async () => {
  await using server = serve((req) => Response.json(Object.fromEntries(req.headers)));
  const xhr = Network.createHTTPClient();
  xhr.setRequestHeader("X-Before-Open", "kept"); // Android keeps headers set before open()
  xhr.open("GET", `${server.url}/`);
  xhr.setRequestHeader("X-Multi", "a");
  xhr.setRequestHeader("x-multi", "b");
  xhr.setRequestHeader("Cookie", "a=1");
  xhr.setRequestHeader("Cookie", "b=2");
  xhr.setRequestHeader("X-Gone", "x");
  xhr.setRequestHeader("X-Gone", null);
  xhr.setRequestHeader("X-Number", 7 as unknown as string);
  await xhr.send();
  const seen = xhr.responseDictionary!;
  assert.equal(seen["x-before-open"], "kept");
  assert.equal(seen["x-multi"], "a, b");
  assert.equal(seen["cookie"], "a=1; b=2");
  assert.equal(seen["x-gone"], undefined);
  assert.equal(seen["x-number"], "7");
  assert.equal(seen["x-requested-with"], "XMLHttpRequest");

  // A re-send keeps the headers; a new open() after a send starts afresh.
  await xhr.send();
  assert.equal(xhr.responseDictionary!["x-multi"], "a, b");
  xhr.open("GET", `${server.url}/`);
  xhr.setRequestHeader("X-Requested-With", null);
  await xhr.send();
  assert.equal(xhr.responseDictionary!["x-multi"], undefined);
  assert.equal(xhr.responseDictionary!["x-requested-with"], undefined);
});

Deno.test("HTTPClient.setRequestHeader refuses CR/LF and bad names through onerror", async () => {
  let hits = 0;
  await using server = serve(() => new Response(`hit ${++hits}`));
  for (const [name, value] of [["X-Evil", "a\r\nInjected: 1"], ["Bad Name", "x"]]) {
    const { xhr, trace } = traced();
    xhr.open("GET", `${server.url}/`);
    xhr.setRequestHeader(name!, value!); // does not throw
    await xhr.send();
    assert.equal(trace.errors[0]?.code, -1, name);
    assert.match(trace.errors[0]!.error, /CR, LF|invalid header name/);
  }
  assert.equal(hits, 0, "nothing was sent");
});

Deno.test("HTTPClient.send(data) encodes strings, objects, bytes and Blobs", async () => {
  await using server = serve(async (req) =>
    Response.json({
      method: req.method,
      type: req.headers.get("content-type"),
      length: req.headers.get("content-length"),
      query: new URL(req.url).search,
      body: await req.text(),
    })
  );
  const cases: Array<[string, unknown, Record<string, unknown>, string?]> = [
    ["POST", "a=1&b=2", {
      type: "application/x-www-form-urlencoded",
      body: "a=1&b=2",
      length: "7",
    }],
    ["POST", { a: 1, b: "x y", n: null, t: true, o: { k: [1] } }, {
      type: "application/x-www-form-urlencoded; charset=utf-8",
      body: "a=1&b=x+y&t=true&o=%7B%22k%22%3A%5B1%5D%7D",
    }],
    ["PUT", new Blob(["<x/>"], { type: "application/xml" }), {
      type: "application/xml",
      body: "<x/>",
      length: "4",
    }],
    ["POST", new TextEncoder().encode("bytes"), {
      type: "application/octet-stream",
      body: "bytes",
    }],
    ["POST", new TextEncoder().encode("buffer").buffer, {
      type: "application/octet-stream",
      body: "buffer",
    }],
    [
      "PATCH",
      '{"j":1}',
      { method: "PATCH", type: "application/json", body: '{"j":1}' },
      "application/json",
    ],
    ["POST", { j: [1, 2] }, { type: "application/json", body: '{"j":[1,2]}' }, "application/json"],
    ["GET", { q: "a b", n: 2 }, { method: "GET", query: "?x=1&q=a+b&n=2", body: "" }],
    ["GET", null, { method: "GET", query: "?x=1", type: null }],
    ["DELETE", "", { method: "DELETE", body: "", type: null }],
  ];
  for (const [method, data, expected, callerType] of cases) {
    const xhr = Network.createHTTPClient();
    xhr.open(method, `${server.url}/?x=1`);
    if (callerType) xhr.setRequestHeader("Content-Type", callerType);
    await xhr.send(data as never);
    const seen = xhr.responseDictionary!;
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(seen[key], value, `${method} ${String(data)}: ${key}`);
    }
  }
});

Deno.test("HTTPClient.send() refuses a body on GET through onerror", async () => {
  const { xhr, trace } = traced();
  xhr.open("GET", `http://127.0.0.1:${closedPort()}/`);
  await xhr.send("body");
  assert.equal(trace.errors[0]?.code, -1);
  assert.match(trace.errors[0]!.error, /GET request cannot carry a body/);
});

Deno.test("HTTPClient.send(object with a Blob) sends multipart/form-data", async () => {
  await using server = serve(async (req) => {
    const form = await req.formData();
    const file = form.get("upload") as File;
    return Response.json({
      type: req.headers.get("content-type"),
      length: req.headers.get("content-length"),
      field: form.get("field"),
      fileName: file.name,
      fileType: file.type,
      fileText: await file.text(),
      named: (form.get("named") as File).name,
    });
  });
  const xhr = Network.createHTTPClient();
  xhr.open("POST", `${server.url}/upload`);
  await xhr.send({
    field: "value",
    upload: new Blob(["file body"], { type: "text/plain" }),
    named: new File(["x"], "report.csv", { type: "text/csv" }),
  });
  const seen = xhr.responseDictionary!;
  assert.match(String(seen.type), /^multipart\/form-data; boundary=/);
  assert.ok(Number(seen.length) > 0, "sent with a Content-Length");
  assert.equal(seen.field, "value");
  assert.equal(seen.fileName, "blob");
  assert.equal(seen.fileType, "text/plain");
  assert.equal(seen.fileText, "file body");
  assert.equal(seen.named, "report.csv");
});

Deno.test("HTTPClient responseXML is a Document for XML, null otherwise", async () => {
  await using server = serve((req) => {
    const path = new URL(req.url).pathname;
    if (path === "/xml") {
      return new Response('<?xml version="1.0"?><root><item id="1">one</item></root>', {
        headers: { "content-type": "application/xml" },
      });
    }
    if (path === "/svg") {
      return new Response("<svg xmlns='http://www.w3.org/2000/svg'/>", {
        headers: { "content-type": "image/svg+xml" },
      });
    }
    if (path === "/broken") {
      return new Response("<root><a></root>", { headers: { "content-type": "text/xml" } });
    }
    if (path === "/png") {
      return new Response("<root/>", { headers: { "content-type": "image/png" } });
    }
    if (path === "/prose") {
      return new Response("not <xml>", { headers: { "content-type": "text/plain" } });
    }
    return new Response("<root/>", { headers: { "content-type": "text/plain" } });
  });
  const xhr = Network.createHTTPClient();
  xhr.open("GET", `${server.url}/xml`);
  await xhr.send();
  const doc = xhr.responseXML!;
  assert.equal(doc.nodeType, 9);
  assert.equal(doc.documentElement!.nodeName, "root");
  assert.equal(doc.getElementsByTagName("item")[0]!.getAttribute("id"), "1");
  assert.equal(xhr.responseXML, doc, "parsed once");
  // As Titanium's own tests expect: any text that is XML, whatever its type; never binary.
  const cases = [["/svg", true], ["/broken", false], ["/text", true], ["/png", false], [
    "/prose",
    false,
  ]] as const;
  for (const [path, xml] of cases) {
    xhr.open("GET", server.url + path);
    await xhr.send();
    assert.equal(xhr.responseXML !== null, xml, path);
  }
});

Deno.test("HTTPClient responseDictionary is the JSON object, null for arrays and non-JSON", async () => {
  await using server = serve((req) => {
    const path = new URL(req.url).pathname;
    if (path === "/object") return Response.json({ a: { b: [1, 2] } });
    if (path === "/array") return Response.json([1, 2]);
    return new Response("not json");
  });
  const xhr = Network.createHTTPClient();
  xhr.open("GET", `${server.url}/object`);
  await xhr.send();
  assert.deepEqual(xhr.responseDictionary, { a: { b: [1, 2] } });
  for (const path of ["/array", "/text"]) {
    xhr.open("GET", server.url + path);
    await xhr.send();
    assert.equal(xhr.responseDictionary, null, path);
  }
});

Deno.test("HTTPClient ondatastream rises to 1 with a known length, -1 then 1 without", async () => {
  const size = 300_000;
  await using server = serve((req) => {
    const body = new Uint8Array(size).fill(97);
    if (new URL(req.url).pathname === "/known") return new Response(body);
    return new Response(ReadableStream.from([body.subarray(0, 1000), body.subarray(1000)]));
  });
  for (const path of ["/known", "/unknown"]) {
    const progress: number[] = [];
    let lastState = 0;
    const xhr = Network.createHTTPClient({
      ondatastream(e) {
        assert.equal(e.source, this);
        assert.equal(this.readyState, this.LOADING, "progress arrives before DONE");
        progress.push(e.progress);
      },
      onreadystatechange(e) {
        lastState = e.readyState;
      },
    });
    xhr.open("GET", server.url + path);
    await xhr.send();
    assert.equal(lastState, 4);
    assert.equal(xhr.responseText!.length, size);
    assert.equal(progress.at(-1), 1, path);
    if (path === "/known") {
      assert.ok(progress.length >= 2, `several chunks: ${progress.length}`);
      for (let i = 1; i < progress.length; i++) assert.ok(progress[i]! >= progress[i - 1]!);
      assert.ok(progress.every((p) => p > 0 && p <= 1));
    } else {
      assert.ok(progress.slice(0, -1).every((p) => p === Network.PROGRESS_UNKNOWN));
    }
  }
});

Deno.test("HTTPClient onsendstream rises monotonically to 1 for an upload", async () => {
  await using server = serve(async (req) => new Response(String((await req.bytes()).byteLength)));
  const size = 3 * 1024 * 1024;
  const progress: number[] = [];
  const xhr = Network.createHTTPClient({
    onsendstream(e) {
      assert.equal(e.source, this);
      progress.push(e.progress);
    },
  });
  xhr.open("POST", `${server.url}/`);
  await xhr.send(new Uint8Array(size));
  assert.equal(xhr.responseText, String(size));
  assert.equal(progress.at(-1), 1);
  assert.ok(progress.length >= 2, `several events: ${progress}`);
  assert.ok(progress.every((p) => p > 0 && p <= 1));
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i]! > progress[i - 1]!);
});

Deno.test("HTTPClient file: the download appears complete at the path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const body = new Uint8Array(200_000).map((_, i) => i % 251);
    await using server = serve(() => new Response(body));
    const path = join(dir, "download.bin");
    await Deno.writeTextFile(path, "old content");
    let seenInLoad: Uint8Array | null = null;
    const { xhr, trace } = traced({
      file: path,
      onload() {
        // deno-lint-ignore no-sync-fn-in-async-fn
        seenInLoad = Deno.readFileSync(path); // onload is synchronous: the file must be there now
      },
    });
    xhr.open("GET", `${server.url}/`);
    await xhr.send();
    assert.equal(trace.errors.length, 0);
    assert.deepEqual(seenInLoad, body, "complete when onload runs");
    assert.equal(xhr.responseText, "", "not kept in memory");
    const data = xhr.responseData;
    assert.equal(data.nativePath, path);
    assert.equal(data.length, body.byteLength);
    assert.equal(data.file?.exists(), true);
    assert.deepEqual(await data.bytes(), body);
    assert.deepEqual(await names(dir), ["download.bin"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("HTTPClient file: a failed, aborted or 404 download leaves no file", async () => {
  const dir = await Deno.makeTempDir();
  const held = gate();
  try {
    await using broken = rawServer(async (conn) => {
      await readHead(conn);
      await write(conn, "HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n" + "x".repeat(5000));
    });
    await using slow = serve((req) => {
      if (new URL(req.url).pathname === "/404") return new Response("gone", { status: 404 });
      return new Response(
        new ReadableStream({
          start(c) {
            c.enqueue(new Uint8Array(100));
          },
          pull: () => held.wait,
          cancel: () => held.open(),
        }),
      );
    });
    const path = join(dir, "target.bin");

    const failed = traced({ file: path });
    failed.xhr.open("GET", `${broken.url}/`);
    await failed.xhr.send();
    assert.equal(failed.trace.errors[0]?.code, -1005);

    const aborted = traced({
      file: path,
      ondatastream() {
        this.abort();
      },
    });
    aborted.xhr.open("GET", `${slow.url}/`);
    await aborted.xhr.send();
    assert.equal(aborted.trace.loads + aborted.trace.errors.length, 0);

    const missing = traced({ file: path });
    missing.xhr.open("GET", `${slow.url}/404`);
    await missing.xhr.send();
    assert.equal(missing.trace.errors[0]?.code, 404);
    assert.equal(missing.xhr.responseText, "gone");

    assert.deepEqual(await names(dir), [], "no target, no temporary file");
  } finally {
    held.open();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("HTTPClient file: an unwritable directory ends in onerror", async () => {
  await using server = serve(() => new Response("x"));
  const { xhr, trace } = traced({ file: "/nonexistent-dir-for-netstack/x.bin" });
  xhr.open("GET", `${server.url}/`);
  await xhr.send();
  assert.equal(trace.errors[0]?.code, -3003);
});

Deno.test("HTTPClient username/password: Basic auth, never sent to another origin", async () => {
  await using other = serve((req) => new Response(req.headers.get("authorization") ?? "none"));
  await using server = serve((req) => {
    const url = new URL(req.url);
    if (url.pathname === "/away") {
      return new Response(null, { status: 302, headers: { location: `${other.url}/` } });
    }
    if (url.pathname === "/here") {
      return new Response(null, { status: 302, headers: { location: "/" } });
    }
    return new Response(req.headers.get("authorization") ?? "none");
  });
  const expected = `Basic ${btoa("user:pässword".replace("ä", "\xc3\xa4"))}`;
  const xhr = Network.createHTTPClient({ username: "user", password: "pässword" });
  xhr.open("GET", `${server.url}/here`);
  await xhr.send();
  assert.equal(xhr.responseText, expected, "UTF-8 credentials, kept on the same origin");
  xhr.open("GET", `${server.url}/away`);
  await xhr.send();
  assert.equal(xhr.responseText, "none", "dropped when the redirect leaves the origin");

  const inUrl = Network.createHTTPClient();
  inUrl.open("GET", `http://u:p@127.0.0.1:${server.addr.port}/`);
  await inUrl.send();
  assert.equal(inUrl.responseText, `Basic ${btoa("u:p")}`);
  assert.equal(inUrl.location, `${server.url}/`, "credentials are not part of location");
});

Deno.test("HTTPClient autoEncodeUrl: encodes by default, refuses when false", async () => {
  await using server = serve((req) =>
    new Response(new URL(req.url).pathname + new URL(req.url).search)
  );
  const encoded = traced();
  encoded.xhr.open("GET", `${server.url}/a b/é?q=x y`);
  await encoded.xhr.send();
  assert.equal(encoded.xhr.responseText, "/a%20b/%C3%A9?q=x%20y");

  const raw = traced({ autoEncodeUrl: false });
  raw.xhr.open("GET", `${server.url}/a b`);
  await raw.xhr.send();
  assert.equal(raw.trace.errors[0]?.code, -1000);
  raw.xhr.open("GET", `${server.url}/a%20b`);
  await raw.xhr.send();
  assert.equal(raw.xhr.responseText, "/a%20b");
});

Deno.test("HTTPClient settings read back what was set", () => {
  const xhr = Network.createHTTPClient({
    timeout: 1234,
    autoRedirect: false,
    autoEncodeUrl: false,
    withCredentials: true,
    cache: true,
    enableKeepAlive: true,
    username: "u",
    password: "p",
    file: "/tmp/x",
  });
  assert.equal(xhr.timeout, 1234);
  assert.equal(xhr.autoRedirect, false);
  assert.equal(xhr.autoEncodeUrl, false);
  assert.equal(xhr.withCredentials, true);
  assert.equal(xhr.cache, true);
  assert.equal(xhr.enableKeepAlive, true);
  assert.equal(xhr.username, "u");
  assert.equal(xhr.password, "p");
  assert.equal(xhr.file, "/tmp/x");
  const plain = new Network.HTTPClient();
  assert.equal(plain.autoRedirect, true);
  assert.equal(plain.autoEncodeUrl, true);
  assert.equal(plain.cache, false);
  // Every setting reads back with @types/titanium's type, never undefined or null.
  assert.equal(plain.timeout, 60_000);
  assert.equal(plain.tlsVersion, 0);
  assert.equal(plain.validatesSecureCertificate, true);
  assert.equal(plain.username, "");
  assert.equal(plain.password, "");
  assert.equal(plain.domain, "");
  assert.equal(plain.file, "");
  assert.equal(plain.statusText, "");
  assert.equal(plain.location, "");
  assert.equal(plain.connectionType, "");
  assert.equal(plain.responseText, "");
  assert.equal(plain.responseData.length, 0);
});

Deno.test("HTTPClient callbacks can be assigned after creation; a bad timeout is onerror", async () => {
  await using server = serve(() => new Response("ok"));
  const xhr = new Network.HTTPClient();
  const done = Promise.withResolvers<string>();
  xhr.onload = function () {
    done.resolve(this.responseText);
  };
  xhr.open("GET", `${server.url}/`);
  xhr.send();
  assert.equal(await done.promise, "ok");

  const { xhr: bad, trace } = traced({ timeout: -5 });
  bad.open("GET", `${server.url}/`);
  await bad.send();
  assert.equal(trace.errors[0]?.code, -1);
  assert.match(trace.errors[0]!.error, /'timeout'/);
});
