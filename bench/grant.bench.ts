/**
 * What a grant costs besides the network: planning the IAM documents (a small role and one
 * near IAM's inline-policy limit), the whole grant-on-merge and revoke workflows over in-memory
 * GitHub and AWS ports, and the SDK adapter's ensureRole and revoke against IAM on a local wire
 * fake (serialisation, signing, XML parsing; no network latency). AWS's own latency (IAM calls
 * take ~100-300 ms each) dominates in production: a grant makes 4-6 IAM calls, a revoke 6-8.
 */
import nock from "nock";
import { createAwsIamPort } from "../src/adapters/aws-iam.ts";
import { expectedGrantRole } from "../src/core/grant/check-revocation-target.ts";
import { planGrant } from "../src/core/grant/plan-grant.ts";
import { grantAccess } from "../src/workflows/grant-access.ts";
import { revokeGrant } from "../src/workflows/revoke-grant.ts";
import { FakeAwsWire } from "../test/support/fake-aws-wire.ts";
import { FakeGitHub } from "../test/support/fake-github.ts";
import { FakeAwsAccounts } from "../test/support/fake-grant-store.ts";
import {
  aliceRequest,
  grantPolicies,
  MERGE_COMMIT,
  MERGED_AT,
} from "../test/support/grant-fixtures.ts";
import { addMergedRequest } from "../test/support/merged-request.ts";
import { spread, timeRuns } from "./measure.ts";

const context = { mergeCommit: MERGE_COMMIT, mergedAt: MERGED_AT, now: MERGED_AT };
const account = {
  name: "prod",
  id: "111122223333",
  brokerRole: "arn:aws:iam::111122223333:role/hallpass-broker",
};

export async function run(): Promise<void> {
  const small = aliceRequest();
  const big = aliceRequest();
  big.role = structuredClone(big.role);
  big.role.permissions.statements = Array.from({ length: 30 }, (_, i) => ({
    effect: "Allow" as const,
    actions: ["s3:GetObject", "s3:ListBucket"],
    resources: [`arn:aws:s3:::bucket-${i}`, `arn:aws:s3:::bucket-${i}/*`],
  }));
  const bigPlan = planGrant(big, grantPolicies(), context);
  const chars = bigPlan.plan
    ? Object.values(bigPlan.plan.inlinePolicies).reduce((n, d) => n + d.length, 0)
    : 0;
  const { median: smallMs } = await timeRuns(5_000, () =>
    planGrant(small, grantPolicies(), context),
  );
  const { median: bigMs } = await timeRuns(2_000, () => planGrant(big, grantPolicies(), context));
  console.log(`planGrant, 2 statements:               ${(smallMs * 1000).toFixed(1)} µs median`);
  console.log(`planGrant, 30 statements (${chars} chars): ${(bigMs * 1000).toFixed(1)} µs median`);

  const now = new Date("2026-11-26T10:00:10Z");
  const { median: grantMs } = await timeRuns(200, async () => {
    const github = new FakeGitHub();
    const aws = new FakeAwsAccounts();
    await grantAccess({ github, aws }, addMergedRequest(github), { now });
  });
  console.log(`grantAccess workflow, in-memory ports:  ${grantMs.toFixed(2)} ms median`);

  nock.disableNetConnect();
  const plan = planGrant(small, grantPolicies(), context).plan!;
  const roleArn = `arn:aws:iam::111122223333:role/hallpass/${plan.roleName}`;
  const ensureTimes: number[] = [];
  const { median: revokeMs } = await timeRuns(100, async () => {
    nock.cleanAll();
    const wire = new FakeAwsWire();
    wire.install();
    const aws = createAwsIamPort({
      credentials: { accessKeyId: "AKIA", secretAccessKey: "s" },
      brokerSessionName: "bench",
    });
    const start = performance.now();
    await aws.grantStore(account).ensureRole(plan);
    ensureTimes.push(performance.now() - start);
    await revokeGrant(
      { github: new FakeGitHub(), aws, actor: "bench" },
      {
        account,
        roleName: plan.roleName,
        roleArn,
        expected: expectedGrantRole({
          requestPath: "access-requests/alice-db.yaml",
          mergeCommit: MERGE_COMMIT,
        }),
        requestPath: "access-requests/alice-db.yaml",
        reason: "expired",
        detail: "",
        now,
      },
    );
  });
  nock.cleanAll();
  nock.enableNetConnect();
  console.log(
    `SDK ensureRole (assume broker + 3 IAM calls), wire fake: ${spread(ensureTimes).median.toFixed(2)} ms median`,
  );
  console.log(
    `SDK ensureRole + revoke (12 IAM/STS calls), wire fake: ${revokeMs.toFixed(2)} ms median`,
  );
}
