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

// The earliest MAX_RISKY_EVENTS risky events whatever the arrival order (LookupEvents gives
// newest first): a max-heap on (time, id) whose top is the latest kept. A later event is
// dropped before anything is built for it; an earlier one takes the top's place.

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
  /** The event's ARNs, the tally's copies. */
  arns: readonly string[];
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

/** Starts the risky events of a grant whose requester is `requester`. */
export function createRiskyEvents(requester: string): RiskyEvents {
  const kept: KeptRisky[] = [];
  const byRule = new Map<string, number>();
  // Kept events point at the first copy of each region name, and share the time text of the
  // last one kept (events of one second follow each other): every fresh string a long-lived
  // entry points at would be promoted to the old generation before it is dropped.
  const regions = new Map<string, string>();
  let lastKeptTime = "";
  let total = 0;
  /** The rule names of the event being added (reused: most events match none). */
  const scratch: string[] = [];

  /** Whether a risky event at (ms, id) would be kept now. */
  function wouldKeep(ms: number, eventID: string): boolean {
    if (kept.length < MAX_RISKY_EVENTS) return true;
    const top = kept[0]!;
    return ms < top.ms || (ms === top.ms && eventID < top.eventID);
  }

  /**
   * Keeps a risky event in place of the latest kept one once the heap is full, reusing that
   * entry: LookupEvents' newest-first order makes every risky event replace one, and fresh
   * entries living that long would be promoted garbage (about 80 MB more peak memory for a
   * million events).
   */
  function keep(event: CloudTrailEvent, ms: number, d: RiskyDetails, names: readonly string[]) {
    const full = kept.length >= MAX_RISKY_EVENTS;
    const item = full ? kept[0]! : emptyKept();
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
    for (let k = 0; k < d.arns.length; k++) item.arns[k] = d.arns[k]!;
    item.arnCount = d.arns.length;
    for (let k = 0; k < names.length; k++) item.rules[k] = names[k]!;
    item.ruleCount = names.length;
    if (full) {
      siftDown(kept, 0);
    } else {
      kept.push(item);
      siftUp(kept, kept.length - 1);
    }
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
      for (const n of names) byRule.set(n, (byRule.get(n) ?? 0) + 1);
      if (wouldKeep(ms, event.eventID)) keep(event, ms, details, names);
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
        .map(([rule, events]) => ({ rule, events })),
    earliest: () =>
      [...kept]
        .sort((x, y) => (laterRisky(x, y) ? 1 : laterRisky(y, x) ? -1 : 0))
        .map(riskyEventOf),
  };
}
