/**
 * Which review moment an evaluation is, compared with the check that was on the same head
 * before it: the check run is the app's record of what it last said about a head, so a
 * redelivered webhook (or any later event that decides the same) tells nobody twice. Pure.
 */

import type { DecisionStatus } from "../approval/decide-approval.ts";

/** The check run a head carried before this evaluation wrote its own. */
export interface PreviousCheck {
  conclusion: string | null;
  title: string;
}

/**
 * `approved` when the head turns green (it was not before), `refused` when an eligible owner's
 * requested changes decide it and the check did not already say exactly that; otherwise none.
 */
export function reviewMoment(
  previous: PreviousCheck | undefined,
  next: { status: DecisionStatus; title: string },
): "approved" | "refused" | undefined {
  if (next.status === "approved") {
    return previous?.conclusion === "success" ? undefined : "approved";
  }
  if (next.status === "disapproved") {
    const same = previous?.conclusion === "failure" && previous.title === next.title;
    return same ? undefined : "refused";
  }
  return undefined;
}

/**
 * The hidden line the review-request comment carries once the channels were told that a
 * request awaits review after `action` at `updatedAt` (the pull request's `updated_at` in the
 * event, which a redelivery repeats): found again, the notice is not sent again.
 */
export function announcedMarker(action: string, updatedAt: string): string {
  const key = `${action}@${updatedAt}`.replace(/[^A-Za-z0-9_:.@+-]/g, "");
  return `<!-- hallpass:announced ${key} -->`;
}
