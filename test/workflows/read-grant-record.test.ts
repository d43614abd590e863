import { describe, expect, it } from "vitest";
import { UnreadableFileError } from "../../src/ports/github.ts";
import { readGrantAndRevocation } from "../../src/workflows/read-grant-record.ts";
import { FakeGitHub } from "../support/fake-github.ts";
import { plannedGrantRecord } from "./grant/grant-step-fixtures.ts";

const REQUEST = "access-requests/alice-db.yaml";
const GRANT = "access-requests/alice-db.grant.json";
const REVOCATION = "access-requests/alice-db.revocation.json";

describe("readGrantAndRevocation", () => {
  it("reads the grant and the revocation record at one ref in one request", async () => {
    const record = plannedGrantRecord();
    const github = new FakeGitHub().setFiles("abc123", {
      [GRANT]: JSON.stringify(record),
      [REVOCATION]: "{}",
    });
    const read = await readGrantAndRevocation(github, "abc123", REQUEST);
    expect(read).toEqual({
      grantText: JSON.stringify(record),
      grant: { status: "found", record },
      revocationText: "{}",
    });
    expect(github.calls).toEqual(["readPaths"]);
  });

  it("finds neither record where there is none", async () => {
    const read = await readGrantAndRevocation(new FakeGitHub(), "main", REQUEST);
    expect(read).toEqual({
      grantText: undefined,
      grant: { status: "missing" },
      revocationText: undefined,
    });
  });

  it("reads records GraphQL cannot give as text one by one: a revocation still counts", async () => {
    const github = new FakeGitHub()
      .setFiles("main", { [GRANT]: "\u0000binary", [REVOCATION]: "\u0000binary" })
      .fail("readPaths", new UnreadableFileError(`${GRANT} cannot be read as text`));
    const read = await readGrantAndRevocation(github, "main", REQUEST);
    expect(read.grant.status).toBe("unreadable");
    expect(read.revocationText).toBe("\u0000binary");
    expect(github.calls).toEqual(["readPaths", "getFile", "getFile"]);
  });

  it("fails when git cannot be read", async () => {
    const github = new FakeGitHub().fail("readPaths", new Error("502 Bad Gateway"));
    await expect(readGrantAndRevocation(github, "main", REQUEST)).rejects.toThrow("502");
  });
});
