import { describe, expect, it } from "vitest";
import { ungrantedRecordSchema } from "../../../src/core/grant/records.ts";
import { recordRefusal } from "../../../src/workflows/grant/record-refusal.ts";
import { FakeGitHub } from "../../support/fake-github.ts";
import { mergedPull, REQUEST_PATH, STEP_NOW } from "./grant-step-fixtures.ts";

const UNGRANTED = "access-requests/alice-db.ungranted.json";
const REFUSAL = { title: "the grant cannot be made", details: ["The window ended."] };

describe("recordRefusal", () => {
  it("records the refusal once: a redelivery, later, makes no second commit", async () => {
    const github = new FakeGitHub();
    const first = await recordRefusal(github, mergedPull(), REQUEST_PATH, REFUSAL, STEP_NOW);
    const later = new Date(STEP_NOW.getTime() + 60_000);
    const again = await recordRefusal(github, mergedPull(), REQUEST_PATH, REFUSAL, later);
    expect(first).toEqual({ status: "recorded", path: UNGRANTED });
    expect(again).toEqual(first);
    expect(github.commits).toHaveLength(1);
    const record = ungrantedRecordSchema.parse(
      JSON.parse(github.trees.get("main")!.get(UNGRANTED)!),
    );
    expect(record).toMatchObject({
      source: "app",
      reason: REFUSAL.title,
      details: REFUSAL.details,
      reportedAt: STEP_NOW.toISOString(),
    });
  });

  it("reads the grant, revocation and refusal records in one request before it commits", async () => {
    const github = new FakeGitHub();
    const pull = mergedPull({ defaultBranch: "main" });
    await recordRefusal(github, pull, REQUEST_PATH, REFUSAL, STEP_NOW);
    expect(github.calls).toEqual(["readPaths", "commitFiles"]);
  });

  it("says the refusal is not recorded when the records cannot be read", async () => {
    const github = new FakeGitHub().fail("readPaths", new Error("502 Bad Gateway"));
    expect(await recordRefusal(github, mergedPull(), REQUEST_PATH, REFUSAL, STEP_NOW)).toEqual({
      status: "failed",
      path: UNGRANTED,
      error: "502 Bad Gateway",
    });
    expect(github.commits).toEqual([]);
  });

  it("writes nothing next to a request merged into another branch than the default", async () => {
    const github = new FakeGitHub();
    const pull = mergedPull({ baseRef: "release", defaultBranch: "main" });
    expect(await recordRefusal(github, pull, REQUEST_PATH, REFUSAL, STEP_NOW)).toEqual({
      status: "skipped",
      why: "merged into release, not main",
    });
    expect(github.commits).toEqual([]);
  });

  it("writes nothing where a grant record is", async () => {
    const github = new FakeGitHub().setFiles("main", {
      "access-requests/alice-db.grant.json": "{}",
    });
    expect(
      await recordRefusal(github, mergedPull(), REQUEST_PATH, REFUSAL, STEP_NOW),
    ).toMatchObject({
      status: "skipped",
    });
  });

  it("answers failed, never throws, when git cannot be written", async () => {
    const github = new FakeGitHub().fail("commitFiles", new Error("409"));
    expect(await recordRefusal(github, mergedPull(), REQUEST_PATH, REFUSAL, STEP_NOW)).toEqual({
      status: "failed",
      path: UNGRANTED,
      error: "409",
    });
  });
});
