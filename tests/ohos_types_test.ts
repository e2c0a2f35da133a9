// The CI type test: values typed with OpenHarmony's official declaration are accepted by this
// package. The declaration (interface_sdk-js, Apache-2.0) is kept in tests/ohos_declaration/ so
// that CI needs nothing beside the checkout; a second test checks it against the reference copy
// in shared/reference/openharmony/ beside the checkout, when there is one. tests/ohos_types/ holds
// the stubs of the modules the declaration imports (@ohos.base, @ohos.net.connection,
// @ohos.security.cert, ArkTS's int/long/double) and check.ts; they are copied with the
// declaration into a temp dir and `deno check`ed there.

import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const declaration = new URL("ohos_declaration/ohos.net.http.d.ts", import.meta.url).pathname;
const REFERENCE = "shared/reference/openharmony/ohos.net.http.d.ts";

/** The reference declaration in `shared/` beside the checkout or one of its parents, if any. */
function findReference(): string | null {
  let dir = new URL("./", ROOT);
  for (let i = 0; i < 6; i++) {
    const candidate = new URL(REFERENCE, dir);
    try {
      Deno.statSync(candidate);
      return candidate.pathname;
    } catch { /* look one level up */ }
    dir = new URL("../", dir);
  }
  return null;
}

const reference = findReference();

Deno.test({
  name: "types: the kept declaration is the reference copy beside the checkout",
  ignore: reference === null,
  async fn() {
    assert.equal(await Deno.readTextFile(declaration), await Deno.readTextFile(reference!));
  },
});

Deno.test({
  name: "types: OpenHarmony's official declaration's values type-check against the package",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "ohos-types-" });
    try {
      const stubs = new URL("ohos_types/", import.meta.url);
      for await (const entry of Deno.readDir(stubs)) {
        let text = await Deno.readTextFile(new URL(entry.name, stubs));
        if (entry.name === "check.ts") {
          text = text.replaceAll('"../../mod.ts"', JSON.stringify(new URL("mod.ts", ROOT).href));
        }
        await Deno.writeTextFile(`${dir}/${entry.name}`, text);
      }
      // The declaration imports its siblings without an extension, as the OpenHarmony SDK does.
      const official = (await Deno.readTextFile(declaration))
        .replace(/from '\.\/(@ohos\.[a-z.]+)'/g, "from './$1.d.ts'");
      await Deno.writeTextFile(
        `${dir}/ohos.net.http.d.ts`,
        `/// <reference path="./arkts.d.ts" />\n${official}`,
      );
      const { code, stderr, stdout } = await new Deno.Command(Deno.execPath(), {
        args: ["check", "--quiet", "--config", new URL("deno.json", ROOT).pathname, "check.ts"],
        cwd: dir,
        env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
      }).output();
      const output = new TextDecoder().decode(stderr) + new TextDecoder().decode(stdout);
      assert.equal(code, 0, output);
      assert.doesNotMatch(output, /error/i);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
