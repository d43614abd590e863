import { createHash, randomBytes } from "node:crypto";
import type { GitStore, Signature } from "./git-store.ts";

/**
 * What the stand-in needs of a git object store: GitStore (a real repository, for the demo), or
 * an in-memory one with the same answers (test/support/memory-git-store.ts, for fast tests).
 */
export type RepositoryStore = Pick<
  GitStore,
  | "resolve"
  | "treeOf"
  | "readFile"
  | "listTree"
  | "writeTree"
  | "writeCommit"
  | "updateBranch"
  | "createTag"
  | "isAncestor"
  | "commitsBetween"
  | "changedFiles"
  | "commitsTouching"
>;

/**
 * LOCAL EMULATION of the part of GitHub's REST and GraphQL APIs that hallpass uses, for one
 * repository, for `hallpass demo`. No part of any production path. Git objects and branches
 * live in a real git repository (GitStore), so commits made through the API (the app's grant
 * records, the action's revocations and audits) are real commits that `hallpass history` reads.
 * Pull requests, reviews, check runs, comments, issues and team members are kept in memory.
 *
 * It answers what GitHub Enterprise Server would at `/api/v3` and `/api/graphql`. It checks
 * tokens only to tell who is acting (the app's installation or the action); it verifies no JWT
 * signature and enforces no permission.
 */

/** Who acts through a token. */
export interface Actor {
  login: string;
  type: "User" | "Bot";
  /** The GitHub App this bot acts for (its comments carry `performed_via_github_app`). */
  app?: WireApp;
  email: string;
}

interface PullState {
  number: number;
  title: string;
  body: string;
  author: string;
  headRef: string;
  headSha: string;
  /** The default branch's commit the pull request branched from. */
  forkPoint: string;
  state: "open" | "closed";
  merged: boolean;
  mergeCommitSha: string | null;
  mergedAt: string | null;
  mergedBy: string | null;
  createdAt: string;
}

interface ReviewState {
  id: number;
  user: string;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED";
  commit_id: string;
  submitted_at: string;
}

/** The GitHub App a bot acts for, as GitHub names it on what the bot writes. */
export interface WireApp {
  id: number;
  slug: string;
}

/** A comment on a pull request or issue, kept as the REST API returns it. */
export interface WireComment {
  id: number;
  issue_number: number;
  body: string;
  user: { login: string; type: string };
  performed_via_github_app: WireApp | null;
}

/** An issue, kept as the REST API returns it (labels by name). */
export interface WireIssue {
  number: number;
  title: string;
  body: string;
  state: "open";
  html_url: string;
  user: { login: string; type: string };
  performed_via_github_app: WireApp | null;
  labels: string[];
}

/** A check run, with the output people see on the pull request. */
export interface CheckRunState {
  id: number;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  title: string;
  summary: string;
  annotations: { path: string; start_line: number; message: string; annotation_level: string }[];
  appId: number | undefined;
  /** The integrator's reference (`external_id`), "" when none was given. */
  externalId: string;
}

type Reply = [number, unknown, Record<string, string>?];
// biome-ignore lint/suspicious/noExplicitAny: request bodies are JSON of any shape
type Body = Record<string, any>;

/** A webhook delivery the stand-in produced for a person's action (name, then payload). */
export interface WebhookEvent {
  id: string;
  name: "pull_request" | "pull_request_review" | "issues" | "issue_comment" | "check_run";
  payload: Body;
}

export interface GitHubStandInOptions {
  owner: string;
  repo: string;
  /** Origin the API is served at, for the `html_url`s it hands out. */
  webUrl: string;
  store: RepositoryStore;
  /** The clock that dates commits, reviews and comments (the demo's simulated time). */
  now: () => Date;
  /** Team members, by `org/team-slug`. */
  teams: Record<string, string[]>;
  /** The GitHub App: its id, its installation, and its bot's login. */
  app: { id: number; installationId: number; slug: string };
}

export class GitHubStandIn {
  readonly owner: string;
  readonly repo: string;
  readonly pulls = new Map<number, PullState>();
  readonly reviews = new Map<number, ReviewState[]>();
  readonly comments: WireComment[] = [];
  readonly issues: WireIssue[] = [];
  readonly checkRuns: CheckRunState[] = [];
  readonly requestedReviewers = new Map<number, { users: string[]; teams: string[] }>();
  /** Issue events (the REST issue events API), by issue or pull request number. */
  readonly issueEvents = new Map<number, { event: string; actor: string; created_at: string }[]>();
  /**
   * Webhooks of what the app did through the API (a pull request it opened), for the caller to
   * deliver: GitHub sends an app the events of its own actions too.
   */
  readonly outbox: WebhookEvent[] = [];
  /** Commits made through `createCommitOnBranch`: GitHub signs those, so they are verified. */
  readonly #signed = new Set<string>();
  /** The commit each branch made through the API started from, as its pull request's base. */
  readonly #branchBases = new Map<string, string>();
  readonly #options: GitHubStandInOptions;
  readonly #tokens = new Map<string, Actor>();
  #nextNumber = 1;
  #nextId = 1;
  #delivery = 0;

  constructor(options: GitHubStandInOptions) {
    this.owner = options.owner;
    this.repo = options.repo;
    this.#options = options;
  }

  get store(): RepositoryStore {
    return this.#options.store;
  }

