import { describe, expect, it } from "vitest";
import { readIsoTime } from "../../../src/core/source/read-iso-time.ts";

describe("readIsoTime", () => {
  it.each([
    ["2026-11-27T09:00:00Z", "2026-11-27T09:00:00.000Z"],
    ["2026-11-27T10:00+01:00", "2026-11-27T09:00:00.000Z"],
    ["2026-11-27T09:00:00.123456789Z", "2026-11-27T09:00:00.123Z"],
    [" 2026-11-27T09:00:00-02:30 ", "2026-11-27T11:30:00.000Z"],
    ["2024-02-29T00:00:00Z", "2024-02-29T00:00:00.000Z"],
    ["2000-02-29T23:59:59Z", "2000-02-29T23:59:59.000Z"],
    ["2026-12-31T23:59:59+23:59", "2026-12-31T00:00:59.000Z"],
  ])("reads %j as %s", (text, iso) => {
    expect(readIsoTime(text, { dateOnly: false })).toEqual({ kind: "time", time: new Date(iso) });
  });

  it("reads a date alone as midnight UTC only where dates are allowed", () => {
    expect(readIsoTime("2026-07-01", { dateOnly: true })).toEqual({
      kind: "time",
      time: new Date("2026-07-01T00:00:00Z"),
    });
    expect(readIsoTime("2026-07-01", { dateOnly: false })).toEqual({ kind: "not-iso" });
    // Year 0 is a leap year by the Gregorian rule; Date.UTC would read it as 1900, which is not.
    expect(readIsoTime("0000-02-29", { dateOnly: true }).kind).toBe("time");
  });

  it.each([
    "2026-02-29",
    "2100-02-29",
    "2026-02-30",
    "2026-04-31",
    "2026-06-31",
    "2026-09-31",
    "2026-11-31",
    "2026-13-01",
    "2026-00-10",
    "2026-01-00",
    "2026-01-32",
    "2026-11-27T24:00Z",
    "2026-11-27T25:00:00Z",
    "2026-11-27T10:60:00Z",
    "2026-11-27T10:00:60Z",
    "2026-11-27T10:00:00+24:00",
    "2026-11-27T10:00:00-05:60",
  ])("refuses the impossible %j without rolling it over", (text) => {
    expect(readIsoTime(text, { dateOnly: true })).toEqual({ kind: "impossible" });
  });

  it.each([
    "2026-12-31T23:59:59Z",
    "2026-01-31T00:00:00Z",
    "2026-03-31T00:00:00Z",
    "2026-05-31T00:00:00Z",
    "2026-07-31T00:00:00Z",
    "2026-08-31T00:00:00Z",
    "2026-10-31T00:00:00Z",
    "2026-04-30T00:00:00Z",
  ])("accepts the last day of its month: %j", (text) => {
    expect(readIsoTime(text, { dateOnly: false }).kind).toBe("time");
  });

  it.each([
    "",
    "tomorrow",
    "2026-11-27T09:00:00",
    "2026-11-27 09:00:00Z",
    "2026-11-27T9:00Z",
    "26-11-27",
    "2026-11-27T09:00:00.1234567890Z",
    "2026-11-27T09:00:00+0100",
    "2026-11-27Z",
  ])("refuses %j as not ISO-8601 with an offset", (text) => {
    expect(readIsoTime(text, { dateOnly: true })).toEqual({ kind: "not-iso" });
  });
});
