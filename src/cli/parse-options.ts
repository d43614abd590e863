import { type ParseArgsConfig, parseArgs } from "node:util";
import { didYouMean } from "../core/source/suggest-name.ts";
import { UsageError } from "./command.ts";

/**
 * `parseArgs` (strict) for a command's arguments, with its usage errors rewritten as the
 * tools people know them: an unknown option gets "did you mean", a missing value names the
 * option, and Node's own parser text (about `--` and positional arguments) never reaches
 * the user. Throws a UsageError, which the dispatcher prints with a hint to `--help`.
 */
export function parseOptions<T extends ParseArgsConfig>(
  config: T,
): ReturnType<typeof parseArgs<T>> {
  const problem = diagnose(config);
  if (problem !== undefined) throw new UsageError(problem);
  try {
    return parseArgs<T>({ ...config, strict: true });
  } catch (error) {
    // diagnose() covers every error parseArgs raises today; a new one must still read as usage.
    if (isParseArgsError(error))
      throw new UsageError(`could not read the options: ${(error as Error).message}`);
    throw error;
  }
}

/** The first usage problem in the arguments, read leniently as tokens; undefined if none. */
function diagnose(config: ParseArgsConfig): string | undefined {
  const options = config.options ?? {};
  const { tokens } = parseArgs({
    args: config.args ?? [],
    options,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  // A flag's first value, by name: parseArgs keeps the last of a repeat without a word.
  const given = new Map<string, string>();
  for (const token of tokens) {
    if (token.kind === "positional") {
      if (config.allowPositionals) continue;
      return `unexpected argument "${token.value}": this command takes options only.`;
    }
    if (token.kind !== "option") continue;
    // Own keys only: "--constructor" must not find Object.prototype's.
    const option = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (option === undefined) {
      const known = Object.keys(options).map((name) => `--${name}`);
      const hint = didYouMean(token.rawName, [...known, "--help"]);
      return `unknown option ${token.rawName}.${hint || ` Known options: ${[...known, "--help"].join(", ")}.`}`;
    }
    const spelled = `--${token.name}`;
    if (option.type === "boolean" && token.inlineValue) {
      return `${spelled} takes no value (remove "=${token.value}").`;
    }
    if (option.type === "string" && token.value === undefined) {
      return `${spelled} needs a value: ${spelled} <value>.`;
    }
    if (option.type === "string" && !token.inlineValue && token.value?.startsWith("-")) {
      // parseArgs refuses a value that looks like an option: usually a forgotten value.
      return `${spelled} needs a value, but is followed by ${token.value}. For a value that starts with "-", write ${spelled}=${token.value}.`;
    }
    if (option.type === "string" && !option.multiple) {
      // A repeated value is a script's default overridden, or a typo: which one was meant
      // cannot be told. Flags documented as repeatable are declared `multiple`.
      const first = given.get(token.name);
      if (first !== undefined) {
        return `${spelled} is given twice (${JSON.stringify(first)} and ${JSON.stringify(token.value)}) but takes one value: keep the one you mean.`;
      }
      given.set(token.name, token.value ?? "");
    }
  }
  return undefined;
}

/** node:util parseArgs reports unknown or malformed options with these codes. */
export function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_");
}
