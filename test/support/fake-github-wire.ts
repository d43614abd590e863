import nock from "nock";
import {
  GitHubStandIn,
  type WireApp,
  type WireComment,
  type WireIssue,
} from "../../src/demo/github-stand-in.ts";
import { MemoryGitStore } from "./memory-git-store.ts";
import { describeMismatch, type RecordedRequest } from "./openapi.ts";

export type { WireComment, WireIssue };

/**
 * The GitHub REST API on the wire, for tests of the action: the demo's GitHub stand-in
 * (src/demo/github-stand-in.ts, on an in-memory git object store) behind nock, so the
 * real adapter, Octokit and its plugins run end to end against what `hallpass demo` serves.
 * Every request is kept and checked against GitHub's OpenAPI description. Any token acts as
 * the app's installation.
 *
 * `moveBranchBeforeNextUpdate(files)` lands someone else's commit between the adapter's read of
 * the branch and its `createCommitOnBranch`, which GitHub answers with STALE_DATA.
 */

/** The app whose installation token the fake's callers hold (the action's `app-id` input). */
export const FAKE_APP: WireApp = { id: 4242, slug: "hallpass" };

export class FakeGitHubWire {
  readonly base: string;
  readonly apiPrefix: string;
  readonly owner = "acme";
  readonly repo = "access";
  readonly requests: (RecordedRequest & { authorization: string | undefined })[] = [];
  readonly commitMessages: string[] = [];
  /** Commits refused because the branch had moved. */
  conflicts = 0;
  /** GraphQL queries answered (file batches, branch heads, commits). */
  readonly graphqlQueries: { query: string; variables: Record<string, string> }[] = [];
  readonly #standIn: GitHubStandIn;
  readonly #store = new MemoryGitStore();
  #foreign: Record<string, string> | undefined;

  /** Where GitHub serves GraphQL: `/graphql` on github.com, `/api/graphql` on GHES. */
  get graphqlPath(): string {
    return this.apiPrefix === "" ? "/graphql" : this.apiPrefix.replace(/\/v3$/, "/graphql");
  }

  constructor(apiUrl: string, files: Record<string, string>) {
    const url = new URL(apiUrl);
    this.base = url.origin;
    this.apiPrefix = url.pathname.replace(/\/$/, "");
    this.commitOnMain(files, "access repository");
    this.#standIn = new GitHubStandIn({
      owner: this.owner,
      repo: this.repo,
      webUrl: "https://github.example",
      store: this.#store,
      now: () => new Date(),
      teams: {},
      app: { ...FAKE_APP, installationId: 1 },
    });
  }

  /** The stand-in behind the wire, for tests that plant pull requests and check runs. */
  get standIn(): GitHubStandIn {
    return this.#standIn;
  }

  /** Comments on issues and pull requests, as the API returns them (tests may plant some). */
  get comments(): WireComment[] {
    return this.#standIn.comments;
  }

  /** Issues, as the API returns them (tests may plant some). */
  get issues(): WireIssue[] {
    return this.#standIn.issues;
  }

  /** The files at the head of the default branch. */
  get files(): Map<string, string> {
    const entries = this.#store.listTree("refs/heads/main", true) ?? [];
    return new Map(
      entries.map((e) => [e.path, this.#store.readFile("refs/heads/main", e.path) ?? ""]),
    );
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

  /** Commits `files` on the default branch, as a push would; returns the new commit's id. */
  commitOnMain(files: Record<string, string>, message: string): string {
    const head = this.#store.resolve("refs/heads/main");
    const tree = this.#store.writeTree(
      head ? this.#store.treeOf(head) : undefined,
      Object.entries(files).map(([path, content]) => ({ path, content })),
    );
    const by = { name: "someone", email: "someone@users.noreply.github.com", date: new Date() };
    const sha = this.#store.writeCommit(tree, head ? [head] : [], message, by);
    this.#store.updateBranch("main", sha, head);
    return sha;
  }

  install(): void {
    const scope = nock(this.base).persist();
    for (const method of ["get", "post", "patch", "put", "delete"] as const) {
      // This nock calls a one-parameter reply function with the fetch Request.
      scope[method](() => true).reply(async (request: Request) => {
        const url = new URL(request.url);
        const text = await request.text();
        const body = text === "" ? undefined : JSON.parse(text);
        const authorization = request.headers.get("authorization") ?? "";
        // The stand-in acts for whoever holds a token it knows: here, the app, whatever the token.
        this.#standIn.addToken(
          authorization.replace(/^(token|bearer)\s+/i, ""),
          this.#standIn.appBot,
        );
        if (url.pathname === this.graphqlPath) return this.#answerGraphQl(body, authorization);
        const path = decodeURIComponent(url.pathname).slice(this.apiPrefix.length);
        const verb = method.toUpperCase();
        this.requests.push({
          method: verb,
          path,
          query: Object.fromEntries(url.searchParams),
          body,
          authorization: authorization || undefined,
        });
        return this.#answer(verb, path, url.searchParams, body, authorization);
      });
    }
  }

  #answer(
    method: string,
    path: string,
    query: URLSearchParams,
    body: Record<string, unknown> | undefined,
    authorization: string,
  ) {
    return this.#standIn.handle(method, path, query, body, authorization);
  }

  // biome-ignore lint/suspicious/noExplicitAny: GraphQL bodies are JSON of any shape
  #answerGraphQl(body: any, authorization: string) {
    this.graphqlQueries.push(body);
    const commit = String(body?.query).includes("createCommitOnBranch");
    if (commit && this.#foreign) {
      this.commitOnMain(this.#foreign, "someone else's commit");
      this.#foreign = undefined;
    }
    if (commit) {
      const { headline, body: text } = body.variables.input.message;
      this.commitMessages.push(text ? `${headline}\n\n${text}` : headline);
    }
    const reply = this.#standIn.graphql(body, authorization);
    const errors = (reply[1] as { errors?: { type: string }[] }).errors ?? [];
    if (commit && errors.some((e) => e.type === "STALE_DATA")) this.conflicts++;
    return reply;
  }
}
