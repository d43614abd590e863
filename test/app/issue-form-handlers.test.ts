/**
 * The access-request form through the real app: GitHub's own `issues` payloads (from
 * @octokit/webhooks-examples) fed to `probot.receive`, GitHub mocked with nock, every request
 * checked against GitHub's OpenAPI description and every mock consumed.
 */
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FORM_FIELDS, NO_RESPONSE } from "../../src/core/request/issue-form-fields.ts";
import {
  BASE,
  createHarness,
  examplePayload,
  type Harness,
  OWNER,
  REPO,
  REPO_NAME,
} from "./harness.ts";

// biome-ignore lint/suspicious/noExplicitAny: payloads and bodies are inspected freely
type Payload = Record<string, any>;

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(() => {
  try {
    h.github.verify();
  } finally {
    nock.cleanAll();
  }
});

const ANSWERS: Record<string, string | undefined> = {
  role: "db-admin",
  account: "production",
  duration: "2h",
  reason: "Investigate the stuck migration on the orders database.",
  ticket: "INC-42",
};

function formBody(answers = ANSWERS): string {
  return FORM_FIELDS.map(
    ({ field, label }) => `### ${label}\n\n${answers[field] ?? NO_RESPONSE}`,
  ).join("\n\n");
}

/** GitHub's `issues` example, as issue 12 opened by alice from the form. */
function formIssue(
  action: "opened" | "edited",
  options: { body?: string | null; sender?: string; labels?: string[] } = {},
) {
  const payload: Payload = examplePayload("issues", action);
  Object.assign(payload.issue, {
    number: 12,
    body: options.body === undefined ? formBody() : options.body,
  });
  payload.issue.user.login = "alice";
  payload.issue.labels = (options.labels ?? ["access-request"]).map((name, i) => ({
    ...payload.issue.labels[0],
    id: i + 1,
    name,
  }));
  payload.sender.login = options.sender ?? "alice";
  return { id: `issue-${action}-${Math.random()}`, name: "issues", payload } as never;
}

const BRANCH = "hallpass/issue-12";
const FILE = "access-requests/alice/issue-12.yaml";

/** The reads before the app knows whether the form is valid: no pull request yet, main, its policies. */
function formReads(): void {
  h.github.optionalToken();
  h.github.scope
    .get(`${REPO}/pulls`)
    .query({
      head: `${OWNER}:${BRANCH}`,
      state: "all",
      sort: "created",
      direction: "desc",
      per_page: "1",
    })
    .reply(200, [])
    .get(REPO)
    .reply(200, { default_branch: "main" })
    .get(`${REPO}/git/ref/heads%2Fmain`)
    .reply(200, { ref: "refs/heads/main", object: { sha: BASE, type: "commit" } });
  // The policies at main's head, read whole in one GraphQL query.
  h.github.policiesAt(BASE);
}

/** The app's one comment on the issue; `seen` receives its body. */
function issueComment(seen: (body: string) => void): void {
  h.github.scope
    .get(`${REPO}/issues/12/comments`)
    .query(true)
    .reply(200, [])
    .post(`${REPO}/issues/12/comments`, (body) => {
      seen(body.body);
      return true;
    })
    .reply(201, { id: 1 });
}

describe("an issue opened from the access-request form", () => {
  it("becomes a pull request opened by the app in the author's name, linked from the issue", async () => {
    formReads();
    let committed: Payload | undefined;
    let opened: Payload | undefined;
    let comment = "";
    h.github.scope
      // What the form's reads found (no pull request, main and its head) is not read again.
      .get(`${REPO}/git/ref/heads%2Fhallpass%2Fissue-12`)
      .reply(404, { message: "Not Found" })
      .post(`${REPO}/git/refs`, { ref: `refs/heads/${BRANCH}`, sha: BASE })
      .reply(201, { ref: `refs/heads/${BRANCH}`, object: { sha: BASE } })
      .post("/graphql", (body) => String(body.query).includes("ref(qualifiedName:"))
      .reply(200, { data: { repository: { ref: { target: { oid: BASE } } } } })
      .post("/graphql", (body) => {
        if (!String(body.query).includes("createCommitOnBranch")) return false;
        committed = body.variables.input;
        return true;
      })
      .reply(200, { data: { createCommitOnBranch: { commit: { oid: "c".repeat(40) } } } })
      .post(`${REPO}/pulls`, (body) => {
        opened = body;
        return true;
      })
      .reply(201, {
        number: 31,
        html_url: `https://github.com/${OWNER}/${REPO_NAME}/pull/31`,
        state: "open",
        user: { login: "hallpass[bot]" },
        title: "Access request",
        head: { sha: "c".repeat(40) },
        base: { sha: BASE, ref: "main" },
        merged_at: null,
        merge_commit_sha: null,
      });
    issueComment((body) => {
      comment = body;
    });

    h.requestsSince();
    await h.probot.receive(formIssue("opened"));
    // Four reads of the form (no pull request, main, its head, its policies), the branch (read,
    // made), the commit (head read, commit), the pull request, the issue's comments, the reply.
    expect(h.requestsSince()).toBe(11);

    expect(committed?.branch).toEqual({
      repositoryNameWithOwner: `${OWNER}/${REPO_NAME}`,
      branchName: BRANCH,
    });
    const [file] = committed?.fileChanges.additions ?? [];
    expect(file.path).toBe(FILE);
    const content = Buffer.from(file.contents, "base64").toString("utf8");
    expect(content).toContain(
      "requester: alice\nrole: db-admin\naccount: production\nduration: 2h\n",
    );
    expect(opened).toMatchObject({
      head: BRANCH,
      base: "main",
      title: "Access request: db-admin in production for 2h (alice)",
    });
    expect(opened?.body).toContain("Closes #12");
    expect(comment).toContain("Opened pull request #31");
  });

  it("answers a form with problems in a comment on the issue, and opens nothing", async () => {
    formReads();
    let comment = "";
    issueComment((body) => {
      comment = body;
    });
    await h.probot.receive(formIssue("opened", { body: formBody({ ...ANSWERS, duration: "5h" }) }));
    expect(comment).toContain(
      '- **Duration** (line 9): 5h is longer than the 4h role "db-admin" allows',
    );
  });

  it("reads the form again when its author edits it", async () => {
    formReads();
    let comment = "";
    issueComment((body) => {
      comment = body;
    });
    await h.probot.receive(
      formIssue("edited", { body: formBody({ ...ANSWERS, account: "prod" }) }),
    );
    expect(comment).toContain('account "prod" is not defined in policies/.');
  });

  it.each([
    ["an issue without the form's label", formIssue("opened", { labels: ["bug"] })],
    ["an edit by someone else than the author", formIssue("edited", { sender: "mallory" })],
  ])("ignores %s: nothing is read or written", async (_name, event) => {
    await h.probot.receive(event);
    expect(h.requestsSince()).toBe(0);
  });

  it("ignores a form issue opened by a bot", async () => {
    const event = formIssue("opened") as unknown as { payload: Payload };
    event.payload.issue.user = { ...event.payload.issue.user, login: "robot[bot]", type: "Bot" };
    event.payload.sender.login = "robot[bot]";
    await h.probot.receive(event as never);
    expect(h.requestsSince()).toBe(0);
  });
});
