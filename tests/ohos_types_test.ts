// The CI type test: values typed with OpenHarmony's official declaration
// (shared/reference/openharmony/ohos.net.http.d.ts, found beside the checkout) are accepted by
// this package. tests/ohos_types/ holds the stubs of the modules the declaration imports
// (@ohos.base, @ohos.net.connection, @ohos.security.cert, ArkTS's int/long/double) and
// check.ts; they are copied with the declaration into a temp dir and `deno check`ed there.

import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const DECLARATION = "shared/reference/openharmony/ohos.net.http.d.ts";

/** The official declaration: in `shared/` beside the checkout or one of its parents. */
function findDeclaration(): string | null {
  let dir = new URL("./", ROOT);
  for (let i = 0; i < 6; i++) {
    const candidate = new URL(DECLARATION, dir);
    try {
      Deno.statSync(candidate);
      return candidate.pathname;
    } catch { /* look one level up */ }
    dir = new URL("../", dir);
  }
  return null;
}

const declaration = findDeclaration();

Deno.test({
  name: "types: OpenHarmony's official declaration's values type-check against the package",
  // Outside CI a checkout without shared/ reports the test as ignored; under CI it must run.
  ignore: declaration === null && Deno.env.get("CI") !== "true",
  async fn() {
    assert.ok(declaration, `${DECLARATION} not found beside the checkout`);
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
