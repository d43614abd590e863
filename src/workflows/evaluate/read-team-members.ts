/**
 * Step 6 of the evaluation: read the members of every team that may approve, whether CODEOWNERS
 * names it or the role's approval rules do, and of every team the role lets request it.
 */

import { teamKey } from "../../core/approval/decide-approval.ts";
import type { Owner } from "../../core/policy/codeowners.ts";
import { parseOwnerReference } from "../../core/policy/owner-reference.ts";
import type { Approval } from "../../core/policy/policy-format.ts";
import { errorMessage, httpStatus } from "../../core/text/error-message.ts";
import type { KeyValueCache } from "../../ports/cache.ts";
import type { GitHubPort, TeamRef } from "../../ports/github.ts";
import { type EvaluationFailure, failure } from "./evaluation-failure.ts";

/** The teams among `refs` (`@org/slug`; a user's login names none), by `teamKey`. */
export function teamsNamed(refs: Iterable<string>): Map<string, TeamRef> {
  const teams = new Map<string, TeamRef>();
  for (const ref of refs) {
    const owner = parseOwnerReference(ref);
    if (owner.kind === "team") teams.set(teamKey(owner.org, owner.slug), owner);
  }
  return teams;
}

/** The cache key of a team's members, read for the rules at commit `base`. */
export function teamCacheKey(key: string, base: string): string {
  return `team:${key}@${base}`;
}

/**
 * The members of each team named by `owners`, `approval`'s rules or `eligible`, by `teamKey`,
 * cached by the rules' commit `base`. `prefetched` holds teams read along with the request file
 * (undefined: not visible) in this evaluation: as fresh as a read here. A failure when GitHub
 * says a team does not exist or is not visible; any other error is thrown (the evaluation then
 * says GitHub could not be read).
 */
export async function readTeamMembers(
  github: GitHubPort,
  who: { owners: Owner[]; approval: Approval; eligible?: readonly string[]; base: string },
  cache: KeyValueCache | undefined,
  prefetched: ReadonlyMap<string, string[] | undefined> = new Map(),
): Promise<{ teamMembers: Record<string, string[]> } | EvaluationFailure> {
  const teams = new Map<string, TeamRef>();
  for (const owner of who.owners) {
    if (owner.kind === "team") teams.set(teamKey(owner.org, owner.slug), owner);
  }
  const refs = [...who.approval.rules.flatMap((rule) => rule.from ?? []), ...(who.eligible ?? [])];
  for (const [key, team] of teamsNamed(refs)) teams.set(key, team);
  const teamMembers: Record<string, string[]> = {};
  const missing: [string, TeamRef][] = [];
  for (const [key, team] of teams) {
    const hit = cache?.get(teamCacheKey(key, who.base)) as string[] | undefined;
    if (hit) teamMembers[key] = hit;
    else if (prefetched.has(key)) {
      const members = prefetched.get(key);
      // The message listTeamsMembers' 404 carries, for the same team.
      if (!members)
        return notVisible(
          `team ${team.org}/${team.slug} does not exist or is not visible to the app`,
        );
      teamMembers[key] = members;
      cache?.set(teamCacheKey(key, who.base), members);
    } else missing.push([key, team]);
  }
  try {
    // Every team not cached nor read along, in one read (one GraphQL query through the adapter).
    if (missing.length > 0) {
      const members = await github.listTeamsMembers(missing.map(([, team]) => team));
      for (const [i, [key]] of missing.entries()) {
        teamMembers[key] = members[i]!;
        cache?.set(teamCacheKey(key, who.base), members[i]!);
      }
    }
  } catch (error) {
    if (httpStatus(error) === 404 || httpStatus(error) === 403)
      return notVisible(errorMessage(error));
    throw error;
  }
  return { teamMembers };
}

function notVisible(message: string): EvaluationFailure {
  return failure("A team could not be read", [
    `A team named in CODEOWNERS, in the role's approval rules or in its eligible list does not exist or is not visible to the app (it needs the organization "Members: read" permission): ${message}.`,
  ]);
}
