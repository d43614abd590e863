import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readIamActionCatalogue } from "../../src/adapters/iam-action-catalogue.ts";
import {
  BASE,
  createHarness,
  fixture,
  type Harness,
  HEAD,
  MERGE,
  NEW_HEAD,
  pullRequestEvent,
  pullResponse,
  REPO,
  REQUEST_PATH,
  review,
  reviewEvent,
} from "./harness.ts";

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

// biome-ignore lint/suspicious/noExplicitAny: check bodies are inspected freely
type Body = any;

/** A cold evaluation: token, PR reads, base reads, request file, teams. */
/** The reads of one evaluation without a cache; the request file is read at the PR's head. */
function coldEvaluation(options: Parameters<Harness["github"]["prReads"]>[0] = {}) {
  return h.github
    .token()
    .prReads(options)
    .baseReads()
    .requestFile(fixture("db-admin-request.yaml"), options.pull?.head ?? HEAD)
    .teams();
}

/** GitHub's `check_run.rerequested` for this app's check on `headSha`, from `branch`. */
async function rerunOfOurCheck(headSha: string, branch: string, pullRequests: unknown[]) {
  const { examplePayload } = await import("./harness.ts");
  const payload = examplePayload("check_run", "rerequested");
  payload.check_run.name = "hallpass/approval";
  payload.check_run.app.id = 77;
  payload.check_run.head_sha = headSha;
  payload.check_run.check_suite.head_branch = branch;
  payload.check_run.pull_requests = pullRequests;
  return payload;
}

describe("a new access request", () => {
  it("shows reviewers what the role really allows, from AWS's published actions", async () => {
    h = await createHarness({ readActionCatalogue: readIamActionCatalogue });
    let check: Body;
    coldEvaluation().checkCreate(HEAD, (b) => {
      check = b;
    });
    h.github.newComment(1, () => {});
    h.github.scope.post(`${REPO}/pulls/7/requested_reviewers`).reply(201, {});

    await h.probot.receive(pullRequestEvent("opened"));

    // The test policies' db-admin allows rds:*: every RDS write, and the tagging actions.
    expect(check.output.summary).toMatch(/\| `rds` \(all\) \| \d+ \| \d+ \| \d+ \| \d+ \| \d+ \|/);
    expect(check.output.summary).toContain("`rds` Write: `AddRoleToDBCluster`");
    expect(check.output.summary).toContain(
      "**Can create lasting access:** `rds:AuthorizeDBSecurityGroupIngress`",
    );
  });

  it("gets an action-required check, one review-request comment and review requests", async () => {
    let check: Body;
    let comment: Body;
    let reviewers: Body;
    coldEvaluation().checkCreate(HEAD, (b) => {
      check = b;
    });
    h.github.newComment(1, (b) => {
      comment = b;
    });
    h.github.scope
      .post(`${REPO}/pulls/7/requested_reviewers`, (b) => {
        reviewers = b;
        return true;
      })
      .reply(201, {});

    await h.probot.receive(pullRequestEvent("opened"));

    expect(check.name).toBe("hallpass/approval");
    expect(check.conclusion).toBe("action_required");
    expect(check.output.title).toContain("Waiting for approval");
    expect(check.output.summary).toContain("**@alice** asks for **db-admin** in **production**");
    expect(check.output.summary).toContain("| database | 1 from @acme/db-admins | — | @dan |");
    expect(check.output.summary).toContain("@alice cannot approve: is the requester");
    expect(comment.body).toContain("<!-- hallpass:review-request -->");
    expect(comment.body).toContain("@acme/db-admins @acme/security @carol");
    expect(reviewers).toEqual({ reviewers: ["carol"], team_reviewers: ["db-admins", "security"] });
  });
});

const READ_ONLY_REQUEST = `requester: alice
role: read-only
account: production
duration: 4h
reason: Check the replication lag dashboards for the incident review.
`;

const EMERGENCY_REQUEST = `requester: alice
role: db-admin
account: production
duration: 1h
reason: The orders database is down and the primary must be failed over now.
ticket: INC-43
emergency: true
`;

