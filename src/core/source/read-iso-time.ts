/**
 * Reading an ISO-8601 time typed by a person (a request's `start`, the CLI's `--since`,
 * `--until` and `--at`). `Date.parse` is not enough: it rolls `2026-02-30` over to 2 March and
 * reads a time without an offset in the machine's zone. Pure.
 */

/** What a text reads as: a time, not an ISO-8601 time at all, or a date that does not exist. */
export type IsoTimeReading =
  | { readonly kind: "time"; readonly time: Date }
  | { readonly kind: "not-iso" }
  | { readonly kind: "impossible" };

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2})))?$/;

/**
 * Reads `text` (trimmed) as `2026-11-27T09:00:00Z`, `2026-11-27T10:00+01:00` (seconds and
 * fractions optional, the offset required) or, when `dateOnly` is allowed, `2026-11-27`
 * (midnight UTC). A calendar date or clock time that does not exist (30 February, month 13,
 * 25:00, minute 60, a leap second, offset +24:00) is `impossible`, never rolled over.
 */
export function readIsoTime(text: string, options: { dateOnly: boolean }): IsoTimeReading {
  const trimmed = text.trim();
  const match = ISO_TIME.exec(trimmed);
  if (!match || (match[4] === undefined && !options.dateOnly)) return { kind: "not-iso" };
  const [y, mo, d, h, mi, s, oh, om] = match.slice(1).map((part) => Number(part ?? 0));
  const exists =
    mo! >= 1 &&
    mo! <= 12 &&
    d! >= 1 &&
    d! <= daysInMonth(y!, mo!) &&
    h! <= 23 &&
    mi! <= 59 &&
    s! <= 59 &&
    oh! <= 23 &&
    om! <= 59;
  return exists ? { kind: "time", time: new Date(trimmed) } : { kind: "impossible" };
}

/** Days in month `month` (1-12) of `year`, by the Gregorian rule (Date.UTC reads 0-99 as 19xx). */
function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}
