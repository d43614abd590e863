import { existsSync, mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { GitStore } from "../demo/git-store.ts";
import { Narrator } from "../demo/narrator.ts";
import { type CliIo, type Command, type ExitCode, UsageError } from "./command.ts";
import { historyCommand } from "./history-command.ts";
import { parseOptions } from "./parse-options.ts";

const help = `Usage: hallpass demo [--dir DIR]

Runs the whole hallpass lifecycle on this machine in under a minute, with no
GitHub or AWS account: an access repository (a new git repository in DIR,
seeded from the example organisation), a request pull request, the check
going from red to green as approvals arrive, the merge and the grant role,
CloudTrail activity with a risky call and its alert, the expiry and the
sweep's revocation, the audit summary, and a role made by hand that the sweep
removes. Time is simulated: the 90-minute grant does not make you wait.

The real app (through Probot) and the real sweep run against LOCAL EMULATION
of the GitHub API and of IAM, STS and CloudTrail, served on 127.0.0.1 only and
reached as GitHub Enterprise Server or an AWS emulator would be
(GITHUB_API_URL, AWS_ENDPOINT_URL_IAM, _STS, _CLOUDTRAIL). Your own GitHub
and AWS settings are not read and nothing leaves this machine.

Afterwards DIR holds the request, the grant, revocation and audit records as
the app and the action commit them. The demo ends with the command that reads
them back, \`hallpass history\` run in DIR, shows what it printed, and says how
to run it again there with this checkout's hallpass and Node 24:
  cd DIR && npx --prefix <checkout> node <checkout>/bin/hallpass.js history
(a bare \`npx hallpass\` in DIR finds no hallpass there and would offer to
download an unrelated package of that name from the npm registry.)

Options:
  --dir DIR    where to create the access repository (a new or empty folder);
               default: a new folder in the system's temporary directory.
  -h, --help   show this help.

Exit codes: 0 the story ran to its end, 1 a step failed (named), 2 usage error.
`;

/** A path as a POSIX shell word. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

/**
 * The command that shows DIR's story again with this checkout's hallpass on its Node 24. DIR is
 * outside this project, so a bare `npx hallpass` there would look the name up in the npm
 * registry, and the `hallpass` bin under another Node would find no TypeScript support.
 */
export function historyCommandFor(dir: string): string {
  const root = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
  const bin = shellWord(`${root}/bin/hallpass.js`);
  return `cd ${shellWord(dir)} && npx --prefix ${shellWord(root)} node ${bin} history`;
}

/** Creates DIR (or checks that it is empty), or a fresh temporary folder. */
function prepareDir(cwd: string, dir: string | undefined): string {
  if (dir === undefined) return mkdtempSync(join(tmpdir(), "hallpass-demo-"));
  const path = resolve(cwd, dir);
  if (existsSync(path) && readdirSync(path).length > 0) {
    throw new UsageError(`${path} is not empty: give a new or empty folder to --dir.`);
  }
  mkdirSync(path, { recursive: true });
  return path;
}

/** The last step: `hallpass history` itself, run in DIR, as compliance would read the story. */
async function showHistory(dir: string, say: Narrator, io: CliIo): Promise<void> {
  say.step("What compliance reads back from git: hallpass history");
  let text = "";
  const capture = (chunk: string) => {
    text += chunk;
  };
  const code = await historyCommand.run([], { ...io, cwd: dir, stdout: capture, stderr: capture });
  say.say(text.trimEnd().replace(/^(?=.)/gm, "   "));
  // Exit code 1 is the finding the story planted (the hand-made role); 2 would be a failure.
  if (code === 2) throw new Error("hallpass history could not read the repository");
}

/** `hallpass demo`: the whole lifecycle against local stand-ins, in simulated time. */
export const demoCommand: Command = {
  name: "demo",
  summary: "see the whole lifecycle in a minute, locally, with no GitHub or AWS account",
  help,
  async run(args: string[], io: CliIo): Promise<ExitCode> {
    const { values } = parseOptions({ args, options: { dir: { type: "string" } }, strict: true });
    if (!GitStore.available()) {
      io.stderr(
        "hallpass demo: git is needed and could not be run: install git and put it on the PATH.\n",
      );
      return 1;
    }
    // Loaded here, not at start: the stand-ins of GitHub and AWS take as long to load as
    // `hallpass history` takes to read 1,000 requests, and every other command would pay it.
    const { DEMO_STEPS, runDemo } = await import("../demo/run-demo.ts");
    const dir = prepareDir(io.cwd, values.dir);
    const say = new Narrator(
      { stdout: io.stdout, stderr: io.stderr, interactive: io.stderrIsTTY === true },
      DEMO_STEPS,
    );
    // The story starts three hours ago, so that by its end (grant, expiry, audit delay) every
    // simulated event is in the past and `hallpass history` run now reads it as done.
    const start = new Date(Math.floor((io.now().getTime() - 3 * 3600_000) / 60_000) * 60_000);
    io.stdout(
      `hallpass demo: the whole lifecycle against LOCAL EMULATION of GitHub, IAM, STS and CloudTrail (127.0.0.1 only).\n`,
    );
    try {
      await runDemo(dir, say, start);
      await showHistory(dir, say, io);
    } catch (error) {
      say.stop();
      io.stderr(
        `hallpass demo: failed: ${(error as Error).message}\n  (the repository so far is in ${dir})\n`,
      );
      return 1;
    }
    say.stop();
    io.stdout(
      `\nThe access repository is in ${dir}. Read its story again with:\n  ${historyCommandFor(dir)}\n`,
    );
    return 0;
  },
};
