import type { TeamRef } from "../ports/github.ts";
import type { GraphQl } from "./read-files-graphql.ts";

/**
 * The members of several teams in one GraphQL query (an aliased `organization { team(slug) {
 * members } }` per team), where the REST API needs a request per team and page. A team with
 * more than 100 members is followed by queries for its next pages only. A team GitHub does not
 * show (it does not exist, or the app lacks the organization "Members: read" permission) is an
 * error with status 404, as the REST API answers.
 */

/** The query reading `count` teams: variables `$o<i>` (org), `$s<i>` (slug), `$a<i>` (cursor). */
export function teamsQuery(count: number): string {
  const vars = Array.from(
    { length: count },
    (_, i) => `$o${i}: String!, $s${i}: String!, $a${i}: String`,
  );
  const fields = Array.from(
    { length: count },
    (_, i) =>
      `t${i}: organization(login: $o${i}) { team(slug: $s${i}) { members(first: 100, after: $a${i}, membership: ALL) { nodes { login } pageInfo { hasNextPage endCursor } } } }`,
  );
  return `query HallpassTeams(${vars.join(", ")}) {\n  ${fields.join("\n  ")}\n}`;
}

interface TeamAnswer {
  team: {
    members: {
      nodes: ({ login: string } | null)[] | null;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  } | null;
}

/** The logins of each team's members (child teams included), in the order of `teams`. */
export async function listTeamsMembersGraphQl(
  graphql: GraphQl,
  teams: readonly TeamRef[],
): Promise<string[][]> {
  const members = teams.map(() => [] as string[]);
  let pending = teams.map((team, index) => ({ team, index, after: null as string | null }));
  while (pending.length > 0) {
    const variables: Record<string, unknown> = {};
    pending.forEach(({ team, after }, i) => {
      variables[`o${i}`] = team.org;
      variables[`s${i}`] = team.slug;
      variables[`a${i}`] = after;
    });
    const data = await queryTeams(graphql, teamsQuery(pending.length), variables, pending);
    const next: typeof pending = [];
    for (const [i, read] of pending.entries()) {
      const answer = data[`t${i}`]?.team;
      if (!answer) throw notVisible(read.team);
      const logins = (answer.members.nodes ?? []).flatMap((m) => (m ? [m.login] : []));
      members[read.index]!.push(...logins);
      const { hasNextPage, endCursor } = answer.members.pageInfo;
      if (hasNextPage) {
        if (!endCursor)
          throw new Error(
            `GitHub gave no cursor for the next members of ${read.team.org}/${read.team.slug}`,
          );
        next.push({ ...read, after: endCursor });
      }
    }
    pending = next;
  }
  return members;
}

/** The answer; GitHub's NOT_FOUND for an organization becomes the 404 of the team it holds. */
async function queryTeams(
  graphql: GraphQl,
  query: string,
  variables: Record<string, unknown>,
  pending: { team: TeamRef }[],
): Promise<Record<string, TeamAnswer | null>> {
  try {
    return (await graphql(query, variables)) as Record<string, TeamAnswer | null>;
  } catch (error) {
    const errors = (error as { errors?: { type?: string; path?: unknown[] }[] }).errors ?? [];
    const missing = errors.find((e) => e.type === "NOT_FOUND" && typeof e.path?.[0] === "string");
    const index = missing ? Number(String(missing.path![0]).slice(1)) : Number.NaN;
    const team = pending[index]?.team;
    if (team) throw notVisible(team);
    throw error;
  }
}

function notVisible(team: TeamRef): Error {
  return Object.assign(
    new Error(`team ${team.org}/${team.slug} does not exist or is not visible to the app`),
    { status: 404 },
  );
}
