import { byKey } from "./activity-counts.ts";
import type { UnreadableEvent } from "./audit-summary.ts";
import { createEventIdSet, type EventIdSet } from "./event-id-set.ts";

/**
 * What CloudTrail returned twice or could not be read: counted, and said in the summary,
 * never silently dropped.
 */

/** Unreadable events named one by one; past this, only counted. */
export const MAX_UNREADABLE_EVENTS = 100;

/**
 * How many distinct event seconds the tally remembers event ids for. CloudTrail's duplicates
 * are the same event (same id, same time) on two pages of one newest-first lookup, so they
 * arrive next to each other; remembering every id of a million-event grant would cost about
 * 80 MB, these a few KB.
 */
export const DUPLICATE_WINDOW_SECONDS = 30;

/**
 * Remembers the ids of the events of the latest `DUPLICATE_WINDOW_SECONDS` distinct seconds
 * added; `seen` says whether an id of that second was added before.
 *
 * The seconds sit in a ring, each with a set of its ids, the slot added longest ago taken by
 * the next new second, its set cleared. The sets hold the ids' bytes, not the strings (see
 * `createEventIdSet`): a map of seconds to sets of strings made V8 promote nearly every event
 * id to the old generation, which cost time and grew the audit's peak memory with the events.
 */
export function recentEventIds(): {
  seen(second: number, eventID: string): boolean;
  /** Ids held: those of at most `DUPLICATE_WINDOW_SECONDS` seconds. */
  readonly retainedEntries: number;
} {
  const seconds: number[] = [];
  const sets: EventIdSet[] = [];
  /** The slot of the second added longest ago, once the ring is full. */
  let oldest = 0;
  // Events of one second follow each other: the last second's set saves a search each.
  let lastSecond = Number.NaN;
  let lastIds: EventIdSet | undefined;

  function slotOf(second: number): number {
    for (let k = 0; k < seconds.length; k++) {
      const s = seconds[k]!;
      // NaN is a second too (a tally's caller may pass any time), as it was as a map key.
      if (s === second || (Number.isNaN(s) && Number.isNaN(second))) return k;
    }
    return -1;
  }

  /** A set for a second not in the ring: a new slot, or the oldest one's, cleared. */
  function take(second: number): EventIdSet {
    if (seconds.length < DUPLICATE_WINDOW_SECONDS) {
      const ids = createEventIdSet();
      seconds.push(second);
      sets.push(ids);
      return ids;
    }
    const ids = sets[oldest]!;
    ids.clear();
    seconds[oldest] = second;
    oldest = (oldest + 1) % DUPLICATE_WINDOW_SECONDS;
    return ids;
  }

  return {
    seen(second, eventID) {
      let ids = lastIds;
      if (second !== lastSecond || ids === undefined) {
        const k = slotOf(second);
        ids = k >= 0 ? sets[k]! : take(second);
        lastSecond = second;
        lastIds = ids;
      }
      return ids.add(eventID);
    },
    get retainedEntries() {
      let n = 0;
      for (const ids of sets) n += ids.size;
      return n;
    },
  };
}

function byTimeThenId(a: UnreadableEvent, b: UnreadableEvent): number {
  return byKey(a.eventTime ?? "", b.eventTime ?? "") || byKey(a.eventID, b.eventID);
}

/** The unreadable events of a grant: all counted, the earliest named. */
export interface UnreadableEvents {
  add(event: UnreadableEvent): void;
  readonly total: number;
  /** Entries held (at most twice `MAX_UNREADABLE_EVENTS`). */
  readonly retainedEntries: number;
  /** The earliest `MAX_UNREADABLE_EVENTS`, by time then id. */
  earliest(): UnreadableEvent[];
}

/** Starts an empty list of unreadable events. */
export function createUnreadableEvents(): UnreadableEvents {
  let total = 0;
  const named: UnreadableEvent[] = [];
  return {
    add(event) {
      total++;
      named.push(event);
      // Keep the earliest few, sorted only once the list has doubled (cheap and bounded).
      if (named.length >= 2 * MAX_UNREADABLE_EVENTS) {
        named.sort(byTimeThenId).length = MAX_UNREADABLE_EVENTS;
      }
    },
    get total() {
      return total;
    },
    get retainedEntries() {
      return named.length;
    },
    earliest: () => [...named].sort(byTimeThenId).slice(0, MAX_UNREADABLE_EVENTS),
  };
}
