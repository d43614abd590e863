import { describe, expect, it } from "vitest";
import {
  type AccessHistory,
  buildAccessHistory,
  compactHistoryFile,
  type FindingKind,
  type HistoryFilter,
  type PathChange,
  REVOCATION_GRACE_SECONDS,
} from "../../../src/core/history/build-access-history.ts";
import {
  appRefusalRecord,
  auditFiles,
  completeStory,
  grantRecord,
  json,
  MERGE_COMMIT,
  REQUEST_PATH,
  requestYaml,
  revocationRecord,
} from "./access-history-fixtures.ts";

const STEM = "access-requests/payments/alice-db";
const GRANT = `${STEM}.grant.json`;
const REVOCATION = `${STEM}.revocation.json`;
const AUDIT = `${STEM}.audit.json`;
const ALERTS = `${STEM}.alerts.json`;
const AFTER_ALL = new Date("2026-11-27T12:00:00Z");

function change(commit: string, status: PathChange["status"], date: string): PathChange {
  return { commit, status, author: "Alice Example <alice@example.com>", date };
}

/** Every file added in its own commit: the request at the merge, each record later. */
function addedChanges(files: Record<string, string>): Map<string, PathChange[]> {
  const changes = new Map<string, PathChange[]>();
  let n = 0;
  for (const path of Object.keys(files)) {
    const commit =
      path === REQUEST_PATH ? MERGE_COMMIT : `${String(++n).padStart(2, "0")}`.repeat(20);
    changes.set(path, [change(commit, "A", "2026-11-26T09:00:05+00:00")]);
  }
  return changes;
}

interface Story {
  files?: Record<string, string | undefined>;
  changes?: (changes: Map<string, PathChange[]>) => void;
  now?: Date;
  shallow?: boolean;
  filter?: HistoryFilter;
}

function history(story: Story = {}): AccessHistory {
  const base = completeStory();
  const files = Object.fromEntries(
    Object.entries({ ...base, ...story.files }).filter(
      (e): e is [string, string] => e[1] !== undefined,
    ),
  );
  const changes = addedChanges({ ...base, ...files });
  story.changes?.(changes);
  return buildAccessHistory({
    revision: "f".repeat(40),
    files: Object.entries(files).map(([path, content]) => ({ path, content })),
    changes,
    shallow: story.shallow ?? false,
    now: story.now ?? AFTER_ALL,
    auditDelaySeconds: 30 * 60,
    ...(story.filter ? { filter: story.filter } : {}),
  });
}

function kinds(h: AccessHistory): [FindingKind, string][] {
  return h.findings.map((f) => [f.kind, f.file]);
}

