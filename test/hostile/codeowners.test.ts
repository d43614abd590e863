import nock from "nock";
import { pino } from "pino";
import { afterEach } from "vitest";
import { createHarness, pullRequestEvent } from "../app/harness.ts";
import { FakeGitHub } from "../support/fake-github.ts";
import { FakeAwsAccounts } from "../support/fake-grant-store.ts";
import { describeHostileCorpus } from "../support/hostile-corpus.ts";
import { addMergedRequest, BASE_SHA, HEAD_SHA } from "../support/merged-request.ts";

/**
 * Hostile CODEOWNERS files on the base branch of an open access pull request (approved by sam
 * of @acme/sre), evaluated by the real app on `pull_request.opened` with GitHub as an in-memory
 * stand-in. What people see is the check run: its conclusion, title, summary and annotations.
 * A green check is what lets the pull request merge, so it counts as a grant unless listed.
 */

/** CODEOWNERS whose rules still make @acme/sre (sam) the owners of the request: green is right. */
const ACCEPTED = new Set([
  "bom.codeowners",
  "crlf.codeowners",
  "size-just-under-cap.codeowners",
  "fifty-thousand-rules.codeowners",
  "one-long-line.codeowners",
  "owners-tab-separated.codeowners",
  "direct-children-only.codeowners",
  "catastrophic-stars.codeowners",
  "catastrophic-alternating.codeowners",
  "pattern-with-escaped-space.codeowners",
  "nul-in-pattern.codeowners",
  "owner-upper-case-team.codeowners",
  // Lines GitHub ignores (reported as problems), leaving the first line's owners.
  "character-range.codeowners",
  "negation.codeowners",
  "escaped-hash.codeowners",
  "dot-dot-pattern.codeowners",
]);

afterEach(() => {
  nock.cleanAll();
});

describeHostileCorpus("codeowners", async (input, name) => {
  const github = new FakeGitHub();
  addMergedRequest(github, { merged: false });
  github.setFiles(BASE_SHA, { ".github/CODEOWNERS": Buffer.from(input).toString("utf8") });
  const aws = new FakeAwsAccounts();
  const logged: { level: number; msg: string }[] = [];
  const log = pino(
    { level: "warn" },
    { write: (line: string) => void logged.push(JSON.parse(line)) },
  );
  const h = await createHarness({ aws, github: () => github }, { log });
  await h.probot.receive(pullRequestEvent("opened"));

  const check = github.checkRuns.get(`${HEAD_SHA} hallpass/approval`);
  const annotations = (check?.annotations ?? [])
    .map((a) => `${a.path}:${a.startLine}: ${a.level}: ${a.message}\n`)
    .join("");
  const lines = logged.map((l) => `${l.level >= 50 ? "error" : "warn"}: ${l.msg}\n`).join("");
  const message = check
    ? `${check.conclusion}: ${check.title}\n--- summary\n${check.summary}\n--- annotations\n${annotations}--- log\n${lines}`
    : `(no check run)\n--- log\n${lines}`;
  const green = check?.conclusion === "success";
  return { message, granted: aws.calls.length > 0 || (green && !ACCEPTED.has(name)) };
});
