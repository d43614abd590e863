import packageJson from "../../package.json" with { type: "json" };
import { didYouMean } from "../core/source/suggest-name.ts";
import { errorMessage } from "../core/text/error-message.ts";
import { terminalText } from "../core/text/escape-terminal.ts";
import { painter } from "./colour.ts";
import type { CliIo, Command, ExitCode } from "./command.ts";
import { UsageError } from "./command.ts";
import { type RegisteredCommand, commands as registered } from "./commands.ts";
import { isParseArgsError } from "./parse-options.ts";

/** Options the dispatcher itself answers, before any command. */
const globalOptions = ["--help", "-h", "--version", "-v"];

/**
 * The `hallpass` dispatcher: picks the command named by the first argument, prints help for
 * `--help` / `-h` / `help <command>`, and turns usage errors into exit code 2.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  given: readonly (Command | RegisteredCommand)[] = registered,
): Promise<ExitCode> {
  // Only the command that runs is loaded; the overview and suggestions load them all.
  const all = () => Promise.all(given.map(load));
  const named = async (name: string) => {
    const found = given.find((c) => c.name === name);
    return found && load(found);
  };
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr(overview(await all()));
    return 2;
  }
  if (first === "--help" || first === "-h") {
    io.stdout(overview(await all()));
    return 0;
  }
  // `-v` as node and npm spell it.
  if (first === "--version" || first === "-v") {
    io.stdout(`hallpass ${packageJson.version}\n`);
    return 0;
  }
  if (first.startsWith("-")) return unknownOption(first, io, await all());
  if (first === "help") {
    if (rest[0] === undefined) {
      io.stdout(overview(await all()));
      return 0;
    }
    const command = await named(rest[0]);
    if (!command) return unknownCommand(rest[0], io, await all());
    io.stdout(withNewline(command.help));
    return 0;
  }
  const command = await named(first);
  if (!command) return unknownCommand(first, io, await all());
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(withNewline(command.help));
    return 0;
  }
  const paint = painter(io.colour?.stderr === true);
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      // Usage messages quote the arguments; they are one line, so every control is escaped.
      const message = terminalText(
        error instanceof UsageError ? error.message : rawParseArgsMessage(error as Error, command),
      );
      io.stderr(
        `${paint("bold", `hallpass ${command.name}:`)} ${message}\nRun \`hallpass ${command.name} --help\` for usage.\n`,
      );
      return 2;
    }
    // Anything else is a failure of the environment (a file that cannot be read, a full
    // disk): say so in one line rather than with a stack trace.
    io.stderr(
      `${paint("bold", `hallpass ${command.name}:`)} ${paint("red", "failed")}: ${terminalText(errorMessage(error))}\n`,
    );
    return 1;
  }
}

/**
 * A command that calls parseArgs itself rather than `parseOptions`: keep Node's parser text
 * (which talks about `--` and positionals) away from the user, and suggest from the options
 * its help lists.
 */
function rawParseArgsMessage(error: Error, command: Command): string {
  const given = /'(-[^' ]*)/.exec(error.message)?.[1];
  if (given === undefined) return "could not read the options.";
  const known = [...new Set(command.help.match(/--[a-z][a-z0-9-]*/g) ?? [])];
  return `unknown option ${given}, or it lacks its value.${didYouMean(given.split("=")[0]!, known)}`;
}

function unknownOption(option: string, io: CliIo, commands: readonly Command[]): ExitCode {
  const hint = didYouMean(option.split("=")[0]!, globalOptions);
  const shown = terminalText(option);
  const where = hint || ` A command's options go after its name: hallpass <command> ${shown}.`;
  io.stderr(`hallpass: unknown option "${shown}".${where}\n\n${overview(commands)}`);
  return 2;
}

function unknownCommand(name: string, io: CliIo, commands: readonly Command[]): ExitCode {
  const hint = didYouMean(
    name,
    commands.map((c) => c.name),
  );
  io.stderr(`hallpass: unknown command "${terminalText(name)}".${hint}\n\n${overview(commands)}`);
  return 2;
}

function overview(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `hallpass: temporary AWS access, requested and approved in pull requests.

Usage: hallpass <command> [options]
       hallpass --version (or -v)

Commands:
${lines.join("\n")}

Run \`hallpass <command> --help\` for a command's options and examples.
`;
}

/** The command itself: a registered one is imported now. */
function load(command: Command | RegisteredCommand): Promise<Command> {
  return "load" in command ? command.load() : Promise.resolve(command);
}

function withNewline(text: string): string {
  return text.endsWith("\n") ? text : `${text}\n`;
}
