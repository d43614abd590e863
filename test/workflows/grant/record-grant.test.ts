import { describe, expect, it } from "vitest";
import { grantRecordSchema } from "../../../src/core/grant/records.ts";
import { commitGrantRecord } from "../../../src/workflows/grant/record-grant.ts";
import { FakeGitHub } from "../../support/fake-github.ts";
import { plannedGrant, plannedGrantRecord, STEP_NOW } from "./grant-step-fixtures.ts";

const GRANT = "access-requests/alice-db.grant.json";

describe("buildGrantRecord", () => {
  it("records the merge, the approvals and the planned role, valid by its schema", () => {
    const record = plannedGrantRecord();
    const planned = plannedGrant();
    expect(grantRecordSchema.parse(record)).toEqual(record);
    expect(record).toMatchObject({
      requestPath: "access-requests/alice-db.yaml",
      pullRequest: { number: 7, mergedBy: "alice" },
      requester: "alice",
      role: "db-read",
      account: { name: "prod", id: "111122223333" },
      roleArn: planned.roleArn,
      roleName: planned.plan.roleName,
      window: planned.window,
      grantedAt: STEP_NOW.toISOString(),
      planDigest: planned.planDigest,
    });
    expect(record.approvals.map((a) => a.reviewer)).toEqual(["sam"]);
    expect(record).not.toHaveProperty("extends");
  });
});

describe("commitGrantRecord", () => {
  it("commits the record next to the request, saying until when and who approved", async () => {
    const github = new FakeGitHub();
    const record = plannedGrantRecord();
    expect(await commitGrantRecord(github, "main", record)).toBeUndefined();
    expect(github.trees.get("main")?.get(GRANT)).toBe(`${JSON.stringify(record, null, 2)}\n`);
    expect(github.commits[0]!.message).toMatch(
      /^hallpass: grant access-requests\/alice-db\.yaml until 2026-11-26T12:00:00Z\n\n/,
    );
    expect(github.commits[0]!.message).toContain("Approved by: sam");
  });

  it("expects the branch at the merge commit, so that the commit needs no read of the branch", async () => {
    const github = new FakeGitHub();
    const hints: unknown[] = [];
    const commitFiles = github.commitFiles.bind(github);
    github.commitFiles = (branch, files, message, hint) => {
      hints.push(hint);
      return commitFiles(branch, files, message);
    };
    const record = plannedGrantRecord();
    await commitGrantRecord(github, "main", record);
    expect(hints).toEqual([{ expectedHead: record.pullRequest.mergeCommit }]);
  });

  it("fails with nothing to roll back when the commit fails", async () => {
    const github = new FakeGitHub().fail("commitFiles", new Error("409 conflict"));
    expect(await commitGrantRecord(github, "main", plannedGrantRecord())).toMatchObject({
      stop: "failed",
      title: "the grant record could not be committed",
      reason: `committing ${GRANT} failed: 409 conflict`,
      rolledBack: true,
    });
  });
});
