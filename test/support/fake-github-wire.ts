import { createHash } from "node:crypto";
import nock from "nock";
import { describeMismatch, type RecordedRequest } from "./openapi.ts";

/**
 * The GitHub REST API on the wire, for tests of the action: a stateful fake of one repository
 * behind nock that answers what the Octokit adapter sends (contents, git trees and commits, the
 * ref update, issue comments, issues, pulls), so the real adapter, Octokit and its plugins run
 * end to end. Every request is kept and checked against GitHub's OpenAPI description.
 *
 * `moveBranchBeforeNextUpdate(files)` lands someone else's commit between the adapter's read of
 * the branch and its ref update, which GitHub answers with 422 "not a fast forward".
 */

/** The GitHub App that writes what this fake is asked to write, as GitHub names it. */
type App = { id: number; slug: string };
export interface WireComment {
  id: number;
  issue_number: number;
  body: string;
  user: { login: string; type: string };
  performed_via_github_app: App | null;
}
export interface WireIssue {
  number: number;
  title: string;
  body: string;
  state: "open";
  html_url: string;
  user: { login: string; type: string };
  performed_via_github_app: App | null;
  labels: string[];
}

/** The app whose installation token the fake's callers hold (the action's `app-id` input). */
export const FAKE_APP: App = { id: 4242, slug: "hallpass" };
const BOT = { login: `${FAKE_APP.slug}[bot]`, type: "Bot" };

function hash(value: unknown): string {
  return createHash("sha1").update(JSON.stringify(value)).digest("hex");
}

export class FakeGitHubWire {
  readonly base: string;
  readonly apiPrefix: string;
  readonly owner = "acme";
  readonly repo = "access";
  readonly requests: (RecordedRequest & { authorization: string | undefined })[] = [];
  readonly comments: WireComment[] = [];
  readonly issues: WireIssue[] = [];
  readonly commitMessages: string[] = [];
  /** Tree sha -> snapshot (path -> content). */
  readonly #trees = new Map<string, Map<string, string>>();
  /** Commit sha -> { tree, parent }. */
  readonly #commits = new Map<string, { tree: string; parent: string | undefined }>();
  #head: string;
  #nextId = 1;
  #foreign: Record<string, string> | undefined;
  /** Ref updates refused because the branch had moved. */
  conflicts = 0;
  /** GraphQL queries answered (file batches). */
  readonly graphqlQueries: { query: string; variables: Record<string, string> }[] = [];
  /** Where GitHub serves GraphQL: `/graphql` on github.com, `/api/graphql` on GHES. */
  get graphqlPath(): string {
    return this.apiPrefix === "" ? "/graphql" : this.apiPrefix.replace(/\/v3$/, "/graphql");
  }

  constructor(apiUrl: string, files: Record<string, string>) {
    const url = new URL(apiUrl);
    this.base = url.origin;
    this.apiPrefix = url.pathname.replace(/\/$/, "");
    this.#head = this.#commit(this.#tree(new Map(Object.entries(files))), undefined);
  }

  /** The files at the head of the default branch. */
  get files(): Map<string, string> {
    return this.#snapshot(this.#head);
  }

  moveBranchBeforeNextUpdate(files: Record<string, string>): void {
    this.#foreign = files;
  }

