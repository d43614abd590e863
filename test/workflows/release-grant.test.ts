import { describe, expect, it } from "vitest";
import { expectedGrantRole } from "../../src/core/grant/check-revocation-target.ts";
import { REVOKE_POLICY_NAME } from "../../src/core/grant/plan-revocation.ts";
import {
  type GrantRecord,
  grantRecordSchema,
  revocationRecordSchema,
} from "../../src/core/grant/records.ts";
import { GRANT_COMMENT_MARKER } from "../../src/core/grant/render-usage-comment.ts";
import { grantAccess } from "../../src/workflows/grant-access.ts";
import {
  isRevokeCommand,
  REVOKE_REPLY_MARKER,
  releaseGrant,
} from "../../src/workflows/release-grant.ts";
import { revokeGrant } from "../../src/workflows/revoke-grant.ts";
import { FakeGitHub } from "../support/fake-github.ts";
import { FakeAwsAccounts } from "../support/fake-grant-store.ts";
import { addMergedRequest, requestYaml } from "../support/merged-request.ts";

const GRANTED_AT = new Date("2026-11-26T10:00:10Z");
const LATER = new Date("2026-11-26T10:30:00Z");
/** After the window (10:00 to 12:00) ended. */
const AFTER_END = new Date("2026-11-26T12:10:00Z");
const BROKER = "arn:aws:iam::123456789012:role/hallpass-broker";

async function granted() {
  const github = new FakeGitHub();
  const aws = new FakeAwsAccounts();
  const pr = addMergedRequest(github);
  await grantAccess({ github, aws }, pr, { now: GRANTED_AT });
  const record = grantRecordSchema.parse(
    JSON.parse(github.trees.get("main")!.get("access-requests/alice-db.grant.json")!),
  );
  return { github, aws, pr, record, deps: { github, aws } };
}

describe("isRevokeCommand", () => {
  it.each([
    ["/hallpass revoke", true],
    ["  /hallpass   revoke  ", true],
    ["Done, thanks!\n/hallpass revoke", true],
    ["/HALLPASS REVOKE", true],
    ["please do not /hallpass revoke yet", false],
    ["/hallpass revoke-all", false],
    ["/hallpass", false],
  ])("%j is %s", (body, expected) => {
    expect(isRevokeCommand(body)).toBe(expected);
  });
});

