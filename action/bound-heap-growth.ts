import { setFlagsFromString } from "node:v8";

/**
 * The V8 settings the action runs with, set by `boundHeapGrowth` at its entry.
 *
 * - `--semi-space-growth-factor=1`: the young generation does not double up to 64 MB a
 *   semi-space, as Node 24 does under an allocation rate like an audit's (every CloudTrail
 *   record parsed, tallied and dropped). Those 128 MB were garbage waiting for a scavenge, the
 *   largest part of an audit's peak. Alone it keeps the size loading the bundle reached (4 MB a
 *   semi-space in the audit bench's process, 8 MB in the action's); with memory saver mode
 *   (below) the young generation is back to 1 MB a semi-space at each full collection, and on
 *   a busy machine may run past it between two (up to 6.5 MB in all, measured).
 * - `--heap-growing-percent=20`: after a full collection the old generation may grow by a fifth
 *   of what survived before the next one, instead of by up to four times: what an audit keeps
 *   is small by design (its summary's counters, buckets and capped lists), so the rest of the
 *   old generation is promoted garbage, which otherwise piles up with the number of events.
 * - `--memory-saver-mode`: every full collection is one that reduces memory (`(reduce)` in
 *   `--trace-gc`): it compacts, hands the pages it freed back to the system instead of pooling
 *   them for reuse (7-14 MB seen), and shrinks the young generation. V8 gives a pool back only
 *   when its memory reducer judges the allocation rate low, which an audit's never is: the
 *   bench, whose clock never waits, never idles, and even with the action's waits between
 *   CloudTrail's pages the reducer found the rate high at every tick (a paced run, 20 ms
 *   waits). On a million-event audit in the bench (`npm run bench summarize`) it lowered the
 *   peak from 117-142 MB to 111-121 MB, steady across runs, for about 5 % more CPU; on the
 *   paced run, whose peak is lower, from 79.8-79.9 to 77.7-77.9 MB for about 7 %. An audit's
 *   time goes to waiting for CloudTrail (100 events a second), so its CPU is not what a runner
 *   runs short of. See docs/action.md.
 *
 * None caps the heap: live data may still grow as far as it needs, so a large summary is
 * written as before, never cut. They are read by the collector as it runs, which is why they
 * can be set once the process has started (the semi-space maximum and the old generation's
 * limit are fixed at start and cannot). Measured with `npm run bench summarize`: see
 * docs/action.md.
 */
export const HEAP_FLAGS = [
  "--semi-space-growth-factor=1",
  "--heap-growing-percent=20",
  "--memory-saver-mode",
] as const;

/**
 * Sets `HEAP_FLAGS` in this process. Call it once at the start of a process that streams a
 * lot of short-lived data (the action's entry), before the young generation has grown; it
 * applies to the whole process, which is why tests never call it in their own.
 */
export function boundHeapGrowth(): void {
  for (const flag of HEAP_FLAGS) setFlagsFromString(flag);
}
