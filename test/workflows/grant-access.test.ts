import { describe, expect, it } from "vitest";
import { describeDocumentDrift } from "../../src/core/grant/digest-grant-plan.ts";
import { DEFAULT_IAM_LIMITS } from "../../src/core/grant/plan-grant.ts";
import {
  grantRecordSchema,
  revocationRecordSchema,
  ungrantedRecordSchema,
} from "../../src/core/grant/records.ts";
import { GRANT_COMMENT_MARKER } from "../../src/core/grant/render-usage-comment.ts";
import {
  POST_INCIDENT_LABEL,
  postIncidentMarker,
} from "../../src/core/sweep/render-post-incident-issue.ts";
import type { AwsPort, GrantStore } from "../../src/ports/aws.ts";
import { DeadlineError } from "../../src/workflows/deadline.ts";
import { GRANT_ERROR_MARKER, grantAccess } from "../../src/workflows/grant-access.ts";
import { releaseGrant } from "../../src/workflows/release-grant.ts";
import { examplePolicyFiles } from "../support/example-policies.ts";
import { FakeGitHub } from "../support/fake-github.ts";
import { FakeAwsAccounts } from "../support/fake-grant-store.ts";
import {
  addMergedRequest,
  BASE_SHA,
  CODEOWNERS,
  MERGE_SHA,
  requestYaml,
} from "../support/merged-request.ts";
import { linksIn, textOf } from "../support/render-markdown.ts";

const NOW = new Date("2026-11-26T10:00:10Z");
const GRANT = "access-requests/alice-db.grant.json";
const REVOCATION = "access-requests/alice-db.revocation.json";
const UNGRANTED = "access-requests/alice-db.ungranted.json";
const ACCOUNT_TARGET = {
  name: "production",
  id: "123456789012",
  brokerRole: "arn:aws:iam::123456789012:role/hallpass-broker",
};

/** The example settings, naming the environment variable of the Slack webhook. */
const SETTINGS_WITH_SLACK = `${examplePolicyFiles["policies/settings.yaml"]}  notifications:
    slackWebhookEnv: HALLPASS_SLACK_WEBHOOK
`;

/**
 * A world whose policies name HALLPASS_SLACK_WEBHOOK, set in `env` (unless `env` says otherwise):
 * `notified` holds what reached Slack, `asked` the variables the grant resolved.
 */
function world(
  env: Record<string, string | undefined> = { HALLPASS_SLACK_WEBHOOK: "https://hooks" },
) {
  const github = new FakeGitHub();
  github.setFiles(BASE_SHA, {
    ...examplePolicyFiles,
    "policies/settings.yaml": SETTINGS_WITH_SLACK,
    ".github/CODEOWNERS": CODEOWNERS,
  });
  const aws = new FakeAwsAccounts();
  const notified: string[] = [];
  const asked: string[] = [];
  const notifierFor = (envName: string) => {
    asked.push(envName);
    return env[envName] ? async (text: string) => void notified.push(text) : undefined;
  };
  const deps = { github, aws, notifierFor };
  return { github, aws, deps, notified, asked };
}

function file(github: FakeGitHub, path: string): string | undefined {
  return github.trees.get("main")?.get(path);
}

function grantRecord(github: FakeGitHub) {
  return grantRecordSchema.parse(JSON.parse(file(github, GRANT)!));
}

function ungrantedRecord(github: FakeGitHub) {
  const text = file(github, UNGRANTED);
  return text === undefined ? undefined : ungrantedRecordSchema.parse(JSON.parse(text));
}

