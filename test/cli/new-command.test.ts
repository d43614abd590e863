import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { makeRepo, run } from "./cli-harness.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});
function repo(files: Record<string, string> = {}) {
  const made = makeRepo(files);
  cleanups.push(made.cleanup);
  return made.root;
}

const flags = [
  "--role",
  "db-admin",
  "--account",
  "production",
  "--duration",
  "90m",
  "--ticket",
  "CHG-4821",
  "--reason",
  "Fail over the orders database before the storage maintenance.",
];

describe("hallpass new", () => {
  it("writes a valid request, then prints the commands that open the pull request", async () => {
    const root = repo();
    const result = await run(["new", ...flags, "--requester", "alice"], { cwd: root });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const path = "access-requests/alice/2026-11-26-db-admin-production.yaml";
    expect(readFileSync(join(root, path), "utf8")).toBe(
      `# yaml-language-server: $schema=../schema.json
requester: alice
role: db-admin
account: production
duration: 90m
reason: Fail over the orders database before the storage maintenance.
ticket: CHG-4821
`,
    );
    expect(result.stdout).toBe(`Wrote ${path}

Open the pull request:
  git switch -c hallpass/alice/2026-11-26-db-admin-production
  git add ${path}
  git commit -m 'Access: db-admin in production for 90m'
  git push -u origin HEAD
  gh pr create --fill
`);
    expect(await run(["validate"], { cwd: root })).toMatchObject({ code: 0 });
  });

  it("takes the requester from $HALLPASS_REQUESTER, then from git config github.user", async () => {
    const root = repo();
    const fromEnv = await run(["new", ...flags], {
      cwd: root,
      env: { HALLPASS_REQUESTER: "bob" },
      gitUser: "alice",
    });
    expect(fromEnv.code).toBe(0);
    expect(existsSync(join(root, "access-requests/bob/2026-11-26-db-admin-production.yaml"))).toBe(
      true,
    );
    const fromGit = await run(["new", ...flags], { cwd: root, gitUser: "alice" });
    expect(fromGit.code).toBe(0);
    expect(fromGit.stdout).toContain("access-requests/alice/2026-11-26-db-admin-production.yaml");
  });

  it("says where a requester it was not given came from when it has no identity", async () => {
    // Nobody typed --requester: the login came from the environment or git's configuration,
    // and that is what to change when it is not the one in policies/.
    const root = repo();
    const fromGit = await run(["new", ...flags], { cwd: root, gitUser: "jdoe" });
    expect(fromGit.code).toBe(1);
    expect(fromGit.stderr).toMatch(
      /^ {2}error: --requester \(from git config github\.user\): "jdoe" has no identity in policies\//m,
    );
    const fromEnv = await run(["new", ...flags], {
      cwd: root,
      env: { HALLPASS_REQUESTER: "jdoe" },
    });
    expect(fromEnv.stderr).toMatch(
      /^ {2}error: --requester \(from \$HALLPASS_REQUESTER\): "jdoe" has no identity in policies\//m,
    );
    const given = await run(["new", ...flags, "--requester", "jdoe"], { cwd: root });
    expect(given.stderr).toMatch(/^ {2}error: --requester: "jdoe" has no identity in policies\//m);
  });

  it("never overwrites: a second request the same day gets its own file", async () => {
    const root = repo();
    await run(["new", ...flags, "--requester", "alice"], { cwd: root });
    const second = await run(["new", ...flags, "--requester", "alice"], { cwd: root });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("access-requests/alice/2026-11-26-db-admin-production-2.yaml");
  });

  it("never picks a name whose .yml twin exists, since both would share the same records", async () => {
    const root = repo();
    const twin = join(root, "access-requests/alice/2026-11-26-db-admin-production.yml");
    mkdirSync(dirname(twin), { recursive: true });
    writeFileSync(twin, "keep me\n");
    const result = await run(["new", ...flags, "--requester", "alice"], { cwd: root });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("access-requests/alice/2026-11-26-db-admin-production-2.yaml");
    expect(
      existsSync(join(root, "access-requests/alice/2026-11-26-db-admin-production.yaml")),
    ).toBe(false);
    expect(readFileSync(twin, "utf8")).toBe("keep me\n");
  });

  it("refuses an --output whose .yaml/.yml twin exists", async () => {
    const root = repo();
    writeFileSync(join(root, "access-requests/mine.yaml"), "keep me\n");
    const result = await run(
      ["new", ...flags, "--requester", "alice", "--output", "access-requests/mine.yml"],
      { cwd: root },
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      "access-requests/mine.yaml already exists and shares its records",
    );
    expect(existsSync(join(root, "access-requests/mine.yml"))).toBe(false);
  });

  it("refuses an --output that exists, leaving it untouched", async () => {
    const root = repo();
    const existing = join(root, "access-requests/mine.yaml");
    writeFileSync(existing, "keep me\n");
    const result = await run(
      ["new", ...flags, "--requester", "alice", "--output", "access-requests/mine.yaml"],
      { cwd: root },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/already exists; hallpass never overwrites a request/);
    expect(readFileSync(existing, "utf8")).toBe("keep me\n");
  });

  it("writes to --output relative to the working directory, with the schema line adjusted", async () => {
    const root = repo();
    const result = await run(
      ["new", ...flags, "--requester", "alice", "--output", "team/db/failover.yaml"],
      { cwd: join(root, "access-requests") },
    );
    expect(result.code).toBe(0);
    const text = readFileSync(join(root, "access-requests/team/db/failover.yaml"), "utf8");
    expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=../../schema.json");
    expect(result.stdout).toContain("git add team/db/failover.yaml");
  });

  it("checks the request against the policies and writes nothing when it is invalid", async () => {
    const root = repo();
    const result = await run(
      [
        "new",
        ...flags.map((f) => (f === "90m" ? "9h" : f === "CHG-4821" ? "JIRA-1" : f)),
        "--requester",
        "mallory",
      ],
      { cwd: root },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      [
        "The request would not be valid; nothing was written:",
        '  error: --requester: "mallory" has no identity in policies/ (identities:): ask the security team to map this GitHub login to the AWS principal they sign in as.',
        '  error: --duration: 9h is longer than the 4h role "db-admin" allows; ask for at most 4h and extend later if needed.',
        '  error: --ticket: ticket "JIRA-1" does not match the pattern ^(INC|CHG)-[0-9]+$ that role "db-admin" requires.',
        "",
      ].join("\n"),
    );
    expect(existsSync(join(root, "access-requests/mallory"))).toBe(false);
  });

  it("gives the validator's advice in flags, since whoever ran new wrote no file", async () => {
    const root = repo();
    const advice = async (args: string[]) => {
      const result = await run(["new", ...args, "--requester", "alice"], { cwd: root });
      expect(result.code).toBe(1);
      return result.stderr.split("\n").slice(1, -1);
    };
    const withoutTicket = flags.slice(0, 6).concat(flags.slice(8));
    expect(await advice(withoutTicket)).toEqual([
      '  error: --ticket: role "db-admin" requires a ticket: give --ticket <id> with the incident or change id matching ^(INC|CHG)-[0-9]+$.',
    ]);
    const readonly = flags.map((f) => (f === "db-admin" ? "prod-readonly" : f));
    expect(await advice([...readonly, "--emergency"])).toEqual([
      '  error: --emergency: role "prod-readonly" does not allow break-glass requests: drop --emergency and get the normal approvals.',
    ]);
    expect(await advice([...flags, "--start", "tomorrow"])).toEqual([
      '  error: --start: "tomorrow" is not an ISO-8601 time with an offset: write it like 2026-11-27T09:00:00Z or 2026-11-27T10:00:00+01:00, or drop --start to begin when the pull request is merged.',
    ]);
    expect(await advice([...flags, "--start", "2026-11-26T11:00:00Z"])).toEqual([
      "  error: --start: start 2026-11-26T11:00:00Z is in the past (now is 2026-11-26T12:00:00.000Z): drop --start to begin when the pull request is merged, or pick a later time.",
    ]);
  });

  it("keeps a reason with quotes, colons and line breaks intact", async () => {
    const root = repo();
    const reason = 'Orders DB: "failover" needed\n# not a comment: it is part of the reason';
    const result = await run(
      [
        "new",
        ...flags.slice(0, -1).map((f) => (f === "90m" ? "1h" : f)),
        reason,
        "--requester",
        "alice",
        "--emergency",
      ],
      { cwd: root },
    );
    expect(result.code).toBe(0);
    const written = parse(
      readFileSync(join(root, "access-requests/alice/2026-11-26-db-admin-production.yaml"), "utf8"),
    );
    expect(written).toMatchObject({ reason, emergency: true, duration: "1h" });
    expect(result.stdout).toContain(
      "git commit -m 'Access: db-admin in production for 1h (emergency)'",
    );
  });

  it("refuses to write when the policies themselves are broken", async () => {
    const root = repo({ "policies/zz.yaml": "roles: [1]\n" });
    const result = await run(["new", ...flags, "--requester", "alice"], { cwd: root });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("policies/zz.yaml:1:8: error:");
    expect(result.stderr).toContain("nothing was written");
  });

  it.each([
    { args: ["--role", "db-admin"], message: /missing --account, --duration, --reason/ },
    { args: [...flags, "extra"], message: /unexpected argument "extra"/ },
    { args: flags, message: /could not tell your GitHub login: pass --requester/ },
    {
      args: [...flags, "--requester", "alice", "--output", "../elsewhere.yaml"],
      message: /--output must be a .yaml or .yml file under access-requests\//,
    },
    {
      args: [...flags, "--requester", "alice", "--output", "access-requests/a.txt"],
      message: /--output must be a .yaml or .yml file/,
    },
    { args: [...flags, "--emergency=yes"], message: /--emergency/ },
  ])("exits 2 on a usage error: $message", async ({ args, message }) => {
    const result = await run(["new", ...args], { cwd: repo() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain("Run `hallpass new --help` for usage.");
  });
});
