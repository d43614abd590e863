import type { TeamRef } from "../ports/github.ts";
import type { GraphQl } from "./read-files-graphql.ts";

/**
 * The members of several teams in one GraphQL query (an aliased `organization { team(slug) {
 * members } }` per team), where the REST API needs a request per team and page. A team with
 * more than 100 members is followed by queries for its next pages only. A team GitHub does not
 * show (it does not exist, or the app lacks the organization "Members: read" permission) is an
 * error with status 404, as the REST API answers. The same fields ride along in read-paths-
 * graphql.ts's query, where such a team is answered as unknown instead: that read does not
 * know yet which of its teams the evaluation will need.
 */

/** The variable declarations of `count` teams: `$o<i>` (org), `$s<i>` (slug), `$a<i>` (cursor). */
export function teamDeclarations(count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) => `$o${i}: String!, $s${i}: String!, $a${i}: String`,
  );
}

/** The fields `t<i>` reading `count` teams' members, one page each. */
export function teamFields(count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) =>
      `t${i}: organization(login: $o${i}) { team(slug: $s${i}) { members(first: 100, after: $a${i}, membership: ALL) { nodes { login } pageInfo { hasNextPage endCursor } } } }`,
  );
}

/** The variables of `teamFields` for `teams`, each from its cursor (the first page: none). */
export function teamVariables(
  teams: readonly TeamRef[],
  after: readonly (string | null)[] = [],
): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  teams.forEach((team, i) => {
    variables[`o${i}`] = team.org;
    variables[`s${i}`] = team.slug;
    variables[`a${i}`] = after[i] ?? null;
  });
  return variables;
}

/** The query reading `count` teams: variables `$o<i>` (org), `$s<i>` (slug), `$a<i>` (cursor). */
export function teamsQuery(count: number): string {
  return `query HallpassTeams(${teamDeclarations(count).join(", ")}) {\n  ${teamFields(count).join("\n  ")}\n}`;
}

export interface TeamAnswer {
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
  const data = await queryTeams(graphql, teamsQuery(teams.length), teamVariables(teams), teams);
  const members = await teamsFromAnswer(graphql, teams, data);
  return members.map((logins, i) => {
    if (!logins) throw notVisible(teams[i]!);
    return logins;
  });
}

/**
 * The members of each of `teams` from an answer holding their first pages (`t<i>`), reading
 * their next pages to the end; undefined for a team GitHub does not show.
 */
export async function teamsFromAnswer(
  graphql: GraphQl,
  teams: readonly TeamRef[],
  data: Record<string, TeamAnswer | null>,
): Promise<(string[] | undefined)[]> {
  const members: (string[] | undefined)[] = teams.map(() => undefined);
  let pending = teams.map((team, index) => ({ team, index, after: null as string | null }));
  let answer = data;
  while (pending.length > 0) {
    const next: typeof pending = [];
    for (const [i, read] of pending.entries()) {
      const found = answer[`t${i}`]?.team;
      if (!found) continue;
      const logins = (found.members.nodes ?? []).flatMap((m) => (m ? [m.login] : []));
      members[read.index] = [...(members[read.index] ?? []), ...logins];
      const { hasNextPage, endCursor } = found.members.pageInfo;
      if (!hasNextPage) continue;
      if (!endCursor)
        throw new Error(
          `GitHub gave no cursor for the next members of ${read.team.org}/${read.team.slug}`,
        );
      next.push({ ...read, after: endCursor });
    }
    pending = next;
    if (pending.length === 0) break;
    const asked = pending.map((p) => p.team);
    const variables = teamVariables(
      asked,
      pending.map((p) => p.after),
    );
    answer = await queryTeams(graphql, teamsQuery(asked.length), variables, asked);
  }
  return members;
}

/** The answer; GitHub's NOT_FOUND for an organization becomes the 404 of the team it holds. */
async function queryTeams(
  graphql: GraphQl,
  query: string,
  variables: Record<string, unknown>,
  teams: readonly TeamRef[],
): Promise<Record<string, TeamAnswer | null>> {
  try {
    return (await graphql(query, variables)) as Record<string, TeamAnswer | null>;
  } catch (error) {
    const index = missingTeams(error)[0];
    const team = index === undefined ? undefined : teams[index];
    if (team) throw notVisible(team);
    throw error;
  }
}

/** The indexes of the teams (`t<i>`) whose organization GitHub answered NOT_FOUND. */
function missingTeams(error: unknown): number[] {
  return teamErrors(error).flatMap((e) => (e.type === "NOT_FOUND" ? [e.index] : []));
}

/** GitHub's errors about a team (`t<i>`), by the team's index; undefined for any other. */
function teamErrors(error: unknown): { index: number; type: string | undefined }[] {
  const errors = (error as { errors?: { type?: string; path?: unknown[] }[] }).errors ?? [];
  return errors.flatMap((e) => {
    const alias = /^t(\d+)$/.exec(String(e.path?.[0] ?? ""));
    return alias ? [{ index: Number(alias[1]), type: e.type }] : [];
  });
}

/**
 * The answer of a query that reads teams along with other things, when GitHub's only errors are
 * about teams: those whose organization it does not show are null in it (not visible), and the
 * indexes of those it could not read for another reason are in `unread` (to be read on their
 * own, as without reading them along). Any other error is thrown.
 */
export async function queryAllowingMissingTeams(
  graphql: GraphQl,
  query: string,
  variables: Record<string, unknown>,
): Promise<{ data: unknown; unread: Set<number> }> {
  try {
    return { data: await graphql(query, variables), unread: new Set() };
  } catch (error) {
    const { errors, data } = error as { errors?: unknown[]; data?: unknown };
    const about = teamErrors(error);
    const onlyTeams = (errors?.length ?? 0) > 0 && about.length === errors!.length;
    if (!onlyTeams || !data || typeof data !== "object") throw error;
    const unread = about.filter((e) => e.type !== "NOT_FOUND").map((e) => e.index);
    return { data, unread: new Set(unread) };
  }
}

function notVisible(team: TeamRef): Error {
  return Object.assign(
    new Error(`team ${team.org}/${team.slug} does not exist or is not visible to the app`),
    { status: 404 },
  );
}
