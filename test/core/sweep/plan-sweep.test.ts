import { describe, expect, it } from "vitest";
import { digestGrantPlan, planDocuments } from "../../../src/core/grant/digest-grant-plan.ts";
import { planGrant } from "../../../src/core/grant/plan-grant.ts";
import { planRevocation } from "../../../src/core/grant/plan-revocation.ts";
import type { GrantRecord, RevocationRecord } from "../../../src/core/grant/records.ts";
import {
  GRANT_CREATION_GRACE_SECONDS,
  grantPathsToRead,
  type LiveRole,
  planSweep,
  revocationPathsToRead,
  type SweepState,
  ungrantedRequestPaths,
  unrecordedRequestPath,
} from "../../../src/core/sweep/plan-sweep.ts";
import { GRANT_TAGS, MANAGED_BY } from "../../../src/ports/aws.ts";
import {
  aliceRequest,
  grantPolicies,
  MERGE_COMMIT,
  MERGED_AT,
} from "../../support/grant-fixtures.ts";

const prod = { name: "prod", id: "111122223333" };
const staging = { name: "staging", id: "444455556666" };
const NOW = new Date("2026-11-26T12:00:00Z");

function grant(stem: string, start: string, end: string, account = prod): GrantRecord {
  const roleName = `hp-${stem}`;
  return {
    version: 1,
    requestPath: `access-requests/${stem}.yaml`,
    pullRequest: {
      number: 7,
      url: "https://github.com/acme/access/pull/7",
      mergeCommit: "c".repeat(40),
      mergedAt: start,
      mergedBy: "bob",
    },
    requester: "alice",
    role: "db-read",
    account,
    emergency: false,
    approvals: [],
    roleArn: `arn:aws:iam::${account.id}:role/hallpass/${roleName}`,
    roleName,
    sessionName: "alice",
    sourceIdentity: "alice",
    window: { start, end },
    grantedAt: start,
  };
}

function roleOf(g: GrantRecord, tags: Record<string, string> = {}): LiveRole {
  return {
    roleName: g.roleName,
    roleArn: g.roleArn,
    createdAt: g.grantedAt,
    tags: {
      [GRANT_TAGS.managedBy]: MANAGED_BY,
      [GRANT_TAGS.repository]: "acme/access",
      [GRANT_TAGS.request]: g.requestPath,
      [GRANT_TAGS.requester]: g.requester,
      [GRANT_TAGS.expiresAt]: g.window.end,
      ...tags,
    },
    documents: {
      trustPolicy: "{}",
      inlinePolicies: {},
      managedPolicyArns: [],
      permissionsBoundary: "arn:aws:iam::111122223333:policy/hallpass-boundary",
      maxSessionDuration: 3600,
    },
  };
}

function revocation(g: GrantRecord, at: string, reason: RevocationRecord["reason"]) {
  return {
    version: 1 as const,
    requestPath: g.requestPath,
    roleArn: g.roleArn,
    revokedAt: at,
    reason,
    revokedBy: "hallpass-action",
  };
}

function state(fields: Partial<SweepState>): SweepState {
  return {
    now: NOW,
    auditDelaySeconds: 1800,
    repository: "acme/access",
    accounts: [prod],
    roles: new Map([[prod.id, []]]),
    paths: [],
    grants: [],
    revocations: [],
    requestAccounts: new Map(),
    ...fields,
  };
}

const live = grant("live", "2026-11-26T11:00:00Z", "2026-11-26T13:00:00Z");
const expired = grant("expired", "2026-11-26T09:00:00Z", "2026-11-26T11:50:00Z");
const ended = grant("ended", "2026-11-26T08:00:00Z", "2026-11-26T10:00:00Z");

