/**
 * Grant on merge: re-checks the approvals of a merged access pull request, creates its grant
 * role in AWS from the planner's plan, records the grant in git and tells the requester how to
 * use it. Safe to run any number of times for the same pull request (redelivered webhooks,
 * retries after a crash, a manual re-run): the role name is derived from the request and the
 * merge commit, every AWS step converges, and records are written only when missing.
 *
 * Order matters. The grant record is committed BEFORE the role is created, so that a role
 * hallpass made is never seen in AWS without its record (the sweeper revokes unrecorded roles).
 * If creating the role then fails, the grant is rolled back with the revoke routine and the
 * rollback is recorded too: a grant is never left half-made and unrecorded.
 */

import { expectedGrantRole } from "../core/grant/check-revocation-target.ts";
import { digestGrantPlan } from "../core/grant/digest-grant-plan.ts";
import { DEFAULT_IAM_LIMITS, type IamLimits, planGrant } from "../core/grant/plan-grant.ts";
import {
  type GrantRecord,
  grantRecordSchema,
  revocationRecordSchema,
  type UngrantedRecord,
  ungrantedRecordSchema,
} from "../core/grant/records.ts";
import { GRANT_COMMENT_MARKER, renderUsageComment } from "../core/grant/render-usage-comment.ts";
import { recordPath } from "../core/request/record-paths.ts";
import { formatProblem } from "../core/source/problem.ts";
import { renderGrantAlert } from "../core/sweep/render-alerts.ts";
import { errorMessage, parseJsonOrUndefined } from "../core/text/error-message.ts";
import { markdownCode, markdownMention, markdownText } from "../core/text/escape-markdown.ts";
import {
  type AccountTarget,
  type AwsPort,
  GRANT_TAGS,
  GrantConflictError,
  MANAGED_BY,
} from "../ports/aws.ts";
import type { GitHubPort } from "../ports/github.ts";
import { boundedByDeadline, raceDeadline } from "./deadline.ts";
import { evaluatePullRequest } from "./evaluate-pull-request.ts";
import { revokeGrant } from "./revoke-grant.ts";

export interface GrantDeps {
  github: GitHubPort;
  aws: AwsPort;
  /**
   * Resolves the Slack sender of the environment variable that the policies name in
   * `settings.notifications.slackWebhookEnv`; undefined when that variable is not set. Alerts
   * go beyond GitHub only when the policies of the evaluation name one (never by default).
   */
  notifierFor?: (envName: string) => ((text: string) => Promise<void>) | undefined;
  /** Recorded as the revoker of rollbacks and replaced grants. Default `hallpass-app`. */
  actor?: string;
}

export interface GrantOptions {
  now: Date;
  limits?: IamLimits;
  /**
   * Aborts when the grant must stop to leave time for saying why within the host's limit (the
   * app derives it from the Lambda's Timeout). From then on no GitHub or AWS call of the grant
   * starts, and the grant fails the way any unexpected error does: said on the PR, alerted,
   * thrown so that a redelivery finishes it. Its abort reason is the message shown.
   */
  deadline?: AbortSignal;
  /** Aborts when telling a failure must stop waiting (just before the host's limit). */
  tellDeadline?: AbortSignal;
}

export type GrantOutcome =
  /** The grant exists and is recorded (`created`: this run created the role). */
  | { status: "granted"; record: GrantRecord; created: boolean; replaced?: string }
  /** Not an access request, or not merged: nothing to do. */
  | { status: "skipped"; reason: string }
  /** The grant was revoked already: a late redelivery must not bring it back. */
  | { status: "revoked"; reason: string }
  /** Refused before AWS was changed (approvals, window, sizes, quota, name conflict). */
  | { status: "refused"; reason: string }
  /** AWS or GitHub failed half-way; the grant was rolled back (or the alert says it was not). */
  | { status: "failed"; reason: string; rolledBack: boolean };

