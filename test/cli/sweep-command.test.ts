import { describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/command.ts";
import { runCli } from "../../src/cli/run-cli.ts";
import { createSweepCommand } from "../../src/cli/sweep-command.ts";
import type { GrantRecord } from "../../src/core/records.ts";
import { examplePolicyFiles } from "../support/example-policies.ts";
import { boundRevokeGrant, FakeAws, FakeCloudTrail, FakeGitHub } from "../support/sweep-fakes.ts";

const expired: GrantRecord = {
  version: 1,
  requestPath: "access-requests/payments/old.yaml",
  pullRequest: {
    number: 3,
    url: "https://github.com/acme/access/pull/3",
    mergeCommit: "a".repeat(40),
    mergedAt: "2026-11-26T08:00:00Z",
    mergedBy: "bob",
  },
  requester: "alice",
  role: "db-admin",
  account: { name: "production", id: "123456789012" },
  emergency: false,
  approvals: [],
  roleArn: "arn:aws:iam::123456789012:role/hallpass/hp-old",
  roleName: "hp-old",
  sessionName: "alice",
  sourceIdentity: "alice",
  window: { start: "2026-11-26T08:00:00Z", end: "2026-11-26T11:00:00Z" },
  grantedAt: "2026-11-26T08:00:00Z",
};

function setup() {
  const github = new FakeGitHub();
  for (const [path, content] of Object.entries(examplePolicyFiles)) github.files.set(path, content);
  github.files.set(expired.requestPath, "account: production\n");
  github.files.set("access-requests/payments/old.grant.json", JSON.stringify(expired));
  const aws = new FakeAws();
  aws.addGrantRole(expired);
  const seen: { repository?: string; apiUrl?: string | undefined; appId?: number } = {};
  const command = createSweepCommand((environment) => {
    seen.repository = environment.repository;
    seen.apiUrl = environment.apiUrl;
    seen.appId = environment.appId;
    return {
      github,
      aws,
      cloudtrail: new FakeCloudTrail(),
      revokeGrant: boundRevokeGrant(aws, github),
    };
  });
  const out: string[] = [];
  const err: string[] = [];
  const io = (env: Record<string, string>): CliIo => ({
    cwd: "/tmp",
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    now: () => new Date("2026-11-26T12:00:00Z"),
    env,
    gitConfig: async (key) =>
      key === "remote.origin.url" ? "git@github.com:acme/access.git" : undefined,
  });
  return { github, aws, command, out, err, io, seen };
}

describe("hallpass sweep", () => {
  it("prints what it would do with --dry-run and changes nothing", async () => {
    const t = setup();
    const code = await runCli(
      ["sweep", "--dry-run"],
      t.io({ GITHUB_TOKEN: "t", HALLPASS_APP_ID: "4242" }),
      [t.command],
    );
    expect(code).toBe(0);
    expect(t.out.join("")).toContain("(dry run: nothing was changed)");
    expect(t.out.join("")).toContain("| access-requests/payments/old.yaml | expired |");
    expect(t.aws.store("123456789012").roles.size).toBe(1);
    expect(t.github.commits).toEqual([]);
    expect(t.seen.repository).toBe("acme/access");
  });

  it("sweeps for real without --dry-run", async () => {
    const t = setup();
    const env = { GITHUB_TOKEN: "t", GITHUB_API_URL: "https://ghe.example.com/api/v3" };
    const code = await runCli(
      ["sweep", "--repository", "acme/access", "--app-id", "4242"],
      t.io(env),
      [t.command],
    );
    expect(code).toBe(0);
    expect(t.aws.store("123456789012").roles.size).toBe(0);
    expect(t.github.files.has("access-requests/payments/old.revocation.json")).toBe(true);
    expect(t.seen.apiUrl).toBe("https://ghe.example.com/api/v3");
    expect(t.seen.appId).toBe(4242);
  });

  it.each([
    ["without one", [], "it is empty"],
    ["when it is not a number", ["--app-id", "hallpass[bot]"], 'not "hallpass[bot]"'],
  ])("is a usage error %s, changing nothing", async (_case, args, detail) => {
    const t = setup();
    const code = await runCli(["sweep", ...args], t.io({ GITHUB_TOKEN: "t" }), [t.command]);
    expect(code).toBe(2);
    expect(t.err.join("")).toContain(
      "--app-id (or HALLPASS_APP_ID) must be the hallpass GitHub App's numeric id",
    );
    expect(t.err.join("")).toContain(detail);
    expect(t.seen.repository).toBeUndefined();
  });

  it("is a usage error without a token", async () => {
    const t = setup();
    expect(await runCli(["sweep"], t.io({}), [t.command])).toBe(2);
    expect(t.err.join("")).toContain("no GitHub token");
  });

  it("exits 1 naming the shard account policies/ does not define", async () => {
    const t = setup();
    const code = await runCli(
      ["sweep", "--accounts", "nope"],
      t.io({ GITHUB_TOKEN: "t", HALLPASS_APP_ID: "4242" }),
      [t.command],
    );
    expect(code).toBe(1);
    expect(t.err.join("")).toContain("accounts input names nope");
  });
});
