import type {
  ChangedFile,
  CheckRunSeen,
  PullRequestCommit,
  PullRequestExtras,
  PullRequestInfo,
  PullRequestSnapshot,
  Review,
  ReviewDismissal,
} from "../ports/github.ts";
import type { GraphQl } from "./read-files-graphql.ts";
import { type PathsAnswer, pathContents, pathFields, pathVariables } from "./read-paths-graphql.ts";

/**
 * A pull request and everything the evaluation reads of it in one GraphQL query, where the REST
 * API needs six requests: its files, commits (with their authors' and committers' logins),
 * reviews, and the timeline events that change its base or dismiss a review. Each list is read
 * to its end: a list with more than a page is followed by queries for its next pages only, each
 * of which reads the head and base again, so that a pull request that moved meanwhile is an
 * error rather than a snapshot mixing two heads.
 */

/** What the first query reads besides the pull request's own lists. */
export interface QueryExtras {
  /** The head's check run of `$checkName`: of any app, or of app `$appId` only. */
  checkRun?: "any" | "app";
  /** Files (`$f<i>`) and directories (`$d<i>`) read as read-paths-graphql.ts does. */
  files?: number;
  directories?: number;
}

/**
 * The head commit's check runs named `$checkName` (the newest of each check suite), for what the
 * app last said on the head. The pull request's last commit is its head; it is checked against
 * `headRefOid` all the same.
 */
function checkRunField(of: "any" | "app"): string {
  const suites =
    of === "app" ? "{appId: $appId, checkName: $checkName}" : "{checkName: $checkName}";
  return `headCommit: commits(last: 1) { nodes { commit { oid checkSuites(first: 10, filterBy: ${suites}) { nodes { checkRuns(first: 10, filterBy: {checkName: $checkName, checkType: LATEST}) { nodes { databaseId name conclusion title annotations { totalCount } } pageInfo { hasNextPage } } } pageInfo { hasNextPage } } } } }`;
}

/** The pull request query, with `extras` (read on the first query only). */
export function pullRequestQuery(extras: QueryExtras = {}): string {
  const paths = pathFields(extras.files ?? 0, extras.directories ?? 0);
  const declarations = [
    ...(extras.checkRun ? ["$checkName: String!"] : []),
    ...(extras.checkRun === "app" ? ["$appId: Int!"] : []),
    ...paths.declarations,
  ].map((d) => `, ${d}`);
  const checkRun = extras.checkRun ? `\n      ${checkRunField(extras.checkRun)}` : "";
  const rules = paths.fields.map((f) => `\n    ${f}`).join("");
  return `query HallpassPullRequest($owner: String!, $repo: String!, $number: Int!, $files: String, $commits: String, $reviews: String, $events: String, $withFiles: Boolean!, $withCommits: Boolean!, $withReviews: Boolean!, $withEvents: Boolean!${declarations.join("")}) {
  repository(owner: $owner, name: $repo) {
    defaultBranchRef { name }${rules}
    pullRequest(number: $number) {
      number url state isDraft title
      author { __typename login }
      headRefOid baseRefOid baseRefName
      merged mergedAt mergedBy { __typename login } mergeCommit { oid }${checkRun}
      files(first: 100, after: $files) @include(if: $withFiles) {
        nodes { path changeType }
        pageInfo { hasNextPage endCursor }
      }
      commits(first: 100, after: $commits) @include(if: $withCommits) {
        nodes { commit { oid author { email user { login } } committer { email user { login } } signature { isValid wasSignedByGitHub } } }
        pageInfo { hasNextPage endCursor }
      }
      reviews(first: 100, after: $reviews) @include(if: $withReviews) {
        nodes { databaseId author { __typename login } state commit { oid } submittedAt authorAssociation }
        pageInfo { hasNextPage endCursor }
      }
      timelineItems(first: 100, after: $events, itemTypes: [BASE_REF_CHANGED_EVENT, AUTOMATIC_BASE_CHANGE_SUCCEEDED_EVENT, REVIEW_DISMISSED_EVENT]) @include(if: $withEvents) {
        nodes {
          __typename
          ... on BaseRefChangedEvent { createdAt }
          ... on AutomaticBaseChangeSucceededEvent { createdAt }
          ... on ReviewDismissedEvent { createdAt previousReviewState review { databaseId } }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}`;
}

