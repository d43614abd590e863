import { describe, expect, it } from "vitest";
import { expiryWarningDue } from "../../../src/core/notify/plan-expiry-warning.ts";
import {
  mayBeDue,
  type PendingPull,
  pendingStepFor,
} from "../../../src/core/notify/plan-pending-requests.ts";

const now = new Date("2026-12-05T12:00:00Z");
const HOUR = 3600;
const timing = { remindAfterSeconds: 4 * HOUR, closeAfterSeconds: 72 * HOUR };
const openedHoursAgo = (hours: number) =>
  new Date(now.getTime() - hours * HOUR * 1000).toISOString();
const pull = (overrides: Partial<PendingPull>): PendingPull => ({
  number: 7,
  createdAt: openedHoursAgo(5),
  draft: false,
  reviewed: false,
  reminded: false,
  closed: false,
  ...overrides,
});

describe("pendingStepFor: remind once, then close once", () => {
  it.each([
    { case: "too young for anything", p: { createdAt: openedHoursAgo(3) }, step: undefined },
    { case: "unreviewed past remindAfter: remind", p: {}, step: "remind" },
    { case: "reminded already: nothing", p: { reminded: true }, step: undefined },
    { case: "reviewed: never touched", p: { reviewed: true }, step: undefined },
    { case: "a draft: not awaiting review", p: { draft: true }, step: undefined },
    { case: "unknown age: never acted on", p: { createdAt: undefined }, step: undefined },
    {
      case: "past closeAfter: close",
      p: { createdAt: openedHoursAgo(80), reminded: true },
      step: "close",
    },
    {
      case: "past closeAfter, never reminded: close",
      p: { createdAt: openedHoursAgo(80) },
      step: "close",
    },
    {
      case: "reopened after closing: left alone",
      p: { createdAt: openedHoursAgo(80), closed: true },
      step: undefined,
    },
    {
      case: "reopened after closing, never reminded: left alone",
      p: { createdAt: openedHoursAgo(5), closed: true },
      step: undefined,
    },
  ])("$case", ({ p, step }) => {
    expect(pendingStepFor(pull(p), now, timing)?.step).toBe(step);
  });

  it("counts the wait from the opening, in whole seconds, exactly at the limit", () => {
    expect(pendingStepFor(pull({ createdAt: openedHoursAgo(4) }), now, timing)).toEqual({
      pull: 7,
      step: "remind",
      waitedSeconds: 4 * HOUR,
    });
  });

  it("does nothing when neither time is configured", () => {
    const never = { remindAfterSeconds: undefined, closeAfterSeconds: undefined };
    expect(pendingStepFor(pull({ createdAt: openedHoursAgo(1000) }), now, never)).toBeUndefined();
    expect(mayBeDue({ createdAt: openedHoursAgo(1000), draft: false }, now, never)).toBe(false);
  });

  it("mayBeDue reads only the listing: age and draft", () => {
    expect(mayBeDue({ createdAt: openedHoursAgo(3), draft: false }, now, timing)).toBe(false);
    expect(mayBeDue({ createdAt: openedHoursAgo(4), draft: false }, now, timing)).toBe(true);
    expect(mayBeDue({ createdAt: openedHoursAgo(5), draft: true }, now, timing)).toBe(false);
    expect(mayBeDue({ draft: false }, now, timing)).toBe(false);
  });
});

describe("expiryWarningDue", () => {
  const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();
  it.each([
    { ends: at(20), left: undefined },
    { ends: at(15), left: 900 },
    { ends: at(1), left: 60 },
    { ends: at(0), left: undefined },
    { ends: at(-5), left: undefined },
    { ends: "not a time", left: undefined },
  ])("a grant ending at $ends: $left s left", ({ ends, left }) => {
    expect(expiryWarningDue(ends, now, 900)).toBe(left);
  });

  it("is never due without a configured warning", () => {
    expect(expiryWarningDue(at(1), now, undefined)).toBeUndefined();
  });
});
