/**
 * The text of `netstack --help`, generated from the option table so that no
 * option goes undocumented.
 *
 * @module
 */

import { OPTIONS, type OptionSpec } from "./option_table.ts";
import { EXIT_CODE_TABLE } from "./exit_codes.ts";

/** The program's version, as in deno.json. */
export const VERSION = "0.1.0";

/** How an option is written in the help, e.g. `-X, --request METHOD`. */
export function optionSynopsis(spec: OptionSpec): string {
  const names = [spec.short, spec.long, ...(spec.aliases ?? [])].filter(Boolean).join(", ");
  if (spec.arity === "none") return names;
  if (spec.arity === "optional") return `${names}[=${spec.value}]`;
  return `${names} ${spec.value}`;
}

/** The whole help text. */
export function helpText(): string {
  const lines = [
    `netstack ${VERSION}: a curl-like HTTP client on @netstack/http`,
    "",
    "Usage: netstack [options] URL",
    "  deno run -A jsr:@netstack/http/cli [options] URL",
    "  deno task get [options] URL            (in a checkout)",
    "",
    "The body goes to stdout (or -o FILE); a progress bar goes to stderr when it is a",
    "terminal and the body does not. Redirects are always followed (the library does).",
    "",
    "Options:",
  ];
  for (const spec of OPTIONS) {
    lines.push(`  ${optionSynopsis(spec)}`);
    lines.push(`      ${spec.help}`);
    lines.push(`      e.g. ${spec.example}`);
  }
  lines.push("", "Exit codes:");
  for (const [code, meaning] of EXIT_CODE_TABLE) {
    lines.push(`  ${code < 0 ? "n" : String(code)}`.padEnd(7) + meaning);
  }
  lines.push("");
  return lines.join("\n");
}

/** Marks around the generated option table in `docs/cli.md`. */
export const DOCS_TABLE_MARKS = {
  start: "<!-- options: generated from src/cli/option_table.ts by `deno task docs:cli` -->",
  end: "<!-- options: end -->",
} as const;

/** The option table of `docs/cli.md`, from the same entries as the parser and `--help`. */
export function optionsMarkdown(): string {
  const code = (text: string) => `\`${text.replaceAll("|", "\\|")}\``;
  // Plain text: escaped so that Markdown (and deno fmt) keeps `*` and `_` as they are.
  const text = (help: string) => help.replace(/[|*_\\]/g, "\\$&");
  const rows = OPTIONS.map((spec) =>
    `| ${code(optionSynopsis(spec))} | ${text(spec.help)} | ${code(spec.example)} |`
  );
  return ["| option | what it does | example |", "| --- | --- | --- |", ...rows].join("\n") + "\n";
}
