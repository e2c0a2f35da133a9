// The Titanium face's module graph: no import circles (type-only imports
// count too), so each file can be read from the bottom up.

import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(fileURLToPath(new URL("..", import.meta.url)), "src", "titanium");

/** Every relative import (value or type) of each file under src/titanium. */
async function graph(): Promise<Map<string, string[]>> {
  const edges = new Map<string, string[]>();
  for await (const entry of Deno.readDir(root)) {
    if (!entry.name.endsWith(".ts")) continue;
    const file = join(root, entry.name);
    const text = await Deno.readTextFile(file);
    const targets = [...text.matchAll(/(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/g)]
      .map((m) => join(dirname(file), m[1]!))
      .filter((target) => target.startsWith(root));
    edges.set(file, targets);
  }
  return edges;
}

Deno.test("src/titanium has no import circles", async () => {
  const edges = await graph();
  const state = new Map<string, "open" | "done">();
  const circles: string[] = [];
  const visit = (file: string, path: string[]): void => {
    if (state.get(file) === "done") return;
    if (state.get(file) === "open") {
      circles.push(
        [...path.slice(path.indexOf(file)), file].map((f) => relative(root, f)).join(" → "),
      );
      return;
    }
    state.set(file, "open");
    for (const next of edges.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, "done");
  };
  for (const file of edges.keys()) visit(file, []);
  assert.deepEqual(circles, []);
});
