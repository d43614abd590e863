import { examplePayload, pullRequestEvent } from "../../test/app/harness.ts";
import type { CorpusCases } from "./bytes.ts";

/**
 * Webhook deliveries (`<case>.json`: `{"name": event, "payload": ...}`) as Probot hands them to
 * the app, built from GitHub's example payloads (@octokit/webhooks-examples) for PR 7 of the
 * access repository, then damaged. The merged `pull_request.closed` (the grant path) gets the
 * most cases.
 */

// biome-ignore lint/suspicious/noExplicitAny: payloads are damaged freely
type Payload = Record<string, any>;

const delivery = (name: string, payload: unknown): string =>
  `${JSON.stringify({ name, payload }, null, 1)}\n`;

/** A merged pull_request.closed for PR 7 of acme/access, changed by `edit`. */
function merged(edit: (p: Payload) => void): string {
  const payload = pullRequestEvent("closed", { merged: true }).payload as Payload;
  edit(payload);
  return delivery("pull_request", payload);
}

function event(name: string, action: string, edit: (p: Payload) => void): string {
  const payload = examplePayload(name, action);
  if (payload.pull_request) {
    payload.pull_request.number = 7;
  }
  edit(payload);
  return delivery(name, payload);
}

const opened = (edit: (p: Payload) => void): string => {
  const payload = pullRequestEvent("opened").payload as Payload;
  edit(payload);
  return delivery("pull_request", payload);
};

function nested(depth: number): unknown {
  let value: unknown = "leaf";
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

export const webhookCases: CorpusCases = {
  // The grant path: a merged pull request, with one field of the wrong type or value.
  "merged-as-string.json": merged((p) => {
    p.pull_request.merged = "true";
  }),
  "merged-as-number.json": merged((p) => {
    p.pull_request.merged = 1;
  }),
  "merged-false-proto-true.json": `${JSON.stringify({
    name: "pull_request",
    payload: JSON.parse(
      merged((p) => {
        p.pull_request.merged = false;
      }),
    ).payload,
  }).replace('"merged":false', '"merged":false,"__proto__":{"merged":true}')}\n`,
  "number-as-string.json": merged((p) => {
    p.pull_request.number = "7";
  }),
  "number-negative.json": merged((p) => {
    p.pull_request.number = -7;
  }),
  "number-zero.json": merged((p) => {
    p.pull_request.number = 0;
  }),
  "number-fraction.json": merged((p) => {
    p.pull_request.number = 7.5;
  }),
  "number-huge.json": merged((p) => {
    p.pull_request.number = 1e300;
  }),
  "number-null.json": merged((p) => {
    p.pull_request.number = null;
  }),
  "number-array.json": merged((p) => {
    p.pull_request.number = [7];
  }),
  "pull-request-missing.json": merged((p) => {
    delete p.pull_request;
  }),
  "pull-request-array.json": merged((p) => {
    p.pull_request = [p.pull_request];
  }),
  "head-sha-empty.json": merged((p) => {
    p.pull_request.head.sha = "";
  }),
  "head-missing.json": merged((p) => {
    delete p.pull_request.head;
  }),
  "repository-missing.json": merged((p) => {
    delete p.repository;
  }),
  "repository-owner-null.json": merged((p) => {
    p.repository.owner = null;
  }),
  "repository-name-number.json": merged((p) => {
    p.repository.name = 42;
  }),
  "repository-other.json": merged((p) => {
    p.repository.name = "access-evil";
    p.repository.full_name = "acme/access-evil";
  }),
  "repository-cyrillic-homoglyph.json": merged((p) => {
    p.repository.name = "\u0430ccess";
  }),
  "repository-owner-traversal.json": merged((p) => {
    p.repository.owner.login = "evil/../acme";
  }),
  "repository-name-with-nul.json": merged((p) => {
    p.repository.name = "access\u0000";
  }),
  "repository-name-zero-width.json": merged((p) => {
    p.repository.name = "acc\u200bess";
  }),
  "repository-other-owner.json": merged((p) => {
    p.repository.owner.login = "evil";
  }),
  "deep-nesting-in-unused-field.json": merged((p) => {
    p.pull_request.body = nested(1000);
  }),
  "huge-body.json": merged((p) => {
    p.pull_request.body = "x".repeat(5 * 1024 * 1024);
  }),
  "not-merged.json": merged((p) => {
    p.pull_request.merged = false;
  }),
  // Whole payloads of the wrong kind.
  "payload-null.json": delivery("pull_request", null),
  "payload-array.json": delivery("pull_request", [1, 2, 3]),
  "payload-string.json": delivery("pull_request", "closed"),
  "payload-empty-object.json": delivery("pull_request", {}),
  "payload-only-action.json": delivery("pull_request", { action: "closed" }),
  "action-number.json": merged((p) => {
    p.action = 7;
  }),
  "unhandled-action.json": merged((p) => {
    p.action = "labeled";
  }),
  // The approval path.
  "opened-number-string.json": opened((p) => {
    p.pull_request.number = "7";
  }),
  "opened-head-sha-null.json": opened((p) => {
    p.pull_request.head.sha = null;
  }),
  "opened-other-repository.json": opened((p) => {
    p.repository.name = "elsewhere";
  }),
  "edited-base-change-wrong-type.json": opened((p) => {
    p.action = "edited";
    p.changes = { base: "main" };
    p.pull_request.updated_at = 12;
  }),
  "review-submitted-pull-request-null.json": event("pull_request_review", "submitted", (p) => {
    p.pull_request = null;
  }),
  "review-dismissed-head-number.json": event("pull_request_review", "dismissed", (p) => {
    p.pull_request.head.sha = 12345;
  }),
  "review-other-repository.json": event("pull_request_review", "submitted", (p) => {
    p.repository.name = "elsewhere";
  }),
  "check-run-pull-requests-not-list.json": event("check_run", "rerequested", (p) => {
    p.check_run.pull_requests = "7";
  }),
  "check-run-name-missing.json": event("check_run", "rerequested", (p) => {
    delete p.check_run.name;
  }),
  "check-run-other-repository.json": event("check_run", "rerequested", (p) => {
    p.repository.name = "elsewhere";
  }),
  "merge-group-head-sha-empty.json": event("merge_group", "checks_requested", (p) => {
    p.merge_group.head_sha = "";
  }),
  "merge-group-head-ref-missing.json": event("merge_group", "checks_requested", (p) => {
    delete p.merge_group.head_ref;
  }),
  "merge-group-other-repository.json": event("merge_group", "checks_requested", (p) => {
    p.repository.name = "elsewhere";
  }),
};
