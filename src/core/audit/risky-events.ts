import { matchesEventFilter } from "../sweep/evaluate-alerts.ts";
import { byKey } from "./activity-counts.ts";
import type { RiskRule, RiskyEvent } from "./audit-summary.ts";
import type { CloudTrailEvent } from "./cloudtrail-event.ts";

/**
 * Risky events kept one by one. Past this many, only the earliest are kept (and counted by
 * rule), so memory stays bounded and the committed files stay readable; a session that does
 * this much is itself the finding.
 */
export const MAX_RISKY_EVENTS = 10_000;

/**
 * The longest run of kept events of one second the ring searches for the latest before it
 * becomes the heap: a second holds a few risky events, and a burst must not cost a search of
 * every one kept for each event that follows.
 */
export const LONGEST_RING_TIE = 32;

/** A risky event as kept while tallying; its `RiskyEvent` is built once it is sure to stay. */
interface KeptRisky {
  ms: number;
  eventTime: string;
  eventID: string;
  action: string;
  region: string;
  write: boolean;
  errorCode: string | undefined;
  sourceIdentity: string | undefined;
  /**
   * The first `arnCount` are the event's ARNs, the first `ruleCount` its rule names. The arrays
   * are overwritten in place, never emptied: `length = 0` drops an array's storage, and the
   * fresh one a push then allocates is promoted with the long-lived entry (about 300 bytes of
   * old-generation garbage per risky event).
   */
  arns: string[];
  arnCount: number;
  ruleCount: number;
  rules: string[];
}

/** True when `x` comes after `y` in the summary's order of risky events (time, then id). */
function laterRisky(x: KeptRisky, y: KeptRisky): boolean {
  return x.ms > y.ms || (x.ms === y.ms && x.eventID > y.eventID);
}

function riskyEventOf(k: KeptRisky): RiskyEvent {
  return {
    eventTime: k.eventTime,
    eventID: k.eventID,
    action: k.action,
    region: k.region,
    readOnly: !k.write,
    ...(k.errorCode !== undefined ? { errorCode: k.errorCode } : {}),
    ...(k.sourceIdentity !== undefined ? { sourceIdentity: k.sourceIdentity } : {}),
    resources: [...new Set(k.arns.slice(0, k.arnCount))].sort(),
    rules: k.rules.slice(0, k.ruleCount).sort(),
  };
}

// The earliest `capacity` risky events whatever the arrival order. LookupEvents gives newest
// first by the second, one second's events in any order: while no event is later than the
// second of the one before, the kept events sit in a ring in arrival order, their seconds never
// rising, so the latest kept (the one a new event replaces) is among the run of the latest
// second that starts at the slot written longest ago. That run is searched for its largest id
// (events a second, a few), the found entry swapped to the run's start, and reused for the new
// event. The first event later than the one before, or a run longer than `longestTie`, turns
// the ring into a max-heap on (time, id) whose top is the latest kept (O(log n) an event from
// then on). Both keep the same events: the set of the earliest, whatever the order.

function siftUp(kept: KeptRisky[], i: number): void {
  const item = kept[i]!;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const p = kept[parent]!;
    if (!laterRisky(item, p)) break;
    kept[i] = p;
    i = parent;
  }
  kept[i] = item;
}

function siftDown(kept: KeptRisky[], i: number): void {
  const item = kept[i]!;
  const n = kept.length;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= n) break;
    const right = left + 1;
    const child = right < n && laterRisky(kept[right]!, kept[left]!) ? right : left;
    const c = kept[child]!;
    if (!laterRisky(c, item)) break;
    kept[i] = c;
    i = child;
  }
  kept[i] = item;
}

/**
 * The earliest `capacity` of the risky events offered: `slotFor` gives the entry an event at
 * (ms, id) is written into (undefined when it is not kept), and `placed` settles it once
 * written. Entries are reused once full (see `createRiskyEvents`).
 */
