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
  if (positional.length > 1) {
    throw new UsageError(`one URL only, got ${positional.length}: ${positional.join(" ")}`);
  }
  args.url = positional[0];
  checkCombinations(args);
  return args;
}

/** Refuses options that contradict each other, which no single option can see alone. */
function checkCombinations(args: CliArgs): void {
  const bodies = [args.data.length > 0, args.json.length > 0, args.form.length > 0]
    .filter(Boolean).length;
  if (bodies > 1) throw new UsageError("use only one of -d/--data-binary, --json and -F");
  if (args.head && bodies > 0) throw new UsageError("-I (HEAD) cannot send a body");
  if (args.resume && (args.output === undefined || args.output === "-")) {
    throw new UsageError("-C - (resume) needs -o FILE");
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
