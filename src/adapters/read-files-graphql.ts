import type { GitHubPort } from "../ports/github.ts";
import { qualifiedRef } from "./branch-or-commit.ts";

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

/** What a file is read as: its text, and whether GitHub could give it whole as text. */
export const BLOB_FIELDS = "... on Blob { text isBinary isTruncated }";

/** A file's answer to `fileField` (GitHub leaves the fields out when the object is a tree). */
export interface BlobAnswer {
  text?: string | null;
  isBinary?: boolean | null;
  isTruncated?: boolean;
}

/** The field `name` reading the file at the `ref:path` expression in variable `$variable`. */
export function fileField(name: string, variable: string): string {
  return `${name}: object(expression: $${variable}) { ${BLOB_FIELDS} }`;
}

/**
 * Whether `answer` is a file's: nothing is there when it is null, and a directory's answer has
 * none of the blob's fields (GitHub always gives `isTruncated` for a blob).
 */
export function isBlob(answer: BlobAnswer | null | undefined): answer is BlobAnswer {
  return answer != null && "isTruncated" in answer;
}

/**
 * The text of `blob` when GitHub gave it whole; undefined when it is binary or truncated for
 * its size (GitHub gives no text then, or only its start).
 */
export function wholeText(blob: BlobAnswer): string | undefined {
  if (blob.isBinary || blob.isTruncated || typeof blob.text !== "string") return undefined;
  return blob.text;
}

/** The query that reads `count` files: variables `$owner`, `$repo`, `$e0`… (`ref:path`). */
export function filesQuery(count: number): string {
  const vars = Array.from({ length: count }, (_, i) => `$e${i}: String!`).join(", ");
  const fields = Array.from({ length: count }, (_, i) => `    ${fileField(`f${i}`, `e${i}`)}`).join(
    "\n",
  );
  return `query ($owner: String!, $repo: String!, ${vars}) {\n  repository(owner: $owner, name: $repo) {\n${fields}\n  }\n}`;
}

/**
 * GraphQL's `object(expression:)` for `path` at `ref`, a commit SHA or a branch (as the port
 * says). A branch is named in full (`qualifiedRef`): the expression follows git's rules, where a
 * tag named like the branch wins.
 */
export function objectExpression(ref: string, path: string): string {
  return `${qualifiedRef(ref)}:${path}`;
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
        if (!isBlob(blob)) result.set(path, undefined);
        else result.set(path, wholeText(blob) ?? (await port.getFile(ref, path)));
      }
    }
    return result;
  }
  return { ...port, getFiles };
}
