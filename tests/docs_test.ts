// The documentation a newcomer meets: a short README whose links all lead somewhere, and a
// `deno doc mod.ts` that lists every public symbol inside the `http` and `Network` namespaces.

import assert from "node:assert/strict";
import http, { Network } from "../mod.ts";

const ROOT = new URL("../", import.meta.url);

Deno.test("the README fits in 25 KB and links every docs/ page", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  assert.ok(new TextEncoder().encode(readme).byteLength <= 25 * 1024, "README.md over 25 KB");
  for await (const entry of Deno.readDir(new URL("docs/", ROOT))) {
    if (entry.name.endsWith(".md")) {
      assert.ok(
        readme.includes(`(docs/${entry.name})`),
        `README.md does not link docs/${entry.name}`,
      );
    }
  }
  // The two commands a newcomer runs first.
  assert.match(readme, /npx -y deno@2\.9\.6 task demo/);
  assert.match(readme, /npx -y deno@2\.9\.6 task test/);
});

Deno.test("every relative link of README.md and docs/ leads to a file and heading that exist", async () => {
  const pages = [new URL("README.md", ROOT)];
  for await (const entry of Deno.readDir(new URL("docs/", ROOT))) {
    if (entry.name.endsWith(".md")) pages.push(new URL(`docs/${entry.name}`, ROOT));
  }
  const broken: string[] = [];
  for (const page of pages) {
    const text = await Deno.readTextFile(page);
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target!)) continue; // an absolute URL
      const [path, anchor] = target!.split("#") as [string, string | undefined];
      const file = path === "" ? page : new URL(path, page);
      let body: string;
      try {
        body = await Deno.readTextFile(file);
      } catch {
        broken.push(`${page.pathname.slice(ROOT.pathname.length)} → ${target}`);
        continue;
      }
      if (anchor && !headingAnchors(body).has(anchor)) {
        broken.push(`${page.pathname.slice(ROOT.pathname.length)} → ${target} (no such heading)`);
      }
    }
  }
  assert.deepEqual(broken, []);
});

/** GitHub's anchors of a Markdown file's headings. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const [, title] of markdown.matchAll(/^#{1,6}\s+(.+)$/gm)) {
    anchors.add(
      title!.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-"),
    );
  }
  return anchors;
}

Deno.test("deno doc mod.ts lists every value and the public types inside http and Network", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", "mod.ts"],
    cwd: ROOT.pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const doc = JSON.parse(new TextDecoder().decode(stdout));
  const symbols: DocSymbol[] = Object.values(doc.nodes as Record<string, { symbols: DocSymbol[] }>)
    .flatMap((node) => node.symbols);
  const namespace = (name: string) => {
    const found = symbols.find((s) => s.name === name)?.declarations
      .find((d) => d.kind === "namespace");
    assert.ok(found, `no namespace ${name}`);
    return new Set(found.def.elements.map((e) => e.name));
  };

  const httpListed = namespace("http");
  for (const key of Object.keys(http)) assert.ok(httpListed.has(key), `http.${key} is not listed`);
  for (
    const type of [
      "HttpRequestOptions",
      "HttpResponse",
      "ResponseHeaders",
      "BusinessError",
      "CacheInfo",
      "ResponseCacheOptions",
    ]
  ) assert.ok(httpListed.has(type), `type http.${type} is not listed`);

  // `Network` is a class (its static members are Ti.Network's values, as @types/titanium
  // declares them) merged with a namespace of types: both are listed.
  const networkListed = namespace("Network");
  const networkClass = symbols.find((s) => s.name === "Network")?.declarations
    .find((d) => d.kind === "class");
  for (
    const member of [...networkClass?.def.properties ?? [], ...networkClass?.def.methods ?? []]
  ) {
    if (member.isStatic) networkListed.add(member.name);
  }
  for (const key of Object.keys(Network)) {
    assert.ok(networkListed.has(key), `Network.${key} is not listed`);
  }
  for (const type of ["HTTPClientProperties", "CookieProperties", "FailureResponse", "SendData"]) {
    assert.ok(networkListed.has(type), `type Network.${type} is not listed`);
  }
});

interface DocSymbol {
  name: string;
  declarations: Array<{
    kind: string;
    def: {
      elements: Array<{ name: string }>;
      properties?: Array<{ name: string; isStatic?: boolean }>;
      methods?: Array<{ name: string; isStatic?: boolean }>;
    };
  }>;
}