describe("approvals on the head commit", () => {
  it("turns green when one database and one security owner approve", async () => {
    let check: Body;
    coldEvaluation({
      reviews: [review(1, "dan", "APPROVED", 1), review(2, "sue", "APPROVED", 2)],
    }).checkCreate(HEAD, (b) => {
      check = b;
    });
    await h.probot.receive(reviewEvent("submitted"));
    expect(check.conclusion).toBe("success");
    expect(check.output.title).toBe("Approved by @dan, @sue");
    expect(check.output.summary).toContain("| database | 1 from @acme/db-admins | @dan |");
  });

  it.each([
    [
      "the requester and author",
      "alice",
      [{ sha: HEAD, author: "alice", committer: "web-flow" }],
      "is the requester",
    ],
    [
      "a co-committer",
      "dan",
      [
        { sha: "c1", author: "alice", committer: "web-flow" },
        { sha: HEAD, author: "dan", committer: "dan" },
      ],
      "pushed a commit to this pull request",
    ],
  ])("does not count an approval by %s", async (_who, approver, commits, reason) => {
    let check: Body;
    coldEvaluation({
      commits,
      reviews: [review(1, approver, "APPROVED", 1), review(2, "sue", "APPROVED", 2)],
    }).checkCreate(HEAD, (b) => {
      check = b;
    });
    await h.probot.receive(reviewEvent("submitted"));
    expect(check.conclusion).toBe("action_required");
    expect(check.output.title).toContain("database: needs 1 more approval");
    expect(check.output.summary).toContain(`@${approver}'s review does not count: ${reason}`);
  });

  it("drops approvals given before the latest push", async () => {
    let check: Body;
    coldEvaluation({
      pull: { head: NEW_HEAD },
      reviews: [review(1, "dan", "APPROVED", 1, HEAD), review(2, "sue", "APPROVED", 2, HEAD)],
    }).checkCreate(NEW_HEAD, (b) => {
      check = b;
    });
    await h.probot.receive(pullRequestEvent("synchronize", { head: NEW_HEAD }));
    expect(check.conclusion).toBe("action_required");
    expect(check.output.summary).toContain("approved an earlier commit (bead000)");
  });

  it("is blocked by a change request from an eligible owner until they change it", async () => {
    let check: Body;
    coldEvaluation({
      reviews: [
        review(1, "dan", "APPROVED", 1),
        review(2, "sam", "APPROVED", 2),
        review(3, "sue", "CHANGES_REQUESTED", 3),
      ],
    }).checkCreate(HEAD, (b) => {
      check = b;
    });
    await h.probot.receive(reviewEvent("submitted"));
    expect(check.conclusion).toBe("failure");
    expect(check.output.title).toBe("Changes requested by @sue");
  });

  it("drops a dismissed approval", async () => {
    let check: Body;
    coldEvaluation({
      reviews: [review(1, "dan", "APPROVED", 1), review(2, "sue", "DISMISSED", 2)],
    }).checkCreate(HEAD, (b) => {
      check = b;
    });
    await h.probot.receive(reviewEvent("dismissed"));
    expect(check.conclusion).toBe("action_required");
    expect(check.output.title).toContain("security: needs 1 more approval");
  });

  it("counts a user owner and ignores owners of other paths", async () => {
    let check: Body;
    h.github
      .token()
      .prReads({
        reviews: [review(1, "pat", "APPROVED", 1), review(2, "carol", "APPROVED", 2)],
      })
      .baseReads()
      .requestFile(READ_ONLY_REQUEST)
      .teams()
      .checkCreate(HEAD, (b) => {
        check = b;
      });
    await h.probot.receive(reviewEvent("submitted"));
    expect(check.conclusion).toBe("success");
    expect(check.output.title).toBe("Approved by @carol");
    expect(check.output.summary).toContain(
      `@pat's review does not count: is not a code owner of ${REQUEST_PATH}`,
    );
  });
});

