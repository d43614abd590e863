import { describe, expect, it } from "vitest";
import type { GrantRecord } from "../../../src/core/grant/records.ts";
import type { PathChange } from "../../../src/core/history/build-access-history.ts";
import {
  type RecordVersion,
  type RulesAtMerge,
  type TrailInput,
  verifyTrail,
} from "../../../src/core/history/verify-trail.ts";
import { examplePolicySources } from "../../support/example-policies.ts";
import {
  completeStory,
  grantRecord,
  json,
  MERGE_COMMIT,
  REQUEST_PATH,
  revocationRecord,
} from "./access-history-fixtures.ts";

/**
 * The pure verification, table by table: the grant re-decided under the rules at its base, who
 * wrote each record, and records that only grow. The CLI tests do the same on real repositories.
 */

const STEM = "access-requests/payments/alice-db";
const GRANT = `${STEM}.grant.json`;
const BOT = "hallpass[bot] <4242+hallpass[bot]@users.noreply.github.com>";
const HEAD = "b".repeat(40);
const CODEOWNERS = { path: ".github/CODEOWNERS", content: "/access-requests/ @acme/dba @dan\n" };

/** A grant of db-admin approved by carol of @acme/dba, re-decidable. */
function grant(overrides: Partial<GrantRecord> = {}): GrantRecord {
  return grantRecord({
    approvals: [
      {
        reviewer: "carol",
        reviewId: 9001,
        submittedAt: "2026-11-26T08:55:00Z",
        commitId: HEAD,
        rules: ["rule 1: 1 from @acme/dba"],
        eligibleVia: ["@acme/dba"],
      },
    ],
    approvalBasis: { headSha: HEAD, author: "alice", pushers: ["alice"], baseChangedAt: [] },
    ...overrides,
  });
}

function rules(overrides: Partial<RulesAtMerge> = {}): RulesAtMerge {
  return {
    base: "c".repeat(40),
    version: "d".repeat(40),
    policyFiles: examplePolicySources(),
    codeowners: CODEOWNERS,
    ...overrides,
  };
}

function input(story: {
  grant?: GrantRecord;
  rules?: RulesAtMerge | undefined;
  author?: string;
  versions?: Record<string, RecordVersion[]>;
}): TrailInput {
  const files = { ...completeStory(), [GRANT]: json(story.grant ?? grant()) };
  const changes = new Map<string, PathChange[]>();
  const line = [MERGE_COMMIT];
  let n = 0;
  for (const path of Object.keys(files)) {
    const commit = path === REQUEST_PATH ? MERGE_COMMIT : String(++n).padStart(40, "0");
    if (commit !== MERGE_COMMIT) line.unshift(commit);
    const author = path === REQUEST_PATH ? "alice <alice@example.com>" : (story.author ?? BOT);
    changes.set(path, [{ commit, status: "A", author, date: "2026-11-26T09:00:05Z" }]);
  }
  return {
    history: {
      revision: "f".repeat(40),
      files: Object.entries(files).map(([path, content]) => ({ path, content })),
      changes,
      shallow: false,
      now: new Date("2026-11-27T12:00:00Z"),
      auditDelaySeconds: 1800,
    },
    versions: new Map(Object.entries(story.versions ?? {})),
    rules: new Map([[MERGE_COMMIT, "rules" in story ? story.rules : rules()]]),
    writers: { app: "hallpass[bot]", action: "hallpass[bot]" },
    // Newest first: the request's merge, then each record in the order written.
    line,
    outsideChanges: new Map(),
  };
}

const findings = (i: TrailInput) =>
  verifyTrail(i).verification.findings.map((f) => [f.kind, f.file, f.message] as const);
const kinds = (i: TrailInput) => findings(i).map(([kind, file]) => [kind, file]);

