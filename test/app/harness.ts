/**
 * Drives the real app through `probot.receive` against GitHub mocked with nock. Payloads start
 * from @octokit/webhooks-examples and are adjusted to one access repository; every request
 * the app makes is recorded and checked against GitHub's OpenAPI description.
 */
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import nock from "nock";
import type { Logger } from "pino";
import { Probot } from "probot";
import type { NetworkTimeouts } from "../../src/adapters/network-timeouts.ts";
import { createOctokitGitHub } from "../../src/adapters/octokit-github.ts";
import { type AppDeps, appOctokit, createApp } from "../../src/app/index.ts";
import { createMemoryCache, type KeyValueCache } from "../../src/ports/cache.ts";
import { createRequestRecorder, type RequestRecorder } from "../support/openapi.ts";

export const OWNER = "acme";
export const REPO_NAME = "access";
export const REPO = `/repos/${OWNER}/${REPO_NAME}`;
export const INSTALLATION_ID = 4242;
export const APP_ID = 77;
export const BASE = "ba5e000000000000000000000000000000000001";
const BASE_SHA = BASE;
export const HEAD = "bead000000000000000000000000000000000002";
export const NEW_HEAD = "bead000000000000000000000000000000000003";
/** The merge commit of PR 7 once merged: policies and CODEOWNERS are read here then. */
export const MERGE = "3e7600000000000000000000000000000000000a";
export const POLICIES_TREE = "7ee0000000000000000000000000000000000004";
export const REQUEST_PATH = "access-requests/alice-db.yaml";
export const NOW = new Date("2026-11-26T10:00:00Z");

const fixtures = new URL("../fixtures/github/", import.meta.url);
export const fixture = (name: string) => readFileSync(new URL(name, fixtures), "utf8");

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

// biome-ignore lint/suspicious/noExplicitAny: webhook payloads are edited freely in tests
type Payload = Record<string, any>;
// biome-ignore lint/suspicious/noExplicitAny: probot.receive's event union is too wide to build by hand
type Event = any;

const require = createRequire(import.meta.url);
const examples = require("@octokit/webhooks-examples/api.github.com/index.json") as {
  name: string;
  examples: Payload[];
}[];