describe("approvals bound to the base branch they were given against", () => {
  /** GitHub's `pull_request.edited` webhook for a change of the base branch (from `release`). */
  function baseChangedEvent(updatedAt: string) {
    const event = pullRequestEvent("edited");
    event.payload.changes = {
      base: { ref: { from: "release" }, sha: { from: "0e1ea5e000000000000000000000000000000000" } },
    };
    event.payload.pull_request.updated_at = updatedAt;
    return event;
  }

  it("re-evaluates on a base change and no longer counts the approvals given before it", async () => {
    let check: Body;
    coldEvaluation({
      reviews: [review(1, "dan", "APPROVED", 1), review(2, "sue", "APPROVED", 2)],
      baseChangedAt: ["2026-11-26T10:03:00Z"],
    }).checkCreate(HEAD, (b) => {
      check = b;
    });
    await h.probot.receive(baseChangedEvent("2026-11-26T10:03:00Z"));
    expect(check.conclusion).toBe("action_required");
    expect(check.output.title).toContain(
      "the base branch was changed (2026-11-26T10:03:00.000Z) after 2 approvals, which no longer count",
    );
    expect(check.output.summary).toContain(
      "@dan's review does not count: approved before the base branch was changed",
    );
  });

  it("believes the webhook when GitHub's issue events do not list the change yet", async () => {
    let check: Body;
    coldEvaluation({
      reviews: [review(1, "dan", "APPROVED", 1), review(2, "sue", "APPROVED", 2)],
    }).checkCreate(HEAD, (b) => {
      check = b;
    });
    await h.probot.receive(baseChangedEvent("2026-11-26T10:03:00Z"));
    expect(check.conclusion).toBe("action_required");
  });

  it("counts approvals given again after the base change", async () => {
    let check: Body;
    coldEvaluation({
      reviews: [review(1, "dan", "APPROVED", 4), review(2, "sue", "APPROVED", 5)],
      baseChangedAt: ["2026-11-26T10:03:00Z"],
    }).checkCreate(HEAD, (b) => {
      check = b;
    });
    await h.probot.receive(reviewEvent("submitted"));
    expect(check.conclusion).toBe("success");
  });

  it("fails the check, counting no approval, when the base changes cannot be read", async () => {
    let check: Body;
    // They are read with the pull request, in one query: it fails as a whole.
    h.github.token().prReadFails(500, "boom");
    h.github.checkCreate(HEAD, (b) => {
      check = b;
    });
    await expect(h.probot.receive(reviewEvent("submitted"))).rejects.toThrow(/boom/);
    expect(check.conclusion).toBe("failure");
  });
});

describe("what an access pull request may contain", () => {
  it.each([
    ["edits CODEOWNERS to approve itself", "CODEOWNERS", "changes CODEOWNERS"],
    ["edits a policy to approve itself", "policies/test.yaml", "changes a policy"],
    ["also changes code", "src/app/index.ts", "is not an access request"],
  ])("fails a PR that %s, whatever its approvals", async (_what, path, reason) => {
    let check: Body;
    h.github
      .token()
      .prReads({
        files: [
          { filename: REQUEST_PATH, status: "added" },
          { filename: path, status: "modified" },
        ],
        reviews: [review(1, "mallory", "APPROVED", 1)],
      })
      .checkCreate(HEAD, (b) => {
        check = b;
      });
    await h.probot.receive(reviewEvent("submitted"));
    expect(check.conclusion).toBe("failure");
    expect(check.output.summary).toContain(`\`${path}\` ${reason}`);
    expect(check.output.annotations).toEqual([
      expect.objectContaining({ path, annotation_level: "failure" }),
    ]);
  });

  it("fails a PR with two requests", async () => {
    let check: Body;
    h.github
      .token()
      .prReads({
        files: [
          { filename: REQUEST_PATH, status: "added" },
          { filename: "access-requests/alice-2.yaml", status: "added" },
        ],
      })
      .checkCreate(HEAD, (b) => {
        check = b;
      });
    await h.probot.receive(pullRequestEvent("synchronize"));
    expect(check.conclusion).toBe("failure");
    expect(check.output.annotations.map((a: Body) => a.path)).toEqual([
      REQUEST_PATH,
      "access-requests/alice-2.yaml",
    ]);
    expect(check.output.summary).toContain("one pull request per request");
  });

  it.each([
    ["modified", "edits a request that was already merged"],
    ["removed", "deletes a request"],
  ])("fails a PR whose merged request is %s", async (status, reason) => {
    let check: Body;
    h.github
      .token()
      .prReads({ files: [{ filename: "access-requests/old.yaml", status }] })
      .checkCreate(HEAD, (b) => {
        check = b;
      });
    await h.probot.receive(pullRequestEvent("synchronize"));
    expect(check.conclusion).toBe("failure");
    expect(check.output.summary).toContain(reason);
  });

  it("fails a request made for another person, at the requester line", async () => {
    let check: Body;
    h.github
      .token()
      .prReads({
        pull: { author: "mallory" },
        commits: [{ sha: HEAD, author: "mallory", committer: "mallory" }],
      })
      .baseReads()
      .requestFile()
      .checkCreate(HEAD, (b) => {
        check = b;
      });
    await h.probot.receive(pullRequestEvent("synchronize", { author: "mallory" }));
    expect(check.conclusion).toBe("failure");
    expect(check.output.annotations).toEqual([
      expect.objectContaining({
        path: REQUEST_PATH,
        start_line: 1,
        annotation_level: "failure",
        title: "requester",
        message: expect.stringContaining("must be the author of the pull request (@mallory)"),
      }),
    ]);
  });

  it("fails a request whose .yml twin is already on the base branch, at line 1", async () => {
    let check: Body;
    h.github
      .token()
      .prReads()
      .baseReads({ twin: fixture("db-admin-request.yaml") })
      .requestFile()
      .checkCreate(HEAD, (b) => {
        check = b;
      });
    await h.probot.receive(pullRequestEvent("opened"));
    expect(check.conclusion).toBe("failure");
    expect(check.output.title).toContain("The request's name is already taken");
    expect(check.output.annotations).toEqual([
      expect.objectContaining({
        path: REQUEST_PATH,
        start_line: 1,
        annotation_level: "failure",
        message: expect.stringContaining("`access-requests/alice-db.yml` already exists on `main`"),
      }),
    ]);
  });

  it("gives a neutral check to a PR that is not an access request", async () => {
    let check: Body;
    h.github
      .token()
      .prReads({ files: [{ filename: "policies/test.yaml", status: "modified" }] })
      .checkCreate(HEAD, (b) => {
        check = b;
      });
    await h.probot.receive(pullRequestEvent("synchronize"));
    expect(check.conclusion).toBe("neutral");
    expect(check.output.title).toBe("Not an access request");
  });
});

