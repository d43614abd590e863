/**
 * Who may request a role: the role's `eligible` list of users and teams, from `policies/` at
 * the base commit. Pure: the team members are read by the evaluation, as for approver teams.
 */

import { parseOwnerReference } from "../policy/owner-reference.ts";
import { teamKey } from "./decide-approval.ts";

/**
 * Whether the requester may ask for the role, and if not, why in words. `via`, when the role
 * lists who may ask: the entries (`@login`, `@org/team`, lower-case, sorted) that admitted the
 * requester. Team membership is not in git, so the grant record keeps it for `hallpass verify`.
 */
export type Eligibility = { eligible: true; via?: string[] } | { eligible: false; reason: string };

/**
 * Whether `requester` is one of `eligible` (`@login` or `@org/team`, as in CODEOWNERS), logins
 * compared case-insensitively as GitHub does. A role without a list admits every requester
 * (the identity mapping still applies). A team whose members are not in `teamMembers` admits
 * nobody: the evaluation fails before when it cannot read one, and this never guesses.
 */
export function checkEligibility(
  requester: string,
  eligible: readonly string[] | undefined,
  teamMembers: Readonly<Record<string, readonly string[]>>,
): Eligibility {
  if (eligible === undefined) return { eligible: true };
  const login = requester.toLowerCase();
  const via = eligible.filter((ref) => {
    const owner = parseOwnerReference(ref);
    if (owner.kind === "user") return owner.login.toLowerCase() === login;
    return (teamMembers[teamKey(owner.org, owner.slug)] ?? []).some(
      (m) => m.toLowerCase() === login,
    );
  });
  if (via.length > 0) return { eligible: true, via: [...new Set(via.map(lower))].sort() };
  return {
    eligible: false,
    reason: `@${requester} may not request this role: only ${eligible.join(" or ")} may. Ask one of them to request it, or the policy owners to add you.`,
  };
}

function lower(ref: string): string {
  return ref.toLowerCase();
}