/** Every connection is read 100 at a time, GitHub's largest page. */
export const PULL_REQUEST_QUERY = pullRequestQuery();

interface Page<T> {
  nodes: (T | null)[] | null;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** An actor; `__typename` says whether it is a `User` or a `Bot` (an app). */
type Login = { __typename?: string; login: string } | null;

/** A commit's author or committer: the account GitHub links its address to (users only). */
type GitActor = { email?: string | null; user: { login: string } | null } | null;

/** The pull request as the query answers it; the lists only when asked for. */
export interface PullRequestAnswer {
  number: number;
  url: string;
  state: "OPEN" | "CLOSED" | "MERGED";
  isDraft: boolean;
  title: string;
  author: Login;
  headRefOid: string;
  baseRefOid: string;
  baseRefName: string;
  merged: boolean;
  mergedAt: string | null;
  mergedBy: Login;
  mergeCommit: { oid: string } | null;
  files?: Page<{ path: string; changeType: string }>;
  commits?: Page<{
    commit: {
      oid: string;
      author: GitActor;
      committer: GitActor;
      signature?: { isValid: boolean; wasSignedByGitHub: boolean } | null;
    };
  }>;
  reviews?: Page<{
    databaseId: number | null;
    author: Login;
    state: string;
    commit: { oid: string } | null;
    submittedAt: string | null;
    authorAssociation: string;
  }>;
  timelineItems?: Page<{
    __typename: string;
    createdAt?: string;
    previousReviewState?: string;
    review?: { databaseId: number | null } | null;
  }>;
  headCommit?: {
    nodes:
      | ({
          commit: { oid: string; checkSuites: Page<{ checkRuns: Page<RunAnswer> }> | null };
        } | null)[]
      | null;
  };
}

/** A check run as `checkRunField` reads it. */
interface RunAnswer {
  databaseId: number | null;
  name: string;
  conclusion: string | null;
  title: string | null;
  annotations: { totalCount: number } | null;
}

/** A check run the query found: what the port answers, and what the check's writer needs. */
export interface FoundCheckRun extends CheckRunSeen {
  id: number;
  /** How many annotations it carries. */
  annotations: number;
}

type ListName = "files" | "commits" | "reviews" | "timelineItems";
const LISTS: readonly ListName[] = ["files", "commits", "reviews", "timelineItems"];
/** The query's cursor variable of each list. */
const CURSOR: Record<ListName, string> = {
  files: "files",
  commits: "commits",
  reviews: "reviews",
  timelineItems: "events",
};
const INCLUDE: Record<ListName, string> = {
  files: "withFiles",
  commits: "withCommits",
  reviews: "withReviews",
  timelineItems: "withEvents",
};

const CHANGE_TYPES: Record<string, ChangedFile["status"]> = {
  ADDED: "added",
  DELETED: "removed",
  MODIFIED: "modified",
  RENAMED: "renamed",
  COPIED: "copied",
  CHANGED: "changed",
};

/** What the adapter gives the reader: the query, and the REST file list for renames. */
export interface PullRequestReader {
  graphql: GraphQl;
  owner: string;
  repo: string;
  /**
   * The REST file list, for a pull request that renames or copies a file: GraphQL does not say
   * a renamed file's old path, and a request renamed away must still be seen as one.
   */
  listFiles: (pullNumber: number) => Promise<ChangedFile[]>;
  /** The GitHub App's id: only its check run is read (see `OctokitGitHubOptions.appId`). */
  appId?: number;
  /**
   * Told the check run the query found on the head, or null when there is none (so that its
   * writer need not look it up).
   */
  foundCheckRun?: (headSha: string, name: string, run: FoundCheckRun | null) => void;
}

/**
 * Reads pull request `pullNumber` and all of its lists, as one snapshot of one head, and
 * `extras` in its first query.
 */
export async function readPullRequestSnapshot(
  reader: PullRequestReader,
  pullNumber: number,
  extras: PullRequestExtras = {},
): Promise<PullRequestSnapshot> {
  const read = (variables: Record<string, unknown>, query = PULL_REQUEST_QUERY) =>
    queryPullRequest(reader, pullNumber, variables, query);
  const all = Object.fromEntries(LISTS.map((list) => [INCLUDE[list], true]));
  const first = firstQuery(reader, extras);
  const { pull, defaultBranch, repository } = await read(
    { ...all, ...first.variables },
    first.query,
  );
  const nodes = Object.fromEntries(LISTS.map((list) => [list, [...(pull[list]?.nodes ?? [])]]));
  let next = nextPages(pull);
  while (Object.keys(next).length > 0) {
    const page = await read(pageVariables(next));
    sameHead(pull, page.pull);
    for (const list of LISTS)
      if (list in next) nodes[list]!.push(...(page.pull[list]?.nodes ?? []));
    next = nextPages(page.pull, next);
  }
  const answer = { ...pull, ...lists(nodes) };
  let files = toFiles(answer);
  if (files.some((f) => f.status === "renamed" || f.status === "copied")) {
    files = await reader.listFiles(pullNumber);
    // The REST list is a second read: the head it listed must still be the snapshot's.
    sameHead(pull, (await read({})).pull);
  }
  // Paths that cannot be given whole here (a binary or truncated file, a deeper tree's read
  // failing) are left to the caller, which reads them again and fails with its own message.
  const paths = extras.paths
    ? await pathContents(reader.graphql, reader, extras.paths, repository).catch(() => undefined)
    : undefined;
  return {
    pullRequest: toPullRequest(pull, defaultBranch),
    files,
    commits: toCommits(answer),
    reviews: toReviews(answer),
    ...toEvents(answer),
    ...checkRunOf(reader, pull, extras.checkName),
    ...(paths ? { paths } : {}),
  };
}

/** The first query and its variables, reading `extras` along. */
function firstQuery(
  reader: PullRequestReader,
  extras: PullRequestExtras,
): { query: string; variables: Record<string, unknown> } {
  const { checkName, paths } = extras;
  if (checkName === undefined && !paths) return { query: PULL_REQUEST_QUERY, variables: {} };
  const of = reader.appId === undefined ? "any" : "app";
  const query = pullRequestQuery({
    ...(checkName !== undefined ? { checkRun: of } : {}),
    files: paths?.files.length ?? 0,
    directories: paths?.directories.length ?? 0,
  });
  return {
    query,
    variables: {
      ...(checkName !== undefined ? { checkName } : {}),
      ...(checkName !== undefined && of === "app" ? { appId: reader.appId } : {}),
      ...(paths ? pathVariables(paths) : {}),
    },
  };
}

/**
 * The head's check run `name` as the query found it: the newest (highest id) of the app's runs
 * of that name, null when there is none. Nothing when not asked, or when the query cannot tell:
 * its commit is not the head, or there were more suites or runs than one page.
 */
function checkRunOf(
  reader: PullRequestReader,
  pull: PullRequestAnswer,
  name: string | undefined,
): { checkRun?: CheckRunSeen | null } {
  if (name === undefined) return {};
  const commit = pull.headCommit?.nodes?.[0]?.commit;
  const suites = commit?.checkSuites;
  if (!commit || commit.oid !== pull.headRefOid || !suites || suites.pageInfo.hasNextPage)
    return {};
  const runs: RunAnswer[] = [];
  for (const suite of suites.nodes ?? []) {
    if (!suite) continue;
    if (suite.checkRuns.pageInfo.hasNextPage) return {};
    for (const run of suite.checkRuns.nodes ?? []) if (run?.name === name) runs.push(run);
  }
  const newest = runs
    .filter((r) => r.databaseId !== null)
    .sort((a, b) => b.databaseId! - a.databaseId!)[0];
  if (!newest) {
    reader.foundCheckRun?.(pull.headRefOid, name, null);
    return { checkRun: null };
  }
  // GraphQL spells conclusions as its enum (SUCCESS); REST, which the app compares with, not.
  const seen = { conclusion: newest.conclusion?.toLowerCase() ?? null, title: newest.title ?? "" };
  reader.foundCheckRun?.(pull.headRefOid, name, {
    ...seen,
    id: newest.databaseId!,
    annotations: newest.annotations?.totalCount ?? 0,
  });
  return { checkRun: seen };
}

async function queryPullRequest(
  reader: PullRequestReader,
  pullNumber: number,
  variables: Record<string, unknown>,
  query: string,
): Promise<{
  pull: PullRequestAnswer;
  defaultBranch: string | undefined;
  repository: PathsAnswer;
}> {
  const flags = Object.fromEntries(LISTS.map((list) => [INCLUDE[list], false]));
  const data = (await reader.graphql(query, {
    owner: reader.owner,
    repo: reader.repo,
    number: pullNumber,
    ...flags,
    ...variables,
  })) as {
    repository:
      | ({
          defaultBranchRef: { name: string } | null;
          pullRequest: PullRequestAnswer | null;
        } & PathsAnswer)
      | null;
  };
  const pull = data.repository?.pullRequest;
  if (!pull) {
    throw Object.assign(
      new Error(`pull request #${pullNumber} of ${reader.owner}/${reader.repo} not found`),
      { status: 404 },
    );
  }
  return {
    pull,
    defaultBranch: data.repository?.defaultBranchRef?.name,
    repository: data.repository as PathsAnswer,
  };
}

/** The cursor of each list that has another page (after the ones asked for in `asked`). */
function nextPages(
  pull: PullRequestAnswer,
  asked?: Partial<Record<ListName, string>>,
): Partial<Record<ListName, string>> {
  const next: Partial<Record<ListName, string>> = {};
  for (const list of LISTS) {
    if (asked && !(list in asked)) continue;
    const info = pull[list]?.pageInfo;
    if (info?.hasNextPage) {
      if (!info.endCursor) throw new Error(`GitHub gave no cursor for the next page of ${list}`);
      next[list] = info.endCursor;
    }
  }
  return next;
}

function pageVariables(next: Partial<Record<ListName, string>>): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const [list, cursor] of Object.entries(next) as [ListName, string][]) {
    variables[INCLUDE[list]] = true;
    variables[CURSOR[list]] = cursor;
  }
  return variables;
}

