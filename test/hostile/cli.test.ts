import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { afterAll, beforeAll, expect } from "vitest";
import { makeRepo, run, validRequest } from "../cli/cli-harness.ts";
import { cliTranscript, describeHostileCorpus } from "../support/hostile-corpus.ts";

/**
 * Hostile command lines through `runCli`, the `hallpass` binary's own entry, in a copy of a
 * small access repository (git, example policies, one valid request). No command may reach
 * the network: every attempt is recorded and counts as a failure, as a grant would.
 */

const COMMITTER = {
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@example.com",
  GIT_AUTHOR_DATE: "2026-11-20T09:00:00Z",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@example.com",
  GIT_COMMITTER_DATE: "2026-11-20T09:00:00Z",
};

const TERMINAL_CONTROL = /[\p{Cc}\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;

let template: { root: string; cleanup: () => void };
/** `hallpass --help`: printed after most dispatch errors, and checked by the CLI's own tests. */
let overview: string;
const attempts: string[] = [];

beforeAll(async () => {
  nock.disableNetConnect();
  nock.emitter.on("no match", (request: { url?: string }) => {
    attempts.push(request.url ?? "?");
  });
  template = makeRepo({ "access-requests/alice/db.yaml": validRequest });
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: template.root,
      // Fixed names and dates: the commit's SHA and time are in the expected messages.
      env: { ...process.env, ...COMMITTER },
      stdio: "ignore",
    });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "access repository");
  overview = (await run(["--help"], { cwd: template.root })).stdout;
});

afterAll(() => {
  template.cleanup();
  nock.emitter.removeAllListeners("no match");
});

describeHostileCorpus("cli", async (input) => {
  const { argv } = JSON.parse(Buffer.from(input).toString("utf8")) as { argv: string[] };
  const root = mkdtempSync(join(tmpdir(), "hallpass-hostile-cli-"));
  try {
    cpSync(template.root, root, { recursive: true });
    const before = attempts.length;
    const result = await run(argv, { cwd: root });
    // An argument echoed raw could drive the terminal (clear it, forge a link or a line, read
    // backwards): every control but the line breaks hallpass writes itself must be escaped.
    expect(`${result.stdout}${result.stderr}`.replaceAll("\n", "")).not.toMatch(TERMINAL_CONTROL);
    // The temporary folder's name differs on every run: show it as <repo>.
    const message = cliTranscript(result)
      .replaceAll(root, "<repo>")
      .replaceAll(overview, "<the overview of hallpass --help>\n");
    return { message, granted: attempts.length > before };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
