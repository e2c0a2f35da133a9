// deno-lint-ignore-file no-console
// Hostile input to the Titanium face: app callbacks that throw, hostile
// header names, and bodies that inflate without bound (issue 16).

import assert from "node:assert/strict";
import { Network } from "../mod.ts";
import { serve } from "./_helpers.ts";

/** Runs `body` with console.error captured; returns what was logged. */
async function capturingErrors(body: () => Promise<void>): Promise<string[]> {
  const logged: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => logged.push(args.map(String).join(" "));
  try {
    await body();
  } finally {
    console.error = original;
  }
  return logged;
}

Deno.test("a callback that throws is reported and the transfer's own outcome stands", async () => {
  await using server = serve((req) =>
    new URL(req.url).pathname === "/missing"
      ? new Response("no", { status: 404 })
      : new Response("x".repeat(100_000))
  );
  const seen: string[] = [];
  const logged = await capturingErrors(async () => {
    const xhr = Network.createHTTPClient({
      onreadystatechange(e) {
        seen.push(`state ${e.readyState}`);
        throw new Error("from onreadystatechange");
      },
      ondatastream() {
        throw new Error("from ondatastream");
      },
      onsendstream() {
        throw new Error("from onsendstream");
      },
      onload() {
        seen.push(`load ${String(this.responseText).length}`);
        throw new Error("from onload");
      },
    });
    xhr.open("POST", `${server.url}/`);
    await xhr.send("data");
    const failing = Network.createHTTPClient({
      onerror(e) {
        seen.push(`error ${e.code}`);
        throw new Error("from onerror");
      },
    });
    failing.open("GET", `${server.url}/missing`);
    await failing.send();
  });
  assert.deepEqual(seen, ["state 1", "state 2", "state 3", "state 4", "load 100000", "error 404"]);
  for (const where of ["onreadystatechange", "ondatastream", "onsendstream", "onload", "onerror"]) {
    assert.ok(logged.some((line) => line.includes(where)), `${where} reported`);
  }
});
