import { describe, expect, it } from "vitest";
import { parseRevocation, revocationNote } from "../../../src/core/grant/parse-grant-record.ts";

const RECORD = {
  version: 1,
  requestPath: "access-requests/alice/db.yaml",
  roleArn: "arn:aws:iam::123456789012:role/hallpass/hp-alice-db-1",
  revokedAt: "2026-12-05T10:00:00Z",
  reason: "early-release",
  revokedBy: "alice",
};

describe("parseRevocation", () => {
  it("reads a revocation record", () => {
    expect(parseRevocation(`${JSON.stringify(RECORD, null, 2)}\n`)).toEqual(RECORD);
  });

  it.each([
    ["no file", undefined],
    ["text that is no JSON", "{ not json"],
    ["JSON that is no revocation record", JSON.stringify({ reason: "early-release" })],
    ["a record with a field too many", JSON.stringify({ ...RECORD, extra: true })],
  ])("reads nothing from %s", (_name, text) => {
    expect(parseRevocation(text)).toBeUndefined();
  });
});

describe("revocationNote", () => {
  // A revocation record's reason and time: see read-grant-records "finishes as revoked".
  it("gives the record's reason and time", () => {
    expect(revocationNote(parseRevocation(JSON.stringify(RECORD)))).toBe(
      " (early-release, 2026-12-05T10:00:00Z)",
    );
  });

  it("says nothing of a revocation file that is no record", () => {
    expect(revocationNote(parseRevocation("{ not json"))).toBe("");
    expect(revocationNote(undefined)).toBe("");
  });
});
