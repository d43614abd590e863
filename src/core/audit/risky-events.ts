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
// first, so each risky event is earlier than every one kept: while that holds, the kept events
// sit in a ring in arrival order, and the slot written longest ago holds the latest, the one a
// new event replaces (O(1) an event). The first event that is not earlier than the one before
// turns the ring into a max-heap on (time, id) whose top is the latest kept (O(log n) an event
// from then on). Both keep the same events: the set of the earliest, whatever the order.

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
function createEarliestKept(capacity: number) {
  const kept: KeptRisky[] = [];
  /** The ring's next slot, the one written longest ago once full; -1 once a heap. */
  let next = 0;
  let lastMs = Number.NaN;
  let lastId = "";
  /** What `placed` does in a heap: sift the new last entry up, or the reused top down. */
  let settle: "up" | "down" = "up";

  function fresh(): KeptRisky {
    const item = emptyKept();
    kept.push(item);
    return item;
  }

  /** The ring's slot for an event earlier than every one kept; else the ring becomes the heap. */
  function ringSlot(ms: number, eventID: string): KeptRisky | undefined {
    // A time that is not a number (a caller may pass any) orders nothing: the heap takes it.
    const earlier = kept.length === 0 || ms < lastMs || (ms === lastMs && eventID < lastId);
    if (!earlier || Number.isNaN(ms)) {
      next = -1;
      for (let i = (kept.length >> 1) - 1; i >= 0; i--) siftDown(kept, i);
      return undefined;
    }
    lastMs = ms;
    lastId = eventID;
    if (kept.length < capacity) return fresh();
    const item = kept[next]!;
    next = next + 1 === capacity ? 0 : next + 1;
    return item;
  }

  return {
    kept,
    slotFor(ms: number, eventID: string): KeptRisky | undefined {
      if (next >= 0) {
        const item = ringSlot(ms, eventID);
        if (item) return item;
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

/** See `RiskyEvents.rulesOf`; `names` is emptied and reused. */
function riskyRuleNames(
  rules: readonly RiskRule[],
  event: CloudTrailEvent,
  write: boolean,
  foreignIdentity: boolean,
  names: string[],
): readonly string[] | undefined {
  names.length = 0;
  for (const rule of rules) {
    if (rule.writesOnly && !write) continue;
    if (
      rule.errorCodes &&
      !matchesEventFilter({ errorCodes: rule.errorCodes, writesOnly: false }, event)
    ) {
      continue;
    }
    names.push(rule.name);
  }
  if (foreignIdentity) names.push("foreign-identity");
  return names.length > 0 ? names : undefined;
}

/**
 * Starts the risky events of a grant whose requester is `requester`, keeping the earliest
 * `capacity` one by one (`MAX_RISKY_EVENTS`; tests pass fewer).
 */
export function createRiskyEvents(requester: string, capacity = MAX_RISKY_EVENTS): RiskyEvents {
  const earliest = createEarliestKept(capacity);
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