describe("fails closed", () => {
  it("when the policies on the base branch are invalid", async () => {
    let check: Body;
    h.github
      .token()
      .prReads({ reviews: [review(1, "dan", "APPROVED", 1), review(2, "sue", "APPROVED", 2)] })
      .baseReads({ policies: "roles: [this is not a mapping\n" })
      .requestFile()
      .checkCreate(HEAD, (b) => {
        check = b;
      });
    await h.probot.receive(reviewEvent("submitted"));
    expect(check.conclusion).toBe("failure");
    expect(check.output.title).toBe("The policies on the base branch are invalid");
    expect(check.output.summary).toContain("policies/test.yaml:");
  });

  it.each([
    ["there is no CODEOWNERS file", null, "No CODEOWNERS file on the base branch"],
    ["no CODEOWNERS line matches the file", "/docs/ @carol\n", "Nobody owns this request file"],
    [
      "the matching line has no owners",
      "* @carol\n/access-requests/\n",
      "Nobody owns this request file",
    ],
  ])("when %s", async (_case, codeowners, title) => {
    let check: Body;
    h.github
      .token()
      .prReads({ reviews: [review(1, "carol", "APPROVED", 1)] })
      .baseReads({ codeowners })
      .requestFile()
      .checkCreate(HEAD, (b) => {
        check = b;
      });
    await h.probot.receive(reviewEvent("submitted"));
    expect(check.conclusion).toBe("failure");
    expect(check.output.title).toBe(title);
  });

  it("when GitHub fails to list the reviews", async () => {
    let check: Body;
    h.github.token().prReadFails(500, "boom");
    h.github.checkCreate(HEAD, (b) => {
      check = b;
    });
    await expect(h.probot.receive(reviewEvent("submitted"))).rejects.toThrow(/boom/);
    expect(check.conclusion).toBe("failure");
  });

  it("when the pull request itself cannot be read, on the head SHA of the event", async () => {
    let check: Body;
    h.github.token();
    h.github.prReadFails(502, "bad gateway");
    h.github.checkCreate(HEAD, (b) => {
      check = b;
    });
    await expect(h.probot.receive(reviewEvent("submitted"))).rejects.toThrow(/bad gateway/);
    expect(check.conclusion).toBe("failure");
  });

  it("when a commit cannot be attributed to an account", async () => {
    let check: Body;
    h.github
      .token()
      .prReads({ commits: [{ sha: HEAD, author: null, committer: "web-flow" }] })
      .baseReads()
      .requestFile()
      .checkCreate(HEAD, (b) => {
        check = b;
      });
    await h.probot.receive(reviewEvent("submitted"));
    expect(check.conclusion).toBe("failure");
    expect(check.output.title).toBe("A commit cannot be attributed");
  });
});

