import type {
  BaseChange,
  ChangedFile,
  CheckRunOutput,
  CheckRunSeen,
  CommentLookup,
  FileToCommit,
  FoundComment,
  GitHubPort,
  IssueInfo,
  NewPullRequest,
  PathContents,
  PathReads,
  PullRequestCommit,
  PullRequestExtras,
  PullRequestInfo,
  PullRequestSnapshot,
  Review,
  ReviewDismissal,
  TeamRef,
} from "../../src/ports/github.ts";
import { StickyComments } from "./sticky-comments.ts";

/**
 * An in-memory GitHubPort for workflow tests: a repository with a tree per ref (commit SHAs and
 * branches), pull requests with files, commits and reviews, teams, sticky comments, issues and
 * commits. Every method can be told to fail (`fail`), and every call is counted, so error
 * paths and idempotency can be tested without HTTP.
 */
export class FakeGitHub implements GitHubPort {
  readonly owner: string;
  readonly repo: string;
  defaultBranch = "main";
  /** ref (SHA or branch) -> path -> content. */
  readonly trees = new Map<string, Map<string, string>>();
  readonly pulls = new Map<number, PullRequestInfo>();
  readonly pullFiles = new Map<number, ChangedFile[]>();
  readonly pullCommits = new Map<number, PullRequestCommit[]>();
  readonly reviews = new Map<number, Review[]>();
  /** Dismissals of reviews of each pull request (GitHub's `review_dismissed` issue events). */
  readonly reviewDismissals = new Map<number, ReviewDismissal[]>();
  /** Changes of each pull request's base branch. */
  readonly baseChanges = new Map<number, BaseChange[]>();
  /** `org/slug` -> member logins. */
  readonly teams = new Map<string, string[]>();
  /** `${issueNumber} ${marker}` -> body of the one sticky comment. */
  readonly comments = new Map<string, string>();
  readonly issues = new Map<
    string,
    { number: number; title: string; body: string; labels: string[] }
  >();
  readonly checkRuns = new Map<string, CheckRunOutput>();
  readonly commits: { branch: string; message: string; files: FileToCommit[] }[] = [];
  /** Who opens the pull requests `createPullRequest` makes (the app's bot). */
  appLogin = "hallpass[bot]";
  /** Branch -> the number of the pull request opened from it. */
  readonly pullBranches = new Map<string, number>();
  /** Every review request made, in order. */
  readonly reviewRequests: { pullNumber: number; users: string[]; teams: string[] }[] = [];
  /** Pull request number -> the body it was opened with. */
  readonly pullBodies = new Map<number, string>();
  readonly calls: string[] = [];
  readonly #failures: { method: string; error: Error; times: number }[] = [];

  constructor(owner = "acme", repo = "access") {
    this.owner = owner;
    this.repo = repo;
  }

  /** Makes the next `times` calls of `method` throw `error`. */
  fail(method: keyof GitHubPort, error: Error = new Error(`${method} failed`), times = 1): this {
    this.#failures.push({ method, error, times });
    return this;
  }

  /** Writes files into the tree of a ref. */
  setFiles(ref: string, files: Record<string, string>): this {
    const tree = this.trees.get(ref) ?? new Map<string, string>();
    for (const [path, content] of Object.entries(files)) tree.set(path, content);
    this.trees.set(ref, tree);
    return this;
  }

  /** Copies the tree of one ref to another (a branch pointing at a commit). */
  copyTree(from: string, to: string): this {
    this.trees.set(to, new Map(this.trees.get(from) ?? []));
    return this;
  }

  /** The sticky comment with `marker` on an issue or PR. */
  comment(issueNumber: number, marker: string): string | undefined {
    return this.comments.get(`${issueNumber} ${marker}`);
  }

