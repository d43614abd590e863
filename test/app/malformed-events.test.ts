/**
 * Every webhook event the app handles, from GitHub's example payload, with each field its
 * handlers need removed or nulled: the delivery never throws, reaches neither GitHub nor AWS,
 * and an error names the event and the field.
 */
import nock from "nock";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeAwsAccounts } from "../support/fake-grant-store.ts";
import { createHarness, examplePayload, type Harness, pullRequestEvent } from "./harness.ts";

// biome-ignore lint/suspicious/noExplicitAny: payloads are edited freely
type Payload = Record<string, any>;

let h: Harness;
let aws: FakeAwsAccounts;
let logged: { level: number; msg: string; field?: string; event?: string }[];

beforeEach(async () => {
  logged = [];
  const log = pino(
    { level: "info" },
    { write: (line: string) => void logged.push(JSON.parse(line)) },
  );
  aws = new FakeAwsAccounts();
  h = await createHarness({ aws }, { log });
});

afterEach(() => {
  try {
    h.github.verify();
  } finally {
    nock.cleanAll();
  }
});

const REPOSITORY = ["repository", "repository.name", "repository.owner", "repository.owner.login"];
const PULL = ["pull_request", "pull_request.number", "pull_request.head", "pull_request.head.sha"];

/** A `/hallpass revoke` comment on PR 7, from a person. */
function revokeComment(): Payload {
  const payload = examplePayload("issue_comment", "created");
  payload.issue.number = 7;
  payload.issue.pull_request = { url: "https://api.github.com/repos/acme/access/pulls/7" };
  payload.comment.body = "/hallpass revoke";
  return payload;
}

function reviewPayload(action: string): Payload {
  const payload = examplePayload("pull_request_review", action === "edited" ? "submitted" : action);
  payload.action = action;
  return payload;
}

/** Event name, how to build its payload, and the fields whose absence must be caught. */
const EVENTS: [string, () => Payload, string[]][] = [
  ...["opened", "synchronize", "reopened", "ready_for_review"].map(
    (action): [string, () => Payload, string[]] => [
      `pull_request.${action}`,
      () => pullRequestEvent(action).payload,
      [...REPOSITORY, ...PULL],
    ],
  ),
  [
    "pull_request.edited",
    () => ({
      ...pullRequestEvent("edited").payload,
      changes: { base: { ref: { from: "release" }, sha: { from: "0".repeat(40) } } },
    }),
    [...REPOSITORY, ...PULL],
  ],
  [
    "pull_request.closed",
    () => pullRequestEvent("closed", { merged: true }).payload,
    [...REPOSITORY, ...PULL, "pull_request.merged"],
  ],
  ...["submitted", "edited", "dismissed"].map((action): [string, () => Payload, string[]] => [
    `pull_request_review.${action}`,
    () => reviewPayload(action),
    [...REPOSITORY, ...PULL],
  ]),
  [
    "check_run.rerequested",
    () => examplePayload("check_run", "rerequested"),
    [...REPOSITORY, "check_run", "check_run.name", "check_run.head_sha", "check_run.pull_requests"],
  ],
  [
    "merge_group.checks_requested",
    () => examplePayload("merge_group", "checks_requested"),
    [...REPOSITORY, "merge_group", "merge_group.head_ref", "merge_group.head_sha"],
  ],
  [
    "issue_comment.created",
    revokeComment,
    [
      ...REPOSITORY,
      "issue",
      "issue.number",
      "comment",
      "comment.body",
      "comment.user",
      "comment.user.login",
    ],
  ],
  ...["opened", "edited"].map((action): [string, () => Payload, string[]] => [
    `issues.${action}`,
    () => {
      // An access-request form issue, which the app would otherwise act on.
      const payload = examplePayload("issues", action);
      payload.issue.labels = [{ name: "access-request" }];
      return payload;
    },
    [
      ...REPOSITORY,
      "issue",
      "issue.number",
      "issue.state",
      "issue.user",
      "issue.user.login",
      "issue.labels",
      "sender",
      "sender.login",
    ],
  ]),
];

const CASES = EVENTS.flatMap(([event, build, fields]) =>
  fields.flatMap((field) =>
    (["removed", "null"] as const).map((how) => ({ event, build, field, how })),
  ),
);

/** Removes or nulls the field at a dotted path. */
function damage(payload: Payload, field: string, how: "removed" | "null"): Payload {
  const keys = field.split(".");
  const last = keys.pop()!;
  const parent = keys.reduce((value, key) => value[key], payload);
  if (how === "removed") delete parent[last];
  else parent[last] = null;
  return payload;
}

describe("malformed webhook payloads", () => {
  it.each(CASES)(
    "$event with $field $how: logged and ignored",
    async ({ event, build, field, how }) => {
      const name = event.split(".")[0]!;
      const payload = damage(build(), field, how);
      await expect(
        h.probot.receive({ id: `malformed-${event}-${field}`, name, payload } as never),
      ).resolves.not.toThrow();
      expect(h.recorder.requests).toEqual([]);
      expect(aws.calls).toEqual([]);
      const errors = logged.filter((l) => l.level >= 50);
      expect(errors.length).toBeGreaterThan(0);
      for (const error of errors) {
        expect(error.event).toBe(event);
        expect(error.msg).toContain(`malformed ${event} webhook`);
      }
      const named = errors.find((e) => e.field === field);
      expect(named?.msg).toContain(`${field} ${how === "removed" ? "is missing" : "is null"}`);
    },
  );

  it("refuses a /hallpass revoke from a comment whose user is null, and says what to do", async () => {
    const payload = revokeComment();
    payload.comment.user = null;
    await h.probot.receive({ id: "null-user", name: "issue_comment", payload } as never);
    expect(aws.calls).toEqual([]);
    expect(logged.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([
      "hallpass: ignored a malformed issue_comment.created webhook (delivery null-user): comment.user is null. Nothing was evaluated or granted; redeliver it from the app's advanced settings once GitHub sends the whole payload.",
    ]);
  });

  it("names a field of the wrong type and what was expected", async () => {
    const payload = pullRequestEvent("synchronize").payload;
    payload.pull_request.number = "7";
    await h.probot.receive({ id: "wrong-type", name: "pull_request", payload } as never);
    expect(logged.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([
      expect.stringContaining(
        "pull_request.synchronize webhook (delivery wrong-type): pull_request.number is invalid (",
      ),
    ]);
  });

  it("handles each example payload as it is (the table starts from well-formed events)", async () => {
    // Events of another repository are ignored without a request; only the shape matters here.
    for (const [event, build] of EVENTS) {
      const payload = build();
      payload.repository.name = "elsewhere";
      await h.probot.receive({
        id: `whole-${event}`,
        name: event.split(".")[0]!,
        payload,
      } as never);
    }
    expect(logged.filter((l) => l.level >= 50)).toEqual([]);
    expect(h.recorder.requests).toEqual([]);
  });
});
