import type { ActivityCounts } from "./audit-summary.ts";

/** Counts with nothing counted yet. */
export function zeroCounts(): ActivityCounts {
  return { events: 0, reads: 0, writes: 0, failed: 0 };
}

/** Counts one event into `c`. */
export function countEvent(c: ActivityCounts, write: boolean, failed: boolean): void {
  c.events++;
  if (write) c.writes++;
  else c.reads++;
  if (failed) c.failed++;
}

/** Code-unit order, the same on every machine (no locale). */
export function byKey(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The first and last time of some events, as both the text CloudTrail wrote and its
 * milliseconds, compared on both (ties broken on the text, so the result is stable).
 */
export interface Span {
  firstMs: number;
  firstText: string;
  lastMs: number;
  lastText: string;
}

/** The span of one event. */
export function spanAt(ms: number, text: string): Span {
  return { firstMs: ms, firstText: text, lastMs: ms, lastText: text };
}

/** Widens `span` to take in an event at `ms` (written `text`). */
export function widen(span: Span, ms: number, text: string): void {
  if (ms < span.firstMs || (ms === span.firstMs && text < span.firstText)) {
    span.firstMs = ms;
    span.firstText = text;
  }
  if (ms > span.lastMs || (ms === span.lastMs && text > span.lastText)) {
    span.lastMs = ms;
    span.lastText = text;
  }
}