/** What an alert needs: the sender to Slack is known once the policies are loaded. */
interface AlertDeps extends GrantDeps {
  notify?: (text: string) => Promise<void>;
}

/** The Unix epoch: see the comment where it is used. */
const EPOCH = new Date(0);

/** Hidden marker of the comment that says a grant stopped on an unexpected error. */
export const GRANT_ERROR_MARKER = "<!-- hallpass:grant-error -->";

/**
 * Grants the access of merged pull request `pullNumber`. Expected failures are outcomes; an
 * unexpected one (GitHub or AWS failing where no rollback applies) is said on the PR and raised
 * as an alert, then thrown so the delivery fails and can be redelivered. Nothing is granted
 * without its record, so re-running finishes or refuses the grant.
 */
export async function grantAccess(
  deps: GrantDeps,
  pullNumber: number,
  options: GrantOptions,
): Promise<GrantOutcome> {
  // `notify` is filled in by `grant` once the policies are loaded, so that an unexpected failure
  // after that reaches Slack too; before that (or with invalid policies) the alert issue alone.
  const bounded: AlertDeps = {
    ...deps,
    github: boundedByDeadline(deps.github, options.deadline),
    aws: {
      grantStore: (account) => boundedByDeadline(deps.aws.grantStore(account), options.deadline),
    },
  };
  try {
    return await raceDeadline(grant(bounded, pullNumber, options), options.deadline);
  } catch (error) {
    // Past the deadline only the unbounded ports can still tell; `tellDeadline` bounds that.
    const alerting: AlertDeps = { ...deps, ...(bounded.notify ? { notify: bounded.notify } : {}) };
    const details = [
      `${errorMessage(error)}.`,
      "Any role created is recorded in git first, and its own policies end it at its expiry. Redeliver the merge event (or ask an administrator to) to finish or refuse the grant.",
    ];
    try {
      await raceDeadline(
        deps.github.upsertComment(
          pullNumber,
          GRANT_ERROR_MARKER,
          `${GRANT_ERROR_MARKER}\n### The grant could not be completed\n\n${details.map((d) => `- ${d}`).join("\n")}\n`,
        ),
        options.tellDeadline,
      );
    } catch {
      // GitHub itself may be what failed; the alert below and the failed delivery remain.
    }
    try {
      await raceDeadline(
        alert(
          alerting,
          pullNumber,
          `pull request #${pullNumber}`,
          undefined,
          "the grant could not be completed",
          details,
        ),
        options.tellDeadline,
      );
    } catch {
      // Same: the thrown error below is logged and the delivery shows as failed.
    }
    throw error;
  }
}

