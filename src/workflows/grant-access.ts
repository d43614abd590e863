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

import { grantNotice } from "../core/notify/notice.ts";
import type { Policies } from "../core/policy/policy-format.ts";
import { boundedByDeadline, raceDeadline } from "./deadline.ts";
import { checkAccount } from "./grant/check-account.ts";
import { checkExtendedStanding } from "./grant/check-extended-standing.ts";
import { createRole } from "./grant/create-role.ts";
import type { AlertDeps, GrantDeps, GrantOptions, GrantOutcome } from "./grant/grant-types.ts";
import { isStop } from "./grant/grant-types.ts";
import { openPostIncidentReview } from "./grant/open-review.ts";
import { planGrantRole } from "./grant/plan-grant-role.ts";
import { readGrantRecords } from "./grant/read-grant-records.ts";
import { recheckApprovals } from "./grant/recheck-approvals.ts";
import { buildGrantRecord, commitGrantRecord } from "./grant/record-grant.ts";
import { replaceExtended } from "./grant/replace-extended.ts";
import { rollBackGrant } from "./grant/roll-back.ts";
import { tellGranted, tellStop, tellUnexpected } from "./grant/tell.ts";
import { sendNotice } from "./notify/send-notice.ts";

export type { GrantDeps, GrantOptions, GrantOutcome } from "./grant/grant-types.ts";
export { GRANT_ERROR_MARKER } from "./grant/tell.ts";

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
  const announce: Announcement = {};
  let outcome: GrantOutcome;
  try {
    outcome = await raceDeadline(grant(bounded, pullNumber, options, announce), options.deadline);
  } catch (error) {
    // Past the deadline only the unbounded ports can still tell; `tellDeadline` bounds that.
    const alerting: AlertDeps = { ...deps, ...(bounded.notify ? { notify: bounded.notify } : {}) };
    await tellUnexpected(alerting, pullNumber, error, options.tellDeadline);
    throw error;
  }
  // The channels hear of a complete grant outside the work's deadline, within the telling's:
  // a slow channel (a timeout, then a Retry-After) must not make a finished grant look failed.
  if (announce.granted) {
    const failures = await raceDeadline(announce.granted(), options.tellDeadline).catch(() => [
      "no time was left to tell the channels of the grant",
    ]);
    for (const failure of failures) deps.warn?.(`hallpass notification not sent: ${failure}`);
  }
  return outcome;
}

/** What is told once the grant is complete: the channels' notice of a role this run created. */
interface Announcement {
  granted?: () => Promise<string[]>;
}

/** The grant's steps; each step that can end the grant answers a stop, which `tellStop` tells. */
async function grant(
  deps: AlertDeps,
  pullNumber: number,
  options: GrantOptions,
  announce: Announcement,
): Promise<GrantOutcome> {
  const { github, aws } = deps;
  const { now } = options;
  const actor = deps.actor ?? "hallpass-app";

  // 1. Re-check the approvals at the merge commit.
  const checked = await recheckApprovals(github, pullNumber, options.rulesAt);
  if (checked.kind === "skipped") return { status: "skipped", reason: checked.reason };
  alertSlackOf(deps, checked.policies);
  const { pull } = checked;
  if (checked.kind === "stopped") {
    return tellStop(deps, { pull, requestPath: checked.requestPath, now }, checked.stop);
  }
  const { requestPath, request } = checked;
  const context = { pull, requestPath, now };
  const branch = pull.baseRef;

  // 2. Read what git records already: a redelivery finishes its own grant, never a revoked one.
  const records = await readGrantRecords(github, { branch, requestPath, now });
  if (isStop(records)) return tellStop(deps, context, records);
  const { existing } = records;
  // 2b. An extension without review: the grant it extends must still stand on the branch now.
  if (!existing) {
    const autoApproved = checked.evaluation.decision?.autoApproved;
    const fallen = await checkExtendedStanding(github, { branch, requestPath }, autoApproved);
    if (fallen) return tellStop(deps, context, fallen);
  }

  // 3. Plan the role, and check it against the record of an earlier run.
  const repository = `${github.owner}/${github.repo}`;
  const planned = planGrantRole({ ...checked, repository, existing, now, limits: options.limits });
  if (isStop(planned)) return tellStop(deps, context, planned);
  const { plan, account, roleArn } = planned;
  const store = aws.grantStore(account);

  // 4. On the first run, check that the account can take the role.
  if (!existing) {
    const refused = await checkAccount(store, planned, context);
    if (refused) return tellStop(deps, context, refused);
  }

  // 5. A break-glass grant: its post-incident review issue before anything else is made. Made
  // before the record, so a run that finds the record finds the issue too, and leaves it as
  // its reviewers have it (their ticks, or closed).
  if (!existing) {
    const unreviewed = await openPostIncidentReview(github, checked.evaluation);
    if (unreviewed) return tellStop(deps, context, unreviewed);
  }

  // 6. Record the grant in git before the role exists.
  const record =
    existing ??
    buildGrantRecord({ pull, requestPath, request, evaluation: checked.evaluation, planned, now });
  if (!existing) {
    const failed = await commitGrantRecord(github, branch, record);
    if (failed) return tellStop(deps, context, failed);
  }

  // 7. Create the role; if that fails, roll the grant back (recorded too).
  const made = await createRole(deps, store, context, { plan, roleArn });
  if ("error" in made) {
    const rollback = { actor, branch, planned, record, now };
    return tellStop(deps, context, await rollBackGrant(deps, rollback, made.error));
  }

  // 8. Replace the grant this one extends, then tell the requester how to use it.
  const replaced = await replaceExtended(
    deps,
    { actor, branch, now, account },
    record,
    request.request,
  );
  await tellGranted(deps, context, { plan, roleArn, request, account, replaced });
  // The channels hear of it once: from the run that created the role, not from a redelivery.
  if (made.created) {
    announce.granted = () =>
      sendNotice(deps.webhookFor, checked.policies, grantNotice(record, "granted"));
  }
  return {
    status: "granted",
    record,
    created: made.created,
    ...(replaced.revoked ? { replaced: replaced.path } : {}),
  };
}

/** From now on alerts reach Slack too when the policies name its variable and it is set. */
function alertSlackOf(deps: AlertDeps, policies: Policies | undefined): void {
  const slackEnv = policies?.settings.notifications.slackWebhookEnv;
  const notify = slackEnv ? deps.notifierFor?.(slackEnv) : undefined;
  if (notify) deps.notify = notify;
}