describe("verifyTrail: each grant re-decided under the rules at the base of its merge", () => {
  it("passes a grant the rules allowed then", () => {
    const { verification } = verifyTrail(input({}));
    expect(verification.findings).toEqual([]);
    expect(verification.checked).toEqual({ grants: 1, reDecided: 1, recordCommits: 5 });
  });

  it.each<[string, Partial<GrantRecord>, string]>([
    [
      "an approver no team or name made an owner",
      { approvals: [{ ...grant().approvals[0]!, eligibleVia: [] }] },
      "carol is not a code owner",
    ],
    [
      "an approval on another commit than the head",
      { approvals: [{ ...grant().approvals[0]!, commitId: "e".repeat(40) }] },
      "approved an earlier commit",
    ],
    [
      "an approver who pushed to the pull request",
      { approvalBasis: { ...grant().approvalBasis!, pushers: ["alice", "carol"] } },
      "pushed a commit",
    ],
    [
      "an approval before the base branch changed",
      { approvalBasis: { ...grant().approvalBasis!, baseChangedAt: ["2026-11-26T08:58:00Z"] } },
      "approved before the base branch was changed",
    ],
    [
      "an approval after the merge",
      { approvals: [{ ...grant().approvals[0]!, submittedAt: "2026-11-26T09:30:00Z" }] },
      "reviewed after the merge",
    ],
    [
      "a pull request opened by someone else than the requester",
      { approvalBasis: { ...grant().approvalBasis!, author: "mallory" } },
      "the pull request's author mallory is not the requester",
    ],
    [
      "a pull request the app opened for the requester that someone else pushed to",
      {
        approvalBasis: {
          ...grant().approvalBasis!,
          author: "hallpass[bot]",
          pushers: ["hallpass[bot]", "mallory", "web-flow"],
        },
      },
      "the app opened the pull request for alice, but someone else pushed to it (hallpass[bot], mallory, web-flow)",
    ],
  ])("names %s", (_what, overrides, message) => {
    // The history may name it too (an approval after the merge is `inconsistent`).
    const finding = findings(input({ grant: grant(overrides) })).find(
      ([kind]) => kind === "not-approved",
    );
    expect(finding?.[1]).toBe(GRANT);
    expect(finding?.[2]).toContain(message);
  });

  it("passes a grant of a pull request the app opened for the requester from the issue form", () => {
    const basis = {
      ...grant().approvalBasis!,
      author: "hallpass[bot]",
      pushers: ["hallpass[bot]", "web-flow", "alice"],
    };
    const found = findings(input({ grant: grant({ approvalBasis: basis }) }));
    expect(found.filter(([kind]) => kind === "not-approved")).toEqual([]);
  });

  it("names a CODEOWNERS at the base that did not own the request", () => {
    const i = input({
      rules: rules({ codeowners: { path: "CODEOWNERS", content: "* @acme/dba\n" } }),
    });
    expect(kinds(i)).toEqual([["not-approved", GRANT]]);
  });

  it("names an emergency grant where the role did not allow break-glass then, and its window", () => {
    const roles = examplePolicySources()
      .find((f) => f.path === "policies/roles.yaml")!
      .content.replace("allowed: true", "allowed: false");
    const i = input({
      grant: grant({ emergency: true }),
      rules: rules({ policyFiles: examplePolicySources({ "policies/roles.yaml": roles }) }),
    });
    expect(kinds(i)).toEqual(
      expect.arrayContaining([
        ["break-glass-not-allowed", GRANT],
        ["window-exceeds-role", GRANT],
      ]),
    );
  });

  it("names policies that did not load at the base, and a merge commit not on the branch", () => {
    const broken = input({ rules: rules({ policyFiles: [] }) });
    expect(kinds(broken)).toEqual([["rules-unreadable", GRANT]]);
    const elsewhere = input({ rules: undefined });
    expect(kinds(elsewhere)).toEqual([["merge-not-on-branch", GRANT]]);
  });
});

describe("verifyTrail: the requester's eligibility re-checked where the role listed who may ask", () => {
  /** The rules at the base with db-admin limited to `eligible`. */
  function limitedTo(eligible: string): RulesAtMerge {
    const roles = examplePolicySources()
      .find((f) => f.path === "policies/roles.yaml")!
      .content.replace("  db-admin:\n", `  db-admin:\n    eligible: ${eligible}\n`);
    return rules({ policyFiles: examplePolicySources({ "policies/roles.yaml": roles }) });
  }
  const via = (requesterEligibleVia: string[] | undefined) =>
    grant({ approvalBasis: { ...grant().approvalBasis!, requesterEligibleVia } });

  it("passes a requester admitted by login or through a team the list named", () => {
    const list = '["@alice", "@acme/oncall"]';
    expect(findings(input({ grant: via(["@alice"]), rules: limitedTo(list) }))).toEqual([]);
    expect(findings(input({ grant: via(["@acme/oncall"]), rules: limitedTo(list) }))).toEqual([]);
  });

  it("names a requester the list did not admit, even with a team claimed that it did not name", () => {
    const i = input({ grant: via(["@acme/sre"]), rules: limitedTo('["@acme/oncall"]') });
    expect(findings(i)).toEqual([
      [
        "not-eligible",
        GRANT,
        expect.stringContaining("alice could not request role db-admin at cccccccccccc"),
      ],
    ]);
  });

  it("names a record without eligibility data for a role that had a list as not re-decidable", () => {
    const i = input({ grant: via(undefined), rules: limitedTo('["@acme/oncall"]') });
    expect(kinds(i)).toEqual([["not-re-decidable", GRANT]]);
    // Without a list at the base there is nothing to re-check.
    expect(findings(input({ grant: via(undefined) }))).toEqual([]);
  });
});

