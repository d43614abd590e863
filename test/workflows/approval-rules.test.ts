import { describe, expect, it } from "vitest";
import { renderCheck } from "../../src/core/approval/render-check.ts";
import { grantRecordSchema, ungrantedRecordSchema } from "../../src/core/grant/records.ts";
import { evaluatePullRequest } from "../../src/workflows/evaluate-pull-request.ts";
import { grantAccess } from "../../src/workflows/grant-access.ts";
import { examplePolicyFiles } from "../support/example-policies.ts";
import { FakeGitHub } from "../support/fake-github.ts";
import { FakeAwsAccounts } from "../support/fake-grant-store.ts";
import {
  addMergedRequest,
  BASE_SHA,
  CODEOWNERS,
  HEAD_SHA,
  MERGE_SHA,
  requestYaml,
} from "../support/merged-request.ts";

const NOW = new Date("2026-11-26T10:00:10Z");
const PATH = "access-requests/alice-db.yaml";
const GRANT = "access-requests/alice-db.grant.json";

/** The example roles with prod-readonly opting in to approval without review. */
const ROLES_WITH_RULES = examplePolicyFiles["policies/roles.yaml"].replace(
  "    maxDuration: 8h\n",
  "    maxDuration: 8h\n    autoApproval:\n      maxDuration: 30m\n    extension:\n      withoutApproval: 1h\n",
);

/** A repository whose base commit has `roles` and `settings` (the example's by default). */
function world(files: Record<string, string> = {}) {
  const github = new FakeGitHub();
  github.setFiles(BASE_SHA, {
    ...examplePolicyFiles,
    "policies/roles.yaml": ROLES_WITH_RULES,
    ".github/CODEOWNERS": CODEOWNERS,
    ...files,
  });
  const aws = new FakeAwsAccounts();
  return { github, aws, deps: { github, aws } };
}

function ungranted(github: FakeGitHub) {
  const text = github.trees.get("main")?.get("access-requests/alice-db.ungranted.json");
  return text === undefined ? undefined : ungrantedRecordSchema.parse(JSON.parse(text));
}

describe("auto-approval of a short request (role autoApproval)", () => {
  it("turns the check green without a review and says which rule and limit", async () => {
    const { github } = world();
    const pr = addMergedRequest(github, {
      merged: false,
      yaml: requestYaml({ duration: "30m" }),
      reviews: [],
    });
    const evaluation = await evaluatePullRequest(github, pr, { now: NOW });
    expect(evaluation.status).toBe("approved");
    expect(evaluation.title).toBe("Approved without review: auto-approval up to 30m");
    const check = renderCheck(evaluation);
    expect(check.conclusion).toBe("success");
    expect(check.summary).toContain(
      "Role `prod-readonly` approves a request of up to 30m without review (`autoApproval` in `policies/`, rule auto-approval up to 30m)",
    );
  });

  it("says on the check why a longer request needs approvals", async () => {
    const { github } = world();
    const pr = addMergedRequest(github, { merged: false, reviews: [] });
    const evaluation = await evaluatePullRequest(github, pr, { now: NOW });
    expect(evaluation.status).toBe("pending");
    expect(renderCheck(evaluation).summary).toContain(
      "approval without review does not apply: it covers up to 30m and this request asks for 2h.",
    );
  });

  it("grants at the merge, recording the rule instead of approvals", async () => {
    const { github, aws, deps } = world();
    const pr = addMergedRequest(github, { yaml: requestYaml({ duration: "30m" }), reviews: [] });
    const outcome = await grantAccess(deps, pr, { now: NOW });
    expect(outcome.status).toBe("granted");
    const record = grantRecordSchema.parse(JSON.parse(github.trees.get("main")!.get(GRANT)!));
    expect(record.approvals).toEqual([]);
    expect(record.autoApproval).toEqual({
      kind: "auto-approval",
      rule: "auto-approval up to 30m",
      limit: "30m",
    });
    expect(aws.role(record.roleName)).toBeDefined();
    expect(github.commits.at(-1)?.message).toContain(
      "Approved without review by the policy rule: auto-approval up to 30m",
    );
  });

  it("refuses at the merge a request over the limit merged past the check", async () => {
    const { github, aws, deps } = world();
    const pr = addMergedRequest(github, { yaml: requestYaml({ duration: "31m" }), reviews: [] });
    const outcome = await grantAccess(deps, pr, { now: NOW });
    expect(outcome.status).toBe("refused");
    expect([...aws.roles.keys()]).toEqual([]);
    expect(ungranted(github)?.reason).toContain("approvals do not hold at the merge commit");
  });

  it("refuses at the merge when the role dropped auto-approval at the base before the merge", async () => {
    const { github, aws, deps } = world();
    const pr = addMergedRequest(github, { yaml: requestYaml({ duration: "30m" }), reviews: [] });
    // The merge commit holds the policies as they were on main when it merged.
    github.setFiles(MERGE_SHA, {
      "policies/roles.yaml": examplePolicyFiles["policies/roles.yaml"],
    });
    const outcome = await grantAccess(deps, pr, { now: NOW });
    expect(outcome.status).toBe("refused");
    expect([...aws.roles.keys()]).toEqual([]);
  });

  it("never auto-approves a pull request that also changes CODEOWNERS", async () => {
    const { github } = world();
    const pr = addMergedRequest(github, {
      merged: false,
      yaml: requestYaml({ duration: "30m" }),
      reviews: [],
    });
    github.pullFiles.set(pr, [
      { path: PATH, status: "added" },
      { path: ".github/CODEOWNERS", status: "modified" },
    ]);
    const evaluation = await evaluatePullRequest(github, pr, { now: NOW });
    expect(evaluation.status).toBe("error");
  });

  it("never auto-approves a requester the role does not make eligible", async () => {
    const roles = ROLES_WITH_RULES.replace(
      "    autoApproval:\n",
      '    eligible: ["@bob"]\n    autoApproval:\n',
    );
    const { github } = world({ "policies/roles.yaml": roles });
    const pr = addMergedRequest(github, {
      merged: false,
      yaml: requestYaml({ duration: "30m" }),
      reviews: [],
    });
    const evaluation = await evaluatePullRequest(github, pr, { now: NOW });
    expect(evaluation.status).toBe("error");
    expect(evaluation.title).toBe("@alice may not request prod-readonly");
  });
});

