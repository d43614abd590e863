import { createServer } from "node:net";
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { checkGitHubAccess, type GitHubAccess } from "../../src/adapters/check-github-access.ts";
import type { CliIo } from "../../src/cli/command.ts";
import { runCli } from "../../src/cli/run-cli.ts";
import { createSweepCommand } from "../../src/cli/sweep-command.ts";
import type { GrantRecord } from "../../src/core/grant/records.ts";
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
  const seen: {
    repository?: string;
    apiUrl?: string | undefined;
    appId?: number;
    checked?: GitHubAccess;
  } = {};
  const command = createSweepCommand(
    (environment) => {
      seen.repository = environment.repository;
      seen.apiUrl = environment.apiUrl;
      seen.appId = environment.appId;
      return {
        github,
        aws,
        cloudtrail: new FakeCloudTrail(),
        revokeGrant: boundRevokeGrant(aws, github),
      };
    },
    async (access) => {
      seen.checked = access;
    },
  );
  const out: string[] = [];
  const err: string[] = [];
  const io = (env: Record<string, string>, origin = "git@github.com:acme/access.git"): CliIo => ({
    cwd: "/tmp",
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    now: () => new Date("2026-11-26T12:00:00Z"),
    env,
    gitConfig: async (key) => (key === "remote.origin.url" ? origin : undefined),
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

  it.each([
    ["https://github.com/acme/access.git", "acme/access"],
    ["https://github.com/acme/access", "acme/access"],
    ["git@github.com:acme/access.git", "acme/access"],
    ["ssh://git@ghe.example.com/acme/access.git", "acme/access"],
  ])("infers the repository from the remote %s", async (origin, repository) => {
    const t = setup();
    const code = await runCli(
      ["sweep", "--dry-run"],
      t.io({ GITHUB_TOKEN: "t", HALLPASS_APP_ID: "4242" }, origin),
      [t.command],
    );
    expect(code).toBe(0);
    expect(t.seen.checked?.repository).toBe(repository);
  });

  it.each([
    ["/home/me/src/access.git", "a local path"],
    ["../access", "a local path"],
    ["file:///srv/git/acme/access.git", "a local path"],
  ])("refuses to infer a repository from the local-path remote %s", async (origin, kind) => {
    const t = setup();
    const code = await runCli(
      ["sweep", "--dry-run"],
      t.io({ GITHUB_TOKEN: "t", HALLPASS_APP_ID: "4242" }, origin),
      [t.command],
    );
    expect(code).toBe(2);
    expect(t.err.join("")).toContain(
      `hallpass sweep: the remote "origin" of this checkout is ${origin}, ${kind}, so the repository cannot be inferred: pass --repository owner/repo (or set GITHUB_REPOSITORY).`,
    );
    expect(t.seen.checked).toBeUndefined();
  });

  it.each([
    [["--audit-delay", "1M"], {}, '--audit-delay: "1M" is ambiguous'],
    [["--audit-delay", "soon"], {}, '--audit-delay: "soon" is not a duration'],
    [["--accounts", "production,Staging"], {}, '--accounts: "Staging" is not an account name'],
    [["--repository", "acme"], {}, '--repository must be owner/repo, not "acme"'],
    [[], { GITHUB_REPOSITORY: "/srv/access" }, "GITHUB_REPOSITORY must be owner/repo"],
    [[], { GITHUB_API_URL: "ghe.example.com" }, "GITHUB_API_URL must be an http(s) URL"],
  ])("checks %j %j before any network call", async (args, env, message) => {
    const t = setup();
    const code = await runCli(
      ["sweep", "--app-id", "4242", ...args],
      t.io({ GITHUB_TOKEN: "t", ...env }),
      [t.command],
    );
    expect(code).toBe(2);
    expect(t.err.join("")).toContain(message);
    expect(t.seen.checked).toBeUndefined();
    expect(t.seen.repository).toBeUndefined();
  });

  it("names the request and the repository when GitHub fails during the sweep", async () => {
    const t = setup();
    t.github.listFiles = async () => {
      throw Object.assign(new Error("Resource not accessible by integration"), {
        status: 403,
        request: {
          method: "GET",
          url: "https://api.github.com/repos/acme/access/contents/policies?ref=main",
        },
      });
    };
    const code = await runCli(
      ["sweep", "--dry-run"],
      t.io({ GITHUB_TOKEN: "t", HALLPASS_APP_ID: "4242" }),
      [t.command],
    );
    expect(code).toBe(1);
    expect(t.err.join("")).toBe(
      "hallpass sweep: GitHub answered 403 to GET /repos/acme/access/contents/policies (repository acme/access): Resource not accessible by integration\n",
    );
  });
});

describe("hallpass sweep: reaching GitHub", () => {
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  function command() {
    let built = false;
    const sweepCommand = createSweepCommand(() => {
      built = true;
      throw new Error("the sweep must not start");
    });
    return { sweepCommand, built: () => built };
  }

  async function runAgainst(apiUrl: string) {
    const { sweepCommand, built } = command();
    const err: string[] = [];
    const started = Date.now();
    const code = await runCli(
      ["sweep", "--repository", "acme/access", "--app-id", "4242"],
      {
        cwd: "/tmp",
        stdout: () => {},
        stderr: (t) => err.push(t),
        now: () => new Date(),
        env: { GITHUB_TOKEN: "t", GITHUB_API_URL: apiUrl },
        gitConfig: async () => undefined,
      },
      [sweepCommand],
    );
    return { code, stderr: err.join(""), ms: Date.now() - started, built: built() };
  }

  it("fails fast, naming the API and the repository, when nothing listens there", async () => {
    // A port that was free a moment ago: the connection is refused at once.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    nock.disableNetConnect();
    nock.enableNetConnect(`127.0.0.1:${port}`);
    const result = await runAgainst(`http://127.0.0.1:${port}/api/v3`);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `hallpass sweep: cannot reach the GitHub API at http://127.0.0.1:${port}/api/v3 (ECONNREFUSED) to read repository acme/access: check GITHUB_API_URL and the network.\n`,
    );
    expect(result.ms).toBeLessThan(3_000);
    expect(result.built).toBe(false);
  });

  it.each([
    [401, "refused the token (401 Unauthorized) for repository acme/access: check GITHUB_TOKEN"],
    [404, "does not show repository acme/access to this token (404 Not Found): check --repository"],
  ])("says what GitHub's %i means, once, before the sweep starts", async (status, message) => {
    nock.disableNetConnect();
    const scope = nock("https://ghe.example.com")
      .get("/api/v3/repos/acme/access")
      .matchHeader("authorization", "Bearer t")
      .reply(status, { message: "nope" });
    const result = await runAgainst("https://ghe.example.com/api/v3");
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `hallpass sweep: GitHub at https://ghe.example.com/api/v3 ${message}${status === 401 ? " (for example GITHUB_TOKEN=$(gh auth token))." : " (or GITHUB_REPOSITORY) and that the token may read it."}\n`,
    );
    expect(result.built).toBe(false);
    expect(scope.isDone()).toBe(true);
  });

  it("lets the sweep start when the repository answers", async () => {
    nock.disableNetConnect();
    const scope = nock("https://api.github.com").get("/repos/acme/access").reply(200, {});
    await expect(
      checkGitHubAccess({ apiUrl: undefined, repository: "acme/access", token: "t" }),
    ).resolves.toBeUndefined();
    expect(scope.isDone()).toBe(true);
  });
});
