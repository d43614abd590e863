/**
 * Step 6 of the evaluation: read the members of every team that may approve, whether CODEOWNERS
 * names it or the role's approval rules do, and of every team the role lets request it.
 */

import { teamKey } from "../../core/approval/decide-approval.ts";
import type { Owner } from "../../core/policy/codeowners.ts";
import type { Approval } from "../../core/policy/policy-format.ts";
import { errorMessage } from "../../core/text/error-message.ts";
import type { KeyValueCache } from "../../ports/cache.ts";
import type { GitHubPort } from "../../ports/github.ts";
import { type EvaluationFailure, failure } from "./evaluation-failure.ts";

/**
 * The members of each team named by `owners`, `approval`'s rules or `eligible`, by `teamKey`, cached by the
 * rules' commit `base`. A failure when GitHub says a team does not exist or is not visible;
 * any other error is thrown (the evaluation then says GitHub could not be read).
 */
export async function readTeamMembers(
  github: GitHubPort,
  who: { owners: Owner[]; approval: Approval; eligible?: readonly string[]; base: string },
  cache: KeyValueCache | undefined,
): Promise<{ teamMembers: Record<string, string[]> } | EvaluationFailure> {
  const teams = new Map<string, { org: string; slug: string }>();
  for (const owner of who.owners) {
    if (owner.kind === "team") teams.set(teamKey(owner.org, owner.slug), owner);
  }
  const refs = [...who.approval.rules.flatMap((rule) => rule.from ?? []), ...(who.eligible ?? [])];
  for (const ref of refs) {
    const [org, slug] = ref.replace(/^@/, "").split("/");
    if (slug !== undefined) teams.set(teamKey(org!, slug), { org: org!, slug });
  }
  const teamMembers: Record<string, string[]> = {};
  const missing: [string, { org: string; slug: string }][] = [];
  for (const [key, team] of teams) {
    const hit = cache?.get(`team:${key}@${who.base}`) as string[] | undefined;
    if (hit) teamMembers[key] = hit;
    else missing.push([key, team]);
  }
  try {
    // Every team not cached, in one read (one GraphQL query through the adapter).
    if (missing.length > 0) {
      const members = await github.listTeamsMembers(missing.map(([, team]) => team));
      for (const [i, [key]] of missing.entries()) {
        teamMembers[key] = members[i]!;
        cache?.set(`team:${key}@${who.base}`, members[i]!);
      }
    }
  } catch (error) {
    if (httpStatus(error) === 404 || httpStatus(error) === 403) {
      return failure("A team could not be read", [
        `A team named in CODEOWNERS, in the role's approval rules or in its eligible list does not exist or is not visible to the app (it needs the organization "Members: read" permission): ${errorMessage(error)}.`,
      ]);
    }
    throw error;
  }
  return { teamMembers };
}

function httpStatus(error: unknown): number | undefined {
  return typeof error === "object" && error !== null && "status" in error
    ? Number((error as { status: unknown }).status)
    : undefined;
}