describe("planSweep", () => {
  it("watches a recorded, unexpired grant whose role is there", () => {
    const plan = planSweep(state({ roles: new Map([[prod.id, [roleOf(live)]]]), grants: [live] }));
    expect(plan.watch.map((w) => w.grant.requestPath)).toEqual([live.requestPath]);
    expect(plan.revoke).toEqual([]);
    expect(plan.missingGrants).toEqual([]);
  });

  it("revokes an expired grant's role", () => {
    const plan = planSweep(
      state({ roles: new Map([[prod.id, [roleOf(expired)]]]), grants: [expired] }),
    );
    expect(plan.revoke.map((r) => [r.requestPath, r.reason, r.alert])).toEqual([
      [expired.requestPath, "expired", false],
    ]);
    expect(plan.auditsWaiting.map((a) => a.dueAt)).toEqual(["2026-11-26T12:20:00.000Z"]);
  });

  it("revokes and alerts on a hand-made role, recording it under a path of its own", () => {
    const hand: LiveRole = {
      roleName: "break-in",
      roleArn: `arn:aws:iam::${prod.id}:role/hallpass/break-in`,
      createdAt: "2026-11-26T11:30:00Z",
      tags: {},
    };
    const plan = planSweep(state({ roles: new Map([[prod.id, [hand]]]) }));
    expect(plan.revoke).toMatchObject([
      {
        reason: "unrecorded-role",
        alert: true,
        requestPath: unrecordedRequestPath(prod.id, "break-in"),
        grant: undefined,
      },
    ]);
  });

  it("never takes over a recorded request's path for a role that only claims it", () => {
    const impostor: LiveRole = {
      ...roleOf(live),
      roleName: "copy",
      roleArn: `${live.roleArn}-copy`,
    };
    const plan = planSweep(
      state({ roles: new Map([[prod.id, [roleOf(live), impostor]]]), grants: [live] }),
    );
    expect(plan.revoke.map((r) => [r.requestPath, r.reason])).toEqual([
      [unrecordedRequestPath(prod.id, "copy"), "unrecorded-role"],
    ]);
    expect(plan.watch).toHaveLength(1);
  });

  it("revokes and alerts on a role whose request tag was changed by hand, and reports its record", () => {
    // The record of a role is the one its request tag names: a changed tag leaves the role
    // with no record (revoked as unrecorded) and the record naming it mismatched.
    const tags = { [GRANT_TAGS.request]: "access-requests/mallory-db.yaml" };
    const plan = planSweep(
      state({ roles: new Map([[prod.id, [roleOf(live, tags)]]]), grants: [live] }),
    );
    expect(plan.revoke).toHaveLength(1);
    expect(plan.revoke[0]).toMatchObject({ reason: "unrecorded-role", alert: true });
    expect(plan.revoke[0]!.detail).toContain("claims access-requests/mallory-db.yaml");
    expect(plan.mismatchedRecords.map((m) => m.grant.requestPath)).toEqual([live.requestPath]);
    expect(plan.watch).toEqual([]);
  });

  it.each([
    [
      "a later expiry",
      { [GRANT_TAGS.expiresAt]: "2026-11-27T13:00:00Z" },
      "expires-at tag differs",
    ],
    ["another requester", { [GRANT_TAGS.requester]: "mallory" }, "requester tag differs"],
    ["no managed-by tag", { [GRANT_TAGS.managedBy]: "someone" }, "managed-by tag missing"],
  ])("revokes and alerts on a role whose tags were changed by hand: %s", (_n, tags, detail) => {
    const plan = planSweep(
      state({ roles: new Map([[prod.id, [roleOf(live, tags)]]]), grants: [live] }),
    );
    expect(plan.revoke).toHaveLength(1);
    expect(plan.revoke[0]).toMatchObject({ reason: "alert", alert: true });
    expect(plan.revoke[0]!.detail).toContain(detail);
    expect(plan.watch).toEqual([]);
  });

  it.each([
    [
      "made before the grant was recorded (adopted by the app)",
      "2026-11-26T10:58:00Z",
      "before the grant was recorded",
    ],
    [
      "re-created by hand after the real one was deleted",
      "2026-11-26T11:40:00Z",
      "re-created by hand",
    ],
    ["with an unreadable creation date", "", "unreadable"],
  ])("revokes and alerts on a role with the grant's name and tags %s", (_n, createdAt, detail) => {
    const copy = { ...roleOf(live), createdAt };
    const plan = planSweep(state({ roles: new Map([[prod.id, [copy]]]), grants: [live] }));
    expect(plan.revoke).toMatchObject([{ reason: "alert", alert: true }]);
    expect(plan.revoke[0]!.detail).toContain(detail);
    expect(plan.watch).toEqual([]);
  });

  it.each([
    ["at the grant", "2026-11-26T11:00:00Z"],
    ["within the clock skew before it", "2026-11-26T10:59:30Z"],
    ["at the end of the creation grace", "2026-11-26T11:15:00Z"],
  ])("watches a role created by the app %s", (_n, createdAt) => {
    const plan = planSweep(
      state({ roles: new Map([[prod.id, [{ ...roleOf(live), createdAt }]]]), grants: [live] }),
    );
    expect(plan.revoke).toEqual([]);
    expect(plan.watch).toHaveLength(1);
  });

  it("finishes a revocation whose record was committed but whose role remained", () => {
    const plan = planSweep(
      state({
        roles: new Map([[prod.id, [roleOf(live)]]]),
        grants: [live],
        revocations: [revocation(live, "2026-11-26T11:30:00Z", "early-release")],
      }),
    );
    expect(plan.revoke.map((r) => r.reason)).toEqual(["unfinished"]);
  });

  it("records the revocation of an ended grant whose role is already gone", () => {
    const plan = planSweep(state({ grants: [expired] }));
    expect(plan.recordRevocation.map((r) => [r.grant.requestPath, r.endedAt])).toEqual([
      [expired.requestPath, expired.window.end],
    ]);
    expect(plan.missingGrants).toEqual([]);
  });

  it("reports a live grant that git records but AWS does not hold", () => {
    const plan = planSweep(state({ grants: [live] }));
    expect(plan.missingGrants.map((m) => [m.requestPath, m.grant?.roleArn])).toEqual([
      [live.requestPath, live.roleArn],
    ]);
    expect(plan.pendingGrants).toEqual([]);
  });

  it.each([
    ["just recorded", "2026-11-26T12:00:00Z", "pending"],
    ["recorded 14 minutes ago", "2026-11-26T11:46:00Z", "pending"],
    ["recorded exactly the grace ago", "2026-11-26T11:45:00Z", "missing"],
    ["recorded an hour ago", "2026-11-26T11:00:00Z", "missing"],
  ])("gives a grant whose role is not there yet time to be created: %s", (_n, grantedAt, is) => {
    // The app commits the record before it creates the role; a sweep in between must not cry wolf.
    const fresh = { ...grant("fresh", "2026-11-26T11:00:00Z", "2026-11-26T14:00:00Z"), grantedAt };
    const plan = planSweep(state({ grants: [fresh] }));
    expect(plan.missingGrants.map((m) => m.requestPath)).toEqual(
      is === "missing" ? [fresh.requestPath] : [],
    );
    expect(plan.pendingGrants).toEqual(
      is === "pending"
        ? [
            {
              grant: fresh,
              missingAfter: new Date(
                Date.parse(grantedAt) + GRANT_CREATION_GRACE_SECONDS * 1000,
              ).toISOString(),
            },
          ]
        : [],
    );
    expect(plan.recordRevocation).toEqual([]);
    expect(plan.revoke).toEqual([]);
  });

  it("reports a merged request with no grant record, only in its own account's shard", () => {
    const paths = [
      "access-requests/a.yaml",
      "access-requests/b.yaml",
      "access-requests/schema.json",
    ];
    const requestAccounts = new Map([["access-requests/b.yaml", "staging"]]);
    const plan = planSweep(state({ paths, requestAccounts }));
    expect(plan.missingGrants.map((m) => m.requestPath)).toEqual(["access-requests/a.yaml"]);
  });

  it("concludes nothing about an account whose roles could not be listed", () => {
    const plan = planSweep(state({ roles: new Map([[prod.id, undefined]]), grants: [live] }));
    expect(plan.unreachableAccounts).toEqual([prod]);
    expect(plan.missingGrants).toEqual([]);
    expect(plan.revoke).toEqual([]);
  });

  it("leaves roles of an access repository the account is shared with alone but reports them", () => {
    const other = roleOf(grant("other", "2026-11-26T09:00:00Z", "2026-11-26T10:00:00Z"), {
      [GRANT_TAGS.repository]: "Acme/Other-Access",
    });
    const shared = { ...prod, sharedWith: ["acme/other-access"] };
    const plan = planSweep(state({ accounts: [shared], roles: new Map([[prod.id, [other]]]) }));
    expect(plan.revoke).toEqual([]);
    expect(plan.foreignRoles.map((f) => f.repository)).toEqual(["Acme/Other-Access"]);
  });

  it("revokes and alerts on an unrecorded role tagged for a repository the account is not shared with", () => {
    // Whoever can make roles under /hallpass/ could otherwise hide lasting access behind a tag.
    const other = roleOf(grant("other", "2026-11-26T09:00:00Z", "2026-11-26T13:00:00Z"), {
      [GRANT_TAGS.repository]: "acme/other-access",
    });
    const sharedElsewhere = { ...staging, sharedWith: ["acme/other-access"] };
    for (const accounts of [[prod], [{ ...prod, sharedWith: ["acme/third"] }, sharedElsewhere]]) {
      const plan = planSweep(state({ accounts, roles: new Map([[prod.id, [other]]]) }));
      expect(plan.foreignRoles).toEqual([]);
      expect(plan.revoke.map((r) => [r.requestPath, r.reason, r.alert])).toEqual([
        [unrecordedRequestPath(prod.id, other.roleName), "unrecorded-role", true],
      ]);
      expect(plan.revoke[0]?.detail).toContain("tagged for acme/other-access");
      expect(plan.revoke[0]?.detail).toContain("accounts.prod.sharedWith");
    }
  });

  it("revokes and alerts on a recorded grant's role retagged for another repository, live or expired", () => {
    // The tag is editable by anyone who can edit the role; git says the role is this
    // repository's. Taken at its word, the role would be left alone past its expiry and its
    // documents never compared with the record.
    const retag = { [GRANT_TAGS.repository]: "acme/other-access" };
    const plan = planSweep(
      state({
        roles: new Map([[prod.id, [roleOf(live, retag), roleOf(expired, retag)]]]),
        grants: [live, expired],
      }),
    );
    expect(plan.foreignRoles).toEqual([]);
    expect(plan.watch).toEqual([]);
    expect(plan.revoke.map((r) => [r.requestPath, r.reason, r.alert])).toEqual([
      [expired.requestPath, "alert", true],
      [live.requestPath, "alert", true],
    ]);
    expect(plan.revoke[0]?.detail).toContain(`${GRANT_TAGS.repository} tag`);
  });

  it("never takes a role for a record's whose request tag names another request: reports the record instead", () => {
    // A record edited to name another live grant's role: before, it won the ARN and the role was
    // revoked as "its own, changed by hand".
    const forged = { ...grant("zz-forged", "2026-11-26T08:00:00Z", "2026-11-26T09:00:00Z") };
    const pointing = { ...forged, roleName: live.roleName, roleArn: live.roleArn };
    const plan = planSweep(
      state({ roles: new Map([[prod.id, [roleOf(live)]]]), grants: [live, pointing] }),
    );
    expect(plan.revoke).toEqual([]);
    expect(plan.watch.map((w) => w.grant.requestPath)).toEqual([live.requestPath]);
    expect(plan.mismatchedRecords.map((m) => [m.grant.requestPath, m.role.roleArn])).toEqual([
      [forged.requestPath, live.roleArn],
    ]);
    expect(plan.mismatchedRecords[0]?.detail).toContain(`tag is ${live.requestPath}`);
    // Neither revoked, recorded nor audited on the forged record's word.
    expect(plan.recordRevocation).toEqual([]);
    expect(plan.auditsDue).toEqual([]);
  });

  it("makes an audit due once the delivery delay after the end has passed", () => {
    const released = revocation(live, "2026-11-26T11:20:00Z", "early-release");
    const plan = planSweep(state({ grants: [ended, live], revocations: [released] }));
    expect(plan.auditsDue.map((a) => [a.grant.requestPath, a.endedAt])).toEqual([
      [ended.requestPath, ended.window.end],
      [live.requestPath, "2026-11-26T11:20:00Z"],
    ]);
  });

  it("does not audit again a grant whose summary is committed", () => {
    const plan = planSweep(
      state({
        grants: [ended],
        paths: ["access-requests/ended.grant.json", "access-requests/ended.audit.json"],
      }),
    );
    expect(plan.auditsDue).toEqual([]);
  });

  it("ignores grants of accounts outside the shard", () => {
    const other = grant("stg", "2026-11-26T08:00:00Z", "2026-11-26T09:00:00Z", staging);
    const plan = planSweep(state({ grants: [other] }));
    expect(plan.auditsDue).toEqual([]);
    expect(plan.recordRevocation).toEqual([]);
  });
});

