/**
 * The grant's rollback: when creating the role fails half-way, the grant is revoked with the one
 * revoke routine and the rollback recorded, so a grant is never left half-made and unrecorded.
 * When the rollback fails too, the PR is told exactly what is true and what a person must do.
 */

import { expectedRoleOfRecord } from "../../core/grant/check-revocation-target.ts";
import { parseRevocation } from "../../core/grant/parse-grant-record.ts";
import type { GrantRecord } from "../../core/grant/records.ts";
import { recordPath } from "../../core/request/record-paths.ts";
import { errorMessage } from "../../core/text/error-message.ts";
import { markdownCode, markdownMention } from "../../core/text/escape-markdown.ts";
import { GrantConflictError } from "../../ports/aws.ts";
import type { GitHubPort } from "../../ports/github.ts";
import { revokeGrant } from "../revoke-grant.ts";
import type { GrantDeps, GrantStop } from "./grant-types.ts";
import type { PlannedGrant } from "./plan-grant-role.ts";

export interface RollbackTarget {
  /** Who the rollback is recorded as revoked by. */
  actor: string;
  branch: string;
  /** The role that could not be created: its account, name, ARN and window. */
  planned: Pick<PlannedGrant, "account" | "plan" | "roleArn" | "window">;
  /** The grant record committed before the role was created. */
  record: GrantRecord;
  now: Date;
}

/**
 * Rolls back a grant whose role could not be created (`error`). Always a stop (failed):
 * rolled back and recorded, or not, with what is true then and what to do.
 */
export async function rollBackGrant(
  deps: GrantDeps,
  target: RollbackTarget,
  error: unknown,
): Promise<GrantStop> {
  const { github } = deps;
  const { branch, record, planned } = target;
  const { roleArn } = planned;
  const requestPath = record.requestPath;
  const revocationPath = recordPath(requestPath, "revocation");
  const reason = `creating ${roleArn} failed: ${errorMessage(error)}`;
  try {
    await revokeGrant(
      { github, aws: deps.aws, actor: target.actor, branch },
      {
        account: planned.account,
        roleName: planned.plan.roleName,
        // A role of that name that is not ours is never touched: only the record is written.
        recordOnly: error instanceof GrantConflictError,
        roleArn,
        expected: expectedRoleOfRecord(record, `${github.owner}/${github.repo}`),
        requestPath,
        reason: "grant-failed",
        detail: reason,
        now: target.now,
      },
    );
  } catch (rollback) {
    return {
      stop: "failed",
      title: "the grant failed and could not be rolled back",
      details: await unfinishedRollback(github, {
        branch,
        reason,
        rollbackError: errorMessage(rollback),
        grantPath: recordPath(requestPath, "grant"),
        revocationPath,
        roleArn,
        requester: record.requester,
        end: planned.window.end,
      }),
      reason,
      rolledBack: false,
      // Part of the role may exist and be usable until someone acts: not "NOT granted".
      heading: "Access left half-made",
    };
  }
  return {
    stop: "failed",
    title: "the grant failed",
    details: [
      `${reason}.`,
      `The grant was rolled back and the rollback recorded in ${markdownCode(revocationPath)}. Open a new request to try again.`,
    ],
    reason,
    rolledBack: true,
  };
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
    const revocation = parseRevocation(await github.getFile(failed.branch, revocationPath));
    recorded = revocation?.roleArn === roleArn;
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
