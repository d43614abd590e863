import { byKey } from "./activity-counts.ts";
import type { AuditSummary } from "./audit-summary.ts";
import type { CloudTrailEvent } from "./cloudtrail-event.ts";

/**
 * The resources a grant's sessions touched, by ARN: one entry per distinct ARN, so what it
 * holds grows with the resources, never with the events that touched them.
 */
export interface TouchedResources {
  /**
   * Counts the resources of one event, and writes into `arns` from its start the tally's copy
   * of each ARN, returning how many: a risky event kept for long points at that copy instead
   * of a fresh string of its own, which would be promoted to the old generation before it is
   * dropped. `arns` is overwritten, never emptied: `length = 0` drops its storage, and every
   * event would allocate a fresh one.
   */
  add(list: CloudTrailEvent["resources"], write: boolean, arns: string[]): number;
  /** Distinct ARNs held. */
  readonly size: number;
  /** Every resource, by ARN. */
  list(): AuditSummary["resources"];
}

/** Starts an empty list of touched resources. */
export function createTouchedResources(): TouchedResources {
  const resources = new Map<string, { arn: string; events: number; writes: number }>();
  return {
    add(list, write, arns) {
      if (!list) return 0;
      let count = 0;
      for (let k = 0; k < list.length; k++) {
        const r = list[k]!;
        if (typeof r.ARN !== "string") continue;
        let entry = resources.get(r.ARN);
        if (!entry) {
          entry = { arn: r.ARN, events: 0, writes: 0 };
          resources.set(r.ARN, entry);
        }
        entry.events++;
        if (write) entry.writes++;
        arns[count++] = entry.arn;
      }
      return count;
    },
    get size() {
      return resources.size;
    },
    list: () =>
      [...resources.values()]
        .sort((x, y) => byKey(x.arn, y.arn))
        .map((r) => ({ arn: r.arn, events: r.events, writes: r.writes })),
  };
}
