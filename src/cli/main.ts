/**
 * Entry of the `hallpass` command (bin/hallpass.js imports this file): wires the real
 * process, clock and git into the dispatcher.
 */
import { execFile } from "node:child_process";
import { isatty } from "node:tty";
import { wantsColour } from "./colour.ts";
import { processOutputs } from "./direct-output.ts";
import { runCli } from "./run-cli.ts";

// process.stdout and process.stderr are not touched unless a write would block: making
// either would make a pipe non-blocking (see directOutput and processOutputs).
const { stdout, stderr } = processOutputs();

process.exitCode = await runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout,
  stderr,
  now: () => new Date(),
  env: process.env,
  stderrIsTTY: isatty(2),
  colour: {
    stdout: wantsColour(isatty(1), process.env),
    stderr: wantsColour(isatty(2), process.env),
  },
  gitConfig: (key) =>
    new Promise((resolve) => {
      execFile("git", ["config", "--get", key], { timeout: 5_000 }, (error, stdout) => {
        const value = stdout.trim();
        resolve(error || value === "" ? undefined : value);
      });
    }),
  // The link is an argument, never shell text: execFile runs no shell.
  openUrl: (url) =>
    new Promise((resolve, reject) => {
      const [command, args] =
        process.platform === "darwin"
          ? ["open", [url]]
          : process.platform === "win32"
            ? ["rundll32", ["url.dll,FileProtocolHandler", url]]
            : ["xdg-open", [url]];
      execFile(command, args, { timeout: 10_000 }, (error) => (error ? reject(error) : resolve()));
    }),
});
