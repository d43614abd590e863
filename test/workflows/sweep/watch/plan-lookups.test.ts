import { describe, expect, it } from "vitest";
import type { GrantRecord } from "../../../../src/core/grant/records.ts";
import type { AlertRule } from "../../../../src/core/policy/policy-format.ts";
import {
  inRunOrder,
  overlapMsOf,
  PendingSpans,
  regionTasksOf,
} from "../../../../src/workflows/sweep/watch/plan-lookups.ts";
import { WatchState } from "../../../../src/workflows/sweep/watch/watch-state.ts";
import { grantRecord, PROD, STEP_NOW } from "../sweep-step-fixtures.ts";

const TARGETS = new Map([
  [PROD.id, { ...PROD, brokerRole: `arn:aws:iam::${PROD.id}:role/b`, regions: ["eu-west-1"] }],
]);

function stateOf(grant: GrantRecord, watched?: Record<string, { from: string; to: string }[]>) {
  const record = { version: 1 as const, requestPath: grant.requestPath, roleArn: grant.roleArn };
  return new WatchState(
    grant,
    undefined,
    "x.alerts.json",
    {
      ...record,
      alerts: [],
      ...(watched ? { watched } : {}),
    },
    async () => {},
  );
}

const a = grantRecord("a", "2026-11-26T11:00:00Z", "2026-11-26T14:00:00Z");
const b = grantRecord("bb", "2026-11-26T10:00:00Z", "2026-11-26T14:00:00Z");
const carol = {
  ...grantRecord("c", "2026-11-26T11:30:00Z", "2026-11-26T14:00:00Z"),
  sessionName: "carol",
};

describe("regionTasksOf", () => {
  it("looks up one person's grants in an account together, in its regions and us-east-1", () => {
    const tasks = regionTasksOf(
      [a, b, carol].map((g) => stateOf(g)),
      TARGETS,
    );
    expect(
      tasks.map((t) => [t.region, t.groups.map((g) => [g.sessionName, g.grants.length])]),
    ).toEqual([
      [
        "eu-west-1",
        [
          ["alice", 2],
          ["carol", 1],
        ],
      ],
      [
        "us-east-1",
        [
          ["alice", 2],
          ["carol", 1],
        ],
      ],
    ]);
  });
});

describe("inRunOrder", () => {
  it("keeps one order of all the items within five minutes", () => {
    const items = Array.from({ length: 20 }, (_, i) => `k${i}`);
    const order = (now: Date) => inRunOrder(items, (x) => x, now);
    expect(order(STEP_NOW)).toEqual(order(new Date(STEP_NOW.getTime() + 60_000)));
    expect([...order(STEP_NOW)].sort()).toEqual([...items].sort());
  });
});

describe("overlapMsOf", () => {
  it("reads back the delivery delay plus the widest threshold window", () => {
    const rules: AlertRule[] = [
      {
        name: "burst",
        writesOnly: false,
        severity: "low",
        revoke: false,
        threshold: { count: 3, withinMinutes: 5 },
      },
    ];
    expect(overlapMsOf(1800, [])).toBe(1_800_000);
    expect(overlapMsOf(1800, rules)).toBe(1_800_000 + 300_000);
  });
});

describe("PendingSpans", () => {
  it("asks a group for what not every grant of it has read, from its first grant's start", () => {
    const states = [
      stateOf(a, { "eu-west-1": [{ from: "2026-11-26T10:00:00Z", to: "2026-11-26T11:50:00Z" }] }),
      stateOf(b),
    ];
    const tasks = regionTasksOf(states, TARGETS);
    const byGrant = new Map(states.map((s) => [s.grant.roleArn, s]));
    const pending = new PendingSpans(tasks, (g) => byGrant.get(g.roleArn)!, STEP_NOW, 0);
    const group = tasks[0]!.groups[0]!;
    // b has read nothing, so the group reads all from b's start (10:00) to now.
    expect(pending.needFrom(group, "eu-west-1")).toBe(Date.parse("2026-11-26T10:00:00Z"));
    pending.set(group, "eu-west-1", []);
    expect(pending.needFrom(group, "eu-west-1")).toBe(Number.POSITIVE_INFINITY);
  });

  it("asks only for what is newer than the group's common coverage, less the overlap", () => {
    const covered = { "eu-west-1": [{ from: "2026-11-26T11:00:00Z", to: "2026-11-26T11:50:00Z" }] };
    const state = stateOf(a, covered);
    const tasks = regionTasksOf([state], TARGETS);
    const pending = new PendingSpans(tasks, () => state, STEP_NOW, 60_000);
    const spans = pending.of(tasks[0]!.groups[0]!, "eu-west-1");
    expect(spans.map((s) => new Date(s.from).toISOString())).toEqual(["2026-11-26T11:49:00.000Z"]);
    expect(spans[0]?.to).toBe(STEP_NOW.getTime());
  });
});