describe("verifyTrail: who wrote the records, and records that only grow", () => {
  it("names every record a person committed", () => {
    const i = input({ author: "mallory <mallory@users.noreply.github.com>" });
    expect(kinds(i).filter(([k]) => k === "record-author")).toHaveLength(5);
  });

  it("names a record commit with no good signature when signatures are required", () => {
    const i = input({});
    const signatures = new Map(
      [...i.history.changes.values()].flat().map((c) => [c.commit, { status: "G", key: "K" }]),
    );
    signatures.set("1".padStart(40, "0"), { status: "B", key: "K" });
    const [finding] = findings({ ...i, signatures });
    expect(finding?.[0]).toBe("record-signature");
    expect(finding?.[2]).toContain("the signature is bad");
  });

  it("names an alert dropped, an audit rewritten and a revocation moved earlier", () => {
    const version = (n: number, content: unknown): RecordVersion => ({
      commit: String(n).repeat(40),
      author: BOT,
      date: "2026-11-26T12:00:00Z",
      content: JSON.stringify(content),
    });
    const revocation = revocationRecord();
    const i = input({
      versions: {
        [`${STEM}.alerts.json`]: [
          version(1, { alerts: [{ id: "a" }, { id: "b" }] }),
          version(2, { alerts: [{ id: "b" }, { id: "c" }] }),
        ],
        [`${STEM}.audit.json`]: [
          version(3, { riskyEventsTotal: 4 }),
          version(4, { riskyEventsTotal: 1 }),
        ],
        [`${STEM}.revocation.json`]: [
          version(5, revocation),
          version(6, { ...revocation, revokedAt: "2026-11-26T10:00:00Z" }),
        ],
      },
    });
    const found = findings(i);
    expect(found.map(([kind, file]) => [kind, file])).toEqual([
      ["record-shrunk", `${STEM}.alerts.json`],
      ["record-rewritten", `${STEM}.audit.json`],
      ["revocation-moved", `${STEM}.revocation.json`],
    ]);
    expect(found[0]?.[2]).toContain("(a)");
    expect(found[1]?.[2]).toContain("riskyEventsTotal 4 -> 1");
  });

  it("compares each revocation version with the one before it, not with the first", () => {
    const version = (n: number, revokedAt: string): RecordVersion => ({
      commit: String(n).repeat(40),
      author: BOT,
      date: "2026-11-26T12:00:00Z",
      content: JSON.stringify(revocationRecord({ revokedAt })),
    });
    const found = findings(
      input({
        versions: {
          [`${STEM}.revocation.json`]: [
            version(5, "2026-11-26T11:04:00Z"),
            version(6, "2026-11-26T11:30:00Z"),
            version(7, "2026-11-26T11:20:00Z"),
          ],
        },
      }),
    );
    expect(found).toHaveLength(1);
    expect(found[0]?.[0]).toBe("revocation-moved");
    expect(found[0]?.[2]).toContain(
      `the revocation moved earlier in ${"7".repeat(12)} by ${BOT} on 2026-11-26T12:00:00Z, from 2026-11-26T11:30:00.000Z to 2026-11-26T11:20:00.000Z`,
    );
  });
});

