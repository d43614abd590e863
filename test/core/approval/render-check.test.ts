import { describe, expect, it } from "vitest";
import { type DecisionStatus, decideApproval } from "../../../src/core/approval/decide-approval.ts";
import type { PullRequestEvaluation } from "../../../src/core/approval/pull-request-evaluation.ts";
import { renderCheck } from "../../../src/core/approval/render-check.ts";
import {
  REVIEW_REQUEST_MARKER,
  renderReviewRequest,
} from "../../../src/core/approval/render-review-request.ts";
import {
  REMINDER_MARKER,
  renderReminderComment,
} from "../../../src/core/notify/render-notice-comments.ts";
import { type Owner, parseOwner } from "../../../src/core/policy/codeowners.ts";
import type { Role } from "../../../src/core/policy/policy-format.ts";
import { renderPostIncidentIssue } from "../../../src/core/sweep/render-post-incident-issue.ts";
import { linksIn, renderMarkdown, tableRows, textOf } from "../../support/render-markdown.ts";

const HEAD = "a".repeat(40);
const owners = ["@acme/dba", "@carol", "@other-org/sec", "@alice"].map(
  (t) => parseOwner(t) as Owner,
);
const role: Role = {
  description: "Administer the databases.",
  accounts: ["production"],
  maxDuration: "4h",
  permissions: { managedPolicies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
  approval: { rules: [{ count: 1 }] },
};

function evaluation(
  status: DecisionStatus,
  overrides: Partial<PullRequestEvaluation> = {},
): PullRequestEvaluation {
  const decision = decideApproval({
    requestPath: "access-requests/a.yaml",
    headSha: HEAD,
    requester: "alice",
    author: "alice",
    pushers: [],
    reviews: [],
    owners,
    teamMembers: { "acme/dba": ["dan"] },
    approval: role.approval,
  });
  return {
    status,
    title: "Title",
    reasons: ["rule 1: needs 1 more approval"],
    pullRequest: {
      number: 7,
      url: "https://github.com/acme/access/pull/7",
      state: "open",
      draft: false,
      author: "alice",
      title: "t",
      headSha: HEAD,
      baseSha: "b".repeat(40),
      baseRef: "main",
      merged: false,
      mergeCommitSha: null,
      mergedAt: null,
      mergedBy: null,
    },
    requestPath: "access-requests/a.yaml",
    request: {
      path: "access-requests/a.yaml",
      request: {
        requester: "alice",
        role: "db-admin",
        account: "production",
        duration: "2h",
        reason: "Fix the <b>broken</b> | table, ping @acme/everyone",
      },
      durationSeconds: 7200,
      start: undefined,
      role,
      account: {
        id: "123456789012",
        brokerRole: "arn:aws:iam::123456789012:role/b",
        regions: ["eu-west-1"],
      },
      identity: { awsPrincipal: "arn:aws:iam::123456789012:user/alice" },
      emergency: false,
    },
    policies: undefined,
    decision,
    approvals: [],
    problems: [],
    baseProblems: [],
    owners: { file: "CODEOWNERS", line: 2, pattern: "/access-requests/", owners },
    ...overrides,
  };
}

describe("renderCheck", () => {
  it.each([
    ["skipped", "neutral"],
    ["pending", "action_required"],
    ["approved", "success"],
    ["disapproved", "failure"],
    ["error", "failure"],
  ] as const)("renders %s as a completed check with conclusion %s", (status, conclusion) => {
    const output = renderCheck(evaluation(status));
    expect(output.status).toBe("completed");
    expect(output.conclusion).toBe(conclusion);
  });

  it("shows the request in plain words, escaping what the requester wrote", () => {
    const { summary } = renderCheck(evaluation("pending"));
    expect(summary).toContain(
      "**@alice** asks for **db-admin** in **production** (123456789012) for **2h**, starting when merged.",
    );
    expect(summary).toContain("Fix the \\<b\\>broken\\</b\\> \\| table");
    expect(summary).toContain("- managed policy `arn:aws:iam::aws:policy/ReadOnlyAccess`");
    expect(summary).toContain("| rule 1: 1 from code owners | 1 | — | @carol, @dan | missing 1 |");
    expect(summary).toContain("@alice cannot approve: is the requester");
  });

  it("warns reviewers, on a line of its own, of every persistence class the role opts into", () => {
    const base = evaluation("pending");
    const optedIn = { ...role, allowPersistence: ["resource-policies", "federation"] as const };
    const { summary } = renderCheck({
      ...base,
      request: {
        ...base.request!,
        role: { ...optedIn, allowPersistence: [...optedIn.allowPersistence] },
      },
    });
    const lines = summary.split("\n");
    const warning = lines.indexOf("> [!WARNING]");
    expect(warning).toBeGreaterThanOrEqual(0);
    expect(lines[warning + 1]).toContain("**Access that can outlive the grant.**");
    expect(lines[warning + 1]).toContain("`db-admin`");
    expect(lines).toContainEqual(expect.stringMatching(/^> - `federation`: identity providers/));
    expect(lines).toContainEqual(
      expect.stringMatching(/^> - `resource-policies`: resource policies that can admit outside/),
    );
  });

  it("shows no persistence warning for a role that opts into nothing", () => {
    expect(renderCheck(evaluation("pending")).summary).not.toContain("outlive the grant");
  });

  it("shows an approval the rules did not need, as each approval counts for one rule", () => {
    const decision = decideApproval({
      requestPath: "access-requests/a.yaml",
      headSha: HEAD,
      requester: "alice",
      author: "alice",
      pushers: [],
      reviews: ["carol", "dan"].map((user, i) => ({
        id: i + 1,
        user,
        state: "APPROVED" as const,
        commitId: HEAD,
        submittedAt: `2026-11-26T10:0${i}:00Z`,
      })),
      owners,
      teamMembers: { "acme/dba": ["dan"] },
      approval: role.approval,
    });
    const { summary } = renderCheck(evaluation("approved", { decision }));
    expect(summary).toContain("| rule 1: 1 from code owners | 1 | @carol | — | ✅ |");
    expect(summary).toContain(
      "- @dan's approval was not needed: every rule of their group has enough approvals from others (one person's approval counts for one rule only)",
    );
  });

  it("turns request-file problems into annotations at their line", () => {
    const output = renderCheck(
      evaluation("error", {
        problems: [
          {
            file: "access-requests/a.yaml",
            line: 4,
            column: 11,
            field: "duration",
            severity: "error",
            message: "too long",
          },
          {
            file: "access-requests/a.yaml",
            line: 6,
            column: 1,
            severity: "warning",
            message: "hmm",
          },
        ],
      }),
    );
    expect(output.annotations).toEqual([
      {
        path: "access-requests/a.yaml",
        startLine: 4,
        endLine: 4,
        level: "failure",
        message: "too long",
        title: "duration",
      },
      {
        path: "access-requests/a.yaml",
        startLine: 6,
        endLine: 6,
        level: "warning",
        message: "hmm",
      },
    ]);
  });
});

describe("renderCheck with hostile values", () => {
  it("keeps paths, names, ARNs and problems in their code spans and cells, linking nowhere", () => {
    const base = evaluation("pending");
    const hostileRole: Role = {
      ...role,
      permissions: {
        managedPolicies: ["arn:aws:iam::aws:policy/a`b"],
        statements: [
          {
            effect: "Allow",
            actions: ["s3:Get*"],
            resources: ["arn:aws:s3:::x`](https://evil.example)"],
          },
        ],
      },
    };
    const path = "access-requests/a`b) [c](https://evil.example).yaml";
    const { summary } = renderCheck({
      ...base,
      requestPath: path,
      request: {
        ...base.request!,
        role: hostileRole,
        request: {
          ...base.request!.request,
          role: "db`admin",
          extends: "access-requests/old|`x`.yaml",
          reason: "see [here](https://evil.example) ![p](https://evil.example/p.png)",
        },
      },
      problems: [
        { file: path, line: 3, column: 1, severity: "error", message: "unknown role `x` ](y)" },
      ],
    });
    expect(linksIn(summary)).toEqual([]);
    expect(renderMarkdown(summary)).not.toContain("<img");
    const text = textOf(summary);
    expect(text).toContain("What role db`admin allows");
    expect(text).toContain("managed policy arn:aws:iam::aws:policy/a`b");
    expect(text).toContain("Allow s3:Get* on arn:aws:s3:::x`](https://evil.example)");
    expect(text).toContain(`Code owners of ${path}:`);
    expect(text).toContain(`${path}:3:1: error: unknown role \`x\` ](y)`);
    expect(tableRows(summary).find((r) => r[0] === "Extends")).toEqual([
      "Extends",
      "access-requests/old|`x`.yaml",
    ]);
  });
});

describe("renderReviewRequest", () => {
  it("asks the owners, never the requester, and requests only teams of the repository's org", () => {
    const ask = renderReviewRequest(evaluation("pending"), "acme");
    expect(ask?.users).toEqual(["carol"]);
    expect(ask?.teams).toEqual(["dba"]);
    expect(ask?.body).toContain("ping @\u200bacme/everyone");
  });

  it("does not ping the requester, who cannot approve, but names them", () => {
    // alice is a code owner and the requester.
    const body = renderReviewRequest(evaluation("pending"), "acme")!.body;
    expect(body).not.toMatch(/@alice\b/);
    expect(body).toContain("@acme/dba @carol @other-org/sec: alice asks for **db-admin**");
  });

  it("says what is still missing, not each rule's full count", () => {
    const approval = {
      rules: [
        { name: "two dbas", count: 2 },
        { name: "security", count: 1, from: ["@other-org/sec"] },
      ],
    };
    const decision = decideApproval({
      requestPath: "access-requests/a.yaml",
      headSha: HEAD,
      requester: "alice",
      author: "alice",
      pushers: [],
      reviews: [
        {
          id: 1,
          user: "carol",
          state: "APPROVED",
          commitId: HEAD,
          submittedAt: "2026-11-26T10:00:00Z",
        },
      ],
      owners,
      teamMembers: { "acme/dba": ["dan"], "other-org/sec": ["sam"] },
      approval,
    });
    const body = renderReviewRequest(evaluation("pending", { decision }), "acme")!.body;
    const still = body.slice(body.indexOf("Still missing:"), body.indexOf("\n\nApprove in"));
    expect(still.split("\n")).toEqual([
      "Still missing:",
      "- two dbas: 1 more approval (can approve: @dan, @sam)",
      "- security: 1 more approval (can approve: @sam)",
    ]);
  });

  it("escapes the request's words and names", () => {
    const base = evaluation("pending");
    const body = renderReviewRequest(
      {
        ...base,
        request: {
          ...base.request!,
          request: {
            ...base.request!.request,
            requester: "alice](https://evil.example)",
            role: "db*admin*",
            reason: "line\n# heading [x](https://evil.example) @acme/admins",
          },
        },
      },
      "acme",
    )!.body;
    expect(linksIn(body)).toEqual([]);
    expect(renderMarkdown(body)).not.toMatch(/<h1|<em/);
    expect(body).not.toContain("@acme/admins");
  });

  it.each([
    ["a request", false, "### Access request: please review"],
    ["a break-glass request", true, "### 🚨 Break-glass access request: please review now"],
  ])(
    "reminds of %s with every line of its review request but the marker and heading",
    (_, emergency, heading) => {
      const base = evaluation("pending");
      const pending = { ...base, request: { ...base.request!, emergency } };
      const ask = renderReviewRequest(pending, "acme")!;
      const reminder = renderReminderComment(pending, "acme", 3 * 86_400)!;
      const asked = ask.body.split("\n");
      expect(asked.slice(0, 2)).toEqual([REVIEW_REQUEST_MARKER, heading]);
      expect(reminder.body.split("\n")).toEqual([
        REMINDER_MARKER,
        "### ⏰ Reminder: this access request has waited 3d without a review",
        ...asked.slice(2),
      ]);
      expect(reminder.body).toContain("alice asks for **db-admin**");
      expect({ users: reminder.users, teams: reminder.teams }).toEqual({
        users: ask.users,
        teams: ask.teams,
      });
    },
  );

  it("asks nothing once approved or when the request is invalid", () => {
    expect(renderReviewRequest(evaluation("approved"), "acme")).toBeUndefined();
    expect(
      renderReviewRequest(evaluation("error", { request: undefined }), "acme"),
    ).toBeUndefined();
  });
});

describe("renderPostIncidentIssue", () => {
  it("escapes the requester's words and names in the follow-up issue", () => {
    const base = evaluation("approved");
    const issue = renderPostIncidentIssue({
      ...base,
      request: {
        ...base.request!,
        emergency: true,
        request: {
          ...base.request!.request,
          role: "db*admin](https://evil.example)",
          reason: "outage\n# heading ![p](https://evil.example/p.png) @acme/admins",
        },
      },
    })!;
    expect(linksIn(issue.body)).toEqual([]);
    expect(renderMarkdown(issue.body)).not.toMatch(/<img|<h1/);
    expect(issue.body).not.toContain("@acme/admins");
  });

  it("is only for break-glass requests", () => {
    expect(renderPostIncidentIssue(evaluation("approved"))).toBeUndefined();
    const base = evaluation("approved");
    const issue = renderPostIncidentIssue({
      ...base,
      request: { ...base.request!, emergency: true },
    });
    expect(issue?.marker).toBe("<!-- hallpass:post-incident-review:7 -->");
    expect(issue?.body).toContain("@acme/dba @carol @other-org/sec: please review");
  });
});
