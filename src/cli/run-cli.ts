import { didYouMean } from "../core/suggest-name.ts";
import type { CliIo, Command, ExitCode } from "./command.ts";
import { UsageError } from "./command.ts";
import { commands as registered } from "./commands.ts";

/**
 * The `hallpass` dispatcher: picks the command named by the first argument, prints help for
 * `--help` / `-h` / `help <command>`, and turns usage errors into exit code 2.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  commands: readonly Command[] = registered,
): Promise<ExitCode> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr(overview(commands));
    return 2;
  }
  if (first === "--help" || first === "-h") {
    io.stdout(overview(commands));
    return 0;
  }
  if (first === "help") {
    if (rest[0] === undefined) {
      io.stdout(overview(commands));
      return 0;
    }
    const command = commands.find((c) => c.name === rest[0]);
    if (!command) return unknownCommand(rest[0], io, commands);
    io.stdout(withNewline(command.help));
    return 0;
  }
  const command = commands.find((c) => c.name === first);
  if (!command) return unknownCommand(first, io, commands);
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(withNewline(command.help));
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.stderr(
        `hallpass ${command.name}: ${(error as Error).message}\nRun \`hallpass ${command.name} --help\` for usage.\n`,
      );
      return 2;
    }
    // Anything else is a failure of the environment (a file that cannot be read, a full
    // disk): say so in one line rather than with a stack trace.
    io.stderr(`hallpass ${command.name}: failed: ${(error as Error)?.message ?? String(error)}\n`);
    return 1;
  }
}

function unknownCommand(name: string, io: CliIo, commands: readonly Command[]): ExitCode {
  const hint = didYouMean(
    name,
    commands.map((c) => c.name),
  );
  io.stderr(`hallpass: unknown command "${name}".${hint}\n\n${overview(commands)}`);
  return 2;
}

function overview(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `hallpass: temporary AWS access, requested and approved in pull requests.

Usage: hallpass <command> [options]

Commands:
${lines.join("\n")}

Run \`hallpass <command> --help\` for a command's options and examples.
`;
}

function withNewline(text: string): string {
  return text.endsWith("\n") ? text : `${text}\n`;
}

/** node:util parseArgs reports unknown or malformed options with these codes. */
function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_");
}
