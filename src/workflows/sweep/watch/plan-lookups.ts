import type { GrantRecord } from "../../../core/grant/records.ts";
import type { AlertRule } from "../../../core/policy/policy-format.ts";
import { commonCoverage, type Span, spansToRead } from "../../../core/sweep/watch-coverage.ts";
import type { AccountTarget } from "../../../ports/aws.ts";
import type { SweepTarget } from "../types.ts";
import type { WatchState } from "./watch-state.ts";

/** Watched grants that share a session name in one account: one lookup serves them all. */
export interface Group {
  target: AccountTarget;
  sessionName: string;
  grants: GrantRecord[];
}

/** The groups to look up in one account and region. */
export interface RegionTask {
  target: AccountTarget;
  region: string;
  groups: Group[];
}

/**
 * The lookups of the watched grants by account and region. One lookup per person (session
 * name) and region serves all of that person's grants in the account: CloudTrail allows only
 * 2 lookups a second per account and region.
 */
export function regionTasksOf(
  states: Iterable<WatchState>,
  targets: ReadonlyMap<string, SweepTarget>,
): RegionTask[] {
  const groups = new Map<string, Group>();
  for (const { grant } of states) {
    const target = targets.get(grant.account.id)!;
    const key = `${target.id}|${grant.sessionName}`;
    const group = groups.get(key) ?? { target, sessionName: grant.sessionName, grants: [] };
    group.grants.push(grant);
    groups.set(key, group);
  }
  const tasks = new Map<string, RegionTask>();
  for (const group of groups.values()) {
    for (const region of regionsOf(targets.get(group.target.id)!)) {
      const key = `${group.target.id}|${region}`;
      const task = tasks.get(key) ?? { target: group.target, region, groups: [] };
      task.groups.push(group);
      tasks.set(key, task);
    }
  }
  return [...tasks.values()];
}

/** The account's regions and us-east-1, where IAM and STS log. */
function regionsOf(account: { regions: string[] }): string[] {
  return [...new Set([...account.regions, "us-east-1"])].sort();
}

/**
 * `items` in this run's order: a different order every 5 minutes, so lookups cut by the budget
 * come first another time.
 */
export function inRunOrder<T>(items: readonly T[], key: (item: T) => string, now: Date): T[] {
  const slot = Math.floor(now.getTime() / 300_000);
  return items
    .map((item) => ({ item, order: orderKey(`${key(item)}|${slot}`) }))
    .sort((x, y) => x.order - y.order)
    .map((x) => x.item);
}

/** A stable pseudo-random number for a text (FNV-1a), to vary the lookup order by run. */
function orderKey(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Events already judged are read again this far back (ms), so that late deliveries and
 * threshold bursts across the edge of what an earlier run read are still seen whole.
 */
export function overlapMsOf(auditDelaySeconds: number, rules: readonly AlertRule[]): number {
  return (
    auditDelaySeconds * 1000 +
    Math.max(0, ...rules.map((r) => (r.threshold ? r.threshold.withinMinutes * 60_000 : 0)))
  );
}

/** What each group still has to read in each region, newest first. */
export class PendingSpans {
  readonly #spans = new Map<string, Span[]>();

  /** From each grant's start to `now`, less what every grant of the group already covered. */
  constructor(
    tasks: readonly RegionTask[],
    stateOf: (grant: GrantRecord) => WatchState,
    now: Date,
    overlapMs: number,
  ) {
    for (const task of tasks) {
      for (const group of task.groups) {
        const covered = commonCoverage(
          group.grants.map((g) => stateOf(g).coverage.get(task.region) ?? []),
        );
        const start = Math.min(...group.grants.map((g) => Date.parse(g.window.start)));
        const window = { from: start, to: now.getTime() };
        this.set(group, task.region, spansToRead(window, covered, overlapMs));
      }
    }
  }

  of(group: Group, region: string): Span[] {
    return this.#spans.get(PendingSpans.#key(group, region)) ?? [];
  }

  set(group: Group, region: string, spans: Span[]): void {
    this.#spans.set(PendingSpans.#key(group, region), spans);
  }

  /** The oldest time (ms) the group still needs in the region; +Infinity when none. */
  needFrom(group: Group, region: string): number {
    return Math.min(...this.of(group, region).map((s) => s.from));
  }

  static #key(group: Group, region: string): string {
    return `${group.target.id}|${group.sessionName}|${region}`;
  }
}
