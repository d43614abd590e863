import { describe, expect, it } from "vitest";
import {
  type AutoApprovalContext,
  type ExtendedGrant,
  findAutoApproval,
} from "../../../src/core/approval/find-auto-approval.ts";
import type { GrantRecord } from "../../../src/core/grant/records.ts";
import type { Role } from "../../../src/core/policy/policy-format.ts";

const PATH = "access-requests/alice/look-2.yaml";
const ORIGINAL = "access-requests/alice/look.yaml";

const role: Role = {
  description: "Read-only.",
  accounts: ["prod"],
  maxDuration: "8h",
  permissions: { managedPolicies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
  approval: { rules: [{ count: 1 }] },
  autoApproval: { maxDuration: "30m" },
  extension: { withoutApproval: "1h" },
};

function grant(overrides: Partial<GrantRecord> = {}): GrantRecord {
  return {
    version: 1,
    requestPath: ORIGINAL,
    pullRequest: {
      number: 7,
      url: "https://github.com/acme/access/pull/7",
      mergeCommit: "c".repeat(40),
      mergedAt: "2026-11-26T10:00:00Z",
      mergedBy: "alice",
    },
    requester: "alice",
    role: "prod-readonly",
    account: { name: "prod", id: "123456789012" },
    emergency: false,
    approvals: [],
    roleArn: "arn:aws:iam::123456789012:role/hallpass/x",
    roleName: "x",
    sessionName: "alice",
    sourceIdentity: "alice",
    window: { start: "2026-11-26T10:00:00Z", end: "2026-11-26T12:00:00Z" },
    grantedAt: "2026-11-26T10:00:05Z",
    ...overrides,
  };
}

function live(overrides: Partial<ExtendedGrant> = {}): ExtendedGrant {
  const siblings = "siblings" in overrides ? overrides.siblings : [];
  return { record: grant(), revoked: false, chain: [], complete: true, ...overrides, siblings };
}

function context(overrides: Partial<AutoApprovalContext> = {}): AutoApprovalContext {
  return {
    requestPath: PATH,
    changedFiles: [{ path: PATH, status: "added" }],
    role,
    roleName: "prod-readonly",
    accountName: "prod",
    requester: "alice",
    emergency: false,
    extends: undefined,
    durationSeconds: 1800,
    decidedAt: "2026-11-26T11:00:00Z",
    ...overrides,
  };
}

describe("findAutoApproval: a role's autoApproval", () => {
  it("approves a request within the limit, naming the rule and the limit", () => {
    expect(findAutoApproval(context())).toEqual({
      applies: true,
      basis: { kind: "auto-approval", rule: "auto-approval up to 30m", limit: "30m" },
    });
  });

  it("uses the rule's name when the policy gives one", () => {
    const named = { ...role, autoApproval: { name: "quick look", maxDuration: "30m" } };
    const found = findAutoApproval(context({ role: named }));
    expect(found.applies && found.basis.rule).toBe("quick look");
  });

  it.each([
    [
      "a request over the limit",
      { durationSeconds: 1801 },
      "covers up to 30m and this request asks for 30m1s",
    ],
    ["an emergency request", { emergency: true }, "emergency"],
    [
      "a pull request that also changes a policy",
      {
        changedFiles: [
          { path: PATH, status: "added" as const },
          { path: "policies/roles.yaml", status: "modified" as const },
        ],
      },
      "one request file and nothing else",
    ],
    [
      "a pull request that also changes CODEOWNERS",
      {
        changedFiles: [
          { path: ".github/CODEOWNERS", status: "modified" as const },
          { path: PATH, status: "added" as const },
        ],
      },
      "one request file and nothing else",
    ],
    [
      "a pull request whose file is not the request",
      { changedFiles: [{ path: "x.yaml", status: "added" as const }] },
      "one request file",
    ],
    ["a pull request with no file", { changedFiles: [] }, "one request file"],
  ])("never approves %s", (_, overrides, why) => {
    const found = findAutoApproval(context(overrides));
    expect(found.applies).toBe(false);
    expect(!found.applies && found.why).toContain(why);
  });

  it("says nothing for a role without the rule", () => {
    const { autoApproval: _, ...plain } = role;
    expect(findAutoApproval(context({ role: plain }))).toEqual({ applies: false, why: undefined });
  });

  it("does not apply autoApproval to an extension (it has its own rule)", () => {
    const { extension: _, ...noExtension } = role;
    const found = findAutoApproval(
      context({ role: noExtension, extends: ORIGINAL, extended: live() }),
    );
    expect(found).toEqual({ applies: false, why: undefined });
  });
});

describe("findAutoApproval: a role's extension without approval", () => {
  const extension = (overrides: Partial<AutoApprovalContext> = {}) =>
    findAutoApproval(
      context({ extends: ORIGINAL, extended: live(), durationSeconds: 3600, ...overrides }),
    );

  it("approves one extension of a live grant within the limit", () => {
    // Starting at the grant's end, without a gap, is what an extension is for.
    expect(extension({ start: "2026-11-26T12:00:00Z" }).applies).toBe(true);
    expect(extension()).toEqual({
      applies: true,
      basis: {
        kind: "extension",
        rule: "one extension without approval up to 1h",
        limit: "1h",
        extends: ORIGINAL,
      },
    });
  });

  it.each([
    ["over the limit", { durationSeconds: 3601 }, "covers up to 1h"],
    ["of a grant not recorded", { extended: live({ record: undefined }) }, "no grant of"],
    ["with nothing read about the grant", { extended: undefined }, "no grant of"],
    ["of a revoked grant", { extended: live({ revoked: true }) }, "no longer live (revoked)"],
    ["of an ended grant", { decidedAt: "2026-11-26T12:00:00Z" }, "it ended at"],
    ["at an unreadable time", { decidedAt: "soon" }, "no longer live"],
    ["of someone else's grant", { requester: "bob" }, "@alice's"],
    ["in another account", { accountName: "staging" }, "keeps the role and the account"],
    ["of another role", { roleName: "db-admin" }, "keeps the role and the account"],
    [
      "of a grant that was itself extended without approval",
      {
        extended: live({
          record: grant({
            autoApproval: {
              kind: "extension",
              rule: "r",
              limit: "1h",
              extends: "access-requests/alice/a.yaml",
            },
          }),
        }),
      },
      "already extended once without approval",
    ],
    [
      "behind which the chain holds an extension without approval",
      {
        extended: live({
          chain: [
            { path: "access-requests/alice/b.yaml", freeExtension: false },
            { path: "access-requests/alice/a.yaml", freeExtension: true },
          ],
        }),
      },
      "(access-requests/alice/a.yaml)",
    ],
    ["whose chain could not be read", { extended: live({ complete: false }) }, "could not be read"],
    // Its first extension starts later, or replacing the grant failed: the grant stays live, and
    // a second extension of it looked like the first again.
    [
      "of a grant another request extends already",
      { extended: live({ siblings: ["access-requests/alice/look-1.yaml"] }) },
      "access-requests/alice/look.yaml is already extended by access-requests/alice/look-1.yaml: at most one extension without approval per grant",
    ],
    [
      "whose siblings could not all be read",
      { extended: live({ siblings: undefined }) },
      "the other extensions of access-requests/alice/look.yaml could not all be read",
    ],
    [
      "in another directory than the grant it extends",
      {
        requestPath: "access-requests/bob/look-2.yaml",
        changedFiles: [{ path: "access-requests/bob/look-2.yaml", status: "added" as const }],
      },
      "sits in the same directory as the grant it extends, or in its requester's (access-requests/alice/)",
    ],
    // Starting later, the extended grant would stay live and unreplaced, so one extension after
    // another of it would each be free: found by review.
    [
      "that starts after the grant it extends has ended",
      { start: "2026-11-26T12:00:01Z" },
      "starts by the end of the grant it extends (2026-11-26T12:00:00Z)",
    ],
    ["that starts at an unreadable time", { start: "later" }, "starts by the end"],
    ["for an emergency", { emergency: true }, "emergency"],
  ])("refuses an extension %s", (_, overrides, why) => {
    const found = extension(overrides);
    expect(found.applies).toBe(false);
    expect(!found.applies && found.why).toContain(why);
  });
});
