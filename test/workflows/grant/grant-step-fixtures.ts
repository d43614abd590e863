import type { GrantRecord } from "../../../src/core/grant/records.ts";
import type { MergedPull } from "../../../src/workflows/grant/grant-types.ts";
import { isStop } from "../../../src/workflows/grant/grant-types.ts";
import { type PlannedGrant, planGrantRole } from "../../../src/workflows/grant/plan-grant-role.ts";
import { buildGrantRecord } from "../../../src/workflows/grant/record-grant.ts";
import {
  aliceRequest,
  grantPolicies,
  MERGE_COMMIT,
  MERGED_AT,
} from "../../support/grant-fixtures.ts";

/**
 * What the grant steps are handed once the approvals held: alice's db-read request in prod
 * (grant-fixtures.ts), merged as pull request 7 ten seconds before `STEP_NOW`.
 */

export const STEP_NOW = new Date("2026-11-26T10:00:10Z");
export const REQUEST_PATH = "access-requests/alice-db.yaml";

export function mergedPull(overrides: Partial<MergedPull> = {}): MergedPull {
  return {
    number: 7,
    url: "https://github.com/acme/access/pull/7",
    state: "closed",
    draft: false,
    author: "alice",
    title: `Access: ${REQUEST_PATH}`,
    headSha: "bead000000000000000000000000000000000002",
    baseSha: "ba5e000000000000000000000000000000000001",
    baseRef: "main",
    merged: true,
    mergeCommitSha: MERGE_COMMIT,
    mergedAt: MERGED_AT.toISOString(),
    mergedBy: "alice",
    ...overrides,
  };
}

/** The plan of alice's request; throws if the plan step stops (a broken fixture). */
export function plannedGrant(): PlannedGrant {
  const planned = planGrantRole({
    request: aliceRequest(),
    policies: grantPolicies(),
    pull: mergedPull(),
    repository: "acme/access",
    requestPath: REQUEST_PATH,
    existing: undefined,
    now: STEP_NOW,
    limits: undefined,
  });
  if (isStop(planned)) throw new Error(`fixture plan stopped: ${JSON.stringify(planned)}`);
  return planned;
}

/** The grant record of `plannedGrant()`, approved by sam. */
export function plannedGrantRecord(): GrantRecord {
  return buildGrantRecord({
    pull: mergedPull(),
    requestPath: REQUEST_PATH,
    request: aliceRequest(),
    evaluation: {
      approvals: [
        {
          reviewer: "sam",
          reviewId: 9001,
          submittedAt: "2026-11-26T09:55:00Z",
          commitId: "bead000000000000000000000000000000000002",
          rules: ["1 approval"],
        },
      ],
      decision: undefined,
    },
    planned: plannedGrant(),
    now: STEP_NOW,
  });
}
