import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeRepo, run, validRequest } from "./cli-harness.ts";

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function repo(files: Record<string, string> = {}) {
  const made = makeRepo({ "access-requests/alice/db.yaml": validRequest, ...files });
  cleanup = made.cleanup;
  return made.root;
}

const SHA = "3e76e00000000000000000000000000000000003";

describe("hallpass plan", () => {
  it("prints exactly what the grant creates, as JSON", async () => {
    const root = repo();
    const result = await run(
      [
        "plan",
        "access-requests/alice/db.yaml",
        "--at",
        "2026-11-27T09:00:00Z",
        "--merge-commit",
        SHA,
      ],
      { cwd: root },
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(Object.keys(plan)).toEqual([
      "roleName",
      "rolePath",
      "accountId",
      "trustPolicy",
      "inlinePolicies",
      "managedPolicyArns",
      "permissionsBoundary",
      "tags",
      "maxSessionDuration",
      "expiresAt",
      "sessionName",
      "sourceIdentity",
    ]);
    expect(plan).toMatchObject({
      roleName: expect.stringMatching(/^hallpass-alice-[0-9a-f]{10}$/),
      rolePath: "/hallpass/",
      accountId: "123456789012",
      managedPolicyArns: [],
      permissionsBoundary: "arn:aws:iam::123456789012:policy/hallpass-boundary",
      maxSessionDuration: 7200,
      expiresAt: "2026-11-27T11:00:00Z",
      sourceIdentity: "alice",
    });
    expect(plan.trustPolicy.Statement[0].Principal).toEqual({
      AWS: "arn:aws:iam::444455556666:user/alice",
    });
    expect(plan.inlinePolicies["hallpass-permissions"].Statement.at(-1)).toMatchObject({
      Sid: "HallpassDenyAfterExpiry",
      Condition: { DateGreaterThanEquals: { "aws:CurrentTime": "2026-11-27T11:00:00Z" } },
    });
    expect(plan.tags["hallpass:merge-commit"]).toBe(SHA);
  });

  it("says the names depend on the merge commit when none is given", async () => {
    const root = repo();
    const result = await run(["plan", "access-requests/alice/db.yaml"], { cwd: root });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("pass --merge-commit to see the real ones");
  });

  it("refuses a window that has already ended", async () => {
    const root = repo({
      "access-requests/alice/db.yaml": `${validRequest}start: "2026-11-26T08:00:00Z"\n`,
    });
    const result = await run(
      ["plan", "access-requests/alice/db.yaml", "--at", "2026-11-26T12:00:00Z"],
      { cwd: root },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /^access-requests\/alice\/db\.yaml:1:1: error: the access window .* has already ended/,
    );
  });

  it("points at the problems of an invalid request", async () => {
    const root = repo({
      "access-requests/alice/db.yaml": validRequest.replace("role: db-admin", "role: db-adm"),
    });
    const result = await run(["plan", "access-requests/alice/db.yaml"], { cwd: root });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/access-requests\/alice\/db\.yaml:\d+:\d+: error: role "db-adm"/);
  });

  it.each([
    [["plan"], /exactly one request file/],
    [
      ["plan", "access-requests/alice/db.yaml", "--at", "tomorrow"],
      /--at must be an ISO-8601 time/,
    ],
    [
      ["plan", "access-requests/alice/db.yaml", "--at", "2026-02-30T10:00:00Z"],
      /--at must be a real date and time: "2026-02-30T10:00:00Z" is not one/,
    ],
    [
      ["plan", "access-requests/alice/db.yaml", "--at", "2026-11-27T24:00:00Z"],
      /--at must be a real date and time/,
    ],
    [["plan", "policies/roles.yaml"], /not a request file/],
    [["plan", "access-requests/nobody.yaml"], /no such file/],
    [["plan", "access-requests/alice/db.yaml", "--merge-commit", "main"], /must be a commit SHA/],
  ])("is a usage error: %j", async (argv, message) => {
    const root = repo();
    mkdirSync(join(root, "access-requests"), { recursive: true });
    writeFileSync(join(root, ".keep"), "");
    const result = await run(argv, { cwd: root });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
