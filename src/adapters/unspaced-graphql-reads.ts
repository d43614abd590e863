import type { ProbotOctokit } from "probot";
import type { GraphQl } from "./read-files-graphql.ts";

/**
 * GraphQL queries without Octokit's write spacing. The throttling plugin spaces every GraphQL
 * request a second apart, as it does writes (it cannot tell a query from a mutation); GitHub
 * asks for that spacing of mutations only. The merge's reads (the pull request, the rules, the
 * teams, each one query) would otherwise wait a second each before the grant could begin.
 *
 * On first use this builds a second client of the same Octokit class (so the same timeouts and
 * retries) with the installation's token and throttling off; mutations (record commits) keep
 * going through `octokit`, spaced. When no token can be had this way, reads go through `octokit`
 * too: slower, never unauthenticated.
 */
export function unspacedGraphQlReads(octokit: ProbotOctokit): GraphQl {
  let reader: Promise<GraphQl> | undefined;
  return async (query, variables) => {
    reader ??= buildReader(octokit);
    return (await reader)(query, variables);
  };
}

async function buildReader(octokit: ProbotOctokit): Promise<GraphQl> {
  const spaced: GraphQl = (query, variables) => octokit.graphql(query, variables);
  try {
    const auth = (await octokit.auth({ type: "installation" })) as { token?: unknown };
    if (typeof auth.token !== "string") return spaced;
    const Octokit = octokit.constructor as new (options: object) => ProbotOctokit;
    const client = new Octokit({
      auth: { token: auth.token },
      baseUrl: octokit.request.endpoint.DEFAULTS.baseUrl,
      throttle: { enabled: false },
    });
    return (query, variables) => client.graphql(query, variables);
  } catch {
    return spaced;
  }
}