describe("events out of order and redelivered", () => {
  it("judges the head the API reports, not the stale one in the payload", async () => {
    let check: Body;
    coldEvaluation({
      pull: { head: NEW_HEAD },
      reviews: [review(1, "dan", "APPROVED", 1, HEAD), review(2, "sue", "APPROVED", 2, HEAD)],
    }).checkCreate(NEW_HEAD, (b) => {
      check = b;
    });
    // The review payload still names the old head: the check goes on the current one.
    await h.probot.receive(reviewEvent("submitted", { head: HEAD }));
    expect(check.conclusion).toBe("action_required");
  });

  it("updates the one check run on a redelivery, and a warm review event costs two requests", async () => {
    const approved = [review(1, "dan", "APPROVED", 1), review(2, "sue", "APPROVED", 2)];
    const bodies: Body[] = [];
    coldEvaluation({ reviews: approved }).checkCreate(HEAD, (b) => bodies.push(b), 555);
    const event = reviewEvent("submitted", { id: "same-delivery" });
    await h.probot.receive(event);
    h.requestsSince();

    // Redelivery of the same event: same decision, same check run updated (no second POST).
    h.github.prReads({ reviews: approved }).checkUpdate(555, (b) => bodies.push(b));
    await h.probot.receive(event);
    // The pull request with its files, commits, reviews and base changes (one query), the check.
    expect(h.requestsSince()).toBe(2);
    expect(bodies.map((b) => b.conclusion)).toEqual(["success", "success"]);
    expect(bodies[1].output.summary).toBe(bodies[0].output.summary);
    expect(bodies[1].output.title).toBe(bodies[0].output.title);
  });

  it("re-evaluates on every event, so a later dismissal turns the check back", async () => {
    const bodies: Body[] = [];
    coldEvaluation({
      reviews: [review(1, "dan", "APPROVED", 1), review(2, "sue", "APPROVED", 2)],
    }).checkCreate(HEAD, (b) => bodies.push(b), 556);
    await h.probot.receive(reviewEvent("submitted"));
    h.requestsSince();
    h.github
      .prReads({ reviews: [review(1, "dan", "APPROVED", 1), review(2, "sue", "DISMISSED", 2)] })
      .checkUpdate(556, (b) => bodies.push(b));
    await h.probot.receive(reviewEvent("dismissed"));
    expect(h.requestsSince()).toBe(2);
    expect(bodies.map((b) => b.conclusion)).toEqual(["success", "action_required"]);
  });
});

describe("break-glass", () => {
  it("applies the reduced rule, says so loudly, and opens a post-incident review on merge", async () => {
    let check: Body;
    h.github
      .token()
      .prReads({ reviews: [review(1, "carol", "APPROVED", 1)] })
      .baseReads()
      .requestFile(EMERGENCY_REQUEST)
      .teams()
      .checkCreate(
        HEAD,
        (b) => {
          check = b;
        },
        700,
      );
    await h.probot.receive(reviewEvent("submitted"));
    expect(check.conclusion).toBe("success");
    expect(check.output.title).toBe("BREAK-GLASS: Approved by @carol");
    expect(check.output.summary).toContain("**BREAK-GLASS REQUEST.**");
    h.requestsSince();

    let issue: Body;
    h.github
      .prReads({ pull: { merged: true }, reviews: [review(1, "carol", "APPROVED", 1)] })
      // Once merged, the rules are read again at the merge commit.
      .baseReads({ sha: MERGE })
      .teams()
      .checkUpdate(700, () => {});
    h.github.newIssue(
      9,
      (b) => {
        issue = b;
      },
      { state: "open", per_page: "100", labels: "hallpass:post-incident-review" },
    );
    await h.probot.receive(pullRequestEvent("closed", { merged: true }));
    expect(issue.title).toBe("Post-incident review: break-glass db-admin access for @alice (#7)");
    expect(issue.body).toContain("<!-- hallpass:post-incident-review:7 -->");
    expect(issue.body).toContain("@carol");
    expect(issue.labels).toEqual(["hallpass:post-incident-review"]);
  });

  it("does nothing for a PR closed without merging", async () => {
    await h.probot.receive(pullRequestEvent("closed", { merged: false }));
    expect(h.recorder.requests).toEqual([]);
  });
});

