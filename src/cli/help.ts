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

/** A generated section of `docs/cli.md`: its marks and its Markdown. */
export interface DocsSection {
  readonly start: string;
  readonly end: string;
  readonly markdown: () => string;
}

/** Markdown text: escaped so that Markdown (and deno fmt) keeps `*`, `_` and `|` as they are. */
const plain = (text: string) => text.replace(/[|*_\\]/g, "\\$&");
const code = (text: string) => `\`${text.replaceAll("|", "\\|")}\``;

/** The option table of `docs/cli.md`, from the same entries as the parser and `--help`. */
export function optionsMarkdown(): string {
  const rows = OPTIONS.map((spec) =>
    `| ${code(optionSynopsis(spec))} | ${plain(spec.help)} | ${code(spec.example)} |`
  );
  return ["| option | what it does | example |", "| --- | --- | --- |", ...rows].join("\n") + "\n";
}

/** The exit-code table of `docs/cli.md`, from the same entries as `--help`. */
export function exitCodesMarkdown(): string {
  const rows = EXIT_CODE_TABLE.map(([exit, meaning]) =>
    `| ${exit < 0 ? "n" : exit} | ${plain(meaning)} |`
  );
  return ["| exit | meaning |", "| --- | --- |", ...rows].join("\n") + "\n";
}

/** The sections of `docs/cli.md` that `deno task docs:cli` writes and a test compares. */
export const DOCS_SECTIONS: readonly DocsSection[] = [
  {
    start: "<!-- options: generated from src/cli/option_table.ts by `deno task docs:cli` -->",
    end: "<!-- options: end -->",
    markdown: optionsMarkdown,
  },
  {
    start: "<!-- exit codes: generated from src/cli/exit_codes.ts by `deno task docs:cli` -->",
    end: "<!-- exit codes: end -->",
    markdown: exitCodesMarkdown,
  },
];