async function grant(
  deps: AlertDeps,
  pullNumber: number,
  options: GrantOptions,
): Promise<GrantOutcome> {
  const { github, aws } = deps;
  const { now } = options;
  const actor = deps.actor ?? "hallpass-app";

  // Approvals are re-checked from the API at merge: policies and CODEOWNERS at the merge commit,
  // reviews on the last head SHA and submitted before the merge. "start is in the past" is a rule for submitting a request, not for
  // granting it (a request may be merged after its start): the window check below decides.
  const evaluation = await evaluatePullRequest(github, pullNumber, { now: EPOCH });
  const pull = evaluation.pullRequest;
  if (evaluation.status === "skipped") {
    return { status: "skipped", reason: "not an access request" };
  }
  if (!pull.merged || !pull.mergeCommitSha || !pull.mergedAt) {
    return { status: "skipped", reason: "the pull request is not merged" };
  }
  const merge = { ...pull, mergeCommitSha: pull.mergeCommitSha, mergedAt: pull.mergedAt };
  const requestPath = evaluation.requestPath;
  const validated = evaluation.request;
  const policies = evaluation.policies;
  const slackEnv = policies?.settings.notifications.slackWebhookEnv;
  const notify = slackEnv ? deps.notifierFor?.(slackEnv) : undefined;
  if (notify) deps.notify = notify;

  const refuse = async (title: string, details: string[]): Promise<GrantOutcome> => {
    // Recorded first, so that git holds why even if the comment or the alert then fails (the
    // delivery fails and a redelivery finds the same record). Its failure only adds a line:
    // whatever happens to the record, nothing is granted.
    const recorded = requestPath
      ? await recordRefusal(github, merge, requestPath, title, details, now)
      : undefined;
    const told = [...details];
    if (recorded?.status === "recorded") {
      told.push(`This refusal is recorded in ${markdownCode(recorded.path)}.`);
    } else if (recorded?.status === "failed") {
      told.push(
        `This refusal could not be recorded in ${markdownCode(recorded.path)}: ${recorded.error}. Nothing was granted. Until a redelivery of the merge event records it, this comment and the alert are its only record; the scheduled sweep records the merge without a grant (without this reason) on its next run.`,
      );
    }
    const body = [
      GRANT_COMMENT_MARKER,
      `### No access granted: ${markdownText(title)}`,
      "",
      ...told.map((d) => `- ${d}`),
      "",
      "hallpass grants only what is approved and fits IAM. Fix the cause, then open a new request (a merged request file is never changed).",
    ].join("\n");
    await github.upsertComment(pull.number, GRANT_COMMENT_MARKER, `${body}\n`);
    await alert(deps, pull.number, pull.url, requestPath, title, told);
    const reason = `${title}: ${details.join(" ")}`;
    return recorded?.status === "failed"
      ? { status: "refused", reason: `${reason} (not recorded in git: ${recorded.error})` }
      : { status: "refused", reason };
  };

  if (evaluation.apiError !== undefined) {
    const reason = `GitHub could not be read to re-check the approvals: ${evaluation.apiError}`;
    await tell(
      deps,
      pull,
      requestPath ?? `pull request #${pull.number}`,
      "GitHub could not be read",
      [
        `${reason}. Nothing was created. Redeliver the merge event (or ask an administrator to) to try again.`,
      ],
    );
    return { status: "failed", reason, rolledBack: true };
  }
  if (evaluation.status !== "approved" || !validated || !policies || !requestPath) {
    return refuse(`approvals do not hold at the merge commit ${pull.mergeCommitSha.slice(0, 7)}`, [
      `${evaluation.title}.`,
      ...evaluation.reasons,
      `@${pull.mergedBy ?? "someone"} merged this pull request past the hallpass/approval check.`,
    ]);
  }

  const branch = pull.baseRef;
  const grantPath = recordPath(requestPath, "grant");
  const revocationPath = recordPath(requestPath, "revocation");
  const [grantText, revocationText] = await Promise.all([
    github.getFile(branch, grantPath),
    github.getFile(branch, revocationPath),
  ]);
  // `x.yaml` and `x.yml` share their records: a record of the other request is never this one's.
  const owner = (text: string | undefined) => {
    const parsed = text === undefined ? undefined : parseJsonOrUndefined(text);
    return typeof parsed === "object" && parsed !== null && "requestPath" in parsed
      ? String((parsed as { requestPath: unknown }).requestPath)
      : undefined;
  };
  const other = [owner(grantText), owner(revocationText)].find(
    (path) => path !== undefined && path !== requestPath,
  );
  if (other !== undefined) {
    return refuse(`its records would be those of ${other}`, [
      `${markdownCode(requestPath)} and ${markdownCode(other)} differ only in their extension, so they share ${markdownCode(grantPath)}. Nothing was changed for either. Open a new request under another file name.`,
    ]);
  }
  if (revocationText !== undefined) {
    const revocation = revocationRecordSchema.safeParse(parseJsonOrUndefined(revocationText));
    return {
      status: "revoked",
      reason: `${revocationPath} records a revocation${revocation.success ? ` (${revocation.data.reason}, ${revocation.data.revokedAt})` : ""}; not granting again`,
    };
  }
  let existing: GrantRecord | undefined;
  if (grantText !== undefined) {
    const parsed = grantRecordSchema.safeParse(parseJsonOrUndefined(grantText));
    if (!parsed.success) {
      return refuse(`${grantPath} is not a valid grant record`, [
        `It cannot be read (${parsed.error.issues[0]?.message ?? "invalid"}); restore it from git history.`,
      ]);
    }
    existing = parsed.data;
    // Over already: a late redelivery must neither re-create the role nor comment again.
    if (Date.parse(existing.window.end) <= now.getTime()) {
      return { status: "granted", record: existing, created: false };
    }
  }

  const mergedAt = new Date(pull.mergedAt);
  const planned = planGrant(
    validated,
    policies,
    {
      mergeCommit: pull.mergeCommitSha,
      mergedAt,
      now,
      pullRequest: pull.number,
      repository: `${github.owner}/${github.repo}`,
    },
    options.limits ?? DEFAULT_IAM_LIMITS,
  );
  if (!planned.plan || !planned.window) {
    return refuse(
      "the grant cannot be made",
      planned.problems.map((p) => formatProblem(p)),
    );
  }
  const plan = planned.plan;
  const window = planned.window;
  if (existing && existing.roleName !== plan.roleName) {
    return refuse(`${grantPath} names another role`, [
      `The record names ${existing.roleName}, the plan ${plan.roleName}. An administrator must check which role is real.`,
    ]);
  }
  const planDigest = digestGrantPlan(plan);
  if (existing?.planDigest && JSON.stringify(existing.planDigest) !== JSON.stringify(planDigest)) {
    // policies/ changed since the grant was recorded: the role would no longer match its record.
    return refuse(`${grantPath} records other role documents than policies/ gives now`, [
      "The role's policies, boundary or session length changed in policies/ since this grant was recorded, so hallpass will not re-make the role from today's plan. Open a new request for the access you need.",
    ]);
  }

  const account: AccountTarget = {
    name: validated.request.account,
    id: validated.account.id,
    brokerRole: validated.account.brokerRole,
  };
  const store = aws.grantStore(account);
  const partition = /^arn:(aws[a-z-]*):/.exec(account.brokerRole)?.[1] ?? "aws";
  const roleArn = `arn:${partition}:iam::${account.id}:role${plan.rolePath}${plan.roleName}`;

  if (!existing) {
    let current: Awaited<ReturnType<typeof store.getRole>>;
    let quota: Awaited<ReturnType<typeof store.getRoleQuota>> | undefined;
    try {
      current = await store.getRole(plan.roleName);
      if (!current) quota = await store.getRoleQuota();
    } catch (error) {
      const reason = `AWS account ${account.name} (${account.id}) could not be read: ${errorMessage(error)}`;
      await tell(deps, pull, requestPath, "AWS could not be reached", [
        `${reason}. Nothing was created. Fix the cause, then redeliver the merge event (or ask an administrator to) to try again.`,
      ]);
      return { status: "failed", reason, rolledBack: true };
    }
    if (
      current &&
      (current.tags[GRANT_TAGS.managedBy] !== MANAGED_BY ||
        current.tags[GRANT_TAGS.request] !== requestPath ||
        current.tags[GRANT_TAGS.mergeCommit] !== pull.mergeCommitSha)
    ) {
      return refuse(`a role named ${plan.roleName} already exists`, [
        `${current.roleArn} was not made for this request; hallpass never takes over a role.`,
      ]);
    }
    if (quota && quota.roles + 1 > quota.quota) {
      return refuse(`account ${account.name} (${account.id}) is at its IAM role quota`, [
        `It holds ${quota.roles} of ${quota.quota} roles. Delete unused roles or ask AWS to raise the "Roles per account" quota, then open a new request.`,
      ]);
    }
  }

  const record: GrantRecord = existing ?? {
    version: 1,
    requestPath,
    pullRequest: {
      number: pull.number,
      url: pull.url,
      mergeCommit: pull.mergeCommitSha,
      mergedAt: pull.mergedAt,
      mergedBy: pull.mergedBy ?? "",
    },
    requester: validated.request.requester,
    role: validated.request.role,
    account: { name: account.name, id: account.id },
    emergency: validated.emergency,
    ...(validated.request.extends ? { extends: validated.request.extends } : {}),
    approvals: evaluation.approvals,
    // What `hallpass verify` needs to re-decide offline (git holds the rest).
    ...(evaluation.decision ? { approvalBasis: evaluation.decision.basis } : {}),
    roleArn,
    roleName: plan.roleName,
    sessionName: plan.sessionName,
    sourceIdentity: plan.sourceIdentity,
    window,
    grantedAt: now.toISOString(),
    planDigest,
  };
  if (!existing) {
    try {
      await github.commitFiles(
        branch,
        [{ path: grantPath, content: `${JSON.stringify(record, null, 2)}\n` }],
        `hallpass: grant ${requestPath} until ${window.end}\n\nPull request #${pull.number}, merge ${pull.mergeCommitSha}.\nRole: ${roleArn}\nApproved by: ${record.approvals.map((a) => a.reviewer).join(", ")}`,
      );
    } catch (error) {
      // Nothing exists in AWS yet: there is nothing to roll back.
      const reason = `committing ${grantPath} failed: ${errorMessage(error)}`;
      await tell(deps, pull, requestPath, "the grant record could not be committed", [
        `${reason}. Nothing was created in AWS. Redeliver the merge event (or ask an administrator to) to try again.`,
      ]);
      return { status: "failed", reason, rolledBack: true };
    }
  }

  let created: boolean;
  let corrected: string[] = [];
  try {
    ({ created, corrected = [] } = await store.ensureRole(plan));
  } catch (error) {
    const reason = `creating ${roleArn} failed: ${errorMessage(error)}`;
    const conflict = error instanceof GrantConflictError;
    let rolledBack = false;
    let rollbackError = "";
    try {
      await revokeGrant(
        { github, aws, actor, branch },
        {
          account,
          roleName: plan.roleName,
          // A role of that name that is not ours is never touched: only the record is written.
          recordOnly: conflict,
          roleArn,
          expected: expectedGrantRole({
            requestPath,
            mergeCommit: record.pullRequest.mergeCommit,
            pullRequest: record.pullRequest.number,
            repository: `${github.owner}/${github.repo}`,
          }),
          requestPath,
          reason: "grant-failed",
          detail: reason,
          now,
        },
      );
      rolledBack = true;
    } catch (rollback) {
      rollbackError = errorMessage(rollback);
    }
    if (rolledBack) {
      await tell(deps, pull, requestPath, "the grant failed", [
        `${reason}.`,
        `The grant was rolled back and the rollback recorded in ${markdownCode(revocationPath)}. Open a new request to try again.`,
      ]);
    } else {
      await tell(
        deps,
        pull,
        requestPath,
        "the grant failed and could not be rolled back",
        await unfinishedRollback(github, {
          branch,
          reason,
          rollbackError,
          grantPath,
          revocationPath,
          roleArn,
          requester: record.requester,
          end: window.end,
        }),
        // Part of the role may exist and be usable until someone acts: not "NOT granted".
        "Access left half-made",
      );
    }
    return { status: "failed", reason, rolledBack };
  }

  if (corrected.length > 0) {
    // The role was this grant's but someone had changed it: put back, and never silently.
    await alert(
      deps,
      pull.number,
      pull.url,
      requestPath,
      "the grant role had been changed by hand",
      [
        ...corrected.map((c) => `${roleArn}: ${c}`),
        "hallpass put the role back to the approved plan. Find out who changed it (CloudTrail).",
      ],
    );
  }

  const replaced = await replaceExtended(
    deps,
    { actor, branch, now, account },
    record,
    validated.request,
  );

  await github.upsertComment(
    pull.number,
    GRANT_COMMENT_MARKER,
    renderUsageComment({
      plan,
      roleArn,
      principal: validated.identity.awsPrincipal,
      roleName: validated.request.role,
      accountName: account.name,
      now,
      ...(replaced.revoked ? { replaced: replaced.path } : {}),
    }),
  );
  if (replaced.problem) {
    await alert(deps, pull.number, pull.url, requestPath, "the extended grant was not revoked", [
      replaced.problem,
    ]);
  }
  return {
    status: "granted",
    record,
    created,
    ...(replaced.revoked ? { replaced: replaced.path } : {}),
  };
}