describe("what the sweep reads from git", () => {
  const paths = [
    "access-requests/done.yaml",
    "access-requests/done.grant.json",
    "access-requests/done.revocation.json",
    "access-requests/done.audit.json",
    "access-requests/done.audit.md",
    "access-requests/open.yaml",
    "access-requests/open.grant.json",
    "access-requests/released.yaml",
    "access-requests/released.grant.json",
    "access-requests/released.revocation.json",
    "access-requests/never.yaml",
  ];

  it("reads only grants without an audit, plus any a live role points at", () => {
    expect(grantPathsToRead(paths, [])).toEqual([
      "access-requests/open.grant.json",
      "access-requests/released.grant.json",
    ]);
    const zombie = roleOf(grant("done", "2026-11-26T08:00:00Z", "2026-11-26T09:00:00Z"));
    expect(grantPathsToRead(paths, [zombie])).toContain("access-requests/done.grant.json");
  });

  it("reads revocations of the grants it read", () => {
    const released = grant("released", "2026-11-26T08:00:00Z", "2026-11-26T09:00:00Z");
    const open = grant("open", "2026-11-26T08:00:00Z", "2026-11-26T09:00:00Z");
    expect(revocationPathsToRead(paths, [open, released])).toEqual([
      "access-requests/released.revocation.json",
    ]);
  });

  it("finds requests that were merged but never granted", () => {
    expect(ungrantedRequestPaths(paths)).toEqual(["access-requests/never.yaml"]);
  });
});

