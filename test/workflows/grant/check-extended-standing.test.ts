import { describe, expect, it } from "vitest";
import { checkExtendedStanding } from "../../../src/workflows/grant/check-extended-standing.ts";
import { FakeGitHub } from "../../support/fake-github.ts";

const EXTENSION = "access-requests/alice-db-more.yaml";
const EXTENDED = "access-requests/alice-db.yaml";
const REVOCATION = "access-requests/alice-db.revocation.json";
const AUTO = { kind: "extension", rule: "extend", limit: "1h", extends: EXTENDED } as const;

function revocation(reason: string, detail?: string): string {
  return JSON.stringify({
    version: 1,
    requestPath: EXTENDED,
    roleArn: "arn:aws:iam::123456789012:role/hallpass/hp-alice-db-1",
    revokedAt: "2026-12-05T10:00:00Z",
    reason,
    revokedBy: "bob",
    ...(detail ? { detail } : {}),
  });
}

function check(files: Record<string, string>) {
  const github = new FakeGitHub().setFiles("main", files);
  return checkExtendedStanding(github, { branch: "main", requestPath: EXTENSION }, AUTO);
}

describe("checkExtendedStanding", () => {
  it("lets the extension stand while the grant it extends is not revoked", async () => {
    expect(await check({})).toBeUndefined();
  });

  it("refuses, naming the revocation's reason and time, when the extended grant was revoked", async () => {
    const stop = await check({ [REVOCATION]: revocation("alert") });
    expect(stop).toMatchObject({ stop: "refused" });
    expect(JSON.stringify(stop)).toContain("was revoked (alert, 2026-12-05T10:00:00Z).");
  });

  it("refuses a revocation file that is no record, without a note (fail closed)", async () => {
    const stop = await check({ [REVOCATION]: "{ not json" });
    expect(stop).toMatchObject({ stop: "refused" });
    expect(JSON.stringify(stop)).toContain("was revoked. An extension");
  });

  it("lets it stand when the revocation is its own replacement of the extended grant", async () => {
    const own = revocation("replaced-by-extension", `replaced by ${EXTENSION} (#12)`);
    expect(await check({ [REVOCATION]: own })).toBeUndefined();
  });
});
