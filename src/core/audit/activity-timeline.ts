import { countEvent, zeroCounts } from "./activity-counts.ts";
import type { ActivityCounts, TimelineSpan } from "./audit-summary.ts";

const BUCKET_MINUTES = [1, 5, 10, 15, 30, 60, 120, 240, 360, 720, 1440];

/** The smallest bucket that draws the window in at most 48 columns. */
function bucketMinutesFor(window: { start: string; end: string }): number {
  const minutes = (Date.parse(window.end) - Date.parse(window.start)) / 60_000;
  return BUCKET_MINUTES.find((b) => minutes / b <= 48) ?? 1440;
}

/** One service's activity by bucket (the bucket's index from the window's start -> counts). */
export type Buckets = Map<number, ActivityCounts>;

/**
 * The timeline of a grant's window: each service's events counted in fixed buckets, so what it
 * holds grows with the buckets that saw activity (a few dozen per service), never with events.
 */
export interface Timeline {
  readonly bucketMinutes: number;
  /** Counts an event at `ms` into a service's buckets. */
  add(buckets: Buckets, ms: number, write: boolean, failed: boolean): void;
  /** A service's bars: its consecutive active buckets joined, appended to `out` in time order. */
  spans(service: string, buckets: Buckets, out: TimelineSpan[]): void;
}

/** The timeline of `window`, in the smallest bucket that draws it in at most 48 columns. */
export function createTimeline(window: { start: string; end: string }): Timeline {
  const bucketMinutes = bucketMinutesFor(window);
  const bucketMs = bucketMinutes * 60_000;
  const origin = Date.parse(window.start);
  const at = (index: number) => new Date(origin + index * bucketMs).toISOString();
  return {
    bucketMinutes,
    add(buckets, ms, write, failed) {
      const index = Math.floor((ms - origin) / bucketMs);
      let b = buckets.get(index);
      if (!b) {
        b = zeroCounts();
        buckets.set(index, b);
      }
      countEvent(b, write, failed);
    },
    spans(service, buckets, out) {
      const indices = [...buckets.keys()].sort((x, y) => x - y);
      let span: TimelineSpan | undefined;
      let previous = Number.NaN;
      for (const index of indices) {
        const c = buckets.get(index)!;
        if (span && index === previous + 1) {
          span.end = at(index + 1);
        } else {
          span = { service, start: at(index), end: at(index + 1), ...zeroCounts() };
          out.push(span);
        }
        span.events += c.events;
        span.reads += c.reads;
        span.writes += c.writes;
        span.failed += c.failed;
        previous = index;
      }
    },
  };
}
