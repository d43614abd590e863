import {
  type PathAtRef,
  type PathContents,
  type PathReads,
  UnreadableFileError,
} from "../ports/github.ts";
import {
  queryAllowingMissingTeams,
  type TeamAnswer,
  teamDeclarations,
  teamFields,
  teamsFromAnswer,
  teamVariables,
} from "./list-teams-graphql.ts";
import {
  BLOB_FIELDS,
  type BlobAnswer,
  FILES_PER_QUERY,
  fileField,
  type GraphQl,
  isBlob,
  objectExpression,
  wholeText,
} from "./read-files-graphql.ts";

/**
 * Files and whole directories at commits in one GraphQL query (`repository.object(expression:
 * "<ref>:<path>")`), where the REST API needs a request per file and per tree: the evaluation
 * reads CODEOWNERS, every policy file, the request file and its twin this way, with the members
 * of the teams it may need in the same query (see list-teams-graphql.ts). A directory's tree is
 * read three levels deep in the query; a deeper one is read by a query of its own.
 * A file GitHub cannot give as text (binary, or truncated for its size) is an error: the
 * evaluation fails closed rather than judge a file it could not read whole.
 */

/** Tree entries to `depth` levels; the deepest level names its subtrees without reading them. */
function entries(depth: number): string {
  const inner = depth > 1 ? ` ... on Tree { ${entries(depth - 1)} }` : "";
  return `entries { name type object { ${BLOB_FIELDS}${inner} } }`;
}
const TREE_DEPTH = 3;

/** The query reading `files` files (`f<i>`) and `directories` directories (`d<i>`). */
export function pathsQuery(files: number, directories: number, teams = 0): string {
  const paths = pathFields(files, directories);
  const vars = [...paths.declarations, ...teamDeclarations(teams)];
  // `__typename` keeps the selection valid when only teams are read.
  const repository = `repository(owner: $owner, name: $repo) {\n    __typename\n    ${paths.fields.join("\n    ")}\n  }`;
  const fields = [repository, ...teamFields(teams)];
  return `query HallpassPaths($owner: String!, $repo: String!, ${vars.join(", ")}) {\n  ${fields.join("\n  ")}\n}`;
}

/**
 * The variable declarations and the `repository` fields reading `files` files (`f<i>`) and
 * `directories` directories (`d<i>`): `pathsQuery`'s, and the pull request query's when it
 * reads the rules along.
 */
export function pathFields(
  files: number,
  directories: number,
): { declarations: string[]; fields: string[] } {
  return {
    declarations: [
      ...Array.from({ length: files }, (_, i) => `$f${i}: String!`),
      ...Array.from({ length: directories }, (_, i) => `$d${i}: String!`),
    ],
    fields: [
      ...Array.from({ length: files }, (_, i) => fileField(`f${i}`, `f${i}`)),
      ...Array.from(
        { length: directories },
        (_, i) => `d${i}: object(expression: $d${i}) { ... on Tree { ${entries(TREE_DEPTH)} } }`,
      ),
    ],
  };
}

/** The variables of `pathFields` for `reads`: `<ref>:<path>` expressions. */
export function pathVariables(reads: PathReads): Record<string, string> {
  const variables: Record<string, string> = {};
  reads.files.forEach((f, i) => {
    variables[`f${i}`] = objectExpression(f.ref, f.path);
  });
  reads.directories.forEach((d, i) => {
    variables[`d${i}`] = objectExpression(d.ref, d.path);
  });
  return variables;
}

interface EntryAnswer {
  name: string;
  type: string;
  object: (BlobAnswer & { entries?: EntryAnswer[] }) | null;
}

/** The `repository` answer of a query made of `pathFields`. */
export type PathsAnswer = Record<string, (BlobAnswer & { entries?: EntryAnswer[] }) | null>;

/**
 * Reads `reads` through `graphql` for repository `owner/repo`, and the members of `reads.teams`
 * in the same query. Files beyond the first hundred are read a hundred a query after it, as
 * `getFiles` reads them, so callers ask for all they need at once.
 */
export async function readPathsGraphQl(
  graphql: GraphQl,
  repository: { owner: string; repo: string },
  reads: PathReads,
): Promise<PathContents> {
  if (reads.files.length <= FILES_PER_QUERY) return readPathsOnce(graphql, repository, reads);
  const first = await readPathsOnce(graphql, repository, {
    ...reads,
    files: reads.files.slice(0, FILES_PER_QUERY),
  });
  const files = [...first.files];
  for (let from = FILES_PER_QUERY; from < reads.files.length; from += FILES_PER_QUERY) {
    const chunk = reads.files.slice(from, from + FILES_PER_QUERY);
    files.push(
      ...(await readPathsOnce(graphql, repository, { files: chunk, directories: [] })).files,
    );
  }
  return { ...first, files };
}

