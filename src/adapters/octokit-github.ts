/**
 * The GitHub port over Octokit's REST API, for one repository. Used by the app (with an
 * installation token), the scheduled action and the CLI.
 *
 * Every list is paginated to the end. Every write is idempotent: check runs are found again by
 * head SHA and name, comments and issues by a hidden marker, and commits are retried on the
 * fresh branch head when the branch moved (never forced).
 */

import { createHash } from "node:crypto";
import type { ProbotOctokit } from "probot";
import { httpStatus } from "../core/text/error-message.ts";
import type { KeyValueCache } from "../ports/cache.ts";
import type {
  ChangedFile,
  CheckRunOutput,
  CommentLookup,
  FileToCommit,
  FoundComment,
  GitHubPort,
  IssueInfo,
  NewPullRequest,
  PathReads,
  PullRequestExtras,
  PullRequestInfo,
  TeamRef,
} from "../ports/github.ts";
import { commitOf, qualifiedRef } from "./branch-or-commit.ts";
import { listTeamsMembersGraphQl } from "./list-teams-graphql.ts";
import type { GraphQl } from "./read-files-graphql.ts";
import { readPathsGraphQl } from "./read-paths-graphql.ts";
import { type PullRequestReader, readPullRequestSnapshot } from "./read-pull-request-graphql.ts";

/** Any Octokit with the REST pagination plugin (Probot's, or one built for the action/CLI). */
export type Octokit = Pick<ProbotOctokit, "request" | "paginate" | "graphql">;

export type { KeyValueCache };

export interface OctokitGitHubOptions {
  /**
   * The GitHub App's id: only check runs, comments and issues this app created are updated.
   * Without it no comment or issue is taken for hallpass's own (a new one is posted instead of
   * editing one anyone could have planted), and the first check run of that name on the
   * commit is updated (fine with an installation token, which can only update its own app's
   * runs anyway).
   */
  appId?: number;
  /** Remembers check run ids by head SHA (a check run id never changes). */
  cache?: KeyValueCache;
  /**
   * Runs the evaluation's GraphQL queries (reads); default `octokit.graphql`. The app passes
   * `unspacedGraphQlReads(octokit)`, so that reads do not wait for the write spacing.
   */
  graphqlReads?: GraphQl;
  /** How often `commitFiles` retries when the branch moved under it. Default 5. */
  commitAttempts?: number;
}

/** The head commit of a branch and, by alias `f<i>`, the blob of path `$p<i>` in it. */
export function branchHeadQuery(count: number): string {
  const vars = Array.from({ length: count }, (_, i) => `, $p${i}: String!`).join("");
  const files = Array.from({ length: count }, (_, i) => ` f${i}: file(path: $p${i}) { oid }`).join(
    "",
  );
  return `query ($owner: String!, $repo: String!, $ref: String!${vars}) { repository(owner: $owner, name: $repo) { ref(qualifiedName: $ref) { target { oid ... on Commit {${files} } } } } }`;
}

/** Commits files on a branch in one request; GitHub signs the commit. */
export const CREATE_COMMIT_MUTATION =
  "mutation ($input: CreateCommitOnBranchInput!) { createCommitOnBranch(input: $input) { commit { oid } } }";