describe("buildAccessHistory", () => {
  it("tells a complete story with no findings: request, who added it, approvals, grant, alerts, revocation, activity", () => {
    const h = history();
    expect(h.findings).toEqual([]);
    expect(h.entries).toHaveLength(1);
    const [entry] = h.entries;
    const audit = auditFiles().summary;
    expect(entry).toEqual({
      requestPath: REQUEST_PATH,
      state: "ended",
      request: {
        requester: "alice",
        role: "db-admin",
        account: "production",
        duration: "2h",
        reason: "Fail over the orders database before the storage maintenance.",
        ticket: "CHG-4821",
        start: null,
        emergency: false,
        extends: null,
      },
      added: {
        commit: MERGE_COMMIT,
        author: "Alice Example <alice@example.com>",
        date: "2026-11-26T09:00:05+00:00",
      },
      grant: {
        pullRequest: 42,
        url: "https://github.com/acme/access/pull/42",
        mergeCommit: MERGE_COMMIT,
        mergedAt: "2026-11-26T09:00:00Z",
        mergedBy: "bob",
        requester: "alice",
        role: "db-admin",
        approvals: [
          {
            reviewer: "carol",
            reviewId: 9001,
            submittedAt: "2026-11-26T08:55:00Z",
            commitId: "b".repeat(40),
          },
        ],
        roleArn: grantRecord().roleArn,
        account: { name: "production", id: "123456789012" },
        window: { start: "2026-11-26T09:00:00Z", end: "2026-11-26T11:00:00Z" },
        sessionName: "alice",
        sourceIdentity: "alice",
        emergency: false,
        grantedAt: "2026-11-26T09:00:20Z",
      },
      alerts: [
        {
          rule: "iam-change",
          severity: "high",
          from: "2026-11-26T09:30:00Z",
          to: "2026-11-26T09:31:00Z",
          events: 2,
          revoked: false,
        },
      ],
      ungranted: null,
      revocation: {
        revokedAt: "2026-11-26T11:04:00Z",
        reason: "expired",
        revokedBy: "hallpass-action",
        detail: "expired at 2026-11-26T11:00:00Z",
      },
      audit: {
        events: audit.totals.events,
        reads: audit.totals.reads,
        writes: audit.totals.writes,
        failed: audit.totals.failed,
        firstActivity: audit.firstActivity,
        lastActivity: audit.lastActivity,
        riskyEvents: audit.riskyEventsTotal,
        riskyByRule: audit.riskyByRule,
        sourceIdentities: audit.sourceIdentities,
        unreadableEvents: 0,
      },
    });
    // The fixture has real activity: the figures are the summariser's, not zeros.
    expect(audit.totals.events).toBeGreaterThan(0);
  });

  const findingCases: {
    name: string;
    story: Story;
    state?: string;
    findings: [FindingKind, string][];
  }[] = [
    {
      name: "a merged request with no grant and no revocation record is not-granted",
      story: {
        files: {
          [GRANT]: undefined,
          [REVOCATION]: undefined,
          [AUDIT]: undefined,
          [ALERTS]: undefined,
        },
      },
      state: "not-granted",
      findings: [["not-granted", REQUEST_PATH]],
    },
    {
      name: "a request refused with a recorded rollback (grant-failed) is not not-granted",
      story: {
        files: {
          [GRANT]: undefined,
          [AUDIT]: undefined,
          [ALERTS]: undefined,
          [REVOCATION]: json(
            revocationRecord({ reason: "grant-failed", revokedBy: "hallpass-app" }),
          ),
        },
      },
      state: "rolled-back",
      findings: [],
    },
    {
      name: "a live grant needs neither revocation nor audit yet",
      story: {
        files: { [REVOCATION]: undefined, [AUDIT]: undefined },
        now: new Date("2026-11-26T10:00:00Z"),
      },
      state: "live",
      findings: [],
    },
    {
      name: "a grant whose window starts later is scheduled",
      story: {
        files: { [REVOCATION]: undefined, [AUDIT]: undefined },
        now: new Date("2026-11-26T08:59:00Z"),
      },
      state: "scheduled",
      findings: [],
    },
    {
      name: "a grant with no approvals is flagged",
      story: { files: { [GRANT]: json(grantRecord({ approvals: [] })) } },
      findings: [["no-approvals", GRANT]],
    },
    {
      name: "an ended grant without audit summary after the delay is audit-missing",
      story: { files: { [AUDIT]: undefined } },
      findings: [["audit-missing", AUDIT]],
    },
    {
      name: "the audit is not missing before the delay has passed",
      story: { files: { [AUDIT]: undefined }, now: new Date("2026-11-26T11:29:59Z") },
      findings: [],
    },
    {
      name: "an early revocation makes the audit due from the revocation, not the window end",
      story: {
        files: {
          [AUDIT]: undefined,
          [REVOCATION]: json(
            revocationRecord({ revokedAt: "2026-11-26T09:40:00Z", reason: "early-release" }),
          ),
        },
        now: new Date("2026-11-26T10:10:00Z"),
      },
      state: "revoked",
      findings: [["audit-missing", AUDIT]],
    },
    {
      name: "a request file modified after merge is flagged",
      story: {
        files: { [REQUEST_PATH]: requestYaml.replace("2h", "8h") },
        changes: (c) =>
          c.get(REQUEST_PATH)!.push(change("9".repeat(40), "M", "2026-11-26T12:00:00+00:00")),
      },
      findings: [["request-modified", REQUEST_PATH]],
    },
    {
      name: "a change in the merge commit itself (a rebase merge landing the PR's commits) is not after merge",
      story: {
        changes: (c) => {
          c.set(REQUEST_PATH, [
            change("1".repeat(40), "A", "2026-11-26T08:59:00+00:00"),
            change(MERGE_COMMIT, "M", "2026-11-26T09:00:00+00:00"),
          ]);
        },
      },
      findings: [],
    },
    {
      name: "a request file deleted after merge is flagged, and its records still tell the story",
      story: {
        files: { [REQUEST_PATH]: undefined },
        changes: (c) =>
          c.get(REQUEST_PATH)!.push(change("9".repeat(40), "D", "2026-11-27T08:00:00+00:00")),
      },
      state: "ended",
      findings: [["request-deleted", REQUEST_PATH]],
    },
    {
      name: "a request that became a symbolic link is unreadable and modified",
      story: {
        files: { [REQUEST_PATH]: undefined },
        changes: (c) =>
          c.get(REQUEST_PATH)!.push(change("9".repeat(40), "T", "2026-11-27T08:00:00+00:00")),
      },
      state: "ended",
      findings: [
        ["request-modified", REQUEST_PATH],
        ["unreadable", REQUEST_PATH],
      ],
    },
    {
      name: "a grant record rewritten after it was committed is flagged",
      story: {
        changes: (c) =>
          c.get(GRANT)!.push(change("9".repeat(40), "M", "2026-11-27T08:00:00+00:00")),
      },
      findings: [["record-changed", GRANT]],
    },
    {
      name: "alerts and audit summaries may be rewritten (the sweep appends alerts)",
      story: {
        changes: (c) => {
          c.get(ALERTS)!.push(change("9".repeat(40), "M", "2026-11-26T10:00:00+00:00"));
          c.get(AUDIT)!.push(change("8".repeat(40), "M", "2026-11-26T12:00:00+00:00"));
        },
      },
      findings: [],
    },
    {
      name: "a grant record that is not JSON is unreadable, and the grant is missing with it",
      story: { files: { [GRANT]: '{\n  "version": 1,\n  oops\n}\n' } },
      state: "unknown",
      findings: [["unreadable", GRANT]],
    },
    {
      name: "a revocation record that fails its schema is unreadable",
      story: {
        files: { [REVOCATION]: json({ ...revocationRecord(), reason: "because" }) },
      },
      findings: [
        ["not-revoked", REVOCATION],
        ["unreadable", REVOCATION],
      ],
    },
    {
      name: "an unparseable request file is unreadable at its line",
      story: { files: { [REQUEST_PATH]: "requester: alice\nrole: [db-admin\n" } },
      findings: [["unreadable", REQUEST_PATH]],
    },
    {
      name: "an emergency grant is flagged for post-incident review",
      story: {
        files: {
          [REQUEST_PATH]: `${requestYaml}emergency: true\n`,
          [GRANT]: json(grantRecord({ emergency: true })),
        },
      },
      findings: [["emergency", GRANT]],
    },
    {
      name: "a grant record that names another requester is inconsistent",
      story: { files: { [GRANT]: json(grantRecord({ requester: "mallory" })) } },
      findings: [["inconsistent", GRANT]],
    },
    {
      name: "a grant window longer than the requested duration is inconsistent",
      story: {
        files: {
          [GRANT]: json(
            grantRecord({ window: { start: "2026-11-26T09:00:00Z", end: "2026-11-26T11:00:01Z" } }),
          ),
        },
      },
      findings: [["inconsistent", GRANT]],
    },
    {
      name: "a grant window shorter than requested is not a finding",
      story: {
        files: {
          [GRANT]: json(
            grantRecord({ window: { start: "2026-11-26T09:00:00Z", end: "2026-11-26T10:00:00Z" } }),
          ),
        },
      },
      findings: [],
    },
    {
      name: "a requester approving their own request is flagged",
      story: {
        files: {
          [GRANT]: json(
            grantRecord({
              approvals: [{ ...grantRecord().approvals[0]!, reviewer: "Alice" }],
            }),
          ),
        },
      },
      findings: [["self-approved", GRANT]],
    },
    {
      name: "an approval submitted after the merge is inconsistent",
      story: {
        files: {
          [GRANT]: json(
            grantRecord({
              approvals: [{ ...grantRecord().approvals[0]!, submittedAt: "2026-11-26T09:05:00Z" }],
            }),
          ),
        },
      },
      findings: [["inconsistent", GRANT]],
    },
    {
      name: "a revocation of another role is inconsistent",
      story: {
        files: {
          [REVOCATION]: json(
            revocationRecord({ roleArn: "arn:aws:iam::123456789012:role/hallpass/other" }),
          ),
        },
      },
      findings: [["inconsistent", REVOCATION]],
    },
  ];

  it.each(findingCases)("$name", ({ story, state, findings }) => {
    const h = history(story);
    expect(kinds(h)).toEqual(findings);
    if (state) expect(h.entries.find((e) => e.requestPath === REQUEST_PATH)?.state).toBe(state);
  });

  describe(`not-revoked waits ${REVOCATION_GRACE_SECONDS / 60} minutes after the window end for the sweep`, () => {
    // The window ends at 11:00; the audit summary is there, so only the revocation is missing.
    it.each([
      ["at the window end", "2026-11-26T11:00:00Z", "ended", []],
      ["ten minutes later, before a late sweep ran", "2026-11-26T11:10:00Z", "ended", []],
      ["at the end of the grace", "2026-11-26T12:00:00Z", "ended", []],
      ["a second after the grace", "2026-11-26T12:00:01Z", "ended", [["not-revoked", REVOCATION]]],
      ["a day later", "2026-11-27T11:00:00Z", "ended", [["not-revoked", REVOCATION]]],
    ] as const)("%s (%s): %s", (_, now, state, findings) => {
      const h = history({ files: { [REVOCATION]: undefined }, now: new Date(now) });
      expect(kinds(h)).toEqual(findings);
      expect(h.entries[0]?.state).toBe(state);
      expect(h.revocationGraceSeconds).toBe(REVOCATION_GRACE_SECONDS);
    });

    it("says how long it waited and what to check", () => {
      const h = history({ files: { [REVOCATION]: undefined } });
      expect(h.findings[0]?.message).toBe(
        `the window ended at 2026-11-26T11:00:00Z and, more than 1h later, no revocation is recorded, though the scheduled sweep removes and records it within minutes: check that ${grantRecord().roleArn} is gone from AWS (its own policies deny every session since the end) and why the sweep did not run or failed`,
      );
    });
  });

  it("reads how many events the audit could not read, and 0 from a summary written before they were counted", () => {
    const summary = auditFiles().summary;
    const counted = { ...summary, unreadableEventsTotal: 2 };
    const h = history({ files: { [AUDIT]: json(counted) } });
    expect(h.entries[0]!.audit?.unreadableEvents).toBe(2);
    expect(kinds(h)).toEqual([]);
    const {
      duplicateEvents: _d,
      unreadableEventsTotal: _u,
      unreadableEvents: _e,
      ...older
    } = summary;
    expect(history({ files: { [AUDIT]: json(older) } }).entries[0]!.audit?.unreadableEvents).toBe(
      0,
    );
  });

  it("locates an unreadable record at the line JSON.parse stopped and says what is wrong", () => {
    const h = history({ files: { [GRANT]: '{\n  "version": 1,\n  oops\n}\n' } });
    expect(h.findings[0]).toMatchObject({ file: GRANT, line: 3 });
    expect(h.findings[0]?.message).toMatch(/not JSON/);
    const schema = history({ files: { [GRANT]: json({ ...grantRecord(), roleArn: 7 }) } });
    expect(schema.findings[0]?.message).toMatch(/roleArn: /);
  });

  it("locates an unparseable request at its line", () => {
    const h = history({ files: { [REQUEST_PATH]: "requester: alice\nrole: [db-admin\n" } });
    expect(h.findings[0]?.line).toBeGreaterThan(1);
    expect(h.entries[0]?.request).toBeNull();
  });

  it("lists a role made by hand as an unrecorded-role entry with its finding", () => {
    const path = "access-requests/unrecorded/123456789012/hp-by-hand.revocation.json";
    const h = history({
      files: {
        [path]: json({
          version: 1,
          requestPath: "access-requests/unrecorded/123456789012/hp-by-hand.yaml",
          roleArn: "arn:aws:iam::123456789012:role/hallpass/hp-by-hand",
          revokedAt: "2026-11-26T13:00:00Z",
          reason: "unrecorded-role",
          revokedBy: "hallpass-action",
          detail: "made by hand",
        }),
      },
    });
    const entry = h.entries.find((e) => e.state === "unrecorded-role");
    expect(entry?.requestPath).toBe("access-requests/unrecorded/123456789012/hp-by-hand.yaml");
    expect(kinds(h)).toEqual([["unrecorded-role", path]]);
    expect(h.findings[0]?.message).toMatch(/hp-by-hand.*made by hand/);
  });

  it("flags a record with no request file beside it and none in history", () => {
    const path = "access-requests/payments/ghost.grant.json";
    const h = history({
      files: { [path]: json(grantRecord({ requestPath: "access-requests/payments/ghost.yaml" })) },
    });
    expect(kinds(h)).toContainEqual(["orphan-record", path]);
  });

  it("reads a deleted request's last version for what it asked, without judging its syntax again", () => {
    const h = buildAccessHistory({
      revision: "f".repeat(40),
      files: [],
      deletedRequests: [{ path: REQUEST_PATH, content: requestYaml }],
      changes: new Map([
        [
          REQUEST_PATH,
          [
            change(MERGE_COMMIT, "A", "2026-11-26T09:00:05+00:00"),
            change("9".repeat(40), "D", "2026-11-27T09:00:00+00:00"),
          ],
        ],
      ]),
      shallow: false,
      now: AFTER_ALL,
      auditDelaySeconds: 1800,
    });
    expect(h.entries.map((e) => [e.state, e.request?.requester])).toEqual([["deleted", "alice"]]);
    expect(kinds(h)).toEqual([["request-deleted", REQUEST_PATH]]);
  });

  it("names the pull request the sweep told about a request never granted", () => {
    const ungranted = {
      version: 1,
      requestPath: REQUEST_PATH,
      pullRequest: {
        number: 42,
        url: "https://github.com/acme/access/pull/42",
        mergeCommit: MERGE_COMMIT,
        mergedAt: "2026-11-26T09:00:00Z",
      },
      reportedAt: "2026-11-26T09:20:00Z",
      detail: "merged, but no grant record",
    };
    const h = history({
      files: {
        [GRANT]: undefined,
        [REVOCATION]: undefined,
        [AUDIT]: undefined,
        [ALERTS]: undefined,
        [`${STEM}.ungranted.json`]: json(ungranted),
      },
    });
    expect(h.entries[0]?.ungranted).toEqual({
      pullRequest: 42,
      url: "https://github.com/acme/access/pull/42",
      mergeCommit: MERGE_COMMIT,
      mergedAt: "2026-11-26T09:00:00Z",
      reportedAt: "2026-11-26T09:20:00Z",
      detail: "merged, but no grant record",
      source: "sweep",
      reason: null,
      details: [],
      mergedBy: null,
    });
    // Told is not granted: compliance still sees it.
    expect(kinds(h)).toEqual([["not-granted", REQUEST_PATH]]);
    expect(h.findings[0]?.message).toMatch(/pull request #42 .* at 2026-11-26T09:20:00Z/);
    const broken = history({
      files: {
        [`${STEM}.ungranted.json`]: json({
          ...ungranted,
          requestPath: "elsewhere.yaml",
          // Before the story's grant: only the path is wrong.
          reportedAt: "2026-11-26T09:00:10Z",
        }),
      },
    });
    expect(kinds(broken)).toEqual([["inconsistent", `${STEM}.ungranted.json`]]);
  });

  const appRefusal = appRefusalRecord();

  it("says why the app refused a request at merge, from its record", () => {
    const h = history({
      files: {
        [GRANT]: undefined,
        [REVOCATION]: undefined,
        [AUDIT]: undefined,
        [ALERTS]: undefined,
        [`${STEM}.ungranted.json`]: json(appRefusal),
      },
    });
    expect(h.entries[0]?.ungranted).toMatchObject({
      source: "app",
      reason: "approvals do not hold at the merge commit 3e76e00",
      details: appRefusal.details,
      mergedBy: "root-admin",
    });
    expect(kinds(h)).toEqual([["not-granted", REQUEST_PATH]]);
    const message = h.findings[0]?.message ?? "";
    expect(message).toContain("merged by root-admin");
    expect(message).toContain(
      "the app refused it at 2026-11-26T09:00:10Z: approvals do not hold at the merge commit 3e76e00",
    );
    expect(message).toContain("Rule db-admin needs 1 more approval from @acme/dba.");
    expect(message).not.toContain("leave no record");
  });

  it("takes a refusal followed by the grant of the same merge for a refusal overcome (quota freed, redelivered)", () => {
    const h = history({ files: { [`${STEM}.ungranted.json`]: json(appRefusal) } });
    expect(kinds(h)).toEqual([]);
    expect(h.entries[0]?.grant).not.toBeNull();
    expect(h.entries[0]?.ungranted?.reason).toBe(appRefusal.reason);
  });

  it.each([
    ["recorded after the grant", { reportedAt: "2026-11-26T09:30:00Z" }, "after the grant"],
    [
      "of another merge",
      {
        pullRequest: { ...appRefusal.pullRequest, mergeCommit: "f".repeat(40) },
      },
      "merge commit",
    ],
  ])("finds a refusal %s inconsistent with the grant", (_name, change, words) => {
    const h = history({
      files: { [`${STEM}.ungranted.json`]: json({ ...appRefusal, ...change }) },
    });
    expect(kinds(h)).toEqual([["inconsistent", `${STEM}.ungranted.json`]]);
    expect(h.findings[0]?.message).toContain(words);
  });

  it("says so when the clone is shallow", () => {
    expect(kinds(history({ shallow: true }))).toEqual([["shallow-history", ""]]);
  });

  describe("filters", () => {
    const other = "access-requests/infra/bob-net.yaml";
    const files = {
      [other]:
        "requester: bob\nrole: net-admin\naccount: staging\nduration: 1h\nreason: Rotate the VPN certificates before they expire.\n",
    };
    const later = (c: Map<string, PathChange[]>) =>
      c.set(other, [change("7".repeat(40), "A", "2026-11-26T15:00:00+00:00")]);
    const cases: { filter: HistoryFilter; paths: string[] }[] = [
      { filter: {}, paths: [REQUEST_PATH, other] },
      { filter: { requester: "ALICE" }, paths: [REQUEST_PATH] },
      { filter: { account: "staging" }, paths: [other] },
      { filter: { account: "123456789012" }, paths: [REQUEST_PATH] },
      { filter: { role: "net-admin" }, paths: [other] },
      { filter: { since: new Date("2026-11-26T12:00:00Z") }, paths: [other] },
      { filter: { until: new Date("2026-11-26T12:00:00Z") }, paths: [REQUEST_PATH] },
      { filter: { paths: ["access-requests/infra/"] }, paths: [other] },
      { filter: { paths: [REQUEST_PATH] }, paths: [REQUEST_PATH] },
      { filter: { paths: [`${STEM}.grant.json`] }, paths: [REQUEST_PATH] },
      { filter: { paths: ["access-requests/pay"] }, paths: [] },
      { filter: { requester: "alice", account: "staging" }, paths: [] },
    ];
    it.each(cases)(
      "$filter keeps $paths, oldest first, with only their findings",
      ({ filter, paths }) => {
        const h = history({ files, changes: later, filter });
        expect(h.entries.map((e) => e.requestPath)).toEqual(paths);
        expect(h.findings.every((f) => paths.includes(f.requestPath))).toBe(true);
      },
    );
  });

  it("is the same whatever order the files come in", () => {
    const a = history();
    const files = completeStory();
    const changes = addedChanges(files);
    const b = buildAccessHistory({
      revision: "f".repeat(40),
      files: Object.entries(files)
        .reverse()
        .map(([path, content]) => ({ path, content: new TextEncoder().encode(content) })),
      changes,
      shallow: false,
      now: AFTER_ALL,
      auditDelaySeconds: 1800,
    });
    expect(b).toEqual(a);
  });
});

describe("compactHistoryFile", () => {
  const audit = JSON.parse(auditFiles().json) as Record<string, unknown>;
  const variants: [string, Record<string, string | undefined>][] = [
    ["a complete story", {}],
    ["an audit of another request", { [AUDIT]: json({ ...audit, requestPath: "x.yaml" }) }],
    ["an audit of another role", { [AUDIT]: json({ ...audit, roleArn: "arn:other" }) }],
    ["an audit with unreadable events", { [AUDIT]: json({ ...audit, unreadableEventsTotal: 3 }) }],
    ["an audit that is not JSON", { [AUDIT]: '{\n  "version": 1,\n  oops\n}' }],
    ["an audit without its totals", { [AUDIT]: json({ ...audit, totals: undefined }) }],
    ["an audit with a null request path", { [AUDIT]: json({ ...audit, requestPath: null }) }],
  ];
  it.each(variants)("builds the same history from compacted files: %s", (_, overrides) => {
    const files = Object.entries({ ...completeStory(), ...overrides })
      .filter((e): e is [string, string] => e[1] !== undefined)
      .map(([path, content]) => ({ path, content: new TextEncoder().encode(content) }));
    const input = {
      revision: "f".repeat(40),
      changes: addedChanges(Object.fromEntries(files.map((f) => [f.path, ""]))),
      shallow: false,
      now: AFTER_ALL,
      auditDelaySeconds: 1800,
    };
    const whole = buildAccessHistory({ ...input, files });
    const compacted = files.map(compactHistoryFile);
    expect(buildAccessHistory({ ...input, files: compacted })).toEqual(whole);
  });

  it("keeps an audit summary's headline only, and every other file as it is", () => {
    const [request, grant, auditFile] = [REQUEST_PATH, GRANT, AUDIT].map((path) => ({
      path,
      content: completeStory()[path]!,
    }));
    expect(compactHistoryFile(request!)).toBe(request);
    expect(compactHistoryFile(grant!)).toBe(grant);
    const compact = compactHistoryFile(auditFile!).content as string;
    expect(compact.length).toBeLessThan(auditFile!.content.length / 3);
    expect(Object.keys(audit)).toContain("riskyEvents");
    expect(Object.keys(JSON.parse(compact))).not.toContain("riskyEvents");
  });

  it("carries the headline it checked, the same as its content, and the history reads that one", () => {
    const auditFile = { path: AUDIT, content: completeStory()[AUDIT]! };
    const compacted = compactHistoryFile(auditFile);
    expect(JSON.parse(JSON.stringify(compacted.auditHeadline))).toEqual(
      JSON.parse(compacted.content as string),
    );
    // Its content is not parsed again: a headline that says otherwise is what the entry shows.
    const files = Object.entries(completeStory()).map(([path, content]) =>
      path === AUDIT
        ? { ...compacted, auditHeadline: { ...compacted.auditHeadline!, riskyEventsTotal: 99 } }
        : { path, content },
    );
    const history = buildAccessHistory({
      revision: "f".repeat(40),
      files,
      changes: addedChanges(Object.fromEntries(files.map((f) => [f.path, ""]))),
      shallow: false,
      now: AFTER_ALL,
      auditDelaySeconds: 1800,
    });
    expect(history.entries[0]!.audit!.riskyEvents).toBe(99);
  });
});
