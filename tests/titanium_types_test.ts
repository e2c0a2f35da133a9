// The Network face as a drop-in for apps written against @types/titanium: typical app code
// type-checks under `strict` after the one import line, and the structural check against
// @types/titanium (installed from npm) has zero errors. Both run `deno check` in a subprocess.

import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

async function check(file: string): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--quiet", file],
    cwd: ROOT.pathname,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const output = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  assert.equal(code, 0, output);
  return output;
}

Deno.test("typical Titanium app code type-checks against the package under strict", async () => {
  await check("tests/titanium_types/app.ts");
});

Deno.test("Network, HTTPClient, Cookie and Blob match @types/titanium structurally", async () => {
  await check("tests/titanium_types/structural.ts");
});