describe("/hallpass revoke", () => {
  it.each([
    ["the requester", "alice"],
    ["the approver", "sam"],
    ["another code owner of the request who did not approve", "dan"],
  ])("by %s ends the access now and records it", async (_, commenter) => {
    const { github, aws, pr, record, deps } = await granted();
    const outcome = await releaseGrant(deps, pr, commenter, { now: LATER });
    expect(outcome).toEqual({ status: "revoked", roleArn: record.roleArn });
    expect(aws.role(record.roleName)).toBeUndefined();
    const revocation = revocationRecordSchema.parse(
      JSON.parse(github.trees.get("main")!.get("access-requests/alice-db.revocation.json")!),
    );
    expect(revocation).toMatchObject({
      roleArn: record.roleArn,
      reason: "early-release",
      revokedBy: commenter,
      revokedAt: "2026-11-26T10:30:00Z",
    });
    expect(github.comment(pr, GRANT_COMMENT_MARKER)).toContain("### Access revoked");
  });

  it("by anyone else is refused, and the access stays", async () => {
    const { github, aws, pr, record, deps } = await granted();
    const outcome = await releaseGrant(deps, pr, "mallory", { now: LATER });
    expect(outcome.status).toBe("not-allowed");
    expect(aws.role(record.roleName)).toBeDefined();
    expect(github.comment(pr, REVOKE_REPLY_MARKER)).toContain("@mallory: you may not revoke");
    expect(github.trees.get("main")!.has("access-requests/alice-db.revocation.json")).toBe(false);
  });

  it("twice says it was already revoked", async () => {
    const { github, pr, deps } = await granted();
    await releaseGrant(deps, pr, "alice", { now: LATER });
    const again = await releaseGrant(deps, pr, "alice", { now: LATER });
    expect(again.status).toBe("already-revoked");
    expect(github.comment(pr, REVOKE_REPLY_MARKER)).toContain(
      "already revoked at 2026-11-26T10:30:00Z",
    );
  });

  it("again after the revocation answers in the same reply, commits no second record and leaves AWS alone", async () => {
    const { github, aws, pr, deps } = await granted();
    await releaseGrant(deps, pr, "alice", { now: LATER });
    const record = github.trees.get("main")!.get("access-requests/alice-db.revocation.json");
    const commits = github.commits.length;
    const awsCalls = aws.calls.length;
    for (const commenter of ["alice", "sam"]) {
      expect(await releaseGrant(deps, pr, commenter, { now: AFTER_END })).toEqual({
        status: "already-revoked",
        message: "this access was already revoked at 2026-11-26T10:30:00Z (early-release).",
      });
    }
    expect(github.commits.length).toBe(commits);
    expect(github.trees.get("main")!.get("access-requests/alice-db.revocation.json")).toBe(record);
    // Only the look-up that finds the role gone.
    expect(aws.calls.slice(awsCalls).filter((c) => c !== "grantStore" && c !== "getRole")).toEqual(
      [],
    );
    expect(github.comment(pr, REVOKE_REPLY_MARKER)).toBe(
      `${REVOKE_REPLY_MARKER}\n@sam: this access was already revoked at 2026-11-26T10:30:00Z (early-release).\n`,
    );
  });

  it("after the sweep revoked the expired grant says it was already revoked (expired)", async () => {
    const { github, aws, pr, record, deps } = await granted();
    await revokeGrant(
      { github, aws, actor: "hallpass-action" },
      {
        account: { name: "production", id: record.account.id, brokerRole: BROKER },
        roleName: record.roleName,
        roleArn: record.roleArn,
        expected: expectedGrantRole({
          requestPath: record.requestPath,
          mergeCommit: record.pullRequest.mergeCommit,
        }),
        requestPath: record.requestPath,
        reason: "expired",
        detail: `expired at ${record.window.end}`,
        now: new Date("2026-11-26T12:04:00Z"),
      },
    );
    const commits = github.commits.length;
    expect(await releaseGrant(deps, pr, "alice", { now: AFTER_END })).toMatchObject({
      status: "already-revoked",
      message: "this access was already revoked at 2026-11-26T12:04:00Z (expired).",
    });
    expect(github.commits.length).toBe(commits);
  });

  it("after the window ended but before the sweep ran, records the expiry (not an early release) and says the access had ended", async () => {
    const { github, aws, pr, record, deps } = await granted();
    const outcome = await releaseGrant(deps, pr, "alice", { now: AFTER_END });
    const message = `this access had already ended at ${record.window.end}, when its window expired; its role is now deleted and the expiry recorded in \`access-requests/alice-db.revocation.json\`.`;
    expect(outcome).toEqual({ status: "already-ended", message });
    expect(aws.role(record.roleName)).toBeUndefined();
    const revocation = revocationRecordSchema.parse(
      JSON.parse(github.trees.get("main")!.get("access-requests/alice-db.revocation.json")!),
    );
    expect(revocation).toMatchObject({
      reason: "expired",
      revokedBy: "alice",
      revokedAt: "2026-11-26T12:10:00Z",
      detail: `expired at ${record.window.end}; @alice deleted the role with /hallpass revoke on pull request #${pr} before the sweep did`,
    });
    expect(github.comment(pr, REVOKE_REPLY_MARKER)).toBe(
      `${REVOKE_REPLY_MARKER}\n@alice: ${message}\n`,
    );
    expect(github.comment(pr, GRANT_COMMENT_MARKER)).not.toContain("### Access revoked");
    // And again: the same answer as any revoked grant, nothing written.
    const commits = github.commits.length;
    expect((await releaseGrant(deps, pr, "alice", { now: AFTER_END })).status).toBe(
      "already-revoked",
    );
    expect(github.commits.length).toBe(commits);
  });

  it("finishing a revocation someone else recorded keeps their record and says whose it is", async () => {
    const { github, aws, pr, record, deps } = await granted();
    aws.fail("deleteRole");
    await expect(
      revokeGrant(
        { github, aws, actor: "hallpass-action" },
        {
          account: { name: "production", id: record.account.id, brokerRole: BROKER },
          roleName: record.roleName,
          roleArn: record.roleArn,
          expected: expectedGrantRole({
            requestPath: record.requestPath,
            mergeCommit: record.pullRequest.mergeCommit,
          }),
          requestPath: record.requestPath,
          reason: "alert",
          detail: "iam-change",
          now: new Date("2026-11-26T10:20:00Z"),
        },
      ),
    ).rejects.toThrow("deleteRole failed");
    const commits = github.commits.length;
    expect(await releaseGrant(deps, pr, "alice", { now: LATER })).toEqual({
      status: "revoked",
      roleArn: record.roleArn,
    });
    expect(aws.role(record.roleName)).toBeUndefined();
    expect(github.commits.length).toBe(commits);
    expect(github.comment(pr, GRANT_COMMENT_MARKER)).toContain(
      `This access was revoked at 2026-11-26T10:20:00Z (alert, by hallpass-action), recorded in \`access-requests/alice-db.revocation.json\`. Its sessions were denied then; @alice's \`/hallpass revoke\` finished deleting the role \`${record.roleArn}\`.`,
    );
  });

  it("on a pull request without a grant says there is nothing to revoke", async () => {
    const github = new FakeGitHub();
    const aws = new FakeAwsAccounts();
    const pr = addMergedRequest(github);
    const outcome = await releaseGrant({ github, aws }, pr, "alice", { now: LATER });
    expect(outcome.status).toBe("not-granted");
    expect(aws.calls).toEqual([]);
  });

  it("on an unreadable grant record changes nothing and says an administrator must delete the role", async () => {
    const { github, aws, pr, record, deps } = await granted();
    github.setFiles("main", { "access-requests/alice-db.grant.json": "{ not json" });
    const outcome = await releaseGrant(deps, pr, "alice", { now: LATER });
    expect(outcome.status).toBe("not-granted");
    expect(aws.role(record.roleName)).toBeDefined();
    expect(outcome.status === "not-granted" && outcome.message).toContain(
      "cannot be read as a grant record",
    );
    expect(outcome.status === "not-granted" && outcome.message).toContain(
      "hallpass:request=access-requests/alice-db.yaml",
    );
  });

  it("never revokes the grant of another request whose name differs only by its extension", async () => {
    const { github, aws, record, deps } = await granted();
    const other = addMergedRequest(github, {
      number: 8,
      path: "access-requests/alice-db.yml",
      mergeSha: "07he000000000000000000000000000000000000",
      headSha: "07hehead00000000000000000000000000000000",
    });
    const outcome = await releaseGrant(deps, other, "alice", { now: LATER });
    expect(outcome.status).toBe("not-granted");
    expect(aws.role(record.roleName)).toBeDefined();
  });

  it("on an open pull request says it only works once merged", async () => {
    const github = new FakeGitHub();
    const aws = new FakeAwsAccounts();
    const pr = addMergedRequest(github, { merged: false });
    expect((await releaseGrant({ github, aws }, pr, "alice", { now: LATER })).status).toBe(
      "not-merged",
    );
  });

  it("finishes on a second command after AWS failed half-way", async () => {
    const { github, aws, pr, record, deps } = await granted();
    aws.fail("deleteRole");
    await expect(releaseGrant(deps, pr, "alice", { now: LATER })).rejects.toThrow(
      "deleteRole failed",
    );
    // The commenter is told, not left wondering whether the access ended.
    expect(github.comment(pr, REVOKE_REPLY_MARKER)).toContain(
      "@alice: the revocation did not complete (deleteRole failed)",
    );
    // Recorded already, so a redelivered merge event cannot grant it again meanwhile.
    expect(await grantAccess(deps, pr, { now: LATER })).toMatchObject({ status: "revoked" });
    expect(await releaseGrant(deps, pr, "alice", { now: LATER })).toMatchObject({
      status: "revoked",
    });
    expect(aws.role(record.roleName)).toBeUndefined();
    expect(github.commits.filter((c) => c.message.includes("revoke"))).toHaveLength(1);
  });
});

