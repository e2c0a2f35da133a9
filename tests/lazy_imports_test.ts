// Importing the library loads no npm package and no `node:` built-in (each
// costs RSS and start-up time; the first `node:` one starts Deno's Node
// layer): they are loaded when their feature is first used (issue 18).

import assert from "node:assert/strict";
import { serve } from "./_helpers.ts";

interface Info {
  roots: string[];
  modules: {
    specifier: string;
    dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
  }[];
}

async function staticGraph(entry: string): Promise<string[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    stdout: "piped",
    stderr: "null",
  }).output();
  const info: Info = JSON.parse(new TextDecoder().decode(output.stdout));
  const modules = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const todo = [...info.roots];
  while (todo.length) {
    const specifier = todo.pop()!;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dependency of modules.get(specifier)?.dependencies ?? []) {
      if (!dependency.isDynamic && dependency.code) todo.push(dependency.code.specifier);
    }
  }
  return [...seen];
}

Deno.test("import: mod.ts statically imports no npm package and no node: built-in", async () => {
  const eager = (await staticGraph("mod.ts")).filter((s) => !s.startsWith("file:"));
  assert.deepEqual(eager, []);
});

Deno.test("import: the socket-level engine and the response cache's store load only when used", async () => {
  const graph = await staticGraph("mod.ts");
  const lazy = graph.filter((s) =>
    s.includes("/src/core/wire/") ||
    /\/src\/cache\/(cached_exchange|kv_store|location)\.ts$/.test(s)
  );
  assert.deepEqual(lazy, []);
});

Deno.test("cookies: Network's synchronous cookie functions work before tough-cookie has loaded", async () => {
  await using server = serve((request) => new Response(request.headers.get("cookie") ?? ""));
  const script = `
    import { Network } from "./mod.ts";
    const seen = (list) => list.map((c) => c.toJSON());
    Network.addHTTPCookie({ name: "a", value: "1", domain: "127.0.0.1" });
    Network.addHTTPCookie({ name: "b", value: "2", domain: ".example.test", path: "/x", maxAge: 60 });
    Network.addHTTPCookie({ name: "c", value: "3", domain: "gone.test", expiryDate: new Date(0) });
    Network.addHTTPCookie({ name: "a", value: "1b", domain: "127.0.0.1" });
    Network.addSystemCookie({ name: "s", value: "1", domain: "web.test" });
    const before = {
      all: seen(Network.getAllHTTPCookies()),
      sub: seen(Network.getHTTPCookies("www.example.test", "/x/y", null)),
      nopath: seen(Network.getHTTPCookies("www.example.test", "/xy", null)),
      system: seen(Network.getSystemCookies("web.test", "/", "s")),
    };
    Network.removeHTTPCookie("www.example.test", "/x", "b");
    const removed = seen(Network.getAllHTTPCookies());
    Network.addHTTPCookie({ name: "b", value: "2", domain: ".example.test", path: "/x", maxAge: 60 });
    const sent = await new Promise((resolve, reject) => {
      const client = Network.createHTTPClient({
        onload() { resolve(this.responseText); },
        onerror(e) { reject(new Error(e.error)); },
      });
      client.open("GET", Deno.args[0]);
      client.send();
    });
    const after = {
      all: seen(Network.getAllHTTPCookies()),
      sub: seen(Network.getHTTPCookies("www.example.test", "/x/y", null)),
      nopath: seen(Network.getHTTPCookies("www.example.test", "/xy", null)),
      system: seen(Network.getSystemCookies("web.test", "/", "s")),
    };
    console.log(JSON.stringify({ before, after, removed, sent }));
  `;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=js", script, `${server.url}/`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(output.success, new TextDecoder().decode(output.stderr));
  const result = JSON.parse(new TextDecoder().decode(output.stdout));
  assert.equal(result.sent, "a=1b");
  assert.deepEqual(result.removed.map((c: { name: string }) => c.name), ["a"]);
  // A replaced cookie is a new one: it comes last, as in the loaded store.
  assert.deepEqual(result.before.all.map((c: { name: string }) => c.name), ["b", "a"]);
  assert.deepEqual(result.before.sub.map((c: { name: string }) => c.name), ["b"]);
  assert.deepEqual(result.before.nopath, []);
  assert.equal(result.before.system.length, 1);
  // The early answers are the ones the loaded store gives for the same cookies.
  assert.deepEqual(result.before.system, result.after.system);
  const named = (list: { name: string }[], name: string) => list.find((c) => c.name === name);
  assert.deepEqual(named(result.before.all, "a"), named(result.after.all, "a"));
  assert.deepEqual(result.before.sub[0].domain, ".example.test");
  assert.deepEqual(result.after.sub.map((c: { name: string }) => c.name), ["b"]);
});
