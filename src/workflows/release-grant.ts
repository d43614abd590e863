/**
 * Early release: `/hallpass revoke` commented on a merged access pull request ends its access
 * now, when the commenter is the requester or someone who may approve the request. Anyone else
 * is told they may not. The revocation itself is the one revoke routine (revoke-grant.ts).
 */

import { expectedRoleOfRecord } from "../core/grant/check-revocation-target.ts";
import type { GrantRecord } from "../core/grant/records.ts";
import { GRANT_COMMENT_MARKER } from "../core/grant/render-usage-comment.ts";
import { grantNotice } from "../core/notify/notice.ts";
import { recordPath } from "../core/request/record-paths.ts";
import { errorMessage } from "../core/text/error-message.ts";
import { markdownCode, markdownMention } from "../core/text/escape-markdown.ts";
import type { AwsPort } from "../ports/aws.ts";
import type { GitHubPort } from "../ports/github.ts";
import type { WebhookFor } from "../ports/notify.ts";
import { evaluatePullRequest } from "./evaluate-pull-request.ts";
import { sendNotice } from "./notify/send-notice.ts";
import { readGrantRecord } from "./read-grant-record.ts";
import { RoleMismatchError, revokeGrant } from "./revoke-grant.ts";

/** Hidden marker of the reply to a `/hallpass revoke` command that did not revoke. */
export const REVOKE_REPLY_MARKER = "<!-- hallpass:revoke-command -->";

/** The command, alone on its line once trimmed (no line breaks inside, so linear). */
const REVOKE_LINE = /^\/hallpass[^\S\r\n]+revoke$/i;

/** A fence line of Markdown: up to three spaces, then three or more backticks or tildes. */
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * True when a comment gives the `/hallpass revoke` command: on a line of its own, as text GitHub
 * shows. A command shown in a code block (fenced or indented) or hidden in an HTML comment is
 * not given: "to end it early, comment ```/hallpass revoke```" must not end the access. Every
 * step is linear in the comment's length (GitHub allows 65,536 characters): a pattern spanning
 * lines, such as `^\s*...\s*$` with the `m` flag, backtracks over every line start and took
 * seconds on a comment of blank lines.
 */
export function isRevokeCommand(body: string): boolean {
  return commandLines(body).some((line) => REVOKE_LINE.test(line));
}

/**
 * The lines of a comment that can give a command, trimmed: those GitHub shows as text, outside
 * code blocks (fenced or indented) and HTML comments. Linear in the comment's length.
 */
export function commandLines(body: string): string[] {
  const lines: string[] = [];
  let fence: string | undefined;
  for (const line of withoutHtmlComments(body).split(/\r\n|\r|\n/)) {
    const marker = FENCE.exec(line)?.[1];
    if (fence !== undefined) {
      // A fence closes with the same character, at least as long, and nothing after it.
      if (
        marker !== undefined &&
        marker[0] === fence[0] &&
        marker.length >= fence.length &&
        line.trim() === marker
      ) {
        fence = undefined;
      }
      continue;
    }
    if (marker !== undefined) {
      fence = marker;
      continue;
    }
    // Four spaces or a tab of indentation make a code block.
    if (/^(?: {4}|\t)/.test(line)) continue;
    lines.push(line.trim());
  }
  return lines;
}

/** `text` without `<!-- ... -->` (an unclosed one hides the rest, as GitHub renders it). */
function withoutHtmlComments(text: string): string {
  let kept = "";
  let from = 0;
  for (;;) {
    const open = text.indexOf("<!--", from);
    if (open === -1) return kept + text.slice(from);
    kept += text.slice(from, open);
    const close = text.indexOf("-->", open + 4);
    if (close === -1) return kept;
    from = close + 3;
  }
}

export interface ReleaseDeps {
  github: GitHubPort;
  aws: AwsPort;
  /** Default `hallpass-app`. */
  actor?: string;
  /** The channels' webhooks (`settings.notifications.channels`): told of the revocation. */
  webhookFor?: WebhookFor;
  /** Where a notification that could not be sent is said (the app's log). */
  warn?: (message: string) => void;
}

