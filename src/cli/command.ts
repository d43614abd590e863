/**
 * The shape of a `hallpass` command. Each command lives in its own file and is registered
 * with one line in `commands.ts`; the dispatcher (`run-cli.ts`) handles `--help` for all.
 */

/** Everything a command may touch besides the file system: injected so tests run in-process. */
export interface CliIo {
  /** Directory the command was started in. */
  cwd: string;
  /** Writes text as is (add the newline yourself). */
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** The clock. */
  now: () => Date;
  env: Readonly<Record<string, string | undefined>>;
  /** Whether stderr is a terminal (progress indicators are drawn only then). Default false. */
  stderrIsTTY?: boolean;
  /** `git config --get <key>` in cwd; undefined when unset or when git is unavailable. */
  gitConfig: (key: string) => Promise<string | undefined>;
  /** Whether each stream takes ANSI colours (see `wantsColour`); default: neither. */
  colour?: { stdout: boolean; stderr: boolean };
  /** Opens a URL in the user's browser (`hallpass console --open`); absent: the URL is printed. */
  openUrl?: (url: string) => Promise<void>;
}

/** Exit codes: 0 success, 1 the input is invalid (or the command failed), 2 usage error. */
export type ExitCode = 0 | 1 | 2;

export interface Command {
  name: string;
  /** One line for `hallpass --help`. */
  summary: string;
  /** Full help for `hallpass <name> --help`: usage, options, examples. */
  help: string;
  /** Runs with the arguments after the command name (`--help` is handled before). */
  run: (args: string[], io: CliIo) => Promise<ExitCode>;
}

/** Thrown by a command for a usage error: the dispatcher prints it with a hint, exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