/**
 * An extension replaces the grant it names once the new one exists, so there is no gap. Only a
 * grant of the same requester in the same account is revoked: `extends:` must not become a way
 * to end someone else's access.
 */
async function replaceExtended(
  deps: GrantDeps,
  context: { actor: string; branch: string; now: Date; account: AccountTarget },
  record: GrantRecord,
  request: { extends?: string | undefined },
): Promise<{ path?: string; revoked: boolean; problem?: string }> {
  const path = request.extends;
  if (!path) return { revoked: false };
  const [grantText, revocationText] = await Promise.all([
    deps.github.getFile(context.branch, recordPath(path, "grant")),
    deps.github.getFile(context.branch, recordPath(path, "revocation")),
  ]);
  if (revocationText !== undefined) return { path, revoked: true };
  if (grantText === undefined) {
    return { path, revoked: false, problem: `${path} has no grant record: nothing to replace.` };
  }
  const old = grantRecordSchema.safeParse(parseJsonOrUndefined(grantText));
  if (!old.success) {
    return { path, revoked: false, problem: `${recordPath(path, "grant")} cannot be read.` };
  }
  if (old.data.requestPath !== path) {
    return {
      path,
      revoked: false,
      problem: `${recordPath(path, "grant")} is the grant of ${old.data.requestPath}, not of ${path}.`,
    };
  }
  if (
    old.data.requester.toLowerCase() !== record.requester.toLowerCase() ||
    old.data.account.id !== record.account.id
  ) {
    return {
      path,
      revoked: false,
      problem: `${path} is a grant of @${old.data.requester} in ${old.data.account.name}; an extension by ${markdownMention(record.requester)} in ${record.account.name} does not revoke it.`,
    };
  }
  if (old.data.roleArn === record.roleArn) return { path, revoked: false };
  // A new window that starts later must not open a gap: the old grant then ends by itself.
  if (Date.parse(record.window.start) > context.now.getTime()) return { path, revoked: false };
  try {
    await revokeGrant(
      { github: deps.github, aws: deps.aws, actor: context.actor, branch: context.branch },
      {
        // Same account id as the new grant (checked above), so the same broker role.
        account: context.account,
        roleName: old.data.roleName,
        roleArn: old.data.roleArn,
        expected: expectedGrantRole({
          requestPath: path,
          mergeCommit: old.data.pullRequest.mergeCommit,
          pullRequest: old.data.pullRequest.number,
          repository: `${deps.github.owner}/${deps.github.repo}`,
        }),
        requestPath: path,
        reason: "replaced-by-extension",
        detail: `replaced by ${record.requestPath} (pull request #${record.pullRequest.number}), granted until ${record.window.end}`,
        now: context.now,
      },
    );
    return { path, revoked: true };
  } catch (error) {
    return {
      path,
      revoked: false,
      problem: `revoking ${old.data.roleArn} failed: ${errorMessage(error)}. It still ends by itself at ${old.data.window.end}.`,
    };
  }
}