describe("merge queue and re-runs", () => {
  it("writes the PR's decision on the merge group commit", async () => {
    const checks: Body[] = [];
    const groupSha = "6a0e000000000000000000000000000000000009";
    coldEvaluation({ reviews: [review(1, "dan", "APPROVED", 1), review(2, "sue", "APPROVED", 2)] })
      .checkCreate(HEAD, (b) => checks.push(b), 1)
      .checkCreate(groupSha, (b) => checks.push(b), 2);
    const { examplePayload } = await import("./harness.ts");
    const payload = examplePayload("merge_group", "checks_requested");
    payload.merge_group.head_sha = groupSha;
    payload.merge_group.head_ref = `refs/heads/gh-readonly-queue/main/pr-7-${BASE}`;
    await h.probot.receive({ id: "mg", name: "merge_group", payload } as Body);
    expect(checks.map((c) => [c.head_sha, c.conclusion])).toEqual([
      [HEAD, "success"],
      [groupSha, "success"],
    ]);
  });

  it("re-evaluates when the check is re-run", async () => {
    let check: Body;
    coldEvaluation().checkCreate(HEAD, (b) => {
      check = b;
    });
    const payload = await rerunOfOurCheck(HEAD, "alice/db-access", [
      {
        number: 7,
        id: 1,
        url: "u",
        head: { sha: HEAD, ref: "x", repo: {} },
        base: { sha: BASE, ref: "main", repo: {} },
      },
    ]);
    await h.probot.receive({ id: "rr", name: "check_run", payload } as Body);
    expect(check.conclusion).toBe("action_required");
  });

  it("re-evaluates a fork's pull request on a re-run, found by its head (GitHub lists none)", async () => {
    // GitHub leaves check_run.pull_requests empty when the head branch is in a fork: without
    // finding the pull request by the run's head, the sweep's re-request of an aged green check
    // would be answered by nothing, and the check would stay green.
    let check: Body;
    h.github.token();
    h.github.scope
      .get(`${REPO}/pulls`)
      .query(true)
      .reply(200, [{ ...pullResponse(), number: 6, head: { sha: NEW_HEAD } }, pullResponse()]);
    h.github
      .prReads()
      .baseReads()
      .requestFile(fixture("db-admin-request.yaml"), HEAD)
      .teams()
      .checkCreate(HEAD, (b) => {
        check = b;
      });
    const payload = await rerunOfOurCheck(HEAD, "alice/db-access", []);
    await h.probot.receive({ id: "rr-fork", name: "check_run", payload } as Body);
    expect(check.conclusion).toBe("action_required");
  });

  it("re-evaluates the queued PR on a re-run on a merge group commit, but never approves that commit", async () => {
    // Any branch (a fork's too) can be named like a merge queue branch: a re-run cannot prove
    // that the commit is the queue's merge of that PR, so only merge_group events approve one.
    const checks: Body[] = [];
    const groupSha = "6a0e00000000000000000000000000000000000b";
    coldEvaluation({ reviews: [review(1, "dan", "APPROVED", 1), review(2, "sue", "APPROVED", 2)] })
      .checkCreate(HEAD, (b) => checks.push(b), 1)
      .checkCreate(groupSha, (b) => checks.push(b), 2);
    const payload = await rerunOfOurCheck(groupSha, `gh-readonly-queue/main/pr-7-${BASE}`, []);
    await h.probot.receive({ id: "rr-mg", name: "check_run", payload } as Body);
    expect(checks.map((c) => [c.head_sha, c.conclusion])).toEqual([
      [HEAD, "success"],
      [groupSha, "failure"],
    ]);
    expect(checks[1].output.summary).toContain(
      "remove the pull request from the merge queue and add it again",
    );
  });

  it.each([
    ["another name", "ci/build", 77],
    ["our name", "hallpass/approval", 1234],
  ])("ignores a re-run of another app's check with %s", async (_, name, appId) => {
    const { examplePayload } = await import("./harness.ts");
    const payload = examplePayload("check_run", "rerequested");
    payload.check_run.name = name;
    payload.check_run.app.id = appId;
    await h.probot.receive({ id: "rr-other", name: "check_run", payload } as Body);
    expect(h.recorder.requests).toEqual([]);
  });
});