  #call(method: string): void {
    this.calls.push(method);
    const failure = this.#failures.find((f) => f.method === method && f.times > 0);
    if (failure) {
      failure.times -= 1;
      throw failure.error;
    }
  }

  async getFile(ref: string, path: string): Promise<string | undefined> {
    this.#call("getFile");
    return this.trees.get(ref)?.get(path);
  }
  async listFiles(ref: string, directory: string): Promise<string[]> {
    this.#call("listFiles");
    const prefix = `${directory.replace(/\/$/, "")}/`;
    return [...(this.trees.get(ref)?.keys() ?? [])].filter((p) => p.startsWith(prefix)).sort();
  }
  async readPullRequest(
    pullNumber: number,
    extras: PullRequestExtras = {},
  ): Promise<PullRequestSnapshot> {
    this.#call("readPullRequest");
    const pull = this.pulls.get(pullNumber);
    if (!pull)
      throw Object.assign(new Error(`pull request ${pullNumber} not found`), { status: 404 });
    // Every item's fields are primitives: spreads are full copies (far cheaper than structuredClone).
    const copy = <T extends object>(items: T[] | undefined): T[] =>
      (items ?? []).map((item) => ({ ...item }));
    return {
      // As the GraphQL read does: the repository's default branch comes with the pull request.
      pullRequest: { defaultBranch: this.defaultBranch, ...pull },
      files: copy(this.pullFiles.get(pullNumber)),
      commits: copy(this.pullCommits.get(pullNumber)),
      reviews: copy(this.reviews.get(pullNumber)),
      baseChanges: copy(this.baseChanges.get(pullNumber)),
      reviewDismissals: copy(this.reviewDismissals.get(pullNumber)),
      ...(extras.checkName !== undefined
        ? { checkRun: this.#checkRunSeen(pull.headSha, extras.checkName) ?? null }
        : {}),
      ...(extras.paths ? { paths: this.#paths(extras.paths) } : {}),
    };
  }
  async readPaths(reads: PathReads): Promise<PathContents> {
    this.#call("readPaths");
    return {
      ...this.#paths(reads),
      ...(reads.teams ? { teams: reads.teams.map(({ org, slug }) => this.#team(org, slug)) } : {}),
    };
  }
  #team(org: string, slug: string): string[] | undefined {
    const members = this.teams.get(`${org}/${slug}`.toLowerCase());
    return members && [...members];
  }
  #checkRunSeen(headSha: string, name: string): CheckRunSeen | undefined {
    const run = this.checkRuns.get(`${headSha} ${name}`);
    return run ? { conclusion: run.conclusion ?? null, title: run.title } : undefined;
  }
  #paths(reads: Omit<PathReads, "teams">): PathContents {
    return {
      files: reads.files.map(({ ref, path }) => this.trees.get(ref)?.get(path)),
      directories: reads.directories.map(({ ref, path }) => {
        const prefix = `${path.replace(/\/$/, "")}/`;
        const tree = this.trees.get(ref) ?? new Map<string, string>();
        return new Map([...tree].filter(([p]) => p.startsWith(prefix)));
      }),
    };
  }
  async listTeamsMembers(teams: readonly TeamRef[]): Promise<string[][]> {
    this.#call("listTeamsMembers");
    return teams.map(({ org, slug }) => {
      const members = this.teams.get(`${org}/${slug}`.toLowerCase());
      if (!members)
        // The message the GraphQL adapter gives (list-teams-graphql.ts).
        throw Object.assign(
          new Error(`team ${org}/${slug} does not exist or is not visible to the app`),
          { status: 404 },
        );
      return [...members];
    });
  }
  async listOpenPullRequests(): Promise<PullRequestInfo[]> {
    this.#call("listOpenPullRequests");
    return [...this.pulls.values()].filter((p) => p.state === "open");
  }
  async upsertCheckRun(headSha: string, name: string, output: CheckRunOutput): Promise<void> {
    this.#call("upsertCheckRun");
    this.checkRuns.set(`${headSha} ${name}`, output);
  }
  readonly #sticky = new StickyComments(this.comments);
  /** Comment lists the Octokit adapter would make for these calls (see StickyComments). */
  get commentLists(): number {
    return this.#sticky.lists;
  }
  async upsertComment(
    issueNumber: number,
    marker: string,
    body: string,
    lookup?: CommentLookup,
  ): Promise<FoundComment> {
    this.#call("upsertComment");
    return this.#sticky.upsert(issueNumber, marker, body, lookup);
  }
  async findComment(issueNumber: number, marker: string): Promise<FoundComment | undefined> {
    this.#call("findComment");
    return this.#sticky.find(issueNumber, marker);
  }
  async readCheckRun(headSha: string, name: string) {
    this.#call("readCheckRun");
    return this.#checkRunSeen(headSha, name);
  }
  /** Pull requests closed by `closePullRequest`, in order. */
  readonly closed: number[] = [];
  async closePullRequest(pullNumber: number): Promise<void> {
    this.#call("closePullRequest");
    const pull = this.pulls.get(pullNumber);
    if (pull) this.pulls.set(pullNumber, { ...pull, state: "closed" });
    this.closed.push(pullNumber);
  }
  async requestReviewers(pullNumber: number, users: string[], teams: string[]): Promise<void> {
    this.#call("requestReviewers");
    this.reviewRequests.push({ pullNumber, users: [...users], teams: [...teams] });
  }
  async upsertIssue(
    marker: string,
    title: string,
    body: string,
    labels: string[] = [],
  ): Promise<IssueInfo> {
    this.#call("upsertIssue");
    const number = this.issues.get(marker)?.number ?? 500 + this.issues.size;
    this.issues.set(marker, { number, title, body, labels });
    return { number, url: `https://github.com/${this.owner}/${this.repo}/issues/${number}` };
  }
  /** The hint is ignored: the fake holds no commit graph, so every commit applies on `branch`. */
  async commitFiles(
    branch: string,
    files: FileToCommit[],
    message: string,
    _hint?: { expectedHead?: string },
  ): Promise<string> {
    this.#call("commitFiles");
    const tree = this.trees.get(branch) ?? new Map<string, string>();
    this.trees.set(branch, tree);
    const changed = files.filter((f) => tree.get(f.path) !== f.content);
    if (changed.length === 0) return `commit-${this.commits.length}`;
    for (const f of changed) tree.set(f.path, f.content);
    this.commits.push({ branch, message, files: changed });
    return `commit-${this.commits.length}`;
  }
  async getDefaultBranch(): Promise<string> {
    this.#call("getDefaultBranch");
    return this.defaultBranch;
  }
  /** A branch's head is the branch name itself: its tree is `trees.get(branch)`. */
  async getBranchHead(branch: string): Promise<string | undefined> {
    this.#call("getBranchHead");
    return this.trees.has(branch) ? branch : undefined;
  }
  async createBranch(branch: string, sha: string): Promise<void> {
    this.#call("createBranch");
    if (!this.trees.has(branch)) this.copyTree(sha, branch);
  }
  async findPullRequestByBranch(branch: string): Promise<PullRequestInfo | undefined> {
    this.#call("findPullRequestByBranch");
    const number = this.pullBranches.get(branch);
    return number === undefined ? undefined : structuredClone(this.pulls.get(number));
  }
  async createPullRequest(pull: NewPullRequest): Promise<PullRequestInfo> {
    this.#call("createPullRequest");
    const number = 100 + this.pulls.size;
    const info: PullRequestInfo = {
      number,
      url: `https://github.com/${this.owner}/${this.repo}/pull/${number}`,
      state: "open",
      draft: false,
      author: this.appLogin,
      title: pull.title,
      headSha: pull.branch,
      baseSha: pull.base,
      baseRef: pull.base,
      merged: false,
      mergeCommitSha: null,
      mergedAt: null,
      mergedBy: null,
    };
    this.pulls.set(number, info);
    this.pullBranches.set(pull.branch, number);
    this.pullBodies.set(number, pull.body);
    return structuredClone(info);
  }
}
