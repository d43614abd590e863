import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccessHistory } from "../../src/core/history/build-access-history.ts";
import {
  ALICE,
  BOB,
  buildStory,
  CAROL,
  GitRepo,
  UNRECORDED,
} from "../adapters/git-history-repo.ts";
import { run } from "./cli-harness.ts";

let repo: GitRepo;
let story: ReturnType<typeof buildStory>;
const LATER = new Date("2026-11-28T09:00:00Z");

beforeAll(() => {
  repo = new GitRepo();
  story = buildStory(repo);
});
afterAll(() => repo.cleanup());

async function history(args: string[], now = LATER, cwd = repo.root) {
  return run(["history", ...args], { cwd, now });
}

async function json(args: string[], now = LATER): Promise<{ code: number; h: AccessHistory }> {
  const { code, stdout, stderr } = await history([...args, "--format", "json"], now);
  expect(stderr).toBe("");
  return { code, h: JSON.parse(stdout) as AccessHistory };
}

describe("hallpass history", () => {
  it("finds what was done to the history, and exits 1", async () => {
    const { code, h } = await json([]);
    expect(code).toBe(1);
    expect(h.revision).toBe(story.last);
    expect(h.entries.map((e) => [e.requestPath, e.state])).toEqual([
      [ALICE, "ended"],
      [BOB, "unknown"],
      [CAROL, "deleted"],
      ["access-requests/unrecorded/123456789012/hp-by-hand.yaml", "unrecorded-role"],
    ]);
    expect(h.findings.map((f) => [f.kind, f.file])).toEqual([
      ["unreadable", "access-requests/infra/bob-net.grant.json"],
      ["request-modified", BOB],
      ["request-deleted", CAROL],
      ["unrecorded-role", UNRECORDED],
    ]);
    const modified = h.findings.find((f) => f.kind === "request-modified")!;
    expect(modified.message).toContain(`changed in ${story.bobChanged.slice(0, 12)} by mallory`);
  });

  it("tells alice's story: added by the merge, approvals, grant, revocation and activity", async () => {
    const { h } = await json([]);
    const alice = h.entries[0]!;
    expect(alice.added).toEqual({
      commit: story.aliceMerge,
      author: "bob <bob@example.com>",
      date: "2026-11-26T09:00:00+00:00",
    });
    expect(alice.grant?.approvals.map((a) => a.reviewer)).toEqual(["carol"]);
    expect(alice.revocation?.reason).toBe("expired");
    expect(alice.alerts).toHaveLength(1);
    expect(alice.audit?.events).toBeGreaterThan(0);
  });

  it("still says what a deleted request asked for, from its last version", async () => {
    const { h } = await json(["--requester", "carol"]);
    expect(h.entries.map((e) => [e.state, e.request?.role, e.request?.account])).toEqual([
      ["deleted", "db-admin", "production"],
    ]);
    expect(h.findings.map((f) => f.kind)).toEqual(["request-deleted"]);
  });

  const clean: { name: string; args: string[] }[] = [
    { name: "a folder", args: ["access-requests/payments"] },
    { name: "a request file", args: [ALICE] },
    { name: "a requester", args: ["--requester", "Alice"] },
    {
      name: "a window of time",
      args: ["--since", "2026-11-26", "--until", "2026-11-26T10:00:00Z"],
    },
    {
      name: "a role and an account before a date",
      args: ["--role", "db-admin", "--account", "production", "--until", "2026-11-26T14:00:00Z"],
    },
  ];
  it.each(clean)("exits 0 when $name holds no findings", async ({ args }) => {
    const { code, h } = await json(args);
    expect(h.entries.map((e) => e.requestPath)).toEqual([ALICE]);
    expect(h.findings).toEqual([]);
    expect(code).toBe(0);
  });

  it("selects every request for an account by its 12-digit id, granted or not", async () => {
    const { h } = await json(["--account", "123456789012"]);
    expect(h.entries.map((e) => [e.requestPath, e.state])).toEqual([
      [ALICE, "ended"],
      [BOB, "unknown"],
      [CAROL, "deleted"],
      ["access-requests/unrecorded/123456789012/hp-by-hand.yaml", "unrecorded-role"],
    ]);
    const byName = await json(["--account", "production"]);
    expect(byName.h.entries.map((e) => e.requestPath)).toEqual(h.entries.map((e) => e.requestPath));
  });

  it.each([
    [
      "--account",
      "prodution",
      '--account "prodution" names no account in policies/ or in the history. Did you mean "production"?',
    ],
    [
      "--account",
      "999999999999",
      '--account "999999999999" names no account in policies/ or in the history.',
    ],
    [
      "--role",
      "db-admn",
      '--role "db-admn" names no role in policies/ or in the history. Did you mean "db-admin"?',
    ],
    [
      "--requester",
      "alcie",
      '--requester "alcie" names no requester in policies/ or in the history. Did you mean "alice"?',
    ],
  ])("exits 2 when %s %s names nothing, with a suggestion", async (option, value, message) => {
    const { code, stdout, stderr } = await history([option, value]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      `hallpass history: ${message}\nRun \`hallpass history --help\` for usage.\n`,
    );
  });

  it("exits 0 for a name that exists but has no requests in the window", async () => {
    const { code, h } = await json(["--requester", "alice", "--since", "2026-11-27"]);
    expect(h.entries).toEqual([]);
    expect(code).toBe(0);
  });

  it("reads another revision with --rev: before the tampering, bob's request was unchanged", async () => {
    const { h } = await json(["--rev", "before-tamper"], new Date("2026-11-26T16:00:00Z"));
    expect(h.revision).toBe(story.carolAdded);
    expect(h.findings.map((f) => [f.kind, f.requestPath])).toEqual([
      ["not-granted", BOB],
      ["not-granted", CAROL],
    ]);
  });

  it("takes the audit delay from policies/ at the revision (2h here)", async () => {
    const before = await json(["--rev", story.aliceRevoked], new Date("2026-11-26T12:59:00Z"));
    expect(before.h.findings).toEqual([]);
    const after = await json(["--rev", story.aliceRevoked], new Date("2026-11-26T13:01:00Z"));
    expect(after.h.findings.map((f) => f.kind)).toEqual(["audit-missing"]);
    expect(after.code).toBe(1);
  });

  it("resolves paths from the folder it runs in", async () => {
    const { code, stdout } = await history(["payments"], LATER, join(repo.root, "access-requests"));
    expect(stdout).toContain(`${ALICE}  [ended]`);
    expect(stdout).not.toContain(BOB);
    expect(code).toBe(0);
  });

  it("prints a readable text story by default", async () => {
    const { code, stdout } = await history([]);
    expect(code).toBe(1);
    expect(stdout).toContain(`${ALICE}  [ended]`);
    expect(stdout).toContain("  approved  carol (review 9001");
    expect(stdout).toContain(`  ! request-deleted: ${CAROL}: deleted in`);
    expect(stdout).toMatch(/4 requests at [0-9a-f]{12}; 4 findings \(/);
  });

  it("prints markdown for an audit report", async () => {
    const { code, stdout } = await history(["--format", "markdown"]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^# Access history\n/);
    expect(stdout).toContain(`| request-modified | \`${BOB}\` |`);
  });

  it("takes md for markdown, as report names it", async () => {
    // `hallpass report --format md` is what a compliance officer has just typed.
    const md = await history(["--format", "md"]);
    expect(md.stderr).toBe("");
    expect(md.stdout).toBe((await history(["--format", "markdown"])).stdout);
  });

  const usage: { name: string; args: string[]; message: RegExp; cwd?: string }[] = [
    {
      name: "an unknown format",
      args: ["--format", "xml"],
      message: /--format must be text, markdown or json/,
    },
    {
      name: "a date that is not one",
      args: ["--since", "last week"],
      message: /--since must be a date/,
    },
    {
      name: "a time without its offset",
      args: ["--until", "2026-11-26T10:00"],
      message: /--until must be a date .* with its offset/,
    },
    ...["2026-02-30", "2026-13-01", "2026-11-26T25:00Z", "2026-11-26T10:60:00Z"].map((date) => ({
      name: `an impossible date (${date})`,
      args: ["--since", date],
      message: new RegExp(`--since must be a real date and time: "${date}" is not one`),
    })),
    {
      name: "an impossible --until",
      args: ["--until", "2025-02-29"],
      message: /--until must be a real date and time: "2025-02-29" is not one/,
    },
    {
      name: "since after until",
      args: ["--since", "2026-12-01", "--until", "2026-11-01"],
      message: /must be before --until/,
    },
    {
      name: "a path outside access-requests",
      args: ["policies"],
      message: /not under access-requests/,
    },
    {
      name: "a path that holds nothing",
      args: ["access-requests/nobody"],
      message: /holds no access request/,
    },
    { name: "an unknown revision", args: ["--rev", "v9"], message: /"v9" is not a commit/ },
    { name: "an unknown option", args: ["--everything"], message: /--everything/ },
    {
      name: "a folder outside any repository",
      args: [],
      message: /not inside a git repository/,
      cwd: "/",
    },
  ];
  it.each(usage)("exits 2 on $name", async ({ args, message, cwd }) => {
    const { code, stdout, stderr } = await history(args, LATER, cwd ?? repo.root);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(message);
  });

  it("says a repository without a commit yet has none, and to commit it first", async () => {
    // `git init` and no commit, as after "Make it your own" when the commit step is skipped:
    // HEAD names no commit, and git's own word for it would send the reader after a revision.
    const fresh = mkdtempSync(join(tmpdir(), "hallpass-no-commit-"));
    try {
      execFileSync("git", ["init", "-q", "-b", "main"], { cwd: fresh });
      const { code, stdout, stderr } = await history([], LATER, fresh);
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toMatch(
        /^hallpass history: .*hallpass-no-commit-\w+ has no commit yet: commit the access repository \(README, "Make it your own"\), then run this again\.$/m,
      );
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it("has help with examples", async () => {
    const { code, stdout } = await history(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: hallpass history");
    expect(stdout).toContain("Examples:");
    expect(stdout).toContain("Exit codes: 0 no findings, 1 findings");
  });
});
