import { setFlagsFromString } from "node:v8";

/**
 * The V8 settings the action runs with, set by `boundHeapGrowth` at its entry.
 *
 * - `--semi-space-growth-factor=1`: the young generation keeps the size it has when this is
 *   set instead of doubling up to 64 MB a semi-space, as Node 24 does under an allocation rate
 *   like an audit's (every CloudTrail record parsed, tallied and dropped). Those 128 MB were
 *   garbage waiting for a scavenge, the largest part of an audit's peak. It does not undo what
 *   loading the bundle already grew (measured: 4 MB a semi-space in the audit bench's process,
 *   8 MB in the action's), and set before loading it does not prevent that growth either.
 * - `--heap-growing-percent=20`: after a full collection the old generation may grow by a fifth
 *   of what survived before the next one, instead of by up to four times: what an audit keeps
 *   is small by design (its summary's counters, buckets and capped lists), so the rest of the
 *   old generation is promoted garbage, which otherwise piles up with the number of events.
 * - `--memory-saver-mode`: every full collection is one that reduces memory (`(reduce)` in
 *   `--trace-gc`): it compacts, hands the pages it freed back to the system instead of pooling
 *   up to 10 MB of them for reuse until the process idles (an audit never idles), and shrinks
 *   the young generation back to 1 MB a semi-space. On a million-event audit (`npm run bench
 *   summarize`) it lowered the peak from 117-142 MB to 111-121 MB, and made it steady across
 *   runs, for about 5 % more CPU: an audit's time goes to waiting for CloudTrail (100 events a
 *   second), so its CPU is not what a runner runs short of. See docs/action.md.
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
