/**
 * The shape of every webhook event the app handles: only the fields the handlers read, checked
 * at the handler's entry. A payload without them (a proxy or a replay tool that trimmed it, a
 * null user) is logged as an error naming the event and the field, and otherwise ignored: a
 * handler never throws a TypeError halfway, and never grants on what it could not read.
 */

import { z } from "zod";

/** `context.repo()` reads these; every handler checks the repository first. */
const repository = z.object({
  name: z.string().min(1),
  owner: z.object({ login: z.string().min(1) }),
});

const sha = z.string().min(1);

/** A pull request as the approval handlers read it from `pull_request*` events. */
const pullRequest = z.object({
  number: z.number().int().positive(),
  head: z.object({ sha }),
  /** Only `closed` reads it; a missing value there counts as "not merged" (nothing happens). */
  merged: z.boolean().nullish(),
  /** When a `changes.base` edit happened; a missing one makes every approval stale. */
  updated_at: z.string().nullish(),
  /**
   * The base commit and, once merged, the merge commit: where the rules are read along with the
   * pull request. Optional: without them the rules are read after it, as the API says.
   */
  base: z.object({ sha: z.string().nullish() }).nullish(),
  merge_commit_sha: z.string().nullish(),
});

/** `pull_request` opened, synchronize, reopened, edited, ready_for_review, closed. */
export const pullRequestEventShape = z.object({
  action: z.string(),
  repository,
  pull_request: pullRequest,
  changes: z.object({ base: z.unknown().optional() }).nullish(),
});

/**
 * `pull_request.closed` as the grant handler reads it: whether it was merged decides. The rest
 * of the pull request's shape is checked too, so that an event one handler refuses as malformed
 * is refused by all (without the grant handlers, the approval handler judges a merge itself).
 */
export const mergedPullRequestEventShape = pullRequestEventShape.extend({
  pull_request: pullRequest.extend({ merged: z.boolean() }),
});

/** `pull_request_review` submitted, edited, dismissed. */
export const pullRequestReviewEventShape = z.object({ repository, pull_request: pullRequest });

/** `check_run.rerequested`. */
export const checkRunEventShape = z.object({
  repository,
  check_run: z.object({
    name: z.string(),
    head_sha: sha,
    /** Absent or null: not this app's run, so never re-evaluated when the app id is known. */
    app: z.object({ id: z.number() }).nullish(),
    check_suite: z.object({ head_branch: z.string().nullish() }).nullish(),
    pull_requests: z.array(z.object({ number: z.number().int().positive() })),
  }),
});

/** `merge_group.checks_requested`. */
export const mergeGroupEventShape = z.object({
  repository,
  merge_group: z.object({ head_ref: z.string().min(1), head_sha: sha }),
});

/** `issue_comment.created`: who wrote the comment decides whether it may revoke. */
export const issueCommentEventShape = z.object({
  repository,
  issue: z.object({
    number: z.number().int().positive(),
    /** Present on a pull request's conversation only; its absence is not an error. */
    pull_request: z.unknown().optional(),
  }),
  comment: z.object({
    /** Names the branch of the extension `/hallpass extend` opens; only that command needs it. */
    id: z.number().int().positive().optional(),
    body: z.string(),
    user: z.object({ login: z.string().min(1), type: z.string() }),
  }),
});

/** `issues.opened` and `issues.edited`: an access-request form submitted or edited. */
export const issueEventShape = z.object({
  action: z.string(),
  repository,
  issue: z.object({
    number: z.number().int().positive(),
    state: z.string(),
    /** Null for an issue opened without a body: the form's parser says so. */
    body: z.string().nullish(),
    /** The author, who becomes the requester: only a person (type User) may. */
    user: z.object({ login: z.string().min(1), type: z.string() }),
    labels: z.array(z.object({ name: z.string() })),
    /** Present on a pull request's conversation only. */
    pull_request: z.unknown().optional(),
  }),
  /** Who opened or edited it: an edit counts only when it is the author's. */
  sender: z.object({ login: z.string().min(1) }),
});

/** What `checkEventShape` needs from a Probot context. */
export interface EventContext {
  name: string;
  id: string;
  payload: unknown;
  log: { error: (details: object, message: string) => void };
}

/** The value at `path` in `payload`, to tell a missing field from a null or wrong one. */
function valueAt(payload: unknown, path: readonly PropertyKey[]): unknown {
  let value = payload;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * The event's payload checked against `shape`, or undefined after logging an error that names
 * the event, the delivery and the first wrong field (`pull_request.head.sha is missing`).
 */
export function checkEventShape<T>(context: EventContext, shape: z.ZodType<T>): T | undefined {
  const parsed = shape.safeParse(context.payload);
  if (parsed.success) return parsed.data;
  const action = valueAt(context.payload, ["action"]);
  const event = typeof action === "string" ? `${context.name}.${action}` : context.name;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.map(String).join(".") || "(the payload)";
  const value = valueAt(context.payload, issue.path);
  const problem =
    value === undefined
      ? "is missing"
      : value === null
        ? "is null"
        : `is invalid (${issue.message})`;
  context.log.error(
    { event, delivery: context.id, field },
    `hallpass: ignored a malformed ${event} webhook (delivery ${context.id}): ${field} ${problem}. Nothing was evaluated or granted; redeliver it from the app's advanced settings once GitHub sends the whole payload.`,
  );
  return undefined;
}