function createEarliestKept(capacity: number, longestTie: number) {
  const kept: KeptRisky[] = [];
  /** The ring's slot written longest ago (its latest second's run starts there); -1 once a heap. */
  let next = 0;
  /** The time of the event written last into the ring: the earliest kept. */
  let lastMs = Number.NaN;
  /** What `placed` does in a heap: sift the new last entry up, or the reused top down. */
  let settle: "up" | "down" = "up";

  function fresh(): KeptRisky {
    const item = emptyKept();
    kept.push(item);
    return item;
  }

  /** Turns the ring into the heap (Floyd's build); the event at hand then takes the heap's way. */
  function toHeap(): undefined {
    next = -1;
    for (let i = (kept.length >> 1) - 1; i >= 0; i--) siftDown(kept, i);
    return undefined;
  }

  /**
   * The ring's entry for an event no later than the second of the one written last: a fresh
   * one, or the latest kept swapped to the slot written longest ago; `null` when the event is
   * later than every one kept (not kept). Undefined when the ring became the heap.
   */
  function ringSlot(ms: number, eventID: string): KeptRisky | null | undefined {
    // A time that is not a number (a caller may pass any) orders nothing: the heap takes it.
    if (Number.isNaN(ms) || ms > lastMs) return toHeap();
    lastMs = ms;
    if (kept.length < capacity) return fresh();
    const second = kept[next]!.ms;
    let latest = next;
    let slot = next;
    for (let run = 1; ; run++) {
      slot = slot + 1 === capacity ? 0 : slot + 1;
      if (slot === next || kept[slot]!.ms !== second) break;
      if (run === longestTie) return toHeap();
      if (laterRisky(kept[slot]!, kept[latest]!)) latest = slot;
    }
    const item = kept[latest]!;
    // Every kept event is in `second` and the new one is later than the latest of them.
    if (ms === second && !(eventID < item.eventID)) return null;
    kept[latest] = kept[next]!;
    kept[next] = item;
    next = next + 1 === capacity ? 0 : next + 1;
    return item;
  }

  return {
    kept,
    slotFor(ms: number, eventID: string): KeptRisky | undefined {
      if (next >= 0) {
        const item = ringSlot(ms, eventID);
        if (item !== undefined) return item ?? undefined;
      }
      if (kept.length < capacity) {
        settle = "up";
        return fresh();
      }
      const top = kept[0]!;
      settle = "down";
      return ms < top.ms || (ms === top.ms && eventID < top.eventID) ? top : undefined;
    },
    placed(): void {
      if (next >= 0) return;
      if (settle === "up") siftUp(kept, kept.length - 1);
      else siftDown(kept, 0);
    },
  };
}

function emptyKept(): KeptRisky {
  return {
    ms: 0,
    eventTime: "",
    eventID: "",
    action: "",
    region: "",
    write: false,
    errorCode: undefined,
    sourceIdentity: undefined,
    arns: [],
    arnCount: 0,
    rules: [],
    ruleCount: 0,
  };
}

/** What the tally already worked out about a risky event, passed on to be kept with it. */
export interface RiskyDetails {
  action: string;
  write: boolean;
  /** The tally's copy of the event's error code (see `createActivityTally`). */
  errorCode: string | undefined;
  identity: string | undefined;
  /** The event's ARNs, the tally's copies: the first `arnCount` of `arns`. */
  arns: readonly string[];
  arnCount: number;
}

/** The risky events of a grant: every one counted by rule, the earliest kept one by one. */
export interface RiskyEvents {
  /**
   * The names of the rules `event` matched (`rules` are those whose action globs match its
   * action), `foreign-identity` when its source identity is not the requester's, or undefined
   * when it is not risky. The array is reused: read it before the next call.
   */
  rulesOf(
    rules: readonly RiskRule[],
    event: CloudTrailEvent,
    write: boolean,
    identity: string | undefined,
  ): readonly string[] | undefined;
  /** Counts a risky event under each of `names`, and keeps it while it is among the earliest. */
  add(event: CloudTrailEvent, ms: number, details: RiskyDetails, names: readonly string[]): void;
  /** How many risky events were added. */
  readonly total: number;
  /** Entries held: kept events, rule counters and region names. */
  readonly retainedEntries: number;
  byRule(): { rule: string; events: number }[];
  /** The kept events, earliest first (time, then id). */
  earliest(): RiskyEvent[];
}