describe("planSweep: what a live grant role holds against its record", () => {
  const planned = planGrant(aliceRequest(), grantPolicies(), {
    mergeCommit: MERGE_COMMIT,
    mergedAt: MERGED_AT,
    now: MERGED_AT,
  }).plan!;
  const digested: GrantRecord = {
    ...grant("digested", "2026-11-26T11:00:00Z", "2026-11-26T13:00:00Z"),
    planDigest: digestGrantPlan(planned),
  };
  const asPlanned = planDocuments(planned);
  const permissions = asPlanned.inlinePolicies["hallpass-permissions"]!;
  type Docs = NonNullable<LiveRole["documents"]>;
  const sweepWith = (documents: Docs | undefined, g: GrantRecord = digested) =>
    planSweep(state({ roles: new Map([[prod.id, [{ ...roleOf(g), documents }]]]), grants: [g] }));

  it.each<[string, Docs]>([
    ["exactly as planned", asPlanned],
    [
      "with other whitespace and key order (as IAM may return what was submitted)",
      {
        ...asPlanned,
        trustPolicy: JSON.stringify(reversedKeys(JSON.parse(planned.trustPolicy)), null, 2),
        inlinePolicies: {
          "hallpass-permissions": JSON.stringify(reversedKeys(JSON.parse(permissions)), null, "\t"),
        },
      },
    ],
    [
      "with the managed policies listed in another order",
      { ...asPlanned, managedPolicyArns: [...asPlanned.managedPolicyArns].reverse() },
    ],
  ])("watches, without an alert, a role holding its planned documents %s", (_n, documents) => {
    const plan = sweepWith(documents);
    expect(plan.revoke).toEqual([]);
    expect(plan.watch).toHaveLength(1);
  });

  const widened = JSON.parse(permissions) as { Statement: unknown[] };
  widened.Statement.push({ Effect: "Allow", Action: "*", Resource: "*" });
  const trust = JSON.parse(planned.trustPolicy) as { Statement: { Principal: unknown }[] };
  trust.Statement[0]!.Principal = { AWS: "arn:aws:iam::999988887777:user/mallory" };

  it.each<[string, Docs, string]>([
    [
      "an extra managed policy",
      {
        ...asPlanned,
        managedPolicyArns: [
          ...asPlanned.managedPolicyArns,
          "arn:aws:iam::aws:policy/AdministratorAccess",
        ],
      },
      "managed policy arn:aws:iam::aws:policy/AdministratorAccess attached",
    ],
    [
      "an edited inline policy",
      { ...asPlanned, inlinePolicies: { "hallpass-permissions": JSON.stringify(widened) } },
      "inline policy hallpass-permissions edited",
    ],
    [
      "an extra inline policy",
      { ...asPlanned, inlinePolicies: { ...asPlanned.inlinePolicies, extra: permissions } },
      "inline policy extra added",
    ],
    [
      "an edited trust policy",
      { ...asPlanned, trustPolicy: JSON.stringify(trust) },
      "trust policy edited",
    ],
    [
      "a deleted principal (IAM shows its unique id in the trust policy)",
      {
        ...asPlanned,
        trustPolicy: planned.trustPolicy.replaceAll(
          "arn:aws:iam::999988887777:user/alice",
          "AIDAJQABLZS4A3QDU576Q",
        ),
      },
      "trust policy edited, or its principal was deleted",
    ],
    [
      "a removed boundary",
      { ...asPlanned, permissionsBoundary: undefined },
      "permissions boundary removed",
    ],
    [
      "another boundary",
      { ...asPlanned, permissionsBoundary: "arn:aws:iam::111122223333:policy/wide-open" },
      "permissions boundary arn:aws:iam::111122223333:policy/wide-open instead of",
    ],
    [
      "a raised session length",
      { ...asPlanned, maxSessionDuration: 43_200 },
      "maximum session duration 43200s",
    ],
    [
      "a detached managed policy",
      { ...asPlanned, managedPolicyArns: [] },
      "managed policy arn:aws:iam::aws:policy/ReadOnlyAccess detached",
    ],
  ])("revokes at once and alerts on a role changed by hand: %s", (_n, documents, detail) => {
    const plan = sweepWith(documents);
    expect(plan.watch).toEqual([]);
    expect(plan.revoke).toMatchObject([
      { reason: "alert", alert: true, requestPath: digested.requestPath },
    ]);
    expect(plan.revoke[0]!.detail).toContain(`changed by hand: ${detail}`);
  });

  it("lists every change to a role's documents, and every other difference, in its detail", () => {
    const plan = planSweep(
      state({
        roles: new Map([
          [
            prod.id,
            [
              {
                ...roleOf(digested, { [GRANT_TAGS.requester]: "mallory" }),
                documents: {
                  ...asPlanned,
                  permissionsBoundary: undefined,
                  maxSessionDuration: 43_200,
                },
              },
            ],
          ],
        ]),
        grants: [digested],
      }),
    );
    expect(plan.revoke[0]!.detail).toBe(
      `role ${digested.roleArn} does not match its grant record (made or changed by hand): ${GRANT_TAGS.requester} tag differs; changed by hand: permissions boundary removed, maximum session duration 43200s instead of 7200s`,
    );
  });

  describe("a role the app is still making (its policies not all put yet)", () => {
    const making = {
      ...asPlanned,
      inlinePolicies: {},
      managedPolicyArns: [],
    };
    const recordedAt = (minutesAgo: number): GrantRecord => ({
      ...digested,
      grantedAt: new Date(NOW.getTime() - minutesAgo * 60_000).toISOString(),
    });
    const sweepAt = (documents: Docs, g: GrantRecord) =>
      planSweep(
        state({
          roles: new Map([[prod.id, [{ ...roleOf(g), createdAt: g.grantedAt, documents }]]]),
          grants: [g],
        }),
      );

    it.each<[string, Docs, number]>([
      ["no policy yet, a minute after the record", making, 1],
      [
        "its inline policy put, managed ones not yet, at the end of the grace",
        { ...making, inlinePolicies: asPlanned.inlinePolicies },
        15,
      ],
    ])("is watched, not revoked: %s", (_n, documents, minutesAgo) => {
      const plan = sweepAt(documents, recordedAt(minutesAgo));
      expect(plan.revoke).toEqual([]);
      expect(plan.watch).toHaveLength(1);
    });

    it.each<[string, Docs, number, string]>([
      ["missing policies past the grace", making, 16, "inline policy hallpass-permissions removed"],
      [
        "an extra managed policy within the grace",
        { ...making, managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] },
        1,
        "managed policy arn:aws:iam::aws:policy/AdministratorAccess attached",
      ],
      [
        "an edited trust policy within the grace",
        { ...making, trustPolicy: JSON.stringify(trust) },
        1,
        "trust policy edited",
      ],
      [
        "no boundary within the grace",
        { ...making, permissionsBoundary: undefined },
        1,
        "permissions boundary removed",
      ],
    ])("is revoked with an alert: %s", (_n, documents, minutesAgo, detail) => {
      const plan = sweepAt(documents, recordedAt(minutesAgo));
      expect(plan.revoke).toMatchObject([{ reason: "alert", alert: true }]);
      expect(plan.revoke[0]!.detail).toContain(detail);
    });
  });

  it("revokes a role carrying a persistence tag its record does not name (added by hand)", () => {
    const tagged = { ...roleOf(digested), documents: asPlanned };
    tagged.tags["hallpass:allow-persistence-resource-policies"] = "true";
    const plan = planSweep(state({ roles: new Map([[prod.id, [tagged]]]), grants: [digested] }));
    expect(plan.revoke).toMatchObject([{ reason: "alert", alert: true }]);
    expect(plan.revoke[0]!.detail).toContain(
      "hallpass:allow-persistence-resource-policies tag added: lifts the boundary's resource-policies deny",
    );
  });

  it("leaves alone a role carrying the persistence tags its record names", () => {
    const optedIn: GrantRecord = {
      ...digested,
      planDigest: { ...digested.planDigest!, allowPersistence: ["resource-policies"] },
    };
    const tagged = { ...roleOf(optedIn), documents: asPlanned };
    tagged.tags["hallpass:allow-persistence-resource-policies"] = "true";
    const plan = planSweep(state({ roles: new Map([[prod.id, [tagged]]]), grants: [optedIn] }));
    expect(plan.revoke).toEqual([]);
    expect(plan.watch).toHaveLength(1);
  });

  it("treats a role whose documents were not read as changed (fail closed)", () => {
    const plan = sweepWith(undefined);
    expect(plan.revoke[0]!.detail).toContain("could not be read");
  });

  it("checks only the boundary of a grant recorded before digests existed", () => {
    const older: GrantRecord = { ...digested, planDigest: undefined };
    const extra = {
      ...asPlanned,
      managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
    };
    expect(sweepWith(extra, older).watch).toHaveLength(1);
    const unbounded = sweepWith({ ...asPlanned, permissionsBoundary: undefined }, older);
    expect(unbounded.revoke[0]!.detail).toContain("changed by hand: permissions boundary removed");
  });

  it("does not alert on a role hallpass is revoking (its deny on, its policies going)", () => {
    const revoke = planRevocation(new Date("2026-11-26T11:30:00.200Z"));
    const revoking = {
      ...asPlanned,
      inlinePolicies: { [revoke.policyName]: revoke.document },
      managedPolicyArns: [],
    };
    const plan = planSweep(
      state({
        roles: new Map([[prod.id, [{ ...roleOf(digested), documents: revoking }]]]),
        grants: [digested],
        revocations: [revocation(digested, "2026-11-26T11:30:01Z", "early-release")],
      }),
    );
    expect(plan.revoke).toMatchObject([{ reason: "unfinished", alert: false }]);
  });

  it("alerts on a policy that only borrows the revocation deny's name", () => {
    const plan = sweepWith({
      ...asPlanned,
      inlinePolicies: {
        ...asPlanned.inlinePolicies,
        "hallpass-revoke-older-sessions": JSON.stringify(widened),
      },
    });
    expect(plan.revoke[0]!.detail).toContain(
      "changed by hand: inline policy hallpass-revoke-older-sessions added",
    );
  });
});

