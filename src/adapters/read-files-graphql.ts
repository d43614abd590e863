import type { GitHubPort } from "../ports/github.ts";

/**
 * Batch file reads over GitHub's GraphQL API: one query reads up to 100 files
 * (`repository.object(expression: "<ref>:<path>")` as a Blob), where the REST contents API needs
 * one request a file. The sweep reads every open grant record on every run, so this is what
 * keeps it inside GitHub's rate limit. A file GraphQL cannot give as text (binary, truncated) is
 * read with `getFile` instead.
 */

/** The GraphQL call of an Octokit (`octokit.graphql`); on GHES it targets `<host>/api/graphql`. */
export type GraphQl = (query: string, variables: Record<string, unknown>) => Promise<unknown>;

/** Files read in one query: GitHub answers a query of about a hundred objects well. */
export const FILES_PER_QUERY = 100;

interface BlobAnswer {
  text: string | null;
  isBinary: boolean | null;
  isTruncated: boolean;
}

/** The query that reads `count` files: variables `$owner`, `$repo`, `$e0`… (`ref:path`). */
export function filesQuery(count: number): string {
  const vars = Array.from({ length: count }, (_, i) => `$e${i}: String!`).join(", ");
  const fields = Array.from(
    { length: count },
    (_, i) => `    f${i}: object(expression: $e${i}) { ... on Blob { text isBinary isTruncated } }`,
  ).join("\n");
  return `query ($owner: String!, $repo: String!, ${vars}) {\n  repository(owner: $owner, name: $repo) {\n${fields}\n  }\n}`;
}

const COMMIT_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * GraphQL's `object(expression:)` for `path` at `ref`, a commit SHA or a branch (as the port
 * says). A branch is named in full: the expression follows git's rules, where a tag named like
 * the branch wins, and a tag needs no review to push. A tag `main` at an old commit would
 * otherwise hide a revocation record from the grant, or a grant record from the sweep.
 */
export function objectExpression(ref: string, path: string): string {
  const full = COMMIT_SHA.test(ref) || ref.startsWith("refs/") ? ref : `refs/heads/${ref}`;
  return `${full}:${path}`;
}

/** The port with `getFiles` added; every other method is the port's own. */
export function withGraphQlFileReads(port: GitHubPort, graphql: GraphQl): GitHubPort {
  async function getFiles(ref: string, paths: readonly string[]) {
    const result = new Map<string, string | undefined>();
    for (let from = 0; from < paths.length; from += FILES_PER_QUERY) {
      const chunk = paths.slice(from, from + FILES_PER_QUERY);
      const variables: Record<string, unknown> = { owner: port.owner, repo: port.repo };
      chunk.forEach((path, i) => {
        variables[`e${i}`] = objectExpression(ref, path);
      });
      const data = (await graphql(filesQuery(chunk.length), variables)) as {
        repository: Record<string, BlobAnswer | null> | null;
      };
      if (!data.repository) {
        throw new Error(`GitHub's GraphQL API does not show ${port.owner}/${port.repo}`);
      }
      for (const [i, path] of chunk.entries()) {
        const blob = data.repository[`f${i}`];
        if (blob === null || blob === undefined) {
          result.set(path, undefined);
        } else if (blob.text === null || blob.isTruncated || blob.isBinary) {
          result.set(path, await port.getFile(ref, path));
        } else {
          result.set(path, blob.text);
        }
      }
    }
    return result;
  }
  return { ...port, getFiles };
}