  /** The app's bot, as GitHub shows it on comments and commits. */
  get appBot(): Actor {
    const { id, slug } = this.#options.app;
    return {
      login: `${slug}[bot]`,
      type: "Bot",
      app: { id, slug },
      email: `${id}+${slug}[bot]@users.noreply.github.com`,
    };
  }

  /** Lets `token` act as `actor` (the action's GITHUB_TOKEN, for example). */
  addToken(token: string, actor: Actor): void {
    this.#tokens.set(token, actor);
  }

  /** A person, with the no-reply address GitHub links their commits by. */
  static person(login: string): Actor {
    return { login, type: "User", email: `${login}@users.noreply.github.com` };
  }

  #now(): string {
    return this.#options
      .now()
      .toISOString()
      .replace(/\.\d{3}Z$/, "Z");
  }

  #signature(actor: Actor): Signature {
    return { name: actor.login, email: actor.email, date: this.#options.now() };
  }

  #url(path: string): string {
    return `${this.#options.webUrl}/${this.owner}/${this.repo}${path}`;
  }

  #repository(): Body {
    return {
      id: 1,
      name: this.repo,
      full_name: `${this.owner}/${this.repo}`,
      owner: { login: this.owner, type: "Organization" },
      private: true,
      default_branch: "main",
      html_url: this.#url(""),
    };
  }

  #event(name: WebhookEvent["name"], payload: Body, sender: string): WebhookEvent {
    return {
      id: `demo-delivery-${++this.#delivery}`,
      name,
      payload: {
        ...payload,
        repository: this.#repository(),
        organization: { login: this.owner },
        installation: { id: this.#options.app.installationId },
        sender: { login: sender, type: "User" },
      },
    };
  }

  // ---- What people do on github.com; each returns the webhook GitHub would deliver. ----

  /** `author` pushes `files` on a new branch and opens a pull request into main. */
  openPullRequest(author: string, branch: string, title: string, files: Body[]): WebhookEvent {
    const store = this.store;
    const main = store.resolve("refs/heads/main")!;
    const tree = store.writeTree(store.treeOf(main), files as { path: string; content: string }[]);
    const person = GitHubStandIn.person(author);
    const head = store.writeCommit(tree, [main], title, this.#signature(person));
    store.updateBranch(branch, head, undefined);
    const pull = this.#addPull({
      title,
      body: "",
      author,
      headRef: branch,
      headSha: head,
      forkPoint: main,
    });
    return this.#event(
      "pull_request",
      { action: "opened", number: pull.number, pull_request: this.#pull(pull) },
      author,
    );
  }

  /** A new open pull request with these fields. */
  #addPull(
    fields: Pick<PullState, "title" | "body" | "author" | "headRef" | "headSha" | "forkPoint">,
  ): PullState {
    const pull: PullState = {
      number: this.#nextNumber++,
      ...fields,
      state: "open",
      merged: false,
      mergeCommitSha: null,
      mergedAt: null,
      mergedBy: null,
      createdAt: this.#now(),
    };
    this.pulls.set(pull.number, pull);
    return pull;
  }

  /** `author` opens an issue (from an issue form, which puts its `labels` on it). */
  openIssue(author: string, title: string, body: string, labels: string[]): WebhookEvent {
    const number = this.#nextNumber++;
    const person = GitHubStandIn.person(author);
    const issue: WireIssue = {
      number,
      title,
      body,
      state: "open",
      html_url: this.#url(`/issues/${number}`),
      labels,
      ...this.#author(person),
    };
    this.issues.push(issue);
    return this.#event(
      "issues",
      { action: "opened", issue: { ...issue, labels: labels.map((name) => ({ name })) } },
      author,
    );
  }

  /** `author` comments `body` on pull request `pullNumber`'s conversation. */
  commentOn(pullNumber: number, author: string, body: string): WebhookEvent {
    const pull = this.#mustPull(pullNumber);
    const comment: WireComment = {
      id: this.#nextId++,
      issue_number: pullNumber,
      body,
      ...this.#author(GitHubStandIn.person(author)),
    };
    this.comments.push(comment);
    return this.#event(
      "issue_comment",
      {
        action: "created",
        issue: {
          number: pullNumber,
          title: pull.title,
          pull_request: { url: this.#url(`/pull/${pullNumber}`) },
        },
        comment,
      },
      author,
    );
  }

  /** `reviewer` approves the pull request at its current head. */
  approve(pullNumber: number, reviewer: string): WebhookEvent {
    const pull = this.#mustPull(pullNumber);
    const review: ReviewState = {
      id: this.#nextId++,
      user: reviewer,
      state: "APPROVED",
      commit_id: pull.headSha,
      submitted_at: this.#now(),
    };
    this.reviews.set(pullNumber, [...(this.reviews.get(pullNumber) ?? []), review]);
    return this.#event(
      "pull_request_review",
      {
        action: "submitted",
        review: { ...this.#review(review), state: "approved" },
        pull_request: this.#pull(pull),
      },
      reviewer,
    );
  }

  /** `merger` merges the pull request with a merge commit. */
  merge(pullNumber: number, merger: string): WebhookEvent {
    const pull = this.#mustPull(pullNumber);
    const store = this.store;
    const main = store.resolve("refs/heads/main")!;
    const changed = store
      .changedFiles(pull.forkPoint, pull.headSha)
      .filter((f) => f.status !== "D")
      .map((f) => ({ path: f.path, content: store.readFile(pull.headSha, f.path) ?? "" }));
    const tree = store.writeTree(store.treeOf(main), changed);
    const message = `Merge pull request #${pull.number} from ${this.owner}/${pull.headRef}\n\n${pull.title}`;
    const sha = store.writeCommit(
      tree,
      [main, pull.headSha],
      message,
      this.#signature(GitHubStandIn.person(merger)),
    );
    if (!store.updateBranch("main", sha, main)) throw new Error("main moved during the merge");
    this.#issueEvent(pull.number, "merged", merger);
    this.#issueEvent(pull.number, "closed", merger);
    Object.assign(pull, {
      state: "closed",
      merged: true,
      mergeCommitSha: sha,
      mergedAt: this.#now(),
      mergedBy: merger,
    });
    return this.#event(
      "pull_request",
      { action: "closed", number: pull.number, pull_request: this.#pull(pull) },
      merger,
    );
  }

  #issueEvent(number: number, event: string, actor: string): void {
    const events = this.issueEvents.get(number) ?? [];
    events.push({ event, actor, created_at: this.#now() });
    this.issueEvents.set(number, events);
  }

  /** The newest check run of `name` on a commit. */
  checkRun(headSha: string, name: string): CheckRunState | undefined {
    return this.checkRuns.filter((r) => r.headSha === headSha && r.name === name).at(-1);
  }

  #mustPull(pullNumber: number): PullState {
    const pull = this.pulls.get(pullNumber);
    if (!pull) throw new Error(`no pull request #${pullNumber}`);
    return pull;
  }

  // ---- The API. ----

  /**
   * Answers one REST request: `path` below the API root, `authorization` as sent. Returns the
   * status, the JSON (or raw text) body and extra headers.
   */
  handle(
    method: string,
    path: string,
    query: URLSearchParams,
    body: Body | undefined,
    authorization: string,
  ): Reply {
    const installation = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
    if (method === "POST" && installation) return this.#installationToken(authorization);
    const actor = this.#tokens.get(authorization.replace(/^(token|bearer)\s+/i, ""));
    if (!actor) return [401, { message: "Bad credentials (hallpass demo stand-in)" }];
    const team = /^\/orgs\/([^/]+)\/teams\/([^/]+)\/members$/.exec(path);
    if (method === "GET" && team) {
      const members = this.#options.teams[`${team[1]}/${team[2]}`];
      return members
        ? [200, members.map((login) => ({ login, type: "User" }))]
        : [404, { message: "Not Found" }];
    }
    const prefix = `/repos/${this.owner}/${this.repo}`;
    if (path !== prefix && !path.startsWith(`${prefix}/`)) return [404, { message: "Not Found" }];
    const rest = path.slice(prefix.length);
    if (method === "GET" && rest === "") return [200, this.#repository()];
    return (
      this.#gitRoutes(method, rest, query, body, actor) ??
      this.#pullRoutes(method, rest, query, body, actor) ??
      this.#checkRoutes(method, rest, query, body, actor) ??
      this.#issueRoutes(method, rest, body, actor) ?? [
        404,
        { message: `the hallpass demo's GitHub stand-in has no ${method} ${path}` },
      ]
    );
  }

  #installationToken(authorization: string): Reply {
    if (!/^bearer\s+\S+$/i.test(authorization)) {
      return [401, { message: "A JSON web token could not be decoded" }];
    }
    const token = `ghs_demo${randomBytes(12).toString("hex")}`;
    this.#tokens.set(token, this.appBot);
    return [201, { token, expires_at: "2099-01-01T00:00:00Z", permissions: {} }];
  }

  #gitRoutes(
    method: string,
    rest: string,
    query: URLSearchParams,
    body: Body | undefined,
    actor: Actor,
  ): Reply | undefined {
    const store = this.store;
    let m = method === "GET" ? /^\/contents\/(.+)$/.exec(rest) : null;
    if (m) return this.#contents(query.get("ref") ?? "main", m[1]!);
    m = method === "GET" ? /^\/git\/trees\/(.+)$/.exec(rest) : null;
    if (m) {
      const tree = store.treeOf(m[1]!);
      const entries = tree ? store.listTree(tree, query.has("recursive")) : undefined;
      if (!tree || !entries) return [404, { message: "Not Found" }];
      return [200, { sha: tree, truncated: false, tree: entries }];
    }
    m = method === "GET" ? /^\/git\/ref\/heads\/(.+)$/.exec(rest) : null;
    if (m) {
      const sha = store.resolve(`refs/heads/${m[1]}`);
      if (!sha) return [404, { message: "Not Found" }];
      return [200, { ref: `refs/heads/${m[1]}`, object: { sha, type: "commit" } }];
    }
    m = method === "GET" ? /^\/git\/commits\/([0-9a-f]{40})$/.exec(rest) : null;
    if (m) {
      const tree = store.treeOf(m[1]!);
      return tree ? [200, { sha: m[1], tree: { sha: tree } }] : [404, { message: "Not Found" }];
    }
    if (method === "POST" && rest === "/git/trees") {
      const base = body?.base_tree ? store.treeOf(String(body.base_tree)) : undefined;
      if (body?.base_tree && !base) return [422, { message: "base_tree not found" }];
      return [201, { sha: store.writeTree(base, body?.tree ?? []) }];
    }
    if (method === "POST" && rest === "/git/commits") {
      const sha = store.writeCommit(
        String(body?.tree),
        (body?.parents as string[]) ?? [],
        String(body?.message),
        this.#signature(actor),
      );
      return [201, { sha, tree: { sha: body?.tree } }];
    }
    m = method === "PATCH" ? /^\/git\/refs\/heads\/(.+)$/.exec(rest) : null;
    if (m) return this.#updateRef(m[1]!, String(body?.sha));
    m = method === "POST" && rest === "/git/refs" ? /^refs\/heads\/(.+)$/.exec(body?.ref) : null;
    if (m) return this.#createRef(m[1]!, String(body?.sha));
    m = method === "POST" && rest === "/git/refs" ? /^refs\/tags\/(.+)$/.exec(body?.ref) : null;
    if (m) return this.#createTag(m[1]!, String(body?.sha));
    if (method === "GET" && rest === "/commits") {
      const shas = store.commitsTouching(
        query.get("sha") ?? "main",
        query.get("path") ?? ".",
        Number(query.get("per_page") ?? 30),
      );
      return [200, shas.map((sha) => ({ sha, html_url: this.#url(`/commit/${sha}`) }))];
    }
    m = method === "GET" ? /^\/commits\/([0-9a-f]{40})\/pulls$/.exec(rest) : null;
    if (m) {
      const sha = m[1]!;
      const pulls = [...this.pulls.values()].filter(
        (p) => p.mergeCommitSha === sha || store.isAncestor(sha, p.headSha),
      );
      return [200, pulls.map((p) => this.#pull(p))];
    }
    return undefined;
  }

  #contents(ref: string, path: string): Reply {
    const text = this.store.readFile(ref, path);
    if (text !== undefined) {
      return [200, text, { "content-type": "application/vnd.github.raw; charset=utf-8" }];
    }
    const entries = this.store.listTree(`${ref}:${path}`, false);
    if (entries) return [200, entries.map((e) => ({ name: e.path, type: e.type }))];
    return [404, { message: "Not Found" }];
  }

  #createRef(branch: string, sha: string): Reply {
    if (!this.store.treeOf(sha)) return [422, { message: "Object does not exist" }];
    if (!this.store.updateBranch(branch, sha, undefined)) {
      return [422, { message: "Reference already exists" }];
    }
    this.#branchBases.set(branch, sha);
    return [201, { ref: `refs/heads/${branch}`, object: { sha, type: "commit" } }];
  }

  /** A tag, as anyone who may push can make one: no review, and no branch protection applies. */
  #createTag(name: string, sha: string): Reply {
    if (!this.store.treeOf(sha)) return [422, { message: "Object does not exist" }];
    if (!this.store.createTag(name, sha)) return [422, { message: "Reference already exists" }];
    return [201, { ref: `refs/tags/${name}`, object: { sha, type: "commit" } }];
  }

  #updateRef(branch: string, sha: string): Reply {
    const current = this.store.resolve(`refs/heads/${branch}`);
    if (!current) return [422, { message: "Reference does not exist" }];
    // GitHub refuses a move that is not a fast forward unless forced; hallpass never forces.
    if (!this.store.isAncestor(current, sha) || !this.store.updateBranch(branch, sha, current)) {
      return [422, { message: "Update is not a fast forward" }];
    }
    return [200, { ref: `refs/heads/${branch}`, object: { sha, type: "commit" } }];
  }

  #pull(p: PullState): Body {
    const base = p.merged ? p.forkPoint : (this.store.resolve("refs/heads/main") ?? p.forkPoint);
    return {
      number: p.number,
      html_url: this.#url(`/pull/${p.number}`),
      state: p.state,
      draft: false,
      locked: false,
      title: p.title,
      body: p.body,
      user: { login: p.author, type: p.author.endsWith("[bot]") ? "Bot" : "User" },
      head: { sha: p.headSha, ref: p.headRef, label: `${this.owner}:${p.headRef}` },
      base: { sha: base, ref: "main", repo: this.#repository() },
      created_at: p.createdAt,
      merged: p.merged,
      merged_at: p.mergedAt,
      merge_commit_sha: p.mergeCommitSha,
      merged_by: p.mergedBy ? { login: p.mergedBy, type: "User" } : null,
    };
  }

  #review(r: ReviewState): Body {
    return {
      id: r.id,
      user: { login: r.user, type: "User" },
      author_association: "MEMBER",
      state: r.state,
      commit_id: r.commit_id,
      submitted_at: r.submitted_at,
      body: "",
    };
  }

  /** A pull request the actor opens through the API from a branch of this repository. */
  #createPull(body: Body | undefined, actor: Actor): Reply {
    const branch = String(body?.head);
    const head = this.store.resolve(`refs/heads/${branch}`);
    if (!head || body?.base !== "main") return [422, { message: "Validation Failed" }];
    if ([...this.pulls.values()].some((p) => p.headRef === branch && p.state === "open")) {
      return [422, { message: `A pull request already exists for ${this.owner}:${branch}.` }];
    }
    const pull = this.#addPull({
      title: String(body?.title),
      body: String(body?.body ?? ""),
      author: actor.login,
      headRef: branch,
      headSha: head,
      forkPoint: this.#branchBases.get(branch) ?? this.store.resolve("refs/heads/main")!,
    });
    const opened = { action: "opened", number: pull.number, pull_request: this.#pull(pull) };
    this.outbox.push(this.#event("pull_request", opened, actor.login));
    return [201, this.#pull(pull)];
  }

  #pullRoutes(
    method: string,
    rest: string,
    query: URLSearchParams,
    body: Body | undefined,
    actor: Actor,
  ): Reply | undefined {
    if (method === "GET" && rest === "/pulls") {
      const state = query.get("state") ?? "open";
      const head = query.get("head");
      const pulls = [...this.pulls.values()]
        .filter((p) => state === "all" || p.state === state)
        .filter((p) => head === null || `${this.owner}:${p.headRef}` === head)
        .sort((a, b) => b.number - a.number);
      return [200, pulls.map((p) => this.#pull(p))];
    }
    if (method === "POST" && rest === "/pulls") return this.#createPull(body, actor);
    const m = /^\/pulls\/(\d+)(\/[a-z_]+)?$/.exec(rest);
    const pull = m ? this.pulls.get(Number(m[1])) : undefined;
    if (!m) return undefined;
    if (!pull) return [404, { message: "Not Found" }];
    const sub = m[2] ?? "";
    if (method === "GET" && sub === "") return [200, this.#pull(pull)];
    if (method === "GET" && sub === "/files") {
      const status: Record<string, string> = { A: "added", M: "modified", D: "removed" };
      const files = this.store.changedFiles(pull.forkPoint, pull.headSha);
      return [200, files.map((f) => ({ filename: f.path, status: status[f.status] ?? "changed" }))];
    }
    if (method === "GET" && sub === "/commits") {
      const commits = this.store.commitsBetween(pull.forkPoint, pull.headSha);
      return [200, commits.map((c) => this.#commitWithLogins(c.sha, c.email))];
    }
    if (method === "GET" && sub === "/reviews") {
      return [200, (this.reviews.get(pull.number) ?? []).map((r) => this.#review(r))];
    }
    if (method === "POST" && sub === "/requested_reviewers") {
      // GitHub adds to those already asked.
      const asked = this.requestedReviewers.get(pull.number) ?? { users: [], teams: [] };
      this.requestedReviewers.set(pull.number, {
        users: [...new Set([...asked.users, ...(body?.reviewers ?? [])])],
        teams: [...new Set([...asked.teams, ...(body?.team_reviewers ?? [])])],
      });
      return [201, this.#pull(pull)];
    }
    return undefined;
  }

  /** An actor as GraphQL names it: an app's bot is a `Bot`, its login without `[bot]`. */
  #graphQlActor(login: string): { __typename: string; login: string } {
    return login.endsWith("[bot]")
      ? { __typename: "Bot", login: login.slice(0, -"[bot]".length) }
      : { __typename: "User", login };
  }

  /** A commit as the pulls API lists it: GitHub links it to the login of a no-reply address. */
  #commitWithLogins(sha: string, email: string): Body {
    const login = /^(?:\d+\+)?([^@]+)@users\.noreply\.github\.com$/.exec(email)?.[1];
    const user = login ? { login, type: login.endsWith("[bot]") ? "Bot" : "User" } : null;
    const verified = this.#signed.has(sha);
    return {
      sha,
      author: user,
      committer: user,
      commit: { verification: { verified, reason: verified ? "valid" : "unsigned" } },
    };
  }

  #checkRoutes(
    method: string,
    rest: string,
    query: URLSearchParams,
    body: Body | undefined,
    actor: Actor,
  ): Reply | undefined {
    const list = method === "GET" ? /^\/commits\/([^/]+)\/check-runs$/.exec(rest) : null;
    if (list) {
      const sha = this.store.resolve(list[1]!) ?? list[1]!;
      const name = query.get("check_name");
      const appId = query.has("app_id") ? Number(query.get("app_id")) : undefined;
      const runs = this.checkRuns
        .filter((r) => r.headSha === sha && (name === null || r.name === name))
        .filter((r) => appId === undefined || r.appId === appId)
        .reverse();
      return [200, { total_count: runs.length, check_runs: runs.map((r) => this.#checkJson(r)) }];
    }
    if (method === "POST" && rest === "/check-runs") {
      const run: CheckRunState = {
        id: this.#nextId++,
        name: String(body?.name),
        headSha: String(body?.head_sha),
        status: "queued",
        conclusion: null,
        title: "",
        summary: "",
        annotations: [],
        appId: actor.app?.id,
        externalId: "",
      };
      this.checkRuns.push(run);
      this.#updateCheck(run, body ?? {});
      return [201, this.#checkJson(run)];
    }
    const rerequest = method === "POST" ? /^\/check-runs\/(\d+)\/rerequest$/.exec(rest) : null;
    if (rerequest) return this.#rerequestCheck(Number(rerequest[1]), actor);
    const patch = method === "PATCH" ? /^\/check-runs\/(\d+)$/.exec(rest) : null;
    if (patch) {
      const run = this.checkRuns.find((r) => r.id === Number(patch[1]));
      if (!run) return [404, { message: "Not Found" }];
      this.#updateCheck(run, body ?? {});
      return [200, this.#checkJson(run)];
    }
    return undefined;
  }

  /**
   * GitHub re-requests only a run of the token's own app (403 otherwise), and tells that app with
   * a `check_run.rerequested` webhook, here put in the outbox; the run itself stays as it was.
   * Its `pull_requests` are the open ones whose head is the run's commit.
   */
  #rerequestCheck(id: number, actor: Actor): Reply {
    const run = this.checkRuns.find((r) => r.id === id);
    if (!run) return [404, { message: "Not Found" }];
    if (run.appId === undefined || actor.app?.id !== run.appId) {
      return [403, { message: "This check run does not belong to the authenticated app" }];
    }
    const pulls = [...this.pulls.values()].filter(
      (p) => p.state === "open" && p.headSha === run.headSha,
    );
    const checkRun = {
      ...this.#checkJson(run),
      check_suite: { head_branch: pulls[0]?.headRef ?? null },
      pull_requests: pulls.map((p) => ({ number: p.number })),
    };
    this.outbox.push(
      this.#event("check_run", { action: "rerequested", check_run: checkRun }, actor.login),
    );
    return [201, {}];
  }

  #updateCheck(run: CheckRunState, body: Body): void {
    if (typeof body.external_id === "string") run.externalId = body.external_id;
    if (body.status) run.status = String(body.status);
    if (body.conclusion) {
      run.conclusion = String(body.conclusion);
      run.status = "completed";
    } else if (body.status && body.status !== "completed") {
      run.conclusion = null;
    }
    if (body.output) {
      run.title = String(body.output.title ?? run.title);
      run.summary = String(body.output.summary ?? run.summary);
      // GitHub appends each update's annotations to those the run has.
      run.annotations.push(...(body.output.annotations ?? []));
    }
  }

  #checkJson(r: CheckRunState): Body {
    return {
      id: r.id,
      name: r.name,
      head_sha: r.headSha,
      status: r.status,
      conclusion: r.conclusion,
      output: { title: r.title, summary: r.summary, annotations_count: r.annotations.length },
      external_id: r.externalId,
      app: r.appId === undefined ? null : { id: r.appId },
    };
  }

  #issueRoutes(
    method: string,
    rest: string,
    body: Body | undefined,
    actor: Actor,
  ): Reply | undefined {
    const thread = /^\/issues\/(\d+)\/comments$/.exec(rest);
    if (thread && method === "GET") {
      return [200, this.comments.filter((c) => c.issue_number === Number(thread[1]))];
    }
    if (thread && method === "POST") {
      const comment: WireComment = {
        id: this.#nextId++,
        issue_number: Number(thread[1]),
        body: String(body?.body),
        ...this.#author(actor),
      };
      this.comments.push(comment);
      return [201, comment];
    }
    const events = method === "GET" ? /^\/issues\/(\d+)\/events$/.exec(rest) : null;
    if (events) {
      const list = this.issueEvents.get(Number(events[1])) ?? [];
      return [
        200,
        list.map((e, i) => ({
          id: i + 1,
          event: e.event,
          created_at: e.created_at,
          actor: { login: e.actor, type: "User" },
        })),
      ];
    }
    const edit = method === "PATCH" ? /^\/issues\/comments\/(\d+)$/.exec(rest) : null;
    if (edit) {
      const comment = this.comments.find((c) => c.id === Number(edit[1]));
      if (!comment) return [404, { message: "Not Found" }];
      comment.body = String(body?.body);
      return [200, comment];
    }
    if (rest === "/issues" && method === "GET") return [200, this.issues];
    if (rest === "/issues" && method === "POST") {
      const number = this.#nextNumber++;
      const issue: WireIssue = {
        number,
        title: String(body?.title),
        body: String(body?.body),
        state: "open",
        html_url: this.#url(`/issues/${number}`),
        labels: body?.labels ?? [],
        ...this.#author(actor),
      };
      this.issues.push(issue);
      return [201, issue];
    }
    const update = method === "PATCH" ? /^\/issues\/(\d+)$/.exec(rest) : null;
    const issue = update ? this.issues.find((i) => i.number === Number(update[1])) : undefined;
    if (update && !issue) return [404, { message: "Not Found" }];
    if (issue) {
      issue.title = String(body?.title ?? issue.title);
      issue.body = String(body?.body ?? issue.body);
      return [200, issue];
    }
    return undefined;
  }

  #author(actor: Actor): Pick<WireComment, "user" | "performed_via_github_app"> {
    return {
      user: { login: actor.login, type: actor.type },
      performed_via_github_app: actor.app ?? null,
    };
  }

  /**
   * Answers the GraphQL queries hallpass sends: the batch file read of read-files-graphql.ts,
   * the branch head read and the `createCommitOnBranch` of octokit-github.ts's commitFiles.
   */
  graphql(body: Body | undefined, authorization: string): Reply {
    const actor = this.#tokens.get(authorization.replace(/^(token|bearer)\s+/i, ""));
    if (!actor) return [401, { message: "Bad credentials (hallpass demo stand-in)" }];
    const query = String(body?.query ?? "");
    if (query.includes("createCommitOnBranch")) {
      return this.#createCommitOnBranch(body?.variables?.input ?? {}, actor);
    }
    if (query.startsWith("query HallpassTeams")) return this.#teamsQuery(body?.variables ?? {});
    const variables = (body?.variables ?? {}) as Record<string, string>;
    if (variables.owner !== this.owner || variables.repo !== this.repo) {
      return [200, { data: { repository: null } }];
    }
    if (query.includes("ref(qualifiedName:")) return this.#branchHead(variables);
    if (query.startsWith("query HallpassPullRequest"))
      return this.#pullRequestQuery(body?.variables);
    if (query.startsWith("query HallpassPaths")) return this.#pathsQuery(variables);
    const repository: Record<string, unknown> = {};
    for (const [name, expression] of Object.entries(variables)) {
      const m = /^e(\d+)$/.exec(name);
      if (!m) continue;
      const colon = expression.indexOf(":");
      const text = this.store.readFile(expression.slice(0, colon), expression.slice(colon + 1));
      repository[`f${m[1]}`] =
        text === undefined ? null : { text, isBinary: false, isTruncated: false };
    }
    return [200, { data: { repository } }];
  }

  /** A pull request and its lists, as read-pull-request-graphql.ts asks: all in one page. */
  #pullRequestQuery(variables: Body): Reply {
    const pull = this.pulls.get(Number(variables.number));
    if (!pull)
      return [
        200,
        { data: { repository: { defaultBranchRef: { name: "main" }, pullRequest: null } } },
      ];
    const wire = this.#pull(pull);
    const page = (nodes: unknown[]) => ({
      nodes,
      pageInfo: { hasNextPage: false, endCursor: null },
    });
    const changeType: Record<string, string> = { A: "ADDED", M: "MODIFIED", D: "DELETED" };
    const answer: Body = {
      number: pull.number,
      url: wire.html_url,
      state: pull.merged ? "MERGED" : pull.state.toUpperCase(),
      isDraft: false,
      title: pull.title,
      author: this.#graphQlActor(pull.author),
      headRefOid: pull.headSha,
      baseRefOid: wire.base.sha,
      baseRefName: "main",
      merged: pull.merged,
      mergedAt: pull.mergedAt,
      mergedBy: pull.mergedBy ? this.#graphQlActor(pull.mergedBy) : null,
      mergeCommit: pull.mergeCommitSha ? { oid: pull.mergeCommitSha } : null,
    };
    if (variables.withFiles) {
      const files = this.store.changedFiles(pull.forkPoint, pull.headSha);
      answer.files = page(
        files.map((f) => ({ path: f.path, changeType: changeType[f.status] ?? "CHANGED" })),
      );
    }
    if (variables.withCommits) {
      const commits = this.store.commitsBetween(pull.forkPoint, pull.headSha).map((c) => {
        // GraphQL links an address to a user only: an app's bot commits have no user.
        const user = this.#commitWithLogins(c.sha, c.email).author;
        const linked = user && user.type === "User" ? { login: user.login } : null;
        const actor = { email: c.email, user: linked };
        // GitHub signs the commits of createCommitOnBranch: those are verified.
        const signature = this.#signed.has(c.sha)
          ? { isValid: true, wasSignedByGitHub: true }
          : null;
        return { commit: { oid: c.sha, author: actor, committer: actor, signature } };
      });
      answer.commits = page(commits);
    }
    if (variables.withReviews) {
      answer.reviews = page(
        (this.reviews.get(pull.number) ?? []).map((r) => ({
          databaseId: r.id,
          author: this.#graphQlActor(r.user),
          state: r.state,
          commit: { oid: r.commit_id },
          submittedAt: r.submitted_at,
          authorAssociation: "MEMBER",
        })),
      );
    }
    if (variables.checkName !== undefined) answer.headCommit = this.#headCommit(pull, variables);
    if (variables.withEvents) {
      const types: Record<string, string> = {
        base_ref_changed: "BaseRefChangedEvent",
        automatic_base_change_succeeded: "AutomaticBaseChangeSucceededEvent",
      };
      const events = (this.issueEvents.get(pull.number) ?? []).filter((e) => types[e.event]);
      answer.timelineItems = page(
        events.map((e) => ({ __typename: types[e.event], createdAt: e.created_at })),
      );
    }
    // The rules read along (`f<i>`, `d<i>`), as in the paths query.
    const paths = this.#pathsAnswer(variables as Record<string, string>);
    const repository = { defaultBranchRef: { name: "main" }, ...paths, pullRequest: answer };
    return [200, { data: { repository } }];
  }

  /**
   * The pull request's last commit (its head) with its check suites and runs named
   * `$checkName`, of app `$appId` when given: one suite per app, the newest run of each name.
   */
  #headCommit(pull: PullState, variables: Body): Body {
    const page = (nodes: unknown[]) => ({ nodes, pageInfo: { hasNextPage: false } });
    const runs = this.checkRuns.filter(
      (r) =>
        r.headSha === pull.headSha &&
        r.name === variables.checkName &&
        (variables.appId === undefined || r.appId === variables.appId),
    );
    const suites = [...new Set(runs.map((r) => r.appId))].map((appId) => {
      const newest = runs.filter((r) => r.appId === appId).at(-1)!;
      return {
        checkRuns: page([
          {
            databaseId: newest.id,
            name: newest.name,
            conclusion: newest.conclusion?.toUpperCase() ?? null,
            title: newest.title || null,
            annotations: { totalCount: newest.annotations.length },
          },
        ]),
      };
    });
    return { nodes: [{ commit: { oid: pull.headSha, checkSuites: page(suites) } }] };
  }

  /**
   * Files (`f<i>`) and directories (`d<i>`, three levels deep) as read-paths-graphql.ts asks,
   * and the teams (`t<i>`) it reads along.
   */
  #pathsQuery(variables: Record<string, string>): Reply {
    const [, teams] = this.#teamsQuery(variables);
    const repository = this.#pathsAnswer(variables);
    return [200, { data: { ...(teams as Body).data, repository } }];
  }

  /** The `repository` fields `f<i>` and `d<i>` of a query. */
  #pathsAnswer(variables: Record<string, string>): Record<string, unknown> {
    const repository: Record<string, unknown> = {};
    for (const [name, expression] of Object.entries(variables)) {
      const m = /^([fd])(\d+)$/.exec(name);
      if (!m) continue;
      const colon = expression.indexOf(":");
      const [ref, path] = [expression.slice(0, colon), expression.slice(colon + 1)];
      if (m[1] === "f") {
        const text = this.store.readFile(ref, path);
        repository[name] =
          text === undefined ? null : { text, isBinary: false, isTruncated: false };
      } else {
        repository[name] = this.#treeAnswer(ref, path, 3);
      }
    }
    return repository;
  }

  #treeAnswer(ref: string, path: string, depth: number): Body | null {
    // Every blob of the commit under the directory, by full path (`ls-tree -r` of the commit).
    const prefix = `${path}/`;
    const blobs = (this.store.listTree(ref, true) ?? []).filter((e) => e.path.startsWith(prefix));
    if (blobs.length === 0) return null;
    return nestEntries(
      blobs.map((e) => e.path.slice(prefix.length)),
      (relative) => this.store.readFile(ref, prefix + relative) ?? "",
      depth,
    );
  }

  /** The members of each team `t<i>` (org `o<i>`, slug `s<i>`), all in one page. */
  #teamsQuery(variables: Body): Reply {
    const data: Record<string, unknown> = {};
    for (const name of Object.keys(variables)) {
      const m = /^o(\d+)$/.exec(name);
      if (!m) continue;
      const members = this.#options.teams[`${variables[name]}/${variables[`s${m[1]}`]}`];
      data[`t${m[1]}`] = {
        team: members
          ? {
              members: {
                nodes: members.map((login) => ({ login })),
                pageInfo: { hasNextPage: false, endCursor: null },
              },
            }
          : null,
      };
    }
    return [200, { data }];
  }

  /** A branch's head commit and the blob id (`f<i>`) of each path `p<i>` in it. */
  #branchHead(variables: Record<string, string>): Reply {
    const oid = this.store.resolve(variables.ref ?? "");
    if (!oid) return [200, { data: { repository: { ref: null } } }];
    const target: Record<string, unknown> = { oid };
    for (const [name, path] of Object.entries(variables)) {
      const m = /^p(\d+)$/.exec(name);
      if (!m) continue;
      const text = this.store.readFile(oid, path);
      target[`f${m[1]}`] = text === undefined ? null : { oid: gitBlobId(text) };
    }
    return [200, { data: { repository: { ref: { target } } } }];
  }

  /** One commit of the given additions on a branch, authored by the actor, if it did not move. */
  #createCommitOnBranch(input: Body, actor: Actor): Reply {
    const store = this.store;
    const branch = String(input.branch?.branchName ?? "");
    const current = store.resolve(`refs/heads/${branch}`);
    if (input.branch?.repositoryNameWithOwner !== `${this.owner}/${this.repo}` || !current) {
      return [200, { data: null, errors: [{ type: "NOT_FOUND", message: "No such branch" }] }];
    }
    const stale = {
      type: "STALE_DATA",
      message: `Expected branch to point to "${input.expectedHeadOid}" but it did not.  Pull and try again.`,
    };
    if (current !== input.expectedHeadOid) return [200, { data: null, errors: [stale] }];
    const files = ((input.fileChanges?.additions ?? []) as Body[]).map((f) => ({
      path: String(f.path),
      content: Buffer.from(String(f.contents), "base64").toString("utf8"),
    }));
    const tree = store.writeTree(store.treeOf(current), files);
    const { headline, body } = input.message ?? {};
    const message = body ? `${headline}\n\n${body}` : String(headline);
    const sha = store.writeCommit(tree, [current], message, this.#signature(actor));
    if (!store.updateBranch(branch, sha, current)) return [200, { data: null, errors: [stale] }];
    this.#signed.add(sha);
    return [200, { data: { createCommitOnBranch: { commit: { oid: sha } } } }];
  }
}

/** Git's id of a blob holding `text`. */
function gitBlobId(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/** A tree's `entries` as GraphQL nests them, `depth` levels deep, from its blobs' paths. */
function nestEntries(paths: string[], read: (path: string) => string, depth: number): Body {
  const children = new Map<string, string[]>();
  const entries: Body[] = [];
  for (const path of paths) {
    const slash = path.indexOf("/");
    if (slash < 0) {
      const object = { text: read(path), isBinary: false, isTruncated: false };
      entries.push({ name: path, type: "blob", object });
      continue;
    }
    const name = path.slice(0, slash);
    children.set(name, [...(children.get(name) ?? []), path.slice(slash + 1)]);
  }
  for (const [name, below] of children) {
    const object = depth > 1 ? nestEntries(below, (p) => read(`${name}/${p}`), depth - 1) : {};
    entries.push({ name, type: "tree", object });
  }
  return { entries };
}
