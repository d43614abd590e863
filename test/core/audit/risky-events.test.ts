import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RiskyEvent } from "../../../src/core/audit/audit-summary.ts";
import type { CloudTrailEvent } from "../../../src/core/audit/cloudtrail-event.ts";
import { createRiskyEvents } from "../../../src/core/audit/risky-events.ts";

const T = Date.UTC(2026, 10, 26, 9, 0, 0);
const ACTIONS = ["iam:CreateRole", "s3:DeleteBucket", "kms:Decrypt"];
const REGIONS = ["eu-west-1", "us-east-1"];

/**
 * A risky event drawn from its key: the same (second, id) always gives the same event, as
 * CloudTrail's copies of one event are the same record.
 */
interface Drawn {
  ms: number;
  event: CloudTrailEvent;
  action: string;
  write: boolean;
  errorCode: string | undefined;
  identity: string | undefined;
  arns: string[];
  names: string[];
}

function drawn(second: number, id: number): Drawn {
  const ms = T + second * 1000;
  const eventTime = `${new Date(ms).toISOString().slice(0, 19)}Z`;
  const h = (second * 31 + id * 17) % 97;
  const failed = h % 5 === 0;
  const event: CloudTrailEvent = {
    eventID: `id-${String(id).padStart(3, "0")}`,
    eventTime,
    eventSource: "iam.amazonaws.com",
    eventName: "CreateRole",
    awsRegion: REGIONS[h % REGIONS.length]!,
    userIdentity: { type: "AssumedRole" },
  };
  return {
    ms,
    event,
    action: ACTIONS[h % ACTIONS.length]!,
    write: h % 3 !== 0,
    errorCode: failed ? "AccessDenied" : undefined,
    identity: h % 4 === 0 ? undefined : h % 7 === 0 ? "mallory" : "alice",
    // Repeated and unsorted ARNs: the summary lists each once, sorted.
    arns: [`arn:aws:s3:::b-${h % 3}`, `arn:aws:s3:::a-${h % 2}`, `arn:aws:s3:::b-${h % 3}`].slice(
      0,
      h % 4,
    ),
    names: ["iam-write", "delete", "access-denied", "foreign-identity"].filter(
      (_, k) => (h >> k) % 2 === 1 || (k === 3 && h % 8 === 0),
    ),
  };
}

/** What the summary lists for a kept event: the specification the tally must meet. */
function expected(d: Drawn): RiskyEvent {
  return {
    eventTime: d.event.eventTime,
    eventID: d.event.eventID,
    action: d.action,
    region: d.event.awsRegion,
    readOnly: !d.write,
    ...(d.errorCode !== undefined ? { errorCode: d.errorCode } : {}),
    ...(d.identity !== undefined ? { sourceIdentity: d.identity } : {}),
    resources: [...new Set(d.arns)].sort(),
    rules: [...d.names].sort(),
  };
}

/** Every event held and sorted by (time, id), the earliest `capacity` listed. */
function earliestOf(events: readonly Drawn[], capacity: number): RiskyEvent[] {
  return [...events]
    .sort((x, y) =>
      x.ms !== y.ms
        ? x.ms - y.ms
        : x.event.eventID < y.event.eventID
          ? -1
          : x.event.eventID > y.event.eventID
            ? 1
            : 0,
    )
    .slice(0, capacity)
    .map(expected);
}

function tallied(events: readonly Drawn[], capacity: number, longestTie?: number) {
  const risky = createRiskyEvents("alice", capacity, longestTie);
  const arns: string[] = [];
  for (const d of events) {
    // The tally's buffer is reused from event to event, longer than the event's own ARNs.
    for (let k = 0; k < d.arns.length; k++) arns[k] = d.arns[k]!;
    risky.add(
      d.event,
      d.ms,
      {
        action: d.action,
        write: d.write,
        errorCode: d.errorCode,
        identity: d.identity,
        arns,
        arnCount: d.arns.length,
      },
      d.names,
    );
  }
  return risky;
}

/**
 * Keys newest first (LookupEvents' order), many to a second, either by id too or in any order
 * within a second (as LookupEvents gives them), then some runs moved out of that order.
 */
const orders = fc
  .record({
    keys: fc.array(fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 40 })), {
      maxLength: 80,
    }),
    moves: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 6 })), {
      maxLength: 4,
    }),
    shuffled: fc.boolean(),
    byIdToo: fc.boolean(),
  })
  .map(({ keys, moves, shuffled, byIdToo }) => {
    const list = keys.map(([s, id]) => drawn(s, id));
    // A stable sort: without the ids, one second's events stay in the order they were drawn.
    list.sort((x, y) =>
      y.ms !== x.ms || !byIdToo ? y.ms - x.ms : y.event.eventID < x.event.eventID ? -1 : 1,
    );
    if (shuffled) list.reverse();
    for (const [from, to, length] of moves) {
      if (list.length === 0) break;
      const run = list.splice(from % list.length, length);
      list.splice(to % (list.length + 1), 0, ...run);
    }
    return list;
  });

describe("risky events kept one by one", () => {
  it("keeps the earliest by time then id, whatever the arrival order, ties and copies included", () => {
    fc.assert(
      fc.property(
        orders,
        fc.integer({ min: 1, max: 12 }),
        fc.option(fc.integer({ min: 1, max: 4 })),
        (events, capacity, longestTie) => {
          // A short `longestTie` turns the ring into the heap at a run of one second's events.
          const risky = tallied(events, capacity, longestTie ?? undefined);
          expect(risky.earliest()).toEqual(earliestOf(events, capacity));
          expect(risky.total).toBe(events.length);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("keeps the same events newest first and oldest first, the ring and the heap alike", () => {
    const events = Array.from({ length: 300 }, (_, i) => drawn(Math.floor(i / 7), i));
    const newestFirst = [...events].reverse();
    const expectedEarliest = earliestOf(events, 25);
    expect(tallied(newestFirst, 25).earliest()).toEqual(expectedEarliest);
    expect(tallied(events, 25).earliest()).toEqual(expectedEarliest);
    // One event out of order half-way through turns the ring into the heap.
    const late = [...newestFirst];
    late.splice(150, 0, ...late.splice(10, 1));
    expect(tallied(late, 25).earliest()).toEqual(expectedEarliest);
  });

  it("counts every risky event by rule, kept or not", () => {
    const events = Array.from({ length: 50 }, (_, i) => drawn(i % 5, i));
    const byRule = tallied(events, 3).byRule();
    const counts = new Map<string, number>();
    for (const d of events) {
      for (const n of d.names) {
        counts.set(n, (counts.get(n) ?? 0) + 1);
      }
    }
    expect(byRule).toEqual(
      [...counts.entries()]
        .sort(([x], [y]) => (x < y ? -1 : 1))
        .map(([rule, n]) => ({ rule, events: n })),
    );
  });
});