/** Fails when the pull request's head or base moved between two reads of one snapshot. */
function sameHead(first: PullRequestAnswer, later: PullRequestAnswer): void {
  if (first.headRefOid !== later.headRefOid || first.baseRefName !== later.baseRefName) {
    throw new Error(
      `pull request #${first.number} moved while it was read (head ${first.headRefOid.slice(0, 7)} -> ${later.headRefOid.slice(0, 7)}, base ${first.baseRefName} -> ${later.baseRefName}); its own event evaluates it again`,
    );
  }
}

function lists(nodes: Record<string, unknown[]>): Partial<PullRequestAnswer> {
  const page = (list: ListName) => ({
    nodes: nodes[list] ?? [],
    pageInfo: { hasNextPage: false, endCursor: null },
  });
  return Object.fromEntries(LISTS.map((list) => [list, page(list)])) as Partial<PullRequestAnswer>;
}

/**
 * The login as REST spells it, which the rest of hallpass compares with: GraphQL names an app's
 * bot without REST's `[bot]` suffix (`hallpass`, not `hallpass[bot]`), and says it is a `Bot`.
 */
function actorLogin(actor: Login): string | null {
  if (!actor) return null;
  return actor.__typename === "Bot" ? `${actor.login}[bot]` : actor.login;
}