describe("approvals that age out (settings.approvalMaxAge, approval.maxAge)", () => {
  const SETTINGS = `${examplePolicyFiles["policies/settings.yaml"]}  approvalMaxAge: 1d\n`;

  it("refuses a merge weeks after the approval, naming the expired approval", async () => {
    const { github, aws, deps } = world({ "policies/settings.yaml": SETTINGS });
    const pr = addMergedRequest(github, {
      reviews: [
        {
          id: 9001,
          user: "sam",
          state: "APPROVED",
          commitId: HEAD_SHA,
          submittedAt: "2026-11-05T09:55:00Z",
        },
      ],
    });
    const outcome = await grantAccess(deps, pr, { now: NOW });
    expect(outcome.status).toBe("refused");
    expect([...aws.roles.keys()]).toEqual([]);
    expect(ungranted(github)?.details?.join("\n")).toContain(
      "1 approval expired (approvals count for 1d): @sam's at 2026-11-06T09:55:00.000Z",
    );
  });

  it("grants when the approval is younger than the age at the merge", async () => {
    const { github, deps } = world({ "policies/settings.yaml": SETTINGS });
    const pr = addMergedRequest(github);
    expect((await grantAccess(deps, pr, { now: NOW })).status).toBe("granted");
  });

  it("measures an open request's approvals against the evaluation's clock", async () => {
    const { github } = world({ "policies/settings.yaml": SETTINGS });
    const pr = addMergedRequest(github, { merged: false });
    const fresh = await evaluatePullRequest(github, pr, { now: NOW });
    expect(fresh.status).toBe("approved");
    const later = await evaluatePullRequest(github, pr, {
      now: new Date("2026-11-27T09:55:00Z"),
    });
    expect(later.status).toBe("pending");
    expect(renderCheck(later).summary).toContain(
      "@sam's review does not count: approved at 2026-11-26T09:55:00Z, which expired at 2026-11-27T09:55:00.000Z (approvals count for 1d); approve again",
    );
  });

  it("lets a role's approval.maxAge override the settings", async () => {
    const roles = ROLES_WITH_RULES.replace(
      '        - count: 1\n          from: ["@acme/sre"]\n',
      '        - count: 1\n          from: ["@acme/sre"]\n      maxAge: 2m\n',
    );
    const { github, deps } = world({
      "policies/settings.yaml": SETTINGS,
      "policies/roles.yaml": roles,
    });
    const pr = addMergedRequest(github);
    expect((await grantAccess(deps, pr, { now: NOW })).status).toBe("refused");
  });
});
