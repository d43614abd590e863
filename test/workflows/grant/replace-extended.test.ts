import { describe, expect, it } from "vitest";
import type { GrantRecord } from "../../../src/core/grant/records.ts";
import { replaceExtended } from "../../../src/workflows/grant/replace-extended.ts";
import { FakeGitHub } from "../../support/fake-github.ts";
import { FakeAwsAccounts } from "../../support/fake-grant-store.ts";
import { plannedGrant, plannedGrantRecord, STEP_NOW } from "./grant-step-fixtures.ts";

const OLD = "access-requests/alice-old.yaml";
const OLD_GRANT = "access-requests/alice-old.grant.json";

/** A new grant of alice extending OLD, whose grant record is `old` (alice's by default). */
function extension(old: Partial<GrantRecord> = {}) {
  const github = new FakeGitHub();
  const record: GrantRecord = { ...plannedGrantRecord(), extends: OLD };
  const oldRecord: GrantRecord = {
    ...plannedGrantRecord(),
    requestPath: OLD,
    roleName: "hallpass-old",
    roleArn: "arn:aws:iam::111122223333:role/hallpass/hallpass-old",
    ...old,
  };
  github.setFiles("main", { [OLD_GRANT]: `${JSON.stringify(oldRecord, null, 2)}\n` });
  const context = {
    actor: "hallpass-app",
    branch: "main",
    now: STEP_NOW,
    account: plannedGrant().account,
  };
  return { github, aws: new FakeAwsAccounts(), record, context };
}

describe("replaceExtended", () => {
  it("does nothing for a request that extends nothing", async () => {
    const { github, aws, context } = extension();
    expect(await replaceExtended({ github, aws }, context, plannedGrantRecord(), {})).toEqual({
      revoked: false,
    });
    expect(github.calls).toEqual([]);
  });

  it("revokes the same requester's grant in the same account, and records why", async () => {
    const { github, aws, record, context } = extension();
    expect(await replaceExtended({ github, aws }, context, record, { extends: OLD })).toEqual({
      path: OLD,
      revoked: true,
    });
    const revocation = JSON.parse(
      github.trees.get("main")!.get("access-requests/alice-old.revocation.json")!,
    );
    expect(revocation).toMatchObject({
      reason: "replaced-by-extension",
      revokedBy: "hallpass-app",
    });
  });

  it("does not revoke someone else's grant named in extends", async () => {
    const { github, aws, record, context } = extension({ requester: "bob" });
    const replaced = await replaceExtended({ github, aws }, context, record, { extends: OLD });
    expect(replaced).toMatchObject({ path: OLD, revoked: false });
    expect(replaced.problem).toContain(`${OLD} is a grant of @bob in prod`);
    expect(github.commits).toEqual([]);
  });

  it.each([
    ["no grant record", undefined, `${OLD} has no grant record: nothing to replace.`],
    ["an unreadable grant record", "{ not json", `${OLD_GRANT} cannot be read.`],
    [
      "another request's grant record",
      JSON.stringify({ ...plannedGrantRecord(), requestPath: "access-requests/alice-old.yml" }),
      `${OLD_GRANT} is the grant of access-requests/alice-old.yml, not of ${OLD}.`,
    ],
  ])(
    "revokes nothing and says why for %s, unless it was revoked already",
    async (_, text, problem) => {
      const { github, aws, record, context } = extension();
      github.trees.get("main")!.delete(OLD_GRANT);
      if (text !== undefined) github.setFiles("main", { [OLD_GRANT]: text });
      expect(await replaceExtended({ github, aws }, context, record, { extends: OLD })).toEqual({
        path: OLD,
        revoked: false,
        problem,
      });
      expect(github.commits).toEqual([]);
      github.setFiles("main", { "access-requests/alice-old.revocation.json": "{}" });
      expect(await replaceExtended({ github, aws }, context, record, { extends: OLD })).toEqual({
        path: OLD,
        revoked: true,
      });
    },
  );

  it("keeps the old grant when the new window starts later, so there is no gap", async () => {
    const { github, aws, record, context } = extension();
    const later = {
      ...record,
      window: { start: "2026-11-26T11:00:00Z", end: "2026-11-26T13:00:00Z" },
    };
    expect(await replaceExtended({ github, aws }, context, later, { extends: OLD })).toEqual({
      path: OLD,
      revoked: false,
    });
    expect(github.commits).toEqual([]);
  });
});