/** An app's bot's no-reply address, as GitHub writes it on the commits the app makes. */
const BOT_NOREPLY = /^\d+\+([A-Za-z0-9-]+\[bot\])@users\.noreply\.github\.com$/;

/**
 * The login of a commit's author or committer: the user GitHub links the address to, or for an
 * app's bot (GraphQL links addresses to users only) the bot its no-reply address names, as the
 * REST commit list does. Anyone can write such an address into a commit: a bot's commit counts
 * only with GitHub's own signature (`requesterProblem`).
 */
function gitActorLogin(actor: GitActor): string | null {
  if (actor?.user) return actor.user.login;
  return BOT_NOREPLY.exec(actor?.email ?? "")?.[1] ?? null;
}

function toPullRequest(
  pull: PullRequestAnswer,
  defaultBranch: string | undefined,
): PullRequestInfo {
  return {
    number: pull.number,
    url: pull.url,
    state: pull.state === "OPEN" ? "open" : "closed",
    draft: pull.isDraft,
    author: actorLogin(pull.author) ?? "ghost",
    title: pull.title,
    headSha: pull.headRefOid,
    baseSha: pull.baseRefOid,
    baseRef: pull.baseRefName,
    ...(defaultBranch ? { defaultBranch } : {}),
    merged: pull.merged,
    mergeCommitSha: pull.mergeCommit?.oid ?? null,
    mergedAt: pull.mergedAt,
    mergedBy: actorLogin(pull.mergedBy),
  };
}

