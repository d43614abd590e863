import { describe, expect, it } from "vitest";
import { grantAccess } from "../../src/workflows/grant-access.ts";
import { LifecycleWorld } from "../lifecycle/lifecycle-world.ts";
import { FakeGitHub } from "../support/fake-github.ts";
import { FakeAwsAccounts } from "../support/fake-grant-store.ts";
import { addMergedRequest, HEAD_SHA, MERGED_AT_ISO } from "../support/merged-request.ts";

/**
 * Found by the generated lifecycles: an admin merged past a change request, someone dismissed
 * the change request after the merge, and the merge event handled after that granted, because
 * the re-check read the review as it was then (DISMISSED), not as it was at the merge.
 */

const NOW = new Date("2026-11-26T10:10:00Z");

/** A merged request that @sam approved and @dan (a code owner) asked changes for before it. */
function mergedPastAChangeRequest(github: FakeGitHub): number {
  return addMergedRequest(github, {
    reviews: [
      {
        id: 1,
        user: "sam",
        state: "APPROVED",
        commitId: HEAD_SHA,
        submittedAt: "2026-11-26T09:50:00Z",
      },
      // Dismissed after the merge: GitHub now lists it as DISMISSED.
      {
        id: 2,
        user: "dan",
        state: "DISMISSED",
        commitId: HEAD_SHA,
        submittedAt: "2026-11-26T09:55:00Z",
      },
    ],
  });
}

describe("a review dismissed after the merge", () => {
  it("keeps the change request it was at the merge: the grant is refused", async () => {
    const github = new FakeGitHub();
    const aws = new FakeAwsAccounts();
    const pr = mergedPastAChangeRequest(github);
    github.reviewDismissals.set(pr, [
      { reviewId: 2, state: "CHANGES_REQUESTED", at: "2026-11-26T10:05:00Z" },
    ]);
    const outcome = await grantAccess({ github, aws }, pr, { now: NOW });
    expect(outcome.status).toBe("refused");
    expect(aws.roles.size).toBe(0);
  });

  it("counts a change request dismissed before the merge as dismissed: the grant is made", async () => {
    const github = new FakeGitHub();
    const aws = new FakeAwsAccounts();
    const pr = mergedPastAChangeRequest(github);
    github.reviewDismissals.set(pr, [
      { reviewId: 2, state: "CHANGES_REQUESTED", at: "2026-11-26T09:58:00Z" },
    ]);
    expect(MERGED_AT_ISO > "2026-11-26T09:58:00Z").toBe(true);
    const outcome = await grantAccess({ github, aws }, pr, { now: NOW });
    expect(outcome.status).toBe("granted");
  });

  it("the shrunk lifecycle that found it grants nothing", async () => {
    const world = new LifecycleWorld();
    for (const step of [
      { kind: "open", author: "alice", requester: "alice", hours: 1 },
      { kind: "review", pr: 0, by: "sam", state: "APPROVED" },
      { kind: "review", pr: 0, by: "sue", state: "CHANGES_REQUESTED" },
      { kind: "merge", pr: 0, admin: true },
      { kind: "dismiss", pr: 0, nth: 3 },
      { kind: "deliver", nth: 3 },
      { kind: "deliver", nth: 0 },
      { kind: "deliver", nth: 0 },
      { kind: "deliver", nth: 0 },
      { kind: "deliver", nth: 0 },
    ] as const) {
      await world.apply(step);
    }
    expect(world.pulls[0]!.approvedAtMerge).toBe(false);
    expect(world.aws.roles.size).toBe(0);
  });
});
