import { judgeEvents } from "./judge-grant.ts";
import type { Group, PendingSpans, RegionTask } from "./plan-lookups.ts";
import { stateOf, type WatchContext } from "./watch-context.ts";

/**
 * Below this many per-grant lookups in an account and region, the watch does not try the
 * account-wide stream: its first page is a probe that a busy account wastes, which is cheap
 * next to four lookups or more and not next to one or two.
 */
const STREAM_MIN_LOOKUPS = 4;

/**
 * Reads the account's events of a region newest first while that is cheaper than the
 * per-grant lookups it replaces (see `streamAccount`), then credits what it read to every group
 * of the region, so that their lookups read only what is older.
 */
export async function streamRegion(
  ctx: WatchContext,
  pending: PendingSpans,
  task: RegionTask,
): Promise<void> {
  // Every event later than this was read by the account-wide stream (ms; +Infinity: none).
  const covered = await streamAccount(ctx, task, (g) => pending.needFrom(g, task.region));
  if (covered === Number.POSITIVE_INFINITY) return;
  const piece = {
    from: Number.isFinite(covered) ? covered + 1000 : -Infinity,
    to: ctx.run.now.getTime(),
  };
  for (const group of task.groups) {
    const spans = pending.of(group, task.region);
    if (spans.length === 0) continue;
    const from = Math.max(piece.from, Math.min(...spans.map((s) => s.from)));
    for (const g of group.grants) stateOf(ctx, g).read(task.region, { from, to: piece.to });
    // What the stream read needs no lookup: up to its oldest second included, since events
    // of that second may be split across its pages (the overlap is removed by event id).
    pending.set(
      group,
      task.region,
      spans
        .map((s) => ({ from: s.from, to: Math.min(s.to, covered + 1000) }))
        .filter((s) => s.from <= s.to),
    );
  }
}

/**
 * After each page it estimates the pages still needed from the time the pages read so far
 * covered, and stops as soon as that is more than the lookups of the grants not yet covered
 * (grants that started after the oldest event read need none). In a quiet account one stream
 * serves every grant; in a busy one it costs a page and stops. Each page's events are judged
 * as it comes. Returns the time (ms) after which every event was read, or +Infinity when none
 * was.
 */
async function streamAccount(
  ctx: WatchContext,
  task: RegionTask,
  needFrom: (group: Group) => number,
): Promise<number> {
  const { cloudtrail } = ctx.run.deps;
  const { budget } = ctx;
  if (!cloudtrail.accountEventPages || task.groups.length < STREAM_MIN_LOOKUPS) {
    return Number.POSITIVE_INFINITY;
  }
  const start = Math.min(...task.groups.map(needFrom));
  const end = ctx.run.now.getTime();
  let oldest = end;
  let read = 0;
  let complete = true;
  if (budget.elapsed() > budget.ms / 2) return Number.POSITIVE_INFINITY;
  const streamStarted = budget.now();
  ctx.out.lookups.streams++;
  try {
    for await (const page of cloudtrail.accountEventPages({
      account: { name: task.target.name, id: task.target.id, brokerRole: task.target.brokerRole },
      region: task.region,
      roleArns: task.groups.flatMap((g) => g.grants.map((x) => x.roleArn)),
      startTime: new Date(start),
      endTime: ctx.run.now,
    })) {
      read++;
      ctx.out.lookups.streamPages++;
      // Judged now: a stream cut or failed later loses nothing already read (the lookups
      // read it again, and what was raised is not raised twice).
      await judgeEvents(ctx, page.events);
      if (page.oldest !== undefined) oldest = Math.min(oldest, Date.parse(page.oldest));
      const uncovered = task.groups.filter((g) => needFrom(g) <= oldest).length;
      const coveredMs = end - oldest;
      const remaining =
        coveredMs > 0 ? Math.ceil((read * (oldest - start)) / coveredMs) : Number.POSITIVE_INFINITY;
      if (page.last) break;
      // A stream that will not finish within the budget stops at half of it: it reads newest
      // first, so if it took the whole budget the grants that started first would never be
      // watched; the per-grant lookups left for them go in an order that changes every run.
      const elapsed = budget.elapsed();
      const finishes = elapsed + ((budget.now() - streamStarted) / read) * remaining <= budget.ms;
      if ((!finishes && elapsed > budget.ms / 2) || remaining > uncovered) {
        complete = false;
        break;
      }
    }
  } catch {
    // Not a loss: every grant is looked up on its own instead.
    return Number.POSITIVE_INFINITY;
  }
  return complete ? Number.NEGATIVE_INFINITY : oldest;
}
