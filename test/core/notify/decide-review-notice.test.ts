import { describe, expect, it } from "vitest";
import { announcedMarker, reviewMoment } from "../../../src/core/notify/decide-review-notice.ts";

describe("reviewMoment: each review moment is told once per head", () => {
  const approved = { status: "approved" as const, title: "Approved by @bob" };
  const refused = { status: "disapproved" as const, title: "Changes requested by @bob" };
  it.each([
    { case: "first approval of a head", previous: undefined, next: approved, moment: "approved" },
    {
      case: "green after pending",
      previous: { conclusion: null, title: "Waiting" },
      next: approved,
      moment: "approved",
    },
    {
      case: "a redelivery, or a second approval",
      previous: { conclusion: "success", title: "x" },
      next: approved,
      moment: undefined,
    },
    {
      case: "changes requested",
      previous: { conclusion: null, title: "Waiting" },
      next: refused,
      moment: "refused",
    },
    {
      case: "the same refusal again",
      previous: { conclusion: "failure", title: refused.title },
      next: refused,
      moment: undefined,
    },
    {
      case: "refused after an invalid file was fixed",
      previous: { conclusion: "failure", title: "Invalid request" },
      next: refused,
      moment: "refused",
    },
    {
      case: "still pending",
      previous: undefined,
      next: { status: "pending" as const, title: "Waiting" },
      moment: undefined,
    },
    {
      case: "an error",
      previous: undefined,
      next: { status: "error" as const, title: "Bad" },
      moment: undefined,
    },
  ])("$case", ({ previous, next, moment }) => {
    expect(reviewMoment(previous, next)).toBe(moment);
  });
});

describe("announcedMarker", () => {
  it("keys the announcement by the event's action and time, and cannot end the comment", () => {
    expect(announcedMarker("opened", "2026-12-05T12:00:00Z")).toBe(
      "<!-- hallpass:announced opened@2026-12-05T12:00:00Z -->",
    );
    expect(announcedMarker("opened", "x --> <b>")).toBe("<!-- hallpass:announced opened@x--b -->");
  });
});
