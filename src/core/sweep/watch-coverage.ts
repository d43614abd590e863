/**
 * Where the watch of a grant's CloudTrail events stands, so that a lookup cut by the run's
 * budget carries on in the next run instead of starting over from the newest event (a holder
 * who makes enough calls would otherwise keep every run busy with the same newest pages, and
 * never let the watch reach their older events).
 *
 * Coverage is a list of disjoint spans of time, oldest first, per region: every event of the
 * grant's sessions in them has been read and judged. It lives in the grant's alerts record
 * (`watched`), in git. Times are ms since the epoch.
 */

/** A span of time, both ends included. */
export interface Span {
  from: number;
  to: number;
}

/** CloudTrail times are whole seconds: a lookup cut after an event at T may not have read all of T. */
const SECOND = 1000;

/** Spans kept per region; past that the oldest are dropped (and read again some day). */
const MAX_SPANS = 20;

/**
 * What a lookup must read of `window` given what is `covered` already (`covered` sorted, as
 * `addSpan` keeps it), newest first, since newest activity matters most for alerts: from
 * `overlapMs` before the newest covered time to the end of the window (events CloudTrail
 * delivers late, and threshold bursts across that edge, are still seen), then the gaps below
 * it, each read from its top, which is where an earlier read stopped.
 */
export function spansToRead(window: Span, covered: readonly Span[], overlapMs: number): Span[] {
  if (covered.length === 0) return [window];
  const newestCovered = Math.min(window.to, Math.max(...covered.map((s) => s.to)));
  // Late deliveries: the last `overlapMs` of what was read is read again, newest first.
  const edge = Math.max(window.from, newestCovered - overlapMs);
  const gaps: Span[] = [];
  let from = window.from;
  for (const span of covered) {
    if (span.from >= edge) break;
    if (span.to < from) continue;
    if (span.from > from) gaps.push({ from, to: span.from });
    from = Math.max(from, span.to);
  }
  if (from < edge) gaps.push({ from, to: edge });
  return [{ from: edge, to: window.to }, ...gaps.reverse()];
}

/**
 * What reading `span` newest first covered: all of it when the read was `complete`, else from
 * the second after the oldest event read (`oldestRead`, ms) to its end; nothing when it was cut
 * before any event.
 */
export function spanRead(
  span: Span,
  complete: boolean,
  oldestRead: number | undefined,
): Span | undefined {
  if (complete) return span;
  if (oldestRead === undefined) return undefined;
  return { from: Math.min(oldestRead + SECOND, span.to), to: span.to };
}

/** `covered` with `piece` added, spans that touch merged, at most MAX_SPANS (the newest). */
export function addSpan(covered: readonly Span[], piece: Span | undefined): Span[] {
  const all = [...covered, ...(piece ? [piece] : [])].sort((a, b) => a.from - b.from);
  const merged: Span[] = [];
  for (const span of all) {
    const last = merged[merged.length - 1];
    if (last && span.from <= last.to + SECOND) last.to = Math.max(last.to, span.to);
    else merged.push({ ...span });
  }
  return merged.slice(-MAX_SPANS);
}

/** What every one of `coverages` covers. */
export function commonCoverage(coverages: readonly (readonly Span[])[]): Span[] {
  let common: Span[] | undefined;
  for (const coverage of coverages) {
    if (common === undefined) {
      common = [...coverage];
      continue;
    }
    const next: Span[] = [];
    for (const a of common) {
      for (const b of coverage) {
        const from = Math.max(a.from, b.from);
        const to = Math.min(a.to, b.to);
        if (from <= to) next.push({ from, to });
      }
    }
    common = addSpan(next, undefined);
  }
  return common ?? [];
}
