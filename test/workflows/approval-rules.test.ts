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

  it("says on an open request's green check until when its approvals count, for the sweep too", async () => {
    const { github } = world({ "policies/settings.yaml": SETTINGS });
    const pr = addMergedRequest(github, { merged: false });
    const evaluation = await evaluatePullRequest(github, pr, { now: NOW });
    expect(evaluation.title).toBe(
      "Approved by @sam; the approvals count until 2026-11-27T09:55:00.000Z",
    );
    const check = renderCheck(evaluation);
    expect(check.conclusion).toBe("success");
    expect(check.summary).toContain(
      "These approvals count until **2026-11-27T09:55:00.000Z**: then an approval ages out",
    );
    expect(check.externalId).toBe("hallpass:approved-until:2026-11-27T09:55:00.000Z");
  });

  it("says nothing of an age on a check without a limit, and clears an earlier one", async () => {
    const { github } = world();
    const pr = addMergedRequest(github, { merged: false });
    const evaluation = await evaluatePullRequest(github, pr, { now: NOW });
    expect(evaluation.title).toBe("Approved by @sam");
    const check = renderCheck(evaluation);
    expect(check.summary).not.toContain("count until");
    expect(check.externalId).toBe("");
  });

  it("measures an emergency request's approvals by break-glass's own maxAge", async () => {
    const roles = examplePolicyFiles["policies/roles.yaml"].replace(
      "      maxDuration: 1h\n      approval:\n        rules:\n          - count: 1\n",
      "      maxDuration: 1h\n      approval:\n        maxAge: 30m\n        rules:\n          - count: 1\n",
    );
    expect(roles).toContain("maxAge: 30m");
    const { github } = world({ "policies/settings.yaml": SETTINGS, "policies/roles.yaml": roles });
    const yaml = `${requestYaml({ role: "db-admin", duration: "1h", ticket: "INC-1" })}emergency: true\n`;
    const pr = addMergedRequest(github, { merged: false, yaml });
    const evaluation = await evaluatePullRequest(github, pr, { now: NOW });
    expect(evaluation.title).toBe(
      "BREAK-GLASS: Approved by @sam; the approvals count until 2026-11-26T10:25:00.000Z",
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

describe("extension without approval (role extension.withoutApproval)", () => {
  const ORIGINAL = "access-requests/alice-old.yaml";

  /** Alice's reviewed request, merged at 09:00 (the grant the extensions extend, once granted). */
  function addOriginal(github: ReturnType<typeof world>["github"]) {
    return addMergedRequest(github, {
      number: 3,
      path: ORIGINAL,
      mergeSha: "01d0000000000000000000000000000000000000",
      mergedAt: "2026-11-26T09:00:00Z",
      headSha: "01dhead000000000000000000000000000000000",
    });
  }

  /** Alice's reviewed grant, live until 11:00, then her first free extension of it. */
  async function withFreeExtension(firstStart: string) {
    const w = world();
    const old = addOriginal(w.github);
    expect((await grantAccess(w.deps, old, { now: new Date("2026-11-26T09:00:05Z") })).status).toBe(
      "granted",
    );
    const first = addMergedRequest(w.github, {
      number: 4,
      path: "access-requests/alice-ext1.yaml",
      yaml: requestYaml({ duration: "1h", extends: ORIGINAL, start: firstStart }),
      reviews: [],
      mergeSha: "e1e1000000000000000000000000000000000000",
      mergedAt: "2026-11-26T09:30:00Z",
      headSha: "e1e1head00000000000000000000000000000000",
    });
    expect(
      (await grantAccess(w.deps, first, { now: new Date("2026-11-26T09:30:05Z") })).status,
    ).toBe("granted");
    return w;
  }

  /** A second extension of the same grant, free if nothing else stopped it. */
  function addSecond(
    github: FakeGitHub,
    merged: boolean,
    path = "access-requests/alice-ext2.yaml",
  ) {
    // Opened on main as it is now, with the records the grants wrote.
    github.copyTree("main", BASE_SHA);
    return addMergedRequest(github, {
      number: 5,
      merged,
      path,
      yaml: requestYaml({ duration: "1h", extends: ORIGINAL }),
      reviews: [],
      mergeSha: "e2e2000000000000000000000000000000000000",
      headSha: "e2e2head00000000000000000000000000000000",
    });
  }

  it("approves the first extension of a live grant without review", async () => {
    const { github } = world();
    const old = addOriginal(github);
    await grantAccess({ github, aws: new FakeAwsAccounts() }, old, {
      now: new Date("2026-11-26T09:00:05Z"),
    });
    const pr = addSecond(github, false);
    const evaluation = await evaluatePullRequest(github, pr, { now: NOW });
    expect(evaluation.status).toBe("approved");
  });

  it("grants no free extension whose grant run comes after the grant it extends was revoked", async () => {
    const { github } = world();
    const aws = new FakeAwsAccounts();
    const old = addOriginal(github);
    await grantAccess({ github, aws }, old, { now: new Date("2026-11-26T09:00:05Z") });
    // Merged while the grant was live; the sweep revoked it for an alert before the grant ran
    // (a failed first try, a redelivery by hand).
    const merged = addSecond(github, true);
    github.trees.get("main")!.set(
      "access-requests/alice-old.revocation.json",
      JSON.stringify({
        version: 1,
        requestPath: ORIGINAL,
        roleArn: "arn:aws:iam::123456789012:role/hallpass/x",
        revokedAt: "2026-11-26T09:40:00Z",
        reason: "alert",
        revokedBy: "hallpass-action",
      }),
    );
    const outcome = await grantAccess({ github, aws }, merged, { now: NOW });
    expect(outcome.status).toBe("refused");
    expect(github.comment(merged, "<!-- hallpass:grant -->") ?? "").toContain("was revoked (alert");
  });

  // The first extension starts later (or its replacement failed), so the grant it extends stays
  // live: a second extension of it was again "the first" and approved without review.
  it.each([
    ["starts later, leaving the grant live", "2026-11-26T10:30:00Z"],
    ["started at once", "2026-11-26T09:30:00Z"],
  ])("refuses a second free extension of one grant whose first %s", async (_, start) => {
    const { github, deps } = await withFreeExtension(start);
    if (start === "2026-11-26T09:30:00Z") {
      // As if replacing the extended grant had failed: its revocation was never recorded.
      github.trees.get("main")!.delete("access-requests/alice-old.revocation.json");
    }
    const open = addSecond(github, false);
    const evaluation = await evaluatePullRequest(github, open, { now: NOW });
    expect(evaluation.status).toBe("pending");
    expect(evaluation.autoApprovalNote).toContain("access-requests/alice-ext1.yaml");
    const merged = addSecond(github, true);
    const outcome = await grantAccess(deps, merged, { now: NOW });
    expect(outcome.status).toBe("refused");
  });

  it("looks for the first extension in the requester's directory too, where /hallpass extend writes it", async () => {
    const { github } = await withFreeExtension("2026-11-26T10:30:00Z");
    const first = github.trees.get("main")!;
    // The first extension, moved to access-requests/alice/ with its record.
    for (const [from, to] of [
      ["access-requests/alice-ext1.yaml", "access-requests/alice/ext1.yaml"],
      ["access-requests/alice-ext1.grant.json", "access-requests/alice/ext1.grant.json"],
    ] as const) {
      first.set(to, first.get(from)!);
      first.delete(from);
    }
    const evaluation = await evaluatePullRequest(github, addSecond(github, false), { now: NOW });
    expect(evaluation.status).toBe("pending");
    expect(evaluation.autoApprovalNote).toContain("access-requests/alice/ext1.yaml");
  });

  it("lists no directory when the extension is refused for another reason", async () => {
    const { github } = await withFreeExtension("2026-11-26T10:30:00Z");
    github.copyTree("main", BASE_SHA);
    const pr = addMergedRequest(github, {
      number: 5,
      merged: false,
      path: "access-requests/alice-ext2.yaml",
      // Longer than the hour a free extension may take: it needs approvals whatever is beside it.
      yaml: requestYaml({ duration: "2h", extends: ORIGINAL }),
      reviews: [],
      mergeSha: "e2e2000000000000000000000000000000000000",
      headSha: "e2e2head00000000000000000000000000000000",
    });
    const listings = () => github.calls.filter((c) => c === "listFiles").length;
    const before = listings();
    const evaluation = await evaluatePullRequest(github, pr, { now: NOW });
    expect(evaluation.autoApprovalNote).toContain("covers up to 1h");
    expect(listings() - before).toBe(0);
  });

  it("fails the evaluation, to be run again, when the grant's directory cannot be listed", async () => {
    const { github } = await withFreeExtension("2026-11-26T10:30:00Z");
    const pr = addSecond(github, false);
    github.fail("listFiles");
    const evaluation = await evaluatePullRequest(github, pr, { now: NOW });
    expect(evaluation.status).toBe("error");
    expect(evaluation.apiError).toBe("listFiles failed");
  });

  it("does not refuse a free extension for good when a listing fails at the merge: the grant fails, to be redelivered", async () => {
    const { github } = await withFreeExtension("2026-11-26T10:30:00Z");
    const merged = addSecond(github, true);
    github.fail("listFiles");
    const aws = new FakeAwsAccounts();
    await expect(grantAccess({ github, aws }, merged, { now: NOW })).resolves.toMatchObject({
      status: "failed",
    });
    // No refusal was recorded: the redelivery decides afresh.
    expect([...github.trees.get("main")!.keys()].some((p) => p.endsWith(".ungranted.json"))).toBe(
      false,
    );
  });

  it("refuses a free extension that sits in another directory than the grant it extends", async () => {
    const { github } = await withFreeExtension("2026-11-26T10:30:00Z");
    const pr = addSecond(github, false, "access-requests/elsewhere/alice-ext2.yaml");
    const evaluation = await evaluatePullRequest(github, pr, { now: NOW });
    expect(evaluation.status).toBe("pending");
    expect(evaluation.autoApprovalNote).toContain("same directory");
  });
});