/**
 * What is true after a grant failed half-way and its rollback failed too, and what a person must
 * do. It depends on whether the rollback got as far as its record (revoke-grant.ts records after
 * the deny-all and before removing the role), so the record is read back:
 * - recorded: the role's sessions are denied, and the sweep finishes a recorded revocation whose
 *   role is still there on its next run;
 * - not recorded: git holds the grant record and no revocation, so the sweep takes the half-made
 *   role for a live grant and removes it at its expiry (earlier only if it differs from its
 *   record; a role never created is reported missing). Until then the requester can use
 *   whatever part was made: only `/hallpass revoke` (or a redelivered merge, which completes the grant) acts.
 */
async function unfinishedRollback(
  github: GitHubPort,
  failed: {
    branch: string;
    reason: string;
    rollbackError: string;
    grantPath: string;
    revocationPath: string;
    roleArn: string;
    requester: string;
    end: string;
  },
): Promise<string[]> {
  const { revocationPath, roleArn, end } = failed;
  let recorded: boolean | undefined;
  let readError = "";
  try {
    const text = await github.getFile(failed.branch, revocationPath);
    const parsed =
      text === undefined ? undefined : revocationRecordSchema.safeParse(parseJsonOrUndefined(text));
    recorded = parsed?.success === true && parsed.data.roleArn === roleArn;
  } catch (error) {
    readError = errorMessage(error);
  }
  const revokeNow = `comment \`/hallpass revoke\` on this pull request (${markdownMention(failed.requester)} or anyone who may approve the request can; repeat it if it fails, every step can be re-run)`;
  if (recorded === true) {
    return [
      `${failed.reason}.`,
      `Rolling it back failed after the rollback was recorded in ${markdownCode(revocationPath)} (${failed.rollbackError}): every session of ${roleArn} is denied, but the role is not fully deleted yet.`,
      `The scheduled sweep deletes it on its next run (a recorded revocation whose role is still there). To finish now, ${revokeNow}. Open a new request to try again.`,
    ];
  }
  const notRecorded = [
    `Do not count on anything else to end it before its expiry: the scheduled sweep does NOT retry the rollback. With ${markdownCode(failed.grantPath)} and no revocation in git, it takes the role for a live grant and deletes it at ${end}, earlier only if the role differs from its grant record (then as changed by hand, with an alert); if the role was never created, it reports the grant as missing.`,
    `Until then ${markdownMention(failed.requester)} may be able to assume whatever part of ${roleArn} was made; the role's own policies end all access at ${end}.`,
    `To end it now, ${revokeNow}. To complete the grant instead, redeliver the merge event (or ask an administrator to).`,
  ];
  if (recorded === false) {
    return [
      `${failed.reason}.`,
      `Rolling it back failed too, before the rollback was recorded (${failed.rollbackError}).`,
      ...notRecorded,
    ];
  }
  return [
    `${failed.reason}.`,
    `Rolling it back failed too (${failed.rollbackError}), and whether the rollback was recorded could not be read (${readError}).`,
    `If ${markdownCode(revocationPath)} is on ${failed.branch}, every session is denied and the scheduled sweep deletes the role on its next run. If it is not:`,
    ...notRecorded,
  ];
}

