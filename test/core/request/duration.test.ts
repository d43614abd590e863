import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../../src/core/request/duration.ts";

describe("parseDuration", () => {
  it.each([
    ["PT2H", 7_200],
    ["P1D", 86_400],
    ["P1DT2H30M", 95_400],
    ["PT1M", 60],
    ["90m", 5_400],
    ["1h30m", 5_400],
    ["2H", 7_200],
    ["1d", 86_400],
  ])("reads %s as %i seconds", (text, seconds) => {
    expect(parseDuration(text)).toEqual({ ok: true, seconds });
  });

  it("refuses a capital M in the short form: it would be months in ISO-8601, minutes here", () => {
    const result = parseDuration("1M");
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toBe(
      '"1M" is ambiguous: M is months in ISO-8601 but minutes in the short form. Write "1m" or "PT1M" for one minute; months are not accepted (their length depends on the calendar).',
    );
    expect(parseDuration("1h30M").ok).toBe(false);
  });

  it.each([
    ["P1M", "months", "28 to 31 days"],
    ["P2M", "months", "28 to 31 days"],
    ["P1Y", "years", "365 or 366 days"],
    ["P1Y2M", "years", "365 or 366 days"],
    ["P1MT2H", "months", "28 to 31 days"],
    ["1y", "years", "365 or 366 days"],
  ])("refuses %s with the calendar explanation", (text, unit, length) => {
    const result = parseDuration(text);
    expect(result.ok).toBe(false);
    const message = result.ok ? "" : result.message;
    expect(message).toContain(`"${text}" counts ${unit}`);
    expect(message).toContain(length);
    expect(message).toContain("an access window must be exact");
    expect(message).toMatch(/write days or hours instead \("P30D", "PT12H"\)/);
  });

  it.each(["", "P", "PT", "two hours", "1w", "-1h"])("refuses %j as not a duration", (text) => {
    const result = parseDuration(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain("is not a duration");
  });
});

describe("formatDuration", () => {
  it("writes the short form", () => {
    expect(formatDuration(95_400)).toBe("1d2h30m");
    expect(formatDuration(0)).toBe("0s");
  });
});