function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .reverse()
        .map(([k, v]) => [k, reversedKeys(v)]),
    );
  }
  return value;
}

describe("planSweep: boundaries, the words people read, and the order of every list", () => {
  const roles = (...list: LiveRole[]) => new Map([[prod.id, list]]);
  const at = (iso: string) => new Date(iso);

  it("records unrecorded roles under access-requests/unrecorded/<account>/<role>.yaml", () => {
    expect(unrecordedRequestPath("111122223333", "break-in")).toBe(
      "access-requests/unrecorded/111122223333/break-in.yaml",
    );
  });

  it("says what each revocation is about", () => {
    const handMade: LiveRole = {
      roleName: "break-in",
      roleArn: `arn:aws:iam::${prod.id}:role/hallpass/break-in`,
      createdAt: "2026-11-26T11:30:00Z",
      tags: {},
    };
    const changed = roleOf(live, { [GRANT_TAGS.requester]: "mallory" });
    const unfinished = grant("unfinished", "2026-11-26T11:00:00Z", "2026-11-26T13:00:00Z");
    const plan = planSweep(
      state({
        roles: roles(handMade, changed, roleOf(expired), roleOf(unfinished)),
        grants: [live, expired, unfinished],
        revocations: [revocation(unfinished, "2026-11-26T11:30:00Z", "early-release")],
      }),
    );
    expect(Object.fromEntries(plan.revoke.map((r) => [r.role.roleName, r.detail]))).toEqual({
      "break-in": `role ${handMade.roleArn} has no grant record and no ${GRANT_TAGS.request} tag: made by hand`,
      [live.roleName]: `role ${live.roleArn} does not match its grant record (made or changed by hand): ${GRANT_TAGS.requester} tag differs`,
      [expired.roleName]: "expired at 2026-11-26T11:50:00Z",
      [unfinished.roleName]:
        "revoked at 2026-11-26T11:30:00Z (early-release) but the role was still there",
    });
  });

  it("says which documents were changed by hand", () => {
    const changed = {
      ...roleOf(live),
      documents: { ...roleOf(live).documents!, permissionsBoundary: undefined },
    };
    const plan = planSweep(state({ roles: roles(changed), grants: [live] }));
    expect(plan.revoke[0]!.detail).toMatch(/: changed by hand: .*boundary/);
  });

  it("says what is missing, for a recorded grant and for a merged request", () => {
    const plan = planSweep(state({ grants: [live], paths: ["access-requests/never.yaml"] }));
    expect(plan.missingGrants.map((m) => m.detail)).toEqual([
      `git records a grant until ${live.window.end} but ${live.roleArn} is not in AWS`,
      "merged, but no grant record: the app did not grant it (see the PR for why)",
    ]);
  });

  it("reports a record naming a role that has no request tag as mismatched, and revokes the role", () => {
    const untagged = roleOf(live);
    delete untagged.tags[GRANT_TAGS.request];
    const plan = planSweep(state({ roles: roles(untagged), grants: [live] }));
    expect(plan.mismatchedRecords.map((m) => m.detail)).toEqual([
      `the grant record of ${live.requestPath} names ${live.roleArn}, but that role's ${GRANT_TAGS.request} tag is missing: the record or the role was changed; nothing was done about either on this record's account`,
    ]);
    expect(plan.revoke.map((r) => r.reason)).toEqual(["unrecorded-role"]);
  });

  it("still plans the other grants when one record is mismatched", () => {
    const retagged = roleOf(live, { [GRANT_TAGS.request]: "access-requests/other.yaml" });
    const plan = planSweep(state({ roles: roles(retagged), grants: [live, ended] }));
    expect(plan.mismatchedRecords.map((m) => m.grant.requestPath)).toEqual([live.requestPath]);
    expect(plan.auditsDue.map((a) => a.grant.requestPath)).toEqual([ended.requestPath]);
  });

  it("watches a recorded role that carries no repository tag (an older grant)", () => {
    const older = roleOf(live);
    delete older.tags[GRANT_TAGS.repository];
    const plan = planSweep(state({ roles: roles(older), grants: [live] }));
    expect(plan.watch).toHaveLength(1);
    expect(plan.revoke).toEqual([]);
  });

  it.each([
    ["exactly the clock skew before the grant", "2026-11-26T10:59:00Z", []],
    ["a second more", "2026-11-26T10:58:59Z", ["alert"]],
  ])("a role created %s", (_n, createdAt, reasons) => {
    const plan = planSweep(state({ roles: roles({ ...roleOf(live), createdAt }), grants: [live] }));
    expect(plan.revoke.map((r) => r.reason)).toEqual(reasons);
  });

  it("revokes a role at its expiry second, not a second later", () => {
    const now = at(expired.window.end);
    const plan = planSweep(state({ now, roles: roles(roleOf(expired)), grants: [expired] }));
    expect(plan.revoke.map((r) => r.reason)).toEqual(["expired"]);
    expect(plan.watch).toEqual([]);
  });

  it("records the revocation of a grant whose role is gone at its expiry second", () => {
    const gone = { ...expired, grantedAt: "2026-11-26T09:00:00Z" };
    const plan = planSweep(state({ now: at(gone.window.end), grants: [gone] }));
    expect(plan.recordRevocation.map((r) => r.grant.requestPath)).toEqual([gone.requestPath]);
    expect(plan.missingGrants).toEqual([]);
  });

  it("waits for CloudTrail from the end second, and audits at the due second", () => {
    const end = at(ended.window.end).getTime();
    const atEnd = planSweep(state({ now: new Date(end), grants: [ended] }));
    expect(atEnd.auditsWaiting.map((a) => a.dueAt)).toEqual(["2026-11-26T10:30:00.000Z"]);
    const atDue = planSweep(state({ now: new Date(end + 1800_000), grants: [ended] }));
    expect(atDue.auditsDue.map((a) => a.grant.requestPath)).toEqual([ended.requestPath]);
    expect(atDue.auditsWaiting).toEqual([]);
  });

  it("does not audit a grant that has not ended", () => {
    const plan = planSweep(state({ roles: roles(roleOf(live)), grants: [live] }));
    expect(plan.auditsDue).toEqual([]);
    expect(plan.auditsWaiting).toEqual([]);
  });

  it("reports a merged request of an account in this shard", () => {
    const paths = ["access-requests/a.yaml"];
    const requestAccounts = new Map([["access-requests/a.yaml", "prod"]]);
    const plan = planSweep(state({ paths, requestAccounts }));
    expect(plan.missingGrants.map((m) => m.requestPath)).toEqual(["access-requests/a.yaml"]);
  });

  it("sorts every list by request path, whatever order git and AWS gave", () => {
    // Each pair is given in reverse order, and its role ARNs sort the other way from its paths.
    const pair = (first: string, second: string, start: string, end: string) => {
      const one = grant(first, start, end);
      const two = grant(second, start, end);
      return [
        { ...two, roleArn: `${two.roleArn}-a` },
        { ...one, roleArn: `${one.roleArn}-b` },
      ];
    };
    const expiredPair = pair("r1", "r2", "2026-11-26T09:00:00Z", "2026-11-26T11:50:00Z");
    const livePair = pair("l1", "l2", "2026-11-26T11:00:00Z", "2026-11-26T13:00:00Z");
    const pendingPair = pair("p1", "p2", "2026-11-26T11:55:00Z", "2026-11-26T14:00:00Z");
    const endedPair = pair("e1", "e2", "2026-11-26T08:00:00Z", "2026-11-26T10:00:00Z");
    const missingPair = pair("m1", "m2", "2026-11-26T08:00:00Z", "2026-11-26T14:00:00Z");
    // Two records naming one role whose request tag names neither: both mismatched.
    const [x2, x1] = pair("x1", "x2", "2026-11-26T11:00:00Z", "2026-11-26T13:00:00Z");
    const mismatchPair = [x2!, { ...x1!, roleArn: x2!.roleArn }];
    const plan = planSweep(
      state({
        roles: roles(
          ...expiredPair.map((g) => roleOf(g)),
          ...livePair.map((g) => roleOf(g)),
          roleOf(x2!, { [GRANT_TAGS.request]: "access-requests/nobody.yaml" }),
        ),
        grants: [expiredPair, livePair, pendingPair, endedPair, missingPair, mismatchPair].flat(),
        paths: ["access-requests/n2.yaml", "access-requests/n1.yaml"],
      }),
    );
    const paths = (list: { requestPath: string }[]) => list.map((g) => g.requestPath);
    const grants = (list: { grant: { requestPath: string } }[]) => paths(list.map((i) => i.grant));
    expect(paths(plan.revoke)).toEqual([
      "access-requests/r1.yaml",
      "access-requests/r2.yaml",
      unrecordedRequestPath(prod.id, x2!.roleName),
    ]);
    expect(grants(plan.watch)).toEqual(["access-requests/l1.yaml", "access-requests/l2.yaml"]);
    expect(grants(plan.pendingGrants)).toEqual([
      "access-requests/p1.yaml",
      "access-requests/p2.yaml",
    ]);
    expect(paths(plan.missingGrants)).toEqual([
      "access-requests/m1.yaml",
      "access-requests/m2.yaml",
      "access-requests/n1.yaml",
      "access-requests/n2.yaml",
    ]);
    expect(grants(plan.mismatchedRecords)).toEqual([
      "access-requests/x1.yaml",
      "access-requests/x2.yaml",
    ]);
    expect(grants(plan.recordRevocation)).toEqual([
      "access-requests/e1.yaml",
      "access-requests/e2.yaml",
    ]);
    expect(grants(plan.auditsDue)).toEqual(["access-requests/e1.yaml", "access-requests/e2.yaml"]);
    expect(grants(plan.auditsWaiting)).toEqual([
      "access-requests/r1.yaml",
      "access-requests/r2.yaml",
    ]);
  });

  it("orders two revocations of one request path by role ARN", () => {
    // Two records of one request in two accounts (never made by hallpass, but git can say so).
    const inStaging = grant("twice", "2026-11-26T09:00:00Z", "2026-11-26T11:50:00Z", staging);
    const inProd = grant("twice", "2026-11-26T09:00:00Z", "2026-11-26T11:50:00Z", prod);
    const plan = planSweep(
      state({
        accounts: [staging, prod],
        roles: new Map([
          [staging.id, [roleOf(inStaging)]],
          [prod.id, [roleOf(inProd)]],
        ]),
        grants: [inStaging, inProd],
      }),
    );
    expect(plan.revoke.map((r) => r.role.roleArn)).toEqual([inProd.roleArn, inStaging.roleArn]);
    const otherOrder = planSweep(
      state({
        accounts: [prod, staging],
        roles: new Map([
          [prod.id, [roleOf(inProd)]],
          [staging.id, [roleOf(inStaging)]],
        ]),
        grants: [inProd, inStaging],
      }),
    );
    expect(otherOrder.revoke.map((r) => r.role.roleArn)).toEqual([
      inProd.roleArn,
      inStaging.roleArn,
    ]);
  });
});