type RefusalRecording =
  | { status: "recorded"; path: string }
  | { status: "skipped"; why: string }
  | { status: "failed"; path: string; error: string };

/**
 * Records a refusal at merge as `<stem>.ungranted.json` on the base branch, with its title and
 * details, so that `hallpass history` reads why offline. Idempotent: a record equal but for its
 * time is left as it is (a redelivery makes no commit); a different refusal of the same merge
 * (the quota was full, now the window has ended) replaces it, and git log keeps both.
 *
 * Nothing is written where the stem's records are not this refusal's to write: a grant or
 * revocation record is there (a redelivery of a granted request, or the other of `x.yaml` and
 * `x.yml`), an ungranted record of another request is there, or the pull request was merged
 * into a branch other than the default branch (records live next to merged requests).
 *
 * A refusal that later turns into a grant (quota freed, then a redelivery) keeps its record:
 * the grant record is committed beside it, and the history shows both, in their order.
 */
async function recordRefusal(
  github: GitHubPort,
  pull: {
    number: number;
    url: string;
    baseRef: string;
    defaultBranch?: string;
    mergeCommitSha: string;
    mergedAt: string;
    mergedBy: string | null;
  },
  requestPath: string,
  title: string,
  details: string[],
  now: Date,
): Promise<RefusalRecording> {
  const path = recordPath(requestPath, "ungranted");
  try {
    const branch = pull.baseRef;
    const defaultBranch = pull.defaultBranch ?? (await github.getDefaultBranch());
    if (branch !== defaultBranch) {
      return { status: "skipped", why: `merged into ${branch}, not ${defaultBranch}` };
    }
    const [grantText, revocationText, ungrantedText] = await Promise.all([
      github.getFile(branch, recordPath(requestPath, "grant")),
      github.getFile(branch, recordPath(requestPath, "revocation")),
      github.getFile(branch, path),
    ]);
    if (grantText !== undefined || revocationText !== undefined) {
      return { status: "skipped", why: "a grant or revocation record is there" };
    }
    const record: UngrantedRecord = {
      version: 1,
      requestPath,
      pullRequest: {
        number: pull.number,
        url: pull.url,
        mergeCommit: pull.mergeCommitSha,
        mergedAt: pull.mergedAt,
        ...(pull.mergedBy ? { mergedBy: pull.mergedBy } : {}),
      },
      reportedAt: now.toISOString(),
      detail: `${title}: ${details.join(" ")}`,
      source: "app",
      reason: title,
      details,
    };
    if (ungrantedText !== undefined) {
      const parsed = ungrantedRecordSchema.safeParse(parseJsonOrUndefined(ungrantedText));
      if (parsed.success && parsed.data.requestPath !== requestPath) {
        return { status: "skipped", why: `the record is ${parsed.data.requestPath}'s` };
      }
      if (parsed.success && sameRefusal(parsed.data, ungrantedRecordSchema.parse(record))) {
        return { status: "recorded", path };
      }
    }
    await github.commitFiles(
      branch,
      [{ path, content: `${JSON.stringify(record, null, 2)}\n` }],
      `hallpass: refused ${requestPath}: ${title}\n\nPull request #${pull.number}, merge ${pull.mergeCommitSha}, merged by ${pull.mergedBy ?? "unknown"}.\n${details.map((d) => `- ${d}`).join("\n")}`,
    );
    return { status: "recorded", path };
  } catch (error) {
    return { status: "failed", path, error: errorMessage(error) };
  }
}

