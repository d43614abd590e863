import nock from "nock";
import { pino } from "pino";
import { afterEach } from "vitest";
import { GRANT_COMMENT_MARKER } from "../../src/core/grant/render-usage-comment.ts";
import { grantAccess } from "../../src/workflows/grant-access.ts";
import { REVOKE_REPLY_MARKER } from "../../src/workflows/release-grant.ts";
import { createHarness, examplePayload } from "../app/harness.ts";
import { FakeGitHub } from "../support/fake-github.ts";
import { FakeAwsAccounts } from "../support/fake-grant-store.ts";
import { describeHostileCorpus } from "../support/hostile-corpus.ts";
import { addMergedRequest } from "../support/merged-request.ts";

/**
 * Hostile comments on a granted access pull request, delivered to the real app as
 * `issue_comment.created` (the `/hallpass revoke` handler), with GitHub and AWS as in-memory
 * stand-ins holding the live grant. What the commenter sees is the app's reply; what matters
 * besides is whether the role was deleted, and that nothing was ever created.
 */

const GRANTED_AT = new Date("2026-11-26T10:00:10Z");
const LATER = new Date("2026-11-26T10:30:00Z");

afterEach(() => {
  nock.cleanAll();
});

describeHostileCorpus("comments", async (input, name) => {
  const github = new FakeGitHub();
  const aws = new FakeAwsAccounts();
  const pr = addMergedRequest(github);
  await grantAccess({ github, aws }, pr, { now: GRANTED_AT });
  const roleName = [...aws.roles.keys()][0]!;
  const setupCalls = aws.calls.length;
  const grantComment = github.comment(pr, GRANT_COMMENT_MARKER);

  const logged: { level: number; msg: string }[] = [];
  const log = pino(
    { level: "warn" },
    { write: (line: string) => void logged.push(JSON.parse(line)) },
  );
  const h = await createHarness({ aws, github: () => github, now: () => LATER }, { log });
  const { login, type, body } = JSON.parse(Buffer.from(input).toString("utf8"));
  const payload = examplePayload("issue_comment", "created");
  payload.issue.number = pr;
  payload.issue.pull_request = { url: `https://api.github.com/repos/acme/access/pulls/${pr}` };
  Object.assign(payload.comment, { body, user: { ...payload.comment.user, login, type } });
  await h.probot.receive({ id: `hostile-${name}`, name: "issue_comment", payload } as never);

  const calls = aws.calls.slice(setupCalls);
  const reply = github.comment(pr, REVOKE_REPLY_MARKER);
  const lines = logged.map((l) => `${l.level >= 50 ? "error" : "warn"}: ${l.msg}\n`).join("");
  const message = [
    `reply: ${reply === undefined ? "(none)" : reply}`,
    `grant comment: ${github.comment(pr, GRANT_COMMENT_MARKER) === grantComment ? "unchanged" : "changed"}`,
    `role: ${aws.role(roleName) ? "live" : "deleted"}`,
    `AWS calls: ${calls.join(", ") || "(none)"}`,
    `log: ${lines || "(nothing)\n"}`,
  ].join("\n");
  return { message, granted: calls.includes("ensureRole") };
});
