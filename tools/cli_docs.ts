/**
 * Writes the option and exit-code tables of `docs/cli.md` from the CLI's own
 * tables (the one declaration of each option and code), then formats the page:
 *
 *     deno task docs:cli
 *
 * @module
 */

import { DOCS_SECTIONS } from "../src/cli/help.ts";

const page = new URL("../docs/cli.md", import.meta.url);
let text = await Deno.readTextFile(page);
for (const section of DOCS_SECTIONS) {
  const start = text.indexOf(section.start);
  const end = text.indexOf(section.end);
  if (start === -1 || end < start) throw new Error(`docs/cli.md has no marks ${section.start}`);
  text = text.slice(0, start + section.start.length) + "\n\n" + section.markdown() + "\n" +
    text.slice(end);
}
await Deno.writeTextFile(page, text);
const fmt = await new Deno.Command(Deno.execPath(), { args: ["fmt", "-q", page.pathname] })
  .output();
if (!fmt.success) throw new Error("deno fmt failed on docs/cli.md");
