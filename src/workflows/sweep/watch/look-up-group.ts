import {
  type CloudTrailEvent,
  compactCloudTrailEvent,
  eventTimeMs,
} from "../../../core/audit/cloudtrail-event.ts";
import { type Span, spanRead } from "../../../core/sweep/watch-coverage.ts";
import { issueOf } from "../types.ts";
import { judgeEvents } from "./judge-grant.ts";
import type { Group, RegionTask } from "./plan-lookups.ts";
import { stateOf, type WatchContext } from "./watch-context.ts";
import type { WatchState } from "./watch-state.ts";

/**
 * Reads one group's spans in one region newest first, judging the events a page at a time as
 * they come, and stops at the run's budget or after `maxLookupEvents`: what is left waits for
 * the next run, which resumes where this one stopped (the coverage recorded in git).
 */
export async function lookUpGroup(
  ctx: WatchContext,
  task: RegionTask,
  group: Group,
  spans: readonly Span[],
): Promise<void> {
  const members = group.grants.map((g) => stateOf(ctx, g));
  if (ctx.budget.over()) {
    for (const m of members) ctx.deferred.add(m);
    return;
  }
  ctx.out.lookups.grantLookups++;
  let read = 0;
  try {
    for (const [i, span] of spans.entries()) {
      if (ctx.budget.over() || read >= ctx.maxLookupEvents) {
        for (const m of members) m.cut = true; // the rest waits for the next run
        break;
      }
      // The newest span may take half of the events when older ones wait: a holder who keeps
      // calling cannot keep the watch from reaching back to where an earlier run stopped.
      const allowed = i === 0 && spans.length > 1 ? ctx.maxLookupEvents / 2 : ctx.maxLookupEvents;
      const result = await readSpan(ctx, task, group, span, allowed - read);
      read += result.read;
      for (const m of members) m.read(task.region, spanRead(span, result.complete, result.oldest));
      if (!result.complete) for (const m of members) m.cut = true;
    }
    if (members.some((m) => m.cut)) for (const m of members) ctx.deferred.add(m);
  } catch (error) {
    failLookup(ctx, members, error);
  }
}

/**
 * Reads one span of a group's events, newest first, judging them 50 at a time (a CloudTrail
 * page), until `allowed` events or the budget. `oldest` is the oldest event's time (ms).
 */
async function readSpan(
  ctx: WatchContext,
  task: RegionTask,
  group: Group,
  span: Span,
  allowed: number,
): Promise<{ read: number; complete: boolean; oldest: number | undefined }> {
  let page: CloudTrailEvent[] = [];
  let oldest: number | undefined;
  let read = 0;
  let complete = true;
  try {
    complete = await readPages();
  } catch (error) {
    // The events read before the lookup failed (a record it cannot read, a page it cannot get)
    // are judged all the same: an alert among them may revoke, and must not wait for the
    // lookup to succeed. The failure still stands: coverage is not advanced.
    await judgeEvents(ctx, page);
    throw error;
  }
  await judgeEvents(ctx, page);
  return { read, complete, oldest };

  async function readPages(): Promise<boolean> {
    for await (const events of ctx.run.deps.cloudtrail.grantEventPages({
      account: { name: task.target.name, id: task.target.id, brokerRole: task.target.brokerRole },
      region: task.region,
      sessionName: group.sessionName,
      roleArns: group.grants.map((g) => g.roleArn),
      startTime: new Date(span.from),
      endTime: new Date(span.to),
    })) {
      for (const e of events) {
        // Only what hallpass reads, not the request and response bodies (tens of KB an event).
        page.push(compactCloudTrailEvent(e));
        oldest = Math.min(oldest ?? Number.POSITIVE_INFINITY, eventTimeMs(e.eventTime));
        if (page.length >= 50) {
          await judgeEvents(ctx, page);
          page = [];
        }
        if (++read >= allowed || ctx.budget.over()) return false;
      }
    }
    return true;
  }
}

/** A failed lookup: its grants' coverage is not advanced, and each is an issue. */
function failLookup(ctx: WatchContext, members: readonly WatchState[], error: unknown): void {
  for (const m of members) {
    m.unread = true;
    ctx.out.issues.push(issueOf("watch", m.grant.requestPath, error));
  }
}