function toFiles(pull: PullRequestAnswer): ChangedFile[] {
  return (pull.files?.nodes ?? []).flatMap((f) => {
    if (!f) return [];
    const status = CHANGE_TYPES[f.changeType];
    // A change type this code does not know is not taken for harmless: it reads as changed,
    // which no access pull request may contain.
    return [{ path: f.path, status: status ?? "changed" }];
  });
}

function toCommits(pull: PullRequestAnswer): PullRequestCommit[] {
  return (pull.commits?.nodes ?? []).flatMap((node) =>
    node
      ? [
          {
            sha: node.commit.oid,
            authorLogin: gitActorLogin(node.commit.author),
            committerLogin: gitActorLogin(node.commit.committer),
            // Only GitHub's own signature, valid, shows that the app's API call made the commit
            // (`wasSignedByGitHub` is accurate only for a valid signature, hence both).
            signedByGitHub:
              node.commit.signature?.isValid === true &&
              node.commit.signature.wasSignedByGitHub === true,
          },
        ]
      : [],
  );
}

function toReviews(pull: PullRequestAnswer): Review[] {
  const reviews: Review[] = [];
  for (const r of pull.reviews?.nodes ?? []) {
    // A review by a deleted account, or on a commit GitHub no longer has, can never count.
    if (!r?.author || !r.commit || r.databaseId === null) continue;
    reviews.push({
      id: r.databaseId,
      user: actorLogin(r.author)!,
      state: r.state as Review["state"],
      commitId: r.commit.oid,
      submittedAt: r.submittedAt ?? "",
      authorAssociation: r.authorAssociation,
    });
  }
  return reviews;
}

/**
 * `BaseRefChangedEvent` and `AutomaticBaseChangeSucceededEvent` (GitHub retargeting a pull
 * request when its base branch was merged and deleted) change the base just the same; a
 * `ReviewDismissedEvent` names the review and what it was.
 */
function toEvents(
  pull: PullRequestAnswer,
): Pick<PullRequestSnapshot, "baseChanges" | "reviewDismissals"> {
  const baseChanges: { at: string }[] = [];
  const reviewDismissals: ReviewDismissal[] = [];
  for (const item of pull.timelineItems?.nodes ?? []) {
    if (!item) continue;
    if (item.__typename === "ReviewDismissedEvent") {
      reviewDismissals.push({
        reviewId: Number(item.review?.databaseId),
        state: String(item.previousReviewState ?? "").toUpperCase(),
        at: item.createdAt ?? "",
      });
    } else {
      baseChanges.push({ at: item.createdAt ?? "" });
    }
  }
  return { baseChanges, reviewDismissals };
}
