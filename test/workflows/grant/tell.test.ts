import { describe, expect, it } from "vitest";
import { GRANT_COMMENT_MARKER } from "../../../src/core/grant/render-usage-comment.ts";
import { GRANT_ERROR_MARKER, tellStop, tellUnexpected } from "../../../src/workflows/grant/tell.ts";
import { FakeGitHub } from "../../support/fake-github.ts";
import { FakeAwsAccounts } from "../../support/fake-grant-store.ts";
import { mergedPull, REQUEST_PATH, STEP_NOW } from "./grant-step-fixtures.ts";

function world() {
  const github = new FakeGitHub();
  const slack: string[] = [];
  const deps = {
    github,
    aws: new FakeAwsAccounts(),
    notify: async (text: string) => void slack.push(text),
  };
  return { github, deps, slack };
}

const CONTEXT = { pull: mergedPull(), requestPath: REQUEST_PATH, now: STEP_NOW };

describe("tellStop", () => {
  it("says nothing for a finished grant and answers its outcome", async () => {
    const { github, deps } = world();
    const outcome = { status: "revoked", reason: "revoked already" } as const;
    expect(await tellStop(deps, CONTEXT, { stop: "finished", outcome })).toBe(outcome);
    expect(github.calls).toEqual([]);
  });

  it("records a refusal, then comments and alerts with where it is recorded", async () => {
    const { github, deps, slack } = world();
    const outcome = await tellStop(deps, CONTEXT, {
      stop: "refused",
      title: "the grant cannot be made",
      details: ["The window ended."],
    });
    expect(outcome).toEqual({
      status: "refused",
      reason: "the grant cannot be made: The window ended.",
    });
    expect(github.calls.indexOf("commitFiles")).toBeLessThan(github.calls.indexOf("upsertComment"));
    const comment = github.comment(7, GRANT_COMMENT_MARKER)!;
    expect(comment).toMatch(
      /^<!-- hallpass:grant -->\n### No access granted: the grant cannot be made\n/,
    );
    expect(comment).toContain("recorded in `access-requests/alice-db.ungranted.json`");
    expect([...github.issues.values()][0]!.labels).toEqual(["hallpass-alert"]);
    expect(slack).toHaveLength(1);
  });

  it("says a refusal that could not be recorded, and puts it in the outcome", async () => {
    const { github, deps } = world();
    github.fail("commitFiles", new Error("409"));
    const outcome = await tellStop(deps, CONTEXT, { stop: "refused", title: "t", details: ["d"] });
    expect(outcome).toEqual({ status: "refused", reason: "t: d (not recorded in git: 409)" });
    expect(github.comment(7, GRANT_COMMENT_MARKER)).toContain("could not be recorded");
  });

  it("tells a failure under its heading, and names the pull request when there is no request file", async () => {
    const { github, deps } = world();
    const outcome = await tellStop(
      deps,
      { ...CONTEXT, requestPath: undefined },
      {
        stop: "failed",
        title: "GitHub could not be read",
        details: ["Try again."],
        reason: "r",
        rolledBack: true,
      },
    );
    expect(outcome).toEqual({ status: "failed", reason: "r", rolledBack: true });
    expect(github.comment(7, GRANT_COMMENT_MARKER)).toBe(
      `${GRANT_COMMENT_MARKER}\n### Access NOT granted: GitHub could not be read\n\n- Try again.\n`,
    );
    expect([...github.issues.values()][0]!.body).toContain("pull request #7");
    expect(github.commits).toEqual([]);
  });
});

describe("tellUnexpected", () => {
  it("comments and alerts, and survives GitHub failing at both", async () => {
    const { github, deps, slack } = world();
    github.fail("upsertComment").fail("upsertIssue");
    await expect(tellUnexpected(deps, 7, new Error("boom"), undefined)).resolves.toBeUndefined();
    await tellUnexpected(deps, 7, new Error("boom"), undefined);
    expect(github.comment(7, GRANT_ERROR_MARKER)).toContain("### The grant could not be completed");
    expect(github.comment(7, GRANT_ERROR_MARKER)).toContain("- boom.");
    expect(slack).toHaveLength(1);
  });
});
