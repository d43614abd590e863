import { describe, expect, it } from "vitest";
import type { GrantRecord } from "../../../src/core/grant/records.ts";
import { isStop } from "../../../src/workflows/grant/grant-types.ts";
import { readGrantRecords } from "../../../src/workflows/grant/read-grant-records.ts";
import { FakeGitHub } from "../../support/fake-github.ts";
import { plannedGrantRecord } from "./grant-step-fixtures.ts";

const REQUEST = "access-requests/alice-db.yaml";
const GRANT = "access-requests/alice-db.grant.json";
const REVOCATION = "access-requests/alice-db.revocation.json";
const NOW = new Date("2026-11-26T10:00:10Z");

function github(files: Record<string, string>): FakeGitHub {
  return new FakeGitHub().setFiles("main", files);
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

function read(files: Record<string, string>, now = NOW) {
  return readGrantRecords(github(files), { branch: "main", requestPath: REQUEST, now });
}

describe("readGrantRecords", () => {
  it("finds nothing on a first run", async () => {
    expect(await read({})).toEqual({ existing: undefined });
  });

  it("reads the grant and the revocation record in one request, on the branch", async () => {
    const fake = github({});
    const asked: string[] = [];
    const readPaths = fake.readPaths.bind(fake);
    fake.readPaths = (reads) => {
      asked.push(...reads.files.map((f) => `${f.ref}:${f.path}`));
      return readPaths(reads);
    };
    await readGrantRecords(fake, { branch: "main", requestPath: REQUEST, now: NOW });
    expect(fake.calls).toEqual(["readPaths"]);
    expect(asked).toEqual([`main:${GRANT}`, `main:${REVOCATION}`]);
  });

  it("fails, granting nothing, when the records cannot be read", async () => {
    const fake = github({}).fail("readPaths", new Error("502 Bad Gateway"));
    await expect(
      readGrantRecords(fake, { branch: "main", requestPath: REQUEST, now: NOW }),
    ).rejects.toThrow("502 Bad Gateway");
  });

  it("returns the grant record of an earlier run whose window is open", async () => {
    const record = plannedGrantRecord();
    expect(await read({ [GRANT]: json(record) })).toEqual({ existing: record });
  });

  it("finishes as granted, without a comment, once the recorded window has ended", async () => {
    const record = plannedGrantRecord();
    const after = new Date(Date.parse(record.window.end));
    expect(await read({ [GRANT]: json(record) }, after)).toEqual({
      stop: "finished",
      outcome: { status: "granted", record, created: false },
    });
  });

  it("finishes as revoked when a revocation is recorded", async () => {
    const answer = await read({
      [REVOCATION]: json({
        version: 1,
        requestPath: REQUEST,
        roleArn: "arn:aws:iam::111122223333:role/hallpass/x",
        revokedAt: "2026-11-26T10:30:00Z",
        reason: "early-release",
        revokedBy: "alice",
      }),
    });
    expect(answer).toEqual({
      stop: "finished",
      outcome: {
        status: "revoked",
        reason: `${REVOCATION} records a revocation (early-release, 2026-11-26T10:30:00Z); not granting again`,
      },
    });
  });

  it("refuses when the records are those of the request's .yml twin", async () => {
    const twin: GrantRecord = {
      ...plannedGrantRecord(),
      requestPath: "access-requests/alice-db.yml",
    };
    const answer = await read({ [GRANT]: json(twin) });
    expect(isStop(answer) && answer.stop === "refused" && answer.title).toBe(
      "its records would be those of access-requests/alice-db.yml",
    );
  });

  it("refuses, failing closed, on a grant record it cannot read", async () => {
    const answer = await read({ [GRANT]: "{ not json" });
    expect(answer).toMatchObject({
      stop: "refused",
      title: `${GRANT} is not a valid grant record`,
    });
  });
});