export type ReleaseOutcome =
  | { status: "revoked"; roleArn: string }
  | {
      /**
       * already-ended: the window had ended but the sweep had not recorded it yet; the command
       * deleted the role and recorded the expiry (not an early release).
       */
      /** role-mismatch: the role the record names is not this grant's; nothing was changed. */
      status:
        | "already-revoked"
        | "already-ended"
        | "not-granted"
        | "not-merged"
        | "not-allowed"
        | "role-mismatch";
      message: string;
    };

/** The Unix epoch: "start is in the past" must not hide who may approve a merged request. */
const EPOCH = new Date(0);

/** Answers the commenter in the one reply comment of the pull request. */
function replier(github: GitHubPort, pullNumber: number, commenter: string) {
  return async <T extends ReleaseOutcome & { message: string }>(outcome: T): Promise<T> => {
    await github.upsertComment(
      pullNumber,
      REVOKE_REPLY_MARKER,
      `${REVOKE_REPLY_MARKER}\n${markdownMention(commenter)}: ${outcome.message}\n`,
    );
    return outcome;
  };
}

/** Handles `/hallpass revoke` by `commenter` on pull request `pullNumber`. */
export async function releaseGrant(
  deps: ReleaseDeps,
  pullNumber: number,
  commenter: string,
  options: { now: Date },
): Promise<ReleaseOutcome> {
  const { github } = deps;
  const reply = replier(github, pullNumber, commenter);

  const evaluation = await evaluatePullRequest(github, pullNumber, { now: EPOCH });
  const pull = evaluation.pullRequest;
  if (!pull.merged || !evaluation.requestPath) {
    return reply({
      status: "not-merged",
      message:
        "`/hallpass revoke` works on a merged access request; this pull request has no granted access.",
    });
  }
  const requestPath = evaluation.requestPath;
  const branch = pull.baseRef;
  // An existing revocation is found by the revoke routine itself (see `revoke`).
  const grant = await readGrantRecord(github, branch, requestPath);
  if (grant.status === "unreadable") {
    // Fail closed, and say so: without a readable record hallpass cannot tell which role to
    // delete, but a role may well be live.
    return reply({
      status: "not-granted",
      message: `${markdownCode(recordPath(requestPath, "grant"))} cannot be read as a grant record, so hallpass cannot tell which role to revoke; nothing was changed. An administrator must delete the role tagged ${markdownCode(`hallpass:request=${requestPath}`)} in its account (the scheduled sweep also revokes roles whose record it cannot match); its own policies end its access at the recorded expiry.`,
    });
  }
  // `x.yaml` and `x.yml` share their records: never end the other request's access.
  if (grant.status === "missing" || grant.record.requestPath !== requestPath) {
    return reply({
      status: "not-granted",
      message: `there is no grant record for ${markdownCode(requestPath)}, so there is no access to revoke.`,
    });
  }
  const { record } = grant;

  // Who may end the access: the requester, and anyone who may approve the request (eligible
  // code owners now, and whoever approved it at merge).
  const allowed = new Set(
    [
      record.requester,
      ...(evaluation.decision?.eligible ?? []),
      ...record.approvals.map((a) => a.reviewer),
    ].map((l) => l.toLowerCase()),
  );
  if (!allowed.has(commenter.toLowerCase())) {
    return reply({
      status: "not-allowed",
      message: `you may not revoke this access: only ${markdownMention(record.requester)} (the requester) or someone who may approve ${markdownCode(requestPath)} can. Ask one of them, or an administrator.`,
    });
  }
  try {
    return await revoke(deps, pullNumber, commenter, options, {
      evaluation,
      requestPath,
      record,
    });
  } catch (error) {
    if (error instanceof RoleMismatchError) {
      // Repeating the command cannot help: a person must find out what was changed.
      return reply({
        status: "role-mismatch",
        message: `the role ${markdownCode(record.roleName)} that ${markdownCode(recordPath(requestPath, "grant"))} names is not this grant's (${error.differences.join("; ")}), so hallpass changed nothing. An administrator must find out whether the record or the role was changed (git history, CloudTrail). This grant's own access still ends by itself at ${record.window.end}.`,
      });
    }
    // Tell the commenter: silence would read as "done". The error is thrown on so the
    // delivery fails (and can be redelivered); the command can also simply be repeated.
    await github.upsertComment(
      pullNumber,
      REVOKE_REPLY_MARKER,
      `${REVOKE_REPLY_MARKER}\n${markdownMention(commenter)}: the revocation did not complete (${errorMessage(error)}). Comment \`/hallpass revoke\` again to finish it; every step can be re-run. The access still ends by itself at ${record.window.end}.\n`,
    );
    throw error;
  }
}