/** `readPathsGraphQl` in one query. */
async function readPathsOnce(
  graphql: GraphQl,
  repository: { owner: string; repo: string },
  reads: PathReads,
): Promise<PathContents> {
  const { files, directories } = reads;
  const teams = reads.teams ?? [];
  const variables: Record<string, unknown> = {
    ...repository,
    ...pathVariables(reads),
    ...teamVariables(teams),
  };
  const query = pathsQuery(files.length, directories.length, teams.length);
  const answered = await queryAllowingMissingTeams(graphql, query, variables);
  const data = answered.data as { repository: PathsAnswer | null } & Record<
    string,
    TeamAnswer | null
  >;
  const answer = data.repository;
  if (!answer) {
    throw new Error(
      `GitHub's GraphQL API does not show ${repository.owner}/${repository.repo}: check that the app is installed on it`,
    );
  }
  const contents = await pathContents(graphql, repository, reads, answer);
  if (teams.length === 0) return contents;
  // A team GitHub could not give here is read on its own later, as without reading it along.
  const readable = teams.map((team, i) => (answered.unread.has(i) ? undefined : team));
  const members = await teamsFromAnswer(
    graphql,
    readable.filter((t) => t !== undefined),
    reindex(data, readable),
  );
  let next = 0;
  return {
    ...contents,
    teams: readable.map((team) => (team === undefined ? null : members[next++])),
  };
}

/**
 * The contents of `reads` from the `repository` answer of a query made of `pathFields` and
 * `pathVariables(reads)`; a directory deeper than the query read is read by queries of its own.
 */
export async function pathContents(
  graphql: GraphQl,
  repository: { owner: string; repo: string },
  reads: PathReads,
  answer: PathsAnswer,
): Promise<PathContents> {
  const contents: PathContents = {
    files: reads.files.map((f, i) => blobText(f, answer[`f${i}`] ?? null)),
    directories: [],
  };
  for (const [i, d] of reads.directories.entries()) {
    const found = new Map<string, string>();
    const deeper: PathAtRef[] = [];
    collect(d, answer[`d${i}`]?.entries ?? [], found, deeper);
    if (deeper.length > 0) {
      const more = await readPathsGraphQl(graphql, repository, { files: [], directories: deeper });
      for (const tree of more.directories) for (const [path, text] of tree) found.set(path, text);
    }
    contents.directories.push(found);
  }
  return contents;
}

/** The answer's teams (`t<i>`) renumbered to leave out those not `readable`. */
function reindex(
  data: Record<string, TeamAnswer | null>,
  readable: readonly (unknown | undefined)[],
): Record<string, TeamAnswer | null> {
  const kept: Record<string, TeamAnswer | null> = {};
  let next = 0;
  readable.forEach((team, i) => {
    if (team !== undefined) kept[`t${next++}`] = data[`t${i}`] ?? null;
  });
  return kept;
}

/** Adds the files of `tree` (at `at`) to `found`, and the subtrees not read yet to `deeper`. */
function collect(
  at: PathAtRef,
  tree: EntryAnswer[],
  found: Map<string, string>,
  deeper: PathAtRef[],
): void {
  for (const entry of tree) {
    const path = `${at.path.replace(/\/$/, "")}/${entry.name}`;
    if (entry.type === "blob") {
      const text = blobText({ ref: at.ref, path }, entry.object);
      if (text === undefined)
        throw new Error(
          `${path} at ${at.ref.slice(0, 12)} is listed but GitHub gave no blob for it`,
        );
      found.set(path, text);
    } else if (entry.type === "tree") {
      if (entry.object?.entries)
        collect({ ref: at.ref, path }, entry.object.entries, found, deeper);
      else deeper.push({ ref: at.ref, path });
    }
    // Submodules ("commit") hold no file of this repository.
  }
}

/**
 * The text of a blob; undefined when nothing (or a directory) is there. A blob GitHub gives
 * without its whole text is an error naming it.
 */
function blobText(at: PathAtRef, blob: BlobAnswer | null): string | undefined {
  if (!isBlob(blob)) return undefined;
  const text = wholeText(blob);
  if (text === undefined) {
    throw new UnreadableFileError(
      `${at.path} at ${at.ref.slice(0, 12)} cannot be read as text (GitHub reports it ${blob.isBinary ? "binary" : "too large to give whole"}); hallpass reads only UTF-8 text files of a reasonable size there`,
    );
  }
  return text;
}
