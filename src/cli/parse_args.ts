/**
 * The parser of the command line: walks `argv` against the option table.
 * Short options cluster as in curl (`-sLo out.bin`), long options take their
 * value as the next argument or after `=`; options that contradict each
 * other are refused once all are read.
 *
 * @module
 */

import { type CliArgs, emptyArgs } from "./cli_args.ts";
import { UsageError } from "./exit_codes.ts";
import { OPTIONS, type OptionSpec } from "./option_table.ts";

// Every name an option answers to, long (with aliases) and short.
const BY_LONG = new Map<string, OptionSpec>();
const BY_SHORT = new Map<string, OptionSpec>();
for (const spec of OPTIONS) {
  BY_LONG.set(spec.long, spec);
  for (const alias of spec.aliases ?? []) BY_LONG.set(alias, spec);
  if (spec.short) BY_SHORT.set(spec.short, spec);
}

/**
 * Parses `argv` (without the program name). Throws a {@linkcode UsageError}
 * naming the option for anything it cannot take.
 */
export function parseArgs(argv: readonly string[]): CliArgs {
  const args = emptyArgs();
  const positional: string[] = [];
  let i = 0;
  const next = (name: string): string => {
    if (i >= argv.length) throw new UsageError(`option ${name} needs a value`);
    return argv[i++]!;
  };
  while (i < argv.length) {
    const arg = argv[i++]!;
    if (arg === "--") {
      positional.push(...argv.slice(i));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq === -1 ? arg : arg.slice(0, eq);
      const inline = eq === -1 ? undefined : arg.slice(eq + 1);
      const spec = BY_LONG.get(name);
      if (!spec) throw new UsageError(`unknown option '${name}'`);
      if (spec.arity === "none") {
        if (inline !== undefined) throw new UsageError(`option ${name} takes no value`);
        spec.apply(args, undefined, name);
      } else if (spec.arity === "optional") {
        spec.apply(args, inline, name);
      } else {
        spec.apply(args, inline ?? next(name), name);
      }
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      // A cluster of short options: flags, then at most one that takes the rest or the next arg.
      for (let j = 1; j < arg.length; j++) {
        const name = `-${arg[j]}`;
        const spec = BY_SHORT.get(name);
        if (!spec) throw new UsageError(`unknown option '${name}'`);
        if (spec.arity === "none") {
          spec.apply(args, undefined, name);
          continue;
        }
        const rest = arg.slice(j + 1);
        spec.apply(args, rest !== "" ? rest : next(name), name);
        break;
      }
      continue;
    }
    positional.push(arg);
  }
  args.urls = positional;
  checkCombinations(args);
  return args;
}

/** Refuses options that contradict each other, which no single option can see alone. */
function checkCombinations(args: CliArgs): void {
  const bodies = [args.data.length > 0, args.json.length > 0, args.form.length > 0]
    .filter(Boolean).length;
  if (bodies > 1) throw new UsageError("use only one of -d/--data-binary, --json and -F");
  if (args.head && bodies > 0) throw new UsageError("-I (HEAD) cannot send a body");
  if (args.outputs.length > Math.max(args.urls.length, 1)) {
    throw new UsageError(
      `${args.outputs.length} -o/-O for ${args.urls.length} URL(s): each goes with one URL`,
    );
  }
  const toStdout = (i: number) => {
    const output = args.outputs[i];
    return output === undefined || (output.kind === "file" && output.path === "-");
  };
  if (args.resume && args.urls.some((_, i) => toStdout(i))) {
    throw new UsageError("-C - (resume) needs -o FILE or -O for each URL");
  }
  if (
    (args.retryMaxTime !== undefined || args.retryDelay !== undefined || args.retryConnRefused ||
      args.retryAllMethods) && !args.retry
  ) {
    throw new UsageError(
      "--retry-max-time, --retry-delay, --retry-connrefused and --retry-all-methods need --retry N",
    );
  }
  if (args.noproxy && !args.proxy && args.noproxy.join(",") !== "*") {
    throw new UsageError(
      "--noproxy HOSTS applies to --proxy ('*' alone: no proxy at all); for the environment's proxy set NO_PROXY",
    );
  }
  if ((args.key || args.pass || args.certType) && !args.cert) {
    throw new UsageError("--key, --pass and --cert-type need --cert");
  }
}