/**
 * See `RiskyEvents.rulesOf`; `names` is overwritten and reused. Its length is set only when the
 * count of names changes: setting an array's length is a call into V8's runtime (and `0` drops
 * its storage), which showed in profiles when it was done for every event, risky or not.
 */
function riskyRuleNames(
  rules: readonly RiskRule[],
  event: CloudTrailEvent,
  write: boolean,
  foreignIdentity: boolean,
  names: string[],
): readonly string[] | undefined {
  let count = 0;
  for (const rule of rules) {
    if (rule.writesOnly && !write) continue;
    if (
      rule.errorCodes &&
      !matchesEventFilter({ errorCodes: rule.errorCodes, writesOnly: false }, event)
    ) {
      continue;
    }
    names[count++] = rule.name;
  }
  if (foreignIdentity) names[count++] = "foreign-identity";
  if (count === 0) return undefined;
  if (names.length !== count) names.length = count;
  return names;
}

/**
 * Starts the risky events of a grant whose requester is `requester`, keeping the earliest
 * `capacity` one by one (`MAX_RISKY_EVENTS`; tests pass fewer, and a shorter `longestTie`).
 */
export function createRiskyEvents(
  requester: string,
  capacity = MAX_RISKY_EVENTS,
  longestTie = LONGEST_RING_TIE,
): RiskyEvents {
  const earliest = createEarliestKept(capacity, longestTie);
  const { kept } = earliest;
  const byRule = new Map<string, { events: number }>();
  // Kept events point at the first copy of each region name, and share the time text of the
  // last one kept (events of one second follow each other): every fresh string a long-lived
  // entry points at would be promoted to the old generation before it is dropped.
  const regions = new Map<string, string>();
  let lastKeptTime = "";
  let total = 0;
  /** The rule names of the event being added (reused: most events match none). */
  const scratch: string[] = [];

  /**
   * Writes a kept risky event into `item`: once full, the entry of the latest kept one,
   * reused. LookupEvents' newest-first order makes every risky event replace one, and fresh
   * entries living that long would be promoted garbage (about 80 MB more peak memory for a
   * million events).
   */
  function write(
    item: KeptRisky,
    event: CloudTrailEvent,
    ms: number,
    d: RiskyDetails,
    names: readonly string[],
  ) {
    if (event.eventTime !== lastKeptTime) lastKeptTime = event.eventTime;
    item.ms = ms;
    item.eventTime = lastKeptTime;
    item.eventID = event.eventID;
    item.action = d.action;
    let region = regions.get(event.awsRegion);
    if (region === undefined) {
      region = event.awsRegion;
      regions.set(region, region);
    }
    item.region = region;
    item.write = d.write;
    item.errorCode = d.errorCode;
    item.sourceIdentity = d.identity;
    for (let k = 0; k < d.arnCount; k++) item.arns[k] = d.arns[k]!;
    item.arnCount = d.arnCount;
    for (let k = 0; k < names.length; k++) item.rules[k] = names[k]!;
    item.ruleCount = names.length;
  }

  return {
    rulesOf: (rules, event, write, identity) =>
      riskyRuleNames(
        rules,
        event,
        write,
        identity !== undefined && identity !== requester,
        scratch,
      ),
    add(event, ms, details, names) {
      total++;
      for (let k = 0; k < names.length; k++) {
        const name = names[k]!;
        const counter = byRule.get(name);
        if (counter) counter.events++;
        else byRule.set(name, { events: 1 });
      }
      const item = earliest.slotFor(ms, event.eventID);
      if (item) {
        write(item, event, ms, details, names);
        earliest.placed();
      }
    },
    get total() {
      return total;
    },
    get retainedEntries() {
      return kept.length + byRule.size + regions.size;
    },
    byRule: () =>
      [...byRule.entries()]
        .sort(([x], [y]) => byKey(x, y))
        .map(([rule, counter]) => ({ rule, events: counter.events })),
    earliest: () =>
      [...kept]
        .sort((x, y) => (laterRisky(x, y) ? 1 : laterRisky(y, x) ? -1 : 0))
        .map(riskyEventOf),
  };
}