/** A webhook example of `name`/`action`, deep-copied and moved to the access repository. */
export function examplePayload(name: string, action: string): Payload {
  const example = examples.find((e) => e.name === name)?.examples.find((x) => x.action === action);
  if (!example) throw new Error(`no webhooks example for ${name}.${action}`);
  const payload = structuredClone(example);
  payload.repository.name = REPO_NAME;
  payload.repository.full_name = `${OWNER}/${REPO_NAME}`;
  payload.repository.owner.login = OWNER;
  payload.installation = { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uNDI0Mg==" };
  return payload;
}

let delivery = 0;

/** A pull_request event for PR 7 by `author` on head `head`. */
export function pullRequestEvent(
  action: string,
  options: { author?: string; head?: string; merged?: boolean } = {},
): Event {
  const source = ["opened", "closed", "reopened", "ready_for_review", "synchronize"].includes(
    action,
  )
    ? action
    : "synchronize";
  const payload = examplePayload("pull_request", source);
  payload.action = action;
  payload.number = 7;
  Object.assign(payload.pull_request, { number: 7, draft: false, merged: options.merged ?? false });
  payload.pull_request.user.login = options.author ?? "alice";
  payload.pull_request.head.sha = options.head ?? HEAD;
  payload.pull_request.base.sha = BASE;
  return { id: `delivery-${++delivery}`, name: "pull_request", payload };
}

/** A pull_request_review event on PR 7; `head` is what the (possibly stale) payload claims. */
export function reviewEvent(
  action: "submitted" | "edited" | "dismissed",
  options: { head?: string; id?: string } = {},
): Event {
  const payload = examplePayload("pull_request_review", action === "edited" ? "submitted" : action);
  payload.action = action;
  payload.pull_request.number = 7;
  payload.pull_request.head.sha = options.head ?? HEAD;
  payload.pull_request.base.sha = BASE;
  return { id: options.id ?? `delivery-${++delivery}`, name: "pull_request_review", payload };
}

export interface PullRequestShape {
  author?: string;
  head?: string;
  merged?: boolean;
}

export function pullResponse(shape: PullRequestShape = {}) {
  const merged = shape.merged ?? false;
  return {
    number: 7,
    html_url: `https://github.com/${OWNER}/${REPO_NAME}/pull/7`,
    state: merged ? "closed" : "open",
    draft: false,
    user: { login: shape.author ?? "alice" },
    title: "Access to the orders database",
    head: { sha: shape.head ?? HEAD },
    base: { sha: BASE, ref: "main", repo: { default_branch: "main" } },
    merged,
    merged_at: merged ? "2026-11-26T11:00:00Z" : null,
    merge_commit_sha: merged ? MERGE : null,
    merged_by: merged ? { login: "sue" } : null,
  };
}

export type ReviewResponse = ReturnType<typeof review>;

/** The pull request as the adapter's GraphQL query answers it (read-pull-request-graphql.ts). */
function pullAnswer(options: PullReads) {
  const rest = pullResponse(options.pull);
  const page = (nodes: unknown[]) => ({ nodes, pageInfo: { hasNextPage: false, endCursor: null } });
  const changeType: Record<string, string> = {
    added: "ADDED",
    removed: "DELETED",
    modified: "MODIFIED",
    renamed: "RENAMED",
  };
  const commits = options.commits ?? [{ sha: HEAD, author: "alice", committer: "web-flow" }];
  const user = (login: string | null) => ({ user: login ? { login } : null });
  return {
    defaultBranchRef: { name: "main" },
    pullRequest: {
      number: 7,
      url: rest.html_url,
      state: rest.merged ? "MERGED" : "OPEN",
      isDraft: false,
      title: rest.title,
      author: { login: rest.user.login },
      headRefOid: rest.head.sha,
      baseRefOid: BASE,
      baseRefName: "main",
      merged: rest.merged,
      mergedAt: rest.merged_at,
      mergedBy: rest.merged_by,
      mergeCommit: rest.merge_commit_sha ? { oid: rest.merge_commit_sha } : null,
      files: page(
        (options.files ?? [{ filename: REQUEST_PATH, status: "added" }]).map((f) => ({
          path: f.filename,
          changeType: changeType[f.status] ?? "CHANGED",
        })),
      ),
      commits: page(
        commits.map((c) => ({
          commit: { oid: c.sha, author: user(c.author), committer: user(c.committer) },
        })),
      ),
      reviews: page(
        (options.reviews ?? []).map((r) => ({
          databaseId: r.id,
          author: { login: r.user.login },
          state: r.state,
          commit: { oid: r.commit_id },
          submittedAt: r.submitted_at,
          authorAssociation: r.author_association,
        })),
      ),
      timelineItems: page(
        (options.baseChangedAt ?? []).map((at) => ({
          __typename: "BaseRefChangedEvent",
          createdAt: at,
        })),
      ),
      ...(options.checkRun !== undefined
        ? { headCommit: headCommit(rest.head.sha, options.checkRun) }
        : {}),
    },
  };
}

/** What `prReads` answers. */
interface PullReads {
  pull?: PullRequestShape;
  files?: FileResponse[];
  commits?: CommitShape[];
  reviews?: ReviewResponse[];
  baseChangedAt?: string[];
  /**
   * The app's check run on the head, as the query reads it along (null: none yet). Without it,
   * the answer has no head commit, and the app reads the check run through REST.
   */
  checkRun?: { id: number; conclusion: string | null; title: string } | null;
}

/** The head commit with the app's check suite, as the pull request query reads it along. */
function headCommit(sha: string, run: PullReads["checkRun"]) {
  const page = (nodes: unknown[]) => ({ nodes, pageInfo: { hasNextPage: false } });
  const runs = run
    ? [
        {
          databaseId: run.id,
          name: "hallpass/approval",
          conclusion: run.conclusion?.toUpperCase() ?? null,
          title: run.title,
          annotations: { totalCount: 0 },
        },
      ]
    : [];
  return {
    nodes: [
      { commit: { oid: sha, checkSuites: page(runs.length ? [{ checkRuns: page(runs) }] : []) } },
    ],
  };
}

export function review(id: number, user: string, state: string, minute: number, commitId = HEAD) {
  return {
    id,
    user: { login: user, type: "User" },
    author_association: "MEMBER",
    state,
    commit_id: commitId,
    submitted_at: `2026-11-26T10:${String(minute).padStart(2, "0")}:00Z`,
  };
}

export const TEAMS: Record<string, string[]> = {
  "db-admins": ["dan", "alice"],
  security: ["sue", "sam"],
};

type FileResponse = { filename: string; status: string; previous_filename?: string };
type CommitShape = { sha: string; author: string | null; committer: string | null };

/**
 * Registers one-shot mocks; each helper is one or a few requests, so a test states exactly
 * which calls an event makes (and the final check proves each was made).
 */
export class GitHubMock {
  readonly scope: nock.Scope;
  readonly recorder: RequestRecorder;
  constructor(recorder: RequestRecorder) {
    this.recorder = recorder;
    this.scope = recorder.record(nock("https://api.github.com"));
  }

  token(): this {
    this.scope
      .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
      .reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
    return this;
  }

  /**
   * One read of the pull request (the adapter's one GraphQL query, read-pull-request-graphql.ts)
   * answering what `prReads` is given.
   */
  prReads(options: PullReads = {}): this {
    this.scope
      .post("/graphql", (b) => String(b.query).startsWith("query HallpassPullRequest"))
      // This nock calls a one-parameter reply function with the fetch Request.
      .reply(async (request: Request) => {
        // The rules the event names are read along (`f<i>`, `d<i>`), from the same files.
        const { variables } = JSON.parse(await request.text());
        const along = this.#answerPaths(variables).data.repository;
        return [200, { data: { repository: { ...along, ...pullAnswer(options) } } }];
      });
    return this;
  }

  /** The read of the pull request failing with `status`. */
  prReadFails(status: number, message: string): this {
    this.scope
      .post("/graphql", (b) => String(b.query).startsWith("query HallpassPullRequest"))
      .reply(status, { message });
    return this;
  }

  /**
   * Files the evaluation's path reads (read-paths-graphql.ts) find, by `ref:path`; directories
   * are made of them. Answered by one responder, as often as the app asks: what the cache
   * saves is counted by `requestsSince`, not by these mocks.
   */
  readonly #files = new Map<string, string>();
  readonly #teams = new Map<string, string[]>();

  #answerPaths(variables: Record<string, string>) {
    const repository: Record<string, unknown> = {};
    const blob = (text: string) => ({ text, isBinary: false, isTruncated: false });
    for (const [name, expression] of Object.entries(variables)) {
      if (/^f\d+$/.test(name)) {
        const text = this.#files.get(expression);
        repository[name] = text === undefined ? null : blob(text);
      } else if (/^d\d+$/.test(name)) {
        const prefix = `${expression}/`;
        const entries = [...this.#files]
          .filter(([k]) => k.startsWith(prefix) && !k.slice(prefix.length).includes("/"))
          .map(([k, text]) => ({ name: k.slice(prefix.length), type: "blob", object: blob(text) }));
        repository[name] = entries.length > 0 ? { entries } : null;
      }
    }
    return { data: { repository } };
  }

  #answerTeams(variables: Record<string, string>) {
    const data: Record<string, unknown> = {};
    for (const [name, org] of Object.entries(variables)) {
      const i = /^o(\d+)$/.exec(name)?.[1];
      if (i === undefined) continue;
      const members = this.#teams.get(`${org}/${variables[`s${i}`]}`);
      data[`t${i}`] = {
        team: members && {
          members: {
            nodes: members.map((login) => ({ login })),
            pageInfo: { hasNextPage: false, endCursor: null },
          },
        },
      };
    }
    return { data };
  }

  #answering = false;
  /** One responder for path and team reads, registered on first use. */
  #answer(): void {
    if (this.#answering) return;
    this.#answering = true;
    this.scope
      .post("/graphql", (b) => /^query Hallpass(Paths|Teams)/.test(String(b.query)))
      .optionally()
      .times(1000)
      // This nock calls a one-parameter reply function with the fetch Request.
      .reply(async (request: Request) => {
        const body = JSON.parse(await request.text());
        // A paths query reads teams along (`t<i>`).
        const teams = this.#answerTeams(body.variables);
        return [
          200,
          String(body.query).startsWith("query HallpassPaths")
            ? { data: { ...teams.data, ...this.#answerPaths(body.variables).data } }
            : teams,
        ];
      });
  }

  /**
   * Policies and CODEOWNERS at the base commit, or at `sha` (cached afterwards); for an open
   * pull request (no `sha`), `twin` is the request's `.yml` twin there (absent by default).
   */
  baseReads(
    options: { policies?: string; codeowners?: string | null; sha?: string; twin?: string } = {},
  ): this {
    this.#answer();
    const at = options.sha ?? BASE_SHA;
    if (options.sha === undefined && options.twin !== undefined) {
      this.#files.set(`${at}:${REQUEST_PATH.replace(/\.yaml$/, ".yml")}`, options.twin);
    }
    this.policiesAt(at, options.policies);
    const codeowners =
      options.codeowners === undefined ? fixture("CODEOWNERS") : options.codeowners;
    if (codeowners !== null) this.#files.set(`${at}:CODEOWNERS`, codeowners);
    return this;
  }

  /** The one policy file `policies/test.yaml` at commit `sha`, read with its folder. */
  policiesAt(sha: string, policies = fixture("policies.yaml")): this {
    this.#answer();
    this.#files.set(`${sha}:policies/test.yaml`, policies);
    return this;
  }

  requestFile(content = fixture("db-admin-request.yaml"), head = HEAD, path = REQUEST_PATH): this {
    this.#answer();
    this.#files.set(`${head}:${path}`, content);
    return this;
  }

  /** A file at commit `sha` for the path reads (read-paths-graphql.ts) to find. */
  fileAt(sha: string, path: string, content: string): this {
    this.#answer();
    this.#files.set(`${sha}:${path}`, content);
    return this;
  }

  teams(slugs: string[] = ["db-admins", "security"]): this {
    this.#answer();
    for (const slug of slugs) this.#teams.set(`${OWNER}/${slug}`, TEAMS[slug] ?? []);
    return this;
  }

  /**
   * A new check run on `sha` (none there yet); `check` sees the request body. `looked` false:
   * the pull request's query said there was none, so the app does not look it up.
   */
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are inspected freely
  checkCreate(sha: string, check: (body: any) => void, id = 1000, looked = true): this {
    if (looked) {
      this.scope
        .get(`${REPO}/commits/${sha}/check-runs`)
        .query(true)
        .reply(200, { total_count: 0, check_runs: [] });
    }
    this.scope
      .post(`${REPO}/check-runs`, (body) => {
        if (body.head_sha !== sha) return false;
        check(body);
        return true;
      })
      .reply(201, { id });
    return this;
  }

  /** An update of a check run whose id the app already knows (from its cache). */
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are inspected freely
  checkUpdate(id: number, check: (body: any) => void): this {
    this.scope
      .patch(`${REPO}/check-runs/${id}`, (body) => {
        check(body);
        return true;
      })
      .reply(200, { id });
    return this;
  }

  /** The installation token exchange, if it happens: Probot caches the token across handlers. */
  optionalToken(): this {
    this.scope
      .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
      .optionally()
      .reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
    return this;
  }

  /** `path` on the default branch: `content`, or absent (404) when there is none. */
  fileOnMain(path: string, content?: string): this {
    this.scope
      .get(`${REPO}/contents/${encodeURIComponent(path)}`)
      .query({ ref: "refs/heads/main" })
      .reply(
        content === undefined ? 404 : 200,
        content === undefined ? { message: "Not Found" } : content,
      );
    return this;
  }

  /**
   * A commit on the default branch: the read of its head (no file there yet), then one
   * `createCommitOnBranch`; `check` sees the files committed, decoded (`files[i].path/content`).
   */
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are inspected freely
  commitOnMain(sha: string, check: (commit: any) => void = () => {}): this {
    this.branchHeadRead(`${sha}-parent`);
    return this.commitOn(`${sha}-parent`, sha, check);
  }

  /**
   * A grant record's commit right after the merge: one `createCommitOnBranch` expecting main at
   * the merge commit, without reading the branch first; `check` as for `commitOnMain`.
   */
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are inspected freely
  commitOnMerge(sha: string, check: (commit: any) => void = () => {}): this {
    return this.commitOn(MERGE, sha, check);
  }

  /** One `createCommitOnBranch` expecting main at `parent`, answered with commit `sha`. */
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are inspected freely
  private commitOn(parent: string, sha: string, check: (commit: any) => void): this {
    this.scope
      .post("/graphql", (body) => {
        if (!String(body.query).includes("createCommitOnBranch")) return false;
        const input = body.variables.input;
        if (input.expectedHeadOid !== parent) return false;
        check({
          message: input.message,
          files: input.fileChanges.additions.map((f: { path: string; contents: string }) => ({
            path: f.path,
            content: Buffer.from(f.contents, "base64").toString("utf8"),
          })),
        });
        return true;
      })
      .reply(200, { data: { createCommitOnBranch: { commit: { oid: sha } } } });
    return this;
  }

  /** The read of main's head before a commit: at `sha`, none of the files there yet. */
  branchHeadRead(sha: string): this {
    this.scope
      .post("/graphql", (body) => String(body.query).includes("ref(qualifiedName:"))
      .reply(200, { data: { repository: { ref: { target: { oid: sha } } } } });
    return this;
  }

  /** A new comment on PR 7 (none of the app's there yet, or `existing`); `check` sees it. */
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are inspected freely
  newComment(id: number, check: (body: any) => void, existing: object[] = []): this {
    this.scope
      .get(`${REPO}/issues/7/comments`)
      .query(true)
      .reply(200, existing)
      .post(`${REPO}/issues/7/comments`, (body) => {
        check(body);
        return true;
      })
      .reply(201, { id });
    return this;
  }

  /** A new issue (none open with its marker yet); `check` sees it. `query` is the search's. */
  newIssue(
    issueNumber: number,
    // biome-ignore lint/suspicious/noExplicitAny: request bodies are inspected freely
    check: (body: any) => void,
    query: Record<string, string> | true = true,
  ): this {
    this.scope
      .get(`${REPO}/issues`)
      .query(query)
      .reply(200, [])
      .post(`${REPO}/issues`, (body) => {
        check(body);
        return true;
      })
      .reply(201, {
        number: issueNumber,
        html_url: `https://github.com/${OWNER}/${REPO_NAME}/issues/${issueNumber}`,
      });
    return this;
  }

  /** Throws unless every mock was consumed and every request is in GitHub's description. */
  verify(): void {
    const pending = nock.pendingMocks();
    if (pending.length > 0) throw new Error(`mocks not consumed:\n${pending.join("\n")}`);
    this.recorder.assertAllDescribed();
  }
}

export interface Harness {
  probot: Probot;
  github: GitHubMock;
  recorder: RequestRecorder;
  cache: KeyValueCache;
  /** API requests since the last call, not counting the installation token exchange. */
  requestsSince(): number;
}

/**
 * A Probot with the real app, an injected clock and cache; GitHub mocked. `overrides` adds or
 * replaces dependencies (features that add a member to AppDeps pass their fake here); `log`
 * replaces Probot's logger (to read what the app logs). GitHub is reached through the app's own
 * Octokit (`appOctokit`), with `timeouts` when given.
 */
export async function createHarness(
  overrides: Partial<AppDeps> = {},
  options: { log?: Logger; timeouts?: NetworkTimeouts } = {},
): Promise<Harness> {
  nock.disableNetConnect();
  const recorder = createRequestRecorder();
  const cache = createMemoryCache({ maxEntries: 1000, ttlMs: 60_000 });
  const probot = new Probot({
    appId: APP_ID,
    privateKey,
    secret: "test",
    logLevel: "fatal",
    ...(options.log ? { log: options.log } : {}),
    // The function form wins over Probot's own throttle defaults (a 1 s gap between writes).
    Octokit: appOctokit(options.timeouts).defaults((options: object) => ({
      ...options,
      retry: { enabled: false },
      throttle: { enabled: false },
    })),
  });
  const deps: AppDeps = {
    github: (octokit, repository) =>
      createOctokitGitHub(octokit, repository, { appId: APP_ID, cache }),
    now: () => NOW,
    cache,
    appId: APP_ID,
    accessRepository: `${OWNER}/${REPO_NAME}`,
    ...overrides,
  };
  await probot.load(createApp(deps));
  let seen = 0;
  return {
    probot,
    github: new GitHubMock(recorder),
    recorder,
    cache,
    requestsSince() {
      const all = recorder.requests.filter((r) => !r.path.endsWith("/access_tokens"));
      const count = all.length - seen;
      seen = all.length;
      return count;
    },
  };
}