/** Git's id of a blob with `content`: what a tree entry's `oid` is when the file has it. */
function gitBlobSha(content: string): string {
  const bytes = Buffer.from(content, "utf8");
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/** GitHub's answer when `expectedHeadOid` is no longer the branch's head. */
function isStaleHead(error: unknown): boolean {
  const errors = (error as { errors?: { type?: string; message?: string }[] } | null)?.errors;
  return (errors ?? []).some(
    (e) => e.type === "STALE_DATA" || /expected branch to point to/i.test(e.message ?? ""),
  );
}

/** GitHub accepts at most 50 annotations per check run request. */
const ANNOTATIONS_PER_REQUEST = 50;
/** GitHub's limit on a check run summary and on an issue/comment body. */
const MAX_TEXT = 65_535;

function truncate(text: string): string {
  if (text.length <= MAX_TEXT) return text;
  const note = "\n\n… (truncated: GitHub limits this text to 65,535 characters)";
  return text.slice(0, MAX_TEXT - note.length) + note;
}

type RestPull = {
  number: number;
  html_url: string;
  state: string;
  draft?: boolean;
  user: { login: string } | null;
  title: string;
  head: { sha: string };
  base: { sha: string; ref: string; repo?: { default_branch?: string } | null };
  merged?: boolean;
  merged_at: string | null;
  merge_commit_sha: string | null;
  merged_by?: { login: string } | null;
  created_at?: string;
};

function toPullRequest(pull: RestPull): PullRequestInfo {
  return {
    number: pull.number,
    url: pull.html_url,
    state: pull.state === "closed" ? "closed" : "open",
    draft: pull.draft ?? false,
    author: pull.user?.login ?? "ghost",
    title: pull.title,
    headSha: pull.head.sha,
    baseSha: pull.base.sha,
    baseRef: pull.base.ref,
    ...(pull.base.repo?.default_branch ? { defaultBranch: pull.base.repo.default_branch } : {}),
    // The list endpoint has no `merged` field; merged_at is set exactly when it was merged.
    merged: pull.merged ?? pull.merged_at !== null,
    mergeCommitSha: pull.merge_commit_sha,
    mergedAt: pull.merged_at,
    mergedBy: pull.merged_by?.login ?? null,
    ...(pull.created_at ? { createdAt: pull.created_at } : {}),
  };
}

/** Creates the GitHub port for `owner/repo` over an authenticated Octokit. */
export function createOctokitGitHub(
  octokit: Octokit,
  repository: { owner: string; repo: string },
  options: OctokitGitHubOptions = {},
): GitHubPort {
  const { owner, repo } = repository;
  const base = { owner, repo };

  async function getFile(ref: string, path: string): Promise<string | undefined> {
    try {
      const response = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
        ...base,
        path,
        // A branch in full: a bare name is a tag first (see branch-or-commit.ts).
        ref: qualifiedRef(ref),
        mediaType: { format: "raw" },
      });
      return rawFileText(response.data);
    } catch (error) {
      if (httpStatus(error) === 404) return undefined;
      throw error;
    }
  }

  type TreeEntry = { path?: string; type?: string; sha?: string };

  async function getTree(sha: string, recursive: boolean) {
    const response = await octokit.request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", {
      ...base,
      tree_sha: sha,
      ...(recursive ? { recursive: "1" } : {}),
    });
    return response.data as { tree: TreeEntry[]; truncated: boolean };
  }

  async function listFiles(ref: string, directory: string): Promise<string[]> {
    const segments = directory.split("/").filter((s) => s !== "");
    // Walk down to the directory's own tree: far smaller than the whole repository's. It starts
    // at a commit: `git/trees` takes a tree-ish, where a bare branch name is a tag first.
    let treeSha = await commitOf(ref, getBranchHead);
    for (const segment of segments) {
      const { tree } = await getTree(treeSha, false);
      const entry = tree.find((e) => e.path === segment && e.type === "tree");
      if (!entry?.sha) return [];
      treeSha = entry.sha;
    }
    const prefix = segments.length > 0 ? `${segments.join("/")}/` : "";
    const { tree, truncated } = await getTree(treeSha, true);
    if (!truncated) {
      return tree
        .filter((e) => e.type === "blob" && e.path)
        .map((e) => prefix + e.path)
        .sort();
    }
    // Truncated recursive listing (over 100,000 entries): walk one level at a time.
    const files: string[] = [];
    const queue: { sha: string; path: string }[] = [{ sha: treeSha, path: prefix }];
    while (queue.length > 0) {
      const next = queue.shift()!;
      const level = await getTree(next.sha, false);
      for (const e of level.tree) {
        if (!e.path || !e.sha) continue;
        if (e.type === "blob") files.push(next.path + e.path);
        else if (e.type === "tree") queue.push({ sha: e.sha, path: `${next.path}${e.path}/` });
      }
    }
    return files.sort();
  }

  async function listPullRequestFiles(pullNumber: number): Promise<ChangedFile[]> {
    const files = await octokit.paginate("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", {
      ...base,
      pull_number: pullNumber,
      per_page: 100,
    });
    return files.map((f) => ({
      path: f.filename,
      status: f.status,
      ...(f.previous_filename ? { previousPath: f.previous_filename } : {}),
    }));
  }

  /** The evaluation's reads: one GraphQL query each (see the read-*-graphql.ts adapters). */
  const graphql: GraphQl =
    options.graphqlReads ?? ((query, variables) => octokit.graphql(query, variables));
  const pullRequestReader: PullRequestReader = {
    graphql,
    owner,
    repo,
    listFiles: listPullRequestFiles,
    ...(options.appId !== undefined ? { appId: options.appId } : {}),
    foundCheckRun: (headSha, name, run) => {
      // The run the pull request query found (or that there is none: null) is what
      // `upsertCheckRun` would look up: known, its write needs no read. Ours, remembered under
      // the same id, stays as it is (we know its annotations' content; GitHub's count alone
      // would force a new run). A run another instance of the app creates after this read
      // gets a twin of the same name at worst, and GitHub takes the newest.
      const key = `check-run:${owner}/${repo}@${headSha}:${name}`;
      if (run && (options.cache?.get(key) as KnownRun | undefined)?.id === run.id) return;
      options.cache?.set(
        key,
        run ? { id: run.id, annotations: run.annotations > 0 ? "?" : "" } : null,
      );
    },
  };
  const readPullRequest = (pullNumber: number, extras?: PullRequestExtras) =>
    readPullRequestSnapshot(pullRequestReader, pullNumber, extras);
  const readPaths = (reads: PathReads) => readPathsGraphQl(graphql, base, reads);
  const listTeamsMembers = (teams: readonly TeamRef[]) => listTeamsMembersGraphQl(graphql, teams);

  async function listOpenPullRequests(): Promise<PullRequestInfo[]> {
    const pulls = await octokit.paginate("GET /repos/{owner}/{repo}/pulls", {
      ...base,
      state: "open",
      per_page: 100,
    });
    return pulls.map((p) => toPullRequest(p as RestPull));
  }

  /** What we know of an existing run: its id, and a digest of the annotations it carries. */
  type KnownRun = { id: number; annotations: string };

  /** This app's newest check run `name` on `headSha`, as GitHub lists it. */
  async function latestCheckRun(headSha: string, name: string) {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", {
      ...base,
      ref: headSha,
      check_name: name,
      filter: "latest",
      per_page: 100,
      ...(options.appId !== undefined ? { app_id: options.appId } : {}),
    });
    return data.check_runs.find((r) => options.appId === undefined || r.app?.id === options.appId);
  }

  async function findCheckRun(headSha: string, name: string): Promise<KnownRun | undefined> {
    const key = `check-run:${owner}/${repo}@${headSha}:${name}`;
    // null: the pull request's query found none of ours on the head (see `foundCheckRun`).
    const cached = options.cache?.get(key) as KnownRun | null | undefined;
    if (cached !== undefined) return cached ?? undefined;
    const run = await latestCheckRun(headSha, name);
    if (!run) return undefined;
    // A run with annotations of unknown content gets a fresh run rather than more of them.
    const known = { id: Number(run.id), annotations: run.output?.annotations_count ? "?" : "" };
    options.cache?.set(key, known);
    return known;
  }

  /**
   * GitHub appends the annotations of every update to a run's existing ones, so re-sending
   * them would pile up duplicates. A run is therefore updated in place while its annotations
   * stay the same (the usual case: the same request file at the same head), and replaced by a
   * new run of the same name when they change; GitHub and branch protection use the newest.
   */
  async function upsertCheckRun(
    headSha: string,
    name: string,
    output: CheckRunOutput,
  ): Promise<void> {
    const annotations = (output.annotations ?? []).map((a) => ({
      path: a.path,
      start_line: a.startLine,
      end_line: a.endLine,
      annotation_level: a.level,
      message: a.message,
      ...(a.title ? { title: a.title } : {}),
    }));
    const digest =
      annotations.length === 0
        ? ""
        : createHash("sha256").update(JSON.stringify(annotations)).digest("hex");
    const summary = truncate(output.summary);
    const fields = {
      ...base,
      name,
      status: output.status,
      ...(output.status === "completed" ? { conclusion: output.conclusion ?? "failure" } : {}),
      ...(output.externalId !== undefined ? { external_id: output.externalId } : {}),
    };
    const known = await findCheckRun(headSha, name);
    let id: number;
    if (known && known.annotations === digest) {
      id = known.id;
      await octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
        ...fields,
        check_run_id: id,
        output: { title: output.title, summary },
      });
    } else {
      const { data } = await octokit.request("POST /repos/{owner}/{repo}/check-runs", {
        ...fields,
        head_sha: headSha,
        output: {
          title: output.title,
          summary,
          annotations: annotations.slice(0, ANNOTATIONS_PER_REQUEST),
        },
      });
      id = Number(data.id);
      // The rest of the annotations go 50 at a time (GitHub's limit per request), appended.
      for (let i = ANNOTATIONS_PER_REQUEST; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) {
        await octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
          ...base,
          check_run_id: id,
          output: {
            title: output.title,
            summary,
            annotations: annotations.slice(i, i + ANNOTATIONS_PER_REQUEST),
          },
        });
      }
      options.cache?.set(`check-run:${owner}/${repo}@${headSha}:${name}`, {
        id,
        annotations: digest,
      } satisfies KnownRun);
    }
  }

  /**
   * Whether a comment or issue was written by this app: a bot's, made through this app's id.
   * Anyone can paste the marker into their own comment, and another bot (github-actions[bot],
   * run by any workflow) could plant it: editing theirs would put hallpass's message where
   * its author can rewrite it, and taking theirs for the one already posted would hide it.
   * Without the app's id nothing is ours (fail closed: a second comment, never a wrong edit).
   */
  function isOurs(item: {
    user?: { type?: string } | null;
    performed_via_github_app?: { id?: number } | null;
  }): boolean {
    if (item.user?.type !== "Bot" || options.appId === undefined) return false;
    return item.performed_via_github_app?.id === options.appId;
  }

  function withMarker(marker: string, body: string): string {
    return body.includes(marker) ? body : `${marker}\n${body}`;
  }

  /** This app's comment with `marker` on an issue/PR, every page listed; undefined when none. */
  async function findComment(
    issueNumber: number,
    marker: string,
  ): Promise<FoundComment | undefined> {
    const comments = await octokit.paginate(
      "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
      { ...base, issue_number: issueNumber, per_page: 100 },
    );
    const found = comments.find((c) => isOurs(c) && c.body?.includes(marker));
    return found && { id: Number(found.id), body: found.body ?? "" };
  }

  async function upsertComment(
    issueNumber: number,
    marker: string,
    body: string,
    lookup?: CommentLookup,
  ): Promise<FoundComment> {
    const text = truncate(withMarker(marker, body));
    // A lookup of this event listed every page already, and found only this app's comment.
    const existing = lookup ? lookup.found : await findComment(issueNumber, marker);
    if (!existing) {
      const { data } = await octokit.request(
        "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
        { ...base, issue_number: issueNumber, body: text },
      );
      return { id: Number(data.id), body: data.body ?? text };
    }
    if (existing.body === text) return existing;
    const { data } = await octokit.request(
      "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}",
      { ...base, comment_id: existing.id, body: text },
    );
    return { id: existing.id, body: data.body ?? text };
  }

  async function readCheckRun(headSha: string, name: string) {
    // Not cached: the conclusion is what changes between two evaluations of one head.
    const run = await latestCheckRun(headSha, name);
    if (!run) return undefined;
    return {
      conclusion: run.conclusion ?? null,
      title: run.output?.title ?? "",
      id: Number(run.id),
      externalId: run.external_id ?? null,
    };
  }

  async function rerequestCheckRun(checkRunId: number): Promise<void> {
    await octokit.request("POST /repos/{owner}/{repo}/check-runs/{check_run_id}/rerequest", {
      ...base,
      check_run_id: checkRunId,
    });
  }

  async function closePullRequest(pullNumber: number): Promise<void> {
    await octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", {
      ...base,
      pull_number: pullNumber,
      state: "closed",
    });
  }

  async function requestReviewers(
    pullNumber: number,
    users: string[],
    teams: string[],
  ): Promise<void> {
    if (users.length === 0 && teams.length === 0) return;
    await octokit.request("POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", {
      ...base,
      pull_number: pullNumber,
      reviewers: users,
      team_reviewers: teams,
    });
  }

  async function upsertIssue(
    marker: string,
    title: string,
    body: string,
    labels: string[] = [],
  ): Promise<IssueInfo> {
    const text = truncate(withMarker(marker, body));
    const issues = await octokit.paginate("GET /repos/{owner}/{repo}/issues", {
      ...base,
      state: "open",
      per_page: 100,
      ...(labels.length > 0 ? { labels: labels.join(",") } : {}),
    });
    const existing = issues.find((i) => !i.pull_request && isOurs(i) && i.body?.includes(marker));
    if (existing) {
      if (existing.body !== text || existing.title !== title) {
        await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
          ...base,
          issue_number: existing.number,
          title,
          body: text,
        });
      }
      return { number: existing.number, url: existing.html_url };
    }
    const { data } = await octokit.request("POST /repos/{owner}/{repo}/issues", {
      ...base,
      title,
      body: text,
      ...(labels.length > 0 ? { labels } : {}),
    });
    return { number: data.number, url: data.html_url };
  }

  /** The head of `branch` and the blob ids of `paths` in it, in one GraphQL read. */
  async function readBranchHead(branch: string, paths: readonly string[]) {
    const variables: Record<string, unknown> = { owner, repo, ref: `refs/heads/${branch}` };
    paths.forEach((path, i) => {
      variables[`p${i}`] = path;
    });
    const data = (await graphql(branchHeadQuery(paths.length), variables)) as {
      repository: {
        ref: { target: { oid: string } & Record<string, { oid: string } | null> } | null;
      } | null;
    };
    const target = data.repository?.ref?.target;
    if (!target) throw new Error(`Branch ${branch} of ${owner}/${repo} does not exist.`);
    return { headSha: target.oid, blobs: paths.map((_, i) => target[`f${i}`]?.oid) };
  }

  /**
   * One `createCommitOnBranch` per commit: GitHub writes the blobs, tree, commit and ref in one
   * request and signs the commit as the app (`hallpass verify` checks both). `expectedHeadOid`
   * makes it a compare-and-swap: when the branch moved since it was read, GitHub refuses with
   * STALE_DATA and the commit is rebuilt on the fresh head; it never force-pushes. With
   * `expectedHead` the first try skips the read; refused, it goes on as without it.
   */
  async function commitFiles(
    branch: string,
    files: FileToCommit[],
    message: string,
    hint: { expectedHead?: string } = {},
  ): Promise<string> {
    const attempts = options.commitAttempts ?? 5;
    const [headline = "", ...rest] = message.split("\n");
    const body = rest.join("\n").replace(/^\n+/, "");
    const commitOn = async (headSha: string) => {
      const data = (await octokit.graphql(CREATE_COMMIT_MUTATION, {
        input: {
          branch: { repositoryNameWithOwner: `${owner}/${repo}`, branchName: branch },
          message: { headline, ...(body ? { body } : {}) },
          fileChanges: {
            additions: files.map((f) => ({
              path: f.path,
              contents: Buffer.from(f.content, "utf8").toString("base64"),
            })),
          },
          expectedHeadOid: headSha,
        },
      })) as { createCommitOnBranch: { commit: { oid: string } } };
      return data.createCommitOnBranch.commit.oid;
    };
    if (hint.expectedHead !== undefined) {
      try {
        return await commitOn(hint.expectedHead);
      } catch (error) {
        // The branch is elsewhere: read it, and compare the files there, as without the hint.
        if (!isStaleHead(error)) throw error;
      }
    }
    for (let attempt = 1; ; attempt++) {
      const { headSha, blobs } = await readBranchHead(
        branch,
        files.map((f) => f.path),
      );
      // createCommitOnBranch commits even when nothing changes: compare blob ids first, so that
      // a re-run (a redelivered webhook, a repeated sweep) adds no empty commit.
      if (files.every((f, i) => blobs[i] === gitBlobSha(f.content))) return headSha;
      try {
        return await commitOn(headSha);
      } catch (error) {
        // Someone pushed between the read and the write; rebuild on the new head.
        if (!isStaleHead(error) || attempt >= attempts) throw error;
      }
    }
  }

  async function getDefaultBranch(): Promise<string> {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}", base);
    return data.default_branch;
  }

  async function getBranchHead(branch: string): Promise<string | undefined> {
    try {
      const { data } = await octokit.request("GET /repos/{owner}/{repo}/git/ref/{ref}", {
        ...base,
        ref: `heads/${branch}`,
      });
      return data.object.sha;
    } catch (error) {
      if (httpStatus(error) === 404) return undefined;
      throw error;
    }
  }

  async function createBranch(branch: string, sha: string): Promise<void> {
    try {
      await octokit.request("POST /repos/{owner}/{repo}/git/refs", {
        ...base,
        ref: `refs/heads/${branch}`,
        sha,
      });
    } catch (error) {
      // A redelivery, or a concurrent one, made it first; the commit goes on top of it.
      if (httpStatus(error) === 422 && (await getBranchHead(branch)) !== undefined) return;
      throw error;
    }
  }

  async function findPullRequestByBranch(branch: string): Promise<PullRequestInfo | undefined> {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls", {
      ...base,
      head: `${owner}:${branch}`,
      state: "all",
      sort: "created",
      direction: "desc",
      per_page: 1,
    });
    const pull = data[0];
    return pull ? toPullRequest(pull as RestPull) : undefined;
  }

  async function createPullRequest(pull: NewPullRequest): Promise<PullRequestInfo> {
    try {
      const { data } = await octokit.request("POST /repos/{owner}/{repo}/pulls", {
        ...base,
        head: pull.branch,
        base: pull.base,
        title: pull.title,
        body: truncate(pull.body),
      });
      return toPullRequest(data as RestPull);
    } catch (error) {
      // Two deliveries at once: the other opened it; answer that one.
      const existing =
        httpStatus(error) === 422 ? await findPullRequestByBranch(pull.branch) : undefined;
      if (existing) return existing;
      throw error;
    }
  }

  return {
    owner,
    repo,
    getFile,
    listFiles,
    readPullRequest,
    readPaths,
    listTeamsMembers,
    listOpenPullRequests,
    upsertCheckRun,
    upsertComment,
    findComment,
    readCheckRun,
    rerequestCheckRun,
    closePullRequest,
    requestReviewers,
    upsertIssue,
    commitFiles,
    getDefaultBranch,
    getBranchHead,
    createBranch,
    findPullRequestByBranch,
    createPullRequest,
  };
}

/**
 * The text of a raw contents answer, or undefined for a directory (GitHub answers a directory
 * with its JSON listing even when raw is asked for). Every other answer is a file and gives text,
 * so a record that is present always reads as present (fail closed: any revocation record
 * counts, an unreadable grant record refuses): Octokit gives a file that is not UTF-8 text as an
 * ArrayBuffer (decoded here, invalid bytes replaced), and would give one served as JSON parsed.
 */
function rawFileText(data: unknown): string | undefined {
  if (typeof data === "string") return data;
  if (Array.isArray(data)) return undefined;
  if (data instanceof ArrayBuffer) return new TextDecoder().decode(data);
  if (ArrayBuffer.isView(data)) {
    return new TextDecoder().decode(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  if (typeof data === "object" && data !== null) return JSON.stringify(data);
  return String(data);
}
