/**
 * Until when a green `hallpass/approval` check holds, when approvals age out
 * (`approval.maxAge`, `settings.approvalMaxAge`). The app decides it (`Decision.countsUntil`) and
 * writes it into the check run's `external_id`; the scheduled sweep reads it back and, once it
 * has passed, asks GitHub to re-request the check (the app then decides again), or says on the
 * pull request that the check is stale when that is refused. The sweep decides nothing itself.
 */

import type { Policies } from "../policy/policy-format.ts";
import { markdownCode } from "../text/escape-markdown.ts";

const APPROVED_UNTIL = "hallpass:approved-until:";

/**
 * The check run's `external_id` on an approval that holds until `until` (ISO-8601). No time
 * (no age limit) gives "", which clears what an earlier run of the same check said.
 */
export function approvedUntilExternalId(until: string | undefined): string {
  return until === undefined ? "" : `${APPROVED_UNTIL}${until}`;
}

/**
 * Until when (ms since the epoch) a check run's approval holds, read from its `external_id`;
 * undefined when it names no such time, or one that cannot be read. Only the app writes its
 * runs' `external_id` (GitHub lets no one else update them), so no requester can set it.
 */
export function approvedUntilOf(externalId: string | null | undefined): number | undefined {
  if (!externalId?.startsWith(APPROVED_UNTIL)) return undefined;
  const at = Date.parse(externalId.slice(APPROVED_UNTIL.length));
  return Number.isNaN(at) ? undefined : at;
}

/** Whether any approval the policies judge can age out: only then can a green check go stale. */
export function approvalsAgeOut(policies: Policies): boolean {
  if (policies.settings.approvalMaxAge !== undefined) return true;
  return Object.values(policies.roles).some(
    (role) => role.approval.maxAge !== undefined || role.breakGlass?.approval.maxAge !== undefined,
  );
}

/** The marker of the stale-check comment on head `headSha`: said once per head. */
export function staleCheckMarker(headSha: string): string {
  return `<!-- hallpass:stale-check:${headSha} -->`;
}

/**
 * The comment a sweep leaves when the green check on `headSha` outlived its approval (which held
 * until `until`, ISO-8601) and GitHub refused to re-request it.
 */
export function renderStaleCheckComment(headSha: string, until: string): string {
  return [
    `The approval of this request aged out at ${until}, so the green \`hallpass/approval\` check on ${markdownCode(headSha.slice(0, 7))} is stale: merging now grants nothing (the merge re-checks the approvals and refuses).`,
    "",
    `Ask a code owner to approve again, or press "Re-run" on the check to see what it needs now. (The sweep could not re-run the check itself: GitHub refused, as it does when the sweep's token is not the hallpass app's own or may not re-request checks.)`,
  ].join("\n");
}