/** The same refusal of the same merge, whenever it was said (both parsed: same key order). */
function sameRefusal(a: UngrantedRecord, b: UngrantedRecord): boolean {
  const { reportedAt: _a, ...restA } = a;
  const { reportedAt: _b, ...restB } = b;
  return JSON.stringify(restA) === JSON.stringify(restB);
}

/** A failure after merge: said on the PR and raised as an alert. */
async function tell(
  deps: AlertDeps,
  pull: { number: number; url: string },
  requestPath: string,
  title: string,
  details: string[],
  heading = "Access NOT granted",
): Promise<void> {
  const body = [
    GRANT_COMMENT_MARKER,
    `### ${heading}: ${markdownText(title)}`,
    "",
    ...details.map((d) => `- ${d}`),
  ].join("\n");
  await deps.github.upsertComment(pull.number, GRANT_COMMENT_MARKER, `${body}\n`);
  await alert(deps, pull.number, pull.url, requestPath, title, details);
}

/** Opens (or updates) the alert issue of a pull request's grant and notifies Slack. */
async function alert(
  deps: AlertDeps,
  pullNumber: number,
  pullUrl: string,
  requestPath: string | undefined,
  title: string,
  details: string[],
): Promise<void> {
  const alert = renderGrantAlert({ number: pullNumber, url: pullUrl }, requestPath, title, details);
  await deps.github.upsertIssue(alert.marker, alert.title, alert.body, ["hallpass-alert"]);
  if (deps.notify) {
    try {
      await deps.notify(alert.slack);
    } catch {
      // The issue above is the alert of record; a Slack outage must not hide it.
    }
  }
}