async function revoke(
  deps: ReleaseDeps,
  pullNumber: number,
  commenter: string,
  options: { now: Date },
  found: {
    evaluation: Awaited<ReturnType<typeof evaluatePullRequest>>;
    requestPath: string;
    record: GrantRecord;
  },
): Promise<ReleaseOutcome> {
  const { github } = deps;
  const { evaluation, requestPath, record } = found;
  const branch = evaluation.pullRequest.baseRef;
  const reply = replier(github, pullNumber, commenter);
  const account = evaluation.policies?.accounts[record.account.name];
  if (!account || account.id !== record.account.id) {
    throw new Error(
      `account ${record.account.name} (${record.account.id}) of ${requestPath} is not in policies/ at the merge commit; revoke ${record.roleArn} by hand and fix policies/`,
    );
  }
  // After the window's end the access is over already (the role's own policies deny it): the
  // command only does the sweep's work early, and the record must say expired, not released.
  const expired = Date.parse(record.window.end) <= options.now.getTime();
  // Run even when a revocation is recorded: the record is written before the role is removed,
  // so a revocation that stopped half-way is finished by the next command.
  const result = await revokeGrant(
    { github, aws: deps.aws, actor: deps.actor ?? "hallpass-app", branch },
    {
      account: { name: record.account.name, id: account.id, brokerRole: account.brokerRole },
      roleName: record.roleName,
      roleArn: record.roleArn,
      expected: expectedRoleOfRecord(record, `${github.owner}/${github.repo}`),
      requestPath,
      reason: expired ? "expired" : "early-release",
      detail: expired
        ? `expired at ${record.window.end}; ${markdownMention(commenter)} deleted the role with /hallpass revoke on pull request #${pullNumber} before the sweep did`
        : `${markdownMention(commenter)} ended the access with /hallpass revoke on pull request #${pullNumber}`,
      now: options.now,
      revokedBy: commenter,
    },
  );
  const path = recordPath(requestPath, "revocation");
  // A revocation recorded before this command (by anyone: the sweep, a rollback, a first
  // command) is the one that stands; this command never writes a second one nor takes it over.
  const earlier = result.recorded ? undefined : result.record;
  if (earlier && !result.roleWasPresent) {
    return reply({
      status: "already-revoked",
      message: `this access was already revoked at ${earlier.revokedAt} (${earlier.reason}).`,
    });
  }
  if (!earlier && result.record.reason === "expired") {
    return reply({
      status: "already-ended",
      message: `this access had already ended at ${record.window.end}, when its window expired; ${result.roleWasPresent ? "its role is now deleted and the expiry recorded" : "its role was already gone, and the expiry is now recorded"} in ${markdownCode(path)}.`,
    });
  }
  await github.upsertComment(
    pullNumber,
    GRANT_COMMENT_MARKER,
    earlier
      ? `${GRANT_COMMENT_MARKER}\n### Access revoked\n\nThis access was revoked at ${earlier.revokedAt} (${earlier.reason}, by ${earlier.revokedBy}), recorded in ${markdownCode(path)}. Its sessions were denied then; ${markdownMention(commenter)}'s \`/hallpass revoke\` finished deleting the role ${markdownCode(record.roleArn)}.\n`
      : `${GRANT_COMMENT_MARKER}\n### Access revoked\n\n${markdownMention(commenter)} ended this access with \`/hallpass revoke\`. Sessions issued before now are denied, and the role ${markdownCode(record.roleArn)} is deleted. The revocation is recorded in ${markdownCode(path)}.\n`,
  );
  // Told by the command that recorded the revocation only, so a redelivery tells nobody again.
  if (!earlier) {
    const notice = {
      ...grantNotice(record, "revoked", "given back early with /hallpass revoke"),
      people: [`@${commenter}`],
    };
    for (const failure of await sendNotice(deps.webhookFor, evaluation.policies, notice)) {
      deps.warn?.(`hallpass notification not sent: ${failure}`);
    }
  }
  return { status: "revoked", roleArn: record.roleArn };
}