describe("what the sweep reads from git: the record names", () => {
  it("reads grants sorted, without those audited, even in a folder named like a record", () => {
    const paths = [
      "access-requests/z.grant.json",
      "access-requests/a.grant.json/db.grant.json",
      "access-requests/a.grant.json/db.audit.json",
      "access-requests/m.revocation.json",
      "access-requests/b.grant.json",
    ];
    expect(grantPathsToRead(paths, [])).toEqual([
      "access-requests/b.grant.json",
      "access-requests/z.grant.json",
    ]);
  });

  it("reads no grant for a role without a request tag, or whose request has no grant record", () => {
    const untagged = roleOf(live);
    delete untagged.tags[GRANT_TAGS.request];
    const pointing = roleOf(live, { [GRANT_TAGS.request]: "access-requests/ghost.yaml" });
    expect(grantPathsToRead([], [untagged, pointing])).toEqual([]);
  });

  it("reads the revocations of the grants it read, sorted", () => {
    const z = grant("z", "2026-11-26T08:00:00Z", "2026-11-26T09:00:00Z");
    const a = grant("a", "2026-11-26T08:00:00Z", "2026-11-26T09:00:00Z");
    const paths = ["access-requests/z.revocation.json", "access-requests/a.revocation.json"];
    expect(revocationPathsToRead(paths, [z, a])).toEqual([
      "access-requests/a.revocation.json",
      "access-requests/z.revocation.json",
    ]);
  });

  it("does not report as ungranted a request with a revocation, a refusal told, or under unrecorded/", () => {
    const paths = [
      "access-requests/z-never.yaml",
      "access-requests/revoked.yaml",
      "access-requests/revoked.revocation.json",
      "access-requests/told.yaml",
      "access-requests/told.ungranted.json",
      "access-requests/unrecorded/111122223333/break-in.yaml",
      "access-requests/a-never.yaml",
    ];
    expect(ungrantedRequestPaths(paths)).toEqual([
      "access-requests/a-never.yaml",
      "access-requests/z-never.yaml",
    ]);
  });
});
