/**
 * Whom an owner reference names: `@login` or `@org/team-slug`, as the policies write them
 * (`ownerReference`) and as records keep them (`eligibleVia`). One reading for every caller, so
 * that approvals, eligibility, team reads and `hallpass verify` agree on what a reference means.
 */

/** A user (by login) or a team (by organization and slug), in the case it was written in. */
export type OwnerReference =
  | { kind: "user"; login: string }
  | { kind: "team"; org: string; slug: string };

/**
 * Whom `reference` names. The `@` is optional, and anything after a second `/` is not part of
 * the team's slug. The policies' format admits only well-formed references; a record's is taken
 * as written, and one that names nobody's team simply matches no team.
 */
export function parseOwnerReference(reference: string): OwnerReference {
  const [org, slug] = reference.replace(/^@/, "").split("/") as [string, string | undefined];
  return slug === undefined ? { kind: "user", login: org } : { kind: "team", org, slug };
}