describe("grantAccess on a merged, approved request", () => {
  it("creates the role, commits the grant record and comments how to use it", async () => {
    const { github, aws, deps } = world();
    const pr = addMergedRequest(github);
    const outcome = await grantAccess(deps, pr, { now: NOW });
    expect(outcome).toMatchObject({ status: "granted", created: true });

    const record = grantRecord(github);
    expect(record).toMatchObject({
      requestPath: "access-requests/alice-db.yaml",
      pullRequest: { number: 7, mergeCommit: MERGE_SHA, mergedAt: "2026-11-26T10:00:00Z" },
      requester: "alice",
      role: "prod-readonly",
      account: { name: "production", id: "123456789012" },
      emergency: false,
      approvals: [
        {
          reviewer: "sam",
          reviewId: 9001,
          commitId: "bead000000000000000000000000000000000002",
          submittedAt: "2026-11-26T09:55:00Z",
        },
      ],
      sourceIdentity: "alice",
      window: { start: "2026-11-26T10:00:00Z", end: "2026-11-26T12:00:00Z" },
    });
    // What an offline re-decision needs and git does not hold (hallpass verify).
    expect(record.approvals[0]?.eligibleVia).toEqual(["@acme/sre"]);
    expect(record.approvalBasis).toEqual({
      headSha: "bead000000000000000000000000000000000002",
      author: "alice",
      pushers: ["alice"],
      baseChangedAt: [],
    });
    const role = aws.role(record.roleName)!;
    expect(role.roleArn).toBe(record.roleArn);
    expect(record.roleArn).toBe(`arn:aws:iam::123456789012:role/hallpass/${record.roleName}`);
    expect(role.permissionsBoundary).toBe("arn:aws:iam::123456789012:policy/hallpass-boundary");
    expect([...role.managed]).toEqual(["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
    expect(role.tags["hallpass:repository"]).toBe("acme/access");
    expect(role.tags["hallpass:pull-request"]).toBe("7");

    const comment = github.comment(pr, GRANT_COMMENT_MARKER)!;
    expect(comment).toContain(`--role-arn ${record.roleArn}`);
    expect(comment).toContain(`--role-session-name ${record.sessionName}`);
    expect(comment).toContain("--source-identity alice");
    expect(comment).toContain("--duration-seconds 7190");
    expect(comment).toContain("2026-11-26 12:00:00 UTC** (in 1h59m50s)");
    expect(comment).toContain("[profile hallpass-production-prod-readonly]");
    expect(github.issues.size).toBe(0);
  });

  it("commits the grant record before it creates the role", async () => {
    const { github, aws, deps } = world();
    const order: string[] = [];
    const wrapped: AwsPort = {
      grantStore(account) {
        const store = aws.grantStore(account);
        return {
          ...store,
          accountId: store.accountId,
          getRole: (n) => store.getRole(n),
          getRoleQuota: () => store.getRoleQuota(),
          ensureRole: async (plan) => {
            order.push(
              file(github, GRANT) ? "ensureRole after record" : "ensureRole before record",
            );
            return store.ensureRole(plan);
          },
        } as GrantStore;
      },
    };
    await grantAccess({ ...deps, aws: wrapped }, addMergedRequest(github), { now: NOW });
    expect(order).toEqual(["ensureRole after record"]);
  });

  it("ends in exactly one grant when the merge event is delivered again", async () => {
    const { github, aws, deps } = world();
    const pr = addMergedRequest(github);
    const first = await grantAccess(deps, pr, { now: NOW });
    const again = await grantAccess(deps, pr, { now: new Date("2026-11-26T10:03:00Z") });
    expect(again).toMatchObject({ status: "granted", created: false });
    expect(again.status === "granted" && first.status === "granted" && again.record).toEqual(
      first.status === "granted" && first.record,
    );
    expect(aws.roles.size).toBe(1);
    expect(github.commits).toHaveLength(1);
  });

  it("ends in exactly one grant when two deliveries race", async () => {
    const { github, aws, deps } = world();
    const pr = addMergedRequest(github);
    const outcomes = await Promise.all([
      grantAccess(deps, pr, { now: NOW }),
      grantAccess(deps, pr, { now: NOW }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["granted", "granted"]);
    expect(aws.roles.size).toBe(1);
    expect(github.commits).toHaveLength(1);
  });

  it("starts the window at the request's start when it was merged after it", async () => {
    const { github, deps } = world();
    const yaml = requestYaml({ start: "2026-11-26T09:30:00Z" });
    await grantAccess(deps, addMergedRequest(github, { yaml }), { now: NOW });
    expect(grantRecord(github).window).toEqual({
      start: "2026-11-26T09:30:00Z",
      end: "2026-11-26T11:30:00Z",
    });
  });

  it("does nothing for a request that is not merged", async () => {
    const { github, aws, deps } = world();
    const pr = addMergedRequest(github, { merged: false });
    expect(await grantAccess(deps, pr, { now: NOW })).toMatchObject({ status: "skipped" });
    expect(aws.calls).toEqual([]);
  });
});

describe("grantAccess refuses, loudly and before AWS is changed", () => {
  async function refused(
    setup: (github: FakeGitHub, aws: FakeAwsAccounts) => number,
    options: Partial<Parameters<typeof grantAccess>[2]> = {},
    slackMessages = 1,
  ) {
    const { github, aws, deps, notified } = world();
    const pr = setup(github, aws);
    const outcome = await grantAccess(deps, pr, { now: NOW, ...options });
    expect(outcome.status).toBe("refused");
    expect(aws.roles.size).toBe(0);
    expect(aws.calls.filter((c) => c === "ensureRole")).toEqual([]);
    expect(file(github, GRANT)).toBeUndefined();
    const comment = github.comment(pr, GRANT_COMMENT_MARKER)!;
    expect(comment).toMatch(/^<!-- hallpass:grant -->\n### No access granted: /);
    const issue = [...github.issues.values()][0]!;
    expect(issue.labels).toEqual(["hallpass-alert"]);
    expect(notified).toHaveLength(slackMessages);
    return { comment, issue, outcome, ungranted: ungrantedRecord(github) };
  }

  it("when an admin merged past the check without approvals", async () => {
    const { comment, issue, ungranted } = await refused((github) =>
      addMergedRequest(github, { reviews: [] }),
    );
    expect(comment).toContain("approvals do not hold at the merge commit 3e76e00");
    expect(comment).toContain("@alice merged this pull request past the hallpass/approval check");
    expect(issue.title).toContain("approvals do not hold");
    expect(ungranted).toMatchObject({
      source: "app",
      requestPath: "access-requests/alice-db.yaml",
      pullRequest: { number: 7, mergeCommit: MERGE_SHA, mergedBy: "alice" },
      reportedAt: NOW.toISOString(),
      reason: "approvals do not hold at the merge commit 3e76e00",
    });
    expect(ungranted?.details?.join("\n")).toContain(
      "@alice merged this pull request past the hallpass/approval check",
    );
    expect(comment).toContain(`recorded in \`${UNGRANTED}\``);
  });

  it("when the only approval was given on an older head commit", async () => {
    await refused((github) =>
      addMergedRequest(github, {
        reviews: [
          {
            id: 1,
            user: "sam",
            state: "APPROVED",
            commitId: "0ld0000000000000000000000000000000000000",
            submittedAt: "2026-11-26T09:00:00Z",
          },
        ],
      }),
    );
  });

  it("when the only approval was given before the base branch was changed", async () => {
    // The approval is five minutes before the merge; the base changed after it.
    const { comment } = await refused((github) => {
      const pr = addMergedRequest(github);
      github.baseChanges.set(pr, [{ at: "2026-11-26T09:58:00Z" }]);
      return pr;
    });
    expect(comment).toContain("approvals do not hold at the merge commit");
    expect(comment).toContain("the base branch was changed (2026-11-26T09:58:00.000Z)");
  });

  it("when the only approval was given after an admin merged past the check", async () => {
    const { comment } = await refused((github) =>
      addMergedRequest(github, {
        reviews: [
          {
            id: 1,
            user: "sam",
            state: "APPROVED",
            commitId: "bead000000000000000000000000000000000002",
            submittedAt: "2026-11-26T10:00:01Z",
          },
        ],
      }),
    );
    expect(comment).toContain("approvals do not hold at the merge commit");
  });

  it("when the base branch tightened the rules after the pull request was opened", async () => {
    const { comment, ungranted } = await refused((github) => {
      const pr = addMergedRequest(github);
      // The merge commit carries the rules of the base branch at the merge: two SRE approvals.
      const roles = github.trees.get(MERGE_SHA)!.get("policies/roles.yaml")!;
      github.setFiles(MERGE_SHA, {
        "policies/roles.yaml": roles.replace(
          'count: 1\n          from: ["@acme/sre"]',
          'count: 2\n          from: ["@acme/sre"]',
        ),
      });
      return pr;
    });
    expect(comment).toContain("needs 1 more approval");
    // Which approval rule was missing is in git, not only on the PR.
    expect(ungranted?.details?.join("\n")).toContain("needs 1 more approval");
  });

  it("when the request was merged into a branch other than the default branch", async () => {
    const { comment, ungranted } = await refused(
      (github) => {
        const pr = addMergedRequest(github);
        github.pulls.get(pr)!.baseRef = "lax";
        return pr;
      },
      {},
      // No policies were loaded (those of another branch do not count): the issue alone alerts.
      0,
    );
    expect(comment).toContain("must target the default branch");
    // Records live on the default branch, next to merged requests: never on another branch.
    expect(ungranted).toBeUndefined();
  });

  it("when the window ended before the merge", async () => {
    const { comment, ungranted } = await refused((github) =>
      addMergedRequest(github, { yaml: requestYaml({ start: "2026-11-26T07:00:00Z" }) }),
    );
    expect(comment).toContain("has already ended");
    expect(ungranted).toMatchObject({ source: "app", reason: "the grant cannot be made" });
    expect(ungranted?.detail).toContain("has already ended");
  });

  it("when a document would exceed IAM's limits", async () => {
    const { comment } = await refused((github) => addMergedRequest(github), {
      limits: { ...DEFAULT_IAM_LIMITS, trustPolicyChars: 200 },
    });
    expect(comment).toMatch(/trust policy would be \d+ characters/);
  });

  it("when the account is at its role quota", async () => {
    const { comment, ungranted } = await refused((github, aws) => {
      aws.quota = 1000;
      aws.otherRoles = 1000;
      return addMergedRequest(github);
    });
    expect(comment).toContain("holds 1000 of 1000 roles");
    expect(ungranted?.reason).toContain("is at its IAM role quota");
  });

  it("when a role of the planned name exists for something else", async () => {
    const { github, aws, deps } = world();
    const pr = addMergedRequest(github);
    await grantAccess(deps, pr, { now: NOW });
    const name = grantRecord(github).roleName;
    const role = aws.role(name)!;
    role.tags["hallpass:merge-commit"] = "someone-else";
    github.trees.get("main")!.delete(GRANT);
    const outcome = await grantAccess(deps, pr, { now: NOW });
    expect(outcome).toMatchObject({ status: "refused" });
    expect(outcome.status === "refused" && outcome.reason).toContain("already exists");
    expect(aws.role(name)!.tags["hallpass:merge-commit"]).toBe("someone-else");
  });
});

describe("grantAccess alerts Slack through the variable the policies name", () => {
  it("resolves settings.notifications.slackWebhookEnv and sends the alert there", async () => {
    const { github, deps, notified, asked } = world();
    const pr = addMergedRequest(github, { reviews: [] });
    await grantAccess(deps, pr, { now: NOW });
    expect(asked).toEqual(["HALLPASS_SLACK_WEBHOOK"]);
    expect(notified).toEqual([
      expect.stringContaining("approvals do not hold at the merge commit 3e76e00"),
    ]);
    expect(notified[0]).toContain("access-requests/alice-db.yaml");
  });

  it("refuses a merged request whose path is outside the safe set, with no link in the alert", async () => {
    // Such a path is refused by the check (letters, digits, - _ . / only), so an admin merge is
    // refused, and the alert still names it. Policies are not read for a pull request whose
    // contents are refused, so no Slack variable is known: the issue is the alert.
    const { github, deps, notified } = world();
    const path = "access-requests/x`|<!channel>](https://evil.example).yaml";
    const pr = addMergedRequest(github, { reviews: [], path });
    expect(await grantAccess(deps, pr, { now: NOW })).toMatchObject({
      status: "refused",
      reason: expect.stringContaining("has characters other than letters, digits"),
    });
    expect(notified).toEqual([]);
    const [issue] = [...github.issues.values()];
    expect(linksIn(issue!.body)).toEqual([]);
    expect(textOf(issue!.body)).toContain("has characters other than letters, digits");
  });

  it("sends nothing when the named variable is unset, and still opens the alert issue", async () => {
    const { github, deps, notified, asked } = world({});
    const pr = addMergedRequest(github, { reviews: [] });
    expect(await grantAccess(deps, pr, { now: NOW })).toMatchObject({ status: "refused" });
    expect(asked).toEqual(["HALLPASS_SLACK_WEBHOOK"]);
    expect(notified).toEqual([]);
    expect([...github.issues.values()].map((i) => i.labels)).toEqual([["hallpass-alert"]]);
  });

  it("asks for no variable when the policies name none", async () => {
    const { github, deps, notified, asked } = world();
    github.setFiles(BASE_SHA, {
      "policies/settings.yaml": examplePolicyFiles["policies/settings.yaml"],
    });
    const pr = addMergedRequest(github, { reviews: [] });
    expect(await grantAccess(deps, pr, { now: NOW })).toMatchObject({ status: "refused" });
    expect(asked).toEqual([]);
    expect(notified).toEqual([]);
  });

  it("keeps the alert issue when Slack fails", async () => {
    const { github, aws } = world();
    const notifierFor = () => async () => {
      throw new Error("the Slack webhook answered 500");
    };
    const pr = addMergedRequest(github, { reviews: [] });
    expect(await grantAccess({ github, aws, notifierFor }, pr, { now: NOW })).toMatchObject({
      status: "refused",
    });
    expect([...github.issues.values()][0]?.title).toContain("approvals do not hold");
  });

  it("reaches Slack on an unexpected failure after the policies were loaded", async () => {
    const { github, deps, notified } = world();
    const pr = addMergedRequest(github);
    github.fail("upsertComment");
    await expect(grantAccess(deps, pr, { now: NOW })).rejects.toThrow("upsertComment failed");
    expect(notified).toEqual([expect.stringContaining("the grant could not be completed")]);
  });
});

describe("grantAccess records its refusal in git", () => {
  it("writes the same record once when the merge event is delivered again", async () => {
    const { github, deps } = world();
    const pr = addMergedRequest(github, { reviews: [] });
    await grantAccess(deps, pr, { now: NOW });
    const first = file(github, UNGRANTED);
    const again = await grantAccess(deps, pr, { now: new Date("2026-11-26T10:20:00Z") });
    expect(again.status).toBe("refused");
    expect(file(github, UNGRANTED)).toBe(first);
    expect(github.commits.map((c) => c.files.map((f) => f.path))).toEqual([[UNGRANTED]]);
  });

  it("records a changed refusal again, and a later grant leaves the refusal in git beside it", async () => {
    const { github, aws, deps } = world();
    aws.quota = 1000;
    aws.otherRoles = 1000;
    const pr = addMergedRequest(github);
    expect(await grantAccess(deps, pr, { now: NOW })).toMatchObject({ status: "refused" });
    expect(ungrantedRecord(github)?.reason).toContain("role quota");
    aws.otherRoles = 998;
    const later = new Date("2026-11-26T10:05:00Z");
    expect(await grantAccess(deps, pr, { now: later })).toMatchObject({ status: "granted" });
    // The refusal stays: git tells that access was refused first and granted at the redelivery.
    expect(ungrantedRecord(github)?.reportedAt).toBe(NOW.toISOString());
    expect(grantRecord(github).grantedAt).toBe(later.toISOString());
    expect(github.commits.map((c) => c.files.map((f) => f.path))).toEqual([[UNGRANTED], [GRANT]]);
  });

  it("replaces the sweep's generic record with the refusal's reason", async () => {
    const { github, deps } = world();
    const pr = addMergedRequest(github, { reviews: [] });
    github.setFiles("main", {
      [UNGRANTED]: JSON.stringify({
        version: 1,
        requestPath: "access-requests/alice-db.yaml",
        pullRequest: {
          number: 7,
          url: "u",
          mergeCommit: MERGE_SHA,
          mergedAt: "2026-11-26T10:00:00Z",
        },
        reportedAt: "2026-11-26T10:00:05Z",
        detail: "merged, but no grant record",
      }),
    });
    await grantAccess(deps, pr, { now: NOW });
    expect(ungrantedRecord(github)).toMatchObject({ source: "app" });
  });

  it("still comments and alerts, and grants nothing, when the refusal cannot be committed", async () => {
    const { github, aws, deps, notified } = world();
    github.fail("commitFiles", new Error("GitHub said 502"));
    const pr = addMergedRequest(github, { reviews: [] });
    const outcome = await grantAccess(deps, pr, { now: NOW });
    expect(outcome.status).toBe("refused");
    expect(outcome.status === "refused" && outcome.reason).toContain("not recorded in git");
    expect(aws.calls).toEqual([]);
    expect(file(github, UNGRANTED)).toBeUndefined();
    expect(file(github, GRANT)).toBeUndefined();
    const comment = github.comment(pr, GRANT_COMMENT_MARKER)!;
    expect(comment).toContain("approvals do not hold");
    expect(comment).toContain(`could not be recorded in \`${UNGRANTED}\`: GitHub said 502`);
    const issue = [...github.issues.values()][0]!;
    expect(issue.body).toContain("GitHub said 502");
    expect(notified).toHaveLength(1);
  });

  it("writes no refusal record next to a recorded grant it will not re-make", async () => {
    const { github, deps } = world();
    const pr = addMergedRequest(github);
    await grantAccess(deps, pr, { now: NOW });
    const record = grantRecord(github);
    github.setFiles("main", {
      [GRANT]: JSON.stringify({
        ...record,
        planDigest: { ...record.planDigest!, managedPolicyArns: [] },
      }),
    });
    expect(await grantAccess(deps, pr, { now: NOW })).toMatchObject({ status: "refused" });
    expect(file(github, UNGRANTED)).toBeUndefined();
  });
});

describe("grantAccess is never left half-made and unrecorded", () => {
  it("rolls back a role that failed half-way and records the rollback", async () => {
    const { github, aws, deps } = world();
    const halfway: AwsPort = {
      grantStore(account) {
        const store = aws.grantStore(account);
        return {
          ...store,
          ensureRole: async (plan) => {
            await store.ensureRole(plan);
            throw new Error("ServiceFailure: AttachRolePolicy");
          },
        } as GrantStore;
      },
    };
    const pr = addMergedRequest(github);
    const outcome = await grantAccess({ ...deps, aws: halfway }, pr, { now: NOW });
    expect(outcome).toMatchObject({ status: "failed", rolledBack: true });
    expect(aws.roles.size).toBe(0);
    const record = grantRecord(github);
    const revocation = revocationRecordSchema.parse(JSON.parse(file(github, REVOCATION)!));
    expect(revocation).toMatchObject({
      roleArn: record.roleArn,
      reason: "grant-failed",
      revokedBy: "hallpass-app",
    });
    expect(revocation.detail).toContain("ServiceFailure: AttachRolePolicy");
    expect(github.comment(pr, GRANT_COMMENT_MARKER)).toContain("### Access NOT granted");
    expect(github.issues.size).toBe(1);
    // A later redelivery must not bring a rolled-back grant back.
    expect(await grantAccess(deps, pr, { now: NOW })).toMatchObject({ status: "revoked" });
    expect(aws.roles.size).toBe(0);
  });

  /** A grant whose role is created (trust, tags, policies) but then reported failed. */
  function failingHalfway(aws: FakeAwsAccounts, before?: () => void): AwsPort {
    return {
      grantStore(account) {
        const store = aws.grantStore(account);
        return {
          ...store,
          ensureRole: async (plan) => {
            await store.ensureRole(plan);
            before?.();
            throw new Error("ServiceFailure: AttachRolePolicy");
          },
        } as GrantStore;
      },
    };
  }

  function issueBody(github: FakeGitHub): string {
    return [...github.issues.values()][0]!.body;
  }

  it("when the rollback fails before its record, says the sweep keeps the role until its expiry and asks for /hallpass revoke", async () => {
    const { github, aws, deps } = world();
    aws.fail("putInlinePolicy");
    const pr = addMergedRequest(github);
    const outcome = await grantAccess({ ...deps, aws: failingHalfway(aws) }, pr, { now: NOW });
    expect(outcome).toMatchObject({ status: "failed", rolledBack: false });
    const record = grantRecord(github);
    expect(file(github, REVOCATION)).toBeUndefined();
    expect(aws.role(record.roleName)).toBeDefined();

    const expected = [
      "### Access left half-made: the grant failed and could not be rolled back",
      `- creating ${record.roleArn} failed: ServiceFailure: AttachRolePolicy.`,
      "- Rolling it back failed too, before the rollback was recorded (putInlinePolicy failed).",
      `- Do not count on anything else to end it before its expiry: the scheduled sweep does NOT retry the rollback. With \`${GRANT}\` and no revocation in git, it takes the role for a live grant and deletes it at 2026-11-26T12:00:00Z, earlier only if the role differs from its grant record (then as changed by hand, with an alert); if the role was never created, it reports the grant as missing.`,
      `- Until then @alice may be able to assume whatever part of ${record.roleArn} was made; the role's own policies end all access at 2026-11-26T12:00:00Z.`,
      "- To end it now, comment `/hallpass revoke` on this pull request (@alice or anyone who may approve the request can; repeat it if it fails, every step can be re-run). To complete the grant instead, redeliver the merge event (or ask an administrator to).",
    ];
    const comment = github.comment(pr, GRANT_COMMENT_MARKER)!;
    for (const line of expected) expect(comment).toContain(line);
    expect(comment).not.toContain("will retry");
    expect(github.issues.size).toBe(1);
    for (const line of expected.slice(1)) expect(issueBody(github)).toContain(line);

    // And the way out it names works: the command ends the half-made grant and records it.
    expect(
      await releaseGrant(deps, pr, "alice", { now: new Date("2026-11-26T10:05:00Z") }),
    ).toEqual({ status: "revoked", roleArn: record.roleArn });
    expect(aws.role(record.roleName)).toBeUndefined();
    expect(file(github, REVOCATION)).toContain(record.roleArn);
  });

  it("when the rollback fails after its record, says the sessions are denied and the sweep finishes it", async () => {
    const { github, aws, deps } = world();
    aws.fail("deleteRole");
    const pr = addMergedRequest(github);
    const outcome = await grantAccess({ ...deps, aws: failingHalfway(aws) }, pr, { now: NOW });
    expect(outcome).toMatchObject({ status: "failed", rolledBack: false });
    const record = grantRecord(github);
    const revocation = revocationRecordSchema.parse(JSON.parse(file(github, REVOCATION)!));
    expect(revocation).toMatchObject({ roleArn: record.roleArn, reason: "grant-failed" });
    const comment = github.comment(pr, GRANT_COMMENT_MARKER)!;
    expect(comment).toContain(
      `- Rolling it back failed after the rollback was recorded in \`${REVOCATION}\` (deleteRole failed): every session of ${record.roleArn} is denied, but the role is not fully deleted yet.`,
    );
    expect(comment).toContain(
      "- The scheduled sweep deletes it on its next run (a recorded revocation whose role is still there). To finish now, comment `/hallpass revoke`",
    );
    expect(comment).not.toContain("live grant");
    expect(issueBody(github)).toContain("The scheduled sweep deletes it on its next run");
  });

  it("when it cannot tell whether the failed rollback was recorded, says both cases", async () => {
    const { github, aws, deps } = world();
    aws.fail("putInlinePolicy");
    const pr = addMergedRequest(github);
    const halfway = failingHalfway(aws, () => github.fail("getFile", new Error("502 Bad Gateway")));
    const outcome = await grantAccess({ ...deps, aws: halfway }, pr, { now: NOW });
    expect(outcome).toMatchObject({ status: "failed", rolledBack: false });
    const comment = github.comment(pr, GRANT_COMMENT_MARKER)!;
    expect(comment).toContain(
      "- Rolling it back failed too (putInlinePolicy failed), and whether the rollback was recorded could not be read (502 Bad Gateway).",
    );
    expect(comment).toContain(`- If \`${REVOCATION}\` is on main, every session is denied`);
    expect(comment).toContain("it takes the role for a live grant");
    expect(comment).toContain("To end it now, comment `/hallpass revoke`");
  });

  it("creates nothing in AWS when the grant record cannot be committed", async () => {
    const { github, aws, deps } = world();
    github.fail("commitFiles");
    const pr = addMergedRequest(github);
    expect(await grantAccess(deps, pr, { now: NOW })).toMatchObject({ status: "failed" });
    expect(aws.roles.size).toBe(0);
    // A redelivery then completes the grant.
    expect(await grantAccess(deps, pr, { now: NOW })).toMatchObject({ status: "granted" });
    expect(aws.roles.size).toBe(1);
  });

  it("says so on the PR when the account cannot be reached, and records nothing", async () => {
    const { github, aws, deps } = world();
    aws.fail(
      "getRole",
      new Error("cannot assume the broker role arn:aws:iam::123456789012:role/hallpass-broker"),
    );
    const pr = addMergedRequest(github);
    const outcome = await grantAccess(deps, pr, { now: NOW });
    expect(outcome).toMatchObject({ status: "failed", rolledBack: true });
    expect(file(github, GRANT)).toBeUndefined();
    expect(github.comment(pr, GRANT_COMMENT_MARKER)).toContain(
      "### Access NOT granted: AWS could not be reached",
    );
    expect(github.issues.size).toBe(1);
  });

  const steps: [string, (g: FakeGitHub, a: FakeAwsAccounts) => void][] = [
    ["reading the pull request", (g) => g.fail("readPullRequest")],
    ["reading the rules", (g) => g.fail("readPaths")],
    ["reading the teams", (g) => g.fail("listTeamsMembers")],
    ["reading the records", (g) => failRecordsRead(g, new Error("reading the records failed"))],
    ["assuming the broker role", (_, a) => a.fail("grantStore")],
    ["reading the role", (_, a) => a.fail("getRole")],
    ["reading the quota", (_, a) => a.fail("getRoleQuota")],
    ["writing the usage comment", (g) => g.fail("upsertComment")],
  ];
  it.each(steps)("recovers on redelivery after a failure %s", async (_, inject) => {
    const { github, aws, deps } = world();
    const pr = addMergedRequest(github);
    inject(github, aws);
    const first = await grantAccess(deps, pr, { now: NOW }).catch((e: Error) => e);
    // Whatever happened, a role in AWS always has its record in git.
    for (const role of aws.roles.values()) expect(file(github, GRANT)).toContain(role.roleArn);
    void first;
    const again = await grantAccess(deps, pr, { now: new Date("2026-11-26T10:01:00Z") });
    expect(again).toMatchObject({ status: "granted" });
    expect(aws.roles.size).toBe(1);
    expect(github.comment(pr, GRANT_COMMENT_MARKER)).toContain("### Access granted");
  });
});

describe("grantAccess when GitHub cannot be read at the merge", () => {
  it("says so and asks for a redelivery, without blaming the merger", async () => {
    const { github, aws, deps } = world();
    const pr = addMergedRequest(github);
    github.fail("readPaths", new Error("502 Bad Gateway"));
    const outcome = await grantAccess(deps, pr, { now: NOW });
    expect(outcome).toMatchObject({ status: "failed", rolledBack: true });
    expect(aws.roles.size).toBe(0);
    const comment = github.comment(pr, GRANT_COMMENT_MARKER)!;
    expect(comment).toContain("### Access NOT granted: GitHub could not be read");
    expect(comment).toContain("502 Bad Gateway");
    expect(comment).not.toContain("past the hallpass/approval check");
    expect(await grantAccess(deps, pr, { now: NOW })).toMatchObject({ status: "granted" });
  });
});

/** Makes the next read of the grant's records (the one reading `.grant.json`) throw `error`. */
function failRecordsRead(github: FakeGitHub, error: Error): void {
  const readPaths = github.readPaths.bind(github);
  let failed = false;
  github.readPaths = async (reads) => {
    if (!failed && reads.files.some((f) => f.path.endsWith(".grant.json"))) {
      failed = true;
      throw error;
    }
    return readPaths(reads);
  };
}

describe("grantAccess on an unexpected failure", () => {
  it("says so on the PR and raises an alert, then lets the delivery fail for a retry", async () => {
    const { github, aws, deps, notified } = world();
    const pr = addMergedRequest(github);
    failRecordsRead(github, new Error("502 Bad Gateway"));
    await expect(grantAccess(deps, pr, { now: NOW })).rejects.toThrow("502 Bad Gateway");
    expect(aws.roles.size).toBe(0);
    const comment = github.comment(pr, GRANT_ERROR_MARKER)!;
    expect(comment).toContain("### The grant could not be completed");
    expect(comment).toContain("502 Bad Gateway");
    expect([...github.issues.values()][0]?.labels).toEqual(["hallpass-alert"]);
    expect(notified).toHaveLength(1);
  });
});

describe("grantAccess at the merge deadline", () => {
  /**
   * AWS that accepts ensureRole and never answers; `onStall` runs when the call arrives, so a
   * test can reach its deadline exactly there instead of after a real delay that a loaded
   * machine could outlast before the call is even made.
   */
  function stalledAws(aws: FakeAwsAccounts, onStall: () => void = () => {}): AwsPort {
    return {
      grantStore: (account) => ({
        ...aws.grantStore(account),
        ensureRole: () => {
          onStall();
          return new Promise<never>(() => {});
        },
      }),
    };
  }

  function deadlineIn(ms: number, message: string): AbortSignal {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new DeadlineError(message)), ms);
    return controller.signal;
  }

  it("says on the PR and alerts when AWS never answers, and a redelivery finishes the grant", async () => {
    const { github, aws, deps, notified } = world();
    const pr = addMergedRequest(github);
    const deadline = new AbortController();
    const reachDeadline = () =>
      deadline.abort(new DeadlineError("the merge handling reached its deadline (43 s)"));
    const stalled = grantAccess({ ...deps, aws: stalledAws(aws, reachDeadline) }, pr, {
      now: NOW,
      deadline: deadline.signal,
    });
    await expect(stalled).rejects.toThrow("the merge handling reached its deadline (43 s)");
    // The record was committed before the stall: the failure is said, not left silent.
    expect(file(github, GRANT)).toBeDefined();
    expect(aws.roles.size).toBe(0);
    const comment = github.comment(pr, GRANT_ERROR_MARKER)!;
    expect(comment).toContain("### The grant could not be completed");
    expect(comment).toContain("the merge handling reached its deadline (43 s)");
    expect(comment).toContain("Redeliver the merge event");
    expect([...github.issues.values()][0]?.labels).toEqual(["hallpass-alert"]);
    expect(notified).toHaveLength(1);

    expect(await grantAccess(deps, pr, { now: NOW })).toMatchObject({
      status: "granted",
      created: true,
    });
    expect(aws.roles.size).toBe(1);
  });

  it("starts no call once the deadline has passed", async () => {
    const { github, aws, deps } = world();
    const pr = addMergedRequest(github);
    const passed = AbortSignal.abort(new DeadlineError("past the deadline"));
    await expect(grantAccess(deps, pr, { now: NOW, deadline: passed })).rejects.toThrow(
      "past the deadline",
    );
    expect(file(github, GRANT)).toBeUndefined();
    expect(aws.calls).toEqual([]);
    // Telling is not bounded by the work's deadline: the PR still hears why.
    expect(github.comment(pr, GRANT_ERROR_MARKER)).toContain("past the deadline");
  });

  it("gives up telling at the tell deadline when GitHub never answers either", async () => {
    const { github, deps } = world();
    const pr = addMergedRequest(github);
    github.upsertComment = () => new Promise<never>(() => {});
    github.upsertIssue = () => new Promise<never>(() => {});
    await expect(
      grantAccess(deps, pr, {
        now: NOW,
        deadline: AbortSignal.abort(new DeadlineError("past the deadline")),
        tellDeadline: deadlineIn(100, "no time left to tell"),
      }),
    ).rejects.toThrow("past the deadline");
  });
});

describe("grantAccess of a break-glass request", () => {
  const emergencyYaml = `${requestYaml({ role: "db-admin", duration: "1h", ticket: "INC-1" })}emergency: true\n`;

  it("opens the post-incident review issue before the role exists", async () => {
    const { github, aws, deps } = world();
    const pr = addMergedRequest(github, { yaml: emergencyYaml });
    let issuesWhenCreated = -1;
    const wrapped: AwsPort = {
      grantStore(account) {
        const store = aws.grantStore(account);
        return {
          ...store,
          accountId: store.accountId,
          getRole: (n) => store.getRole(n),
          getRoleQuota: () => store.getRoleQuota(),
          ensureRole: async (plan) => {
            issuesWhenCreated = github.issues.size;
            return store.ensureRole(plan);
          },
        } as GrantStore;
      },
    };
    const outcome = await grantAccess({ ...deps, aws: wrapped }, pr, { now: NOW });
    expect(outcome).toMatchObject({ status: "granted", record: { emergency: true } });
    expect(issuesWhenCreated).toBe(1);
    const issue = github.issues.get(postIncidentMarker(pr))!;
    expect(issue.labels).toEqual([POST_INCIDENT_LABEL]);
    expect(issue.body).toContain("@sam");
  });

  // Found by the generated lifecycles: the app's other handler opens the issue on the same
  // delivery, and a failure there left a break-glass grant that nobody was asked to review.
  it("grants nothing when the review issue cannot be opened; the redelivery grants", async () => {
    const { github, aws, deps } = world();
    const pr = addMergedRequest(github, { yaml: emergencyYaml });
    github.fail("upsertIssue", Object.assign(new Error("Server Error"), { status: 502 }));
    const outcome = await grantAccess(deps, pr, { now: NOW });
    expect(outcome).toMatchObject({ status: "failed", rolledBack: true });
    expect(file(github, GRANT)).toBeUndefined();
    expect(aws.roles.size).toBe(0);
    expect(github.comment(pr, GRANT_COMMENT_MARKER)).toContain("post-incident review");

    const again = await grantAccess(deps, pr, { now: NOW });
    expect(again).toMatchObject({ status: "granted", created: true });
    expect(github.issues.has(postIncidentMarker(pr))).toBe(true);
  });

  it("does not open the review issue again on a redelivery that finds its grant record", async () => {
    const { github, deps } = world();
    const pr = addMergedRequest(github, { yaml: emergencyYaml });
    expect(await grantAccess(deps, pr, { now: NOW })).toMatchObject({ status: "granted" });
    // Reviewers ticked the checklist meanwhile; the redelivery must neither undo that nor,
    // when GitHub fails, say that nothing was created beside a live grant.
    github.fail("upsertIssue", Object.assign(new Error("Server Error"), { status: 502 }));
    const again = await grantAccess(deps, pr, { now: NOW });
    expect(again).toMatchObject({ status: "granted", created: false });
    expect(github.calls.filter((c) => c === "upsertIssue")).toHaveLength(1);
  });
});

describe("grantAccess of an extension", () => {
  async function withOldGrant(oldYaml = requestYaml()) {
    const w = world();
    const old = addMergedRequest(w.github, {
      number: 3,
      path: "access-requests/alice-old.yaml",
      yaml: oldYaml,
      mergeSha: "01d0000000000000000000000000000000000000",
      mergedAt: "2026-11-26T09:00:00Z",
      headSha: "01dhead000000000000000000000000000000000",
    });
    await grantAccess(w.deps, old, { now: new Date("2026-11-26T09:00:05Z") });
    const oldRecord = grantRecordSchema.parse(
      JSON.parse(file(w.github, "access-requests/alice-old.grant.json")!),
    );
    return { ...w, oldRecord };
  }

  it("replaces the old grant once the new one exists, without a gap", async () => {
    const { github, aws, deps, oldRecord } = await withOldGrant();
    const pr = addMergedRequest(github, {
      yaml: requestYaml({ extends: "access-requests/alice-old.yaml" }),
    });
    const outcome = await grantAccess(deps, pr, { now: NOW });
    expect(outcome).toMatchObject({
      status: "granted",
      replaced: "access-requests/alice-old.yaml",
    });
    const record = grantRecord(github);
    expect(record.extends).toBe("access-requests/alice-old.yaml");
    expect(aws.role(record.roleName)).toBeDefined();
    expect(aws.role(oldRecord.roleName)).toBeUndefined();
    const revocation = revocationRecordSchema.parse(
      JSON.parse(file(github, "access-requests/alice-old.revocation.json")!),
    );
    expect(revocation).toMatchObject({
      reason: "replaced-by-extension",
      roleArn: oldRecord.roleArn,
    });
    expect(aws.calls.indexOf("ensureRole", 5)).toBeLessThan(aws.calls.lastIndexOf("deleteRole"));
    expect(github.comment(pr, GRANT_COMMENT_MARKER)).toContain(
      "replaces the one of `access-requests/alice-old.yaml`",
    );
  });

  it("keeps the old grant when the extension starts later, so there is no gap", async () => {
    const { github, aws, deps, oldRecord } = await withOldGrant();
    const pr = addMergedRequest(github, {
      yaml: requestYaml({
        extends: "access-requests/alice-old.yaml",
        start: "2026-11-26T10:30:00Z",
      }),
    });
    const outcome = await grantAccess(deps, pr, { now: NOW });
    expect(outcome).toMatchObject({ status: "granted" });
    expect(outcome.status === "granted" && outcome.replaced).toBeUndefined();
    expect(aws.role(oldRecord.roleName)).toBeDefined();
    expect(github.issues.size).toBe(0);
  });

  it("does not revoke someone else's grant named in extends", async () => {
    const { github, aws, deps, oldRecord } = await withOldGrant();
    const pr = addMergedRequest(github, {
      number: 8,
      path: "access-requests/bob-db.yaml",
      author: "bob",
      yaml: requestYaml({ requester: "bob", extends: "access-requests/alice-old.yaml" }),
      headSha: "b0b0000000000000000000000000000000000000",
      mergeSha: "b0bmerge000000000000000000000000000000000",
    });
    const outcome = await grantAccess(deps, pr, { now: NOW });
    expect(outcome).toMatchObject({ status: "granted" });
    expect(aws.role(oldRecord.roleName)).toBeDefined();
    expect([...github.issues.values()][0]!.body).toContain("grant of @alice");
  });
});

describe("grantAccess of a request whose name differs from another's only by its extension", () => {
  // x.yaml and x.yml share their records (x.grant.json): one must never pass for the other.
  it.each(["grant", "revocation"] as const)(
    "refuses when the other request's %s record is there, and leaves that grant alone",
    async (kind) => {
      const w = world();
      const first = addMergedRequest(w.github, {
        number: 3,
        path: "access-requests/alice-db.yml",
        mergeSha: "01d0000000000000000000000000000000000000",
        mergedAt: "2026-11-26T09:00:00Z",
        headSha: "01dhead000000000000000000000000000000000",
      });
      await grantAccess(w.deps, first, { now: new Date("2026-11-26T09:00:05Z") });
      if (kind === "revocation") {
        const { releaseGrant } = await import("../../src/workflows/release-grant.ts");
        await releaseGrant(w.deps, first, "alice", { now: new Date("2026-11-26T09:30:00Z") });
      }
      const roles = w.aws.roles.size;
      const second = addMergedRequest(w.github);
      const outcome = await grantAccess(w.deps, second, { now: NOW });
      expect(outcome.status).toBe("refused");
      expect(w.github.comment(second, GRANT_COMMENT_MARKER)).toContain(
        "access-requests/alice-db.yml",
      );
      expect(w.aws.roles.size).toBe(roles);
      // The shared stem's records are the other request's: no refusal is written there.
      expect(file(w.github, UNGRANTED)).toBeUndefined();
    },
  );
});

describe("grantAccess and what the role holds", () => {
  it("records the digest of the role it made, which the role then matches", async () => {
    const { github, aws, deps } = world();
    await grantAccess(deps, addMergedRequest(github), { now: NOW });
    const record = grantRecord(github);
    expect(record.planDigest?.managedPolicyArns).toEqual([
      "arn:aws:iam::aws:policy/ReadOnlyAccess",
    ]);
    const [held] = await aws.grantStore(ACCOUNT_TARGET).listGrantRoles();
    expect(describeDocumentDrift(held!.documents!, record.planDigest!)).toEqual([]);
  });

  it("puts back, and alerts on, the same grant's role changed by hand before a redelivery", async () => {
    const { github, aws, deps, notified } = world();
    const pr = addMergedRequest(github);
    await grantAccess(deps, pr, { now: NOW });
    const role = aws.role(grantRecord(github).roleName)!;
    role.managed.add("arn:aws:iam::aws:policy/AdministratorAccess");
    const again = await grantAccess(deps, pr, { now: new Date("2026-11-26T10:03:00Z") });
    expect(again).toMatchObject({ status: "granted", created: false });
    expect([...role.managed]).toEqual(["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
    const issue = [...github.issues.values()][0]!;
    expect(issue.body).toContain(
      "managed policy arn:aws:iam::aws:policy/AdministratorAccess detached",
    );
    expect(notified.join("\n")).toContain("the grant role had been changed by hand");
  });

  it("refuses to re-make a recorded grant whose documents policies/ no longer gives", async () => {
    const { github, aws, deps } = world();
    const pr = addMergedRequest(github);
    await grantAccess(deps, pr, { now: NOW });
    const record = grantRecord(github);
    const tampered = {
      ...record,
      planDigest: { ...record.planDigest!, managedPolicyArns: [] },
    };
    github.setFiles("main", { [GRANT]: JSON.stringify(tampered) });
    aws.calls.length = 0;
    const again = await grantAccess(deps, pr, { now: new Date("2026-11-26T10:03:00Z") });
    expect(again).toMatchObject({ status: "refused" });
    expect(aws.calls).toEqual([]);
  });
});

describe("grantAccess after the fact", () => {
  it("does not grant again once revoked", async () => {
    const { github, aws, deps } = world();
    const pr = addMergedRequest(github);
    github.setFiles("main", { [REVOCATION]: "{}" });
    expect(await grantAccess(deps, pr, { now: NOW })).toMatchObject({ status: "revoked" });
    expect(aws.calls).toEqual([]);
  });

  it("changes nothing when the recorded window has ended", async () => {
    const { github, aws, deps } = world();
    const pr = addMergedRequest(github);
    await grantAccess(deps, pr, { now: NOW });
    aws.calls.length = 0;
    const later = await grantAccess(deps, pr, { now: new Date("2026-11-26T12:00:00Z") });
    expect(later).toMatchObject({ status: "granted", created: false });
    expect(aws.calls).toEqual([]);
  });

  it("never grants on an unreadable grant record", async () => {
    const { github, aws, deps } = world();
    const pr = addMergedRequest(github);
    github.setFiles("main", { [GRANT]: "not json" });
    expect(await grantAccess(deps, pr, { now: NOW })).toMatchObject({ status: "refused" });
    expect(aws.roles.size).toBe(0);
  });
});
