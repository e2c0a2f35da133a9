/**
 * Writes the option table of `docs/cli.md` from the CLI's option table (the
 * one declaration of each option), then formats the page:
 *
 *     deno task docs:cli
 *
 * @module
 */

import { DOCS_TABLE_MARKS, optionsMarkdown } from "../src/cli/help.ts";

const page = new URL("../docs/cli.md", import.meta.url);
const text = await Deno.readTextFile(page);
const start = text.indexOf(DOCS_TABLE_MARKS.start);
const end = text.indexOf(DOCS_TABLE_MARKS.end);
if (start === -1 || end < start) throw new Error("docs/cli.md has no option-table marks");
await Deno.writeTextFile(
  page,
  text.slice(0, start + DOCS_TABLE_MARKS.start.length) + "\n\n" + optionsMarkdown() + "\n" +
    text.slice(end),
);
const fmt = await new Deno.Command(Deno.execPath(), { args: ["fmt", "-q", page.pathname] })
  .output();
if (!fmt.success) throw new Error("deno fmt failed on docs/cli.md");