describe("verifyTrail: grants approved by a policy rule, and approvals that age out", () => {
  const ROLES = examplePolicySources()
    .find((f) => f.path === "policies/roles.yaml")!
    .content.replace(
      "    maxDuration: 4h\n",
      "    maxDuration: 4h\n    autoApproval:\n      maxDuration: 2h\n    extension:\n      withoutApproval: 1h\n",
    );
  const withRules = (files: Record<string, string> = {}) =>
    rules({ policyFiles: examplePolicySources({ "policies/roles.yaml": ROLES, ...files }) });
  const auto = grant({
    approvals: [],
    autoApproval: { kind: "auto-approval", rule: "auto-approval up to 2h", limit: "2h" },
  });
  const notApproved = (i: TrailInput, file = GRANT) =>
    findings(i).filter(([kind, at]) => kind === "not-approved" && at === file);

  it("passes a grant the role's autoApproval allowed at the base, without a no-approvals finding", () => {
    expect(findings(input({ grant: auto, rules: withRules() }))).toEqual([]);
  });

  it("names a grant recorded as auto-approved whose role had no such rule at the base", () => {
    const [finding] = notApproved(input({ grant: auto }));
    expect(finding?.[2]).toContain(
      "the record says approved without review, but the rule does not apply: role db-admin had no such rule",
    );
  });

  it.each([
    ["CODEOWNERS", ".github/CODEOWNERS", false],
    ["another request file", "access-requests/payments/bob-db.yaml", true],
  ])("names a grant recorded as auto-approved whose merge also changed %s", (_, other, inside) => {
    const i = input({ grant: auto, rules: withRules() });
    if (inside) {
      (i.history.changes as Map<string, PathChange[]>).set(other as string, [
        {
          commit: MERGE_COMMIT,
          status: "A",
          author: "alice <a@b.c>",
          date: "2026-11-26T09:00:00Z",
        },
      ]);
    } else {
      (i.outsideChanges as Map<string, { paths: string[]; count: number }>).set(MERGE_COMMIT, {
        paths: [other as string],
        count: 1,
      });
    }
    expect(notApproved(i)[0]?.[2]).toContain(
      `it applies only to a pull request that adds one request file and nothing else (its merge ${MERGE_COMMIT.slice(0, 12)} changed ${other})`,
    );
  });

  it("names a grant recorded as auto-approved whose window exceeds the rule's limit", () => {
    const long = { ...auto, window: { start: auto.window.start, end: "2026-11-26T11:00:01Z" } };
    const [finding] = notApproved(input({ grant: long, rules: withRules() }));
    expect(finding?.[2]).toContain("it covers up to 2h");
  });

  it("names an approval older than the age at the merge", () => {
    const settings = examplePolicySources()
      .find((f) => f.path === "policies/settings.yaml")!
      .content.concat("  approvalMaxAge: 3m\n");
    const i = input({
      rules: rules({ policyFiles: examplePolicySources({ "policies/settings.yaml": settings }) }),
    });
    expect(notApproved(i)[0]?.[2]).toContain(
      "1 approval expired (approvals count for 3m): @carol's at 2026-11-26T08:58:00.000Z",
    );
  });

  /** `story` plus extension grants, each merged at its own commit under `withRules()`. */
  function withExtensions(extensions: GrantRecord[], afterAll = false): TrailInput {
    const i = input({ rules: withRules() });
    const changes = i.history.changes as Map<string, PathChange[]>;
    // Merged in turn after the original's grant and before anything else was recorded of it.
    const merged: string[] = [];
    extensions.forEach((record, n) => {
      const stem = record.requestPath.replace(/\.yaml$/, "");
      const written = `e${n}`.padEnd(40, "e");
      (i.history.files as { path: string; content: string }[]).push(
        { path: record.requestPath, content: `requester: alice\nextends: ${record.extends}\n` },
        { path: `${stem}.grant.json`, content: json(record) },
      );
      const change = (commit: string, author: string) => [
        { commit, status: "A" as const, author, date: record.pullRequest.mergedAt },
      ];
      changes.set(record.requestPath, change(record.pullRequest.mergeCommit, "alice <a@b.c>"));
      changes.set(`${stem}.grant.json`, change(written, BOT));
      merged.unshift(written, record.pullRequest.mergeCommit);
      (i.rules as Map<string, RulesAtMerge>).set(record.pullRequest.mergeCommit, withRules());
    });
    const line = i.line as string[];
    if (afterAll) line.unshift(...merged);
    else line.splice(line.length - 2, 0, ...merged);
    return i;
  }
  const extension = (n: number, extendsPath: string) =>
    grant({
      requestPath: `${STEM}-${n}.yaml`,
      pullRequest: { ...grant().pullRequest, number: 42 + n, mergeCommit: String(n).repeat(40) },
      extends: extendsPath,
      approvals: [],
      window: { start: "2026-11-26T10:00:00Z", end: "2026-11-26T10:30:00Z" },
      autoApproval: {
        kind: "extension",
        rule: "one extension without approval up to 1h",
        limit: "1h",
        extends: extendsPath,
      },
    });
  const mergedAt = (record: GrantRecord, at: string) => ({
    ...record,
    pullRequest: { ...record.pullRequest, mergedAt: at },
  });

  it("passes one extension without approval of a grant live at its merge", () => {
    const first = mergedAt(extension(2, REQUEST_PATH), "2026-11-26T10:00:00Z");
    expect(notApproved(withExtensions([first]), `${STEM}-2.grant.json`)).toEqual([]);
  });

  it("names an extension without approval merged after the grant it extends was revoked", () => {
    const late = mergedAt(extension(2, REQUEST_PATH), "2026-11-26T11:05:00Z");
    const [finding] = notApproved(withExtensions([late]), `${STEM}-2.grant.json`);
    expect(finding?.[2]).toContain("is no longer live");
  });

  it("names a second extension without approval of one grant, beside the first", () => {
    const first = mergedAt(extension(2, REQUEST_PATH), "2026-11-26T10:00:00Z");
    const second = mergedAt(extension(3, REQUEST_PATH), "2026-11-26T10:10:00Z");
    const i = withExtensions([first, second]);
    expect(notApproved(i, `${STEM}-2.grant.json`)).toEqual([]);
    expect(notApproved(i, `${STEM}-3.grant.json`)[0]?.[2]).toContain(
      `${REQUEST_PATH} is already extended by ${STEM}-2.grant.json, ${STEM}-2.yaml: at most one extension without approval per grant`,
    );
  });

  it("names an extension without approval of a grant whose record is in another request's file", () => {
    const i = withExtensions([mergedAt(extension(2, REQUEST_PATH), "2026-11-26T10:00:00Z")]);
    // The original's record, under another name: the app reads the original's own file.
    const files = i.history.files as { path: string; content: string }[];
    files.find((f) => f.path === GRANT)!.path = `${STEM}-copy.grant.json`;
    const changes = i.history.changes as Map<string, PathChange[]>;
    changes.set(`${STEM}-copy.grant.json`, changes.get(GRANT)!);
    changes.delete(GRANT);
    expect(notApproved(i, `${STEM}-2.grant.json`)[0]?.[2]).toContain(
      `no grant of ${REQUEST_PATH} is recorded`,
    );
  });

  it("names an extension without approval merged after the revocation was recorded, as the app saw it", () => {
    // Its record says revoked at 11:04, but it was in the tree at the extension's merge.
    const late = mergedAt(extension(2, REQUEST_PATH), "2026-11-26T10:00:00Z");
    expect(notApproved(withExtensions([late], true), `${STEM}-2.grant.json`)[0]?.[2]).toContain(
      "is no longer live (revoked)",
    );
  });

  it("names an extension without approval behind a chain longer than the app reads", () => {
    const reviewed = Array.from({ length: 21 }, (_, n) =>
      grant({
        requestPath: `${STEM}-${n + 10}.yaml`,
        pullRequest: {
          ...grant().pullRequest,
          number: 60 + n,
          mergeCommit: `f${n}`.padEnd(40, "f"),
        },
        extends: n === 0 ? REQUEST_PATH : `${STEM}-${n + 9}.yaml`,
      }),
    );
    const free = mergedAt(extension(2, `${STEM}-30.yaml`), "2026-11-26T10:00:00Z");
    const i = withExtensions([...reviewed, free]);
    expect(notApproved(i, `${STEM}-2.grant.json`)[0]?.[2]).toContain(
      `the chain of extensions behind ${STEM}-30.yaml could not be read to its start`,
    );
  });

  it("names a second extension without approval of the same original grant", () => {
    const first = mergedAt(extension(2, REQUEST_PATH), "2026-11-26T10:00:00Z");
    const second = mergedAt(extension(3, `${STEM}-2.yaml`), "2026-11-26T10:10:00Z");
    const [finding] = notApproved(withExtensions([first, second]), `${STEM}-3.grant.json`);
    expect(finding?.[2]).toContain("already extended once without approval");
  });
});