  /** Requests that changed something (anything but GET). */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== "GET");
  }

  /** Throws naming each request GitHub's REST description does not have. */
  assertAllDescribed(): void {
    const problems = this.requests.map(describeMismatch).filter((p) => p !== undefined);
    if (problems.length > 0) throw new Error(problems.join("\n"));
  }

  #tree(snapshot: Map<string, string>): string {
    const sha = hash([...snapshot.entries()].sort());
    this.#trees.set(sha, snapshot);
    return sha;
  }

  #commit(tree: string, parent: string | undefined): string {
    const sha = hash([tree, parent, this.#commits.size]);
    this.#commits.set(sha, { tree, parent });
    return sha;
  }

  #snapshot(commit: string): Map<string, string> {
    return new Map(this.#trees.get(this.#commits.get(commit)!.tree)!);
  }

  install(): void {
    const scope = nock(this.base).persist();
    for (const method of ["get", "post", "patch", "put", "delete"] as const) {
      // This nock calls a one-parameter reply function with the fetch Request.
      scope[method](() => true).reply(async (request: Request) => {
        const url = new URL(request.url);
        if (url.pathname === this.graphqlPath) return this.#graphql(request);
        const path = decodeURIComponent(url.pathname).slice(this.apiPrefix.length);
        const text = await request.text();
        const body = text === "" ? undefined : JSON.parse(text);
        this.requests.push({
          method: method.toUpperCase(),
          path,
          query: Object.fromEntries(url.searchParams),
          body,
          authorization: request.headers.get("authorization") ?? undefined,
        });
        return this.#handle(method.toUpperCase(), path, url.searchParams, body);
      });
    }
  }

  /** Answers the batch file read of read-files-graphql.ts from the variables it sends. */
  async #graphql(request: Request): Promise<[number, unknown]> {
    const { query, variables } = JSON.parse(await request.text()) as {
      query: string;
      variables: Record<string, string>;
    };
    this.graphqlQueries.push({ query, variables });
    if (variables.owner !== this.owner || variables.repo !== this.repo) {
      return [200, { data: { repository: null } }];
    }
    const files = this.files;
    const repository: Record<string, unknown> = {};
    for (const [name, expression] of Object.entries(variables)) {
      const m = /^e(\d+)$/.exec(name);
      if (!m) continue;
      const path = expression.slice(expression.indexOf(":") + 1);
      const text = files.get(path);
      repository[`f${m[1]}`] =
        text === undefined ? null : { text, isBinary: false, isTruncated: false };
    }
    return [200, { data: { repository } }];
  }

  #handle(
    method: string,
    path: string,
    query: URLSearchParams,
    body: Record<string, unknown> | undefined,
  ): [number, unknown, Record<string, string>?] {
    const repo = `/repos/${this.owner}/${this.repo}`;
    if (!path.startsWith(repo)) return [404, { message: "Not Found" }];
    const rest = path.slice(repo.length);
    let m: RegExpExecArray | null = null;

    if (method === "GET" && rest === "")
      return [200, { default_branch: "main", full_name: "acme/access" }];

    m = method === "GET" ? /^\/contents\/(.+)$/.exec(rest) : null;
    if (m) {
      const content = this.files.get(m[1]!);
      return content === undefined
        ? [404, { message: "Not Found" }]
        : [200, content, { "content-type": "application/vnd.github.raw; charset=utf-8" }];
    }

    m = method === "GET" ? /^\/git\/trees\/(.+)$/.exec(rest) : null;
    if (m) {
      // A tree id is "main", a tree sha, or "<tree sha>:<directory>" for a subdirectory.
      const [id, dir = ""] = m[1]!.split(":") as [string, string?];
      const snapshot = id === "main" ? this.files : this.#trees.get(id);
      if (!snapshot) return [404, { message: "Not Found" }];
      const treeSha = id === "main" ? this.#commits.get(this.#head)!.tree : id;
      const prefix = dir ? `${dir}/` : "";
      const under = [...snapshot.keys()]
        .filter((p) => p.startsWith(prefix))
        .map((p) => p.slice(prefix.length));
      if (query.get("recursive")) {
        return [
          200,
          {
            sha: treeSha,
            truncated: false,
            tree: under.map((p) => ({ path: p, type: "blob", sha: hash(p) })),
          },
        ];
      }
      const entries = new Map<string, { path: string; type: string; sha: string }>();
      for (const p of under) {
        const [first, ...more] = p.split("/");
        entries.set(
          first!,
          more.length > 0
            ? { path: first!, type: "tree", sha: `${treeSha}:${prefix}${first}` }
            : { path: first!, type: "blob", sha: hash(p) },
        );
      }
      return [200, { sha: treeSha, truncated: false, tree: [...entries.values()] }];
    }

    if (method === "GET" && rest === "/git/ref/heads/main") {
      return [200, { ref: "refs/heads/main", object: { sha: this.#head, type: "commit" } }];
    }
    m = method === "GET" ? /^\/git\/commits\/(\w+)$/.exec(rest) : null;
    if (m) {
      const commit = this.#commits.get(m[1]!);
      return commit
        ? [200, { sha: m[1], tree: { sha: commit.tree } }]
        : [404, { message: "Not Found" }];
    }
    if (method === "POST" && rest === "/git/trees") {
      const base = this.#trees.get(String(body!.base_tree));
      if (!base) return [422, { message: "base_tree not found" }];
      const next = new Map(base);
      for (const entry of body!.tree as { path: string; content: string }[])
        next.set(entry.path, entry.content);
      return [201, { sha: this.#tree(next) }];
    }
    if (method === "POST" && rest === "/git/commits") {
      const parents = body!.parents as string[];
      const sha = this.#commit(String(body!.tree), parents[0]);
      this.commitMessages.push(String(body!.message));
      return [201, { sha }];
    }
    if (method === "PATCH" && rest === "/git/refs/heads/main") {
      if (this.#foreign) {
        const next = this.files;
        for (const [p, c] of Object.entries(this.#foreign)) next.set(p, c);
        this.#head = this.#commit(this.#tree(next), this.#head);
        this.#foreign = undefined;
      }
      const commit = this.#commits.get(String(body!.sha));
      if (!commit || commit.parent !== this.#head) {
        this.conflicts++;
        return [422, { message: "Update is not a fast forward" }];
      }
      this.#head = String(body!.sha);
      return [200, { ref: "refs/heads/main", object: { sha: this.#head, type: "commit" } }];
    }

    m = /^\/issues\/(\d+)\/comments$/.exec(rest);
    if (m) {
      const number = Number(m[1]);
      if (method === "GET") return [200, this.comments.filter((c) => c.issue_number === number)];
      if (method === "POST") {
        const comment = {
          id: this.#nextId++,
          issue_number: number,
          body: String(body!.body),
          user: BOT,
          performed_via_github_app: FAKE_APP,
        };
        this.comments.push(comment);
        return [201, comment];
      }
    }
    m = method === "PATCH" ? /^\/issues\/comments\/(\d+)$/.exec(rest) : null;
    if (m) {
      const id = Number(m[1]);
      const comment = this.comments.find((c) => c.id === id);
      if (!comment) return [404, { message: "Not Found" }];
      comment.body = String(body!.body);
      return [200, comment];
    }
    if (rest === "/issues") {
      if (method === "GET") return [200, this.issues];
      if (method === "POST") {
        const number = 500 + this.issues.length;
        const issue: WireIssue = {
          number,
          title: String(body!.title),
          body: String(body!.body),
          state: "open",
          html_url: `https://github.example/acme/access/issues/${number}`,
          user: BOT,
          performed_via_github_app: FAKE_APP,
          labels: (body!.labels as string[] | undefined) ?? [],
        };
        this.issues.push(issue);
        return [201, issue];
      }
    }
    m = method === "PATCH" ? /^\/issues\/(\d+)$/.exec(rest) : null;
    if (m) {
      const number = Number(m[1]);
      const issue = this.issues.find((i) => i.number === number);
      if (!issue) return [404, { message: "Not Found" }];
      issue.title = String(body!.title);
      issue.body = String(body!.body);
      return [200, issue];
    }
    if (method === "GET" && rest === "/pulls") return [200, []];
    return [404, { message: `fake GitHub has no ${method} ${path}` }];
  }
}