describe("/hallpass revoke on a grant record that names a role not its own", () => {
  /** Alice's grant, and a second live grant (bob's, another pull request). */
  async function twoGrants() {
    const world = await granted();
    const other = addMergedRequest(world.github, {
      number: 8,
      path: "access-requests/bob-db.yaml",
      yaml: requestYaml({ requester: "bob" }),
      author: "bob",
      mergeSha: "3e76e00000000000000000000000000000000008",
    });
    await grantAccess(world.deps, other, { now: GRANTED_AT });
    const otherRecord = grantRecordSchema.parse(
      JSON.parse(world.github.trees.get("main")!.get("access-requests/bob-db.grant.json")!),
    );
    return { ...world, otherRecord };
  }

  /** Rewrites alice's grant record on main (someone who can write records). */
  function tamper(
    github: FakeGitHub,
    record: GrantRecord,
    role: { roleName: string; roleArn: string },
  ) {
    github.setFiles("main", {
      "access-requests/alice-db.grant.json": JSON.stringify({ ...record, ...role }, null, 2),
    });
  }

  function expectNothingChanged(github: FakeGitHub, aws: FakeAwsAccounts, roleName: string) {
    const role = aws.role(roleName)!;
    expect(role).toBeDefined();
    expect(role.inline.has(REVOKE_POLICY_NAME)).toBe(false);
    expect(aws.calls).not.toContain("putInlinePolicy");
    expect(aws.calls).not.toContain("deleteRole");
    expect(github.trees.get("main")!.has("access-requests/alice-db.revocation.json")).toBe(false);
  }

  it("pointing at another live grant's role: denies, deletes and records nothing, and says why", async () => {
    const { github, aws, pr, record, otherRecord, deps } = await twoGrants();
    tamper(github, record, { roleName: otherRecord.roleName, roleArn: otherRecord.roleArn });
    aws.calls.length = 0;
    const outcome = await releaseGrant(deps, pr, "alice", { now: LATER });
    expect(outcome.status).toBe("role-mismatch");
    expectNothingChanged(github, aws, otherRecord.roleName);
    const reply = github.comment(pr, REVOKE_REPLY_MARKER)!;
    expect(reply).toContain("is not this grant's");
    expect(reply).toContain(`hallpass:request tag is access-requests/bob-db.yaml`);
    expect(reply).toContain("changed nothing");
  });

  it("pointing at another repository's role: denies, deletes and records nothing", async () => {
    const { github, aws, pr, record } = await granted();
    const mine = aws.role(record.roleName)!;
    const foreignName = "hallpass-carol-ops-0a1b2c3d";
    const foreignArn = mine.roleArn.replace(record.roleName, foreignName);
    aws.roles.set(foreignName, {
      ...mine,
      roleName: foreignName,
      roleArn: foreignArn,
      inline: new Map(mine.inline),
      managed: new Set(mine.managed),
      tags: {
        ...mine.tags,
        "hallpass:repository": "acme/other-access",
        "hallpass:request": "access-requests/ops/carol.yaml",
        "hallpass:pull-request": "12",
      },
    });
    tamper(github, record, { roleName: foreignName, roleArn: foreignArn });
    aws.calls.length = 0;
    const outcome = await releaseGrant({ github, aws }, pr, "alice", { now: LATER });
    expect(outcome.status).toBe("role-mismatch");
    expectNothingChanged(github, aws, foreignName);
    expect(github.comment(pr, REVOKE_REPLY_MARKER)).toContain(
      "hallpass:repository tag is acme/other-access",
    );
  });

  it("whose role is already gone: no deny and no delete, only the look-up", async () => {
    const { aws, pr, record, deps } = await granted();
    aws.roles.delete(record.roleName);
    aws.calls.length = 0;
    await releaseGrant(deps, pr, "alice", { now: LATER });
    expect(aws.calls.filter((c) => c !== "grantStore")).toEqual(["getRole"]);
  });
});
